// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: removing objects from an rhashtable while walking it, in slices
 * or whole; the flow and affinity collectors and flushes use it.
 */

#include "svcnet.h"

/*
 * Walk on with @iter (entered), calling @prune on each object, which
 * removes it or not and says which; the removals are added to @removed.
 * Sleeps between batches, and pauses only after an object that stays:
 * restarting the walk after removing the object it stands on would skip
 * one. Stops so, once @budget objects were looked at; returns false when
 * the walk reached the end of the table instead.
 */
bool svcnet_rht_prune_some(struct rhashtable_iter *iter, unsigned int budget,
			   bool (*prune)(void *obj, void *arg), void *arg,
			   unsigned int *removed)
{
	unsigned int n = 0, batch = 0;
	bool gone = false;
	void *obj;

	rhashtable_walk_start(iter);
	while (n < budget || gone) {
		obj = rhashtable_walk_next(iter);
		if (IS_ERR(obj)) {
			if (PTR_ERR(obj) == -EAGAIN)
				continue;
			obj = NULL;
		}
		if (!obj) {
			rhashtable_walk_stop(iter);
			return false;
		}
		gone = prune(obj, arg);
		*removed += gone;
		n++;
		if (++batch >= 256 && !gone) {
			batch = 0;
			rhashtable_walk_stop(iter);
			cond_resched();
			rhashtable_walk_start(iter);
		}
	}
	rhashtable_walk_stop(iter);
	return true;
}

/*
 * Walk all of @ht, calling @prune on each object as svcnet_rht_prune_some
 * does. Returns the number removed.
 */
unsigned int svcnet_rht_prune(struct rhashtable *ht,
			      bool (*prune)(void *obj, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	unsigned int removed = 0;

	rhashtable_walk_enter(ht, &iter);
	svcnet_rht_prune_some(&iter, UINT_MAX, prune, arg, &removed);
	rhashtable_walk_exit(&iter);
	return removed;
}
