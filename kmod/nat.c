// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: packet translation.
 *
 * Forward: the device's transmit path parses the packet, finds its service
 * and flow (scheduling a backend for a new flow), rewrites the destination
 * to the backend, routes it there and sends it with ip_local_out() /
 * ip6_local_out().
 *
 * Reverse: a hook at NF_INET_PRE_ROUTING, before connection tracking,
 * rewrites the source of replies from a backend back to the service
 * address and port. Conntrack therefore sees the reply of the connection
 * it tracked at the client side (client -> service), and no second entry
 * is created for backend -> client.
 *
 * Checksums are updated incrementally, which is right for every
 * ip_summed mode: for CHECKSUM_PARTIAL (local sockets, GSO) the L4 field
 * holds the pseudo-header sum, for CHECKSUM_COMPLETE skb->csum follows.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "svcnet.h"

struct svcnet_pkt {
	struct svcnet_tuple t;
	unsigned int l4off;
	u8 syn:1, ack:1, fin:1, rst:1;
	__be32 seq;
	__be32 ack_seq;
};

/*
 * Parse the IP and TCP/UDP headers at skb->data. Returns 0, or the drop
 * reason. A packet of another L4 protocol parses with t.proto set and no
 * ports.
 */
static int svcnet_parse(struct sk_buff *skb, u8 family, struct svcnet_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->t.family = family;
	if (family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return SVCNET_DROP_MALFORMED;
		iph = (const struct iphdr *)skb->data;
		if (iph->version != 4 || iph->ihl < 5 ||
		    !pskb_may_pull(skb, iph->ihl * 4))
			return SVCNET_DROP_MALFORMED;
		iph = (const struct iphdr *)skb->data;
		if (ip_is_fragment(iph))
			return SVCNET_DROP_FRAGMENT;
		p->t.saddr.ip = iph->saddr;
		p->t.daddr.ip = iph->daddr;
		p->t.proto = iph->protocol;
		p->l4off = iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h;
		unsigned int off = 0;
		int flags = 0, nh;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return SVCNET_DROP_MALFORMED;
		ip6h = (const struct ipv6hdr *)skb->data;
		if (ip6h->version != 6)
			return SVCNET_DROP_MALFORMED;
		p->t.saddr.in6 = ip6h->saddr;
		p->t.daddr.in6 = ip6h->daddr;
		nh = ipv6_find_hdr(skb, &off, -1, NULL, &flags);
		if (flags & IP6_FH_F_FRAG)
			return SVCNET_DROP_FRAGMENT;
		if (nh < 0)
			return SVCNET_DROP_MALFORMED;
		p->t.proto = nh;
		p->l4off = off;
	}
	if (p->t.proto == IPPROTO_TCP) {
		const struct tcphdr *th;

		if (!pskb_may_pull(skb, p->l4off + sizeof(*th)))
			return SVCNET_DROP_MALFORMED;
		th = (const struct tcphdr *)(skb->data + p->l4off);
		if (th->doff < 5)
			return SVCNET_DROP_MALFORMED;
		p->t.sport = th->source;
		p->t.dport = th->dest;
		p->syn = th->syn;
		p->ack = th->ack;
		p->fin = th->fin;
		p->rst = th->rst;
		p->seq = th->seq;
		p->ack_seq = th->ack_seq;
	} else if (p->t.proto == IPPROTO_UDP) {
		const struct udphdr *uh;

		if (!pskb_may_pull(skb, p->l4off + sizeof(*uh)))
			return SVCNET_DROP_MALFORMED;
		uh = (const struct udphdr *)(skb->data + p->l4off);
		p->t.sport = uh->source;
		p->t.dport = uh->dest;
	}
	return 0;
}

