// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the generic netlink family, as documented in uapi/linux/svcnet.h:
 * its operations and multicast group, the check before every request, and
 * DEV_GET. The requests' handlers are in the nl_*.c files.
 */

#include <linux/netdevice.h>
#include <net/sock.h>

#include "netlink.h"

/* Before every doit: no duplicated attribute anywhere in the request. */
static int svcnet_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	const struct nla_policy *policy = ops->policy ?: svcnet_nl_policy;

	return svcnet_nl_check_dups(genlmsg_data(info->genlhdr),
				    genlmsg_len(info->genlhdr), policy,
				    SVCNET_A_MAX,
				    ops->cmd == SVCNET_CMD_APPLY ?
				    SVCNET_A_SERVICE : 0, info->extack);
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
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_FRAGMENTS, s.fragments,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_FAST_PATH, s.fast_path,
			      SVCNET_A_STATS_PAD))
		goto err_cancel;
	drops = nla_nest_start(skb, SVCNET_A_STATS_DROPS);
	if (!drops)
		goto err_cancel;
	for (i = SVCNET_DROP_UNSPEC + 1; i < __SVCNET_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, i, s.drops[i], 0))
			goto err_cancel;
	nla_nest_end(skb, drops);
	if (svcnet_nl_put_tls_stats(skb, SVCNET_A_STATS_TLS, &sd->tls))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int svcnet_nl_put_hash_key(struct sk_buff *skb, struct svcnet_dev *sd)
{
	u8 bytes[SVCNET_HASH_KEY_LEN];

	svcnet_hash_key_put(rtnl_dereference(sd->hash_key), bytes);
	return nla_put(skb, SVCNET_A_HASH_KEY, sizeof(bytes), bytes);
}

/*
 * Whether the sender of @req may read keys: the namespace's admin, as the
 * task and as the socket's opener (a socket handed to a capable program
 * gets nothing). The task is asked first, without an audit record.
 */
static bool svcnet_nl_key_reader(struct net *net, const struct sk_buff *req)
{
	return ns_capable_noaudit(net->user_ns, CAP_NET_ADMIN) &&
	       netlink_ns_capable(req, net->user_ns, CAP_NET_ADMIN);
}

/*
 * A device's DEV_GET reply; with @key (the requester is the namespace's
 * admin, under RTNL) its hash key too.
 */
static int svcnet_nl_fill_dev(struct sk_buff *skb, struct svcnet_dev *sd,
			      u32 portid, u32 seq, int flags, u32 gen,
			      struct netlink_callback *cb, bool key)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &svcnet_nl_family, flags,
			  SVCNET_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (svcnet_nl_put_dev(skb, sd->dev) ||
	    nla_put_u32(skb, SVCNET_A_GENERATION, gen) ||
	    nla_put_u8(skb, SVCNET_A_FAST_PATH, READ_ONCE(sd->fast_path)) ||
	    (key && svcnet_nl_put_hash_key(skb, sd)) ||
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
	rtnl_lock();
	/* deleted meanwhile: its counters are gone */
	if (dev->reg_state != NETREG_REGISTERED)
		err = -ENODEV;
	else
		err = svcnet_nl_fill_dev(msg, netdev_priv(dev),
					 info->snd_portid, info->snd_seq, 0,
					 READ_ONCE(svcnet_pernet(net)->gen),
					 NULL, svcnet_nl_key_reader(net, skb));
	rtnl_unlock();
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

static int svcnet_nl_dev_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *fast = info->attrs[SVCNET_A_FAST_PATH];
	struct nlattr *key = info->attrs[SVCNET_A_HASH_KEY];
	struct net_device *dev;
	struct svcnet_dev *sd;
	int err = 0;

	BUILD_BUG_ON(sizeof(siphash_key_t) != SVCNET_HASH_KEY_LEN);
	if (!fast && !key) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: SVCNET_A_FAST_PATH or SVCNET_A_HASH_KEY");
		return -EINVAL;
	}
	dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	sd = netdev_priv(dev);
	rtnl_lock();
	if (dev->reg_state != NETREG_REGISTERED) {
		err = -ENODEV;	/* deleted meanwhile */
		goto out;
	}
	/* first what can fail */
	if (key) {
		struct svcnet_hash_key *hk;

		hk = svcnet_hash_key_new(nla_data(key), GFP_KERNEL_ACCOUNT);
		err = hk ? svcnet_txn_rekey(sd, hk, info->extack) : -ENOMEM;
		if (err)
			goto out;
	}
	if (fast && sd->fast_path != nla_get_u8(fast)) {
		/* packets under way finish the path they began */
		svcnet_dev_fast_path_set(sd, nla_get_u8(fast));
		svcnet_net_changed(svcnet_pernet(net));
	}
