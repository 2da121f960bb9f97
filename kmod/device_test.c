// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: svcnet device counters and transmit without services.
 */

#include <kunit/test.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "svcnet.h"

struct svcnet_stats_case {
	const char *name;
	u64 packets;	/* CPU n counts packets * (n + 1) */
	u64 bytes;
	u64 drops;	/* per reason, on every CPU */
};

static const struct svcnet_stats_case svcnet_stats_cases[] = {
	{ .name = "zero" },
	{ .name = "small", .packets = 1, .bytes = 1500, .drops = 1 },
	{ .name = "past 32 bits", .packets = 1ULL << 33,
	  .bytes = (u64)U32_MAX + 7, .drops = (u64)U32_MAX + 1 },
};

static void svcnet_stats_case_desc(const struct svcnet_stats_case *c,
				   char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_stats, svcnet_stats_cases, svcnet_stats_case_desc);

static void svcnet_stats_sum_test(struct kunit *test)
{
	const struct svcnet_stats_case *c = test->param_value;
	struct svcnet_pcpu_stats __percpu *pcpu;
	struct svcnet_stats sum;
	u64 weight = 0, ncpu = 0;
	int cpu, i;

	pcpu = netdev_alloc_pcpu_stats(struct svcnet_pcpu_stats);
	KUNIT_ASSERT_NOT_NULL(test, pcpu);
	for_each_possible_cpu(cpu) {
		struct svcnet_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);

		u64_stats_set(&s->tx_packets, c->packets * (cpu + 1));
		u64_stats_set(&s->tx_bytes, c->bytes * (cpu + 1));
		u64_stats_set(&s->rx_packets, c->packets);
		u64_stats_set(&s->rx_bytes, c->bytes);
		for (i = 0; i < __SVCNET_DROP_MAX; i++)
			u64_stats_set(&s->drops[i], c->drops);
		weight += cpu + 1;
		ncpu++;
	}
	svcnet_stats_read(pcpu, &sum);
	free_percpu(pcpu);

	KUNIT_EXPECT_EQ(test, sum.tx_packets, c->packets * weight);
	KUNIT_EXPECT_EQ(test, sum.tx_bytes, c->bytes * weight);
	KUNIT_EXPECT_EQ(test, sum.rx_packets, c->packets * ncpu);
	KUNIT_EXPECT_EQ(test, sum.rx_bytes, c->bytes * ncpu);
	for (i = 0; i < __SVCNET_DROP_MAX; i++)
		KUNIT_EXPECT_EQ(test, sum.drops[i], c->drops * ncpu);
}

/* A device that is allocated and initialised but never registered. */
static struct net_device *svcnet_test_dev(struct kunit *test)
{
	struct net_device *dev;