/* Rewrite the destination (@dst) or source address and port. */
static int svcnet_rewrite(struct sk_buff *skb, const struct svcnet_pkt *p,
			  bool dst, const union nf_inet_addr *addr,
			  __be16 port)
{
	bool tcp = p->t.proto == IPPROTO_TCP;
	unsigned int len = p->l4off + (tcp ? sizeof(struct tcphdr) :
					       sizeof(struct udphdr));
	bool l4csum = true;
	__sum16 *check;
	__be16 *portp;

	if (skb_ensure_writable(skb, len))
		return -ENOMEM;
	if (tcp) {
		struct tcphdr *th = (struct tcphdr *)(skb->data + p->l4off);

		portp = dst ? &th->dest : &th->source;
		check = &th->check;
	} else {
		struct udphdr *uh = (struct udphdr *)(skb->data + p->l4off);

		portp = dst ? &uh->dest : &uh->source;
		check = &uh->check;
		/* a zero UDP checksum over IPv4 means none: keep it so */
		if (p->t.family == AF_INET && !*check &&
		    skb->ip_summed != CHECKSUM_PARTIAL)
			l4csum = false;
	}
	if (p->t.family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)skb->data;
		__be32 *a = dst ? &iph->daddr : &iph->saddr;

		if (l4csum)
			inet_proto_csum_replace4(check, skb, *a, addr->ip, true);
		csum_replace4(&iph->check, *a, addr->ip);
		*a = addr->ip;
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)skb->data;
		struct in6_addr *a = dst ? &ip6h->daddr : &ip6h->saddr;

		inet_proto_csum_replace16(check, skb, a->s6_addr32,
					  addr->in6.s6_addr32, true);
		*a = addr->in6;
	}
	if (l4csum) {
		inet_proto_csum_replace2(check, skb, *portp, port, false);
		if (!tcp && !*check)
			*check = CSUM_MANGLED_0;
	}
	*portp = port;
	return 0;
}

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

static bool svcnet_icmp_parse(struct sk_buff *skb, const struct svcnet_pkt *p,
			      struct svcnet_icmp *q)
{
	const __be16 *ports;

	memset(q, 0, sizeof(*q));
	q->off = p->l4off + 8;
	q->key.family = p->t.family;
	if (!pskb_may_pull(skb, p->l4off + 1) || !svcnet_icmp_is_error(skb, p))
		return false;
	if (p->t.family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, q->off + sizeof(*iph)))
			return false;
		iph = (const struct iphdr *)(skb->data + q->off);
		if (iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		q->key.daddr.ip = iph->saddr;
		q->key.saddr.ip = iph->daddr;
		q->key.proto = iph->protocol;
		q->l4off = q->off + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int off;

		if (!pskb_may_pull(skb, q->off + sizeof(*ip6h)))
			return false;
		ip6h = (const struct ipv6hdr *)(skb->data + q->off);
		if (ip6h->version != 6)
			return false;
		q->key.daddr.in6 = ip6h->saddr;
		q->key.saddr.in6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, q->off + sizeof(*ip6h), &nexthdr,
				       &frag_off);
		if (off < 0 || (frag_off & htons(IP6_OFFSET)))
			return false;
		q->key.proto = nexthdr;
		q->l4off = off;
	}
	if ((q->key.proto != IPPROTO_TCP && q->key.proto != IPPROTO_UDP) ||
	    !pskb_may_pull(skb, q->l4off + 4))
		return false;
	ports = (const __be16 *)(skb->data + q->l4off);
	q->key.dport = ports[0];
	q->key.sport = ports[1];
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
static struct svcnet_flow *svcnet_icmp_out(struct svcnet_net *sn,
					   struct sk_buff *skb,
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
	svcnet_flow_tuples(f, &fwd, &rev);
	if (svcnet_icmp_rewrite(skb, p, &q, false, &fwd.daddr, &rev.saddr,
				rev.sport) ||
	    (f->snat &&
	     svcnet_icmp_rewrite(skb, p, &q, true, &fwd.saddr, &rev.daddr,
				 rev.dport)))
		return NULL;
	svcnet_icmp_csum(skb, p);
	return f;
}

