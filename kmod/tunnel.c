// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: direct server return over IP-in-IP tunnels
 * (SVCNET_FORWARD_TUNNEL).
 *
 * The packet keeps the client's and the service's addresses and ports. It
 * is put in an outer header from the address this host sends from towards
 * the backend to the backend's address, IPv4 in IPv4 (protocol 4, as an
 * ipip device decapsulates it) or IPv6 in IPv6 (protocol 41, ip6tnl), and
 * sent on. The backend holds the service address on a local device and
 * answers the client directly: replies never come back through this host,
 * and nothing translates them.
 *
 * A packet that would not fit the path to the backend once encapsulated is
 * answered with ICMP fragmentation needed (IPv4 with DF) or packet too big
 * (IPv6), naming the MTU left for the inner packet, so that the client
 * sends smaller ones (TCP lowers its segment size); an IPv4 packet without
 * DF, and a datagram svc0 reassembled from the client's fragments, go in
 * fragments of the outer packet (the backend reassembles it before it
 * decapsulates). The route to the backend and the source address towards
 * it are kept by the backend while they hold (route.c).
 */

#include <linux/icmpv6.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "pkt.h"

/*
 * Whether @skb (inner, at its network header) may go in @mtu, or in
 * fragments of the outer packet (@frag); if not, answer it with the ICMP
 * error that names @mtu.
 */
static bool svcnet_tunnel_fits(struct sk_buff *skb, u8 family,
			       unsigned int mtu, bool *frag)
{
	*frag = false;
	if (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu) :
			      skb->len <= mtu)
		return true;
	*frag = true;
	if (family == AF_INET) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
			return true;	/* the outer packet is fragmented */
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
		return false;
	}
	if (mtu < IPV6_MIN_MTU)
		return true;		/* the outer packet is fragmented */
	icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	return false;
}

