// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: packet translation.
 *
 * Forward: the device's transmit path parses the packet, finds its service
 * and flow (scheduling a backend for a new flow), rewrites the destination
 * to the backend, routes it there and sends it with ip_local_out() /
 * ip6_local_out(). Established flows of forwarded clients take the fast
 * path instead (fastpath.c).
 *
 * Reverse: a hook at NF_INET_PRE_ROUTING, before connection tracking,
 * rewrites the source of replies from a backend back to the service
 * address and port. Conntrack therefore sees the reply of the connection
 * it tracked at the client side (client -> service), and no second entry
 * is created for backend -> client. Replies of a backend that is this host
 * are rewritten at NF_INET_LOCAL_OUT the same way. On a device whose fast
 * path is direct, the same hook hands packets of flows on the direct path
 * to fastpath_out.c before conntrack sees them; in notrack mode it marks
 * the packets of flows conntrack never sees untracked (notrack.c), and a
 * hook after every other at PRE_ROUTING takes a first packet of such a flow
 * from FORWARD's hook to the device's transmit (svcnet_nat_first()).
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_frag.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/route.h>

#include "pkt.h"

/*
 * Under RCU: the address this host sends from towards @be (as the route
 * chooses it, a preferred source included), to source NAT a flow to it
 * (SVCNET_FORWARD_SNAT, or a client that is that backend: hairpin):
 * replies then come back through this host. 1 with the address in @out; 0
 * when the backend is this host, whose replies come back through it
 * anyway; -1 when there is no route or no address to send from. Where
 * only destinations choose routes, the address is kept with @be's route
 * (route.c) while the routing tables and addresses stay as they were.
 */
static int svcnet_snat_addr(struct net *net, u8 family,
			    struct svcnet_backend *be, union nf_inet_addr *out)
{
	const union nf_inet_addr *addr = &be->addr;
	struct flowi6 fl6 = { .daddr = addr->in6 };
	struct svcnet_route_gen gen;
	struct dst_entry *dst;

	if (svcnet_route_source_get(net, family, be, out, &gen))
		return 1;
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		struct flowi4 fl4 = { .daddr = addr->ip };
		struct rtable *rt;

		if (inet_addr_type(net, addr->ip) == RTN_LOCAL)
			return 0;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return -1;
		out->ip = fl4.saddr;
		dst = &rt->dst;
	} else {
		if (ipv6_chk_addr(net, &addr->in6, NULL, 0))
			return 0;
		/* fills the source as the route and its preferred source choose */
		if (ip6_dst_lookup(net, NULL, &dst, &fl6))
			return -1;
		out->in6 = fl6.saddr;
	}
	/* (an IPv4 address fills the union's first bytes, the rest zero) */
	if (ipv6_addr_any(&out->in6)) {
		dst_release(dst);
		return -1;
	}
	svcnet_route_source_keep(net, family, be, dst, out, &gen);
	dst_release(dst);
	return 1;
}

/*
 * svc0's own users of the kernel's IPv4 and IPv6 reassembly queues, past
 * the kernel's (include/net/ip.h, include/net/ipv6_frag.h): their fragments
 * are never mixed with those others reassemble.
 */
#define SVCNET_DEFRAG_USER4 (IP_DEFRAG_MACVLAN + 1)
#define SVCNET_DEFRAG_USER6 (__IP6_DEFRAG_CONNTRACK_BRIDGE_IN + 1)

/*
 * A fragment sent into svc0 (a datagram larger than the path's MTU, from a
 * host socket or a forwarded client): queued until its datagram is whole,
 * which is then balanced as one packet and fragmented again on its way to
 * the backend, no fragment larger than it came. Returns the whole datagram,
 * a packet that was no fragment after all (parsed again), or NULL: queued,
 * or dropped and counted. The kernel's limits on reassembly memory and
 * time (net.ipv4.ipfrag_*, net.netfilter.nf_conntrack_frag6_*) apply.
 */
static struct sk_buff *svcnet_defrag(struct svcnet_dev *sd,
				     struct sk_buff *skb, u8 family)
{
	struct net *net = dev_net(sd->dev);
	int err;

