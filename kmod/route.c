// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the route of a rewritten packet to its backend.
 *
 * Each backend keeps the route it was last reached by, as IPVS keeps one
 * per real server, so that a packet of a known flow does not look its route
 * up again. The route is used while the routing tables stay as they were
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

#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ip_fib.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "svcnet.h"

struct svcnet_route {
	struct rcu_head rcu;
	struct dst_entry *dst;		/* holds a reference */
	u32 cookie;			/* IPv6: the FIB serial it was found at */
};

static void svcnet_route_free(struct svcnet_route *r)
{
	dst_release(r->dst);
	kfree(r);
	atomic_dec(&svcnet_objects);
}

static void svcnet_route_free_rcu(struct rcu_head *head)
{
	svcnet_route_free(container_of(head, struct svcnet_route, rcu));
}

/* Under RCU: whether only the destination address can choose the route. */
static bool svcnet_route_cacheable(struct net *net, const struct sk_buff *skb,
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

/* Under RCU: @be's route with a reference taken, or NULL. */
static struct dst_entry *svcnet_route_get(struct svcnet_backend *be)
{
	struct svcnet_route *r = rcu_dereference(be->route);
	struct dst_entry *dst;

	if (!r)
		return NULL;
	dst = r->dst;
	if (dst->obsolete && !dst->ops->check(dst, r->cookie))
		return NULL;
	/* r's reference keeps the count above zero */
	dst_hold(dst);
	return dst;
}

/* Under RCU: make @dst @be's route; it stays if memory is short. */
static void svcnet_route_set(struct svcnet_backend *be, struct dst_entry *dst,
			     u32 cookie)
{
	struct svcnet_route *r, *old;
	struct mem_cgroup *memcg;

	memcg = svcnet_charge_begin(be->svc->sd);
	r = kmalloc(sizeof(*r), SVCNET_GFP_PACKET);
	svcnet_charge_end(memcg);
	if (!r)
		return;
	atomic_inc(&svcnet_objects);
	dst_hold(dst);
	r->dst = dst;
	r->cookie = cookie;
	old = unrcu_pointer(xchg(&be->route, RCU_INITIALIZER(r)));
	if (old)
		call_rcu(&old->rcu, svcnet_route_free_rcu);
}

/* @be is being freed: its route goes with it. */
void svcnet_route_release(struct svcnet_backend *be)
{
	struct svcnet_route *r = rcu_dereference_protected(be->route, true);

	if (r)
		svcnet_route_free(r);
}

/*
 * Under RCU: route the rewritten packet to @be, whose address it is sent
 * to. Returns 0 or a drop reason.
 */
int svcnet_route(struct net *net, struct sk_buff *skb, u8 family,
		 struct svcnet_backend *be)
{
	bool cache = svcnet_route_cacheable(net, skb, family);
	struct dst_entry *dst = cache ? svcnet_route_get(be) : NULL;
	u32 cookie = 0;

	if (dst)
		goto set;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {
			.daddr = iph->daddr,
			.saddr = iph->saddr,
			.flowi4_tos = RT_TOS(iph->tos),
			.flowi4_proto = iph->protocol,
			.flowi4_mark = skb->mark,
			/* the client may be another host or namespace */
			.flowi4_flags = FLOWI_FLAG_ANYSRC,
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
			.flowi6_proto = ip6h->nexthdr,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return SVCNET_DROP_NO_ROUTE;
		}
		cookie = rt6_get_cookie((struct rt6_info *)dst);
	}
	if (svcnet_is_dev(dst->dev)) {
		dst_release(dst);
		return SVCNET_DROP_LOOP;
	}
	if (cache)
		svcnet_route_set(be, dst, cookie);
set:
	if (family == AF_INET)
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	else
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return 0;
}
