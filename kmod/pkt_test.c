// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: address and port rewriting keeps every checksum right, for IPv4
 * and IPv6, TCP and UDP, and each way the stack hands checksums over
 * (CHECKSUM_NONE, CHECKSUM_PARTIAL, CHECKSUM_COMPLETE). Included by pkt.c,
 * whose static functions it tests.
 */

#include <kunit/test.h>
#include <net/ip6_checksum.h>

struct svcnet_csum_case {
	const char *name;
	u8 family;
	u8 proto;
	u8 ip_summed;
	bool dst;		/* rewrite the destination (DNAT) or source */
	bool zero_udp;		/* an IPv4 UDP datagram without checksum */
};

static const struct svcnet_csum_case svcnet_csum_cases[] = {
	{ "v4 tcp none dnat", AF_INET, IPPROTO_TCP, CHECKSUM_NONE, true },
	{ "v4 tcp partial dnat", AF_INET, IPPROTO_TCP, CHECKSUM_PARTIAL, true },
	{ "v4 tcp complete snat", AF_INET, IPPROTO_TCP, CHECKSUM_COMPLETE },
	{ "v4 tcp none snat", AF_INET, IPPROTO_TCP, CHECKSUM_NONE },
	{ "v4 udp none dnat", AF_INET, IPPROTO_UDP, CHECKSUM_NONE, true },
	{ "v4 udp partial dnat", AF_INET, IPPROTO_UDP, CHECKSUM_PARTIAL, true },
	{ "v4 udp complete snat", AF_INET, IPPROTO_UDP, CHECKSUM_COMPLETE },
	{ "v4 udp zero csum dnat", AF_INET, IPPROTO_UDP, CHECKSUM_NONE, true,
	  true },
	{ "v6 tcp none dnat", AF_INET6, IPPROTO_TCP, CHECKSUM_NONE, true },
	{ "v6 tcp partial dnat", AF_INET6, IPPROTO_TCP, CHECKSUM_PARTIAL, true },
	{ "v6 tcp complete snat", AF_INET6, IPPROTO_TCP, CHECKSUM_COMPLETE },
	{ "v6 udp none dnat", AF_INET6, IPPROTO_UDP, CHECKSUM_NONE, true },
	{ "v6 udp partial dnat", AF_INET6, IPPROTO_UDP, CHECKSUM_PARTIAL, true },
	{ "v6 udp complete snat", AF_INET6, IPPROTO_UDP, CHECKSUM_COMPLETE },
};

static void svcnet_csum_desc(const struct svcnet_csum_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_csum, svcnet_csum_cases, svcnet_csum_desc);

#define SVCNET_TEST_PAYLOAD 333

static unsigned int svcnet_l3_len(u8 family)
{
	return family == AF_INET ? sizeof(struct iphdr) :
				   sizeof(struct ipv6hdr);
}

static __sum16 *svcnet_l4_check(struct sk_buff *skb, u8 family, u8 proto)
{
	void *l4 = skb->data + svcnet_l3_len(family);

	return proto == IPPROTO_TCP ? &((struct tcphdr *)l4)->check :
				      &((struct udphdr *)l4)->check;
}

/* The L4 checksum computed from scratch, with the field taken as zero. */
static __sum16 svcnet_l4_csum(struct sk_buff *skb, u8 family, u8 proto,
			      bool partial)
{
	unsigned int off = svcnet_l3_len(family), len = skb->len - off;
	__sum16 *check = svcnet_l4_check(skb, family, proto);
	__sum16 saved = *check, sum;
	__wsum data;

	*check = 0;
	data = partial ? 0 : csum_partial(skb->data + off, len, 0);
	if (family == AF_INET) {
		const struct iphdr *iph = (struct iphdr *)skb->data;

		sum = csum_tcpudp_magic(iph->saddr, iph->daddr, len, proto,
					data);
	} else {
		const struct ipv6hdr *ip6h = (struct ipv6hdr *)skb->data;

		sum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, proto,
				      data);
	}
	*check = saved;
	/* partial: the field holds the folded pseudo-header sum, uncomplemented */
	if (partial)
		return ~sum;
	return proto == IPPROTO_UDP && !sum ? CSUM_MANGLED_0 : sum;
}