	/*
	 * The control block holds what the output path and a qdisc left:
	 * reassembly keeps it, and answers from it (ICMP when it times out).
	 */
	if (family == AF_INET) {
		/* parsed: the header is pulled */
		const struct iphdr *iph = ip_hdr(skb);
		unsigned int len = ntohs(iph->tot_len);

		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		if (len < iph->ihl * 4 || len > skb->len ||
		    pskb_trim_rcsum(skb, len)) {
			kfree_skb(skb);
			goto drop;
		}
		/* consumes the fragment unless it completes the datagram */
		err = ip_defrag(net, skb, SVCNET_DEFRAG_USER4);
		if (!err) {
			/* DF of a fragment is not the datagram's to keep */
			skb->ignore_df = 1;
			skb_clear_hash(skb);
			return skb;
		}
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		err = nf_ct_frag6_gather(net, skb, SVCNET_DEFRAG_USER6);
		if (!err) {
			skb_clear_hash(skb);
			return skb;
		}
		if (err != -EINPROGRESS)
			kfree_skb(skb);
	}
	if (err == -EINPROGRESS) {
		svcnet_stats_fragment(sd);
		return NULL;
	}
drop:
	svcnet_stats_drop(sd, SVCNET_DROP_FRAGMENT);
	return NULL;
}

/*
 * Packets that no service address can be the destination of: multicast
 * and broadcast, and IPv6 link-local ones, which the IPv6 stack sends into
 * every device on its own (multicast listener reports, router
 * solicitations). They are no traffic to a service: dropped uncounted.
 */
