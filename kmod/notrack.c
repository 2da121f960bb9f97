// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: flows conntrack never sees (SVCNET_FAST_PATH_NOTRACK).
 *
 * On a device in notrack mode, the source NATed and tunnelled flows of
 * forwarded clients are svcnet's alone, as IPVS's connections are with
 * net.ipv4.vs.conntrack=0: their packets are marked untracked before
 * conntrack, at the reverse-NAT hook (SVCNET_NF_PRIORITY), and the flow
 * table's states and timeouts are the only ones they have.
 *
 * A flow is one of them when an untracked packet of a forwarded client
 * made it (SVCNET_FLOW_F_NOTRACK). Its first packet is untracked here when
 * it is a TCP SYN or a datagram to the address and port of a source NAT
 * or tunnel service of a device in notrack mode (before routing: one that
 * routing then sends elsewhere goes there untracked). A flow's later
 * packets are untracked when they come in by the device its last packet
 * through svc0 came in by; so are its replies and the ICMP errors about it (nat.c,
 * icmp.c) and its tunnel's outer packets (tunnel.c).
 *
 * Every PRE_ROUTING hook sees a first packet (untracked); after the last
 * (SVCNET_NF_PRIORITY_FIRST), nat.c routes it as the input path would
 * (svcnet_notrack_first()) and, if forwarding would send it into such a
 * device, runs FORWARD's hook with the device as output and hands it to
 * the device's transmit: no POSTROUTING with the device as output, no
 * queueing discipline, no packet taps or egress hooks of the device. Its
 * flow's later packets take the direct path as in direct mode, untracked;
 * those that may not (its window passed) take the fast path there too,
 * after every other PRE_ROUTING hook rather than after conntrack's.
 */

#include <net/netfilter/nf_conntrack.h>

#include "pkt.h"

/*
 * Under RCU: a source NAT or tunnel service of a device in notrack mode
 * that @p's destination names; or NULL.
 */
struct svcnet_service *svcnet_notrack_svc(struct net *net,
					  const struct svcnet_pkt *p)
{
	struct svcnet_net *sn = svcnet_pernet(net);
	struct svcnet_service *svc;
	struct svcnet_svc_key key;
	struct svcnet_dev *sd;

	svcnet_pkt_svc_key(p, &key);
	list_for_each_entry_rcu(sd, &sn->devs, list) {
		if (READ_ONCE(sd->fast_path) != SVCNET_FAST_PATH_NOTRACK)
			continue;
		svc = svcnet_service_lookup(sd, &key);
		if (svc && READ_ONCE(svc->forward) != SVCNET_FORWARD_NAT)
			return svc;
	}
	return NULL;
}

/* Whether @p is a TCP SYN without ACK or a datagram: a flow's first. */
static bool svcnet_notrack_opens(const struct svcnet_pkt *p)
{
	return p->t.proto == IPPROTO_UDP || (p->syn && !p->ack);
}

/*
 * Under RCU, at the reverse-NAT hook at PRE_ROUTING, before conntrack, in
 * a namespace with a device in notrack mode: untrack @skb, parsed into @p,
 * if it is a packet of @f (NULL: of no flow) that conntrack never sees, or
 * the first packet of such a flow.
 */
void svcnet_notrack_client(struct net *net, struct sk_buff *skb,
			   const struct svcnet_pkt *p, struct svcnet_flow *f)
{
	if (skb_get_nfct(skb) || skb_dst(skb) || svcnet_skb_bridged(skb))
		return;
	if (f) {
		if (svcnet_flow_notrack(f) &&
		    READ_ONCE(f->iif) == skb->dev->ifindex)
			nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
		return;
	}
	if (svcnet_notrack_opens(p) && svcnet_notrack_svc(net, p))
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

/*
 * Under RCU, before conntrack: untrack @skb, parsed into @p and no flow's
 * reply, if it is the answer of a tunnel flow conntrack never sees that
 * this host routes (the backend answers the client directly, from the
 * service address, by a route through this host).
 */
void svcnet_notrack_reply(struct svcnet_net *sn, struct sk_buff *skb,
			  const struct svcnet_pkt *p)
{
	struct svcnet_tuple t = {
		.saddr = p->t.daddr,
		.daddr = p->t.saddr,
		.sport = p->t.dport,
		.dport = p->t.sport,
		.family = p->t.family,
		.proto = p->t.proto,
	};
	struct svcnet_flow *f;

	if (skb_get_nfct(skb))
		return;
	f = svcnet_flow_lookup_fwd(sn, &t);
	if (f && (READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL) &&
	    svcnet_flow_notrack(f))
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

/*
 * Under RCU, after every other PRE_ROUTING hook: if @skb, parsed into @p,
 * is an untracked first packet (of no flow: the caller looked) to @svc, a
 * source NAT or tunnel service of a device in notrack mode, that
 * forwarding would send into that device, make it what forwarding makes
 * it and return true; the caller runs FORWARD's hook and the device's
 * transmit. Else false, the packet as it was (with the route the input
 * path would give it).
 */
bool svcnet_notrack_first(struct net *net, struct sk_buff *skb,
			  const struct svcnet_pkt *p, struct svcnet_service *svc)
{
	/* as the reverse-NAT hook found it (an untracked packet of ours) */
	if (skb_dst(skb) || !svcnet_notrack_opens(p))
		return false;
	/* and routed as the input path routes it, into the same device */
	return svcnet_fast_first_route(net, skb, p) == svc->sd &&
	       svcnet_fast_first_ready(net, skb, p);
}
