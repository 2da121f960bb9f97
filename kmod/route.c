// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the route of a rewritten packet to its backend.
 *
 * Each backend keeps the route it was last reached by, as IPVS keeps one
 * per real server, so that a packet of a known flow does not look its route
 * up again; a backend of a tunnel service also keeps the outer route to it
 * with the source address it chose. The route is used while the routing tables stay as they were
 * (the route's own check: generation counters and serial numbers that
 * every change of routes, addresses or learnt path MTUs moves) and only
 * where nothing but the backend's address can choose it: with no policy
 * routing rules, no IPv6 source routes, no IPsec output policies and a
 * zero TOS; otherwise every packet is looked up in full, with its source,
 * mark and TOS. Like IPVS's, a multipath route to one backend takes one
 * path for all of that backend's packets.
 *
 * A route in use is a struct svcnet_route, replaced whole (xchg) and freed
 * after a grace period; it holds a reference on the dst, so a reader under
 * RCU always finds the dst alive.
 */

#include <linux/delay.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ip_fib.h>
#include <net/nexthop.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "pkt.h"

struct svcnet_route {
	struct rcu_head rcu;
	struct dst_entry *dst;		/* holds a reference */
	u32 cookie;			/* IPv6: the FIB serial it was found at */
	bool multipath;			/* the route has several next hops */
	union nf_inet_addr saddr;	/* a tunnel's: the source it chose */
	int addr_genid;			/* IPv6: the addresses' then */
	struct svcnet_net *sn;		/* counted in its kept_routes */
};

static void svcnet_route_free(struct svcnet_route *r)
{
	dst_release(r->dst);
	atomic_dec(&r->sn->kept_routes);
	kfree(r);
	svcnet_objects_dec();
}

static void svcnet_route_free_rcu(struct rcu_head *head)
{
	svcnet_route_free(container_of(head, struct svcnet_route, rcu));
}

/*
 * Under RCU: whether only the destination address can choose the route of
 * @skb (its IP header at the network header).
 */
bool svcnet_route_by_daddr(struct net *net, const struct sk_buff *skb,
			   u8 family)
{
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (RT_TOS(iph->tos) || fib4_has_custom_rules(net) ||
		    ipv4_is_multicast(iph->saddr) ||
		    ipv4_is_lbcast(iph->saddr) || ipv4_is_zeronet(iph->saddr))
			return false;
	} else if (fib6_has_custom_rules(net) ||
		   fib6_routes_require_src(net)) {
		return false;
	}
#ifdef CONFIG_XFRM
	if (READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]))
		return false;
#endif
	return true;
}

/* Under RCU: the kept route in @slot if the routing tables still give it. */
static struct svcnet_route *svcnet_route_kept(struct svcnet_route __rcu **slot)
{
	struct svcnet_route *r = rcu_dereference(*slot);
	struct dst_entry *dst;

	if (!r)
		return NULL;
	dst = r->dst;
	if (dst->obsolete && !dst->ops->check(dst, r->cookie))
		return NULL;
	return r;
}

static struct dst_entry *svcnet_route_valid(struct svcnet_route __rcu **slot)
{
	struct svcnet_route *r = svcnet_route_kept(slot);

	return r ? r->dst : NULL;
}

/* Under RCU: whether the route @dst to @daddr has several next hops. */
static bool svcnet_route_multipath(struct net *net, struct dst_entry *dst,
				   const union nf_inet_addr *daddr, u8 family)
{
	if (family == AF_INET) {
		struct flowi4 fl4 = { .daddr = daddr->ip };
		struct fib_result res;

		return !fib_lookup(net, &fl4, &res, 0) && res.fi &&
		       fib_info_num_path(res.fi) > 1;
	} else {
		struct fib6_info *from;

		from = rcu_dereference(((struct rt6_info *)dst)->from);
		return from && (READ_ONCE(from->fib6_nsiblings) ||
				(from->nh && nexthop_is_multipath(from->nh)));
	}
}

/* Under RCU: @be's route with a reference taken, or NULL. */
static struct dst_entry *svcnet_route_get(struct svcnet_backend *be)
{
	struct dst_entry *dst = svcnet_route_valid(&be->route);

	/* the kept route's reference keeps the count above zero */
	if (dst)
		dst_hold(dst);
	return dst;
}

/*
 * Under RCU: keep @dst in @slot, with a tunnel's @saddr and @addr_genid if
 * given; it stays as it was if memory is short.
 */
