// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: services and backends of a device.
 *
 * Configuration changes run under RTNL. The datapath finds services in a
 * per-device rhashtable and picks backends from an immutable backend set
 * (struct svcnet_bset) that every change replaces whole, so readers never
 * wait and never see half an update. Backends and services are freed after
 * a grace period once their last flow is gone.
 */

#include <linux/delay.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "alloc.h"
#include "sched_maglev.h"
#include "svcnet.h"

atomic_t svcnet_objects = ATOMIC_INIT(0);

static const struct rhashtable_params svcnet_svc_params = {
	.key_len = sizeof(struct svcnet_svc_key),
	.key_offset = offsetof(struct svcnet_service, key),
	.head_offset = offsetof(struct svcnet_service, node),
	.automatic_shrinking = true,
};

void svcnet_lbstats_read(struct svcnet_pcpu_lbstats __percpu *pcpu,
			 struct svcnet_lbstats *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct svcnet_pcpu_lbstats *s = per_cpu_ptr(pcpu, cpu);
		struct svcnet_lbstats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			snap.conns = u64_stats_read(&s->conns);
			snap.pkts_in = u64_stats_read(&s->pkts_in);
			snap.bytes_in = u64_stats_read(&s->bytes_in);
			snap.pkts_out = u64_stats_read(&s->pkts_out);
			snap.bytes_out = u64_stats_read(&s->bytes_out);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out->conns += snap.conns;
		out->pkts_in += snap.pkts_in;
		out->bytes_in += snap.bytes_in;
		out->pkts_out += snap.pkts_out;
		out->bytes_out += snap.bytes_out;
	}
}

/* Backends in a cache of their own: no rounding up to a kmalloc size. */
static struct kmem_cache *svcnet_backend_cache;

int svcnet_service_init(void)
{
	svcnet_backend_cache = KMEM_CACHE(svcnet_backend, SLAB_ACCOUNT);
	return svcnet_backend_cache ? 0 : -ENOMEM;
}

/* After svcnet_wait_objects(): no backend is left. */
void svcnet_service_uninit(void)
{
	kmem_cache_destroy(svcnet_backend_cache);
	svcnet_backend_cache = NULL;
}

static void svcnet_stats_block_put(struct svcnet_stats_block *blk)
{
	if (blk && refcount_dec_and_test(&blk->ref)) {
		free_percpu(blk->base);
		kfree(blk);
	}
}

static struct svcnet_stats_block *svcnet_stats_block_alloc(u32 size)
{
	struct svcnet_stats_block *blk;
	int cpu;
	u32 i;

	blk = kzalloc(sizeof(*blk), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return NULL;
	blk->base = __alloc_percpu_gfp(size * sizeof(*blk->base),
				       __alignof__(*blk->base),
				       GFP_KERNEL_ACCOUNT);
	if (!blk->base) {
		kfree(blk);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < size; i++)
			u64_stats_init(&per_cpu_ptr(blk->base + i, cpu)->syncp);
	blk->size = size;
	refcount_set(&blk->ref, 1);
	return blk;
}

/*
 * Zeroed counters for a new service or backend from @pool, which makes a
 * block twice the size of the last one (up to SVCNET_STATS_BLOCK) when
 * its block is used up; the block of the slot goes to *@blk, referenced.
 */
static struct svcnet_pcpu_lbstats __percpu *
svcnet_lbstats_alloc(struct svcnet_stats_pool *pool,
		     struct svcnet_stats_block **blk)
{
	struct svcnet_stats_block *cur = pool->blk;