	dev = alloc_netdev(sizeof(struct svcnet_dev), "svctest%d",
			   NET_NAME_UNKNOWN, svcnet_dev_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	if (dev->netdev_ops->ndo_init(dev)) {
		free_netdev(dev);
		KUNIT_ASSERT_FAILURE(test, "ndo_init failed");
	}
	return dev;
}

static void svcnet_test_dev_free(struct net_device *dev)
{
	dev->netdev_ops->ndo_uninit(dev);
	free_netdev(dev);
}

static void svcnet_dev_setup_test(struct kunit *test)
{
	struct net_device *dev = svcnet_test_dev(test);

	KUNIT_EXPECT_EQ(test, dev->type, ARPHRD_NONE);
	KUNIT_EXPECT_TRUE(test, dev->flags & IFF_NOARP);
	KUNIT_EXPECT_TRUE(test, dev->priv_flags & IFF_NO_QUEUE);
	KUNIT_EXPECT_TRUE(test, dev->features & NETIF_F_LLTX);
	KUNIT_EXPECT_TRUE(test, dev->features & NETIF_F_NETNS_LOCAL);
	KUNIT_EXPECT_EQ(test, dev->hard_header_len, 0);
	KUNIT_EXPECT_EQ(test, dev->addr_len, 0);
	KUNIT_EXPECT_NOT_NULL(test, dev->netdev_ops->ndo_get_stats64);
	svcnet_test_dev_free(dev);
}

struct svcnet_xmit_case {
	const char *name;
	__be16 protocol;
	u8 bytes[48];
	unsigned int len;
	enum svcnet_drop_reason reason;
};

/* Packets the device must drop, each with the reason it counts. */
static const struct svcnet_xmit_case svcnet_xmit_cases[] = {
	{ "not IP", htons(ETH_P_ARP), { 0 }, 28, SVCNET_DROP_PROTO },
	{ "IPv4 version 0", htons(ETH_P_IP), { 0 }, 28,
	  SVCNET_DROP_MALFORMED },
	{ "IPv4 truncated", htons(ETH_P_IP), { 0x45 }, 12,
	  SVCNET_DROP_MALFORMED },
	{ "IPv4 IHL 4", htons(ETH_P_IP), { 0x44 }, 28, SVCNET_DROP_MALFORMED },
	{ "IPv4 fragment, its length past the packet", htons(ETH_P_IP),
	  { 0x45, 0, 0, 64, 0, 0, 0x20, 0, 64, 17, 0, 0, 10, 0, 0, 1,
	    10, 96, 0, 1 }, 28, SVCNET_DROP_FRAGMENT },
	{ "IPv4 TCP header truncated", htons(ETH_P_IP),
	  { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1,
	    10, 96, 0, 1 }, 28, SVCNET_DROP_MALFORMED },
	{ "IPv4 UDP, no service", htons(ETH_P_IP),
	  { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1,
	    10, 96, 0, 1, 0x9c, 0x40, 0, 53, 0, 8, 0, 0 }, 28,
	  SVCNET_DROP_NO_SERVICE },
	{ "IPv6 truncated", htons(ETH_P_IPV6), { 0x60 }, 20,
	  SVCNET_DROP_MALFORMED },
};

static void svcnet_xmit_case_desc(const struct svcnet_xmit_case *c,
				  char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_xmit, svcnet_xmit_cases, svcnet_xmit_case_desc);

static void svcnet_xmit_drop_test(struct kunit *test)
{
	const struct svcnet_xmit_case *c = test->param_value;
	struct net_device *dev = svcnet_test_dev(test);
	struct svcnet_dev *sd = netdev_priv(dev);
	struct rtnl_link_stats64 st = {};
	struct svcnet_stats s;
	const int n = 3;
	int i;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_put_data(skb, c->bytes, c->len);
		skb->dev = dev;
		skb->protocol = c->protocol;
		/* as dev_queue_xmit() calls it: softirqs off */
		local_bh_disable();
		KUNIT_EXPECT_EQ(test, dev->netdev_ops->ndo_start_xmit(skb, dev),
				NETDEV_TX_OK);
		local_bh_enable();
	}
	dev->netdev_ops->ndo_get_stats64(dev, &st);
	KUNIT_EXPECT_EQ(test, st.tx_dropped, (u64)n);
	KUNIT_EXPECT_EQ(test, st.tx_packets, 0ULL);
	svcnet_stats_read(sd->stats, &s);
	KUNIT_EXPECT_EQ(test, s.drops[c->reason], (u64)n);
	svcnet_test_dev_free(dev);
}

static struct kunit_case svcnet_device_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_stats_sum_test, svcnet_stats_gen_params),
	KUNIT_CASE(svcnet_dev_setup_test),
	KUNIT_CASE_PARAM(svcnet_xmit_drop_test, svcnet_xmit_gen_params),
	{}
};

static struct kunit_suite svcnet_device_test_suite = {
	.name = "svcnet_device",
	.test_cases = svcnet_device_test_cases,
};

kunit_test_suite(svcnet_device_test_suite);