static struct sk_buff *svcnet_test_packet(struct kunit *test,
					  const struct svcnet_csum_case *c)
{
	unsigned int l3 = svcnet_l3_len(c->family);
	unsigned int l4 = c->proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
						    sizeof(struct udphdr);
	unsigned int len = l3 + l4 + SVCNET_TEST_PAYLOAD, i;
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	p = skb_put_zero(skb, len);
	for (i = l3 + l4; i < len; i++)
		p[i] = i * 7 + 3;
	if (c->family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)p;

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = c->proto;
		iph->tot_len = htons(len);
		iph->saddr = htonl(0x0a000902);
		iph->daddr = htonl(0x0a600001);
		iph->check = ip_fast_csum(iph, iph->ihl);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

		ip6h->version = 6;
		ip6h->nexthdr = c->proto;
		ip6h->hop_limit = 64;
		ip6h->payload_len = htons(len - l3);
		ipv6_addr_set(&ip6h->saddr, htonl(0xfd000009), 0, 0, htonl(2));
		ipv6_addr_set(&ip6h->daddr, htonl(0xfd000096), 0, 0, htonl(1));
	}
	if (c->proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)(p + l3);

		th->source = htons(40000);
		th->dest = htons(80);
		th->doff = 5;
		th->ack = 1;
		th->seq = htonl(0x12345678);
	} else {
		struct udphdr *uh = (struct udphdr *)(p + l3);

		uh->source = htons(40000);
		uh->dest = htons(53);
		uh->len = htons(len - l3);
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, l3);
	skb->protocol = htons(c->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	skb->ip_summed = c->ip_summed;
	if (c->zero_udp)
		return skb;
	*svcnet_l4_check(skb, c->family, c->proto) =
		svcnet_l4_csum(skb, c->family, c->proto,
			       c->ip_summed == CHECKSUM_PARTIAL);
	if (c->ip_summed == CHECKSUM_PARTIAL) {
		skb->csum_start = skb_headroom(skb) + l3;
		skb->csum_offset = c->proto == IPPROTO_TCP ?
			offsetof(struct tcphdr, check) :
			offsetof(struct udphdr, check);
	} else if (c->ip_summed == CHECKSUM_COMPLETE) {
		skb->csum = skb_checksum(skb, 0, skb->len, 0);
	}
	return skb;
}

static void svcnet_csum_test(struct kunit *test)
{
	const struct svcnet_csum_case *c = test->param_value;
	struct sk_buff *skb = svcnet_test_packet(test, c);
	union nf_inet_addr to = {};
	struct svcnet_pkt p;
	__sum16 *check;

	if (c->family == AF_INET)
		to.ip = htonl(0x0a000302);
	else
		ipv6_addr_set(&to.in6, htonl(0xfd000003), 0, 0, htonl(2));
	KUNIT_ASSERT_EQ(test, svcnet_parse(skb, c->family, &p), 0);
	KUNIT_EXPECT_EQ(test, p.t.proto, c->proto);
	KUNIT_ASSERT_EQ(test, svcnet_rewrite(skb, &p, c->dst, &to,
					     htons(8080)), 0);

	if (c->family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)skb->data;

		KUNIT_EXPECT_EQ(test, c->dst ? iph->daddr : iph->saddr, to.ip);
		KUNIT_EXPECT_EQ(test, ip_fast_csum(iph, iph->ihl), 0);
	}
	check = svcnet_l4_check(skb, c->family, c->proto);
	if (c->zero_udp)
		KUNIT_EXPECT_EQ(test, *check, 0);
	else
		KUNIT_EXPECT_EQ(test, *check,
				svcnet_l4_csum(skb, c->family, c->proto,
					       c->ip_summed == CHECKSUM_PARTIAL));
	if (c->ip_summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ(test, csum_fold(skb->csum),
				csum_fold(skb_checksum(skb, 0, skb->len, 0)));
	kfree_skb(skb);
}

/*
 * The acknowledgment of a reset answers a segment without ACK: its
 * sequence number plus its SYN, FIN and payload, whatever its options.
 */
static const struct svcnet_reset_case {
	const char *name;
	u8 family;
	bool syn, fin;
	u8 doff;		/* header words: 5 plus options */
	u16 payload;
	u32 want;		/* added to the segment's sequence number */
} svcnet_reset_cases[] = {
	{ "v4 SYN", AF_INET, true, false, 5, 0, 1 },
	{ "v4 SYN with options", AF_INET, true, false, 10, 0, 1 },
	{ "v4 data with timestamps", AF_INET, false, false, 8, 100, 100 },
	{ "v4 FIN with data and options", AF_INET, false, true, 8, 7, 8 },
	{ "v6 SYN with options", AF_INET6, true, false, 10, 0, 1 },
	{ "v6 data with options", AF_INET6, false, false, 15, 1000, 1000 },
};

static void svcnet_reset_desc(const struct svcnet_reset_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_reset, svcnet_reset_cases, svcnet_reset_desc);

static void svcnet_reset_ack_test(struct kunit *test)
{
	const struct svcnet_reset_case *c = test->param_value;
	unsigned int l3 = svcnet_l3_len(c->family);
	unsigned int len = l3 + c->doff * 4 + c->payload;
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	struct svcnet_pkt p;
	struct tcphdr *th;
	u8 *d;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	d = skb_put_zero(skb, len);
	if (c->family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)d;

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_TCP;
		iph->tot_len = htons(len);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)d;

		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->payload_len = htons(len - l3);
	}
	th = (struct tcphdr *)(d + l3);
	th->doff = c->doff;
	th->syn = c->syn;
	th->fin = c->fin;
	th->seq = htonl(0xfffffff0);	/* wraps */
	skb_reset_network_header(skb);
	KUNIT_ASSERT_EQ(test, svcnet_parse(skb, c->family, &p), 0);
	KUNIT_EXPECT_EQ(test, svcnet_reset_ack(&p, skb->len),
			(u32)(0xfffffff0 + c->want));
	kfree_skb(skb);
}

static struct kunit_case svcnet_pkt_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_csum_test, svcnet_csum_gen_params),
	KUNIT_CASE_PARAM(svcnet_reset_ack_test, svcnet_reset_gen_params),
	{}
};

static struct kunit_suite svcnet_pkt_test_suite = {
	.name = "svcnet_pkt",
	.test_cases = svcnet_pkt_test_cases,
};

kunit_test_suite(svcnet_pkt_test_suite);
