// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the schedulers, which pick the backend of a new flow from a
 * service's backend set. They run in the datapath under RCU and take no
 * lock: round robin and weighted round robin share one atomic counter per
 * service; least connections reads the backends' active flow counts. And
 * the backend sets: which backends may take new flows, in what tables.
 */

#include <linux/gcd.h>
#include <linux/math64.h>
#include <linux/random.h>
#include <linux/sort.h>
#include <asm/unaligned.h>

#include "alloc.h"
#include "sched_maglev.h"
#include "svcnet.h"

/*
 * Weighted round robin visits positions k * stride mod total for k = 0,
 * 1, ...: with stride coprime to total that is a permutation of
 * 0..total-1, so every total picks give each backend exactly its weight,
 * and a stride near total / phi interleaves them.
 */
static u32 svcnet_wrr_stride(u64 total)
{
	u64 s;

	if (total <= 2)
		return 1;
	s = div_u64(total * 618, 1000);
	while (gcd(s, total) != 1)
		s++;
	return s;
}

/* the backend whose weight interval holds @pos, 0 <= pos < total */
static u32 svcnet_weighted_index(const struct svcnet_bset *bs, u64 pos)
{
	u32 lo = 0, hi = bs->n - 1;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (bs->cum[mid] > pos)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static u32 svcnet_weight_of(const struct svcnet_bset *bs, u32 i)
{
	return i ? bs->cum[i] - bs->cum[i - 1] : bs->cum[0];
}

static u32 svcnet_lc_index(const struct svcnet_bset *bs, u64 start)
{
	u32 i, k, best = 0, best_w = 0, best_a = 0;
	u32 first = do_div(start, bs->n);

	for (k = 0; k < bs->n; k++) {
		u32 a, w;

		i = first + k;
		if (i >= bs->n)
			i -= bs->n;
		a = svcnet_backend_flows(bs->be[i]);
		w = svcnet_weight_of(bs, i);
		/* a / w < best_a / best_w, without division */
		if (!best_w || (u64)a * best_w < (u64)best_a * w) {
			best = i;
			best_a = a;
			best_w = w;
		}
	}
	return best;
}

/*
 * A device's key of the flow hash: random until set, the same on every
 * balancer of a fleet. Bytes are two little-endian 64-bit words.
 */
struct svcnet_hash_key *svcnet_hash_key_new(const void *bytes, gfp_t gfp)
{
	struct svcnet_hash_key *hk = kmalloc(sizeof(*hk), gfp);

	if (!hk)
		return NULL;
	if (!bytes) {
		get_random_bytes(&hk->key, sizeof(hk->key));
		return hk;
	}
	hk->key.key[0] = get_unaligned_le64(bytes);
	hk->key.key[1] = get_unaligned_le64(bytes + 8);
	return hk;
}

void svcnet_hash_key_put(struct svcnet_hash_key *hk, void *bytes)
{
	put_unaligned_le64(hk->key.key[0], bytes);
	put_unaligned_le64(hk->key.key[1], bytes + 8);
}

/*
 * Under RCU: the flow hash of maglev and sh, keyed by the service's
 * device (the services of the KUnit fixtures have none: a zero key).
 */
static u32 svcnet_flow_hash(const struct svcnet_service *svc,
			    const struct svcnet_bset *bs,
			    const struct svcnet_tuple *t)
{
	static const siphash_key_t none;
	const siphash_key_t *key = svc->sd ?
		&rcu_dereference(svc->sd->hash_key)->key : &none;

	if (bs->sched == SVCNET_SCHED_SH)
		return siphash(&t->saddr, sizeof(t->saddr), key);
	return siphash(t, sizeof(*t), key);
}

struct svcnet_backend *svcnet_schedule(struct svcnet_service *svc,
				       struct svcnet_bset *bs,
				       const struct svcnet_tuple *t)
{
	u64 c, pos;
	u32 i;

	if (!bs || !bs->n)
		return NULL;
	switch (bs->sched) {
	case SVCNET_SCHED_WRR:
		c = atomic64_inc_return(&svc->counter) - 1;
		div64_u64_rem(c, bs->total, &pos);
		div64_u64_rem(pos * bs->stride, bs->total, &pos);
		i = svcnet_weighted_index(bs, pos);
		break;
	case SVCNET_SCHED_LC:
		i = svcnet_lc_index(bs, atomic64_inc_return(&svc->counter));
		break;
	case SVCNET_SCHED_RANDOM:
		pos = mul_u64_u32_shr(bs->total, get_random_u32(), 32);
		i = svcnet_weighted_index(bs, pos);
		break;
	case SVCNET_SCHED_MAGLEV:
	case SVCNET_SCHED_SH:
		i = svcnet_maglev_pick(bs->ml, svcnet_flow_hash(svc, bs, t));
		break;
	default:
		c = atomic64_inc_return(&svc->counter) - 1;
		i = do_div(c, bs->n);
		break;
	}
	return bs->be[i];
}

/*
 * Backend sets: the backends a service's scheduler chooses from, with the
 * scheduler's tables, built whole under RTNL and replaced whole.
 */

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

struct svcnet_bset_id {
	u64 id;
	u32 i;
};

static int svcnet_bset_id_cmp(const void *a, const void *b)
{
	const struct svcnet_bset_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The Maglev table of @bs: each backend's permutation comes from its
 * address and port (be->id), and backends take their turns in the order of
 * those ids, never in the order they were added, so that balancers with the
 * same backends build the same table. The table is no secret: the flow
 * hash that indexes it is keyed (svcnet_flow_hash()).
 */
static int svcnet_bset_maglev(struct svcnet_bset *bs, u32 maglev_size)
{
	struct svcnet_bset_id *ids;
	u64 *sorted;
	u32 i;
	int err = 0;

	ids = svcnet_kvalloc(array_size(bs->n, sizeof(*ids) + sizeof(*sorted)),
			     SVCNET_GFP_TABLE);
	if (!ids)
		return -ENOMEM;
	sorted = (u64 *)(ids + bs->n);
	for (i = 0; i < bs->n; i++) {
		ids[i].id = bs->be[i]->id;
		ids[i].i = i;
	}
	sort(ids, bs->n, sizeof(*ids), svcnet_bset_id_cmp, NULL);
	for (i = 0; i < bs->n; i++)
		sorted[i] = ids[i].id;
	bs->ml = svcnet_maglev_build(maglev_size, sorted, bs->n,
				     SVCNET_GFP_TABLE);
	if (IS_ERR(bs->ml)) {
		err = PTR_ERR(bs->ml);
		bs->ml = NULL;
		goto out;
	}
	/* slots name positions in the sorted order: back to the set's */
	for (i = 0; i < bs->ml->size; i++)
		bs->ml->slot[i] = ids[bs->ml->slot[i]].i;
out:
	kvfree(ids);
	return err;
}

/* The scheduler's tables, once every backend is in; 0 or -errno. */
int svcnet_bset_finish(struct svcnet_bset *bs, u32 maglev_size)
{
	bs->stride = svcnet_wrr_stride(bs->total);
	if ((bs->sched != SVCNET_SCHED_MAGLEV && bs->sched != SVCNET_SCHED_SH) ||
	    !bs->n)
		return 0;
	return svcnet_bset_maglev(bs, maglev_size);
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

#ifdef SVCNET_KUNIT
#include "sched_test.c"
#endif
