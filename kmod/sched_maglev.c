// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: Maglev consistent hashing (Eisenbud et al., NSDI 2016).
 *
 * Every backend has a preference list of table slots, a permutation of
 * 0..M-1 given by an offset and a skip derived from the backend's identity
 * (never from its position), with M prime. Backends take turns claiming
 * their next preferred free slot until the table is full, so slot counts
 * differ by at most one, and adding or removing one of N backends moves
 * about 1/N of the slots.
 */

#include <linux/bitmap.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "alloc.h"
#include "sched_maglev.h"

static const siphash_key_t svcnet_maglev_offset_key = {
	{ 0x6d61676c65762d6fULL, 0x66667365742d6b31ULL }
};

static const siphash_key_t svcnet_maglev_skip_key = {
	{ 0x6d61676c65762d73ULL, 0x6b69702d6b65792dULL }
};

bool svcnet_maglev_size_valid(u32 m)
{
	u32 d;

	if (m == SVCNET_MAGLEV_DEFAULT_SIZE)	/* prime; most services' */
		return true;
	if (m < SVCNET_MAGLEV_MIN_SIZE || m > SVCNET_MAGLEV_MAX_SIZE)
		return false;
	if (!(m & 1))
		return false;
	for (d = 3; d * d <= m; d += 2)
		if (!(m % d))
			return false;
	return true;
}

struct svcnet_maglev *svcnet_maglev_build(u32 m, const u64 *ids, u32 n,
					  gfp_t gfp)
{
	struct svcnet_maglev *ml;
	u32 *offset, *skip, *next;
	unsigned long *taken;
	u32 filled = 0, i;

	if (!svcnet_maglev_size_valid(m) || !n || n > SVCNET_MAGLEV_MAX_BACKENDS)
		return ERR_PTR(-EINVAL);

	ml = svcnet_kvalloc(struct_size(ml, slot, m), gfp);
	offset = svcnet_kvalloc(array3_size(n, 3, sizeof(u32)), gfp);
	taken = svcnet_kvalloc(BITS_TO_LONGS(m) * sizeof(long),
			       gfp | __GFP_ZERO);
	if (!ml || !offset || !taken) {
		kvfree(ml);
		ml = ERR_PTR(-ENOMEM);
		goto out;
	}
	skip = offset + n;
	next = skip + n;
	ml->size = m;
	for (i = 0; i < n; i++) {
		offset[i] = siphash_1u64(ids[i], &svcnet_maglev_offset_key) % m;
		skip[i] = siphash_1u64(ids[i], &svcnet_maglev_skip_key) % (m - 1) + 1;
		next[i] = 0;
	}
	/* each round, each backend claims its next preferred free slot */
	while (filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			u32 c;

			do {
				c = (offset[i] + (u64)next[i] * skip[i]) % m;
				next[i]++;
			} while (test_bit(c, taken));
			__set_bit(c, taken);
			ml->slot[c] = i;
			filled++;
		}
		if (gfpflags_allow_blocking(gfp))
			cond_resched();
	}
out:
	kvfree(taken);
	kvfree(offset);
	return ml;
}

void svcnet_maglev_free(struct svcnet_maglev *ml)
{
	kvfree(ml);
}

#ifdef SVCNET_KUNIT
#include "sched_maglev_test.c"
#endif
