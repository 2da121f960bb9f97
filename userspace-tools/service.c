// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet service ... and svcnet backend ...: configure services and their
 * backends, and show them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "json.h"
#include "parse.h"
#include "route.h"
#include "service.h"
#include "svcnet.h"

static const char *const sched_names[] = {
	[SVCNET_SCHED_RR] = "rr",
	[SVCNET_SCHED_WRR] = "wrr",
	[SVCNET_SCHED_LC] = "lc",
	[SVCNET_SCHED_RANDOM] = "random",
	[SVCNET_SCHED_MAGLEV] = "maglev",
	[SVCNET_SCHED_SH] = "sh",
};

#define N_SCHED (sizeof(sched_names) / sizeof(sched_names[0]))

const char *sched_name(uint8_t s)
{
	return s < N_SCHED && sched_names[s] ? sched_names[s] : "?";
}

bool parse_sched(const char *s, uint8_t *sched)
{
	size_t i;

	for (i = 1; i < N_SCHED; i++)
		if (!strcmp(s, sched_names[i])) {
			*sched = i;
			return true;
		}
	return false;
}

/* Start SVCNET_A_SERVICE with the key and the options given (if @o). */
struct nlattr *put_svc_nest_start(struct nlmsghdr *nlh,
				  const struct svc_arg *svc,
				  const struct svc_opts *o)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, SVCNET_A_SERVICE);
	mnl_attr_put(nlh, SVCNET_A_SVC_ADDR, addr_len(&svc->addr),
		     svc->addr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_SVC_PORT, svc->port);
	mnl_attr_put_u8(nlh, SVCNET_A_SVC_PROTO, svc->proto);
	if (o && o->sched)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_SCHED, o->sched);
	if (o && o->maglev_size)
		mnl_attr_put_u32(nlh, SVCNET_A_SVC_MAGLEV_SIZE, o->maglev_size);
	if (o && o->affinity >= 0)
		mnl_attr_put_u32(nlh, SVCNET_A_SVC_AFFINITY, o->affinity);
	if (o && o->prefix >= 0)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_AFFINITY_PREFIX, o->prefix);
	if (o && o->policy)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_POLICY, o->policy);
	if (o && o->tls_offload >= 0)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_TLS_OFFLOAD, o->tls_offload);
	if (o && o->n_sources >= 0) {
		struct nlattr *srcs = mnl_attr_nest_start(nlh, SVCNET_A_SVC_SOURCES);
		int i;

		for (i = 0; i < o->n_sources; i++) {
			struct nlattr *e = mnl_attr_nest_start(nlh, 0);

			mnl_attr_put(nlh, SVCNET_A_SRC_ADDR,
				     addr_len(&o->src[i].addr), o->src[i].addr.raw);
			mnl_attr_put_u8(nlh, SVCNET_A_SRC_PREFIX, o->src[i].prefix);
			mnl_attr_nest_end(nlh, e);
		}
		mnl_attr_nest_end(nlh, srcs);
	}
	return nest;
}

/* The device and the service key, with the options given. */
void put_service_opts(struct nlmsghdr *nlh, const struct svc_arg *svc,
		      const struct svc_opts *o)
{
	mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, svc->dev);
	mnl_attr_nest_end(nlh, put_svc_nest_start(nlh, svc, o));
}

/* One entry of SVCNET_A_SVC_BACKENDS. */
void put_backend(struct nlmsghdr *nlh, const struct be_opts *b)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put(nlh, SVCNET_A_BE_ADDR, addr_len(&b->addr), b->addr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_BE_PORT, b->port);
	if (b->weight != 1)	/* the default */
		mnl_attr_put_u16(nlh, SVCNET_A_BE_WEIGHT, b->weight);
	if (b->local)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, 1);
	if (b->drain)
		mnl_attr_put_u32(nlh, SVCNET_A_BE_DRAIN, b->drain);
	mnl_attr_nest_end(nlh, e);
}

/* SVCNET_A_SVC_BACKENDS, inside an open service nest. */
void put_backends(struct nlmsghdr *nlh, const struct svc_arg *svc,
		  const struct be_opts *bes, size_t n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SVCNET_A_SVC_BACKENDS);
	size_t i;

	for (i = 0; i < n; i++)
		put_backend(nlh, &bes[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* "none", or ADDR:PORT[=WEIGHT][,...]; 0 or -1. */
static int parse_be_list(const char *arg, const struct svc_arg *svc,
			 struct be_opts **out, size_t *n)
{
	char *buf, *tok, *save = NULL, *eq;
	struct be_opts *bes = NULL, *b;
	uint32_t w;

	*n = 0;
	*out = NULL;
	if (!strcmp(arg, "none"))
		return 0;
	buf = strdup(arg);
	if (!buf)
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		b = realloc(bes, (*n + 1) * sizeof(*b));
		if (!b)
			goto err;
		bes = b;
		b = &bes[(*n)++];
		memset(b, 0, sizeof(*b));
		b->weight = 1;
		eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			if (!parse_u32(eq + 1, 65535, &w))
				goto err;
			b->weight = w;
		}
		if (!parse_endpoint(tok, &b->addr, &b->port) ||
		    b->addr.family != svc->addr.family)
			goto err;
	}
	free(buf);
	*out = bes;
	return *n ? 0 : -1;

err:
	free(buf);
	free(bes);
	*n = 0;
	return -1;
}

