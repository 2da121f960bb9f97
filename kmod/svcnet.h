/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: state shared by the module's files.
 */
#ifndef _SVCNET_H
#define _SVCNET_H

#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/sched/mm.h>
#include <linux/siphash.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/svcnet.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

/*
 * kTLS TX device offload: offered where the kernel has it, unless the
 * module is built without (SVCNET_NO_TLS_OFFLOAD, see Kbuild).
 */
#if IS_ENABLED(CONFIG_TLS_DEVICE) && !defined(SVCNET_NO_TLS_OFFLOAD)
#define SVCNET_TLS_OFFLOAD 1
#else
#define SVCNET_TLS_OFFLOAD 0
#endif

/* Per-CPU device counters, summed by svcnet_stats_read(). */
struct svcnet_pcpu_stats {
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t fragments;		/* taken into reassembly */
	u64_stats_t fast_path;		/* of tx_packets, by svcnet_fast_in() */
	u64_stats_t drops[__SVCNET_DROP_MAX];
	struct u64_stats_sync syncp;
};

/* A snapshot of the counters of one device, summed over all CPUs. */
struct svcnet_stats {
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_packets;
	u64 rx_bytes;
	u64 fragments;
	u64 fast_path;
	u64 drops[__SVCNET_DROP_MAX];
};

/* Per-CPU counters of a service or a backend. */
struct svcnet_pcpu_lbstats {
	u64_stats_t conns;
	u64_stats_t pkts_in;
	u64_stats_t bytes_in;
	u64_stats_t pkts_out;
	u64_stats_t bytes_out;
	struct u64_stats_sync syncp;
};

/*
 * A block of per-CPU counter slots: services and backends created together
 * (a transaction of thousands) share one per-CPU allocation, freed with
 * its last user. Slots are used once, never reused.
 */
struct svcnet_stats_block {
	refcount_t ref;			/* each user, and its pool */
	u32 used;
	u32 size;
	struct svcnet_pcpu_lbstats __percpu *base;
};

/* Where new slots come from: blocks of 1, 2, 4 ... SVCNET_STATS_BLOCK. */
struct svcnet_stats_pool {
	struct svcnet_stats_block *blk;
	u32 next_size;
};

#define SVCNET_STATS_BLOCK 64

struct svcnet_lbstats {
	u64 conns;
	u64 pkts_in;
	u64 bytes_in;
	u64 pkts_out;
	u64 bytes_out;
};

/* kTLS TX offload counters (tls.c), of a device or a service. */
struct svcnet_pcpu_tls_stats {
	u64_stats_t records;		/* TLS records encrypted */
	u64_stats_t bytes;		/* payload bytes encrypted */
	u64_stats_t drops;		/* packets dropped: encryption failed */
	struct u64_stats_sync syncp;
};

struct svcnet_tls_counters {
	atomic64_t added;		/* sockets that offloaded to the device */
	atomic64_t removed;		/* of them, those released */
	struct svcnet_pcpu_tls_stats __percpu *pcpu;
};

struct svcnet_tls_stats {
	u64 added;
	u64 removed;
	u64 records;
	u64 bytes;
	u64 drops;
};

/* The key of a device's flow hash, replaced whole. */
struct svcnet_hash_key {
	siphash_key_t key;
	struct rcu_head rcu;
};

/* The private part of an svcnet net_device. */
struct svcnet_dev {
	struct net_device *dev;
	/* in svcnet_net.devs; written under RTNL, read under RCU */
	struct list_head list;
	struct svcnet_pcpu_stats __percpu *stats;
	struct svcnet_tls_counters tls;
	/* services by key (RCU lookups), and in creation order (RTNL) */
	struct rhashtable services;
	struct list_head service_list;
	u32 n_services;
	/* enum svcnet_fast_path (SVCNET_A_FAST_PATH); RTNL writes */
	u8 fast_path;
	/*
	 * Maglev and sh: the key of their flow hash (SVCNET_A_HASH_KEY); a
	 * transaction replaces it, under RTNL, read under RCU
	 */
	struct svcnet_hash_key __rcu *hash_key;
	/* its creator's: charged with what the datapath allocates for it */
	struct mem_cgroup *memcg;
};