/* An error about a packet of a balanced flow, on its way to the client. */
static bool svcnet_icmp_in(struct svcnet_net *sn, struct sk_buff *skb,
			   const struct svcnet_pkt *p)
{
	struct svcnet_tuple fwd, rev;
	struct svcnet_flow *f;
	struct svcnet_icmp q;

	if (!svcnet_icmp_parse(skb, p, &q))
		return false;
	/* quoted: client -> backend; the reverse key: backend -> client */
	f = svcnet_flow_lookup_rev(sn, &q.key);
	if (!f)
		return false;
	svcnet_flow_tuples(f, &fwd, &rev);
	if (svcnet_icmp_rewrite(skb, p, &q, true, &rev.saddr, &fwd.daddr,
				fwd.dport) ||
	    (f->snat &&
	     svcnet_icmp_rewrite(skb, p, &q, false, &rev.daddr, &fwd.saddr,
				 fwd.sport)))
		return false;
	svcnet_icmp_csum(skb, p);
	return true;
}

static u8 svcnet_tcp_state(u8 cur, const struct svcnet_pkt *p, bool reply)
{
	if (p->rst)
		return SVCNET_FLOW_TCP_CLOSE;
	if (p->fin)
		return cur == SVCNET_FLOW_TCP_CLOSE ? cur : SVCNET_FLOW_TCP_FIN;
	/* the client's ACK completes the handshake */
	if (!reply && p->ack && !p->syn && cur == SVCNET_FLOW_TCP_SYN)
		return SVCNET_FLOW_TCP_EST;
	return cur;
}

/* Port unreachable; administratively prohibited for a refused source. */
static void svcnet_unreachable(struct sk_buff *skb, u8 family, int reason)
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
 * Answer a TCP segment that belongs to no flow with a reset from the
 * service, as a host without the connection would: its flow was removed
 * with its backend, expired or flushed, and the client must learn it now
 * rather than after its retransmissions time out.
 */
static void svcnet_send_reset(struct net *net, struct sk_buff *oskb,
			      const struct svcnet_pkt *p)
{
	unsigned int l3 = p->t.family == AF_INET ? sizeof(struct iphdr) :
						   sizeof(struct ipv6hdr);
	unsigned int hlen = LL_MAX_HEADER + l3 + sizeof(struct tcphdr);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct tcphdr *th;

	if (p->rst)
		return;
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
		th->ack_seq = htonl(ntohl(p->seq) + p->syn + p->fin +
				    oskb->len - p->l4off - sizeof(*th));
	}
	skb_push(skb, l3);
	skb_reset_network_header(skb);
	if (p->t.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {
			.daddr = p->t.saddr.ip,
			.saddr = p->t.daddr.ip,
			.flowi4_proto = IPPROTO_TCP,
			.flowi4_mark = oskb->mark,
			.flowi4_flags = FLOWI_FLAG_ANYSRC,
		};
		struct rtable *rt;

		memset(iph, 0, sizeof(*iph));
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->ttl = 64;
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
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = p->t.saddr.in6,
			.saddr = p->t.daddr.in6,
			.flowi6_proto = IPPROTO_TCP,
			.flowi6_mark = oskb->mark,
		};

		memset(ip6h, 0, sizeof(*ip6h));
		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = 64;
		ip6h->payload_len = htons(sizeof(*th));
		ip6h->saddr = p->t.daddr.in6;
		ip6h->daddr = p->t.saddr.in6;
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
					    sizeof(*th), IPPROTO_TCP,
					    csum_partial(th, sizeof(*th), 0));
		skb->protocol = htons(ETH_P_IPV6);
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			goto err_free;
		}
	}
	if (svcnet_is_dev(dst->dev)) {
		dst_release(dst);
		goto err_free;
	}
	skb_dst_set(skb, dst);
	if (p->t.family == AF_INET)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
	return;