static void put_service(struct nlmsghdr *nlh, const struct svc_arg *svc)
{
	put_service_opts(nlh, svc, NULL);
}

/* --- parsing replies --- */

static int tls_stats_cb(const struct nlattr *attr, void *data)
{
	struct tls_stats *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= SVCNET_A_TLS_STATS_MAX && type != SVCNET_A_TLS_STATS_PAD &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		t->v[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

void tls_stats_parse(const struct nlattr *nest, struct tls_stats *t)
{
	t->present = true;
	mnl_attr_parse_nested(nest, tls_stats_cb, t);
}

void tls_stats_json(struct json *j, const struct tls_stats *t)
{
	if (!t->present)
		return;
	json_open_object(j, "tls");
	json_u64(j, "added", t->v[SVCNET_A_TLS_STATS_ADDED]);
	json_u64(j, "removed", t->v[SVCNET_A_TLS_STATS_REMOVED]);
	json_u64(j, "records", t->v[SVCNET_A_TLS_STATS_RECORDS]);
	json_u64(j, "bytes", t->v[SVCNET_A_TLS_STATS_BYTES]);
	json_u64(j, "drops", t->v[SVCNET_A_TLS_STATS_DROPS]);
	json_close_object(j);
}

void tls_stats_text(const char *indent, const struct tls_stats *t)
{
	if (!t->present)
		return;
	printf("%stls offload: sockets added %llu removed %llu, records %llu bytes %llu, drops %llu\n",
	       indent,
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_ADDED],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_REMOVED],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_RECORDS],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_BYTES],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_DROPS]);
}

static int lbstats_cb(const struct nlattr *attr, void *data)
{
	struct lbstats *st = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == SVCNET_A_LB_STATS_ACTIVE &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		st->v[type] = mnl_attr_get_u32(attr);
	else if (type <= SVCNET_A_LB_STATS_MAX &&
		 type != SVCNET_A_LB_STATS_PAD &&
		 mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		st->v[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int be_attr_cb(const struct nlattr *attr, void *data)
{
	struct be_info *b = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_BE_ADDR:
		addr_from(&b->addr, mnl_attr_get_payload(attr),
			  mnl_attr_get_payload_len(attr));
		break;
	case SVCNET_A_BE_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			b->port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_BE_WEIGHT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			b->weight = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_BE_STATS:
		mnl_attr_parse_nested(attr, lbstats_cb, &b->st);
		break;
	case SVCNET_A_BE_LOCAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			b->local = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_BE_DRAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			b->draining = true;
			b->drain_left = mnl_attr_get_u32(attr);
		}
		break;
	}
	return MNL_CB_OK;
}

static int backends_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;
	struct be_info *b;

	b = array_reserve(s->be, s->n_be, &s->be_cap, sizeof(*b), 4);
	if (!b)
		return MNL_CB_ERROR;
	s->be = b;
	b = &s->be[s->n_be++];
	memset(b, 0, sizeof(*b));
	return mnl_attr_parse_nested(attr, be_attr_cb, b);
}

static int src_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;
	const struct nlattr *a;
	struct addr addr = { 0 };
	char host[64];
	int prefix = -1;
	size_t len, size;
	char *str;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == SVCNET_A_SRC_ADDR)
			addr_from(&addr, mnl_attr_get_payload(a),
				  mnl_attr_get_payload_len(a));
		else if (mnl_attr_get_type(a) == SVCNET_A_SRC_PREFIX &&
			 mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
			prefix = mnl_attr_get_u8(a);
	}
	if (!addr.family || prefix < 0)
		return MNL_CB_OK;
	inet_ntop(addr.family, addr.raw, host, sizeof(host));
	len = s->sources ? strlen(s->sources) : 0;
	size = len + strlen(host) + sizeof(",/128");
	str = realloc(s->sources, size);
	if (!str)
		return MNL_CB_ERROR;
	snprintf(str + len, size - len, "%s%s/%d", len ? "," : "", host,
		 prefix);
	s->sources = str;
	return MNL_CB_OK;
}

