// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the network device and its rtnetlink link kind.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "svcnet.h"

static netdev_tx_t svcnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	return svcnet_nat_xmit(netdev_priv(dev), skb);
}

static void svcnet_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *tot)
{
	struct svcnet_dev *sd = netdev_priv(dev);
	struct svcnet_stats s;
	int i;

	svcnet_stats_read(sd->stats, &s);
	tot->tx_packets = s.tx_packets;
	tot->tx_bytes = s.tx_bytes;
	tot->rx_packets = s.rx_packets;
	tot->rx_bytes = s.rx_bytes;
	for (i = 0; i < __SVCNET_DROP_MAX; i++)
		tot->tx_dropped += s.drops[i];
}

static int svcnet_dev_init(struct net_device *dev)
{
	struct svcnet_dev *sd = netdev_priv(dev);
	int err, cpu;

	sd->dev = dev;
	INIT_LIST_HEAD(&sd->list);
	/* under rtnl_newlink, in its caller's task (NULL without memcg) */
	sd->memcg = get_mem_cgroup_from_mm(current->mm);
	sd->stats = alloc_percpu_gfp(struct svcnet_pcpu_stats,
				     GFP_KERNEL_ACCOUNT);
	if (!sd->stats) {
		err = -ENOMEM;
		goto err_memcg;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sd->stats, cpu)->syncp);
	err = svcnet_tls_counters_init(&sd->tls);
	if (err)
		goto err_stats;
	/* an outsider cannot aim flows at one backend (SVCNET_A_HASH_KEY) */
	RCU_INIT_POINTER(sd->hash_key,
			 svcnet_hash_key_new(NULL, GFP_KERNEL_ACCOUNT));
	if (!rcu_access_pointer(sd->hash_key)) {
		err = -ENOMEM;
		goto err_tls;
	}
	err = svcnet_services_init(sd);
	if (err)
		goto err_key;
	return 0;

err_key:
	kfree(rcu_access_pointer(sd->hash_key));
	RCU_INIT_POINTER(sd->hash_key, NULL);
err_tls:
	svcnet_tls_counters_free(&sd->tls);
err_stats:
	free_percpu(sd->stats);
	sd->stats = NULL;
err_memcg:
	mem_cgroup_put(sd->memcg);
	sd->memcg = NULL;
	return err;
}

static void svcnet_dev_uninit(struct net_device *dev)
{
	struct svcnet_dev *sd = netdev_priv(dev);

	svcnet_services_destroy(sd);
	/* unpublished: transmits of the device have ended */
	kfree_rcu(rcu_access_pointer(sd->hash_key), rcu);
	RCU_INIT_POINTER(sd->hash_key, NULL);
	svcnet_tls_counters_free(&sd->tls);
	free_percpu(sd->stats);
	sd->stats = NULL;
	/* after synchronize_net(): no transmit of this device allocates now */
	mem_cgroup_put(sd->memcg);
	sd->memcg = NULL;
}

static const char svcnet_ethtool_stats[][ETH_GSTRING_LEN] = {
	"tls_tx_device_added",
	"tls_tx_device_removed",
	"tls_tx_records",
	"tls_tx_bytes",
	"tls_tx_drops",
};

static void svcnet_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static int svcnet_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(svcnet_ethtool_stats) :
				      -EOPNOTSUPP;
}

static void svcnet_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset == ETH_SS_STATS)
		memcpy(buf, svcnet_ethtool_stats, sizeof(svcnet_ethtool_stats));
}

static void svcnet_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct svcnet_dev *sd = netdev_priv(dev);
	struct svcnet_tls_stats s;

	svcnet_tls_stats_read(&sd->tls, &s);
	data[0] = s.added;
	data[1] = s.removed;
	data[2] = s.records;
	data[3] = s.bytes;
	data[4] = s.drops;
}

static const struct ethtool_ops svcnet_ethtool_ops = {
	.get_drvinfo = svcnet_get_drvinfo,
	.get_sset_count = svcnet_get_sset_count,
	.get_strings = svcnet_get_strings,
	.get_ethtool_stats = svcnet_get_ethtool_stats,
};