static void svcnet_route_keep(struct svcnet_route __rcu **slot,
			      struct svcnet_dev *sd, struct dst_entry *dst,
			      u32 cookie, bool multipath,
			      const union nf_inet_addr *saddr, int addr_genid)
{
	struct svcnet_route *r, *old;
	struct mem_cgroup *memcg;

	memcg = svcnet_charge_begin(sd);
	r = kmalloc(sizeof(*r), SVCNET_GFP_PACKET);
	svcnet_charge_end(memcg);
	if (!r)
		return;
	svcnet_objects_inc();
	dst_hold(dst);
	r->dst = dst;
	r->cookie = cookie;
	r->multipath = multipath;
	if (saddr)
		r->saddr = *saddr;
	else
		memset(&r->saddr, 0, sizeof(r->saddr));
	r->addr_genid = addr_genid;
	r->sn = svcnet_pernet(dev_net(sd->dev));
	atomic_inc(&r->sn->kept_routes);
	old = unrcu_pointer(xchg(slot, RCU_INITIALIZER(r)));
	if (old)
		call_rcu(&old->rcu, svcnet_route_free_rcu);
}

/*
 * Under RCU: whether a tunnel's outer route to a backend depends on its
 * address alone (no policy routing rules, IPv6 source routes or IPsec
 * output policies), so that the route found once may be kept.
 */
static bool svcnet_route_tunnel_by_daddr(struct net *net, u8 family)
{
	if (family == AF_INET ? fib4_has_custom_rules(net) :
				(fib6_has_custom_rules(net) ||
				 fib6_routes_require_src(net)))
		return false;
#ifdef CONFIG_XFRM
	if (READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]))
		return false;
#endif
	return true;
}

/*
 * Under RCU, for tunnel.c: @be's kept tunnel route, with a reference taken
 * and the source address it chose in @saddr, if only the backend's address
 * chooses it and the routing tables still give it; otherwise NULL, and
 * @genid for svcnet_route_tunnel_keep(), read before the lookup.
 */
struct dst_entry *svcnet_route_tunnel_get(struct net *net,
					  struct svcnet_backend *be,
					  union nf_inet_addr *saddr, int *genid)
{
	struct svcnet_route *r;

	/* IPv6 routes outlive the source address chosen with them */
	*genid = atomic_read(&net->ipv6.dev_addr_genid);
	if (!svcnet_route_tunnel_by_daddr(net, be->svc->key.family))
		return NULL;
	r = svcnet_route_kept(&be->tunnel_route);
	if (!r || (be->svc->key.family == AF_INET6 &&
		   r->addr_genid != *genid))
		return NULL;
	*saddr = r->saddr;
	dst_hold(r->dst);
	return r->dst;
}

/*
 * Under RCU: keep @dst, just looked up, as @be's tunnel route, with the
 * source address it chose (@saddr) and @genid from svcnet_route_tunnel_get().
 */
void svcnet_route_tunnel_keep(struct net *net, struct svcnet_backend *be,
			      struct dst_entry *dst,
			      const union nf_inet_addr *saddr, int genid)
{
	u32 cookie = 0;

	if (!svcnet_route_tunnel_by_daddr(net, be->svc->key.family))
		return;
	if (be->svc->key.family == AF_INET6)
		cookie = rt6_get_cookie((struct rt6_info *)dst);
	svcnet_route_keep(&be->tunnel_route, be->svc->sd, dst, cookie, false,
			  saddr, genid);
}

/* @slot's owner is being freed: its kept route goes with it. */
void svcnet_route_release(struct svcnet_route __rcu **slot)
{
	struct svcnet_route *r = rcu_dereference_protected(*slot, true);

	if (r)
		svcnet_route_free(r);
}

/*
 * Under RCU, in svc0's transmit: unless @svc's entry route is kept and
 * valid, look up the route of its address, and keep it when it leads into
 * the device (see svcnet_fast_in()). The lookup is svcnet's own, not the
 * route a packet brought (found before a change, it would be kept valid).
 */
void svcnet_route_entry_seen(struct net *net, struct svcnet_service *svc)
{
	struct dst_entry *dst;
	u32 cookie = 0;

	if (svcnet_route_valid(&svc->entry))
		return;
	if (svc->key.family == AF_INET) {
		struct flowi4 fl4 = { .daddr = svc->key.addr.ip };
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return;
		dst = &rt->dst;
	} else {
		struct flowi6 fl6 = { .daddr = svc->key.addr.in6 };

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return;
		}
		cookie = rt6_get_cookie((struct rt6_info *)dst);
	}
	if (dst->dev == svc->sd->dev)
		svcnet_route_keep(&svc->entry, svc->sd, dst, cookie, false,
				  NULL, 0);
	dst_release(dst);
}