/*
 * What the datapath allocates for a device's traffic (flows, SNAT and
 * affinity entries, kept routes) is charged to the memory cgroup of the
 * device's creator, softirq included, and fails at that cgroup's limit
 * (GFP_ATOMIC would charge past it).
 */
#define SVCNET_GFP_PACKET (GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT)

static inline struct mem_cgroup *svcnet_charge_begin(struct svcnet_dev *sd)
{
	/* (the services of the KUnit fixtures have no device) */
	return set_active_memcg(sd ? sd->memcg : NULL);
}

static inline void svcnet_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

/* An address and port of either family; unused bytes are zero. */
struct svcnet_tuple {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 family;
	u8 proto;
	u16 zero;
};

struct svcnet_svc_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 family;
	u8 proto;
};

struct svcnet_service;

struct svcnet_route;

struct svcnet_backend {
	/* in svcnet_service.backends, under RTNL */
	struct list_head list;
	struct svcnet_service *svc;	/* holds a reference */
	union nf_inet_addr addr;
	__be16 port;
	u16 weight;
	bool removed;
	bool draining;			/* no new flows; removed at deadline */
	bool local;			/* runs on this node */
	unsigned long drain_deadline;	/* jiffies */
	struct list_head drain_list;	/* svcnet_net.draining, RTNL */
	u64 id;				/* address and port, hashed alike everywhere */
	/* flows in the table; SVCNET_ACTIVE_RETIRED once retired (reap.c) */
	atomic_t active;
	atomic_t open;			/* of them, not closing (FIN, RST) */
	refcount_t ref;			/* list membership and each flow */
	u32 purged;			/* flows removed with it, RTNL */
	struct svcnet_pcpu_lbstats __percpu *stats;
	struct svcnet_stats_block *stats_blk;
	u64 txn_id;			/* last transaction that kept it */
	struct svcnet_route __rcu *route;	/* to it, see route.c */
	struct svcnet_route __rcu *tunnel_route; /* in a tunnel to it */
	struct svcnet_route __rcu *source_route; /* its source: source NAT */
	struct rcu_head rcu;
};

#define SVCNET_ACTIVE_RETIRED	BIT(30)

/* how many flows in the table go to @be */
static inline unsigned int svcnet_backend_flows(const struct svcnet_backend *be)
{
	return atomic_read(&be->active) & ~SVCNET_ACTIVE_RETIRED;
}

/* The backends a scheduler picks from; replaced whole, under RCU. */
struct svcnet_bset {
	struct rcu_head rcu;
	u8 sched;			/* enum svcnet_sched */
	u32 n;
	u32 stride;			/* wrr: coprime with total */
	u64 total;			/* sum of weights */
	struct svcnet_maglev *ml;	/* maglev and sh */
	u64 *cum;			/* cumulative weights */
	struct svcnet_backend *be[];
};

/* The client prefixes a service accepts new flows from. */
struct svcnet_sources {
	struct rcu_head rcu;
	u32 n;
	struct {
		union nf_inet_addr addr;
		union nf_inet_addr mask;
		u8 prefix;
	} p[];
};

struct svcnet_service {
	struct rhash_head node;
	struct list_head list;		/* svcnet_dev.service_list, RTNL */
	struct svcnet_svc_key key;
	struct svcnet_dev *sd;
	u8 sched;
	bool dead;			/* set before its backends retire */
	u8 affinity_prefix;		/* client address bits that count */
	u8 policy;			/* enum svcnet_policy */
	bool tls_offload;		/* kTLS sockets may offload to us */
	u8 forward;			/* enum svcnet_forward */
	struct svcnet_sources __rcu *sources;	/* NULL: every client */
	u32 affinity_timeout;		/* seconds; 0: no affinity */
	u32 maglev_size;
	struct svcnet_bset __rcu *bset;
	/* the route that sends its packets into sd, see route.c */
	struct svcnet_route __rcu *entry;
	struct list_head backends;	/* RTNL */
	u32 n_backends;
	atomic64_t counter;		/* rr, wrr, lc tie breaks */
	atomic_t active;
	refcount_t ref;			/* membership and each backend */
	struct svcnet_pcpu_lbstats __percpu *stats;
	struct svcnet_stats_block *stats_blk;
	u64 txn_id;			/* last transaction naming it, RTNL */
	struct svcnet_tls_counters tls;
	struct rcu_head rcu;
};

