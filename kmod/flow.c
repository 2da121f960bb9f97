// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the flow table of a namespace.
 *
 * A flow is hashed once, by the client's address and port as its backend
 * sees them (where replies go), and the flows of one client address and
 * port hang in one list (an rhltable). The device's transmit path looks a
 * packet's flow up by its source, and matches the service address and
 * port in that short list; the reverse-NAT hook looks a reply up by its
 * destination, and matches the backend. Most flows keep the client's own
 * address and port, so both directions find them under the same key.
 *
 * A flow whose client is source NATed (hairpin, a reply tuple that would
 * clash with another flow's, or a client address and port with
 * SVCNET_FLOW_CHAIN_MAX flows already) is hashed by its NAT address and
 * port like the others, and is found in the transmit direction through a
 * second table, by its whole forward tuple.
 *
 * Lookups are lockless (RCU). A flow is inserted and removed under the
 * lock of its key, one of SVCNET_FLOW_LOCKS shared by all namespaces (as
 * conntrack's), so that flows of different clients are created on many
 * CPUs at once: the check that a key is free for a backend and the
 * insertion under it are one step. The candidates for eviction wait on
 * young lists (young.c). A backend is retired
 * without a lock (SVCNET_ACTIVE_RETIRED). Flows are removed by reap.c: the
 * collector, flushes, and the retirement of the flows of backends and
 * services that go.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "svcnet.h"

/* a flow in the table by its client's address and port */
struct svcnet_flow_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 family;
	u8 proto;
};

/* a source NATed flow, also hashed by its forward tuple */
struct svcnet_flow_snat {
	struct rhash_head node;
	struct svcnet_tuple fwd;	/* client -> service */
	struct svcnet_flow flow;	/* last: sized by family */
};

/* an IPv4 flow ends after its client's IPv4 address: 72 bytes */
#define SVCNET_FLOW4_SIZE (offsetof(struct svcnet_flow, addr) + sizeof(__be32))
static_assert(SVCNET_FLOW4_SIZE <= 72);
/* keys are hashed in words */
static_assert(sizeof(struct svcnet_flow_key) % sizeof(u32) == 0);

#define SVCNET_FLOW_LOCKS 1024
static spinlock_t svcnet_flow_locks[SVCNET_FLOW_LOCKS];
static u32 svcnet_flow_lock_seed __read_mostly;

/* flows by family and source NAT: IPv4, IPv6, then source NATed ones */
#define SVCNET_FLOW_CACHES 4
static struct kmem_cache *svcnet_flow_caches[SVCNET_FLOW_CACHES] __read_mostly;

static struct kmem_cache *svcnet_flow_cache(u8 family, bool snat)
{
	return svcnet_flow_caches[(snat ? 2 : 0) + (family == AF_INET6)];
}

static unsigned int svcnet_addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/* the client's address as seen by the backend */
static void *svcnet_flow_addr(const struct svcnet_flow *f)
{
	return f->family == AF_INET ? (void *)&f->addr.ip :
				      (void *)&f->addr.ip6;
}

static bool svcnet_addr_eq(u8 family, const void *a, const void *b)
{
	if (family == AF_INET)
		return *(const __be32 *)a == *(const __be32 *)b;
	return ipv6_addr_equal(a, b);
}

static void svcnet_flow_key_set(struct svcnet_flow_key *k, u8 family,
				u8 proto, const union nf_inet_addr *addr,
				__be16 port)
{
	memset(k, 0, sizeof(*k));
	memcpy(&k->addr, addr, svcnet_addr_len(family));
	k->port = port;
	k->family = family;
	k->proto = proto;
}

/*
 * The lock of @key (@len bytes, a multiple of four) in @sn: of a flow key
 * (its list in the flow table), or of an affinity entry's.
 */
spinlock_t *svcnet_flow_lock(const struct svcnet_net *sn, const void *key,
			     unsigned int len)
{
	u32 h = jhash2(key, len / sizeof(u32),
		       svcnet_flow_lock_seed ^ hash32_ptr(sn));

	return &svcnet_flow_locks[h % SVCNET_FLOW_LOCKS];
}

static spinlock_t *svcnet_flow_key_lock(const struct svcnet_net *sn, u8 family,
					u8 proto,
					const union nf_inet_addr *addr,
					__be16 port)
{
	struct svcnet_flow_key k;

	svcnet_flow_key_set(&k, family, proto, addr, port);
	return svcnet_flow_lock(sn, &k, sizeof(k));
}

