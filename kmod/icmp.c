// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: ICMP errors about balanced flows, translated both ways, and the
 * answers svc0 gives itself: port unreachable for UDP and resets for TCP.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "pkt.h"

/*
 * ICMP errors quote the packet they are about. For a balanced flow that
 * quote reads client -> backend on the way back (from the backend, a
 * router, or this host), and service -> client on the way out (from the
 * client, about a reply). Translating the quote, the outer address of the
 * service side and the ICMP checksum lets each end match the error to its
 * socket: port unreachable becomes ECONNREFUSED, fragmentation needed and
 * packet too big set the path MTU towards the service.
 */
struct svcnet_icmp {
	unsigned int off;	/* the quoted IP header */
	unsigned int l4off;	/* the quoted ports */
	/* the quoted packet's tuple reversed: the flow key of its answer */
	struct svcnet_tuple key;
};

static bool svcnet_icmp_is_error(const struct sk_buff *skb,
				 const struct svcnet_pkt *p)
{
	const u8 *type = skb->data + p->l4off;

	if (p->t.family == AF_INET)
		return p->t.proto == IPPROTO_ICMP &&
		       (*type == ICMP_DEST_UNREACH || *type == ICMP_TIME_EXCEEDED ||
			*type == ICMP_PARAMETERPROB);
	return p->t.proto == IPPROTO_ICMPV6 && *type < 128;
}

/*
 * The tuple, in its own order, of the TCP or UDP packet quoted at @off
 * (not a later fragment; IPv6 extension headers skipped), its ports at
 * *@l4off.
 */
static bool svcnet_icmp_quote(struct sk_buff *skb, unsigned int off,
			      u8 family, struct svcnet_tuple *t,
			      unsigned int *l4off)
{
	const __be16 *ports;

	memset(t, 0, sizeof(*t));
	t->family = family;
	if (family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, off + sizeof(*iph)))
			return false;
		iph = (const struct iphdr *)(skb->data + off);
		if (iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		t->saddr.ip = iph->saddr;
		t->daddr.ip = iph->daddr;
		t->proto = iph->protocol;
		*l4off = off + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		int l4;

		if (!pskb_may_pull(skb, off + sizeof(*ip6h)))
			return false;
		ip6h = (const struct ipv6hdr *)(skb->data + off);
		if (ip6h->version != 6)
			return false;
		t->saddr.in6 = ip6h->saddr;
		t->daddr.in6 = ip6h->daddr;
		t->proto = ip6h->nexthdr;
		l4 = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &t->proto,
				      &frag_off);
		if (l4 < 0 || (frag_off & htons(IP6_OFFSET)))
			return false;
		*l4off = l4;
	}
	if ((t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP) ||
	    !pskb_may_pull(skb, *l4off + 2 * sizeof(__be16)))
		return false;
	ports = (const __be16 *)(skb->data + *l4off);
	t->sport = ports[0];
	t->dport = ports[1];
	return true;
}

static bool svcnet_icmp_parse(struct sk_buff *skb, const struct svcnet_pkt *p,
			      struct svcnet_icmp *q)
{
	struct svcnet_tuple t;

	memset(q, 0, sizeof(*q));
	q->off = p->l4off + 8;
	if (!pskb_may_pull(skb, p->l4off + 1) || !svcnet_icmp_is_error(skb, p) ||
	    !svcnet_icmp_quote(skb, q->off, p->t.family, &t, &q->l4off))
		return false;
	q->key.family = t.family;
	q->key.proto = t.proto;
	q->key.saddr = t.daddr;
	q->key.daddr = t.saddr;
	q->key.sport = t.dport;
	q->key.dport = t.sport;
	return true;
}

static void svcnet_set_addr(struct sk_buff *skb, unsigned int iphoff, u8 family,
			    bool dst, const union nf_inet_addr *addr)
{
	if (family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)(skb->data + iphoff);
		__be32 *a = dst ? &iph->daddr : &iph->saddr;

		csum_replace4(&iph->check, *a, addr->ip);
		*a = addr->ip;
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + iphoff);

		if (dst)
			ip6h->daddr = addr->in6;
		else
			ip6h->saddr = addr->in6;
	}
}

