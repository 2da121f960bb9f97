// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the flow table of a namespace.
 *
 * A flow is hashed twice: by its forward tuple (client -> service), which
 * the device's transmit path looks up, and by its reverse tuple (backend
 * -> client), which the reverse-NAT hook looks up. Lookups are lockless
 * (RCU). Insertion and removal take the namespace's flow lock, held only
 * for one flow at a time. A delayed work walks the table once a second and
 * removes expired flows; it reschedules itself while flows remain.
 */

#include <linux/slab.h>

#include "svcnet.h"

static struct kmem_cache *svcnet_flow_cache __read_mostly;

static const struct rhashtable_params svcnet_fwd_params = {
	.key_len = sizeof(struct svcnet_tuple),
	.key_offset = offsetof(struct svcnet_flow, fwd),
	.head_offset = offsetof(struct svcnet_flow, fwd_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params svcnet_rev_params = {
	.key_len = sizeof(struct svcnet_tuple),
	.key_offset = offsetof(struct svcnet_flow, rev),
	.head_offset = offsetof(struct svcnet_flow, rev_node),
	.automatic_shrinking = true,
};

static const u32 svcnet_default_timeout[__SVCNET_FLOW_STATE_MAX] = {
	[SVCNET_FLOW_TCP_SYN] = 30,
	[SVCNET_FLOW_TCP_EST] = 900,
	[SVCNET_FLOW_TCP_FIN] = 120,
	[SVCNET_FLOW_TCP_CLOSE] = 10,
	[SVCNET_FLOW_UDP] = 300,
};

static void svcnet_flow_free_rcu(struct rcu_head *head)
{
	struct svcnet_flow *f = container_of(head, struct svcnet_flow, rcu);

	svcnet_backend_put(f->be);
	kmem_cache_free(svcnet_flow_cache, f);
	atomic_dec(&svcnet_objects);
}

static void __svcnet_flow_remove(struct svcnet_net *sn, struct svcnet_flow *f)
{
	lockdep_assert_held(&sn->flow_lock);
	if (f->dead)
		return;
	WRITE_ONCE(f->dead, true);
	list_del(&f->syn_node);
	rhashtable_remove_fast(&sn->flows_fwd, &f->fwd_node, svcnet_fwd_params);
	rhashtable_remove_fast(&sn->flows_rev, &f->rev_node, svcnet_rev_params);
	/* the state goes terminal exactly once: the open count stays exact */
	if (svcnet_flow_state_open(xchg(&f->state, SVCNET_FLOW_TCP_CLOSE)))
		atomic_dec(&f->be->open);
	atomic_dec(&f->be->active);
	atomic_dec(&f->be->svc->active);
	atomic_dec(&sn->flow_count);
	call_rcu(&f->rcu, svcnet_flow_free_rcu);
}

void svcnet_flow_remove(struct svcnet_net *sn, struct svcnet_flow *f)
{
	spin_lock_bh(&sn->flow_lock);
	__svcnet_flow_remove(sn, f);
	spin_unlock_bh(&sn->flow_lock);
}

struct svcnet_flow *svcnet_flow_lookup_fwd(struct svcnet_net *sn,
					   const struct svcnet_tuple *t)
{
	struct svcnet_flow *f;

	f = rhashtable_lookup(&sn->flows_fwd, t, svcnet_fwd_params);
	return f && !READ_ONCE(f->dead) ? f : NULL;
}

struct svcnet_flow *svcnet_flow_lookup_rev(struct svcnet_net *sn,
					   const struct svcnet_tuple *t)
{
	struct svcnet_flow *f;

	f = rhashtable_lookup(&sn->flows_rev, t, svcnet_rev_params);
	return f && !READ_ONCE(f->dead) ? f : NULL;
}

static unsigned long svcnet_flow_timeout(struct svcnet_net *sn, u8 state)
{
	return (unsigned long)READ_ONCE(sn->cfg.timeout[state]) * HZ;
}

void svcnet_flow_touch(struct svcnet_net *sn, struct svcnet_flow *f, u8 state)
{
	unsigned long expires = jiffies + svcnet_flow_timeout(sn, state);
	u8 cur = READ_ONCE(f->state);

	/*
	 * A closing flow never opens again (removal leaves it closed), and
	 * the one transition from open to closing drops the open count.
	 */
	if (cur != state &&
	    (svcnet_flow_state_open(cur) || !svcnet_flow_state_open(state)) &&
	    cmpxchg(&f->state, cur, state) == cur &&
	    svcnet_flow_state_open(cur) && !svcnet_flow_state_open(state))
		atomic_dec(&f->be->open);
	if (READ_ONCE(f->expires) != expires)
		WRITE_ONCE(f->expires, expires);
}

/*
 * A source port for a flow that is source NATed to @f->rev.daddr (a
 * hairpin flow, or one whose client port is taken towards its backend):
 * one above the host's ephemeral ports whose reverse tuple is free. Under
 * the flow lock, which orders insertions.
 */
static bool svcnet_flow_snat_port(struct svcnet_net *sn, struct svcnet_flow *f)
{
	u32 range = SVCNET_SNAT_PORT_MAX - SVCNET_SNAT_PORT_MIN + 1;
	u32 i, start = get_random_u32_below(range);

	lockdep_assert_held(&sn->flow_lock);
	for (i = 0; i < SVCNET_SNAT_TRIES; i++) {
		f->rev.dport = htons(SVCNET_SNAT_PORT_MIN + (start + i) % range);
		if (!rhashtable_lookup_fast(&sn->flows_rev, &f->rev,
					    svcnet_rev_params))
			return true;
	}
	return false;
}

/*
 * The table is full: remove the oldest flow still in SYN state, if one of
 * the first few of syn_list is, to make room for a new flow (a SYN flood
 * cannot push out connections that were answered). Flows that left the
 * SYN state leave the list here. Under the flow lock.
 */
static bool svcnet_flow_evict(struct svcnet_net *sn)
{
	struct svcnet_flow *f, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&sn->flow_lock);
	list_for_each_entry_safe(f, tmp, &sn->syn_list, syn_node) {
		if (READ_ONCE(f->state) == SVCNET_FLOW_TCP_SYN) {
			__svcnet_flow_remove(sn, f);
			atomic64_inc(&sn->flows_evicted);
			return true;
		}
		list_del_init(&f->syn_node);
		if (++n == SVCNET_EVICT_TRIES)
			break;
	}
	return false;
}

/*
 * Create the flow of @fwd to @be; with @snat, the client is source NATed
 * to that address (hairpin). Returns the flow (with *created false when
 * another CPU created it first), or NULL with *err: -ENOSPC when the table
 * is full, -ENOENT when the service is going away, -ESTALE when @be was
 * removed since it was picked, -EADDRINUSE when the flow needs a source
 * port of its own (@snat, or the client's port reaches @be already) and
 * none is free, -ENOMEM.
 */
struct svcnet_flow *svcnet_flow_create(struct svcnet_net *sn,
				       const struct svcnet_tuple *fwd,
				       struct svcnet_backend *be, u8 state,
				       const union nf_inet_addr *snat,
				       bool *created, int *err)
{
	struct svcnet_flow *f, *old;

	*created = false;
	if (atomic_inc_return(&sn->flow_count) > READ_ONCE(sn->cfg.flow_max)) {
		bool room;

		spin_lock_bh(&sn->flow_lock);
		room = svcnet_flow_evict(sn);
		spin_unlock_bh(&sn->flow_lock);
		if (!room) {
			*err = -ENOSPC;
			goto err_count;
		}
	}
	if (!refcount_inc_not_zero(&be->ref)) {
		*err = -ENOENT;
		goto err_count;
	}
	f = kmem_cache_zalloc(svcnet_flow_cache, GFP_ATOMIC);
	if (!f) {
		*err = -ENOMEM;
		goto err_ref;
	}
	f->fwd = *fwd;
	f->rev.family = fwd->family;
	f->rev.proto = fwd->proto;
	f->rev.saddr = be->addr;
	f->rev.sport = be->port;
	f->rev.daddr = snat ? *snat : fwd->saddr;
	f->rev.dport = fwd->sport;
	INIT_LIST_HEAD(&f->syn_node);
	f->be = be;
	f->state = state;
	f->expires = jiffies + svcnet_flow_timeout(sn, state);

	spin_lock_bh(&sn->flow_lock);
	if (READ_ONCE(be->svc->dead)) {
		*err = -ENOENT;
		goto err_unlock;
	}
	/* removed after the scheduler picked it (see svcnet_flow_sync()) */
	if (READ_ONCE(be->removed)) {
		*err = -ESTALE;
		goto err_unlock;
	}
	/*
	 * A hairpin flow gets a source port of its own; so does a flow whose
	 * client port already reaches this backend through another service
	 * (its reverse tuple is taken): the replies must tell them apart.
	 * Not when the flow exists already, which the insertion returns.
	 */
	if (!rhashtable_lookup_fast(&sn->flows_fwd, fwd, svcnet_fwd_params) &&
	    (snat || rhashtable_lookup_fast(&sn->flows_rev, &f->rev,
					    svcnet_rev_params))) {
		if (!svcnet_flow_snat_port(sn, f)) {
			*err = -EADDRINUSE;
			goto err_unlock;
		}
		f->snat = true;
	}
	old = rhashtable_lookup_get_insert_fast(&sn->flows_fwd, &f->fwd_node,
						svcnet_fwd_params);
	if (IS_ERR(old)) {
		*err = PTR_ERR(old);
		goto err_unlock;
	}
	if (old) {
		/* created meanwhile on another CPU; under the lock, alive */
		spin_unlock_bh(&sn->flow_lock);
		kmem_cache_free(svcnet_flow_cache, f);
		svcnet_backend_put(be);
		atomic_dec(&sn->flow_count);
		return old;
	}
	*err = rhashtable_lookup_insert_fast(&sn->flows_rev, &f->rev_node,
					     svcnet_rev_params);
	if (*err) {
		/* lockless readers may have found it in the forward table */
		WRITE_ONCE(f->dead, true);
		rhashtable_remove_fast(&sn->flows_fwd, &f->fwd_node,
				       svcnet_fwd_params);
		spin_unlock_bh(&sn->flow_lock);
		atomic_inc(&svcnet_objects);
		call_rcu(&f->rcu, svcnet_flow_free_rcu);
		atomic_dec(&sn->flow_count);
		return NULL;
	}
	if (state == SVCNET_FLOW_TCP_SYN)
		list_add_tail(&f->syn_node, &sn->syn_list);
	atomic_inc(&be->active);
	atomic_inc(&be->open);
	atomic_inc(&be->svc->active);
	atomic_inc(&svcnet_objects);
	spin_unlock_bh(&sn->flow_lock);
	queue_delayed_work(system_power_efficient_wq, &sn->flow_gc, HZ);
	*created = true;
	return f;

err_unlock:
	spin_unlock_bh(&sn->flow_lock);
	kmem_cache_free(svcnet_flow_cache, f);
err_ref:
	svcnet_backend_put(be);
err_count:
	atomic_dec(&sn->flow_count);
	return NULL;
}

/*
 * Walk @ht, calling @prune on each object, which removes it or not and
 * says which. Sleeps between batches, and pauses only after an object that
 * stays: restarting the walk after removing the object it stands on would
 * skip one. Returns the number removed.
 */
unsigned int svcnet_rht_prune(struct rhashtable *ht,
			      bool (*prune)(void *obj, void *arg), void *arg)
{
	unsigned int n = 0, removed_total = 0;
	struct rhashtable_iter iter;
	bool removed;
	void *obj;

	rhashtable_walk_enter(ht, &iter);
	rhashtable_walk_start(&iter);
	while ((obj = rhashtable_walk_next(&iter))) {
		if (IS_ERR(obj)) {
			if (PTR_ERR(obj) == -EAGAIN)
				continue;
			break;
		}
		removed = prune(obj, arg);
		removed_total += removed;
		if (++n >= 256 && !removed) {
			n = 0;
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed_total;
}

struct svcnet_flow_walk {
	struct svcnet_net *sn;
	bool (*match)(struct svcnet_flow *f, void *arg);
	void *arg;
};

static bool svcnet_flow_prune(void *obj, void *arg)
{
	struct svcnet_flow_walk *w = arg;

	if (!w->match(obj, w->arg))
		return false;
	svcnet_flow_remove(w->sn, obj);
	return true;
}

/* Remove the flows for which @match is true, one lock hold each. */
static unsigned int svcnet_flow_walk(struct svcnet_net *sn,
				     bool (*match)(struct svcnet_flow *f,
						   void *arg),
				     void *arg)
{
	struct svcnet_flow_walk w = { .sn = sn, .match = match, .arg = arg };

	return svcnet_rht_prune(&sn->flows_fwd, svcnet_flow_prune, &w);
}

static bool svcnet_flow_expired(struct svcnet_flow *f, void *arg)
{
	return time_after_eq(jiffies, READ_ONCE(f->expires));
}

static void svcnet_flow_gc(struct work_struct *work)
{
	struct svcnet_net *sn = container_of(to_delayed_work(work),
					     struct svcnet_net, flow_gc);

	svcnet_flow_walk(sn, svcnet_flow_expired, NULL);
	svcnet_affinity_gc(sn);
	if (atomic_read(&sn->flow_count) || atomic_read(&sn->affinity_count))
		queue_delayed_work(system_power_efficient_wq, &sn->flow_gc, HZ);
}

struct svcnet_flow_filter {
	struct svcnet_dev *sd;
	struct svcnet_service *svc;
	struct svcnet_backend *be;
};

static bool svcnet_flow_filter_match(struct svcnet_flow *f, void *arg)
{
	struct svcnet_flow_filter *flt = arg;
	struct svcnet_service *svc = f->be->svc;

	if (flt->be)
		return f->be == flt->be;
	if (flt->svc)
		return svc == flt->svc;
	return !flt->sd || svc->sd == flt->sd;
}

unsigned int svcnet_flow_flush(struct svcnet_net *sn, struct svcnet_dev *sd,
			       struct svcnet_service *svc)
{
	struct svcnet_flow_filter flt = { .sd = sd, .svc = svc };

	return svcnet_flow_walk(sn, svcnet_flow_filter_match, &flt);
}

/*
 * Flows are created under the flow lock, after a check of their backend's
 * removed flag. Once this returns, every flow to a backend marked removed
 * before the call is in the table, where a walk finds it, and no other
 * can be created.
 */
static void svcnet_flow_sync(struct svcnet_net *sn)
{
	spin_lock_bh(&sn->flow_lock);
	spin_unlock_bh(&sn->flow_lock);
}

/* Remove the flows of a removed backend: their next packets are balanced
 * anew (UDP) or answered with a reset (TCP).
 */
unsigned int svcnet_flow_flush_backend(struct svcnet_net *sn,
				       struct svcnet_backend *be)
{
	struct svcnet_flow_filter flt = { .be = be };

	svcnet_flow_sync(sn);
	return svcnet_flow_walk(sn, svcnet_flow_filter_match, &flt);
}

static bool svcnet_flow_removed_match(struct svcnet_flow *f, void *arg)
{
	struct svcnet_backend *be = f->be;

	if (be->svc != arg || !READ_ONCE(be->removed))
		return false;
	be->purged++;
	return true;
}

/*
 * Remove the flows of every removed backend of @svc in one pass, counting
 * them in each backend's purged; under RTNL.
 */
unsigned int svcnet_flow_flush_removed(struct svcnet_net *sn,
				       struct svcnet_service *svc)
{
	ASSERT_RTNL();
	svcnet_flow_sync(sn);
	return svcnet_flow_walk(sn, svcnet_flow_removed_match, svc);
}

/*
 * Remove every flow of @svc and stop new ones: a flow is inserted under
 * the flow lock only while its service is alive.
 */
unsigned int svcnet_flow_kill_service(struct svcnet_net *sn,
				      struct svcnet_service *svc)
{
	spin_lock_bh(&sn->flow_lock);
	WRITE_ONCE(svc->dead, true);
	spin_unlock_bh(&sn->flow_lock);
	return svcnet_flow_flush(sn, NULL, svc);
}

int svcnet_flow_net_init(struct svcnet_net *sn)
{
	int err;

	memcpy(sn->cfg.timeout, svcnet_default_timeout,
	       sizeof(sn->cfg.timeout));
	sn->cfg.flow_max = SVCNET_FLOW_MAX_DEFAULT;
	spin_lock_init(&sn->flow_lock);
	atomic_set(&sn->flow_count, 0);
	INIT_LIST_HEAD(&sn->syn_list);
	atomic64_set(&sn->flows_evicted, 0);
	INIT_DELAYED_WORK(&sn->flow_gc, svcnet_flow_gc);
	err = rhashtable_init(&sn->flows_fwd, &svcnet_fwd_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->flows_rev, &svcnet_rev_params);
	if (err)
		rhashtable_destroy(&sn->flows_fwd);
	return err;
}

void svcnet_flow_net_exit(struct svcnet_net *sn)
{
	cancel_delayed_work_sync(&sn->flow_gc);
	/* every service, hence every flow, went with the devices */
	WARN_ON_ONCE(atomic_read(&sn->flow_count));
	rhashtable_destroy(&sn->flows_rev);
	rhashtable_destroy(&sn->flows_fwd);
}

bool svcnet_flow_ready(void)
{
	return svcnet_flow_cache;
}

int svcnet_flow_init(void)
{
	svcnet_flow_cache = KMEM_CACHE(svcnet_flow, 0);
	return svcnet_flow_cache ? 0 : -ENOMEM;
}

void svcnet_flow_uninit(void)
{
	kmem_cache_destroy(svcnet_flow_cache);
	svcnet_flow_cache = NULL;
}
