// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: flows (dump, delete, flush) and the namespace's configuration.
 */

#include <linux/netdevice.h>
#include <net/sock.h>

#include "netlink.h"

static int svcnet_nl_fill_flow(struct sk_buff *skb, struct svcnet_flow *f,
			       u32 portid, u32 seq)
{
	struct svcnet_tuple fwd, rev;
	struct nlattr *nest;
	u8 family;
	void *hdr;

	svcnet_flow_tuples(f, &fwd, &rev);
	family = fwd.family;
	hdr = genlmsg_put(skb, portid, seq, &svcnet_nl_family, NLM_F_MULTI,
			  SVCNET_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, f->be->svc->sd->dev->ifindex))
		goto err_cancel;
	nest = nla_nest_start(skb, SVCNET_A_FLOW);
	if (!nest)
		goto err_cancel;
	if (nla_put_u8(skb, SVCNET_A_FLOW_PROTO, fwd.proto) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_CLIENT_ADDR, family,
			       &fwd.saddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_CLIENT_PORT, ntohs(fwd.sport)) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_SVC_ADDR, family,
			       &fwd.daddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_SVC_PORT, ntohs(fwd.dport)) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_BE_ADDR, family,
			       &rev.saddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_BE_PORT, ntohs(rev.sport)) ||
	    nla_put_u8(skb, SVCNET_A_FLOW_STATE, READ_ONCE(f->state)) ||
	    nla_put_u32(skb, SVCNET_A_FLOW_EXPIRES,
			svcnet_flow_expires_ms(f)) ||
	    (svcnet_flow_is_snat(f) &&
	     (svcnet_nl_put_addr(skb, SVCNET_A_FLOW_SNAT_ADDR, family,
				 &rev.daddr) ||
	      nla_put_u16(skb, SVCNET_A_FLOW_SNAT_PORT, ntohs(rev.dport)))) ||
	    ((READ_ONCE(f->flags) & SVCNET_FLOW_F_ASSURED) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_ASSURED)) ||
	    ((READ_ONCE(f->flags) & SVCNET_FLOW_F_PICKUP) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_PICKUP)) ||
	    ((READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_TUNNEL)) ||
	    (svcnet_fast_path_direct(READ_ONCE(f->be->svc->sd->fast_path)) &&
	     svcnet_flow_direct(f) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_DIRECT)) ||
	    (svcnet_flow_notrack(f) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_NOTRACK)))
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * A FLOW_GET dump's state, in cb->ctx (before cb->args[5]): the walker,
 * and the device filter's ifindex or 0 (found at the first pass, where an
 * error can still carry its message).
 */
struct svcnet_nl_flow_dump {
	struct rhashtable_iter *iter;
	int only;
};

static struct svcnet_nl_flow_dump *svcnet_nl_flow_dump(struct netlink_callback *cb)
{
	struct svcnet_nl_flow_dump *ctx = (struct svcnet_nl_flow_dump *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->args) - sizeof(cb->args[5]));
	return ctx;
}

int svcnet_nl_flow_get_start(struct netlink_callback *cb)
{
	struct svcnet_nl_flow_dump *ctx = svcnet_nl_flow_dump(cb);
	struct net *net = sock_net(cb->skb->sk);

	ctx->iter = kmalloc(sizeof(*ctx->iter), GFP_KERNEL);
	if (!ctx->iter)
		return -ENOMEM;
	rhltable_walk_enter(&svcnet_pernet(net)->flows, ctx->iter);
	return 0;
}

int svcnet_nl_flow_get_done(struct netlink_callback *cb)
{
	struct svcnet_nl_flow_dump *ctx = svcnet_nl_flow_dump(cb);

	if (ctx->iter) {
		rhashtable_walk_exit(ctx->iter);
		kfree(ctx->iter);
	}
	return 0;
}