out:
	rtnl_unlock();
	dev_put(dev);
	return err;
}

/* Where a DEV_GET dump goes on, in cb->ctx (before cb->args[5]). */
struct svcnet_nl_dev_dump {
	long next;			/* the devices sent already */
};

static int svcnet_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct svcnet_nl_dev_dump *ctx = (struct svcnet_nl_dev_dump *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	struct svcnet_net *sn = svcnet_pernet(net);
	bool key = svcnet_nl_key_reader(net, cb->skb);
	long idx = 0;
	struct svcnet_dev *sd;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->args) - sizeof(cb->args[5]));
	err = svcnet_nl_dump_first(cb, NULL);
	if (err)
		return err;
	/* RTNL: the devices' keys are written under it */
	rtnl_lock();
	cb->seq = READ_ONCE(sn->gen);
	list_for_each_entry(sd, &sn->devs, list) {
		if (idx >= ctx->next) {
			err = svcnet_nl_fill_dev(skb, sd,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI, cb->seq, cb, key);
			if (err)
				break;
		}
		idx++;
	}
	rtnl_unlock();
	ctx->next = idx;
	/* a full buffer ends this part of the dump, not the dump */
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

static const struct genl_ops svcnet_nl_ops[] = {
	{
		.cmd = SVCNET_CMD_DEV_GET,
		.doit = svcnet_nl_dev_get_doit,
		.dumpit = svcnet_nl_dev_get_dumpit,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_NEW,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_SET,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_DEL,
		.doit = svcnet_nl_service_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_GET,
		.doit = svcnet_nl_service_get_doit,
		.dumpit = svcnet_nl_service_get_dumpit,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_NEW,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_SET,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_DEL,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_GET,
		.start = svcnet_nl_flow_get_start,
		.dumpit = svcnet_nl_flow_get_dumpit,
		.done = svcnet_nl_flow_get_done,
		/* flows show who talks to whom: as conntrack's */
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_DEL,
		.doit = svcnet_nl_flow_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_FLUSH,
		.doit = svcnet_nl_flow_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_CONFIG_GET,
		.doit = svcnet_nl_config_get,
	},
	{
		.cmd = SVCNET_CMD_CONFIG_SET,
		.doit = svcnet_nl_config_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_APPLY,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_DEV_SET,
		.doit = svcnet_nl_dev_set,
		.policy = svcnet_nl_dev_set_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group svcnet_nl_mcgrps[] = {
	{ .name = SVCNET_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family svcnet_nl_family __ro_after_init = {
	.name = SVCNET_GENL_NAME,
	.version = SVCNET_GENL_VERSION,
	.maxattr = SVCNET_A_MAX,
	.policy = svcnet_nl_policy,
	.pre_doit = svcnet_nl_pre_doit,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = svcnet_nl_ops,
	.n_ops = ARRAY_SIZE(svcnet_nl_ops),
	.mcgrps = svcnet_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(svcnet_nl_mcgrps),
	.resv_start_op = 0,
};

int __init svcnet_genl_init(void)
{
	return genl_register_family(&svcnet_nl_family);
}

void svcnet_genl_uninit(void)
{
	genl_unregister_family(&svcnet_nl_family);
}