	if (!cur || cur->used == cur->size) {
		cur = svcnet_stats_block_alloc(clamp_t(u32, pool->next_size, 1,
						       SVCNET_STATS_BLOCK));
		if (!cur)
			return NULL;
		svcnet_stats_block_put(pool->blk);
		pool->blk = cur;
		pool->next_size = cur->size * 2;
	}
	refcount_inc(&cur->ref);
	*blk = cur;
	return cur->base + cur->used++;
}

/* The pool gives up its block: slots not handed out go with it. */
void svcnet_stats_pool_release(struct svcnet_stats_pool *pool)
{
	svcnet_stats_block_put(pool->blk);
	pool->blk = NULL;
	pool->next_size = 0;
}

void svcnet_lbstats_conn(struct svcnet_pcpu_lbstats __percpu *pcpu)
{
	struct svcnet_pcpu_lbstats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->conns);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

/* One packet of @len bytes, client to backend if @in, else back. */
void svcnet_lbstats_add(struct svcnet_pcpu_lbstats __percpu *pcpu, bool in,
			unsigned int len)
{
	struct svcnet_pcpu_lbstats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	if (in) {
		u64_stats_inc(&s->pkts_in);
		u64_stats_add(&s->bytes_in, len);
	} else {
		u64_stats_inc(&s->pkts_out);
		u64_stats_add(&s->bytes_out, len);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

void svcnet_bset_free(struct svcnet_bset *bs)
{
	if (!bs)
		return;
	if (bs->ml)
		svcnet_maglev_free(bs->ml);
	kvfree(bs->cum);
	kvfree(bs);
}

static void svcnet_bset_free_rcu(struct rcu_head *head)
{
	svcnet_bset_free(container_of(head, struct svcnet_bset, rcu));
}

/* Whether a backend of these properties takes new flows under @policy. */
bool svcnet_backend_eligible(u16 weight, bool draining, bool local, u8 policy)
{
	return weight && !draining && (policy != SVCNET_POLICY_LOCAL || local);
}

/* a request's tables, charged to its memory cgroup (alloc.h) */
#define SVCNET_GFP_TABLE GFP_KERNEL_ACCOUNT

/* An empty set for at most @n backends; fill with svcnet_bset_push(). */
struct svcnet_bset *svcnet_bset_alloc(u8 sched, u32 n)
{
	struct svcnet_bset *bs;

	bs = svcnet_kvalloc(struct_size(bs, be, n),
			    SVCNET_GFP_TABLE | __GFP_ZERO);
	if (!bs)
		return NULL;
	bs->sched = sched;
	bs->cum = svcnet_kvalloc(array_size(max(n, 1U), sizeof(*bs->cum)),
				 SVCNET_GFP_TABLE);
	if (!bs->cum) {
		kvfree(bs);
		return NULL;
	}
	return bs;
}

void svcnet_bset_push(struct svcnet_bset *bs, struct svcnet_backend *be,
		      u16 weight)
{
	bs->total += weight;
	bs->cum[bs->n] = bs->total;
	bs->be[bs->n++] = be;
}

/* The scheduler's tables, once every backend is in; 0 or -errno. */
int svcnet_bset_finish(struct svcnet_bset *bs, u32 maglev_size)
{
	u64 *ids;
	u32 i;

	bs->stride = svcnet_wrr_stride(bs->total);
	if ((bs->sched != SVCNET_SCHED_MAGLEV && bs->sched != SVCNET_SCHED_SH) ||
	    !bs->n)
		return 0;
	ids = svcnet_kvalloc(array_size(bs->n, sizeof(*ids)), SVCNET_GFP_TABLE);
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < bs->n; i++)
		ids[i] = bs->be[i]->id;
	bs->ml = svcnet_maglev_build(maglev_size, ids, bs->n,
				     SVCNET_GFP_TABLE);
	kvfree(ids);
	if (IS_ERR(bs->ml)) {
		int err = PTR_ERR(bs->ml);

		bs->ml = NULL;
		return err;
	}
	return 0;
}

/*
 * The set of backends of non-zero weight, not draining, of @svc, in list
 * order, for scheduler @sched.
 */
struct svcnet_bset *svcnet_bset_build(struct svcnet_service *svc, u8 sched,
				      u32 maglev_size, u8 policy)
{
	struct svcnet_backend *be;
	struct svcnet_bset *bs;
	u32 n = 0;
	int err;

	ASSERT_RTNL();
	list_for_each_entry(be, &svc->backends, list)
		if (svcnet_backend_eligible(be->weight, be->draining, be->local,
					    policy))
			n++;
	bs = svcnet_bset_alloc(sched, n);
	if (!bs)
		return ERR_PTR(-ENOMEM);
	list_for_each_entry(be, &svc->backends, list)
		if (svcnet_backend_eligible(be->weight, be->draining, be->local,
					    policy))
			svcnet_bset_push(bs, be, be->weight);
	err = svcnet_bset_finish(bs, maglev_size);
	if (err) {
		svcnet_bset_free(bs);
		return ERR_PTR(err);
	}
	return bs;
}

void svcnet_bset_publish(struct svcnet_service *svc, struct svcnet_bset *bs)
{
	struct svcnet_bset *old;

	old = rcu_replace_pointer(svc->bset, bs, lockdep_rtnl_is_held());
	if (old)
		call_rcu(&old->rcu, svcnet_bset_free_rcu);
}

static void svcnet_service_free_rcu(struct rcu_head *head)
{
	struct svcnet_service *svc = container_of(head, struct svcnet_service,
						  rcu);

	kfree(rcu_dereference_protected(svc->sources, true));
	svcnet_tls_counters_free(&svc->tls);
	svcnet_stats_block_put(svc->stats_blk);
	kfree(svc);
	atomic_dec(&svcnet_objects);
}

void svcnet_service_put(struct svcnet_service *svc)
{
	if (refcount_dec_and_test(&svc->ref))
		call_rcu(&svc->rcu, svcnet_service_free_rcu);
}

static void svcnet_backend_free_rcu(struct rcu_head *head)
{
	struct svcnet_backend *be = container_of(head, struct svcnet_backend,
						 rcu);

	svcnet_route_release(be);
	svcnet_service_put(be->svc);
	svcnet_stats_block_put(be->stats_blk);
	kmem_cache_free(svcnet_backend_cache, be);
	atomic_dec(&svcnet_objects);
}

void svcnet_backend_put(struct svcnet_backend *be)
{
	if (refcount_dec_and_test(&be->ref))
		call_rcu(&be->rcu, svcnet_backend_free_rcu);
}

/*
 * Objects are freed by chains of RCU callbacks (flow, then backend, then
 * service): wait until the last one has run.
 */
void svcnet_wait_objects(void)
{
	do {
		rcu_barrier();
	} while (atomic_read(&svcnet_objects) && (msleep(10), true));
}

int svcnet_services_init(struct svcnet_dev *sd)
{
	INIT_LIST_HEAD(&sd->service_list);
	sd->n_services = 0;
	return rhashtable_init(&sd->services, &svcnet_svc_params);
}

void svcnet_services_destroy(struct svcnet_dev *sd)
{
	WARN_ON_ONCE(!list_empty(&sd->service_list));
	rhashtable_destroy(&sd->services);
}

/* Delete every service of @sd. */
void svcnet_services_flush(struct svcnet_dev *sd)
{
	struct svcnet_service *svc, *tmp;

	list_for_each_entry_safe(svc, tmp, &sd->service_list, list)
		svcnet_service_del(svc);
}

/* The service of @sd with @key, or NULL; under rcu_read_lock(). */
struct svcnet_service *svcnet_service_lookup(struct svcnet_dev *sd,
					     const struct svcnet_svc_key *key)
{
	return rhashtable_lookup(&sd->services, key, svcnet_svc_params);
}

/*
 * The same for configuration, under RTNL: the result stays valid while
 * RTNL is held (services are removed under it), but the table's buckets
 * may be rehashed and freed at any time, so the walk itself takes RCU.
 */
struct svcnet_service *svcnet_service_lookup_rtnl(struct svcnet_dev *sd,
						  const struct svcnet_svc_key *key)
{
	ASSERT_RTNL();
	return rhashtable_lookup_fast(&sd->services, key, svcnet_svc_params);
}

/*
 * A service of @sd with the default settings and no backends, not yet in
 * the device (svcnet_service_insert()); dropped with svcnet_service_put().
 * Its counters come from @pool.
 */
struct svcnet_service *svcnet_service_alloc(struct svcnet_dev *sd,
					    const struct svcnet_svc_key *key,
					    struct svcnet_stats_pool *pool)
{
	struct svcnet_service *svc;

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return NULL;
	svc->stats = svcnet_lbstats_alloc(pool, &svc->stats_blk);
	if (!svc->stats)
		goto err_free;
	/* svc->tls: zero, its per-CPU part made on first use (tls.c) */
	svc->key = *key;
	svc->sd = sd;
	svc->sched = SVCNET_SCHED_RR;
	svc->maglev_size = SVCNET_MAGLEV_DEFAULT_SIZE;
	svc->policy = SVCNET_POLICY_CLUSTER;
	svc->tls_offload = true;
	svc->affinity_prefix = key->family == AF_INET ? 32 : 128;
	INIT_LIST_HEAD(&svc->backends);
	refcount_set(&svc->ref, 1);
	atomic_inc(&svcnet_objects);
	return svc;

err_free:
	kfree(svc);
	return NULL;
}

/*
 * Make @svc visible to the datapath, without backends yet; it joins the
 * device's list with svcnet_service_link(). A lookup may find it from now
 * on, so it is freed after a grace period if the caller gives up.
 */
int svcnet_service_insert(struct svcnet_service *svc)
{
	ASSERT_RTNL();
	return rhashtable_lookup_insert_fast(&svc->sd->services, &svc->node,
					     svcnet_svc_params);
}

/* Undo svcnet_service_insert() of a service that never got a flow. */
void svcnet_service_uninsert(struct svcnet_service *svc)
{
	ASSERT_RTNL();
	rhashtable_remove_fast(&svc->sd->services, &svc->node,
			       svcnet_svc_params);
}

void svcnet_service_link(struct svcnet_service *svc)
{
	ASSERT_RTNL();
	list_add_tail(&svc->list, &svc->sd->service_list);
	svc->sd->n_services++;
}

bool svcnet_sched_valid(u8 sched, u32 maglev_size,
			struct netlink_ext_ack *extack)
{
	if (sched == SVCNET_SCHED_UNSPEC || sched > SVCNET_SCHED_MAX) {
		NL_SET_ERR_MSG(extack, "unknown scheduler");
		return false;
	}
	if (!svcnet_maglev_size_valid(maglev_size)) {
		NL_SET_ERR_MSG(extack,
			       "Maglev table size must be a prime between 251 and 131071");
		return false;
	}
	return true;
}

void svcnet_service_del(struct svcnet_service *svc)
{
	struct svcnet_dev *sd = svc->sd;
	struct svcnet_net *sn = svcnet_pernet(dev_net(sd->dev));
	struct svcnet_backend *be, *tmp;
	unsigned int purged;

	ASSERT_RTNL();
	rhashtable_remove_fast(&sd->services, &svc->node, svcnet_svc_params);
	list_del(&svc->list);
	sd->n_services--;
	/* no flow of it survives, and none can be created any more */
	purged = svcnet_flow_kill_service(sn, svc);
	svcnet_flow_reap(sn);
	svcnet_nl_notify(SVCNET_CMD_SERVICE_DEL, sd, svc, NULL, purged);
	svcnet_bset_publish(svc, NULL);
	list_for_each_entry_safe(be, tmp, &svc->backends, list) {
		list_del(&be->list);
		if (be->draining)
			list_del(&be->drain_list);
		svcnet_backend_put(be);
	}
	svc->n_backends = 0;
	svcnet_service_put(svc);
	svcnet_net_changed(sn);
}

/* Replace the allowed sources (NULL: every client); cannot fail. */
void svcnet_service_set_sources(struct svcnet_service *svc,
				struct svcnet_sources *sources)
{
	struct svcnet_sources *old;

	ASSERT_RTNL();
	old = rcu_replace_pointer(svc->sources, sources,
				  lockdep_rtnl_is_held());
	if (old)
		kfree_rcu(old, rcu);
	svcnet_net_changed(svcnet_pernet(dev_net(svc->sd->dev)));
}

bool svcnet_sources_equal(const struct svcnet_sources *a,
			  const struct svcnet_sources *b)
{
	u32 i;

	if (!a || !b)
		return a == b;
	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->p[i].prefix != b->p[i].prefix ||
		    !nf_inet_addr_cmp(&a->p[i].addr, &b->p[i].addr))
			return false;
	return true;
}

bool svcnet_sources_match(const struct svcnet_sources *s, u8 family,
			  const union nf_inet_addr *addr)
{
	u32 i;

	for (i = 0; i < s->n; i++)
		if (family == AF_INET ?
		    !((addr->ip ^ s->p[i].addr.ip) & s->p[i].mask.ip) :
		    !ipv6_masked_addr_cmp(&addr->in6, &s->p[i].mask.in6,
					  &s->p[i].addr.in6))
			return true;
	return false;
}

/*
 * Session affinity for new flows: @timeout seconds (0: none), client
 * addresses compared on their first @prefix bits (valid for the family).
 */
void svcnet_service_set_affinity(struct svcnet_service *svc, u32 timeout,
				 u8 prefix)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(svc->sd->dev));

	ASSERT_RTNL();
	if (svc->affinity_timeout == timeout && svc->affinity_prefix == prefix)
		return;
	WRITE_ONCE(svc->affinity_timeout, timeout);
	WRITE_ONCE(svc->affinity_prefix, prefix);
	/* clients remembered under another mask, or none at all */
	svcnet_affinity_flush(sn, svc, NULL);
	svcnet_net_changed(sn);
}

