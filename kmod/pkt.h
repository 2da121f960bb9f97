/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: a packet's headers as the datapath reads and rewrites them
 * (pkt.c), and the ICMP errors and resets it translates or sends (icmp.c).
 */

#ifndef _SVCNET_PKT_H
#define _SVCNET_PKT_H

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter_bridge.h>
#include <net/xfrm.h>

#include "svcnet.h"

/* What svcnet_parse() found in a packet's IP and TCP/UDP headers. */
struct svcnet_pkt {
	struct svcnet_tuple t;
	unsigned int len;		/* from the IP header on */
	unsigned int l4off;
	/* TCP */
	u8 doff;			/* header length, in words */
	u8 syn:1, ack:1, fin:1, rst:1;
	u8 wscale;			/* a SYN's, or SVCNET_NO_WSCALE */
	u16 window;			/* as sent, unscaled */
	__be32 seq;
	__be32 ack_seq;
};

/* The key of the service @p's destination names. */
static inline void svcnet_pkt_svc_key(const struct svcnet_pkt *p,
				      struct svcnet_svc_key *key)
{
	memset(key, 0, sizeof(*key));
	key->addr = p->t.daddr;
	key->port = p->t.dport;
	key->family = p->t.family;
	key->proto = p->t.proto;
}

/* A TCP segment's payload length. */
static inline u32 svcnet_pkt_payload(const struct svcnet_pkt *p)
{
	return p->len - p->l4off - p->doff * 4;
}

/* pkt.c */
int svcnet_parse(struct sk_buff *skb, u8 family, struct svcnet_pkt *p);
int svcnet_rewrite(struct sk_buff *skb, const struct svcnet_pkt *p, bool dst,
		   const union nf_inet_addr *addr, __be16 port);
u32 svcnet_reset_ack(const struct svcnet_pkt *p, unsigned int len);
int svcnet_rewrite_flow(struct sk_buff *skb, const struct svcnet_pkt *p,
			const struct svcnet_flow *f);

/* route.c */
int svcnet_route(struct net *net, struct sk_buff *skb,
		 const struct svcnet_pkt *p, struct svcnet_backend *be,
		 bool reasm);
bool svcnet_route_by_daddr(struct net *net, const struct sk_buff *skb,
			   u8 family);
void svcnet_route_entry_seen(struct net *net, struct svcnet_service *svc);
struct dst_entry *svcnet_route_entry(struct svcnet_service *svc);
struct dst_entry *svcnet_route_input(struct sk_buff *skb, u8 family);
enum { SVCNET_FAST_NO, SVCNET_FAST_KEPT, SVCNET_FAST_LOOKUP };
int svcnet_route_fast(struct svcnet_backend *be, const struct net_device *in);

/* the generations a route is kept under, read before its lookup */
struct svcnet_route_gen {
	int rt;				/* rt_genid_ipv4() or _ipv6() */
	int addr;			/* IPv6's dev_addr_genid */
	u32 deleted;			/* IPv6's count of routes deleted */
};

void svcnet_route_gen_read(struct net *net, u8 family,
			   struct svcnet_route_gen *gen);
struct dst_entry *svcnet_route_tunnel_get(struct net *net, u8 family,
					  struct svcnet_backend *be,
					  union nf_inet_addr *saddr,
					  struct svcnet_route_gen *gen);
void svcnet_route_tunnel_keep(struct net *net, u8 family,
			      struct svcnet_backend *be, struct dst_entry *dst,
			      const union nf_inet_addr *saddr,
			      const struct svcnet_route_gen *gen);
bool svcnet_route_source_get(struct net *net, u8 family,
			     struct svcnet_backend *be,
			     union nf_inet_addr *saddr,
			     struct svcnet_route_gen *gen);
void svcnet_route_source_keep(struct net *net, u8 family,
			      struct svcnet_backend *be, struct dst_entry *dst,
			      const union nf_inet_addr *saddr,
			      const struct svcnet_route_gen *gen);