static int svc_attr_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_SVC_POLICY:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->policy = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_SOURCES:
		return mnl_attr_parse_nested(attr, src_cb, s);
	case SVCNET_A_SVC_ADDR:
		addr_from(&s->addr, mnl_attr_get_payload(attr),
			  mnl_attr_get_payload_len(attr));
		break;
	case SVCNET_A_SVC_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			s->port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_SVC_PROTO:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->proto = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_SCHED:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->sched = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_MAGLEV_SIZE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->maglev_size = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_SVC_AFFINITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->affinity = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_SVC_AFFINITY_PREFIX:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->affinity_prefix = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_STATS:
		mnl_attr_parse_nested(attr, lbstats_cb, &s->st);
		break;
	case SVCNET_A_SVC_TLS_STATS:
		tls_stats_parse(attr, &s->tls);
		break;
	case SVCNET_A_SVC_TLS_OFFLOAD:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->tls_off = !mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_BACKENDS:
		return mnl_attr_parse_nested(attr, backends_cb, s);
	}
	return MNL_CB_OK;
}

static int msg_attr_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->ifindex = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(s->ifname, sizeof(s->ifname), "%s",
				 mnl_attr_get_str(attr));
		break;
	case SVCNET_A_SERVICE:
		return mnl_attr_parse_nested(attr, svc_attr_cb, s);
	}
	return MNL_CB_OK;
}

static bool same_service(const struct svc_info *a, const struct svc_info *b)
{
	return a->ifindex == b->ifindex && a->proto == b->proto &&
	       a->port == b->port && a->addr.family == b->addr.family &&
	       !memcmp(a->addr.raw, b->addr.raw, 16);
}

/* What a parsed service holds on the heap. */
static void svc_info_free(struct svc_info *s)
{
	free(s->be);
	free(s->sources);
}

/* A service continued from the previous message is merged into it. */
static int svc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct svc_list *l = data;
	struct svc_info s = { 0 }, *last, *n;
	struct be_info *b;
	int ret;

	ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr), msg_attr_cb, &s);
	if (ret < 0) {
		svc_info_free(&s);
		return ret;
	}
	last = l->n ? &l->svcs[l->n - 1] : NULL;
	if (last && same_service(last, &s)) {
		b = realloc(last->be, (last->n_be + s.n_be) * sizeof(*b));
		if (!b && s.n_be) {
			svc_info_free(&s);
			return MNL_CB_ERROR;
		}
		if (s.n_be)
			memcpy(b + last->n_be, s.be, s.n_be * sizeof(*b));
		last->be = b;
		last->n_be += s.n_be;
		last->be_cap = last->n_be;
		last->st = s.st;
		svc_info_free(&s);
		return MNL_CB_OK;
	}
	n = array_reserve(l->svcs, l->n, &l->cap, sizeof(*n), 16);
	if (!n) {
		svc_info_free(&s);
		return MNL_CB_ERROR;
	}
	l->svcs = n;
	l->svcs[l->n++] = s;
	return MNL_CB_OK;
}

void svc_list_free(struct svc_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		svc_info_free(&l->svcs[i]);
	free(l->svcs);
	l->svcs = NULL;
	l->n = 0;
	l->cap = 0;
}

/* Dump the services of @dev (every device if NULL). */
int svc_dump(struct ipc *ipc, const char *dev, struct svc_list *l)
{
	struct nlmsghdr *nlh;

	nlh = ipc_msg(ipc, SVCNET_CMD_SERVICE_GET, NLM_F_DUMP);
	if (dev)
		mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, dev);
	return ipc_run(ipc, nlh, svc_cb, l);
}

/* --- printing --- */

static void json_lbstats(struct json *j, const struct lbstats *st)
{
	json_open_object(j, "stats");
	json_u64(j, "connections", st->v[SVCNET_A_LB_STATS_CONNS]);
	json_u64(j, "active", st->v[SVCNET_A_LB_STATS_ACTIVE]);
	json_u64(j, "packets_in", st->v[SVCNET_A_LB_STATS_PKTS_IN]);
	json_u64(j, "bytes_in", st->v[SVCNET_A_LB_STATS_BYTES_IN]);
	json_u64(j, "packets_out", st->v[SVCNET_A_LB_STATS_PKTS_OUT]);
	json_u64(j, "bytes_out", st->v[SVCNET_A_LB_STATS_BYTES_OUT]);
	json_close_object(j);
}

