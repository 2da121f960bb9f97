// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: services and backends of a device.
 *
 * Configuration changes run under RTNL. The datapath finds services in a
 * per-device rhashtable and picks backends from an immutable backend set
 * (struct svcnet_bset, sched.c) that every change replaces whole, so
 * readers never wait and never see half an update. Backends and services
 * are freed after a grace period once their last flow is gone.
 */

#include <linux/delay.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "alloc.h"
#include "sched_maglev.h"
#include "svcnet.h"

DEFINE_PER_CPU(long, svcnet_objects);

static const struct rhashtable_params svcnet_svc_params = {
	.key_len = sizeof(struct svcnet_svc_key),
	.key_offset = offsetof(struct svcnet_service, key),
	.head_offset = offsetof(struct svcnet_service, node),
	.automatic_shrinking = true,
};

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

static void svcnet_service_free_rcu(struct rcu_head *head)
{
	struct svcnet_service *svc = container_of(head, struct svcnet_service,
						  rcu);

	kfree(rcu_dereference_protected(svc->sources, true));
	svcnet_route_release(&svc->entry);
	svcnet_tls_counters_free(&svc->tls);
	svcnet_stats_block_put(svc->stats_blk);
	kfree(svc);
	svcnet_objects_dec();
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

	svcnet_route_release(&be->route);
	svcnet_route_release(&be->tunnel_route);
	svcnet_route_release(&be->source_route);
	svcnet_service_put(be->svc);
	svcnet_stats_block_put(be->stats_blk);
	kmem_cache_free(svcnet_backend_cache, be);
	svcnet_objects_dec();
}

void svcnet_backend_put(struct svcnet_backend *be)
{
	if (refcount_dec_and_test(&be->ref))
		call_rcu(&be->rcu, svcnet_backend_free_rcu);
}

static long svcnet_objects_left(void)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu(svcnet_objects, cpu));
	return n;
}

/*
 * Objects are freed by chains of RCU callbacks (flow, then backend, then
 * service): wait until the last one has run.
 */
void svcnet_wait_objects(void)
{
	do {
		rcu_barrier();
	} while (svcnet_objects_left() && (msleep(10), true));
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
	svc->forward = SVCNET_FORWARD_NAT;
	svc->affinity_prefix = key->family == AF_INET ? 32 : 128;
	INIT_LIST_HEAD(&svc->backends);
	refcount_set(&svc->ref, 1);
	svcnet_objects_inc();
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

/* Take @svc out of its device's table and list: no lookup finds it. */
void svcnet_service_unlink(struct svcnet_service *svc)
{
	ASSERT_RTNL();
	rhashtable_remove_fast(&svc->sd->services, &svc->node,
			       svcnet_svc_params);
	list_del(&svc->list);
	svc->sd->n_services--;
}

/* Drop an unlinked service's backends and its device's reference. */
void svcnet_service_release(struct svcnet_service *svc)
{
	struct svcnet_backend *be, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(be, tmp, &svc->backends, list) {
		list_del(&be->list);
		if (be->draining)
			list_del(&be->drain_list);
		svcnet_backend_put(be);
	}
	svc->n_backends = 0;
	svcnet_service_put(svc);
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

/* The backend of @svc at @addr and @port, or NULL. */
struct svcnet_backend *svcnet_backend_find(struct svcnet_service *svc,
					   const union nf_inet_addr *addr,
					   __be16 port)
{
	struct svcnet_backend *be;

	ASSERT_RTNL();
	list_for_each_entry(be, &svc->backends, list)
		if (be->port == port && nf_inet_addr_cmp(&be->addr, addr))
			return be;
	return NULL;
}

/*
 * A backend's identity for Maglev: its address and port hashed the same on
 * every host; the device's secret key comes on top (sched.c).
 */
static const siphash_key_t svcnet_backend_id_key = {
	{ 0x737663626b656e64ULL, 0x2d69642d6b657931ULL }
};

static u64 svcnet_backend_id(const union nf_inet_addr *addr, __be16 port)
{
	struct {
		union nf_inet_addr addr;
		__be16 port;
		u16 zero;
	} id = { .addr = *addr, .port = port };

	return siphash(&id, sizeof(id), &svcnet_backend_id_key);
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
	svcnet_objects_inc();
	return be;
}