/* Whether @dst delivers to this host. */
static bool svcnet_tunnel_local(const struct dst_entry *dst, u8 family)
{
	if (family == AF_INET)
		return ((const struct rtable *)dst)->rt_type == RTN_LOCAL;
	return ((const struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL;
}

/*
 * Under RCU: the route to @be and the source address towards it, the one
 * kept (route.c) while only the backend's address chooses it; a route found
 * now is kept unless it loops back (svcnet_tunnel_encap() drops those).
 */
static struct dst_entry *svcnet_tunnel_route(struct net *net, u8 family,
					     struct svcnet_backend *be,
					     const struct sk_buff *skb,
					     union nf_inet_addr *saddr)
{
	struct svcnet_route_gen gen;
	struct dst_entry *dst;

	dst = svcnet_route_tunnel_get(net, family, be, saddr, &gen);
	if (dst)
		return dst;
	memset(saddr, 0, sizeof(*saddr));
	if (family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = be->addr.ip,
			.flowi4_proto = IPPROTO_IPIP,
			.flowi4_mark = skb->mark,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return NULL;
		/* no address of this host's to send from: as IPv6's lookup */
		if (!fl4.saddr) {
			ip_rt_put(rt);
			return NULL;
		}
		saddr->ip = fl4.saddr;
		dst = &rt->dst;
	} else {
		struct flowi6 fl6 = {
			.daddr = be->addr.in6,
			.flowi6_proto = IPPROTO_IPV6,
			.flowi6_mark = skb->mark,
		};

		/* the source as the route chooses it; IPsec policies apply */
		dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
		if (IS_ERR(dst))
			return NULL;
		saddr->in6 = fl6.saddr;
	}
	if (!svcnet_is_dev(dst->dev) && !svcnet_tunnel_local(dst, family))
		svcnet_route_tunnel_keep(net, family, be, dst, saddr, &gen);
	return dst;
}

/*
 * Under RCU, from svc0's transmit: put @skb, parsed into @p, in a tunnel
 * to @be, with the route there, for the caller to send as svcnet_route()'s
 * packets (the outer header is of the same family); @reasm: svc0
 * reassembled it; @notrack: of a flow conntrack never sees, the outer
 * packet untracked too. Returns 0, or a drop reason (SVCNET_DROP_TOO_BIG:
 * answered with an ICMP error already where a smaller packet would pass,
 * not for an outer packet longer than IP can say).
 */
int svcnet_tunnel_encap(struct net *net, struct sk_buff *skb,
			const struct svcnet_pkt *p, struct svcnet_backend *be,
			bool reasm, bool notrack)
{
	u8 family = p->t.family;
	/* of the inner flow: its outer packets keep to one ECMP path */
	u32 hash = skb_get_hash(skb);
	union nf_inet_addr saddr;
	unsigned int hlen, mtu;
	struct dst_entry *dst;
	bool frag;
	u8 tos, ttl;

	dst = svcnet_tunnel_route(net, family, be, skb, &saddr);
	if (!dst)
		return SVCNET_DROP_NO_ROUTE;
	/* into svcnet, or to this host, which would route it back to svc0 */
	if (svcnet_is_dev(dst->dev) || svcnet_tunnel_local(dst, family)) {
		dst_release(dst);
		return SVCNET_DROP_LOOP;
	}
	hlen = family == AF_INET ? sizeof(struct iphdr) :
				   sizeof(struct ipv6hdr);
	/*
	 * an outer packet longer than IP can say (IPv6's payload length
	 * leaves out its header: the inner packet is the payload)
	 */
	if (!skb_is_gso(skb) && skb->len > (family == AF_INET ?
					    IP_MAX_MTU - hlen : IPV6_MAXPLEN)) {
		dst_release(dst);
		return SVCNET_DROP_TOO_BIG;
	}
	mtu = dst_mtu(dst) > hlen ? dst_mtu(dst) - hlen : 0;
	/* the inner headers, for the GSO length check and offloads */
	skb_set_transport_header(skb, p->l4off);
	if (reasm) {
		frag = true;	/* it came in fragments: it leaves in some */
	} else if (!svcnet_tunnel_fits(skb, family, mtu, &frag)) {
		dst_release(dst);
		return SVCNET_DROP_TOO_BIG;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + hlen) ||
	    iptunnel_handle_offloads(skb, family == AF_INET ? SKB_GSO_IPXIP4 :
							     SKB_GSO_IPXIP6)) {
		dst_release(dst);
		return SVCNET_DROP_MALFORMED;
	}
	skb_set_inner_ipproto(skb, family == AF_INET ? IPPROTO_IPIP :
							IPPROTO_IPV6);
	/* a new packet of this host's: no route, no conntrack entry yet */
	skb_scrub_packet(skb, false);
	/* of a flow conntrack never sees: no outer packet either (as IPVS) */
	if (notrack)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	skb_dst_set(skb, dst);
	if (family == AF_INET) {
		const struct iphdr *inner = ip_hdr(skb);
		struct iphdr *iph;

		tos = inner->tos;
		ttl = ip4_dst_hoplimit(dst);
		/* DF as the inner packet's: fragmented only if it may be */
		skb->ignore_df = frag || !(inner->frag_off & htons(IP_DF));
		skb_push(skb, sizeof(*iph));
		skb_reset_network_header(skb);
		iph = ip_hdr(skb);
		iph->version = 4;
		iph->ihl = sizeof(*iph) >> 2;
		iph->frag_off = skb->ignore_df ? 0 : htons(IP_DF);
		iph->protocol = IPPROTO_IPIP;
		iph->tos = ip_tunnel_ecn_encap(tos, (const struct iphdr *)
					       (skb->data + sizeof(*iph)), skb);
		iph->ttl = ttl;
		iph->saddr = saddr.ip;
		iph->daddr = be->addr.ip;
		iph->tot_len = htons(skb->len);
		/* as many IDs as the segments it becomes */
		ip_select_ident_segs(net, skb, NULL,
				     skb_shinfo(skb)->gso_segs ?: 1);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		skb->protocol = htons(ETH_P_IP);
	} else {
		const struct ipv6hdr *inner = ipv6_hdr(skb);
		struct ipv6hdr *ip6h;

		tos = ipv6_get_dsfield(inner);
		ttl = ip6_dst_hoplimit(dst);
		skb->ignore_df = frag;
		skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6h = ipv6_hdr(skb);
		ip6_flow_hdr(ip6h, INET_ECN_encapsulate(tos, tos),
			     htonl(hash) & IPV6_FLOWLABEL_MASK);
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->nexthdr = IPPROTO_IPV6;
		ip6h->hop_limit = ttl;
		ip6h->saddr = saddr.in6;
		ip6h->daddr = be->addr.in6;
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		skb->protocol = htons(ETH_P_IPV6);
	}
	return 0;
}