/*
 * Transactions (apply.c): the wanted state of some services of a device,
 * applied whole or not at all.
 */
struct svcnet_be_spec {
	union nf_inet_addr addr;
	__be16 port;
	u16 weight;
	bool local;
	u32 drain;			/* seconds; 0: not draining */
	bool drain_restart;		/* a drain's deadline starts anew */
	struct svcnet_backend *be;	/* prepared: existing or new */
	bool is_new;
	bool changed;			/* committed: an event is due */
};

struct svcnet_svc_spec {
	struct svcnet_svc_key key;
	const struct nlattr *attr;	/* where it came from, for extack */
	u8 sched;
	u8 policy;
	u8 affinity_prefix;
	bool tls_offload;
	u8 forward;
	bool set_sources;		/* else the sources are kept */
	bool set_backends;		/* else the backends are kept */
	u32 maglev_size;
	u32 affinity_timeout;
	struct svcnet_sources *sources;	/* NULL: every client; owned */
	u32 n_be;
	struct svcnet_be_spec *be;	/* a slice of svcnet_txn.be */
	/* prepared */
	struct svcnet_service *svc;
	struct svcnet_bset *bset;	/* NULL: the set does not change */
	bool is_new;
};

enum svcnet_txn_mode {
	SVCNET_TXN_NEW,			/* services must not exist */
	SVCNET_TXN_SET,			/* services must exist */
	SVCNET_TXN_APPLY,		/* either; services not named go */
};

struct svcnet_txn {
	struct svcnet_dev *sd;
	enum svcnet_txn_mode mode;
	u64 id;
	u32 n_svc, max_svc;		/* used and allocated */
	struct svcnet_svc_spec *svc;
	u32 n_be, max_be;		/* used and allocated */
	struct svcnet_be_spec *be;
	struct svcnet_stats_pool pool;	/* counters of new objects */
	struct svcnet_hash_key *hash_key;	/* a new key for the device; owned */
	bool changed;			/* committed: the generation moved on */
};

#include "flow.h"

struct svcnet_config {
	u32 flow_max;
	/* source NAT ports: the lowest | the highest << 16, read at once */
	u32 snat_ports;
	u32 timeout[__SVCNET_FLOW_STATE_MAX];	/* seconds, by state */
};

/* Per network namespace state. */
struct svcnet_net {
	struct net *net;
	/* svcnet devices of the namespace, in creation order */
	struct list_head devs;
	/* changes with every configuration change; written under RTNL */
	u32 gen;
	struct svcnet_config cfg;	/* RTNL writes, READ_ONCE reads */
	/* the flow table, and its source NATed flows by their own tuple */
	struct rhltable flows;
	struct rhashtable flows_snat;
	atomic_t flow_count;
	/* of them, flows of retired backends, reaped by flow_gc */
	atomic_t retired;
	bool reap;			/* flow_gc: reap them on its next run */
	struct svcnet_young young[SVCNET_YOUNG_LISTS];
	atomic64_t flows_evicted;
	struct delayed_work flow_gc;
	/* where the collection of expired flows stands; flow_gc only */
	struct rhashtable_iter gc_iter;
	bool gc_walking;
	/* the affinity collector's walk, likewise */
	struct rhashtable_iter aff_gc_iter;
	bool aff_gc_walking;
	/* session affinity entries */
	struct rhashtable affinity;
	atomic_t affinity_count;
	/* draining backends, and the work that removes them; RTNL */
	struct list_head draining;
	struct delayed_work drain_work;
	u32 hook_users;			/* devices using the reverse-NAT hooks */
	/* devices whose fast path is direct or notrack; RTNL writes */
	u32 fast_direct;
	/* of them, those in notrack mode (SVCNET_FAST_PATH_NOTRACK) */
	u32 fast_notrack;
	atomic_t kept_routes;		/* struct svcnet_route, see route.c */
	/*
	 * A backend was found at one of this host's addresses: its replies
	 * leave by LOCAL_OUT, which then looks TCP and UDP up too. Cleared
	 * with the hooks.
	 */
	bool local_backends;
};