static void print_json(const struct svc_list *l)
{
	char host[64];
	struct json j;
	size_t i, k;

	json_init(&j, stdout);
	json_open_array(&j, NULL);
	for (i = 0; i < l->n; i++) {
		const struct svc_info *s = &l->svcs[i];

		json_open_object(&j, NULL);
		json_string(&j, "ifname", s->ifname);
		json_string(&j, "protocol", proto_name(s->proto));
		inet_ntop(s->addr.family, s->addr.raw, host, sizeof(host));
		json_string(&j, "address", host);
		json_u64(&j, "port", s->port);
		json_string(&j, "scheduler", sched_name(s->sched));
		if (s->sched == SVCNET_SCHED_MAGLEV || s->sched == SVCNET_SCHED_SH)
			json_u64(&j, "maglev_size", s->maglev_size);
		json_string(&j, "policy",
			    s->policy == SVCNET_POLICY_LOCAL ? "local" : "cluster");
		if (s->sources)
			json_string(&j, "sources", s->sources);
		if (s->affinity) {
			json_open_object(&j, "affinity");
			json_u64(&j, "timeout", s->affinity);
			json_u64(&j, "mask", s->affinity_prefix);
			json_close_object(&j);
		}
		if (s->tls_off)
			json_string(&j, "tls_offload", "off");
		if (opts.stats) {
			json_lbstats(&j, &s->st);
			tls_stats_json(&j, &s->tls);
		}
		json_open_array(&j, "backends");
		for (k = 0; k < s->n_be; k++) {
			const struct be_info *b = &s->be[k];

			json_open_object(&j, NULL);
			inet_ntop(b->addr.family, b->addr.raw, host,
				  sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", b->port);
			json_u64(&j, "weight", b->weight);
			if (b->local)
				json_u64(&j, "local", 1);
			if (b->draining)
				json_u64(&j, "drain", b->drain_left);
			if (opts.stats)
				json_lbstats(&j, &b->st);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
}

static void print_lbstats(const char *indent, const struct lbstats *st)
{
	printf("%sconnections %llu active %llu\n", indent,
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_CONNS],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_ACTIVE]);
	printf("%sin: %llu packets %llu bytes  out: %llu packets %llu bytes\n",
	       indent,
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_PKTS_IN],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_BYTES_IN],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_PKTS_OUT],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_BYTES_OUT]);
}

static void print_text(const struct svc_list *l)
{
	char ep[80];
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		const struct svc_info *s = &l->svcs[i];

		printf("%s %s %s sched %s", s->ifname, proto_name(s->proto),
		       format_endpoint(&s->addr, s->port, ep, sizeof(ep)),
		       sched_name(s->sched));
		if (s->sched == SVCNET_SCHED_MAGLEV || s->sched == SVCNET_SCHED_SH)
			printf(" maglev-size %u", s->maglev_size);
		if (s->affinity)
			printf(" affinity client-ip timeout %u mask %u",
			       s->affinity, s->affinity_prefix);
		if (s->policy == SVCNET_POLICY_LOCAL)
			printf(" policy local");
		if (s->sources)
			printf(" sources %s", s->sources);
		if (s->tls_off)
			printf(" tls-offload off");
		printf("\n");
		if (opts.stats) {
			print_lbstats("    ", &s->st);
			tls_stats_text("    ", &s->tls);
		}
		for (k = 0; k < s->n_be; k++) {
			const struct be_info *b = &s->be[k];

			printf("  -> %s weight %u",
			       format_endpoint(&b->addr, b->port, ep, sizeof(ep)),
			       b->weight);
			if (b->local)
				printf(" local");
			if (b->draining)
				printf(" draining %us left", b->drain_left);
			printf("\n");
			if (opts.stats)
				print_lbstats("       ", &b->st);
		}
	}
}

/* --- service --- */

static void service_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s service add SERVICE [OPTIONS] [no-route]\n"
		"       %s service set SERVICE [OPTIONS] [backends LIST] [generation N]\n"
		"       %s service del SERVICE\n"
		"       %s [-j] [-s] service show [[dev] DEV]\n"
		"\n"
		"SERVICE := [dev] DEV PROTO ADDR:PORT   (PROTO tcp|udp; IPv6 as [ADDR]:PORT)\n"
		"OPTIONS := [sched NAME] [maglev-size N] [AFFINITY]\n"
		"NAME := rr | wrr | lc | random | maglev | sh   (default rr)\n"
		"N := a prime between 251 and 131071 (default 65537)\n"
		"  [policy cluster|local] [sources any|PREFIX[,PREFIX...]]\n"
		"  [tls-offload on|off]   (kTLS sockets to it may offload to DEV; default on)\n"
		"AFFINITY := affinity client-ip timeout SECONDS [mask PREFIX] | affinity none\n"
		"  a client's new connections go to the backend of its previous one\n"
		"  when that was less than SECONDS ago (clients compared on PREFIX bits)\n"
		"LIST := none | ADDR:PORT[=WEIGHT][,ADDR:PORT[=WEIGHT]...]\n"
		"  replaces the whole backend set at once; backends that stay keep their\n"
		"  connections, the others are removed with theirs\n"
		"generation N: change nothing unless the configuration is at generation N\n"
		"\n"
		"'add' also adds a host route for ADDR into DEV (protocol %d) unless a\n"
		"route into DEV covers it already, or 'no-route' is given; 'del' removes\n"
		"that route with the last service on ADDR.\n",
		prog, prog, prog, prog, SVCNET_RTPROT);
}

