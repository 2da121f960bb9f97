// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the schedulers, which pick the backend of a new flow from a
 * service's backend set. They run in the datapath under RCU and take no
 * lock: round robin and weighted round robin share one atomic counter per
 * service; least connections reads the backends' active flow counts.
 */

#include <linux/gcd.h>
#include <linux/math64.h>
#include <linux/random.h>

#include "sched_maglev.h"
#include "svcnet.h"

/*
 * Weighted round robin visits positions k * stride mod total for k = 0,
 * 1, ...: with stride coprime to total that is a permutation of
 * 0..total-1, so every total picks give each backend exactly its weight,
 * and a stride near total / phi interleaves them.
 */
u32 svcnet_wrr_stride(u64 total)
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
		a = atomic_read(&bs->be[i]->active);
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

static u32 svcnet_flow_hash(const struct svcnet_tuple *t, bool source_only)
{
	if (source_only)
		return siphash(&t->saddr, sizeof(t->saddr), &svcnet_hash_key);
	return siphash(t, sizeof(*t), &svcnet_hash_key);
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
		i = svcnet_maglev_pick(bs->ml,
				       svcnet_flow_hash(t, bs->sched ==
							SVCNET_SCHED_SH));
		break;
	default:
		c = atomic64_inc_return(&svc->counter) - 1;
		i = do_div(c, bs->n);
		break;
	}
	return bs->be[i];
}
