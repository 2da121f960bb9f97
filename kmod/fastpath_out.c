// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the fast path of established flows that leave as this host's own
 * packets: source NATed ones (SVCNET_FORWARD_SNAT, a hairpin, a port
 * clash) and tunnelled ones (SVCNET_FORWARD_TUNNEL).
 *
 * Through svc0, a forwarded client's packet of such a flow is forwarded
 * into the device (FORWARD sees it with the service address and svc0 as
 * its output device), translated or put in a tunnel by svc0's transmit and
 * sent by the output path (OUTPUT and POSTROUTING, with the backend's
 * address): forwarding cannot take it to the backend itself, since its
 * source becomes this host's or it goes inside another packet. Once its
 * flow exists, fastpath.c's hook at NF_INET_PRE_ROUTING (or, for a flow
 * conntrack never sees, nat.c's last hook there) hands it here,
 * and what forwarding into svc0 would do is done here, up to and with
 * FORWARD's hook: its checks (forwarding on, a TTL left, the packet fits
 * svc0's MTU), the TTL decremented, FORWARD's hook run with svc0 as the
 * output device and its route as the packet's; then what svc0's transmit
 * does. Skipped: POSTROUTING with svc0 as the output device, svc0's
 * queueing discipline, and PRE_ROUTING's hooks after
 * SVCNET_NF_PRIORITY_FORWARD (on a connection conntrack has confirmed,
 * destination NAT has nothing to do); a flow conntrack never sees (notrack
 * mode) comes here after every PRE_ROUTING hook (nat.c).
 *
 * An IPv4 packet is routed here as the input path would route it, its
 * source checked (martians, rp_filter); an IPv6 one, whose routing checks
 * no source, takes the service's kept route into svc0 (route.c) where
 * only destinations choose routes, and is routed in full otherwise.
 * Besides what fastpath.c leaves to svc0, these go through it: a packet
 * routing would not send into svc0 (or, IPv6, whose kept route does not
 * hold: the routes changed since); IP options or IPv6 extension headers,
 * a TTL that would expire, a packet larger than svc0's MTU, a reassembled
 * datagram, LRO, a packet for another host's link layer, bridged
 * (br_netfilter) or with a socket, and a namespace or device that does not
 * forward.
 *
 * Direct (SVCNET_FAST_PATH_DIRECT): a packet of such a flow that FORWARD
 * accepted, this way or on its way into the device, its TCP connection
 * established, lets the flow's packets of the next SVCNET_DIRECT_SECONDS
 * go directly (SVCNET_FLOW_F_DIRECT, svcnet_flow.direct_until): the
 * reverse-NAT hook, before conntrack, hands them to svcnet_fast_direct(),
 * which checks what the input route lookup and forwarding would (where
 * only destinations choose routes, the service's kept route into the
 * device, whose routing generation stands for the source checks the last
 * packet through FORWARD passed; otherwise the packet routed in full, as
 * above; forwarding on; the checks above) and sends them as the way above
 * does, untracked. Conntrack's TCP connection becomes liberal (it no longer
 * sees every segment of the client), as under an nftables flowtable, whose
 * conditions arming asks too.
 */

#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_extend.h>
#include <net/route.h>

#include "pkt.h"

/*
 * Under RCU: whether forwarding would take @skb, parsed into @p, into the
 * device by its route @dst as it is now.
 */
static bool svcnet_fast_out_forwards(struct net *net, struct sk_buff *skb,
				     const struct svcnet_pkt *p,
				     const struct dst_entry *dst)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int mtu;

	if (skb->pkt_type != PACKET_HOST || skb->sk ||
	    (shinfo->gso_size && !shinfo->gso_type))	/* LRO */
		return false;
	if (p->t.family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->ihl != sizeof(*iph) >> 2 || iph->ttl <= 1 ||
		    IPCB(skb)->frag_max_size)
			return false;
		mtu = ip_dst_mtu_maybe_forward(dst, true);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		const struct ipv6_devconf *cnf = net->ipv6.devconf_all;

		if (!READ_ONCE(cnf->forwarding) || READ_ONCE(cnf->proxy_ndp) ||
		    ip6h->nexthdr != p->t.proto || ip6h->hop_limit <= 1 ||
		    IP6CB(skb)->frag_max_size)
			return false;
		mtu = ip6_dst_mtu_maybe_forward(dst, true);
	}
	return skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu) :
				 skb->len <= mtu;
}

