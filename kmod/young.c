// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the young lists of a namespace: its flows not yet seen assured
 * (track.c), oldest first, where the flow table looks for one to evict
 * when it is full (flow.c). A CPU adds the flows it creates to its own
 * list, SVCNET_YOUNG_LISTS of them, each under its own lock; a flow goes
 * on a list once, under its flow lock, and leaves it when it is removed,
 * evicted, or found assured by a look for one to evict. The list looked
 * at first is the one whose oldest flow has been idle longest, so that a
 * flood's flows on one CPU go before the new flows of others.
 */

#include "svcnet.h"

void svcnet_young_init(struct svcnet_net *sn)
{
	int i;

	for (i = 0; i < SVCNET_YOUNG_LISTS; i++) {
		spin_lock_init(&sn->young[i].lock);
		INIT_LIST_HEAD(&sn->young[i].list);
	}
}

/* @f, new, on this CPU's list; under its flow lock (BH off). */
void svcnet_young_add(struct svcnet_net *sn, struct svcnet_flow *f)
{
	struct svcnet_young *y;

	f->young = smp_processor_id() % SVCNET_YOUNG_LISTS;
	y = &sn->young[f->young];
	spin_lock(&y->lock);
	list_add_tail(&f->young_node, &y->list);
	spin_unlock(&y->lock);
}

/*
 * @f off its list, if it is on one; under its flow lock (BH off). The look
 * is under the list's lock too: svcnet_young_evictee() may be taking @f
 * off meanwhile, and its stores into young_node, which the flow's rcu_head
 * shares, must be done before the removal's call_rcu() writes there.
 */
void svcnet_young_del(struct svcnet_net *sn, struct svcnet_flow *f)
{
	struct svcnet_young *y = &sn->young[f->young];

	spin_lock(&y->lock);
	if (!list_empty(&f->young_node))
		list_del_init(&f->young_node);
	spin_unlock(&y->lock);
}

/* How long @f has been idle: its last packet set its expiry. */
static s32 svcnet_young_idle(struct svcnet_net *sn,
			     const struct svcnet_flow *f)
{
	u32 last = READ_ONCE(f->expires) -
		   svcnet_flow_timeout(sn, READ_ONCE(f->state));

	return (s32)((u32)jiffies - last);
}

/*
 * Under RCU: the list whose first (oldest) flow has been idle longest. The
 * first flow is read without the list's lock: only its expiry and state,
 * which its removal leaves alone, and RCU keeps it until the caller is
 * done.
 */
unsigned int svcnet_young_stalest(struct svcnet_net *sn)
{
	unsigned int i, best = 0;
	struct list_head *first;
	s32 idle, most = S32_MIN;
	struct svcnet_flow *f;

	for (i = 0; i < SVCNET_YOUNG_LISTS; i++) {
		first = READ_ONCE(sn->young[i].list.next);
		if (first == &sn->young[i].list)
			continue;
		f = list_entry(first, struct svcnet_flow, young_node);
		idle = svcnet_young_idle(sn, f);
		if (idle > most) {
			most = idle;
			best = i;
		}
	}
	return best;
}

/*
 * Take the oldest flow not assured among the first SVCNET_EVICT_TRIES of
 * list @i off it, and return it; the assured flows looked at leave the
 * list. Under RCU, which keeps the flow readable once the list's lock is
 * dropped; its caller evicts it under its flow lock if it is still neither
 * removed nor assured.
 */
struct svcnet_flow *svcnet_young_evictee(struct svcnet_net *sn,
					 unsigned int i)
{
	struct svcnet_young *y = &sn->young[i];
	struct svcnet_flow *f, *tmp, *found = NULL;
	unsigned int n = 0;

	/* a flood that finds nothing to evict takes no lock here */
	if (list_empty(&y->list))
		return NULL;
	spin_lock_bh(&y->lock);
	list_for_each_entry_safe(f, tmp, &y->list, young_node) {
		list_del_init(&f->young_node);
		if (!(READ_ONCE(f->flags) & SVCNET_FLOW_F_ASSURED)) {
			found = f;
			break;
		}
		if (++n == SVCNET_EVICT_TRIES)
			break;
	}
	spin_unlock_bh(&y->lock);
	return found;
}