int svcnet_nl_flow_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct svcnet_nl_flow_dump *ctx = svcnet_nl_flow_dump(cb);
	struct rhashtable_iter *iter = ctx->iter;
	struct svcnet_flow *f;
	int err = 0;

	err = svcnet_nl_dump_first(cb, &ctx->only);
	if (err)
		return err;
	rhashtable_walk_start(iter);
	/* the flow that did not fit last time comes first */
	for (f = rhashtable_walk_peek(iter); f; f = rhashtable_walk_next(iter)) {
		if (IS_ERR(f)) {
			if (PTR_ERR(f) == -EAGAIN)
				continue;
			err = PTR_ERR(f);
			break;
		}
		/* a retired flow's device may be gone */
		if (!svcnet_flow_live(f))
			continue;
		if (ctx->only && f->be->svc->sd->dev->ifindex != ctx->only)
			continue;
		err = svcnet_nl_fill_flow(skb, f, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq);
		if (err)
			break;
	}
	rhashtable_walk_stop(iter);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

int svcnet_nl_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[SVCNET_A_FLOW];
	struct nlattr *tb[SVCNET_A_FLOW_MAX + 1];
	struct svcnet_tuple t = {};
	struct svcnet_flow *f;
	u8 family2;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_FLOW");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCNET_A_FLOW_MAX, nest, svcnet_nl_flow_policy,
			       info->extack);
	if (err)
		return err;
	if (!SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_PROTO) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb,
			       SVCNET_A_FLOW_CLIENT_ADDR) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb,
			       SVCNET_A_FLOW_CLIENT_PORT) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_SVC_ADDR) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_SVC_PORT))
		return -EINVAL;
	svcnet_nl_get_addr(tb[SVCNET_A_FLOW_CLIENT_ADDR], &t.family, &t.saddr);
	svcnet_nl_get_addr(tb[SVCNET_A_FLOW_SVC_ADDR], &family2, &t.daddr);
	if (family2 != t.family) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_FLOW_SVC_ADDR],
				    "client and service address families differ");
		return -EINVAL;
	}
	t.proto = nla_get_u8(tb[SVCNET_A_FLOW_PROTO]);
	t.sport = htons(nla_get_u16(tb[SVCNET_A_FLOW_CLIENT_PORT]));
	t.dport = htons(nla_get_u16(tb[SVCNET_A_FLOW_SVC_PORT]));
	rcu_read_lock();
	f = svcnet_flow_lookup_fwd(sn, &t);
	if (f)
		svcnet_flow_remove(sn, f);
	rcu_read_unlock();
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "no such flow");
		return -ENOENT;
	}
	return 0;
}

int svcnet_nl_flow_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *tb[SVCNET_A_SVC_MAX + 1];
	struct svcnet_service *svc = NULL;
	struct svcnet_dev *sd = NULL;
	struct net_device *dev;
	unsigned int purged;

	rtnl_lock();
	if (info->attrs[SVCNET_A_SERVICE]) {
		svc = svcnet_nl_get_service(info, tb, &sd);
		if (IS_ERR(svc)) {
			rtnl_unlock();
			return PTR_ERR(svc);
		}
	} else if (info->attrs[SVCNET_A_IFINDEX] ||
		   info->attrs[SVCNET_A_IFNAME]) {
		dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
		if (IS_ERR(dev)) {
			rtnl_unlock();
			return PTR_ERR(dev);
		}
		dev_put(dev);
		sd = netdev_priv(dev);
	}
	/* RTNL keeps the service and the device */
	purged = svcnet_flow_flush(svcnet_pernet(net), sd, svc);
	svcnet_nl_notify_flush(net, sd, svc, purged);
	rtnl_unlock();
	return 0;
}

