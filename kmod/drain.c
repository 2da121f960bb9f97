// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the end of drains. A draining backend takes no new flow; it is
 * removed, by a transaction of its service like any other change, when its
 * last open flow ends or its deadline passes, whichever comes first.
 */

#include "svcnet.h"

/*
 * Each round removes, service by service, the backends whose drain is
 * over, one transaction per service, letting go of RTNL in between.
 */
static void svcnet_drain_work(struct work_struct *work)
{
	struct svcnet_net *sn = container_of(to_delayed_work(work),
					     struct svcnet_net, drain_work);
	struct svcnet_backend *be;
	bool again;

	rtnl_lock();
	do {
		again = false;
		list_for_each_entry(be, &sn->draining, drain_list) {
			if (!svcnet_drain_over(be))
				continue;
			/* one that fails for memory is tried next round */
			if (!svcnet_txn_drain_end(be->svc)) {
				rtnl_unlock();
				cond_resched();
				rtnl_lock();
				again = true;
			}
			break;
		}
	} while (again);
	if (!list_empty(&sn->draining))
		queue_delayed_work(system_power_efficient_wq, &sn->drain_work,
				   HZ / 4);
	rtnl_unlock();
}

void svcnet_drain_net_init(struct svcnet_net *sn)
{
	INIT_LIST_HEAD(&sn->draining);
	INIT_DELAYED_WORK(&sn->drain_work, svcnet_drain_work);
}

void svcnet_drain_net_exit(struct svcnet_net *sn)
{
	cancel_delayed_work_sync(&sn->drain_work);
	WARN_ON_ONCE(!list_empty(&sn->draining));
}