static const struct net_device_ops svcnet_netdev_ops = {
	.ndo_init = svcnet_dev_init,
	.ndo_uninit = svcnet_dev_uninit,
	.ndo_start_xmit = svcnet_xmit,
	.ndo_get_stats64 = svcnet_get_stats64,
};

#define SVCNET_FEATURES (NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST | \
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE)

static void svcnet_dev_setup(struct net_device *dev)
{
	struct svcnet_dev *sd = netdev_priv(dev);

	sd->fast_path = SVCNET_FAST_PATH_ON;
	dev->netdev_ops = &svcnet_netdev_ops;
	dev->ethtool_ops = &svcnet_ethtool_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	/* Its services and flows belong to its namespace: it stays there. */
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
	/*
	 * Checksums and segmentation are left to the device the packet
	 * finally leaves by: DNAT updates partial checksums incrementally.
	 */
	dev->features |= SVCNET_FEATURES;
	dev->hw_features |= SVCNET_FEATURES;
	/* kTLS records are encrypted in xmit (tls.c) */
	svcnet_tls_setup(dev);
	/* the route into the device is needed for ICMP errors */
	netif_keep_dst(dev);
	dev->needs_free_netdev = true;
}

static int svcnet_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "svcnet devices have no link-layer address");
		return -EINVAL;
	}
	return 0;
}

static int svcnet_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(dev));
	struct svcnet_dev *sd = netdev_priv(dev);
	int err;

	err = svcnet_nat_hooks_get(dev_net(dev));
	if (err)
		return err;
	err = register_netdevice(dev);
	if (err)
		goto err_hooks;
	list_add_tail_rcu(&sd->list, &sn->devs);
	svcnet_net_changed(sn);
	return 0;

err_hooks:
	svcnet_nat_hooks_put(dev_net(dev));
	return err;
}

/*
 * Set @sd's fast path to @mode (enum svcnet_fast_path), counting the
 * namespace's devices in direct and in notrack mode (the reverse-NAT hook
 * looks for direct flows only while there is one, for flows to untrack
 * while there is one in notrack mode). Under RTNL.
 */
void svcnet_dev_fast_path_set(struct svcnet_dev *sd, u8 mode)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(sd->dev));

	ASSERT_RTNL();
	if (svcnet_fast_path_direct(sd->fast_path))
		WRITE_ONCE(sn->fast_direct, sn->fast_direct - 1);
	if (sd->fast_path == SVCNET_FAST_PATH_NOTRACK)
		WRITE_ONCE(sn->fast_notrack, sn->fast_notrack - 1);
	if (svcnet_fast_path_direct(mode))
		WRITE_ONCE(sn->fast_direct, sn->fast_direct + 1);
	if (mode == SVCNET_FAST_PATH_NOTRACK)
		WRITE_ONCE(sn->fast_notrack, sn->fast_notrack + 1);
	WRITE_ONCE(sd->fast_path, mode);
}

static void svcnet_dellink(struct net_device *dev, struct list_head *head)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(dev));
	struct svcnet_dev *sd = netdev_priv(dev);

	/* unregister_netdevice_many() waits for RCU readers of the list */
	list_del_rcu(&sd->list);
	svcnet_dev_fast_path_set(sd, SVCNET_FAST_PATH_OFF);
	svcnet_services_flush(sd);
	svcnet_nat_hooks_put(dev_net(dev));
	svcnet_net_changed(sn);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops svcnet_link_ops __read_mostly = {
	.kind = "svcnet",
	.priv_size = sizeof(struct svcnet_dev),
	.setup = svcnet_dev_setup,
	.validate = svcnet_validate,
	.newlink = svcnet_newlink,
	.dellink = svcnet_dellink,
};

int svcnet_device_init(void)
{
	return rtnl_link_register(&svcnet_link_ops);
}

void svcnet_device_uninit(void)
{
	rtnl_link_unregister(&svcnet_link_ops);
}

#ifdef SVCNET_KUNIT
#include "device_test.c"
#endif