static bool svcnet_not_for_service(const struct svcnet_pkt *p)
{
	if (p->t.family == AF_INET)
		return ipv4_is_multicast(p->t.daddr.ip) ||
		       ipv4_is_lbcast(p->t.daddr.ip);
	return ipv6_addr_type(&p->t.daddr.in6) &
	       (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL);
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

/*
 * A new flow for @p to @svc, or NULL and a drop reason in *reason;
 * @notrack: one conntrack never sees (SVCNET_FLOW_F_NOTRACK).
 */
static struct svcnet_flow *svcnet_new_flow(struct svcnet_net *sn,
					   struct svcnet_service *svc,
					   const struct svcnet_pkt *p,
					   bool notrack, int *reason)
{
	bool sticky = READ_ONCE(svc->affinity_timeout);
	const union nf_inet_addr *snat = NULL;
	struct svcnet_backend *be = NULL;
	struct svcnet_sources *srcs;
	union nf_inet_addr snat_addr;
	bool created, retried = false, evicted = false;
	u8 forward = READ_ONCE(svc->forward), flags = 0;
	u8 nt = notrack && forward != SVCNET_FORWARD_NAT ?
		SVCNET_FLOW_F_NOTRACK : 0;
	struct svcnet_flow *f;
	int err, ret;

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
	/* source NAT: the service's method, or a hairpin (the client is be) */
	if (forward == SVCNET_FORWARD_TUNNEL) {
		flags = SVCNET_FLOW_F_TUNNEL;
	} else if (forward == SVCNET_FORWARD_SNAT ||
		   nf_inet_addr_cmp(&be->addr, &p->t.saddr)) {
		ret = svcnet_snat_addr(sn->net, p->t.family, be, &snat_addr);
		/* never the client's own address where snat was asked for */
		if (ret < 0 && forward == SVCNET_FORWARD_SNAT) {
			*reason = SVCNET_DROP_NO_ROUTE;
			return NULL;
		}
		if (ret > 0)
			snat = &snat_addr;
	}
create:
	f = svcnet_flow_create_flags(sn, &p->t, be,
				     p->t.proto == IPPROTO_TCP ?
				     SVCNET_FLOW_TCP_SYN : SVCNET_FLOW_UDP,
				     snat, flags | nt |
				     (evicted ? SVCNET_FLOW_C_EVICT : 0),
				     &created, &err);
	/*
	 * No port free towards @be: as conntrack's early drop, a flow to @be
	 * not assured gives up its port (a flood of spoofed flows holds
	 * ports only until new ones come), once.
	 */
	if (!f && err == -EADDRINUSE && !evicted) {
		evicted = true;
		goto create;
	}
	if (!f && err == -ESTALE && !retried) {
		/* removed meanwhile: its set without it is published */
		retried = true;
		evicted = false;
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
		/* a connection that began elsewhere (see svcnet_pickup()) */
		if (p->t.proto == IPPROTO_TCP && !p->syn)
			svcnet_track_pickup(f, p);
		svcnet_lbstats_conn(svc->stats);
		svcnet_lbstats_conn(be->stats);
	}
	if (sticky)
		svcnet_affinity_set(sn, svc, &p->t.saddr, f->be);
	return f;
}

/*
 * Under RCU: whether @p, a TCP segment of @svc other than a SYN that
 * matches no flow, gets one. A consistent hash (maglev, sh) sends it to the
 * backend any balancer with the same key and backends picks: a connection
 * that a router moved here from another balancer keeps its backend. Only
 * an ACK without RST is picked up (as conntrack's loose pickup): resets,
 * scans and stray FINs get no flow. Not where the backend depends on more
 * than the hash (session affinity, a balancer's own source NAT). Others
 * are answered with a reset.
 */
static bool svcnet_pickup(struct svcnet_service *svc,
			  const struct svcnet_pkt *p)
{
	const struct svcnet_bset *bs = rcu_dereference(svc->bset);
	u8 forward = READ_ONCE(svc->forward);

	/*
	 * A tunnel service's flows are never assured (no reply is seen): one
	 * evicted from a full table is picked up whatever the scheduler, by
	 * the backend it had with maglev and sh.
	 */
	return p->ack && !p->rst && !p->syn && bs &&
	       (bs->sched == SVCNET_SCHED_MAGLEV ||
		bs->sched == SVCNET_SCHED_SH ||
		forward == SVCNET_FORWARD_TUNNEL) &&
	       !READ_ONCE(svc->affinity_timeout) &&
	       forward != SVCNET_FORWARD_SNAT;
}

/*
 * The device's transmit. With @first: FORWARD's hook just accepted @skb
 * here, not on its way into the device: the first packet of a flow to
 * service @first (svcnet_notrack_first()), of tuple @t before the hook;
 * as it left the hook with that tuple, its service is not looked up again,
 * nor its flow (none was there; one made meanwhile is found as it is made).
 */
static netdev_tx_t svcnet_nat_send(struct svcnet_dev *sd, struct sk_buff *skb,
				   struct svcnet_service *first,
				   const struct svcnet_tuple *t)
{
	struct net *net = dev_net(sd->dev);
	struct svcnet_net *sn = svcnet_pernet(net);
	struct svcnet_service *svc;
	struct svcnet_svc_key key;
	struct svcnet_flow *f;
	struct svcnet_pkt p;
	bool unreachable, hooked, reasm = false;
	unsigned int len;
	int reason;
	u8 family, state;

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
	reason = svcnet_parse(skb, family, &p);
	if (reason == SVCNET_DROP_FRAGMENT) {
		skb = svcnet_defrag(sd, skb, family);
		if (!skb)
			return NETDEV_TX_OK;
		reasm = true;
		reason = svcnet_parse(skb, family, &p);
	}
	rcu_read_lock();
	if (reason) {
		unreachable = false;
		goto drop;
	}
	if (unlikely(svcnet_not_for_service(&p))) {
		rcu_read_unlock();
		consume_skb(skb);
		return NETDEV_TX_OK;
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
	/* (a FORWARD rule may have rewritten it: then as any packet) */
	hooked = first && !memcmp(&p.t, t, sizeof(*t));
	if (hooked) {
		svc = first;
	} else {
		svcnet_pkt_svc_key(&p, &key);
		svc = svcnet_service_lookup(sd, &key);
	}
	if (!svc) {
		reason = SVCNET_DROP_NO_SERVICE;
		/* a closed TCP port: refused with a reset, as by a host */
		if (p.t.proto == IPPROTO_TCP) {
			unreachable = false;
			svcnet_send_reset(net, skb, &p);
		}
		goto drop;
	}
	if (svcnet_route_by_daddr(net, skb, family))
		svcnet_route_entry_seen(net, svc);
	f = hooked ? NULL : svcnet_flow_lookup_fwd(sn, &p.t);
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
		bool tcp_mid = p.t.proto == IPPROTO_TCP && !(p.syn && !p.ack);

		if (tcp_mid && !svcnet_pickup(svc, &p)) {
			reason = SVCNET_DROP_NO_FLOW;
			unreachable = false;
			svcnet_send_reset(net, skb, &p);
			goto drop;
		}
		/* notrack mode: an untracked packet of a forwarded client */
		f = svcnet_new_flow(sn, svc, &p, skb->skb_iif &&
				    svcnet_skb_untracked(skb) &&
				    READ_ONCE(sd->fast_path) ==
				    SVCNET_FAST_PATH_NOTRACK, &reason);
		if (!f && tcp_mid) {
			/*
			 * A connection: refused for good (no backend, not an
			 * allowed source), a reset ends it; short of room it
			 * may retransmit into a table with room again.
			 */
			unreachable = false;
			if (reason == SVCNET_DROP_NO_BACKEND ||
			    reason == SVCNET_DROP_SOURCE)
				svcnet_send_reset(net, skb, &p);
		}
		if (!f)
			goto drop;
	}
	state = svcnet_track(f, &p, false);
	svcnet_flow_touch(sn, f, state);
	/* the fast path takes its packets from there only (0: this host) */
	if (READ_ONCE(f->iif) != skb->skb_iif)
		WRITE_ONCE(f->iif, skb->skb_iif);
	/* forwarded into the device, FORWARD accepted it */
	if (skb->skb_iif)
		svcnet_fast_direct_arm(net, skb, &p, f, state, hooked);
	len = skb->len;
	/* direct server return: unchanged, in a tunnel */
	if (READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL)
		goto route;
	if (svcnet_rewrite_flow(skb, &p, f)) {
		reason = SVCNET_DROP_MALFORMED;
		unreachable = false;
		goto drop;
	}
	len = skb->len;
route:
	svcnet_lbstats_add(f->be->svc->stats, true, len);
	svcnet_lbstats_add(f->be->stats, true, len);
	/* the outer packet of a tunnel is of the inner one's family */
	if (READ_ONCE(f->flags) & SVCNET_FLOW_F_TUNNEL)
		reason = svcnet_tunnel_encap(net, skb, &p, f->be, reasm,
					     svcnet_flow_notrack(f));
	else
		reason = svcnet_route(net, skb, &p, f->be, reasm);
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

netdev_tx_t svcnet_nat_xmit(struct svcnet_dev *sd, struct sk_buff *skb)
{
	return svcnet_nat_send(sd, skb, NULL, NULL);
}

/* Under RCU: @skb, of a flow conntrack never sees, is untracked. */
static void svcnet_notrack(struct sk_buff *skb)
{
	if (!skb_get_nfct(skb))
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

/* A first packet FORWARD's hook let pass later (from a queue). */
static int svcnet_notrack_okfn(struct net *net, struct sock *sk,
			       struct sk_buff *skb)
{
	/* into the device as forwarding sends it: POSTROUTING, the queue */
	return dst_output(net, sk, skb);
}

/*
 * After every other PRE_ROUTING hook, in a namespace with a device in
 * notrack mode: the first packet of a flow conntrack never sees goes from
 * FORWARD's hook to the device's transmit (notrack.c).
 */
static unsigned int svcnet_nat_first(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct svcnet_net *sn = svcnet_pernet(state->net);
	struct svcnet_service *svc;
	struct svcnet_flow *f;
	struct svcnet_pkt p;
	unsigned int ret;

	if (!READ_ONCE(sn->fast_notrack) || !svcnet_skb_untracked(skb) ||
	    svcnet_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			 &p) ||
	    (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP))
		return NF_ACCEPT;
	/* to a source NAT or tunnel service of a device in notrack mode */
	svc = svcnet_notrack_svc(state->net, &p);
	if (!svc)
		return NF_ACCEPT;
	/* as forwarding runs (the hooks after a queue's verdict may not) */
	local_bh_disable();
	/* a packet of a flow conntrack never sees: the fast path's */
	f = svcnet_flow_lookup_fwd(sn, &p.t);
	if (f) {
		ret = svcnet_flow_notrack(f) ?
		      svcnet_fast_flow(state->net, skb, &p, f) : NF_ACCEPT;
		goto out;
	}
	ret = NF_ACCEPT;
	if (!svcnet_notrack_first(state->net, skb, &p, svc))
		goto out;
	if (nf_hook(state->pf, NF_INET_FORWARD, state->net, NULL, skb,
		    skb->dev, svc->sd->dev, svcnet_notrack_okfn) == 1)
		svcnet_nat_send(svc->sd, skb, svc, &p.t);
	ret = NF_STOLEN;
out:
	local_bh_enable();
	return ret;
}

static unsigned int svcnet_nat_in(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct svcnet_net *sn = svcnet_pernet(state->net);
	struct svcnet_backend *be;
	struct svcnet_tuple fwd;
	struct svcnet_flow *f;
	struct svcnet_pkt p;

	if (!atomic_read(&sn->flow_count) && !READ_ONCE(sn->fast_notrack))
		return NF_ACCEPT;
	if (svcnet_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			 &p))
		return NF_ACCEPT;
	if (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP) {
		f = svcnet_icmp_in(sn, skb, &p);
		/* notrack mode: errors about a flow's packets or its replies */
		if (!f && READ_ONCE(sn->fast_notrack))
			f = svcnet_icmp_out_flow(sn, skb, &p);
		if (f && svcnet_flow_notrack(f))
			svcnet_notrack(skb);
		return NF_ACCEPT;
	}
	/* a packet of a flow on the direct path (fastpath_out.c) */
	if (READ_ONCE(sn->fast_direct) &&
	    state->hook == NF_INET_PRE_ROUTING) {
		f = svcnet_flow_lookup_fwd(sn, &p.t);
		if (f && svcnet_fast_direct(state->net, skb, &p, f))
			return NF_STOLEN;
		/* notrack mode: a client's packet, of a flow or for one */
		if (READ_ONCE(sn->fast_notrack))
			svcnet_notrack_client(state->net, skb, &p, f);
	}
	f = svcnet_flow_lookup_rev(sn, &p.t);
	if (!f) {
		/* notrack mode: a tunnel's reply this host routes */
		if (READ_ONCE(sn->fast_notrack))
			svcnet_notrack_reply(sn, skb, &p);
		return NF_ACCEPT;
	}
	svcnet_flow_tuples(f, &fwd, NULL);
	if (svcnet_rewrite(skb, &p, false, &fwd.daddr, fwd.dport) ||
	    (svcnet_flow_is_snat(f) &&
	     svcnet_rewrite(skb, &p, true, &fwd.saddr, fwd.sport))) {
		svcnet_stats_drop(f->be->svc->sd, SVCNET_DROP_MALFORMED);
		return NF_DROP;
	}
	/* before conntrack at PRE_ROUTING and LOCAL_OUT alike */
	if (svcnet_flow_notrack(f))
		svcnet_notrack(skb);
	svcnet_flow_touch(sn, f, svcnet_track(f, &p, true));
	be = f->be;
	svcnet_lbstats_add(be->svc->stats, false, skb->len);
	svcnet_lbstats_add(be->stats, false, skb->len);
	svcnet_stats_rx(be->svc->sd, skb->len);
	return NF_ACCEPT;
}

/*
 * This host's own packets, svc0's rewritten ones among them. They concern
 * svcnet as the ICMP errors it sends about balanced packets (PMTU), and as
 * replies of a backend that is this host (one of its addresses, a
 * hostNetwork endpoint): those leave by LOCAL_OUT, towards a client on
 * another host or namespace, and never pass PRE_ROUTING. Until such a
 * backend was seen in the namespace, plain TCP and UDP leave on a look at
 * their protocol. At LOCAL_OUT the network header is at skb->data and
 * linear.
 */
static unsigned int svcnet_nat_local_out(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	bool v4 = state->pf == NFPROTO_IPV4;
	union nf_inet_addr daddr = {};
	unsigned int ret;
	u8 proto;

	if (v4) {
		proto = ip_hdr(skb)->protocol;
		daddr.ip = ip_hdr(skb)->daddr;
	} else {
		proto = ipv6_hdr(skb)->nexthdr;
		daddr.in6 = ipv6_hdr(skb)->daddr;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
	    !READ_ONCE(svcnet_pernet(state->net)->local_backends))
		return NF_ACCEPT;
	ret = svcnet_nat_in(priv, skb, state);
	if (ret != NF_ACCEPT)
		return ret;
	/*
	 * A new destination (an error about a source NATed flow, which this
	 * host addressed to itself, now to the client): routed anew, as
	 * after a NAT rule at OUTPUT.
	 */
	if (v4 ? ip_hdr(skb)->daddr != daddr.ip :
		 !ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &daddr.in6)) {
		int err = v4 ? ip_route_me_harder(state->net, state->sk, skb,
						  RTN_UNSPEC) :
			       ip6_route_me_harder(state->net, state->sk, skb);

		if (err < 0)
			return NF_DROP_ERR(err);
	}
	return NF_ACCEPT;
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
	/* notrack mode: a flow's first packet, after every other hook */
	{
		.hook = svcnet_nat_first,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY_FIRST,
	},
	{
		.hook = svcnet_nat_first,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY_FIRST,
	},
	/* established flows of forwarded clients, after conntrack */
	{
		.hook = svcnet_fast_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY_FORWARD,
	},
	{
		.hook = svcnet_fast_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = SVCNET_NF_PRIORITY_FORWARD,
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
	/* fragmented replies are reassembled before the hook, as for conntrack */
	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto err_v4;
	err = nf_register_net_hooks(net, svcnet_nf_ops,
				    ARRAY_SIZE(svcnet_nf_ops));
	if (err)
		goto err_v6;
	sn->hook_users = 1;
	return 0;

err_v6:
	nf_defrag_ipv6_disable(net);
err_v4:
	nf_defrag_ipv4_disable(net);
	return err;
}

void svcnet_nat_hooks_put(struct net *net)
{
	struct svcnet_net *sn = svcnet_pernet(net);

	ASSERT_RTNL();
	if (--sn->hook_users)
		return;
	nf_unregister_net_hooks(net, svcnet_nf_ops, ARRAY_SIZE(svcnet_nf_ops));
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
	WRITE_ONCE(sn->local_backends, false);
}