/* Whether @dst delivers to this host: the backend is one of its addresses. */
static bool svcnet_dst_local(const struct dst_entry *dst, u8 family)
{
	if (family == AF_INET)
		return ((const struct rtable *)dst)->rt_type == RTN_LOCAL;
	return ((const struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL;
}

/*
 * Under RCU, where only destinations choose routes: how the fast path may
 * take a packet of @be's that came in by @in. SVCNET_FAST_KEPT: routing
 * still sends its service's packets into the device (the entry route) and
 * @be's to @be (@be's kept route, never into an svcnet device), not to
 * this host (a loopback backend is no input route), and not out by @in
 * (the forwarding path would send the client an ICMP redirect naming the
 * backend). SVCNET_FAST_LOOKUP: so far, but @be's route has several next
 * hops, which forwarding chooses by each packet's addresses: the packet
 * must be routed to see. SVCNET_FAST_NO: through svc0.
 */
int svcnet_route_fast(struct svcnet_backend *be, const struct net_device *in)
{
	struct svcnet_route *r;

	if (!svcnet_route_valid(&be->svc->entry))
		return SVCNET_FAST_NO;
	r = svcnet_route_kept(&be->route);
	if (!r || svcnet_dst_local(r->dst, be->svc->key.family))
		return SVCNET_FAST_NO;
	if (r->multipath)
		return SVCNET_FAST_LOOKUP;
	return r->dst->dev != in ? SVCNET_FAST_KEPT : SVCNET_FAST_NO;
}

/*
 * A namespace's kept routes go at the end of chains of RCU callbacks (flow,
 * backend, service), after svcnet's exit; an IPv6 route must be freed
 * before IPv6's exit frees its namespace's dst_ops. Wait for them.
 */
void svcnet_route_net_exit_batch(struct list_head *net_exit_list)
{
	bool kept = false;
	struct net *net;
	int i;

	list_for_each_entry(net, net_exit_list, exit_list) {
		atomic_t *n = &svcnet_pernet(net)->kept_routes;

		/* never given up: what is left would be freed too late */
		for (i = 0; atomic_read(n); i++) {
			kept = true;
			rcu_barrier();
			if (i >= 8) {
				pr_warn_ratelimited("waiting for %d kept routes\n",
						    atomic_read(n));
				msleep(100);
			}
		}
	}
	/* the dsts whose last reference those were (older 6.1 counted
	 * them in dst_destroy())
	 */
	if (kept)
		rcu_barrier();
}

/*
 * The IPv6 output route for @fl6, through the IPsec policies as IPv4's
 * ip_route_output_key() goes: a packet an output policy covers leaves
 * transformed. A dst with a reference, or an ERR_PTR.
 */
struct dst_entry *svcnet_route6(struct net *net, struct flowi6 *fl6)
{
	struct dst_entry *dst = ip6_route_output(net, NULL, fl6);
	int err = dst->error;

	if (err) {
		dst_release(dst);
		return ERR_PTR(err);
	}
	return xfrm_lookup_route(net, dst, flowi6_to_flowi(fl6), NULL, 0);
}

/*
 * Under RCU: route the rewritten packet to @be, whose address it is sent
 * to; @p is what svcnet_parse() read in it (its L4 protocol and where its
 * ports are, for policy routing and IPsec selectors). A datagram just
 * reassembled (@reasm) keeps what reassembly noted in its control block
 * (the largest fragment's size, DF): it leaves in fragments no larger than
 * it came. Returns 0 or a drop reason.
 */
int svcnet_route(struct net *net, struct sk_buff *skb,
		 const struct svcnet_pkt *p, struct svcnet_backend *be,
		 bool reasm)
{
	u8 family = p->t.family;
	bool cache = svcnet_route_by_daddr(net, skb, family);
	struct dst_entry *dst = cache ? svcnet_route_get(be) : NULL;
	__be16 sport = 0, dport = 0;
	u32 cookie = 0;

	if (dst)
		goto set;
	if (p->t.proto == IPPROTO_TCP || p->t.proto == IPPROTO_UDP) {
		const __be16 *ports = (const __be16 *)(skb->data + p->l4off);

		sport = ports[0];
		dport = ports[1];
	}
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {
			.daddr = iph->daddr,
			.saddr = iph->saddr,
			.flowi4_tos = RT_TOS(iph->tos),
			.flowi4_proto = p->t.proto,
			.flowi4_mark = skb->mark,
			/* the client may be another host or namespace */
			.flowi4_flags = FLOWI_FLAG_ANYSRC,
			.fl4_sport = sport,
			.fl4_dport = dport,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return SVCNET_DROP_NO_ROUTE;
		dst = &rt->dst;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = ip6h->daddr,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = p->t.proto,
			.fl6_sport = sport,
			.fl6_dport = dport,
		};

		dst = svcnet_route6(net, &fl6);
		if (IS_ERR(dst))
			return SVCNET_DROP_NO_ROUTE;
		cookie = rt6_get_cookie((struct rt6_info *)dst);
	}
	if (svcnet_is_dev(dst->dev)) {
		dst_release(dst);
		return SVCNET_DROP_LOOP;
	}
	/* replies from this host leave by LOCAL_OUT: see svcnet_nat_local_out */
	if (unlikely(svcnet_dst_local(dst, family))) {
		struct svcnet_net *sn = svcnet_pernet(net);

		if (!READ_ONCE(sn->local_backends))
			WRITE_ONCE(sn->local_backends, true);
	}
	if (cache)
		svcnet_route_keep(&be->route, be->svc->sd, dst, cookie,
				  svcnet_route_multipath(net, dst, &be->addr,
							 family), NULL, 0);
set:
	/* after reassembly it holds only what reassembly noted */
	if (!reasm && family == AF_INET)
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	else if (!reasm)
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return 0;
}