/* the lock @f is inserted and removed under */
static spinlock_t *svcnet_flow_lock_of(const struct svcnet_net *sn,
				       const struct svcnet_flow *f)
{
	return svcnet_flow_key_lock(sn, f->family, svcnet_flow_proto(f),
				    svcnet_flow_addr(f), f->cport);
}

static u32 svcnet_flow_hash(const void *data, u32 len, u32 seed)
{
	return jhash2(data, sizeof(struct svcnet_flow_key) / sizeof(u32), seed);
}

static u32 svcnet_flow_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct svcnet_flow *f = data;
	struct svcnet_flow_key k;

	svcnet_flow_key_set(&k, f->family, svcnet_flow_proto(f),
			    svcnet_flow_addr(f), f->cport);
	return svcnet_flow_hash(&k, sizeof(k), seed);
}

static int svcnet_flow_obj_cmp(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const struct svcnet_flow_key *k = arg->key;
	const struct svcnet_flow *f = obj;

	return !(f->cport == k->port && f->family == k->family &&
		 svcnet_addr_eq(f->family, svcnet_flow_addr(f), &k->addr) &&
		 svcnet_flow_proto(f) == k->proto);
}

static const struct rhashtable_params svcnet_flow_params = {
	.key_len = sizeof(struct svcnet_flow_key),
	.head_offset = offsetof(struct svcnet_flow, node),
	.hashfn = svcnet_flow_hash,
	.obj_hashfn = svcnet_flow_obj_hash,
	.obj_cmpfn = svcnet_flow_obj_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params svcnet_snat_params = {
	.key_len = sizeof(struct svcnet_tuple),
	.key_offset = offsetof(struct svcnet_flow_snat, fwd),
	.head_offset = offsetof(struct svcnet_flow_snat, node),
	.automatic_shrinking = true,
};

static struct svcnet_flow_snat *svcnet_flow_snat(const struct svcnet_flow *f)
{
	return container_of(f, struct svcnet_flow_snat, flow);
}

void svcnet_flow_tuples(const struct svcnet_flow *f, struct svcnet_tuple *fwd,
			struct svcnet_tuple *rev)
{
	const struct svcnet_svc_key *svc = &f->be->svc->key;
	unsigned int len = svcnet_addr_len(f->family);

	if (fwd) {
		if (svcnet_flow_is_snat(f)) {
			*fwd = svcnet_flow_snat(f)->fwd;
		} else {
			memset(fwd, 0, sizeof(*fwd));
			fwd->family = f->family;
			fwd->proto = svc->proto;
			memcpy(&fwd->saddr, svcnet_flow_addr(f), len);
			fwd->daddr = svc->addr;
			fwd->sport = f->cport;
			fwd->dport = svc->port;
		}
	}
	if (rev) {
		memset(rev, 0, sizeof(*rev));
		rev->family = f->family;
		rev->proto = svc->proto;
		rev->saddr = f->be->addr;
		rev->sport = f->be->port;
		memcpy(&rev->daddr, svcnet_flow_addr(f), len);
		rev->dport = f->cport;
	}
}

static void svcnet_flow_free(struct svcnet_flow *f)
{
	if (svcnet_flow_is_snat(f))
		kmem_cache_free(svcnet_flow_cache(f->family, true),
				svcnet_flow_snat(f));
	else
		kmem_cache_free(svcnet_flow_cache(f->family, false), f);
}

static void svcnet_flow_free_rcu(struct rcu_head *head)
{
	struct svcnet_flow *f = container_of(head, struct svcnet_flow, rcu);

	svcnet_backend_put(f->be);
	svcnet_flow_free(f);
	svcnet_objects_dec();
}

/* A flow that failed to go into the tables; readers may have seen it. */
static void svcnet_flow_free_unused_rcu(struct rcu_head *head)
{
	svcnet_flow_free(container_of(head, struct svcnet_flow, rcu));
}

/* A flow's counts on its backend and service go with it. */
static void svcnet_flow_uncount(struct svcnet_net *sn,
				struct svcnet_backend *be)
{
	/* retired before: the retirement moved it to the retired count */
	if (atomic_fetch_dec(&be->active) & SVCNET_ACTIVE_RETIRED)
		atomic_dec(&sn->retired);
	else
		atomic_dec(&be->svc->active);
}

static void __svcnet_flow_remove(struct svcnet_net *sn, struct svcnet_flow *f)
{
	if (IS_ENABLED(CONFIG_LOCKDEP))
		lockdep_assert_held(svcnet_flow_lock_of(sn, f));
	if (READ_ONCE(f->flags) & SVCNET_FLOW_F_DEAD)
		return;
	svcnet_u8_update(&f->flags, SVCNET_FLOW_F_DEAD, SVCNET_FLOW_F_DEAD);
	svcnet_young_del(sn, f);
	rhltable_remove(&sn->flows, &f->node, svcnet_flow_params);
	if (svcnet_flow_is_snat(f))
		rhashtable_remove_fast(&sn->flows_snat,
				       &svcnet_flow_snat(f)->node,
				       svcnet_snat_params);
	/* the state goes terminal exactly once: the open count stays exact */
	if (svcnet_flow_state_open(xchg(&f->state, SVCNET_FLOW_TCP_CLOSE)))
		atomic_dec(&f->be->open);
	svcnet_flow_uncount(sn, f->be);
	atomic_dec(&sn->flow_count);
	call_rcu(&f->rcu, svcnet_flow_free_rcu);
}

void svcnet_flow_remove(struct svcnet_net *sn, struct svcnet_flow *f)
{
	spinlock_t *lock = svcnet_flow_lock_of(sn, f);

	spin_lock_bh(lock);
	__svcnet_flow_remove(sn, f);
	spin_unlock_bh(lock);
}

static struct rhlist_head *svcnet_flow_list(struct svcnet_net *sn, u8 family,
					    u8 proto,
					    const union nf_inet_addr *addr,
					    __be16 port)
{
	struct svcnet_flow_key k;

	svcnet_flow_key_set(&k, family, proto, addr, port);
	return rhltable_lookup(&sn->flows, &k, svcnet_flow_params);
}

/*
 * In the table and not retired with its backend (svcnet_flow_retire()):
 * a flow lookups find. Under RCU, a flow found live may be used until
 * rcu_read_unlock(): its backend's service and device stay until then.
 */
bool svcnet_flow_live(const struct svcnet_flow *f)
{
	return !(READ_ONCE(f->flags) & SVCNET_FLOW_F_DEAD) &&
	       !READ_ONCE(f->be->removed);
}

/*
 * Under RCU: the live flow of forward tuple @t, or NULL. A tuple has one
 * live flow at most (its creation looks under its lock), in one of the two
 * tables: the one that holds most of the flows is looked in first.
 */
struct svcnet_flow *svcnet_flow_lookup_fwd(struct svcnet_net *sn,
					   const struct svcnet_tuple *t)
{
	unsigned int snat = atomic_read(&sn->flows_snat.nelems);
	bool snat_first = snat > (unsigned int)atomic_read(&sn->flow_count) / 2;
	struct svcnet_flow_snat *s;
	struct rhlist_head *pos;
	struct svcnet_flow *f;

	s = snat_first ? rhashtable_lookup(&sn->flows_snat, t,
					   svcnet_snat_params) : NULL;
	if (s && svcnet_flow_live(&s->flow))
		return &s->flow;
	pos = svcnet_flow_list(sn, t->family, t->proto, &t->saddr, t->sport);
	rhl_for_each_entry_rcu(f, pos, pos, node) {
		const struct svcnet_svc_key *svc = &f->be->svc->key;

		if (!svcnet_flow_is_snat(f) && svc->port == t->dport &&
		    svcnet_addr_eq(f->family, &svc->addr, &t->daddr) &&
		    svcnet_flow_live(f))
			return f;
	}
	if (!snat || snat_first)
		return NULL;
	s = rhashtable_lookup(&sn->flows_snat, t, svcnet_snat_params);
	return s && svcnet_flow_live(&s->flow) ? &s->flow : NULL;
}

static bool svcnet_flow_be_is(const struct svcnet_flow *f,
			      const union nf_inet_addr *addr, __be16 port)
{
	const struct svcnet_backend *be = f->be;

	return be->port == port && svcnet_addr_eq(f->family, &be->addr, addr);
}

/* Under RCU: the live flow of reverse tuple @t, or NULL. */
struct svcnet_flow *svcnet_flow_lookup_rev(struct svcnet_net *sn,
					   const struct svcnet_tuple *t)
{
	struct rhlist_head *pos;
	struct svcnet_flow *f;

	pos = svcnet_flow_list(sn, t->family, t->proto, &t->daddr, t->dport);
	rhl_for_each_entry_rcu(f, pos, pos, node) {
		/* a tunnel flow's replies bypass this host: none to translate */
		if (svcnet_flow_be_is(f, &t->saddr, t->sport) &&
		    !(READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL) &&
		    svcnet_flow_live(f))
			return f;
	}
	return NULL;
}

/*
 * Whether a new flow to @be may take client address @addr and port @port
 * (as @be sees them): no flow of that address and port reaches the same
 * backend address and port (the replies could not be told apart; tunnel
 * flows, @tunnel or in the list, have no replies here), and their list is
 * short. With @evict, such a flow not assured is evicted to make room.
 * Under the key's lock, which orders insertions and is the lock of the
 * key's flows.
 */
static bool svcnet_flow_key_free(struct svcnet_net *sn, u8 family, u8 proto,
				 const union nf_inet_addr *addr, __be16 port,
				 const struct svcnet_backend *be, bool tunnel,
				 bool evict, spinlock_t *lock)
{
	struct rhlist_head *pos;
	struct svcnet_flow *f;
	unsigned int n = 0;
	bool free = true;

	lockdep_assert_held(lock);
	rcu_read_lock();
	pos = svcnet_flow_list(sn, family, proto, addr, port);
	rhl_for_each_entry_rcu(f, pos, pos, node) {
		u8 flags = READ_ONCE(f->flags);

		/* retired flows go soon, and their replies are not looked up */
		if (READ_ONCE(f->be->removed))
			continue;
		if (!tunnel && !(flags & SVCNET_FLOW_F_TUNNEL) &&
		    svcnet_flow_be_is(f, &be->addr, be->port)) {
			if (!evict || (flags & SVCNET_FLOW_F_DEAD) ||
			    (flags & SVCNET_FLOW_F_ASSURED)) {
				free = false;
				break;
			}
			/* the list stays walkable: @f is freed after RCU */
			__svcnet_flow_remove(sn, f);
			atomic64_inc(&sn->flows_evicted);
			evict = false;
			continue;
		}
		if (++n >= SVCNET_FLOW_CHAIN_MAX) {
			free = false;
			break;
		}
	}
	rcu_read_unlock();
	return free;
}

/*
 * A source port for a flow source NATed to @addr: one of the namespace's
 * range (SVCNET_A_CFG_SNAT_PORT_MIN.._MAX, by default above the host's
 * ephemeral ports) that is free towards @be, tried from a random one on;
 * with @evict, one whose flow to @be, not assured, is evicted for it.
 * Under @held, the lock of the flow's forward tuple; returns the port with
 * its key's lock (*@lock, may be @held) held, or 0. A port whose lock
 * another CPU holds is passed over: no CPU waits for a second lock while
 * it holds one.
 */
static __be16 svcnet_flow_snat_port(struct svcnet_net *sn, u8 family,
				    u8 proto, const union nf_inet_addr *addr,
				    const struct svcnet_backend *be, bool evict,
				    spinlock_t *held, spinlock_t **lock)
{
	u32 ports = READ_ONCE(sn->cfg.snat_ports);
	u32 lo = ports & 0xffff, hi = ports >> 16;
	u32 i, start, range;
	spinlock_t *l;			/* the port's key's */
	__be16 port;

	range = hi - lo + 1;
	start = get_random_u32_below(range);
	for (i = 0; i < min_t(u32, range, SVCNET_SNAT_TRIES); i++) {
		port = htons(lo + (start + i) % range);
		l = svcnet_flow_key_lock(sn, family, proto, addr, port);
		if (l != held && !spin_trylock(l))
			continue;
		if (svcnet_flow_key_free(sn, family, proto, addr, port, be,
					 false, evict, l)) {
			*lock = l;
			return port;
		}
		if (l != held)
			spin_unlock(l);
	}
	return 0;
}

/*
 * The table is full: remove the oldest flow
 * not assured of the young list whose oldest has been idle longest, or else
 * of the next lists (young.c), to make room for a new flow: spoofed SYNs,
 * and UDP datagrams from spoofed sources even when the backend answers
 * them, cannot push out connections established both ways. No flow lock
 * held; whether a flow was removed.
 */
bool svcnet_flow_make_room(struct svcnet_net *sn)
{
	spinlock_t *lock;		/* the evicted flow's */
	unsigned int i, first;
	struct svcnet_flow *f;
	bool done = false;

	rcu_read_lock();
	first = svcnet_young_stalest(sn);
	for (i = 0; i < SVCNET_YOUNG_LISTS && !done; i++) {
		f = svcnet_young_evictee(sn, (first + i) % SVCNET_YOUNG_LISTS);
		if (!f)
			continue;
		lock = svcnet_flow_lock_of(sn, f);
		spin_lock_bh(lock);
		/* removed, or found assured, meanwhile: look again */
		if (!(READ_ONCE(f->flags) &
		      (SVCNET_FLOW_F_DEAD | SVCNET_FLOW_F_ASSURED))) {
			__svcnet_flow_remove(sn, f);
			atomic64_inc(&sn->flows_evicted);
			done = true;
		}
		spin_unlock_bh(lock);
	}
	rcu_read_unlock();
	return done;
}

/*
 * A flow of @fwd, its client seen by its backend as @addr and @port, not
 * yet in the table. A source NATed flow (@nat) carries its forward tuple.
 */
static struct svcnet_flow *svcnet_flow_alloc(const struct svcnet_tuple *fwd,
					     const union nf_inet_addr *addr,
					     __be16 port, bool nat)
{
	unsigned int len = svcnet_addr_len(fwd->family);
	struct svcnet_flow_snat *s;
	struct svcnet_flow *f;

	if (nat) {
		s = kmem_cache_zalloc(svcnet_flow_cache(fwd->family, true),
				      SVCNET_GFP_PACKET);
		if (!s)
			return NULL;
		s->fwd = *fwd;
		f = &s->flow;
		f->flags = SVCNET_FLOW_F_SNAT;
	} else {
		f = kmem_cache_zalloc(svcnet_flow_cache(fwd->family, false),
				      SVCNET_GFP_PACKET);
		if (!f)
			return NULL;
	}
	f->family = fwd->family;
	f->cport = port;
	memcpy(svcnet_flow_addr(f), addr, len);
	INIT_LIST_HEAD(&f->young_node);
	return f;
}

/* Insert @f; under its flow lock. Returns 0 or an error, @f not inserted. */
static int svcnet_flow_insert(struct svcnet_net *sn, struct svcnet_flow *f)
{
	struct svcnet_flow_snat *s = svcnet_flow_snat(f), *old;
	struct svcnet_flow_key k;
	int err;

	if (IS_ENABLED(CONFIG_LOCKDEP))
		lockdep_assert_held(svcnet_flow_lock_of(sn, f));
	svcnet_flow_key_set(&k, f->family, svcnet_flow_proto(f),
			    svcnet_flow_addr(f), f->cport);
	err = rhltable_insert_key(&sn->flows, &k, &f->node, svcnet_flow_params);
	if (err || !svcnet_flow_is_snat(f))
		return err;
	/*
	 * One entry per forward tuple: a retired flow of the same tuple (none
	 * is live, or it would have been found) gives up its place, and
	 * leaves the flow table when it is reaped. BH is off: it is not freed
	 * under us.
	 */
	old = rhashtable_lookup_get_insert_fast(&sn->flows_snat, &s->node,
						svcnet_snat_params);
	if (IS_ERR(old))
		err = PTR_ERR(old);
	else if (old && rhashtable_replace_fast(&sn->flows_snat, &old->node,
						&s->node, svcnet_snat_params))
		err = rhashtable_insert_fast(&sn->flows_snat, &s->node,
					     svcnet_snat_params);
	if (err)
		rhltable_remove(&sn->flows, &f->node, svcnet_flow_params);
	return err;
}

/*
 * Count a new flow on @be and its service unless @be is retired (-ESTALE):
 * the retirement sets SVCNET_ACTIVE_RETIRED and takes the count in one
 * atomic operation (reap.c).
 */
static int svcnet_flow_count_on(struct svcnet_backend *be)
{
	/* the service's first: the retirement subtracts what it finds */
	atomic_inc(&be->svc->active);
	if (atomic_fetch_inc(&be->active) & SVCNET_ACTIVE_RETIRED) {
		atomic_dec(&be->active);
		atomic_dec(&be->svc->active);
		return -ESTALE;
	}
	atomic_inc(&be->open);
	return 0;
}

/*
 * Make @f, in the tables, live, on this CPU's young list. Returns false if
 * its backend was retired meanwhile, and removes it: the retirement's walk
 * may not have seen it. Under the flow's lock.
 */
static bool svcnet_flow_go_live(struct svcnet_net *sn, struct svcnet_flow *f)
{
	svcnet_young_add(sn, f);
	svcnet_u8_update(&f->flags, SVCNET_FLOW_F_DEAD, 0);
	/* pairs with the barrier of the retirement's atomic_fetch_or() */
	smp_mb();
	if (!READ_ONCE(f->be->removed))
		return true;
	__svcnet_flow_remove(sn, f);
	return false;
}

/*
 * Create the flow of @fwd to @be, in @state with @flags (SVCNET_FLOW_F_*);
 * with @snat, the client is source NATed to that address. Returns the
 * flow (with *created false when another CPU created it first), or NULL
 * with *err: -ENOSPC when the table is full, -ENOENT when the service is
 * going away, -ESTALE when @be was removed since it was picked,
 * -EADDRINUSE when the flow needs a source port of its own (@snat, or the
 * client's port reaches @be already) and none is free, or is a tunnel
 * flow whose client port has many flows, -ENOMEM, or what the hash table
 * refused with.
 *
 * Under the lock of the client's address and port: creations of one
 * forward tuple are ordered, and so are those under one key when the
 * client keeps its port (a source NATed flow takes its key's lock too).
 */
struct svcnet_flow *svcnet_flow_create_flags(struct svcnet_net *sn,
					     const struct svcnet_tuple *fwd,
					     struct svcnet_backend *be,
					     u8 state,
					     const union nf_inet_addr *snat,
					     u16 flags, bool *created, int *err)
{
	const union nf_inet_addr *addr = snat ?: &fwd->saddr;
	spinlock_t *lock, *key_lock;
	struct svcnet_flow *f, *old;
	struct mem_cgroup *memcg;
	__be16 port = fwd->sport;
	bool nat;

	*created = false;
	/* retired flows, about to go, leave their room to new ones */
	if (atomic_inc_return(&sn->flow_count) - atomic_read(&sn->retired) >
	    READ_ONCE(sn->cfg.flow_max) && !svcnet_flow_make_room(sn)) {
		*err = -ENOSPC;
		goto err_count;
	}
	if (!refcount_inc_not_zero(&be->ref)) {
		*err = -ENOENT;
		goto err_count;
	}

	lock = svcnet_flow_key_lock(sn, fwd->family, fwd->proto, &fwd->saddr,
				    fwd->sport);
	key_lock = lock;
	spin_lock_bh(lock);
	if (READ_ONCE(be->svc->dead)) {
		*err = -ENOENT;
		goto err_unlock;
	}
	/* retired after the scheduler picked it (see svcnet_flow_retire()) */
	if (READ_ONCE(be->removed)) {
		*err = -ESTALE;
		goto err_unlock;
	}
	/* created meanwhile on another CPU; under the lock, alive */
	rcu_read_lock();
	old = svcnet_flow_lookup_fwd(sn, fwd);
	rcu_read_unlock();
	if (old) {
		spin_unlock_bh(lock);
		svcnet_backend_put(be);
		atomic_dec(&sn->flow_count);
		return old;
	}
	/*
	 * A hairpin flow gets a source port of its own; so does a flow whose
	 * client port already reaches this backend through another service
	 * (the replies must tell them apart), or whose client port has many
	 * flows already (lookups walk them).
	 */
	nat = snat ||
	      !svcnet_flow_key_free(sn, fwd->family, fwd->proto, addr, port, be,
				    flags & SVCNET_FLOW_F_TUNNEL, false, lock);
	/* a tunnel flow keeps the client's port: its list is full */
	if (nat && (flags & SVCNET_FLOW_F_TUNNEL)) {
		*err = -EADDRINUSE;
		goto err_unlock;
	}
	if (nat) {
		port = svcnet_flow_snat_port(sn, fwd->family, fwd->proto, addr,
					     be, flags & SVCNET_FLOW_C_EVICT,
					     lock, &key_lock);
		if (!port) {
			*err = -EADDRINUSE;
			goto err_unlock;
		}
	}
	memcg = svcnet_charge_begin(be->svc->sd);
	f = svcnet_flow_alloc(fwd, addr, port, nat);
	svcnet_charge_end(memcg);
	if (!f) {
		*err = -ENOMEM;
		goto err_unlock_key;
	}
	f->be = be;
	f->state = state;
	/* invisible to lookups until it is in both tables */
	f->flags |= (u8)(flags & ~SVCNET_FLOW_C_EVICT) | SVCNET_FLOW_F_DEAD;
	f->expires = (u32)jiffies + svcnet_flow_timeout(sn, state);
	f->wscale = SVCNET_NO_WSCALE | SVCNET_NO_WSCALE << 4;
	if (fwd->proto == IPPROTO_UDP)
		f->born = (u32)jiffies;
	*err = svcnet_flow_count_on(be);
	if (*err)
		goto err_free;
	*err = svcnet_flow_insert(sn, f);
	if (*err)
		goto err_uncount;
	/* from here its removal frees it, and puts its backend */
	svcnet_objects_inc();
	if (!svcnet_flow_go_live(sn, f)) {
		*err = -ESTALE;
		f = NULL;
	}
	if (key_lock != lock)
		spin_unlock(key_lock);
	spin_unlock_bh(lock);
	if (!f)
		return NULL;
	/* a look before the atomic operation: CPUs share the work */
	if (!delayed_work_pending(&sn->flow_gc))
		queue_delayed_work(system_power_efficient_wq, &sn->flow_gc, HZ);
	*created = true;
	return f;

err_uncount:
	svcnet_flow_uncount(sn, be);
	atomic_dec(&be->open);
	/*
	 * The forward insert may have succeeded before the SNAT one failed:
	 * lookups may have found the flow (dead, they pass it by).
	 */
	call_rcu(&f->rcu, svcnet_flow_free_unused_rcu);
	goto err_unlock_key;
err_free:
	svcnet_flow_free(f);
err_unlock_key:
	if (key_lock != lock)
		spin_unlock(key_lock);
err_unlock:
	spin_unlock_bh(lock);
	svcnet_backend_put(be);
err_count:
	atomic_dec(&sn->flow_count);
	return NULL;
}

int svcnet_flow_net_init(struct svcnet_net *sn)
{
	int err;

	sn->cfg.flow_max = SVCNET_FLOW_MAX_DEFAULT;
	sn->cfg.snat_ports = SVCNET_SNAT_PORTS(SVCNET_SNAT_PORT_MIN_DEFAULT,
					       SVCNET_SNAT_PORT_MAX_DEFAULT);
	atomic_set(&sn->flow_count, 0);
	svcnet_young_init(sn);
	atomic64_set(&sn->flows_evicted, 0);
	err = rhltable_init(&sn->flows, &svcnet_flow_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->flows_snat, &svcnet_snat_params);
	if (err)
		rhltable_destroy(&sn->flows);
	return err;
}

/* After svcnet_reap_net_exit(), which removed every flow. */
void svcnet_flow_net_exit(struct svcnet_net *sn)
{
	WARN_ON_ONCE(atomic_read(&sn->flow_count));
	WARN_ON_ONCE(atomic_read(&sn->retired));
	rhashtable_destroy(&sn->flows_snat);
	rhltable_destroy(&sn->flows);
}

void svcnet_flow_uninit(void)
{
	int i;

	for (i = 0; i < SVCNET_FLOW_CACHES; i++) {
		kmem_cache_destroy(svcnet_flow_caches[i]);
		svcnet_flow_caches[i] = NULL;
	}
}

int svcnet_flow_init(void)
{
	static const struct {
		const char *name;
		size_t size;
	} caches[SVCNET_FLOW_CACHES] = {
		{ "svcnet_flow4", SVCNET_FLOW4_SIZE },
		{ "svcnet_flow6", sizeof(struct svcnet_flow) },
		/* a source NATed flow: its forward tuple, then the flow */
		{ "svcnet_snat4",
		  offsetof(struct svcnet_flow_snat, flow) + SVCNET_FLOW4_SIZE },
		{ "svcnet_snat6", sizeof(struct svcnet_flow_snat) },
	};
	int i;

	for (i = 0; i < SVCNET_FLOW_LOCKS; i++)
		spin_lock_init(&svcnet_flow_locks[i]);
	svcnet_flow_lock_seed = get_random_u32();
	for (i = 0; i < SVCNET_FLOW_CACHES; i++) {
		svcnet_flow_caches[i] = kmem_cache_create(caches[i].name,
							  caches[i].size,
							  0, 0, NULL);
		if (!svcnet_flow_caches[i]) {
			svcnet_flow_uninit();
			return -ENOMEM;
		}
	}
	return 0;
}

#ifdef SVCNET_KUNIT
#include "flow_test.c"
#include "flow_snat_test.c"
#endif