static int service_show(int argc, char **argv)
{
	struct svc_list l = { 0 };
	const char *dev;
	struct ipc ipc;
	int ret;

	ret = parse_dev_arg("service", argc, argv, &dev);
	if (ret)
		return ret;
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	ret = svc_dump(&ipc, dev, &l);
	ipc_close(&ipc);
	if (!ret) {
		if (opts.json)
			print_json(&l);
		else
			print_text(&l);
	}
	svc_list_free(&l);
	return ret;
}

/* Does another service of @dev use @a? */
static bool address_in_use(struct ipc *ipc, const struct svc_arg *svc)
{
	struct svc_list l = { 0 };
	bool used = false;
	size_t i;

	if (svc_dump(ipc, svc->dev, &l))
		return true;
	for (i = 0; i < l.n; i++)
		if (l.svcs[i].addr.family == svc->addr.family &&
		    !memcmp(l.svcs[i].addr.raw, svc->addr.raw, 16))
			used = true;
	svc_list_free(&l);
	return used;
}

/* "any", or PREFIX[,PREFIX...] with PREFIX := ADDR[/LEN] */
static int parse_sources(const char *arg, const struct svc_arg *svc,
			 struct svc_opts *o)
{
	int max = svc->addr.family == AF_INET ? 32 : 128;
	char buf[4096], *tok, *save = NULL, *slash;
	uint32_t len;

	o->n_sources = 0;
	if (!strcmp(arg, "any"))
		return 0;
	if (strlen(arg) >= sizeof(buf))
		return -1;
	if (!o->src) {
		o->src = calloc(SVCNET_MAX_SOURCES, sizeof(*o->src));
		if (!o->src)
			return -1;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct svc_source *p = &o->src[o->n_sources];

		if (o->n_sources == SVCNET_MAX_SOURCES)
			return -1;
		slash = strchr(tok, '/');
		if (slash)
			*slash = '\0';
		memset(p, 0, sizeof(*p));
		p->addr.family = svc->addr.family;
		if (inet_pton(p->addr.family, tok, p->addr.raw) != 1)
			return -1;
		len = max;
		if (slash && !parse_u32(slash + 1, max, &len))
			return -1;
		p->prefix = len;
		o->n_sources++;
	}
	return o->n_sources ? 0 : -1;
}

void svc_opts_free(struct svc_opts *o)
{
	free(o->src);
	o->src = NULL;
}

/*
 * One option of a service at argv[*i] (sched, maglev-size, affinity,
 * policy, sources), advancing *i past it: 1 if it was one, 0 if argv[*i]
 * is something else, -1 with a message in *err if it is wrong.
 */
int parse_svc_opt(int argc, char **argv, int *i, const struct svc_arg *svc,
		  struct svc_opts *o, const char **err)
{
	static char msg[256];
	const char *a = argv[*i];
	int k = *i;
	uint32_t v;

#define OPT_ERR(...) do {						\
		snprintf(msg, sizeof(msg), __VA_ARGS__);		\
		*err = msg;						\
		return -1;						\
	} while (0)
	if (!strcmp(a, "sched") && k + 1 < argc) {
		if (!parse_sched(argv[++k], &o->sched))
			OPT_ERR("unknown scheduler '%s' (rr, wrr, lc, random, maglev, sh)",
				argv[k]);
	} else if (!strcmp(a, "maglev-size") && k + 1 < argc) {
		if (!parse_u32(argv[++k], 0xffffffff, &o->maglev_size) ||
		    !o->maglev_size)
			OPT_ERR("'%s' is not a table size", argv[k]);
	} else if (!strcmp(a, "affinity") && k + 1 < argc &&
		   !strcmp(argv[k + 1], "none")) {
		o->affinity = 0;
		k++;
	} else if (!strcmp(a, "affinity") && k + 3 < argc &&
		   !strcmp(argv[k + 1], "client-ip") &&
		   !strcmp(argv[k + 2], "timeout")) {
		k += 3;
		if (!parse_u32(argv[k], SVCNET_TIMEOUT_MAX, &v) || !v)
			OPT_ERR("'%s' is not an affinity timeout (1-%u seconds)",
				argv[k], SVCNET_TIMEOUT_MAX);
		o->affinity = v;
		if (k + 2 < argc && !strcmp(argv[k + 1], "mask")) {
			k += 2;
			if (!parse_u32(argv[k], 128, &v))
				OPT_ERR("'%s' is not a prefix length", argv[k]);
			o->prefix = v;
		}
	} else if (!strcmp(a, "policy") && k + 1 < argc) {
		k++;
		if (!strcmp(argv[k], "local"))
			o->policy = SVCNET_POLICY_LOCAL;
		else if (!strcmp(argv[k], "cluster"))
			o->policy = SVCNET_POLICY_CLUSTER;
		else
			OPT_ERR("'%s' is not a policy (cluster or local)", argv[k]);
	} else if (!strcmp(a, "tls-offload") && k + 1 < argc) {
		k++;
		if (strcmp(argv[k], "on") && strcmp(argv[k], "off"))
			OPT_ERR("'tls-offload' takes on or off, not '%s'", argv[k]);
		o->tls_offload = !strcmp(argv[k], "on");
	} else if (!strcmp(a, "sources") && k + 1 < argc) {
		if (parse_sources(argv[++k], svc, o))
			OPT_ERR("'%s' is not 'any' or a list of up to %d prefixes of the service's family",
				argv[k], SVCNET_MAX_SOURCES);
	} else {
		return 0;
	}