extern unsigned int svcnet_net_id;

static inline struct svcnet_net *svcnet_pernet(const struct net *net)
{
	return net_generic(net, svcnet_net_id);
}

static inline void svcnet_net_changed(struct svcnet_net *sn)
{
	ASSERT_RTNL();
	WRITE_ONCE(sn->gen, sn->gen + 1);
}

/* device.c */
int svcnet_device_init(void);
void svcnet_device_uninit(void);
void svcnet_dev_fast_path_set(struct svcnet_dev *sd, u8 mode);
extern struct rtnl_link_ops svcnet_link_ops;

static inline bool svcnet_is_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &svcnet_link_ops;
}

/* stats.c */
void svcnet_stats_read(struct svcnet_pcpu_stats __percpu *pcpu,
		       struct svcnet_stats *out);
void svcnet_stats_drop(struct svcnet_dev *sd, enum svcnet_drop_reason reason);
void svcnet_stats_fragment(struct svcnet_dev *sd);
void svcnet_stats_tx(struct svcnet_dev *sd, unsigned int len);
void svcnet_stats_tx_fast(struct svcnet_dev *sd, unsigned int len);
void svcnet_stats_rx(struct svcnet_dev *sd, unsigned int len);
void svcnet_lbstats_conn(struct svcnet_pcpu_lbstats __percpu *pcpu);
void svcnet_lbstats_add(struct svcnet_pcpu_lbstats __percpu *pcpu, bool in,
			unsigned int len);
void svcnet_lbstats_read(struct svcnet_pcpu_lbstats __percpu *pcpu,
			 struct svcnet_lbstats *out);
struct svcnet_pcpu_lbstats __percpu *
svcnet_lbstats_alloc(struct svcnet_stats_pool *pool,
		     struct svcnet_stats_block **blk);
void svcnet_stats_pool_release(struct svcnet_stats_pool *pool);
void svcnet_stats_block_put(struct svcnet_stats_block *blk);
int svcnet_tls_counters_init(struct svcnet_tls_counters *c);
void svcnet_tls_counters_free(struct svcnet_tls_counters *c);
void svcnet_tls_stats_read(struct svcnet_tls_counters *c,
			   struct svcnet_tls_stats *out);
/* offload only: counting, and a service's counters made on first use */
void svcnet_tls_count(struct svcnet_pcpu_tls_stats __percpu *pcpu,
		      u32 records, u32 bytes, bool drop);
int svcnet_tls_counters_use(struct svcnet_tls_counters *c);

/* service.c */
/* services, backends and flows not yet freed, counted per CPU */
DECLARE_PER_CPU(long, svcnet_objects);

static inline void svcnet_objects_inc(void)
{
	this_cpu_inc(svcnet_objects);
}

static inline void svcnet_objects_dec(void)
{
	this_cpu_dec(svcnet_objects);
}

int svcnet_service_init(void);
void svcnet_service_uninit(void);
int svcnet_services_init(struct svcnet_dev *sd);
void svcnet_services_destroy(struct svcnet_dev *sd);
struct svcnet_service *svcnet_service_lookup(struct svcnet_dev *sd,
					     const struct svcnet_svc_key *key);
