// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: events, multicast to SVCNET_GENL_MCGRP_EVENTS in the device's
 * namespace after each change.
 */

#include <linux/netdevice.h>

#include "netlink.h"

static int svcnet_nl_put_svc_key(struct sk_buff *skb,
				 const struct svcnet_service *svc)
{
	struct nlattr *nest = nla_nest_start(skb, SVCNET_A_SERVICE);

	if (!nest ||
	    svcnet_nl_put_addr(skb, SVCNET_A_SVC_ADDR, svc->key.family,
			       &svc->key.addr) ||
	    nla_put_u16(skb, SVCNET_A_SVC_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, SVCNET_A_SVC_PROTO, svc->key.proto) ||
	    nla_put_u8(skb, SVCNET_A_SVC_SCHED, svc->sched) ||
	    nla_put_u32(skb, SVCNET_A_SVC_MAGLEV_SIZE, svc->maglev_size))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int svcnet_nl_put_be_event(struct sk_buff *skb,
				  const struct svcnet_service *svc,
				  const struct svcnet_backend *be)
{
	struct nlattr *nest = nla_nest_start(skb, SVCNET_A_BACKEND);

	if (!nest ||
	    svcnet_nl_put_addr(skb, SVCNET_A_BE_ADDR, svc->key.family,
			       &be->addr) ||
	    nla_put_u16(skb, SVCNET_A_BE_PORT, ntohs(be->port)) ||
	    nla_put_u16(skb, SVCNET_A_BE_WEIGHT, be->weight) ||
	    (be->draining && !be->removed &&
	     nla_put_u32(skb, SVCNET_A_BE_DRAIN, svcnet_drain_left(be))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One event: the device (none for a flush of every device), the
 * generation (not for a flush, which changes no configuration), the
 * service and backend concerned, flows purged (@purged >= 0).
 */
static void svcnet_nl_event(struct net *net, u8 cmd, struct svcnet_dev *sd,
			    struct svcnet_service *svc,
			    struct svcnet_backend *be, long purged)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&svcnet_nl_family, net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &svcnet_nl_family, 0, cmd);
	if (!hdr ||
	    (sd && svcnet_nl_put_dev(skb, sd->dev)) ||
	    (cmd != SVCNET_CMD_FLOW_FLUSH &&
	     nla_put_u32(skb, SVCNET_A_GENERATION, svcnet_pernet(net)->gen)) ||
	    (svc && svcnet_nl_put_svc_key(skb, svc)) ||
	    (be && svcnet_nl_put_be_event(skb, svc, be)) ||
	    (purged >= 0 && nla_put_u32(skb, SVCNET_A_PURGED, purged)))
		goto err_free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&svcnet_nl_family, net, skb, 0, 0, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(skb);
}

void svcnet_nl_notify(u8 cmd, struct svcnet_dev *sd,
		      struct svcnet_service *svc, struct svcnet_backend *be,
		      long purged)
{
	ASSERT_RTNL();
	if (sd)
		svcnet_nl_event(dev_net(sd->dev), cmd, sd, svc, be, purged);
}

/* A flush of every device has no device to name: @sd is NULL. */
void svcnet_nl_notify_flush(struct net *net, struct svcnet_dev *sd,
			    struct svcnet_service *svc, unsigned int purged)
{
	svcnet_nl_event(net, SVCNET_CMD_FLOW_FLUSH, sd, svc, NULL, purged);
}
