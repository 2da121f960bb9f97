// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: session affinity. A service with an affinity timeout sends every
 * new flow of a client (its address under the service's prefix mask) to
 * the backend the client's previous flow went to, as long as that was less
 * than the timeout ago and the backend still takes new flows.
 *
 * Entries live in a per-namespace rhashtable keyed by service and masked
 * client address, hold a reference on their backend, are created by the
 * datapath (GFP_ATOMIC, under the flow lock of their key, flow.c), and
 * are removed by the flow GC work when they expire, and with their backend
 * or service.
 */

#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "svcnet.h"

struct svcnet_affinity_key {
	unsigned long svc;
	union nf_inet_addr addr;
};

struct svcnet_affinity {
	struct rhash_head node;
	struct svcnet_affinity_key key;
	struct svcnet_backend *be;	/* holds a reference */
	unsigned long expires;		/* jiffies */
	bool dead;			/* set under its key's flow lock */
	struct rcu_head rcu;
};

static const struct rhashtable_params svcnet_affinity_params = {
	.key_len = sizeof(struct svcnet_affinity_key),
	.key_offset = offsetof(struct svcnet_affinity, key),
	.head_offset = offsetof(struct svcnet_affinity, node),
	.automatic_shrinking = true,
};

static void svcnet_affinity_key(struct svcnet_affinity_key *key,
				const struct svcnet_service *svc,
				const union nf_inet_addr *client)
{
	u8 prefix = READ_ONCE(svc->affinity_prefix);

	memset(key, 0, sizeof(*key));
	key->svc = (unsigned long)svc;
	if (svc->key.family == AF_INET)
		key->addr.ip = client->ip & inet_make_mask(prefix);
	else
		ipv6_addr_prefix(&key->addr.in6, &client->in6, prefix);
}

static bool svcnet_affinity_usable(const struct svcnet_backend *be)
{
	return !READ_ONCE(be->removed) && !READ_ONCE(be->draining) &&
	       READ_ONCE(be->weight);
}

/* The backend @client's last flow to @svc went to, if still usable. */
struct svcnet_backend *svcnet_affinity_get(struct svcnet_net *sn,
					   struct svcnet_service *svc,
					   const union nf_inet_addr *client)
{
	struct svcnet_affinity_key key;
	struct svcnet_affinity *a;

	svcnet_affinity_key(&key, svc, client);
	a = rhashtable_lookup(&sn->affinity, &key, svcnet_affinity_params);
	if (!a || READ_ONCE(a->dead) ||
	    time_after_eq(jiffies, READ_ONCE(a->expires)) ||
	    !svcnet_affinity_usable(a->be))
		return NULL;
	/* the timeout runs from the client's latest new flow */
	WRITE_ONCE(a->expires, jiffies +
		   (unsigned long)READ_ONCE(svc->affinity_timeout) * HZ);
	return a->be;
}

static void svcnet_affinity_free_rcu(struct rcu_head *head)
{
	struct svcnet_affinity *a = container_of(head, struct svcnet_affinity,
						 rcu);

	svcnet_backend_put(a->be);
	kfree(a);
	svcnet_objects_dec();
}

static spinlock_t *svcnet_affinity_lock(const struct svcnet_net *sn,
					const struct svcnet_affinity_key *key)
{
	return svcnet_flow_lock(sn, key, sizeof(*key));
}

static void __svcnet_affinity_remove(struct svcnet_net *sn,
				     struct svcnet_affinity *a)
{
	lockdep_assert_held(svcnet_affinity_lock(sn, &a->key));
	if (a->dead)
		return;
	WRITE_ONCE(a->dead, true);
	rhashtable_remove_fast(&sn->affinity, &a->node, svcnet_affinity_params);
	atomic_dec(&sn->affinity_count);
	call_rcu(&a->rcu, svcnet_affinity_free_rcu);
}

/*
 * Remember that @client's flow to @svc went to @be, for the service's
 * affinity timeout from now. Best effort: without memory, or with as many
 * entries as the flow table may hold flows, nothing is remembered.
 */
void svcnet_affinity_set(struct svcnet_net *sn, struct svcnet_service *svc,
			 const union nf_inet_addr *client,
			 struct svcnet_backend *be)
{
	unsigned long expires = jiffies +
		(unsigned long)READ_ONCE(svc->affinity_timeout) * HZ;
	struct svcnet_affinity *a, *old;
	struct mem_cgroup *memcg;
	spinlock_t *lock;		/* the key's */

	if (atomic_read(&sn->affinity_count) >= READ_ONCE(sn->cfg.flow_max))
		return;
	memcg = svcnet_charge_begin(svc->sd);
	a = kzalloc(sizeof(*a), SVCNET_GFP_PACKET);
	svcnet_charge_end(memcg);
	if (!a)
		return;
	if (!refcount_inc_not_zero(&be->ref)) {
		kfree(a);
		return;
	}
	svcnet_affinity_key(&a->key, svc, client);
	a->be = be;
	a->expires = expires;
	svcnet_objects_inc();

	lock = svcnet_affinity_lock(sn, &a->key);
	spin_lock_bh(lock);
	old = rhashtable_lookup_get_insert_fast(&sn->affinity, &a->node,
						svcnet_affinity_params);
	if (IS_ERR_OR_NULL(old)) {
		if (!old)
			atomic_inc(&sn->affinity_count);
		spin_unlock_bh(lock);
		if (IS_ERR(old))
			call_rcu(&a->rcu, svcnet_affinity_free_rcu);
		goto out;
	}
	if (old->be == be) {
		WRITE_ONCE(old->expires, expires);
		spin_unlock_bh(lock);
		call_rcu(&a->rcu, svcnet_affinity_free_rcu);
		goto out;
	}
	/* the client's backend changed: the new entry takes the old's place */
	if (!rhashtable_replace_fast(&sn->affinity, &old->node, &a->node,
				     svcnet_affinity_params)) {
		WRITE_ONCE(old->dead, true);
		call_rcu(&old->rcu, svcnet_affinity_free_rcu);
	} else {
		call_rcu(&a->rcu, svcnet_affinity_free_rcu);
	}
	spin_unlock_bh(lock);
out:
	queue_delayed_work(system_power_efficient_wq, &sn->flow_gc, HZ);
}

struct svcnet_affinity_filter {
	struct svcnet_net *sn;
	struct svcnet_service *svc;
	struct svcnet_backend *be;
	bool expired;
};

static bool svcnet_affinity_match(const struct svcnet_affinity *a,
				  const struct svcnet_affinity_filter *flt)
{
	if (flt->expired)
		return time_after_eq(jiffies, READ_ONCE(a->expires)) ||
		       READ_ONCE(a->be->removed);
	if (flt->be)
		return a->be == flt->be;
	return !flt->svc || a->key.svc == (unsigned long)flt->svc;
}

static bool svcnet_affinity_prune(void *obj, void *arg)
{
	struct svcnet_affinity_filter *flt = arg;
	struct svcnet_affinity *a = obj;
	spinlock_t *lock;		/* its key's */

	if (!svcnet_affinity_match(a, flt))
		return false;
	lock = svcnet_affinity_lock(flt->sn, &a->key);
	spin_lock_bh(lock);
	__svcnet_affinity_remove(flt->sn, a);
	spin_unlock_bh(lock);
	return true;
}

/*
 * Remove the expired entries among the next @budget or so, from where the
 * last call stopped, as the flow collector does: a large table is walked a
 * slice each second, never whole. At the end of the table the walk starts
 * over.
 */
static void svcnet_affinity_gc_slice(struct svcnet_net *sn, unsigned int budget)
{
	struct svcnet_affinity_filter flt = { .sn = sn, .expired = true };
	unsigned int removed = 0;

	if (!sn->aff_gc_walking) {
		rhashtable_walk_enter(&sn->affinity, &sn->aff_gc_iter);
		sn->aff_gc_walking = true;
	}
	if (!svcnet_rht_prune_some(&sn->aff_gc_iter, budget,
				   svcnet_affinity_prune, &flt, &removed)) {
		rhashtable_walk_exit(&sn->aff_gc_iter);
		sn->aff_gc_walking = false;
	}
}

/* One second's slice: a whole pass takes at most SVCNET_GC_SLICES. */
void svcnet_affinity_gc(struct svcnet_net *sn)
{
	unsigned int n = atomic_read(&sn->affinity_count);

	n = max_t(unsigned int, SVCNET_GC_MIN,
		  DIV_ROUND_UP(n, SVCNET_GC_SLICES));
	if (atomic_read(&sn->affinity_count) || sn->aff_gc_walking)
		svcnet_affinity_gc_slice(sn, n);
}

/* Forget every expired entry and those of removed backends, now. */
void svcnet_affinity_purge(struct svcnet_net *sn)
{
	struct svcnet_affinity_filter flt = { .sn = sn, .expired = true };

	if (atomic_read(&sn->affinity_count))
		svcnet_rht_prune(&sn->affinity, svcnet_affinity_prune, &flt);
}

/* Forget the clients of @be, or of @svc, or every client if both NULL. */
void svcnet_affinity_flush(struct svcnet_net *sn, struct svcnet_service *svc,
			   struct svcnet_backend *be)
{
	struct svcnet_affinity_filter flt = { .sn = sn, .svc = svc, .be = be };

	if (atomic_read(&sn->affinity_count))
		svcnet_rht_prune(&sn->affinity, svcnet_affinity_prune, &flt);
}

int svcnet_affinity_net_init(struct svcnet_net *sn)
{
	atomic_set(&sn->affinity_count, 0);
	return rhashtable_init(&sn->affinity, &svcnet_affinity_params);
}

void svcnet_affinity_net_exit(struct svcnet_net *sn)
{
	if (sn->aff_gc_walking) {
		rhashtable_walk_exit(&sn->aff_gc_iter);
		sn->aff_gc_walking = false;
	}
	svcnet_affinity_flush(sn, NULL, NULL);
	rhashtable_destroy(&sn->affinity);
}

#ifdef SVCNET_KUNIT
#include "affinity_test.c"
#endif