static const u8 svcnet_cfg_timeouts[][2] = {
	{ SVCNET_A_CFG_TIMEOUT_TCP_SYN, SVCNET_FLOW_TCP_SYN },
	{ SVCNET_A_CFG_TIMEOUT_TCP_EST, SVCNET_FLOW_TCP_EST },
	{ SVCNET_A_CFG_TIMEOUT_TCP_FIN, SVCNET_FLOW_TCP_FIN },
	{ SVCNET_A_CFG_TIMEOUT_TCP_CLOSE, SVCNET_FLOW_TCP_CLOSE },
	{ SVCNET_A_CFG_TIMEOUT_UDP, SVCNET_FLOW_UDP },
};

int svcnet_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	u32 ports = READ_ONCE(sn->cfg.snat_ports);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcnet_nl_family, 0,
				SVCNET_CMD_CONFIG_GET);
	if (!hdr)
		goto err_free;
	nest = nla_nest_start(msg, SVCNET_A_CONFIG);
	if (!nest)
		goto err_free;
	if (nla_put_u32(msg, SVCNET_A_CFG_FLOW_MAX, READ_ONCE(sn->cfg.flow_max)) ||
	    nla_put_u32(msg, SVCNET_A_CFG_FLOW_COUNT,
			svcnet_flow_count(sn)) ||
	    nla_put_u32(msg, SVCNET_A_CFG_AFFINITY_COUNT,
			atomic_read(&sn->affinity_count)) ||
	    nla_put_u64_64bit(msg, SVCNET_A_CFG_FLOWS_EVICTED,
			      atomic64_read(&sn->flows_evicted),
			      SVCNET_A_CFG_UNSPEC) ||
	    nla_put_u32(msg, SVCNET_A_CFG_SNAT_PORT_MIN, ports & 0xffff) ||
	    nla_put_u32(msg, SVCNET_A_CFG_SNAT_PORT_MAX, ports >> 16))
		goto err_free;
	for (i = 0; i < ARRAY_SIZE(svcnet_cfg_timeouts); i++)
		if (nla_put_u32(msg, svcnet_cfg_timeouts[i][0],
				READ_ONCE(sn->cfg.timeout[svcnet_cfg_timeouts[i][1]])))
			goto err_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int svcnet_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[SVCNET_A_CONFIG];
	struct nlattr *tb[SVCNET_A_CFG_MAX + 1];
	u32 min, max;
	int err, i;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_CONFIG");
		return -EINVAL;
	}
	/* every attribute is checked before anything changes */
	err = nla_parse_nested(tb, SVCNET_A_CFG_MAX, nest, svcnet_nl_cfg_policy,
			       info->extack);
	if (err)
		return err;
	rtnl_lock();
	min = tb[SVCNET_A_CFG_SNAT_PORT_MIN] ?
	      nla_get_u32(tb[SVCNET_A_CFG_SNAT_PORT_MIN]) :
	      sn->cfg.snat_ports & 0xffff;
	max = tb[SVCNET_A_CFG_SNAT_PORT_MAX] ?
	      nla_get_u32(tb[SVCNET_A_CFG_SNAT_PORT_MAX]) :
	      sn->cfg.snat_ports >> 16;
	if (min > max) {
		rtnl_unlock();
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[SVCNET_A_CFG_SNAT_PORT_MIN] ?:
				    tb[SVCNET_A_CFG_SNAT_PORT_MAX],
				    "the source NAT range's minimum is above its maximum");
		return -EINVAL;
	}
	WRITE_ONCE(sn->cfg.snat_ports, SVCNET_SNAT_PORTS(min, max));
	if (tb[SVCNET_A_CFG_FLOW_MAX])
		WRITE_ONCE(sn->cfg.flow_max,
			   nla_get_u32(tb[SVCNET_A_CFG_FLOW_MAX]));
	for (i = 0; i < ARRAY_SIZE(svcnet_cfg_timeouts); i++)
		if (tb[svcnet_cfg_timeouts[i][0]])
			WRITE_ONCE(sn->cfg.timeout[svcnet_cfg_timeouts[i][1]],
				   nla_get_u32(tb[svcnet_cfg_timeouts[i][0]]));
	svcnet_net_changed(sn);
	rtnl_unlock();
	return 0;
}