/*
 * Rewrite the quote's address and port on side @dst (destination or
 * source) to @addr/@port, and the outer address on the other side from
 * @from to @addr when it was @from. The ICMP checksum is left to
 * svcnet_icmp_csum(), once for all rewrites.
 */
static int svcnet_icmp_rewrite(struct sk_buff *skb, const struct svcnet_pkt *p,
			       const struct svcnet_icmp *q, bool dst,
			       const union nf_inet_addr *from,
			       const union nf_inet_addr *addr, __be16 port)
{
	__be16 *ports;

	if (skb_ensure_writable(skb, q->l4off + 4))
		return -ENOMEM;
	svcnet_set_addr(skb, q->off, p->t.family, dst, addr);
	ports = (__be16 *)(skb->data + q->l4off);
	ports[dst ? 1 : 0] = port;
	/* the outer address of the service side, when it is that end */
	if (nf_inet_addr_cmp(dst ? &p->t.saddr : &p->t.daddr, from))
		svcnet_set_addr(skb, 0, p->t.family, !dst, addr);
	return 0;
}

/* The ICMP checksum of a rewritten error (writable since the rewrite). */
static void svcnet_icmp_csum(struct sk_buff *skb, const struct svcnet_pkt *p)
{
	unsigned int len = skb->len - p->l4off;
	__sum16 *check;
	__wsum csum;

	check = (__sum16 *)(skb->data + p->l4off + 2);
	*check = 0;
	csum = skb_checksum(skb, p->l4off, len, 0);
	if (p->t.family == AF_INET) {
		*check = csum_fold(csum);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		*check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
					 IPPROTO_ICMPV6, csum);
	}
	skb->ip_summed = CHECKSUM_NONE;
}

/* An error about a reply of a balanced flow, sent by the client. */
struct svcnet_flow *svcnet_icmp_out(struct svcnet_net *sn, struct sk_buff *skb,
				    const struct svcnet_pkt *p)
{
	struct svcnet_tuple fwd, rev;
	struct svcnet_flow *f;
	struct svcnet_icmp q;

	if (!svcnet_icmp_parse(skb, p, &q))
		return NULL;
	/* quoted: service -> client; the flow: client -> service */
	f = svcnet_flow_lookup_fwd(sn, &q.key);
	if (!f)
		return NULL;
	/* the backend answered from the service address: it goes as it is */
	if (READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL)
		return f;
	svcnet_flow_tuples(f, &fwd, &rev);
	if (svcnet_icmp_rewrite(skb, p, &q, false, &fwd.daddr, &rev.saddr,
				rev.sport) ||
	    (svcnet_flow_is_snat(f) &&
	     svcnet_icmp_rewrite(skb, p, &q, true, &fwd.saddr, &rev.daddr,
				 rev.dport)))
		return NULL;
	svcnet_icmp_csum(skb, p);
	return f;
}

/*
 * Under RCU: the flow of an error on its way to the service about a reply
 * (quoted: service -> client), as svcnet_icmp_out() finds it; or NULL.
 */
struct svcnet_flow *svcnet_icmp_out_flow(struct svcnet_net *sn,
					 struct sk_buff *skb,
					 const struct svcnet_pkt *p)
{
	struct svcnet_icmp q;

	if (!svcnet_icmp_parse(skb, p, &q))
		return NULL;
	return svcnet_flow_lookup_fwd(sn, &q.key);
}

/*
 * Fragmentation needed or packet too big, from the path to a tunnel
 * backend, about an outer packet this host sent (IPIP, IPv6 in IPv6): the
 * route to the backend learns the path MTU, as an ipip or ip6tnl device
 * of this host's would make it (svcnet has none to take the error). Only
 * an error that quotes a tunnel flow's packet inside, its outer packet
 * addressed to the flow's backend: anyone may send errors, and the route
 * they change serves every packet to that address. Under RCU.
 */