#undef OPT_ERR
	*i = k + 1;
	return 1;
}

static int service_modify_opts(const char *what, int argc, char **argv,
			       struct svc_opts *o)
{
	bool add = !strcmp(what, "add");
	bool del = !strcmp(what, "del");
	bool no_route = false, added, has_gen = false;
	struct be_opts *bes = NULL;
	const char *be_list = NULL;
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	struct svc_arg svc;
	const char *err;
	size_t n_bes = 0;
	uint32_t gen = 0;
	struct ipc ipc;
	unsigned int ifindex;
	int i = 0, ret;

	ret = parse_service("service", argc, argv, &i, &svc);
	if (ret)
		return ret;
	while (i < argc) {
		if (!del) {
			ret = parse_svc_opt(argc, argv, &i, &svc, o, &err);
			if (ret < 0)
				return usage_error("service", "%s", err);
			if (ret)
				continue;
		}
		if (add && !strcmp(argv[i], "no-route")) {
			no_route = true;
		} else if (!add && !del && !strcmp(argv[i], "backends") &&
			   i + 1 < argc) {
			be_list = argv[++i];
		} else if (!del && !strcmp(argv[i], "generation") &&
			   i + 1 < argc) {
			if (!parse_u32(argv[++i], UINT32_MAX, &gen))
				return usage_error("service",
						   "'%s' is not a generation number",
						   argv[i]);
			has_gen = true;
		} else {
			return usage_error("service", "unexpected argument '%s'",
					   argv[i]);
		}
		i++;
	}
	if (be_list && parse_be_list(be_list, &svc, &bes, &n_bes))
		return usage_error("service",
				   "'%s' is not 'none' or ADDR:PORT[=WEIGHT][,...] of the service's family",
				   be_list);
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, add ? SVCNET_CMD_SERVICE_NEW :
			    del ? SVCNET_CMD_SERVICE_DEL : SVCNET_CMD_SERVICE_SET,
		      0);
	mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, svc.dev);
	if (has_gen)
		mnl_attr_put_u32(nlh, SVCNET_A_GENERATION, gen);
	nest = put_svc_nest_start(nlh, &svc, o);
	if (be_list)
		put_backends(nlh, &svc, bes, n_bes);
	mnl_attr_nest_end(nlh, nest);
	free(bes);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	if (ret)
		goto out;
	ifindex = if_nametoindex(svc.dev);
	if (add && !no_route) {
		ret = route_ensure(&svc.addr, ifindex, &added);
		if (ret) {
			/* leave nothing half done */
			nlh = ipc_msg(&ipc, SVCNET_CMD_SERVICE_DEL, 0);
			put_service(nlh, &svc);
			ipc_run(&ipc, nlh, NULL, NULL);
		}
	} else if (del && ifindex && !address_in_use(&ipc, &svc)) {
		ret = route_release(&svc.addr, ifindex);
	}
out:
	ipc_close(&ipc);
	return ret;
}

static int service_modify(const char *what, int argc, char **argv)
{
	struct svc_opts o = { .affinity = -1, .prefix = -1, .n_sources = -1,
			      .tls_offload = -1 };
	int ret = service_modify_opts(what, argc, argv, &o);

	svc_opts_free(&o);
	return ret;
}