struct svcnet_service *svcnet_service_lookup_rtnl(struct svcnet_dev *sd,
						  const struct svcnet_svc_key *key);
struct svcnet_service *svcnet_service_alloc(struct svcnet_dev *sd,
					    const struct svcnet_svc_key *key,
					    struct svcnet_stats_pool *pool);
int svcnet_service_insert(struct svcnet_service *svc);
void svcnet_service_uninsert(struct svcnet_service *svc);
void svcnet_service_link(struct svcnet_service *svc);
void svcnet_service_put(struct svcnet_service *svc);
struct svcnet_backend *svcnet_backend_alloc(struct svcnet_service *svc,
					    const union nf_inet_addr *addr,
					    __be16 port,
					    struct svcnet_stats_pool *pool);
bool svcnet_sources_equal(const struct svcnet_sources *a,
			  const struct svcnet_sources *b);
void svcnet_service_set_sources(struct svcnet_service *svc,
				struct svcnet_sources *sources);
bool svcnet_sources_match(const struct svcnet_sources *s, u8 family,
			  const union nf_inet_addr *addr);
void svcnet_service_unlink(struct svcnet_service *svc);
void svcnet_service_release(struct svcnet_service *svc);
void svcnet_backend_put(struct svcnet_backend *be);
struct svcnet_backend *svcnet_backend_find(struct svcnet_service *svc,
					   const union nf_inet_addr *addr,
					   __be16 port);
void svcnet_wait_objects(void);

/* drain.c */
/* The seconds left of a backend's drain, rounded up; 0 once it is over. */
static inline u32 svcnet_drain_left(const struct svcnet_backend *be)
{
	long left = (long)(READ_ONCE(be->drain_deadline) - jiffies);

	return left > 0 ? DIV_ROUND_UP(left, HZ) : 0;
}

/* Whether a draining backend is done: no open flow, or its time is up. */
static inline bool svcnet_drain_over(const struct svcnet_backend *be)
{
	return be->draining && (!atomic_read(&be->open) ||
				time_after_eq(jiffies, be->drain_deadline));
}

void svcnet_drain_net_init(struct svcnet_net *sn);
void svcnet_drain_net_exit(struct svcnet_net *sn);

/* apply.c */
int svcnet_txn_prepare(struct svcnet_txn *txn, struct netlink_ext_ack *extack);
void svcnet_txn_commit(struct svcnet_txn *txn);
void svcnet_txn_free(struct svcnet_txn *txn);
int svcnet_txn_rekey(struct svcnet_dev *sd, struct svcnet_hash_key *key,
		     struct netlink_ext_ack *extack);

/* One backend's change (BACKEND_NEW, _SET, _DEL, a drain's end). */
enum svcnet_be_op {
	SVCNET_BE_ADD,
	SVCNET_BE_SET,
	SVCNET_BE_DEL,
};

#define SVCNET_BE_CHG_WEIGHT	BIT(0)	/* and the end of a drain */
#define SVCNET_BE_CHG_LOCAL	BIT(1)
#define SVCNET_BE_CHG_DRAIN	BIT(2)	/* a drain of @drain seconds, anew */

struct svcnet_be_change {
	enum svcnet_be_op op;
	union nf_inet_addr addr;
	__be16 port;
	u8 set;				/* SVCNET_BE_CHG_*, for SVCNET_BE_SET */
	u16 weight;
	bool local;
	u32 drain;
	/* the backend named, found by the caller; NULL for SVCNET_BE_ADD */
	struct svcnet_backend *be;
};

void svcnet_svc_spec_init(struct svcnet_svc_spec *s,
			  const struct svcnet_svc_key *key,
			  const struct svcnet_service *cur);
int svcnet_txn_backend(struct svcnet_service *svc,
		       const struct svcnet_be_change *chg,
		       struct netlink_ext_ack *extack);
int svcnet_txn_drain_end(struct svcnet_service *svc);
void svcnet_service_del(struct svcnet_service *svc);
void svcnet_services_flush(struct svcnet_dev *sd);

