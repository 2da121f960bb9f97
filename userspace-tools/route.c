// SPDX-License-Identifier: GPL-2.0
/*
 * The host route that sends a service address into its svcnet device.
 * svcnet adds it with protocol SVCNET_RTPROT when no route into the device
 * covers the address yet, and removes only routes of that protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "parse.h"
#include "route.h"

static int oif_attr_cb(const struct nlattr *attr, void *data)
{
	uint32_t *oif = data;

	if (mnl_attr_get_type(attr) == RTA_OIF &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		*oif = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int oif_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct rtmsg), oif_attr_cb, data);
}

static struct nlmsghdr *route_msg(struct ipc *ipc, uint16_t type,
				  uint16_t flags, const struct addr *a)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ipc->buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++ipc->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = a->family;
	rtm->rtm_dst_len = a->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, addr_len(a), a->raw);
	return nlh;
}

int route_ensure(const struct addr *a, unsigned int ifindex, bool *added)
{
	struct nlmsghdr *nlh;
	uint32_t oif = 0;
	struct rtmsg *rtm;
	struct ipc ipc;
	int ret;

	*added = false;
	ret = ipc_open_route(&ipc);
	if (ret)
		return ret;
	nlh = route_msg(&ipc, RTM_GETROUTE, 0, a);
	/* no route at all is not an error here */
	if (!ipc_run_quiet(&ipc, nlh, oif_cb, &oif) && oif == ifindex)
		goto out;
	nlh = route_msg(&ipc, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, a);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = SVCNET_RTPROT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	if (!ret)
		*added = true;
out:
	ipc_close(&ipc);
	return ret;
}

int route_release(const struct addr *a, unsigned int ifindex)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct ipc ipc;
	int ret;

	ret = ipc_open_route(&ipc);
	if (ret)
		return ret;
	nlh = route_msg(&ipc, RTM_DELROUTE, 0, a);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = SVCNET_RTPROT;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	ret = ipc_run_quiet(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	/* a route the user made, or none: not ours to remove */
	if (ret == ESRCH || ret == ENOENT)
		ret = 0;
	if (ret)
		fprintf(stderr, "svcnet: cannot remove the route to the service: %s\n",
			strerror(ret));
	return ret ? EXIT_KERNEL : EXIT_OK;
}