static u64 svcnet_backend_id(const union nf_inet_addr *addr, __be16 port)
{
	struct {
		union nf_inet_addr addr;
		__be16 port;
		u16 zero;
	} id = { .addr = *addr, .port = port };

	return siphash(&id, sizeof(id), &svcnet_hash_key);
}

/*
 * A backend of @svc, not yet in its list; it holds a reference to @svc and
 * is dropped with svcnet_backend_put(). Its counters come from @pool.
 */
struct svcnet_backend *svcnet_backend_alloc(struct svcnet_service *svc,
					    const union nf_inet_addr *addr,
					    __be16 port,
					    struct svcnet_stats_pool *pool)
{
	struct svcnet_backend *be;

	be = kmem_cache_zalloc(svcnet_backend_cache, GFP_KERNEL);
	if (!be)
		return NULL;
	be->stats = svcnet_lbstats_alloc(pool, &be->stats_blk);
	if (!be->stats) {
		kmem_cache_free(svcnet_backend_cache, be);
		return NULL;
	}
	be->addr = *addr;
	be->port = port;
	be->weight = 1;
	be->id = svcnet_backend_id(addr, port);
	be->svc = svc;
	INIT_LIST_HEAD(&be->drain_list);
	refcount_set(&be->ref, 1);
	refcount_inc(&svc->ref);
	atomic_inc(&svcnet_objects);
	return be;
}