err_free:
	kfree_skb(skb);
}

/*
 * The address this host sends from towards the backend at @addr, to source
 * NAT a client that is that backend (hairpin): replies then come back
 * through this host. False when the backend is this host, whose replies
 * come back through it anyway, or when it has no route.
 */
static bool svcnet_snat_addr(struct net *net, u8 family,
			     const union nf_inet_addr *addr,
			     union nf_inet_addr *out)
{
	struct flowi6 fl6 = { .daddr = addr->in6 };
	struct dst_entry *dst;
	int err;

	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		struct flowi4 fl4 = { .daddr = addr->ip };
		struct rtable *rt;

		if (inet_addr_type(net, addr->ip) == RTN_LOCAL)
			return false;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return false;
		ip_rt_put(rt);
		out->ip = fl4.saddr;
		return !!out->ip;
	}
	if (ipv6_chk_addr(net, &addr->in6, NULL, 0))
		return false;
	dst = ip6_route_output(net, NULL, &fl6);
	err = dst->error ?:
	      ipv6_dev_get_saddr(net, dst->dev, &addr->in6, 0, &out->in6);
	dst_release(dst);
	return !err;
}

static int svcnet_flow_drop_reason(int err)
{
	switch (err) {
	case -EADDRINUSE:
		return SVCNET_DROP_NO_PORT;
	case -ENOSPC:
	case -ENOMEM:
	case -E2BIG:
		return SVCNET_DROP_FLOW_LIMIT;
	default:	/* the service or its backend went away */
		return SVCNET_DROP_NO_BACKEND;
	}
}

/* A new flow for @p to @svc, or NULL and a drop reason in *reason. */
static struct svcnet_flow *svcnet_new_flow(struct svcnet_net *sn,
					   struct svcnet_service *svc,
					   const struct svcnet_pkt *p,
					   int *reason)
{
	bool sticky = READ_ONCE(svc->affinity_timeout);
	const union nf_inet_addr *snat = NULL;
	struct svcnet_backend *be = NULL;
	struct svcnet_sources *srcs;
	union nf_inet_addr snat_addr;
	bool created, retried = false;
	struct svcnet_flow *f;
	int err;

	srcs = rcu_dereference(svc->sources);
	if (srcs && !svcnet_sources_match(srcs, p->t.family, &p->t.saddr)) {
		*reason = SVCNET_DROP_SOURCE;
		return NULL;
	}

	if (sticky)
		be = svcnet_affinity_get(sn, svc, &p->t.saddr);
	if (be)
		sticky = false;	/* remembered already */
	else
		be = svcnet_schedule(svc, rcu_dereference(svc->bset), &p->t);
again:
	if (!be) {
		*reason = SVCNET_DROP_NO_BACKEND;
		return NULL;
	}
	/* hairpin: the client is the backend */
	if (nf_inet_addr_cmp(&be->addr, &p->t.saddr) &&
	    svcnet_snat_addr(sn->net, p->t.family, &be->addr, &snat_addr))
		snat = &snat_addr;
	f = svcnet_flow_create(sn, &p->t, be,
			       p->t.proto == IPPROTO_TCP ?
			       SVCNET_FLOW_TCP_SYN : SVCNET_FLOW_UDP,
			       snat, &created, &err);
	if (!f && err == -ESTALE && !retried) {
		/* removed meanwhile: its set without it is published */
		retried = true;
		sticky = READ_ONCE(svc->affinity_timeout);
		snat = NULL;
		be = svcnet_schedule(svc, rcu_dereference(svc->bset), &p->t);
		goto again;
	}
	if (!f) {
		*reason = svcnet_flow_drop_reason(err);
		return NULL;
	}
	if (created) {
		svcnet_lbstats_conn(svc->stats);
		svcnet_lbstats_conn(be->stats);
	}
	if (sticky)
		svcnet_affinity_set(sn, svc, &p->t.saddr, f->be);
	return f;
}

