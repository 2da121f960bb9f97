// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the generic netlink family, as documented in uapi/linux/svcnet.h.
 */

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "svcnet.h"

static struct genl_family svcnet_family;

const struct nla_policy svcnet_nl_policy[SVCNET_A_MAX + 1] = {
	[SVCNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SVCNET_A_GENERATION] = {
		.type = NLA_REJECT,
		.reject_message = "SVCNET_A_GENERATION is read-only",
	},
	[SVCNET_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "SVCNET_A_STATS is read-only",
	},
};

/*
 * Find the device named by SVCNET_A_IFINDEX or SVCNET_A_IFNAME in @net.
 * Returns it with a reference held, or an ERR_PTR.
 */
static struct net_device *svcnet_nl_get_dev(struct net *net,
					    struct nlattr **attrs,
					    struct netlink_ext_ack *extack)
{
	struct nlattr *attr_index = attrs[SVCNET_A_IFINDEX];
	struct nlattr *attr_name = attrs[SVCNET_A_IFNAME];
	struct net_device *dev;
	struct nlattr *attr;

	if (attr_index && attr_name) {
		NL_SET_ERR_MSG_ATTR(extack, attr_name,
				    "give SVCNET_A_IFINDEX or SVCNET_A_IFNAME, not both");
		return ERR_PTR(-EINVAL);
	}
	if (attr_index) {
		attr = attr_index;
		dev = dev_get_by_index(net, nla_get_u32(attr_index));
	} else if (attr_name) {
		attr = attr_name;
		dev = dev_get_by_name(net, nla_data(attr_name));
	} else {
		NL_SET_ERR_MSG(extack,
			       "missing SVCNET_A_IFINDEX or SVCNET_A_IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!svcnet_is_dev(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attr, "not an svcnet device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

static int svcnet_nl_put_stats(struct sk_buff *skb, struct svcnet_dev *sd)
{
	struct nlattr *nest, *drops;
	struct svcnet_stats s;
	int i;

	svcnet_stats_read(sd->stats, &s);
	nest = nla_nest_start(skb, SVCNET_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SVCNET_A_STATS_TX_PACKETS, s.tx_packets,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_TX_BYTES, s.tx_bytes,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_RX_PACKETS, s.rx_packets,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_RX_BYTES, s.rx_bytes,
			      SVCNET_A_STATS_PAD))
		goto err_cancel;
	drops = nla_nest_start(skb, SVCNET_A_STATS_DROPS);
	if (!drops)
		goto err_cancel;
	for (i = SVCNET_DROP_UNSPEC + 1; i < __SVCNET_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, i, s.drops[i], 0))
			goto err_cancel;
	nla_nest_end(skb, drops);
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int svcnet_nl_fill_dev(struct sk_buff *skb, struct svcnet_dev *sd,
			      u32 portid, u32 seq, int flags, u32 gen,
			      struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &svcnet_family, flags,
			  SVCNET_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, sd->dev->ifindex) ||
	    nla_put_string(skb, SVCNET_A_IFNAME, sd->dev->name) ||
	    nla_put_u32(skb, SVCNET_A_GENERATION, gen) ||
	    svcnet_nl_put_stats(skb, sd)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int svcnet_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_put;
	}
	err = svcnet_nl_fill_dev(msg, netdev_priv(dev), info->snd_portid,
				 info->snd_seq, 0,
				 READ_ONCE(svcnet_pernet(net)->gen), NULL);
	if (err)
		goto err_free;
	dev_put(dev);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
err_put:
	dev_put(dev);
	return err;
}

static int svcnet_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct svcnet_net *sn = svcnet_pernet(sock_net(skb->sk));
	long skip = cb->args[0], idx = 0;
	struct svcnet_dev *sd;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(sn->gen);
	list_for_each_entry_rcu(sd, &sn->devs, list) {
		if (idx >= skip) {
			err = svcnet_nl_fill_dev(skb, sd,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI, cb->seq, cb);
			if (err)
				break;
		}
		idx++;
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* a full buffer ends this part of the dump, not the dump */
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

static const struct genl_small_ops svcnet_nl_ops[] = {
	{
		.cmd = SVCNET_CMD_DEV_GET,
		.doit = svcnet_nl_dev_get_doit,
		.dumpit = svcnet_nl_dev_get_dumpit,
	},
};

static struct genl_family svcnet_family __ro_after_init = {
	.name = SVCNET_GENL_NAME,
	.version = SVCNET_GENL_VERSION,
	.maxattr = SVCNET_A_MAX,
	.policy = svcnet_nl_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = svcnet_nl_ops,
	.n_small_ops = ARRAY_SIZE(svcnet_nl_ops),
	.resv_start_op = 0,
};

int __init svcnet_genl_init(void)
{
	return genl_register_family(&svcnet_family);
}

void svcnet_genl_uninit(void)
{
	genl_unregister_family(&svcnet_family);
}