/*
 * Under RCU: the route that forwards @skb into @svc's device, set as its
 * route; or NULL. An IPv4 packet is routed as the input path does, which
 * checks its source (martians, rp_filter) and that its device forwards.
 * IPv6 routing checks no source: where only destinations choose routes,
 * the service's kept route into the device will do (route.c), otherwise
 * the packet is routed in full. On the direct path (@direct) the kept
 * route serves IPv4 too where it may (see above).
 */
static struct dst_entry *svcnet_fast_out_route(struct net *net,
					       struct sk_buff *skb,
					       const struct svcnet_pkt *p,
					       struct svcnet_service *svc,
					       bool direct)
{
	struct svcnet_dev *sd = svc->sd;
	const struct iphdr *iph;
	struct dst_entry *dst;

	if ((direct || p->t.family == AF_INET6) &&
	    svcnet_route_by_daddr(net, skb, p->t.family)) {
		dst = svcnet_route_entry(svc);
		if (!dst || dst->dev != sd->dev)
			return NULL;
		skb_dst_set_noref(skb, dst);
		return dst;
	}
	if (p->t.family == AF_INET6) {
		dst = svcnet_route_input(skb, AF_INET6);
		if (!dst)
			return NULL;
		if (dst->dev != sd->dev || ((struct rt6_info *)dst)->rt6i_flags &
		    (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)) {
			dst_release(dst);
			return NULL;
		}
		skb_dst_set(skb, dst);
		return dst;
	}
	iph = ip_hdr(skb);
	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev))
		return NULL;
	dst = skb_dst(skb);
	if (dst && dst->dev == sd->dev && !dst->error &&
	    ((struct rtable *)dst)->rt_type == RTN_UNICAST)
		return dst;
	return NULL;
}

/*
 * Whether conntrack's connection @ct (of a packet FORWARD accepted) lets
 * the flow of @f skip conntrack for a while, as an nftables flowtable asks:
 * confirmed, no helper, no sequence adjustment nor NAT of conntrack's own;
 * a source NATed TCP connection established both ways (conntrack sees its
 * replies; a tunnel's bypass this host).
 */
static bool svcnet_fast_direct_ct(const struct nf_conn *ct,
				  const struct svcnet_flow *f)
{
	if (!nf_ct_is_confirmed(ct) || nf_ct_ext_exist(ct, NF_CT_EXT_HELPER) ||
	    (ct->status & (IPS_SEQ_ADJUST | IPS_NAT_MASK | IPS_NAT_CLASH)))
		return false;
	if (nf_ct_protonum(ct) != IPPROTO_TCP || !svcnet_flow_is_snat(f))
		return true;
	return ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED &&
	       test_bit(IPS_ASSURED_BIT, &ct->status);
}

/*
 * Where more than destinations choose routes, the direct path routes @skb
 * in full at SVCNET_NF_PRIORITY, before mangle sets marks or DSCP: only a
 * packet with neither is routed there as it would be after mangle (arming
 * asks it of the packet mangle has seen).
 */
static bool svcnet_fast_direct_plain(struct net *net,
				     const struct sk_buff *skb, u8 family)
{
	u8 ds;

	if (svcnet_route_by_daddr(net, skb, family))
		return true;
	if (skb->mark)
		return false;
	ds = family == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
				 ipv6_get_dsfield(ipv6_hdr(skb));
	return !(ds & ~INET_ECN_MASK);
}

/*
 * Under RCU: @skb, parsed into @p, of @f, in state @state after it, was
 * just accepted by FORWARD (its hook run here: @hooked; or on its way into
 * the device, which its conntrack connection must tell); on a
 * device whose fast path is direct, the packets of a flow that leaves as
 * this host's own may go directly for the next SVCNET_DIRECT_SECONDS, once
 * its TCP connection is established. Its connection in conntrack, if any,
 * is tracked liberally from then on. The service's route into the device is kept anew if the routes
 * changed (the direct path checks it; an IPv4 flow's packets here need not
 * go through the device, which keeps it).
 */
