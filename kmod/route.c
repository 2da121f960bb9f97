// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the route of a rewritten packet to its backend.
 *
 * Each backend keeps the route it was last reached by, as IPVS keeps one
 * per real server, so that a packet of a known flow does not look its route
 * up again; a backend of a tunnel service also keeps the outer route to it
 * and the source address that lookup chose, and a backend of source NATed
 * flows the route that gives them their source, with that source. A route
 * is used while the routing tables stay as they were (the route's own
 * check: generation counters and serial numbers that every change of
 * routes, addresses or learnt path MTUs moves; for IPv6, whose serial
 * number a deleted route does not move, also the count of routes deleted; a
 * route whose device or IPv6 FIB entry went away is never used) and only
 * where nothing but the backend's address can choose it: with no policy
 * routing rules, no IPv6 source routes, no IPsec output policies and (NAT)
 * a zero TOS; otherwise every packet is looked up in full, with its source,
 * mark and TOS. A route is kept only if the generations read before its
 * lookup still hold after it. Like IPVS's, a multipath route to one backend
 * takes one path for all of that backend's packets. An IPv6 source kept
 * with a route (a tunnel's, source NAT's) is also checked against the
 * addresses' generation, since an IPv6 route outlives the source chosen
 * with it.
 *
 * Changes no generation shows, which a kept route does not follow until
 * the next change that does: next hops chosen by neighbour state
 * (fib_multipath_use_neigh, IPv6 router reachability), IPv6 carrier loss
 * with ignore_routes_with_linkdown, the fields multipath routes hash
 * (fib_multipath_hash_policy and _fields: a kept multipath route, and the
 * source kept with it, stay on the next hop chosen before), and the inputs
 * of IPv6 source address selection other than the addresses (ip addrlabel,
 * use_tempaddr).
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
	int addr_genid;			/* IPv6: dev_addr_genid at its lookup */
	u32 deleted;			/* IPv6: routes deleted before it */
	struct svcnet_net *sn;		/* counted in its kept_routes */
};

/* IPv6's count of routes deleted (under the table's lock, read without) */
static u32 svcnet_route6_deleted(const struct net *net)
{
	return READ_ONCE(net->ipv6.rt6_stats->fib_discarded_routes);
}

/* Under RCU: whether only destinations choose routes, TOS and source aside. */
static bool svcnet_route_plain(struct net *net, u8 family)
{
	if (family == AF_INET ? fib4_has_custom_rules(net) :
				fib6_has_custom_rules(net) ||
				fib6_routes_require_src(net))
		return false;
#ifdef CONFIG_XFRM
	if (READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]))
		return false;
#endif
	return true;
}

/* The generations a route is kept under, read before its lookup. */
void svcnet_route_gen_read(struct net *net, u8 family,
			   struct svcnet_route_gen *gen)
{
	gen->rt = family == AF_INET ? rt_genid_ipv4(net) : rt_genid_ipv6(net);
	gen->addr = atomic_read(&net->ipv6.dev_addr_genid);
	/* (no IPv6 routing tables where IPv6 is disabled at boot) */
	gen->deleted = family == AF_INET6 ? svcnet_route6_deleted(net) : 0;
}

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

		if (RT_TOS(iph->tos) || ipv4_is_multicast(iph->saddr) ||
		    ipv4_is_lbcast(iph->saddr) || ipv4_is_zeronet(iph->saddr))
			return false;
	}
	return svcnet_route_plain(net, family);
}

/* Under RCU: the kept route in @slot if the routing tables still give it. */
static struct svcnet_route *svcnet_route_kept(struct svcnet_route __rcu **slot)
{
	struct svcnet_route *r = rcu_dereference(*slot);
	struct dst_entry *dst;