static void svcnet_icmp_tunnel_pmtu(struct svcnet_net *sn,
				    struct sk_buff *skb,
				    const struct svcnet_pkt *p)
{
	unsigned int off = p->l4off + 8, inner, l4off;
	struct net *net = sn->net;
	union nf_inet_addr dst = {};
	struct svcnet_flow *f;
	struct svcnet_tuple t;
	const u8 *icmp;
	__be32 mtu6;
	u16 mtu4;

	if (!pskb_may_pull(skb, off + (p->t.family == AF_INET ?
				       sizeof(struct iphdr) :
				       sizeof(struct ipv6hdr))))
		return;
	icmp = skb->data + p->l4off;
	if (p->t.family == AF_INET) {
		const struct iphdr *in = (const struct iphdr *)(skb->data + off);

		mtu4 = ntohs(((const struct icmphdr *)icmp)->un.frag.mtu);
		if (p->t.proto != IPPROTO_ICMP || icmp[0] != ICMP_DEST_UNREACH ||
		    icmp[1] != ICMP_FRAG_NEEDED || in->version != 4 ||
		    in->ihl < 5 || in->protocol != IPPROTO_IPIP ||
		    READ_ONCE(net->ipv4.sysctl_ip_no_pmtu_disc) ||
		    inet_addr_type(net, in->saddr) != RTN_LOCAL)
			return;
		dst.ip = in->daddr;
		inner = off + in->ihl * 4;
	} else {
		const struct ipv6hdr *in = (const struct ipv6hdr *)(skb->data +
								   off);

		mtu6 = ((const struct icmp6hdr *)icmp)->icmp6_mtu;
		if (p->t.proto != IPPROTO_ICMPV6 ||
		    icmp[0] != ICMPV6_PKT_TOOBIG || in->version != 6 ||
		    in->nexthdr != IPPROTO_IPV6 ||
		    !ipv6_chk_addr(net, &in->saddr, NULL, 0))
			return;
		dst.in6 = in->daddr;
		/* the outer header this host wrote has no extension */
		inner = off + sizeof(*in);
	}
	if (!svcnet_icmp_quote(skb, inner, p->t.family, &t, &l4off))
		return;
	f = svcnet_flow_lookup_fwd(sn, &t);
	if (!f || !(READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL) ||
	    (p->t.family == AF_INET ? f->be->addr.ip != dst.ip :
	     !ipv6_addr_equal(&f->be->addr.in6, &dst.in6)))
		return;
	/* the quoted packet's addresses choose the route */
	__skb_pull(skb, off);
	if (p->t.family == AF_INET)
		ipv4_update_pmtu(skb, net, mtu4, 0, IPPROTO_IPIP);
	else
		ip6_update_pmtu(skb, net, mtu6, 0, 0, sock_net_uid(net, NULL));
	__skb_push(skb, off);
}

/*
 * An error about a packet of a balanced flow, on its way to the client:
 * rewritten, its flow returned; or NULL.
 */
struct svcnet_flow *svcnet_icmp_in(struct svcnet_net *sn, struct sk_buff *skb,
				   const struct svcnet_pkt *p)
{
	struct svcnet_tuple fwd, rev;
	struct svcnet_flow *f;
	struct svcnet_icmp q;

	svcnet_icmp_tunnel_pmtu(sn, skb, p);
	if (!svcnet_icmp_parse(skb, p, &q))
		return NULL;
	/* quoted: client -> backend; the reverse key: backend -> client */
	f = svcnet_flow_lookup_rev(sn, &q.key);
	if (!f)
		return NULL;
	svcnet_flow_tuples(f, &fwd, &rev);
	if (svcnet_icmp_rewrite(skb, p, &q, true, &rev.saddr, &fwd.daddr,
				fwd.dport) ||
	    (svcnet_flow_is_snat(f) &&
	     svcnet_icmp_rewrite(skb, p, &q, false, &rev.daddr, &fwd.saddr,
				 fwd.sport)))
		return NULL;
	svcnet_icmp_csum(skb, p);
	return f;
}