netdev_tx_t svcnet_nat_xmit(struct svcnet_dev *sd, struct sk_buff *skb)
{
	struct net *net = dev_net(sd->dev);
	struct svcnet_net *sn = svcnet_pernet(net);
	struct svcnet_service *svc;
	struct svcnet_svc_key key;
	struct svcnet_tuple rev;
	struct svcnet_flow *f;
	struct svcnet_pkt p;
	unsigned int len;
	bool unreachable;
	int reason;
	u8 family;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		family = AF_INET;
		break;
	case htons(ETH_P_IPV6):
		family = AF_INET6;
		break;
	default:
		svcnet_stats_drop(sd, SVCNET_DROP_PROTO);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
#if SVCNET_TLS_OFFLOAD
	if (skb->sk && sk_fullsock(skb->sk) &&
	    READ_ONCE(skb->sk->sk_validate_xmit_skb)) {
		skb = svcnet_tls_xmit(sd, skb);
		if (!skb)
			return NETDEV_TX_OK;
	}
#endif
	skb_reset_network_header(skb);
	rcu_read_lock();
	reason = svcnet_parse(skb, family, &p);
	if (reason) {
		unreachable = false;
		goto drop;
	}
	unreachable = true;
	if (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP) {
		reason = SVCNET_DROP_NO_SERVICE;
		f = svcnet_icmp_out(sn, skb, &p);
		if (!f)
			goto drop;
		len = skb->len;
		goto route;
	}
	memset(&key, 0, sizeof(key));
	key.addr = p.t.daddr;
	key.port = p.t.dport;
	key.family = family;
	key.proto = p.t.proto;
	svc = svcnet_service_lookup(sd, &key);
	if (!svc) {
		reason = SVCNET_DROP_NO_SERVICE;
		goto drop;
	}
	f = svcnet_flow_lookup_fwd(sn, &p.t);
	/*
	 * A SYN on a closing flow, or on one whose backend drains or is
	 * gone, starts a new connection: balance it anew.
	 */
	if (f && p.syn && !p.ack &&
	    (!svcnet_flow_state_open(READ_ONCE(f->state)) ||
	     READ_ONCE(f->be->draining) || READ_ONCE(f->be->removed))) {
		svcnet_flow_remove(sn, f);
		f = NULL;
	}
	if (!f) {
		if (p.t.proto == IPPROTO_TCP && !(p.syn && !p.ack)) {
			reason = SVCNET_DROP_NO_FLOW;
			unreachable = false;
			svcnet_send_reset(net, skb, &p);
			goto drop;
		}
		f = svcnet_new_flow(sn, svc, &p, &reason);
		if (!f)
			goto drop;
	}
	svcnet_flow_touch(sn, f, p.t.proto == IPPROTO_TCP ?
			  svcnet_tcp_state(READ_ONCE(f->state), &p, false) :
			  SVCNET_FLOW_UDP);
	if (f->snat)
		svcnet_flow_tuples(f, NULL, &rev);
	if (svcnet_rewrite(skb, &p, true, &f->be->addr, f->be->port) ||
	    (f->snat &&
	     svcnet_rewrite(skb, &p, false, &rev.daddr, rev.dport))) {
		reason = SVCNET_DROP_MALFORMED;
		unreachable = false;
		goto drop;
	}
	len = skb->len;
route:
	svcnet_lbstats_add(f->be->svc->stats, true, len);
	svcnet_lbstats_add(f->be->stats, true, len);
	reason = svcnet_route(net, skb, family, f->be);
	if (reason) {
		unreachable = false;
		goto drop;
	}
	rcu_read_unlock();
	svcnet_stats_tx(sd, len);
	if (family == AF_INET)
		ip_local_out(net, skb->sk, skb);
	else
		ip6_local_out(net, skb->sk, skb);
	return NETDEV_TX_OK;

drop:
	rcu_read_unlock();
	if (unreachable)
		svcnet_unreachable(skb, family, reason);
	svcnet_stats_drop(sd, reason);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static unsigned int svcnet_nat_in(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct svcnet_net *sn = svcnet_pernet(state->net);
	struct svcnet_backend *be;
	struct svcnet_tuple fwd;
	struct svcnet_flow *f;
	struct svcnet_pkt p;

	if (!atomic_read(&sn->flow_count))
		return NF_ACCEPT;
	if (svcnet_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			 &p))
		return NF_ACCEPT;
	if (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP) {
		svcnet_icmp_in(sn, skb, &p);
		return NF_ACCEPT;
	}
	/* this host's own packets: only ICMP errors, handled above */
	if (state->hook == NF_INET_LOCAL_OUT)
		return NF_ACCEPT;
	f = svcnet_flow_lookup_rev(sn, &p.t);
	if (!f)
		return NF_ACCEPT;
	svcnet_flow_tuples(f, &fwd, NULL);
	if (svcnet_rewrite(skb, &p, false, &fwd.daddr, fwd.dport) ||
	    (f->snat &&
	     svcnet_rewrite(skb, &p, true, &fwd.saddr, fwd.sport))) {
		svcnet_stats_drop(f->be->svc->sd, SVCNET_DROP_MALFORMED);
		return NF_DROP;
	}
	if (p.t.proto == IPPROTO_TCP)
		svcnet_flow_touch(sn, f, svcnet_tcp_state(READ_ONCE(f->state),
							  &p, true));
	else
		svcnet_flow_touch(sn, f, SVCNET_FLOW_UDP);
	be = f->be;
	svcnet_lbstats_add(be->svc->stats, false, skb->len);
	svcnet_lbstats_add(be->stats, false, skb->len);
	svcnet_stats_rx(be->svc->sd, skb->len);
	return NF_ACCEPT;
}