	if (!r)
		return NULL;
	dst = r->dst;
	/*
	 * Its device went away (dst_dev_put()): an IPv6 route of a nexthop
	 * object would pass its check, on the namespace's serial number.
	 */
	if (dst->obsolete > 0 ||
	    (dst->obsolete && !dst->ops->check(dst, r->cookie)))
		return NULL;
	/*
	 * An IPv6 route deleted moves no serial number, and a route of a
	 * nexthop object may have been found by another prefix of the same
	 * next hop (its from): any route deleted since, it goes.
	 */
	if (dst->ops->family == AF_INET6 &&
	    (!rcu_access_pointer(((struct rt6_info *)dst)->from) ||
	     r->deleted != svcnet_route6_deleted(r->sn->net)))
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
 * Under RCU: keep @dst, looked up after @gen was read, in @slot, with a
 * tunnel's @saddr if given; unless the generations moved meanwhile (the
 * route may be older than the change) or its IPv6 FIB entry is gone
 * already. It stays as it was if memory is short.
 */
static void svcnet_route_keep(struct svcnet_route __rcu **slot,
			      struct svcnet_dev *sd, struct dst_entry *dst,
			      u32 cookie, bool multipath,
			      const union nf_inet_addr *saddr,
			      const struct svcnet_route_gen *gen)
{
	struct net *net = dev_net(sd->dev);
	u8 family = dst->ops->family;
	struct svcnet_route *r, *old;
	struct svcnet_route_gen now;
	struct mem_cgroup *memcg;

	svcnet_route_gen_read(net, family, &now);
	if (now.rt != gen->rt ||
	    (family == AF_INET6 &&
	     (now.addr != gen->addr || now.deleted != gen->deleted)))
		return;
	if (family == AF_INET6 &&
	    !rcu_access_pointer(((struct rt6_info *)dst)->from))
		return;

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
	r->addr_genid = gen->addr;
	r->deleted = gen->deleted;
	r->sn = svcnet_pernet(dev_net(sd->dev));
	atomic_inc(&r->sn->kept_routes);
	old = unrcu_pointer(xchg(slot, RCU_INITIALIZER(r)));
	if (old)
		call_rcu(&old->rcu, svcnet_route_free_rcu);
}

/*
 * Under RCU: the route kept in @slot, one of @be's for this host's own
 * packets to it (a tunnel's outer packets; the lookup that gives a source
 * NATed flow its source), with the source address it chose in @saddr, if
 * only the backend's address chooses it and the routing tables and (IPv6)
 * addresses are as they were (@gen, read here, for svcnet_route_own_keep());
 * otherwise NULL.
 */
static struct svcnet_route *svcnet_route_own(struct net *net, u8 family,
					     struct svcnet_route __rcu **slot,
					     union nf_inet_addr *saddr,
					     struct svcnet_route_gen *gen)
{
	struct svcnet_route *r;

	svcnet_route_gen_read(net, family, gen);
	if (!svcnet_route_plain(net, family))
		return NULL;
	r = svcnet_route_kept(slot);
	if (!r || (family == AF_INET6 && r->addr_genid != gen->addr))
		return NULL;
	*saddr = r->saddr;
	return r;
}

/* Under RCU: keep @dst, just looked up, in @slot of @be's, as above. */
static void svcnet_route_own_keep(struct net *net, u8 family,
				  struct svcnet_route __rcu **slot,
				  struct svcnet_backend *be,
				  struct dst_entry *dst,
				  const union nf_inet_addr *saddr,
				  const struct svcnet_route_gen *gen)
{
	u32 cookie = 0;

	if (!svcnet_route_plain(net, family))
		return;
	if (family == AF_INET6)
		cookie = rt6_get_cookie((struct rt6_info *)dst);
	svcnet_route_keep(slot, be->svc->sd, dst, cookie, false, saddr, gen);
}

/* Under RCU, for tunnel.c: @be's kept tunnel route, a reference taken. */
struct dst_entry *svcnet_route_tunnel_get(struct net *net, u8 family,
					  struct svcnet_backend *be,
					  union nf_inet_addr *saddr,
					  struct svcnet_route_gen *gen)
{
	struct svcnet_route *r;

	r = svcnet_route_own(net, family, &be->tunnel_route, saddr, gen);
	if (!r)
		return NULL;
	dst_hold(r->dst);
	return r->dst;
}

/*
 * Under RCU: keep @dst, just looked up, as @be's tunnel route, with the
 * source address it chose (@saddr); @gen from svcnet_route_tunnel_get().
 */
