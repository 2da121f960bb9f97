/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: state shared by the module's files.
 */
#ifndef _SVCNET_H
#define _SVCNET_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/u64_stats_sync.h>
#include <linux/svcnet.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

/* Per-CPU device counters, summed by svcnet_stats_read(). */
struct svcnet_pcpu_stats {
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t drops[__SVCNET_DROP_MAX];
	struct u64_stats_sync syncp;
};

/* A snapshot of the counters of one device, summed over all CPUs. */
struct svcnet_stats {
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_packets;
	u64 rx_bytes;
	u64 drops[__SVCNET_DROP_MAX];
};

/* The private part of an svcnet net_device. */
struct svcnet_dev {
	struct net_device *dev;
	/* in svcnet_net.devs; written under RTNL, read under RCU */
	struct list_head list;
	struct svcnet_pcpu_stats __percpu *stats;
};

/* Per network namespace state. */
struct svcnet_net {
	/* svcnet devices of the namespace, in creation order */
	struct list_head devs;
	/* changes with every configuration change; written under RTNL */
	u32 gen;
};

extern unsigned int svcnet_net_id;

static inline struct svcnet_net *svcnet_pernet(const struct net *net)
{
	return net_generic(net, svcnet_net_id);
}

static inline void svcnet_net_changed(struct svcnet_net *sn)
{
	ASSERT_RTNL();
	WRITE_ONCE(sn->gen, sn->gen + 1);
}

/* device.c */
int svcnet_device_init(void);
void svcnet_device_uninit(void);
void svcnet_dev_setup(struct net_device *dev);
bool svcnet_is_dev(const struct net_device *dev);
void svcnet_stats_read(struct svcnet_pcpu_stats __percpu *pcpu,
		       struct svcnet_stats *out);
void svcnet_stats_drop(struct svcnet_dev *sd, enum svcnet_drop_reason reason);

/* netlink.c */
extern const struct nla_policy svcnet_nl_policy[SVCNET_A_MAX + 1];
int svcnet_genl_init(void);
void svcnet_genl_uninit(void);

#endif /* _SVCNET_H */