/* sched.c */
struct svcnet_backend *svcnet_schedule(struct svcnet_service *svc,
				       struct svcnet_bset *bs,
				       const struct svcnet_tuple *t);
bool svcnet_sched_valid(u8 sched, u32 maglev_size,
			struct netlink_ext_ack *extack);
bool svcnet_backend_eligible(u16 weight, bool draining, bool local, u8 policy);
struct svcnet_bset *svcnet_bset_alloc(u8 sched, u32 n);
void svcnet_bset_push(struct svcnet_bset *bs, struct svcnet_backend *be,
		      u16 weight);
int svcnet_bset_finish(struct svcnet_bset *bs, u32 maglev_size);
struct svcnet_bset *svcnet_bset_build(struct svcnet_service *svc, u8 sched,
				      u32 maglev_size, u8 policy);
struct svcnet_hash_key *svcnet_hash_key_new(const void *bytes, gfp_t gfp);
void svcnet_hash_key_put(struct svcnet_hash_key *hk, void *bytes);
void svcnet_bset_free(struct svcnet_bset *bs);
void svcnet_bset_publish(struct svcnet_service *svc, struct svcnet_bset *bs);

/* rht.c */
bool svcnet_rht_prune_some(struct rhashtable_iter *iter, unsigned int budget,
			   bool (*prune)(void *obj, void *arg), void *arg,
			   unsigned int *removed);
unsigned int svcnet_rht_prune(struct rhashtable *ht,
			      bool (*prune)(void *obj, void *arg), void *arg);

/* flow.c */
int svcnet_flow_init(void);
void svcnet_flow_uninit(void);
int svcnet_flow_net_init(struct svcnet_net *sn);
void svcnet_flow_net_exit(struct svcnet_net *sn);
struct svcnet_flow *svcnet_flow_lookup_fwd(struct svcnet_net *sn,
					   const struct svcnet_tuple *t);
struct svcnet_flow *svcnet_flow_lookup_rev(struct svcnet_net *sn,
					   const struct svcnet_tuple *t);
struct svcnet_flow *svcnet_flow_create_flags(struct svcnet_net *sn,
					     const struct svcnet_tuple *fwd,
					     struct svcnet_backend *be,
					     u8 state,
					     const union nf_inet_addr *snat,
					     u16 flags, bool *created, int *err);

/* A flow created without SVCNET_FLOW_F_* flags (see above). */
static inline struct svcnet_flow *
svcnet_flow_create(struct svcnet_net *sn, const struct svcnet_tuple *fwd,
		   struct svcnet_backend *be, u8 state,
		   const union nf_inet_addr *snat, bool *created, int *err)
{
	return svcnet_flow_create_flags(sn, fwd, be, state, snat, 0, created,
					err);
}

void svcnet_flow_remove(struct svcnet_net *sn, struct svcnet_flow *f);
bool svcnet_flow_make_room(struct svcnet_net *sn);
spinlock_t *svcnet_flow_lock(const struct svcnet_net *sn, const void *key,
			     unsigned int len);
void svcnet_flow_tuples(const struct svcnet_flow *f, struct svcnet_tuple *fwd,
			struct svcnet_tuple *rev);
bool svcnet_flow_live(const struct svcnet_flow *f);

#define SVCNET_SNAT_PORTS(lo, hi)	((u32)(lo) | (u32)(hi) << 16)

static inline u32 svcnet_flow_timeout(struct svcnet_net *sn, u8 state)
{
	return READ_ONCE(sn->cfg.timeout[state]) * HZ;
}

/* young.c */
void svcnet_young_init(struct svcnet_net *sn);
void svcnet_young_add(struct svcnet_net *sn, struct svcnet_flow *f);
void svcnet_young_del(struct svcnet_net *sn, struct svcnet_flow *f);
unsigned int svcnet_young_stalest(struct svcnet_net *sn);
struct svcnet_flow *svcnet_young_evictee(struct svcnet_net *sn,
					 unsigned int i);

