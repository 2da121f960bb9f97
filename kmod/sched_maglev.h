/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SVCNET_SCHED_MAGLEV_H
#define _SVCNET_SCHED_MAGLEV_H

#include <linux/types.h>

#define SVCNET_MAGLEV_MIN_SIZE		251
#define SVCNET_MAGLEV_MAX_SIZE		131071
#define SVCNET_MAGLEV_DEFAULT_SIZE	65537
#define SVCNET_MAGLEV_MAX_BACKENDS	65535

/* A lookup table: slot[hash % size] is the index of a backend. */
struct svcnet_maglev {
	u32 size;
	u16 slot[];
};

bool svcnet_maglev_size_valid(u32 m);
/*
 * Build a table of prime size @m for @n backends identified by @ids (a
 * stable hash of each backend's address and port). Returns an ERR_PTR on
 * bad arguments or allocation failure.
 */
struct svcnet_maglev *svcnet_maglev_build(u32 m, const u64 *ids, u32 n,
					  gfp_t gfp);
void svcnet_maglev_free(struct svcnet_maglev *ml);

static inline u32 svcnet_maglev_pick(const struct svcnet_maglev *ml, u32 hash)
{
	return ml->slot[hash % ml->size];
}

#endif /* _SVCNET_SCHED_MAGLEV_H */