/* tunnel.c */
int svcnet_tunnel_encap(struct net *net, struct sk_buff *skb,
			const struct svcnet_pkt *p, struct svcnet_backend *be,
			bool reasm, bool notrack);

/* Under RCU: whether IPsec could treat @skb by its addresses. */
static inline bool svcnet_fast_ipsec(struct net *net,
				     const struct sk_buff *skb)
{
#ifdef CONFIG_XFRM
	return skb_sec_path(skb) ||
	       READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_IN]) ||
	       READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_FWD]) ||
	       READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]);
#else
	return false;
#endif
}

/*
 * Whether @skb is bridged, seen by br_netfilter: a frame for another
 * station may be PACKET_HOST here, and is bridged, not forwarded; one for
 * this host has not yet passed its bridge's VLAN filtering, and would leave
 * with the tag the bridge strips (skb->vlan_tci) and the bridge's state.
 */
static inline bool svcnet_skb_bridged(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	return nf_bridge_info_exists(skb);
#else
	return false;
#endif
}

/* Whether @skb is marked untracked (conntrack's NOTRACK state). */
static inline bool svcnet_skb_untracked(const struct sk_buff *skb)
{
	return skb_get_nfct(skb) == IP_CT_UNTRACKED;
}

/* fastpath.c */
unsigned int svcnet_fast_flow(struct net *net, struct sk_buff *skb,
			      const struct svcnet_pkt *p, struct svcnet_flow *f);
unsigned int svcnet_fast_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);

/* fastpath_out.c */
unsigned int svcnet_fast_out(struct net *net, struct sk_buff *skb,
			     const struct svcnet_pkt *p, struct svcnet_flow *f);
bool svcnet_fast_direct(struct net *net, struct sk_buff *skb,
			const struct svcnet_pkt *p, struct svcnet_flow *f);
void svcnet_fast_direct_arm(struct net *net, struct sk_buff *skb,
			    const struct svcnet_pkt *p, struct svcnet_flow *f,
			    u8 state, bool hooked);
struct svcnet_dev *svcnet_fast_first_route(struct net *net,
					   struct sk_buff *skb,
					   const struct svcnet_pkt *p);
bool svcnet_fast_first_ready(struct net *net, struct sk_buff *skb,
			     const struct svcnet_pkt *p);

/* notrack.c */
struct svcnet_service *svcnet_notrack_svc(struct net *net,
					  const struct svcnet_pkt *p);
void svcnet_notrack_client(struct net *net, struct sk_buff *skb,
			   const struct svcnet_pkt *p, struct svcnet_flow *f);
bool svcnet_notrack_first(struct net *net, struct sk_buff *skb,
			  const struct svcnet_pkt *p, struct svcnet_service *svc);
void svcnet_notrack_reply(struct svcnet_net *sn, struct sk_buff *skb,
			  const struct svcnet_pkt *p);

/* track.c */
u8 svcnet_track(struct svcnet_flow *f, const struct svcnet_pkt *p, bool reply);
void svcnet_track_pickup(struct svcnet_flow *f, const struct svcnet_pkt *p);

/* icmp.c */
struct svcnet_flow *svcnet_icmp_out(struct svcnet_net *sn, struct sk_buff *skb,
				    const struct svcnet_pkt *p);
struct svcnet_flow *svcnet_icmp_in(struct svcnet_net *sn, struct sk_buff *skb,
				   const struct svcnet_pkt *p);
struct svcnet_flow *svcnet_icmp_out_flow(struct svcnet_net *sn,
					 struct sk_buff *skb,
					 const struct svcnet_pkt *p);
void svcnet_unreachable(struct sk_buff *skb, u8 family, int reason);
void svcnet_send_reset(struct net *net, struct sk_buff *oskb,
		       const struct svcnet_pkt *p);

#endif