/*
 * This host's own packets, svc0's rewritten ones among them: only the ICMP
 * errors it sends about balanced packets (PMTU) concern svcnet, so plain
 * TCP and UDP leave on a look at their protocol; the rest is parsed. At
 * LOCAL_OUT the network header is at skb->data and linear.
 */
static unsigned int svcnet_nat_local_out(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	u8 proto;

	if (state->pf == NFPROTO_IPV4)
		proto = ip_hdr(skb)->protocol;
	else
		proto = ipv6_hdr(skb)->nexthdr;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		return NF_ACCEPT;
	return svcnet_nat_in(priv, skb, state);
}

static const struct nf_hook_ops svcnet_nf_ops[] = {
	{
		.hook = svcnet_nat_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY,
	},
	{
		.hook = svcnet_nat_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY,
	},
	/* ICMP errors this host sends about balanced packets (PMTU) */
	{
		.hook = svcnet_nat_local_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = SVCNET_NF_PRIORITY,
	},
	{
		.hook = svcnet_nat_local_out,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = SVCNET_NF_PRIORITY,
	},
};

/* The first device of a namespace registers the hooks, the last removes. */
int svcnet_nat_hooks_get(struct net *net)
{
	struct svcnet_net *sn = svcnet_pernet(net);
	int err;

	ASSERT_RTNL();
	if (sn->hook_users) {
		sn->hook_users++;
		return 0;
	}
	err = nf_register_net_hooks(net, svcnet_nf_ops,
				    ARRAY_SIZE(svcnet_nf_ops));
	if (!err)
		sn->hook_users = 1;
	return err;
}

void svcnet_nat_hooks_put(struct net *net)
{
	struct svcnet_net *sn = svcnet_pernet(net);

	ASSERT_RTNL();
	if (!--sn->hook_users)
		nf_unregister_net_hooks(net, svcnet_nf_ops,
					ARRAY_SIZE(svcnet_nf_ops));
}

#ifdef SVCNET_KUNIT
#include "nat_test.c"
#endif