void svcnet_route_tunnel_keep(struct net *net, u8 family,
			      struct svcnet_backend *be, struct dst_entry *dst,
			      const union nf_inet_addr *saddr,
			      const struct svcnet_route_gen *gen)
{
	svcnet_route_own_keep(net, family, &be->tunnel_route, be, dst, saddr,
			      gen);
}

/*
 * Under RCU, for nat.c: whether @be's kept source route gives the source
 * address of a source NATed flow to it (svcnet_route_own()); one is never
 * kept to this host, nor with no source (svcnet_route_source_keep()).
 */
bool svcnet_route_source_get(struct net *net, u8 family,
			     struct svcnet_backend *be,
			     union nf_inet_addr *saddr,
			     struct svcnet_route_gen *gen)
{
	return !!svcnet_route_own(net, family, &be->source_route, saddr, gen);
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
	struct svcnet_route_gen gen;
	struct dst_entry *dst;
	u32 cookie = 0;

	if (svcnet_route_valid(&svc->entry))
		return;
	svcnet_route_gen_read(net, svc->key.family, &gen);
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
				  NULL, &gen);
	dst_release(dst);
}

/*
 * Under RCU, where only destinations choose routes: the kept route that
 * sends @svc's packets into its device while the routing tables still give
 * it, without a reference; or NULL.
 */
struct dst_entry *svcnet_route_entry(struct svcnet_service *svc)
{
	return svcnet_route_valid(&svc->entry);
}

/* Whether @dst delivers to this host: the backend is one of its addresses. */
static bool svcnet_dst_local(const struct dst_entry *dst, u8 family)
{
	if (family == AF_INET)
		return ((const struct rtable *)dst)->rt_type == RTN_LOCAL;
	return ((const struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL;
}

/*
 * Under RCU, for nat.c: keep @dst, just looked up to give a source NATed
 * flow to @be its source, with that source (@saddr, never all zero); @gen
 * from svcnet_route_source_get(). Not a route to this host or into an
 * svcnet device.
 */
void svcnet_route_source_keep(struct net *net, u8 family,
			      struct svcnet_backend *be, struct dst_entry *dst,
			      const union nf_inet_addr *saddr,
			      const struct svcnet_route_gen *gen)
{
	if (svcnet_is_dev(dst->dev) || svcnet_dst_local(dst, family) ||
	    ipv6_addr_any(&saddr->in6))
		return;
	svcnet_route_own_keep(net, family, &be->source_route, be, dst, saddr,
			      gen);
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
 * Under RCU, at PRE_ROUTING: route @skb as the input path will (policy
 * rules, ports and multipath hashing from its headers as they are now),
 * leaving it without a route; returns the dst with a reference, or NULL.
 */
struct dst_entry *svcnet_route_input(struct sk_buff *skb, u8 family)
{
	struct dst_entry *dst;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);
		/* a lookup may ask for a redirect: the input path's asks */
		u16 flags = IPCB(skb)->flags;

		dst = NULL;
		if (!ip_route_input_noref(skb, iph->daddr, iph->saddr,
					  iph->tos, skb->dev)) {
			dst = skb_dst(skb);
			dst = dst && dst_hold_safe(dst) ? dst : NULL;
		}
		skb_dst_drop(skb);
		IPCB(skb)->flags = flags;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct net *net = dev_net(skb->dev);
		struct flowi6 fl6 = {
			.flowi6_iif = skb->dev->ifindex,
			.daddr = ip6h->daddr,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = ip6h->nexthdr,
		};
		struct flow_keys keys;

		/* as ip6_route_input() (not exported) does */
		fib6_rules_early_flow_dissect(net, skb, &fl6, &keys);
		dst = ip6_route_input_lookup(net, skb->dev, &fl6, skb,
					     RT6_LOOKUP_F_HAS_SADDR);
	}
	if (dst && dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
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
	struct svcnet_route_gen gen;
	u32 cookie = 0;

	if (dst)
		goto set;
	svcnet_route_gen_read(net, family, &gen);
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
							 family), NULL, &gen);
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