void svcnet_fast_direct_arm(struct net *net, struct sk_buff *skb,
			    const struct svcnet_pkt *p, struct svcnet_flow *f,
			    u8 state, bool hooked)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	if (!svcnet_fast_path_direct(READ_ONCE(f->be->svc->sd->fast_path)) ||
	    !svcnet_flow_own(f))
		return;
	if (p->t.proto == IPPROTO_TCP &&
	    (state != SVCNET_FLOW_TCP_EST || p->syn || p->fin || p->rst ||
	     !p->ack))
		return;
	if (!svcnet_fast_direct_plain(net, skb, p->t.family))
		return;
	/*
	 * Where FORWARD's hook ran here (@hooked), it accepted the packet;
	 * in the device's transmit, conntrack's connection in its original
	 * direction tells that it was forwarded (a copy by TEE or a redirect
	 * by tc has none)
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct && !hooked)
		return;
	if (ct && (CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL ||
		   !svcnet_fast_direct_ct(ct, f)))
		return;
	if (ct && nf_ct_protonum(ct) == IPPROTO_TCP &&
	    !(READ_ONCE(ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags) &
	      IP_CT_TCP_FLAG_BE_LIBERAL)) {
		spin_lock_bh(&ct->lock);
		ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags |=
			IP_CT_TCP_FLAG_BE_LIBERAL;
		ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |=
			IP_CT_TCP_FLAG_BE_LIBERAL;
		spin_unlock_bh(&ct->lock);
	}
	if (svcnet_route_by_daddr(net, skb, p->t.family))
		svcnet_route_entry_seen(net, f->be->svc);
	svcnet_track_direct(f, true);
}

/*
 * Under RCU: what svc0's transmit does with @skb, parsed into @p, of flow
 * @f: counted, put in a tunnel or translated, routed to the backend, sent.
 * @forwarded: FORWARD's hook just accepted it (not the direct path).
 */
static void svcnet_fast_out_send(struct net *net, struct sk_buff *skb,
				 const struct svcnet_pkt *p,
				 struct svcnet_flow *f, bool forwarded)
{
	struct svcnet_backend *be = f->be;
	struct svcnet_dev *sd = be->svc->sd;
	unsigned int len;
	u8 state;
	int reason;

	state = svcnet_track(f, p, false);
	svcnet_flow_touch(svcnet_pernet(net), f, state);
	if (forwarded)
		svcnet_fast_direct_arm(net, skb, p, f, state, true);
	/* a received packet's time stamp is no time to send it at */
	skb_clear_tstamp(skb);
	if (!(READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL) &&
	    svcnet_rewrite_flow(skb, p, f)) {
		svcnet_stats_drop(sd, SVCNET_DROP_MALFORMED);
		kfree_skb(skb);
		return;
	}
	len = skb->len;
	svcnet_lbstats_add(be->svc->stats, true, len);
	svcnet_lbstats_add(be->stats, true, len);
	if (READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL)
		reason = svcnet_tunnel_encap(net, skb, p, be, false,
					     svcnet_flow_notrack(f));
	else
		reason = svcnet_route(net, skb, p, be, false);
	if (reason) {
		svcnet_stats_drop(sd, reason);
		kfree_skb(skb);
		return;
	}
	svcnet_stats_tx_fast(sd, len);
	if (p->t.family == AF_INET)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
}

/*
 * A packet FORWARD's hook let pass later (from a queue): its flow is
 * looked up again; gone meanwhile, the packet goes too.
 */
static int svcnet_fast_out_okfn(struct net *net, struct sock *sk,
				struct sk_buff *skb)
{
	u8 family = skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6;
	struct svcnet_flow *f;
	struct svcnet_pkt p;

