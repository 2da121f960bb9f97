// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: module entry points and per-namespace state.
 */

#include <linux/module.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>

#include "svcnet.h"

unsigned int svcnet_net_id __read_mostly;

static int __net_init svcnet_net_init(struct net *net)
{
	struct svcnet_net *sn = svcnet_pernet(net);
	int err;

	sn->net = net;
	INIT_LIST_HEAD(&sn->devs);
	sn->gen = 1;
	svcnet_drain_net_init(sn);
	svcnet_track_net_init(sn);
	err = svcnet_affinity_net_init(sn);
	if (err)
		return err;
	err = svcnet_flow_net_init(sn);
	if (err) {
		svcnet_affinity_net_exit(sn);
		return err;
	}
	svcnet_reap_net_init(sn);
	return 0;
}

static void __net_exit svcnet_net_exit(struct net *net)
{
	struct svcnet_net *sn = svcnet_pernet(net);

	/* Devices went away with the namespace's devices, before us. */
	WARN_ON_ONCE(!list_empty(&sn->devs));
	WARN_ON_ONCE(sn->hook_users);
	svcnet_drain_net_exit(sn);
	svcnet_reap_net_exit(sn);
	svcnet_flow_net_exit(sn);
	svcnet_affinity_net_exit(sn);
}

/*
 * A subsystem, not a device: its exit runs after every device of a dying
 * namespace has been deleted.
 */
static struct pernet_operations svcnet_net_ops = {
	.init = svcnet_net_init,
	.exit = svcnet_net_exit,
	.exit_batch = svcnet_route_net_exit_batch,
	.id = &svcnet_net_id,
	.size = sizeof(struct svcnet_net),
};

static int __init svcnet_init(void)
{
	int err;

	err = svcnet_flow_init();
	if (err)
		return err;
	err = svcnet_service_init();
	if (err)
		goto err_service;
	svcnet_tls_init();
	err = register_pernet_subsys(&svcnet_net_ops);
	if (err)
		goto err_pernet;
	/* the family before the devices, whose removal it announces */
	err = svcnet_genl_init();
	if (err)
		goto err_genl;
	err = svcnet_device_init();
	if (err)
		goto err_device;
	return 0;

err_device:
	svcnet_genl_uninit();
err_genl:
	unregister_pernet_subsys(&svcnet_net_ops);
err_pernet:
	svcnet_tls_uninit();
	svcnet_service_uninit();
err_service:
	svcnet_flow_uninit();
	return err;
}

static void __exit svcnet_exit(void)
{
	/* devices first: their removal is announced through the family */
	svcnet_device_uninit();
	svcnet_genl_uninit();
	unregister_pernet_subsys(&svcnet_net_ops);
	svcnet_wait_objects();
	svcnet_tls_uninit();
	svcnet_service_uninit();
	svcnet_flow_uninit();
}

module_init(svcnet_init);
module_exit(svcnet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel service load balancer network device");
MODULE_VERSION(SVCNET_VERSION);
MODULE_ALIAS_RTNL_LINK("svcnet");
MODULE_ALIAS_GENL_FAMILY(SVCNET_GENL_NAME);
