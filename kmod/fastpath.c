// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the fast path of established flows of forwarded clients.
 *
 * A packet from another host or namespace towards a service address is
 * routed into svc0, translated in its transmit and sent again through the
 * output path: two trips through the stack. Once its flow exists, the
 * packets after it take one: a hook at NF_INET_PRE_ROUTING, after
 * connection tracking (SVCNET_NF_PRIORITY_FORWARD), rewrites the
 * destination to the flow's backend, and the kernel routes and forwards
 * the packet there as it would after iptables' DNAT: FORWARD and
 * POST_ROUTING see it once, with the backend's address. Conntrack has
 * already seen the packet with the service address, so the connection it
 * tracks stays client -> service, its reply service -> client (the reverse
 * hook before conntrack rewrites the backend's replies).
 *
 * A flow whose client is source NATed (snat, hairpin, port clash) or that
 * goes in a tunnel (SVCNET_FORWARD_TUNNEL) cannot be forwarded so: its
 * packets leave as this host's own, the short way of fastpath_out.c.
 *
 * The device stays where services are decided: a new flow (a TCP SYN, a
 * first datagram) goes through svc0, and so does every packet that the
 * fast path cannot take exactly as svc0 would:
 *  - one that came in by another device than the flow's last packet
 *    through svc0 (a host socket's flow: none), which the input path's
 *    source checks (martians, rp_filter) passed;
 *  - routing would not send it into svc0, or would send the rewritten
 *    packet into an svcnet device (a loop, which svc0 drops), to this host
 *    (a loopback backend is no input route), or out by the device it came
 *    in by (forwarding would send the client an ICMP redirect naming the
 *    backend). Where only destinations choose routes, the service's entry
 *    route and the backend's route (route.c) are kept, and neither is
 *    valid after a change of routes or addresses; with policy routing
 *    rules, IPv6 source routes or a TOS, or a backend's route of several
 *    next hops, the packet is routed to both as the input path will, then
 *    routed by it again after every hook;
 *  - IPsec policies exist, or the packet was IPsec;
 *  - the device is down, or its fast path is off (SVCNET_CMD_DEV_SET);
 *  - anything but TCP or UDP, fragments (reassembled before this hook
 *    unless they are late), a packet that already has a route;
 *  - a connection conntrack has just made (its flow's connection expired
 *    or was deleted there): NAT decides its mappings in later hooks, which
 *    must see it as they saw the flow's first packet;
 *  - a bridged frame for another station (br_netfilter), which its bridge
 *    forwards.
 * The packets of a flow conntrack never sees (notrack mode) are taken
 * after every other PRE_ROUTING hook instead (nat.c), which then see them
 * first: no conntrack or NAT decision is left to wait for.
 * Every packet is counted as svc0's transmit and by its service and
 * backend, as through svc0; the fast path's own count is
 * SVCNET_A_STATS_FAST_PATH. As conntrack, the flow's state follows the
 * packet here, before FORWARD's rules.
 */

#include <linux/netfilter_bridge.h>
#include <net/dst.h>
#include <net/ip6_route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "pkt.h"

/*
 * Whether conntrack has just made @skb's connection: NAT decides a new
 * connection's mappings in the hooks after this one, on the packet as
 * they see it (a MASQUERADE rule at POST_ROUTING would take one that
 * forwarding sends to the backend). Its packet goes through svc0, where
 * they see it with the service address, as the flow's first did: a flow
 * whose connection conntrack forgot (expired, deleted) resumes so.
 */
static bool svcnet_fast_ct_new(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct && !nf_ct_is_confirmed(ct);
}

/*
 * Whether @skb is a frame for another station that br_netfilter shows the
 * IP hooks (as PACKET_HOST): its bridge forwards it and routing never
 * sends it into svc0; rewritten, it would be routed to the backend as
 * after a DNAT rule, taken from the station it was for.
 */
static bool svcnet_fast_otherhost(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	const struct nf_bridge_info *nf_bridge = nf_bridge_info_get(skb);

	return nf_bridge && nf_bridge->pkt_otherhost;
#else
	return false;
#endif
}

/* Whether @dst forwards onward: not here, nor into svcnet, nor out by @in. */
static bool svcnet_fast_dst_onward(const struct dst_entry *dst, u8 family,
				   const struct net_device *in)
{
	if (family == AF_INET) {
		if (((const struct rtable *)dst)->rt_type != RTN_UNICAST)
			return false;
	} else if (((const struct rt6_info *)dst)->rt6i_flags &
		   (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)) {
		return false;
	}
	return dst->dev != in && !svcnet_is_dev(dst->dev);
}

/*
 * Under RCU, where routing may depend on more than the destination (policy
 * rules, IPv6 source routes, a TOS): route @skb as the input path will, to
 * the service address and, rewritten, to the backend; the input path then
 * routes it again after every hook. 0: rewritten to @be; 1: left as it was
 * (for svc0); -1: malformed.
 */
static int svcnet_fast_route_full(struct sk_buff *skb,
				  const struct svcnet_pkt *p,
				  struct svcnet_dev *sd,
				  const struct svcnet_backend *be)
{
	u8 family = p->t.family;
	struct dst_entry *dst;
	bool ok;

	dst = svcnet_route_input(skb, family);
	if (!dst)
		return 1;
	ok = dst->dev == sd->dev;
	dst_release(dst);
	if (!ok)
		return 1;
	if (svcnet_rewrite(skb, p, true, &be->addr, be->port))
		return -1;
	dst = svcnet_route_input(skb, family);
	ok = dst && svcnet_fast_dst_onward(dst, family, skb->dev);
	if (dst)
		dst_release(dst);
	if (ok)
		return 0;
	/* as it came: svc0 decides (a loop, no route, this host) */
	return svcnet_rewrite(skb, p, true, &p->t.daddr, p->t.dport) ? -1 : 1;
}

/*
 * Under RCU, at PRE_ROUTING: take @skb, parsed into @p (TCP or UDP), of
 * flow @f the fast way if it may go so (see above). NF_STOLEN: taken the
 * short way of fastpath_out.c; NF_ACCEPT: rewritten for the input path to
 * route, or left for svc0; NF_DROP: malformed.
 */
unsigned int svcnet_fast_flow(struct net *net, struct sk_buff *skb,
			      const struct svcnet_pkt *p, struct svcnet_flow *f)
{
	struct svcnet_service *svc;
	struct svcnet_backend *be;
	struct svcnet_dev *sd;
	int ret;

	if (skb_dst(skb) || svcnet_fast_ct_new(skb) ||
	    svcnet_fast_otherhost(skb) ||
	    (p->t.proto == IPPROTO_TCP && p->syn && !p->ack) ||
	    READ_ONCE(f->iif) != skb->dev->ifindex)
		return NF_ACCEPT;
	be = f->be;
	svc = be->svc;
	sd = svc->sd;
	if (!READ_ONCE(sd->fast_path) || !netif_running(sd->dev) ||
	    svcnet_fast_ipsec(net, skb))
		return NF_ACCEPT;
	/* source NATed or in a tunnel: it leaves as this host's own */
	if (svcnet_flow_own(f))
		return svcnet_fast_out(net, skb, p, f);
	ret = svcnet_route_by_daddr(net, skb, p->t.family) ?
	      svcnet_route_fast(be, skb->dev) : SVCNET_FAST_LOOKUP;
	if (ret == SVCNET_FAST_NO)
		return NF_ACCEPT;
	if (ret == SVCNET_FAST_KEPT)
		ret = svcnet_rewrite(skb, p, true, &be->addr, be->port) ? -1 : 0;
	else
		ret = svcnet_fast_route_full(skb, p, sd, be);
	if (ret > 0)
		return NF_ACCEPT;
	if (ret < 0) {
		svcnet_stats_drop(sd, SVCNET_DROP_MALFORMED);
		return NF_DROP;
	}
	svcnet_flow_touch(svcnet_pernet(net), f, svcnet_track(f, p, false));
	svcnet_lbstats_add(svc->stats, true, skb->len);
	svcnet_lbstats_add(be->stats, true, skb->len);
	svcnet_stats_tx_fast(sd, skb->len);
	return NF_ACCEPT;
}

unsigned int svcnet_fast_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct svcnet_net *sn = svcnet_pernet(state->net);
	struct svcnet_flow *f;
	struct svcnet_pkt p;

	if (!atomic_read(&sn->flow_count) || skb_dst(skb) ||
	    svcnet_fast_ct_new(skb) || svcnet_fast_otherhost(skb))
		return NF_ACCEPT;
	if (svcnet_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			 &p) ||
	    (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP) ||
	    (p.t.proto == IPPROTO_TCP && p.syn && !p.ack))
		return NF_ACCEPT;
	f = svcnet_flow_lookup_fwd(sn, &p.t);
	/* a flow conntrack never sees: the last hook's (nat.c) */
	if (!f || svcnet_flow_notrack(f))
		return NF_ACCEPT;
	return svcnet_fast_flow(state->net, skb, &p, f);
}