	rcu_read_lock();
	if (svcnet_parse(skb, family, &p)) {
		f = NULL;
	} else {
		f = svcnet_flow_lookup_fwd(svcnet_pernet(net), &p.t);
		if (f && !svcnet_flow_own(f))
			f = NULL;
	}
	if (f)
		svcnet_fast_out_send(net, skb, &p, f, true);
	else
		kfree_skb(skb);
	rcu_read_unlock();
	return 0;
}

/*
 * Under RCU: route @skb, parsed into @p, to @svc into its device and make
 * it what forwarding would (a header of its own, the TTL decremented) if
 * forwarding would take it there as it is; for FORWARD's hook, or with
 * @direct for the direct path. False: left as it was, for svc0.
 */
static bool svcnet_fast_out_ready(struct net *net, struct sk_buff *skb,
				  const struct svcnet_pkt *p,
				  struct svcnet_service *svc, bool direct)
{
	u8 family = p->t.family;
	struct dst_entry *dst;
	u16 flags;

	/* an IPv4 lookup may ask for a redirect: the input path's asks */
	flags = family == AF_INET ? IPCB(skb)->flags : 0;
	dst = svcnet_fast_out_route(net, skb, p, svc, direct);
	if (!dst || !svcnet_fast_out_forwards(net, skb, p, dst) ||
	    skb_cow(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len)) {
		/* for svc0: the input path routes it again after the hooks */
		skb_dst_drop(skb);
		if (family == AF_INET)
			IPCB(skb)->flags = flags;
		return false;
	}
	skb_forward_csum(skb);
	if (family == AF_INET) {
		ip_decrease_ttl(ip_hdr(skb));
		if (READ_ONCE(net->ipv4.sysctl_ip_fwd_update_priority))
			skb->priority = rt_tos2priority(ip_hdr(skb)->tos);
	} else {
		ipv6_hdr(skb)->hop_limit--;
	}
	return true;
}

/*
 * Under RCU, from fastpath.c's hook: take @skb, parsed into @p, of flow @f
 * (established, come in by the device its last packet through svc0 came
 * in by) the short way if forwarding would take it into svc0 as it is.
 * NF_STOLEN: taken (sent or dropped); NF_ACCEPT: for svc0.
 */
unsigned int svcnet_fast_out(struct net *net, struct sk_buff *skb,
			     const struct svcnet_pkt *p, struct svcnet_flow *f)
{
	struct svcnet_dev *sd = f->be->svc->sd;
	u8 family = p->t.family;

	if (!svcnet_flow_own(f) || svcnet_skb_bridged(skb) ||
	    !svcnet_fast_out_ready(net, skb, p, f->be->svc, false))
		return NF_ACCEPT;
	if (nf_hook(family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6,
		    NF_INET_FORWARD, net, NULL, skb, skb->dev, sd->dev,
		    svcnet_fast_out_okfn) == 1)
		svcnet_fast_out_send(net, skb, p, f, true);
	return NF_STOLEN;
}

/*
 * Under RCU: whether @skb's input device forwards IPv4 (IPv6's switch is
 * the namespace's, svcnet_fast_out_forwards() reads it).
 */
static bool svcnet_fast_direct_forwarding(const struct sk_buff *skb,
					  u8 family)
{
	struct in_device *in_dev;

	if (family == AF_INET6)
		return true;
	in_dev = __in_dev_get_rcu(skb->dev);
	return in_dev && IN_DEV_FORWARD(in_dev);
}

/*
 * Under RCU, from the reverse-NAT hook at NF_INET_PRE_ROUTING, before
 * conntrack: take @skb, parsed into @p, of flow @f directly to its backend
 * if the flow may go so (see above) and forwarding would take the packet
 * into the device as it is: true when taken (sent or dropped), false when
 * the packet goes on through conntrack and the fast path or the device.
 */
