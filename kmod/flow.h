/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: a flow of the flow table, its flags and what reads them
 * (flow.c, track.c, young.c, reap.c declare their functions in svcnet.h).
 * Included by svcnet.h, where the objects a flow points to are declared.
 */

#ifndef _SVCNET_FLOW_H
#define _SVCNET_FLOW_H

/*
 * A flow, hashed once in the flow table by the client's address and port
 * as its backend sees them (the destination of replies; see flow.c). Its
 * service's address, port and protocol are its backend's service's key.
 * Its address is sized by family: an IPv4 flow is allocated without the
 * IPv6 part of @addr. A flow whose client is source NATed (SNAT) lives in
 * a struct svcnet_flow_snat, which holds the client's own tuple.
 */
struct svcnet_flow {
	struct rhlist_head node;	/* in flows, by cport and addr */
	struct svcnet_backend *be;	/* holds a reference */
	union {
		/* in a young list until found assured there */
		struct list_head young_node;
		struct rcu_head rcu;	/* once removed */
	};
	u32 expires;			/* jiffies, low 32 bits */
	__be16 cport;			/* the client's port, as seen by be */
	u8 family;
	u8 state;			/* enum svcnet_flow_state */
	/* SVCNET_FLOW_F_DIRECT until this second (jiffies / HZ, low bits) */
	u8 direct_until;
	u8 flags;			/* SVCNET_FLOW_F_*, see track.c */
	u8 wscale;			/* TCP: the client's (low 4 bits), be's */
	u8 young;			/* its young list, svcnet_net.young */
	int iif;			/* its last packet through svc0 came in by */
	union {
		struct {
			/* the sequence number after the last data each
			 * side sent (client 0, be 1), the window each
			 * advertised (unscaled)
			 */
			u32 end[2];
			u16 win[2];
		} tcp;
		u32 born;		/* UDP: jiffies at creation, low bits */
	};
	/* the client's address as seen by be */
	union {
		__be32 ip;
		struct in6_addr ip6;
	} addr;
};

/*
 * Each second the collector looks at 1/SVCNET_GC_SLICES of the flows, at
 * least SVCNET_GC_MIN: an expired flow goes within a second while the
 * table holds up to SVCNET_GC_MIN flows, within SVCNET_GC_SLICES seconds
 * however large it grows, and the collector's work per second stays a
 * fraction of the table.
 */
#define SVCNET_GC_SLICES 8
#define SVCNET_GC_MIN 4096

/* flows of one client address and port before new ones get a port */
#define SVCNET_FLOW_CHAIN_MAX 8

/* ports of a source NATed flow tried before its packet is dropped */
#define SVCNET_SNAT_TRIES 64
/* a reply was seen (TCP: the SYN-ACK answering the client's SYN) */
#define SVCNET_FLOW_F_REPLIED	BIT(0)
/* established both ways: never evicted to make room */
#define SVCNET_FLOW_F_ASSURED	BIT(1)
/* created by a TCP segment other than a SYN (see track.c) */
#define SVCNET_FLOW_F_PICKUP	BIT(2)
/* sent to its backend in a tunnel, whose replies bypass this host */
#define SVCNET_FLOW_F_TUNNEL	BIT(3)
/*
 * its packets may take the direct path (SVCNET_FAST_PATH_DIRECT,
 * fastpath_out.c) until direct_until
 */
#define SVCNET_FLOW_F_DIRECT	BIT(4)
/* how long a packet FORWARD accepted lets its flow's next ones go directly */
#define SVCNET_DIRECT_SECONDS	10
/* a struct svcnet_flow_snat: source NATed (set at creation, never changes) */
#define SVCNET_FLOW_F_SNAT	BIT(5)
/*
 * removed, or not yet live: lookups pass it by (set and cleared under its
 * flow lock)
 */
#define SVCNET_FLOW_F_DEAD	BIT(6)
/*
 * made in notrack mode by an untracked packet of a forwarded client:
 * conntrack never sees it while its device stays in that mode (set at
 * creation, never changes; see svcnet_flow_notrack())
 */
#define SVCNET_FLOW_F_NOTRACK	BIT(7)
/*
 * For svcnet_flow_create_flags() only, never a flow's: a source port may be
 * taken from a flow to the same backend that is not assured, evicted
 */
#define SVCNET_FLOW_C_EVICT	BIT(8)

/* Set *@p's bits in @mask to @val's, the others as they are: lock free. */
static inline void svcnet_u8_update(u8 *p, u8 mask, u8 val)
{
	u8 old = READ_ONCE(*p), new, prev;

	for (;;) {
		new = (old & ~mask) | val;
		if (new == old)
			return;
		prev = cmpxchg(p, old, new);
		if (prev == old)
			return;
		old = prev;
	}
}

/* @f's protocol: its service's (under RCU, or with @f's backend held) */
static inline u8 svcnet_flow_proto(const struct svcnet_flow *f)
{
	return f->be->svc->key.proto;
}

static inline bool svcnet_flow_is_snat(const struct svcnet_flow *f)
{
	return READ_ONCE(f->flags) & SVCNET_FLOW_F_SNAT;
}

/* Whether @f's packets leave as this host's own: source NATed, tunnelled. */
static inline bool svcnet_flow_own(const struct svcnet_flow *f)
{
	return READ_ONCE(f->flags) & (SVCNET_FLOW_F_SNAT | SVCNET_FLOW_F_TUNNEL);
}

/* Whether fast path mode @mode takes flows directly (direct, notrack). */
static inline bool svcnet_fast_path_direct(u8 mode)
{
	return mode >= SVCNET_FAST_PATH_DIRECT;
}

/*
 * Under RCU: whether conntrack never sees @f (SVCNET_FAST_PATH_NOTRACK): a
 * flow of a source NAT or tunnel service that an untracked packet of a
 * forwarded client made, on a device still in notrack mode.
 */
static inline bool svcnet_flow_notrack(const struct svcnet_flow *f)
{
	return (READ_ONCE(f->flags) & SVCNET_FLOW_F_NOTRACK) &&
	       READ_ONCE(f->be->svc->sd->fast_path) == SVCNET_FAST_PATH_NOTRACK;
}

/* in svcnet_flow.wscale: the side's SYN offered no window scale */
#define SVCNET_NO_WSCALE	15

/* flows of a young list looked at to evict one when the table is full */
#define SVCNET_EVICT_TRIES 64
/* young lists of a namespace: a CPU adds new flows to its own */
#define SVCNET_YOUNG_LISTS 16

/* flows not yet seen assured, oldest first */
struct svcnet_young {
	spinlock_t lock;		/* the list */
	struct list_head list;
} ____cacheline_aligned_in_smp;

#endif /* _SVCNET_FLOW_H */
