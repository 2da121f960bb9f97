// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the end of drains. A draining backend takes no new flow; it is
 * removed, by a transaction of its service like any other change, when its
 * last open flow ends or its deadline passes, whichever comes first.
 */

#include "svcnet.h"

static void svcnet_drain_work(struct work_struct *work)
{
	struct svcnet_net *sn = container_of(to_delayed_work(work),
					     struct svcnet_net, drain_work);
	struct svcnet_backend *be, *tmp;

	rtnl_lock();
	/* a removal that fails for memory is tried again next round */
	list_for_each_entry_safe(be, tmp, &sn->draining, drain_list) {
		struct svcnet_be_change chg = {
			.op = SVCNET_BE_DEL,
			.addr = be->addr,
			.port = be->port,
		};

		if (!atomic_read(&be->open) ||
		    time_after_eq(jiffies, be->drain_deadline))
			svcnet_txn_backend(be->svc, &chg, NULL);
	}
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
