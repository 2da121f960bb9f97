// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: reading a packet's IP and TCP/UDP headers, and rewriting its
 * addresses and ports.
 *
 * Checksums are updated incrementally, which is right for every
 * ip_summed mode: for CHECKSUM_PARTIAL (local sockets, GSO) the L4 field
 * holds the pseudo-header sum, for CHECKSUM_COMPLETE skb->csum follows.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "pkt.h"

/*
 * The window scale a SYN offers (RFC 7323), from its options, which are
 * pulled into the linear part; SVCNET_NO_WSCALE without one.
 */
static u8 svcnet_tcp_wscale(struct sk_buff *skb, const struct svcnet_pkt *p)
{
	unsigned int off = p->l4off + sizeof(struct tcphdr);
	unsigned int end = p->l4off + p->doff * 4;
	const u8 *o;

	if (!pskb_may_pull(skb, end))
		return SVCNET_NO_WSCALE;
	o = skb->data;
	while (off < end) {
		if (o[off] == TCPOPT_EOL)
			break;
		if (o[off] == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (end - off < 2 || o[off + 1] < 2 || o[off + 1] > end - off)
			break;
		if (o[off] == TCPOPT_WINDOW && o[off + 1] == TCPOLEN_WINDOW)
			return min_t(u8, o[off + 2], TCP_MAX_WSCALE);
		off += o[off + 1];
	}
	return SVCNET_NO_WSCALE;
}

/*
 * Parse the IP and TCP/UDP headers at skb->data. Returns 0, or the drop
 * reason. A packet of another L4 protocol parses with t.proto set and no
 * ports.
 */
int svcnet_parse(struct sk_buff *skb, u8 family, struct svcnet_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->t.family = family;
	p->len = skb->len;
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
		if (th->doff < 5 || p->len < p->l4off + th->doff * 4)
			return SVCNET_DROP_MALFORMED;
		p->t.sport = th->source;
		p->t.dport = th->dest;
		p->doff = th->doff;
		p->syn = th->syn;
		p->ack = th->ack;
		p->fin = th->fin;
		p->rst = th->rst;
		p->seq = th->seq;
		p->ack_seq = th->ack_seq;
		p->window = ntohs(th->window);
		p->wscale = SVCNET_NO_WSCALE;
		/* last: the pull may move the headers */
		if (p->syn && p->doff > 5)
			p->wscale = svcnet_tcp_wscale(skb, p);
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
int svcnet_rewrite(struct sk_buff *skb, const struct svcnet_pkt *p, bool dst,
		   const union nf_inet_addr *addr, __be16 port)
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
 * Under RCU: rewrite @skb, parsed into @p, for @f's backend: its
 * destination, and its source to @f's own where @f is source NATed.
 */
int svcnet_rewrite_flow(struct sk_buff *skb, const struct svcnet_pkt *p,
			const struct svcnet_flow *f)
{
	struct svcnet_tuple rev;

	if (svcnet_rewrite(skb, p, true, &f->be->addr, f->be->port))
		return -ENOMEM;
	if (!svcnet_flow_is_snat(f))
		return 0;
	svcnet_flow_tuples(f, NULL, &rev);
	return svcnet_rewrite(skb, p, false, &rev.daddr, rev.dport);
}

/*
 * The acknowledgment number of a reset answering @p, a segment of @len
 * bytes from its IP header on, that carries no ACK (RFC 9293 3.10.7.1):
 * the segment's sequence number plus what it occupies of sequence space.
 */
u32 svcnet_reset_ack(const struct svcnet_pkt *p, unsigned int len)
{
	return ntohl(p->seq) + p->syn + p->fin + len - p->l4off - p->doff * 4;
}

#ifdef SVCNET_KUNIT
#include "pkt_test.c"
#endif