/* track.c: expiry */
void svcnet_track_net_init(struct svcnet_net *sn);
void svcnet_flow_touch(struct svcnet_net *sn, struct svcnet_flow *f, u8 state);
void svcnet_track_direct(struct svcnet_flow *f, bool on);
bool svcnet_flow_direct(struct svcnet_flow *f);
/* milliseconds until @f expires, 0 if it has */
u32 svcnet_flow_expires_ms(const struct svcnet_flow *f);
bool svcnet_flow_is_expired(const struct svcnet_flow *f);
static inline bool svcnet_flow_state_open(u8 state)
{
	return state != SVCNET_FLOW_TCP_FIN && state != SVCNET_FLOW_TCP_CLOSE;
}

/* reap.c */
void svcnet_reap_net_init(struct svcnet_net *sn);
void svcnet_reap_net_exit(struct svcnet_net *sn);
/* the collector's step: expired flows among the next @budget; flow_gc */
void svcnet_flow_gc_slice(struct svcnet_net *sn, unsigned int budget);
/* flush flows of @sd (all if NULL) and of @svc (all of @sd if NULL) */
unsigned int svcnet_flow_flush(struct svcnet_net *sn, struct svcnet_dev *sd,
			       struct svcnet_service *svc);
unsigned int svcnet_flow_kill_service(struct svcnet_net *sn,
				      struct svcnet_service *svc);
unsigned int svcnet_flow_retire(struct svcnet_net *sn,
				struct svcnet_backend *be);
void svcnet_flow_reap(struct svcnet_net *sn);
unsigned int svcnet_flow_count(struct svcnet_net *sn);

/* affinity.c */
int svcnet_affinity_net_init(struct svcnet_net *sn);
void svcnet_affinity_net_exit(struct svcnet_net *sn);
struct svcnet_backend *svcnet_affinity_get(struct svcnet_net *sn,
					   struct svcnet_service *svc,
					   const union nf_inet_addr *client);
void svcnet_affinity_set(struct svcnet_net *sn, struct svcnet_service *svc,
			 const union nf_inet_addr *client,
			 struct svcnet_backend *be);
void svcnet_affinity_gc(struct svcnet_net *sn);
void svcnet_affinity_purge(struct svcnet_net *sn);
void svcnet_affinity_flush(struct svcnet_net *sn, struct svcnet_service *svc,
			   struct svcnet_backend *be);

/* nat.c */
netdev_tx_t svcnet_nat_xmit(struct svcnet_dev *sd, struct sk_buff *skb);
int svcnet_nat_hooks_get(struct net *net);
void svcnet_nat_hooks_put(struct net *net);

/* route.c */
void svcnet_route_release(struct svcnet_route __rcu **slot);
void svcnet_route_net_exit_batch(struct list_head *net_exit_list);
struct dst_entry *svcnet_route6(struct net *net, struct flowi6 *fl6);

/* tls.c */
void svcnet_tls_init(void);
void svcnet_tls_uninit(void);
void svcnet_tls_setup(struct net_device *dev);
struct sk_buff *svcnet_tls_xmit(struct svcnet_dev *sd, struct sk_buff *skb);

/* tls_crypt.c */
struct tls_context;
struct crypto_aead;
int svcnet_tls_crypt_prepare(struct crypto_aead *aead, unsigned int reqsize);
void svcnet_tls_crypt_uninit(void);
struct sk_buff *svcnet_tls_encrypt(struct tls_context *ctx,
				   struct sk_buff *skb, u32 *records);

/* netlink.c (the family; its files' own declarations: netlink.h) */
int svcnet_genl_init(void);
void svcnet_genl_uninit(void);

/* nl_event.c: an event for SVCNET_GENL_MCGRP_EVENTS; @purged < 0: none */
void svcnet_nl_notify(u8 cmd, struct svcnet_dev *sd,
		      struct svcnet_service *svc, struct svcnet_backend *be,
		      long purged);

#endif /* _SVCNET_H */