bool svcnet_fast_direct(struct net *net, struct sk_buff *skb,
			const struct svcnet_pkt *p, struct svcnet_flow *f)
{
	struct svcnet_dev *sd = f->be->svc->sd;
	u8 family = p->t.family;

	if (!svcnet_flow_direct(f) ||
	    !svcnet_fast_path_direct(READ_ONCE(sd->fast_path)) ||
	    !netif_running(sd->dev) ||
	    READ_ONCE(f->iif) != skb->dev->ifindex ||
	    !svcnet_flow_own(f))
		return false;
	/*
	 * conntrack and FORWARD see a connection's SYNs, FINs and resets,
	 * segments without ACK, and all of a connection closing
	 */
	if (p->t.proto == IPPROTO_TCP &&
	    (p->syn || p->fin || p->rst || !p->ack ||
	     READ_ONCE(f->state) != SVCNET_FLOW_TCP_EST))
		return false;
	if (skb_dst(skb) || skb_get_nfct(skb) || svcnet_skb_bridged(skb) ||
	    svcnet_fast_ipsec(net, skb) ||
	    !svcnet_fast_direct_forwarding(skb, family) ||
	    !svcnet_fast_direct_plain(net, skb, family))
		return false;
	/*
	 * routing still sends the service's packets into the device (its
	 * kept route where only destinations choose routes, else the packet
	 * routed in full; set as the packet's: ICMP errors need one)
	 */
	if (!svcnet_fast_out_ready(net, skb, p, f->be->svc, true))
		return false;
	/* conntrack saw the flow at its last visit; its hooks skip this one */
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	svcnet_fast_out_send(net, skb, p, f, false);
	return true;
}

/*
 * Under RCU, from nat.c's hook after every other at PRE_ROUTING, in notrack
 * mode: route @skb, parsed into @p, untracked and of no flow, as the input
 * path is about to (its source checked as there; the route is set as the
 * packet's, which the input path then keeps). The svcnet device in notrack
 * mode that forwarding would send it into, or NULL.
 */
struct svcnet_dev *svcnet_fast_first_route(struct net *net,
					   struct sk_buff *skb,
					   const struct svcnet_pkt *p)
{
	u8 family = p->t.family;
	struct svcnet_dev *sd;
	struct dst_entry *dst;

	if (svcnet_skb_bridged(skb) || svcnet_fast_ipsec(net, skb) ||
	    netif_is_l3_slave(skb->dev) ||
	    !svcnet_fast_direct_forwarding(skb, family))
		return NULL;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
					 skb->dev))
			return NULL;
		dst = skb_dst(skb);
		if (!dst || dst->error ||
		    ((struct rtable *)dst)->rt_type != RTN_UNICAST)
			return NULL;
	} else {
		int type = ipv6_addr_type(&ipv6_hdr(skb)->saddr);

		/* what ip6_forward() refuses to forward from */
		if (type == IPV6_ADDR_ANY || type & (IPV6_ADDR_MULTICAST |
		    IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL))
			return NULL;
		dst = svcnet_route_input(skb, AF_INET6);
		if (!dst)
			return NULL;
		skb_dst_set(skb, dst);
		if (((struct rt6_info *)dst)->rt6i_flags &
		    (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT))
			return NULL;
	}
	if (!svcnet_is_dev(dst->dev))
		return NULL;
	sd = netdev_priv(dst->dev);
	if (READ_ONCE(sd->fast_path) != SVCNET_FAST_PATH_NOTRACK ||
	    !netif_running(sd->dev))
		return NULL;
	return sd;
}

/*
 * Under RCU: make @skb, parsed into @p and routed by
 * svcnet_fast_first_route(), what forwarding would if it would forward it
 * as it is (a header of its own, the TTL decremented, no receive time).
 * False: left as it was, for the input path.
 */
bool svcnet_fast_first_ready(struct net *net, struct sk_buff *skb,
			     const struct svcnet_pkt *p)
{
	struct dst_entry *dst = skb_dst(skb);

	if (!svcnet_fast_out_forwards(net, skb, p, dst) ||
	    skb_cow(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len))
		return false;
	skb_forward_csum(skb);
	if (p->t.family == AF_INET) {
		ip_decrease_ttl(ip_hdr(skb));
		if (READ_ONCE(net->ipv4.sysctl_ip_fwd_update_priority))
			skb->priority = rt_tos2priority(ip_hdr(skb)->tos);
	} else {
		ipv6_hdr(skb)->hop_limit--;
	}
	skb_clear_tstamp(skb);
	return true;
}
