/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: allocating the large tables of a configuration request.
 */
#ifndef _SVCNET_ALLOC_H
#define _SVCNET_ALLOC_H

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

/*
 * kvmalloc() for a request's tables (Maglev tables, backend sets), taken
 * under RTNL: a contiguous try that neither retries nor compacts, then
 * pages that may fail. With __GFP_ACCOUNT in @gfp, a request at its
 * memory cgroup's limit gets NULL (ENOMEM) rather than waking the
 * cgroup's OOM killer. Free with kvfree().
 */
static inline void *svcnet_kvalloc(size_t size, gfp_t gfp)
{
	void *p;

	p = kmalloc(size, gfp | __GFP_NORETRY | __GFP_NOWARN);
	if (p || size <= PAGE_SIZE)
		return p;
	return __vmalloc(size, gfp | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
}

#endif /* _SVCNET_ALLOC_H */