int cmd_service(int argc, char **argv)
{
	if (!argc)
		return service_show(0, NULL);
	if (is_help(argv[0])) {
		service_usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1 && is_help(argv[1])) {
		service_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return service_show(argc - 1, argv + 1);
	if (!strcmp(argv[0], "add") || !strcmp(argv[0], "set") ||
	    !strcmp(argv[0], "del"))
		return service_modify(argv[0], argc - 1, argv + 1);
	return usage_error("service", "unknown service command '%s'", argv[0]);
}

/* --- backend --- */

static void backend_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s backend add SERVICE ADDR:PORT [weight W]\n"
		"       %s backend set SERVICE ADDR:PORT { weight W | drain SECONDS | local on|off }\n"
		"       %s backend del SERVICE ADDR:PORT\n"
		"\n"
		"SERVICE := [dev] DEV PROTO ADDR:PORT; W := 0..65535 (default 1).\n"
		"A backend of weight 0 gets no new connections. 'drain' stops new\n"
		"connections and removes the backend when its last connection ends or\n"
		"SECONDS pass; setting a weight ends a drain. Removing a backend ends\n"
		"its connections: TCP clients get a reset, UDP flows move on.\n",
		prog, prog, prog);
}

int cmd_backend(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct svc_arg svc;
	struct nlattr *nest;
	struct addr baddr;
	uint16_t bport;
	uint32_t weight = 1, drain = 0;
	bool weight_set = false;
	int local = -1;
	const char *what;
	struct ipc ipc;
	int i = 1, ret;
	uint8_t cmd;

	if (!argc || is_help(argv[0]) || (argc > 1 && is_help(argv[1]))) {
		backend_usage(argc ? stdout : stderr);
		return argc ? EXIT_OK : EXIT_USAGE;
	}
	what = argv[0];
	if (!strcmp(what, "add"))
		cmd = SVCNET_CMD_BACKEND_NEW;
	else if (!strcmp(what, "set"))
		cmd = SVCNET_CMD_BACKEND_SET;
	else if (!strcmp(what, "del"))
		cmd = SVCNET_CMD_BACKEND_DEL;
	else
		return usage_error("backend", "unknown backend command '%s'", what);
	ret = parse_service("backend", argc, argv, &i, &svc);
	if (ret)
		return ret;
	if (i == argc)
		return usage_error("backend", "missing the backend's ADDR:PORT");
	if (!parse_endpoint(argv[i], &baddr, &bport))
		return usage_error("backend",
				   "'%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT, port 1-65535)",
				   argv[i]);
	if (baddr.family != svc.addr.family)
		return usage_error("backend",
				   "the backend's address family differs from the service's");
	for (i++; i < argc; i++) {
		if (cmd != SVCNET_CMD_BACKEND_DEL && !strcmp(argv[i], "weight") &&
		    i + 1 < argc) {
			if (!parse_u32(argv[++i], 65535, &weight))
				return usage_error("backend",
						   "'%s' is not a weight (0-65535)",
						   argv[i]);
			weight_set = true;
		} else if (cmd == SVCNET_CMD_BACKEND_NEW &&
			   !strcmp(argv[i], "local")) {
			local = 1;
		} else if (cmd == SVCNET_CMD_BACKEND_SET &&
			   !strcmp(argv[i], "local") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "on") && strcmp(argv[i], "off"))
				return usage_error("backend", "'local' takes on or off");
			local = !strcmp(argv[i], "on");
		} else if (cmd == SVCNET_CMD_BACKEND_SET &&
			   !strcmp(argv[i], "drain") && i + 1 < argc) {
			if (!parse_u32(argv[++i], SVCNET_TIMEOUT_MAX, &drain) ||
			    !drain)
				return usage_error("backend",
						   "'%s' is not a drain deadline (1-%u seconds)",
						   argv[i], SVCNET_TIMEOUT_MAX);
		} else {
			return usage_error("backend", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (cmd == SVCNET_CMD_BACKEND_SET &&
	    (weight_set + !!drain + (local >= 0)) != 1)
		return usage_error("backend",
				   "'set' needs one of 'weight W', 'drain SECONDS' or 'local on|off'");
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, cmd, 0);
	put_service(nlh, &svc);
	nest = mnl_attr_nest_start(nlh, SVCNET_A_BACKEND);
	mnl_attr_put(nlh, SVCNET_A_BE_ADDR, addr_len(&baddr), baddr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_BE_PORT, bport);
	if (drain)
		mnl_attr_put_u32(nlh, SVCNET_A_BE_DRAIN, drain);
	else if (local >= 0 && cmd == SVCNET_CMD_BACKEND_SET)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, local);
	else if (cmd != SVCNET_CMD_BACKEND_DEL)
		mnl_attr_put_u16(nlh, SVCNET_A_BE_WEIGHT, weight);
	if (local > 0 && cmd == SVCNET_CMD_BACKEND_NEW)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, 1);
	mnl_attr_nest_end(nlh, nest);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	return ret;
}

/* --- monitor --- */

struct event {
	struct svc_info s;
	struct be_info b;
	bool has_svc;
	bool has_be;
	bool has_purged;
	uint32_t purged;
};

