/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: the kernel's attributes of services and backends (api.c):
 * requests, and replies and events as plain structures.
 */
#ifndef SVCNET_API_H
#define SVCNET_API_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "parse.h"

struct lbstats {
	uint64_t v[SVCNET_A_LB_STATS_MAX + 1];
	bool has_closing;	/* the kernel told open and closing flows apart */
};

/* kTLS offload counters; absent on kernels without TLS device offload */
struct tls_stats {
	bool present;
	uint64_t v[SVCNET_A_TLS_STATS_MAX + 1];
};

/* A backend as the kernel reports it. */
struct be_info {
	struct addr addr;
	uint16_t port;
	uint16_t weight;
	bool draining;
	bool local;
	uint32_t drain_left;
	struct lbstats st;
};

/* A service as the kernel reports it, with its backends merged. */
struct svc_info {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	uint8_t proto;
	uint8_t sched;
	struct addr addr;
	uint16_t port;
	uint32_t maglev_size;
	uint32_t affinity;
	uint8_t affinity_prefix;
	uint8_t policy;
	uint8_t forward;	/* enum svcnet_forward; 0: not reported */
	bool tls_off;
	char *sources;		/* "PREFIX,PREFIX...", NULL: every client */
	struct lbstats st;
	struct tls_stats tls;
	struct be_info *be;
	size_t n_be, be_cap;
};

struct svc_list {
	struct svc_info *svcs;
	size_t n, cap;
};

/* An allowed source prefix of a service. */
struct svc_source {
	struct addr addr;
	uint8_t prefix;
};

/* Options of service add and set; 0 or -1: not given. */
struct svc_opts {
	uint8_t sched;
	uint32_t maglev_size;
	int64_t affinity;
	int prefix;
	uint8_t policy;
	uint8_t forward;
	int tls_offload;	/* -1: not given */
	int n_sources;		/* -1: not given; 0: every client */
	struct svc_source *src;	/* n_sources of them (svc_opts_free) */
};

/* One backend's change: weight, or for SET drain, else local (-1: none). */
struct be_change {
	struct addr addr;
	uint16_t port;
	uint16_t weight;
	int local;
	uint32_t drain;
};

/* A configuration event. */
struct event {
	struct svc_info s;
	struct be_info b;
	bool has_svc;
	bool has_be;
	bool has_purged;
	uint32_t purged;
	bool has_gen;
	uint32_t generation;	/* the configuration's after the change */
};

/* A backend of a backend set to send. */
struct be_opts {
	struct addr addr;
	uint16_t port;
	uint16_t weight;
	bool local;
	uint32_t drain;		/* seconds; 0: none */
};

struct json;
void tls_stats_parse(const struct nlattr *nest, struct tls_stats *t);
void tls_stats_json(struct json *j, const struct tls_stats *t);
void tls_stats_text(const char *indent, const struct tls_stats *t);
const char *sched_name(uint8_t s);
const char *forward_name(uint8_t f);
bool parse_forward(const char *s, uint8_t *forward);
bool parse_sched(const char *s, uint8_t *sched);
int parse_svc_opt(int argc, char **argv, int *i, const struct svc_arg *svc,
		  struct svc_opts *o, const char **err);
struct nlattr *put_svc_nest_start(struct nlmsghdr *nlh,
				  const struct svc_arg *svc,
				  const struct svc_opts *o);
void put_service_opts(struct nlmsghdr *nlh, const struct svc_arg *svc,
		      const struct svc_opts *o);
void svc_opts_free(struct svc_opts *o);
void put_backend(struct nlmsghdr *nlh, const struct be_opts *b);
void put_backends(struct nlmsghdr *nlh, const struct svc_arg *svc,
		  const struct be_opts *bes, size_t n);
void put_backend_change(struct nlmsghdr *nlh, uint8_t cmd,
			const struct svc_arg *svc, const struct be_change *b);
int svc_dump(struct ipc *ipc, const char *dev, struct svc_list *l);
int event_parse(const struct nlmsghdr *nlh, struct event *ev);
void svc_list_free(struct svc_list *l);
void svc_info_free(struct svc_info *s);

/* A device as DEV_GET reports it. */
struct dev_info {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	uint32_t generation;
	int fast_path;		/* enum svcnet_fast_path, -1 not reported */
	bool has_hash_key;	/* reported to the namespace's admin only */
	uint8_t hash_key[SVCNET_HASH_KEY_LEN];
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, fragments;
	uint64_t fast_path_packets;
	uint64_t drops[SVCNET_DROP_MAX + 1];
	struct tls_stats tls;
};

struct dev_list {
	struct dev_info *devs;
	size_t n;
};

struct flow_info {
	uint32_t ifindex;
	uint8_t proto;
	uint8_t state;
	bool assured;
	bool pickup;
	bool tunnel;
	bool direct;		/* past conntrack and FORWARD now */
	bool notrack;		/* never seen by conntrack */
	uint32_t expires;
	struct addr client, svc, be, snat;
	uint16_t client_port, svc_port, be_port, snat_port;
};

/* The configuration's keys, as 'svcnet config' names them. */
#define N_CFG 8
struct cfg_key {
	const char *name;
	uint16_t attr;
	uint32_t max;
};
extern const struct cfg_key cfg_keys[N_CFG];

struct cfg_info {
	uint64_t flow_count, affinity_count, flows_evicted;
	uint64_t value[N_CFG];	/* of cfg_keys[] */
};

void put_dev_name(struct nlmsghdr *nlh, const char *dev);
void put_generation(struct nlmsghdr *nlh, uint32_t gen);
void put_fast_path(struct nlmsghdr *nlh, uint8_t mode);
const char *fast_path_name(int mode);
void put_hash_key(struct nlmsghdr *nlh, const uint8_t *key);
void put_service_backends(struct nlmsghdr *nlh, const struct svc_arg *svc,
			  const struct svc_opts *o, const struct be_opts *bes,
			  size_t n, size_t room);
void lbstats_json(struct json *j, const struct lbstats *st);
void lbstats_text(const char *indent, const struct lbstats *st);
int dev_cb(const struct nlmsghdr *nlh, void *data);
int flow_parse(const struct nlmsghdr *nlh, struct flow_info *f);
void put_flow_key(struct nlmsghdr *nlh, uint8_t proto,
		  const struct addr *client, uint16_t cport,
		  const struct addr *svc, uint16_t sport);
void put_flush_target(struct nlmsghdr *nlh, const struct svc_arg *svc);
int cfg_cb(const struct nlmsghdr *nlh, void *data);
void put_config(struct nlmsghdr *nlh, const uint32_t *value,
		const bool *have);

#endif