/* Port unreachable; administratively prohibited for a refused source. */
void svcnet_unreachable(struct sk_buff *skb, u8 family, int reason)
{
	bool filtered = reason == SVCNET_DROP_SOURCE;

	if (family == AF_INET)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, filtered ?
			      ICMP_PKT_FILTERED : ICMP_PORT_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, filtered ?
				ICMPV6_ADM_PROHIBITED : ICMPV6_PORT_UNREACH,
				0);
}

/*
 * Answer a TCP segment with a reset from the service, as a host would: to
 * a segment of no flow (its flow was removed with its backend, expired or
 * flushed) and to a connection attempt on a port with no service (refused
 * at once, as a closed port is; an ICMP error would only be a soft error
 * to a connecting IPv6 socket, and is rate limited).
 */
void svcnet_send_reset(struct net *net, struct sk_buff *oskb,
		       const struct svcnet_pkt *p)
{
	unsigned int l3 = p->t.family == AF_INET ? sizeof(struct iphdr) :
						   sizeof(struct ipv6hdr);
	unsigned int hlen = LL_MAX_HEADER + l3 + sizeof(struct tcphdr);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct tcphdr *th;
	u32 mark;

	if (p->rst)
		return;
	/* the refused packet's mark if the namespace reflects marks (REJECT's) */
	mark = p->t.family == AF_INET ? IP4_REPLY_MARK(net, oskb->mark) :
					IP6_REPLY_MARK(net, oskb->mark);
	skb = alloc_skb(hlen, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, hlen);
	th = skb_push(skb, sizeof(*th));
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = p->t.dport;
	th->dest = p->t.sport;
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	if (p->ack) {
		th->seq = p->ack_seq;
	} else {
		th->ack = 1;
		th->ack_seq = htonl(svcnet_reset_ack(p, oskb->len));
	}
	skb_push(skb, l3);
	skb_reset_network_header(skb);
	if (p->t.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {
			.daddr = p->t.saddr.ip,
			.saddr = p->t.daddr.ip,
			.flowi4_proto = IPPROTO_TCP,
			.flowi4_mark = mark,
			.flowi4_flags = FLOWI_FLAG_ANYSRC,
			.fl4_sport = p->t.dport,
			.fl4_dport = p->t.sport,
		};
		struct rtable *rt;

		memset(iph, 0, sizeof(*iph));
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->frag_off = htons(IP_DF);
		iph->protocol = IPPROTO_TCP;
		iph->saddr = p->t.daddr.ip;
		iph->daddr = p->t.saddr.ip;
		th->check = csum_tcpudp_magic(iph->saddr, iph->daddr,
					      sizeof(*th), IPPROTO_TCP,
					      csum_partial(th, sizeof(*th), 0));
		skb->protocol = htons(ETH_P_IP);
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			goto err_free;
		dst = &rt->dst;
		/* the route's hop limit, or the namespace's default (REJECT's) */
		iph->ttl = ip4_dst_hoplimit(dst);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = p->t.saddr.in6,
			.saddr = p->t.daddr.in6,
			.flowi6_proto = IPPROTO_TCP,
			.flowi6_mark = mark,
			.fl6_sport = p->t.dport,
			.fl6_dport = p->t.sport,
		};

		memset(ip6h, 0, sizeof(*ip6h));
		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->payload_len = htons(sizeof(*th));
		ip6h->saddr = p->t.daddr.in6;
		ip6h->daddr = p->t.saddr.in6;
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
					    sizeof(*th), IPPROTO_TCP,
					    csum_partial(th, sizeof(*th), 0));
		skb->protocol = htons(ETH_P_IPV6);
		dst = svcnet_route6(net, &fl6);
		if (IS_ERR(dst))
			goto err_free;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
	}
	if (svcnet_is_dev(dst->dev)) {
		dst_release(dst);
		goto err_free;
	}
	skb_dst_set(skb, dst);
	/* routed with it: OUTPUT's rules and a reroute after them see it */
	skb->mark = mark;
	if (p->t.family == AF_INET)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
	return;

err_free:
	kfree_skb(skb);
}