static int event_attr_cb(const struct nlattr *attr, void *data)
{
	struct event *ev = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_BACKEND:
		ev->has_be = true;
		return mnl_attr_parse_nested(attr, be_attr_cb, &ev->b);
	case SVCNET_A_PURGED:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			ev->has_purged = true;
			ev->purged = mnl_attr_get_u32(attr);
		}
		return MNL_CB_OK;
	case SVCNET_A_SERVICE:
		ev->has_svc = true;
		break;
	}
	return msg_attr_cb(attr, &ev->s);
}

static const char *event_name(uint8_t cmd, const struct event *ev)
{
	switch (cmd) {
	case SVCNET_CMD_SERVICE_NEW: return "service add";
	case SVCNET_CMD_SERVICE_SET: return "service set";
	case SVCNET_CMD_SERVICE_DEL: return "service del";
	case SVCNET_CMD_BACKEND_NEW: return "backend add";
	case SVCNET_CMD_BACKEND_SET:
		return ev->b.draining ? "backend drain" : "backend set";
	case SVCNET_CMD_BACKEND_DEL: return "backend del";
	case SVCNET_CMD_FLOW_FLUSH: return "flow flush";
	}
	return NULL;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct event ev = { 0 };
	const char *name;
	char ep[80], host[64];
	struct json j;

	if (mnl_attr_parse(nlh, sizeof(*g), event_attr_cb, &ev) < 0)
		goto out;
	name = event_name(g->cmd, &ev);
	if (!name)
		goto out;
	if (opts.json) {
		json_init(&j, stdout);
		json_open_object(&j, NULL);
		json_string(&j, "event", name);
		if (ev.s.ifname[0])
			json_string(&j, "ifname", ev.s.ifname);
		if (ev.has_svc) {
			json_string(&j, "protocol", proto_name(ev.s.proto));
			inet_ntop(ev.s.addr.family, ev.s.addr.raw, host, sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", ev.s.port);
			json_string(&j, "scheduler", sched_name(ev.s.sched));
		}
		if (ev.has_be) {
			json_open_object(&j, "backend");
			inet_ntop(ev.b.addr.family, ev.b.addr.raw, host, sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", ev.b.port);
			json_u64(&j, "weight", ev.b.weight);
			if (ev.b.draining)
				json_u64(&j, "drain", ev.b.drain_left);
			json_close_object(&j);
		}
		if (ev.has_purged)
			json_u64(&j, "purged", ev.purged);
		json_close_object(&j);
	} else {
		printf("%s", name);
		if (ev.s.ifname[0])
			printf(" %s", ev.s.ifname);
		if (ev.has_svc)
			printf(" %s %s sched %s", proto_name(ev.s.proto),
			       format_endpoint(&ev.s.addr, ev.s.port, ep, sizeof(ep)),
			       sched_name(ev.s.sched));
		if (ev.has_be) {
			printf(" backend %s weight %u",
			       format_endpoint(&ev.b.addr, ev.b.port, ep, sizeof(ep)),
			       ev.b.weight);
			if (ev.b.draining)
				printf(" drain %us", ev.b.drain_left);
		}
		if (ev.has_purged)
			printf(" purged %u", ev.purged);
		printf("\n");
	}
	fflush(stdout);
out:
	svc_info_free(&ev.s);
	return MNL_CB_OK;
}

static void monitor_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-j] monitor\n"
		"\n"
		"Print configuration events of the network namespace as they happen,\n"
		"one per line (JSON objects with -j): service add|set|del, backend\n"
		"add|set|drain|del (a del at the end of a drain comes from the kernel),\n"
		"flow flush; deletions and flushes tell how many flows they purged.\n",
		prog);
}

int cmd_monitor(int argc, char **argv)
{
	struct ipc ipc;
	ssize_t len;
	int ret;

	if (argc && is_help(argv[0])) {
		monitor_usage(stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error("monitor", "unexpected argument '%s'", argv[0]);
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	if (!ipc.mcgrp_events) {
		fprintf(stderr, "svcnet: the kernel module has no events group\n");
		ipc_close(&ipc);
		return EXIT_KERNEL;
	}
	if (mnl_socket_setsockopt(ipc.nl, NETLINK_ADD_MEMBERSHIP,
				  &ipc.mcgrp_events,
				  sizeof(ipc.mcgrp_events)) < 0) {
		fprintf(stderr, "svcnet: cannot join the events group: %s\n",
			strerror(errno));
		ipc_close(&ipc);
		return EXIT_KERNEL;
	}
	for (;;) {
		len = mnl_socket_recvfrom(ipc.nl, ipc.buf, IPC_BUFSIZE);
		if (len < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr, "svcnet: events were lost (receive buffer full)\n");
				continue;
			}
			fprintf(stderr, "svcnet: %s\n", strerror(errno));
			break;
		}
		mnl_cb_run(ipc.buf, len, 0, 0, event_cb, NULL);
	}
	ipc_close(&ipc);
	return EXIT_KERNEL;
}
