// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: what a flow's packets say about it, as connection tracking
 * reads them.
 *
 * TCP: the handshake completes only in sequence: the backend's SYN-ACK must
 * acknowledge the client's SYN (and any Fast Open data of it, or none),
 * and the client's ACK the SYN-ACK; a bare ACK from a spoofed source moves
 * nothing. After it, each side's next sequence number and advertised
 * window are followed. A FIN counts only within the receiving side's
 * window, a RST only at exactly the sender's next sequence number (RFC
 * 5961 3.2; conntrack too keeps the state for any other): one with a
 * guessed sequence number neither closes the flow nor ends a backend's
 * drain. Segments that do not count are balanced like any other (the
 * endpoints judge them too) but change nothing here.
 *
 * A flow is assured, and is then never evicted to make room for another,
 * once it is established both ways: TCP when its handshake completed,
 * UDP once a reply was seen and the flow still carries packets
 * SVCNET_UDP_STREAM after it began, as conntrack decides. A query and its
 * answer are no stream: one datagram from a spoofed source stays
 * evictable even when the backend answers it. A sender that keeps one
 * spoofed address and port going for two seconds makes its flow assured,
 * as under conntrack; it takes a flow of the table per address and port
 * it keeps going, for the UDP timeout.
 *
 * A flow picked up in the middle of its connection (a segment other than
 * a SYN that matched no flow, for a consistent-hash service: the
 * connection began on another balancer) never saw the SYNs: the client's
 * segments tell where its sequence stands, the windows are taken at the
 * largest scale (so a FIN counts within a window that wide, as under
 * conntrack's liberal pickup), and the backend's first segment that
 * acknowledges within the client's window establishes it (a reset from
 * either side closes it). Until then it is not assured, and expires as a
 * SYN does.
 *
 * Writers race only on different CPUs handling packets of one flow; the
 * fields are single words written with WRITE_ONCE, the flags and window
 * scales with cmpxchg, so no update of another field is lost.
 */

#include <net/tcp.h>

#include "pkt.h"

#define SVCNET_UDP_STREAM	(2 * HZ)
/* the window assumed at least: covers segments in flight past a lost ack */
#define SVCNET_TRACK_MIN_WIN	65535U

static void svcnet_track_flag(struct svcnet_flow *f, u8 bit)
{
	svcnet_u8_update(&f->flags, bit, bit);
}

static u8 svcnet_track_wscale(const struct svcnet_flow *f, int side)
{
	u8 w = READ_ONCE(f->wscale);

	return side ? w >> 4 : w & 15;
}

/*
 * Side @side's SYN: its sequence space and window start here, past the
 * SYN itself (Fast Open data in the client's SYN may be refused).
 */
static void svcnet_track_syn(struct svcnet_flow *f, int side,
			     const struct svcnet_pkt *p)
{
	WRITE_ONCE(f->tcp.end[side], ntohl(p->seq) + 1);
	WRITE_ONCE(f->tcp.win[side], p->window);
	svcnet_u8_update(&f->wscale, side ? 0xf0 : 0x0f,
			 side ? p->wscale << 4 : p->wscale);
}

/* The window side @side advertised, in bytes. */
static u32 svcnet_track_win(const struct svcnet_flow *f, int side)
{
	u8 s0 = svcnet_track_wscale(f, 0), s1 = svcnet_track_wscale(f, 1);
	u32 win = READ_ONCE(f->tcp.win[side]);

	/* scaling holds when both SYNs offered it (RFC 7323 2.2) */
	if (s0 != SVCNET_NO_WSCALE && s1 != SVCNET_NO_WSCALE)
		win <<= side ? s1 : s0;
	return max(win, SVCNET_TRACK_MIN_WIN);
}

/*
 * Whether @seq, sent by side @side, lies within the window of the other
 * side around @side's next sequence number: retransmissions of what it may
 * not have acknowledged, or what it may accept.
 */
static bool svcnet_track_in_window(const struct svcnet_flow *f, int side,
				   u32 seq)
{
	u32 next = READ_ONCE(f->tcp.end[side]);
	u32 win = svcnet_track_win(f, !side);

	return !before(seq, next - win) && !after(seq, next + win);
}

/* A segment, not a SYN, of a picked-up flow its backend never answered. */
static u8 svcnet_track_picked(struct svcnet_flow *f, const struct svcnet_pkt *p,
			      int side, u32 ack, u32 end)
{
	u32 next = READ_ONCE(f->tcp.end[0]), win = svcnet_track_win(f, 0);

	if (p->rst)
		return SVCNET_FLOW_TCP_CLOSE;
	if (!side) {
		if (after(end, next))
			WRITE_ONCE(f->tcp.end[0], end);
		WRITE_ONCE(f->tcp.win[0], p->window);
		return SVCNET_FLOW_TCP_SYN;
	}
	if (!p->ack || before(ack, next - win) || after(ack, next + win))
		return SVCNET_FLOW_TCP_SYN;
	WRITE_ONCE(f->tcp.end[1], end);
	WRITE_ONCE(f->tcp.win[1], p->window);
	svcnet_track_flag(f, SVCNET_FLOW_F_REPLIED | SVCNET_FLOW_F_ASSURED);
	return p->fin ? SVCNET_FLOW_TCP_FIN : SVCNET_FLOW_TCP_EST;
}

/*
 * @f was just created by @p, a TCP segment other than a SYN: picked up
 * (see above). Before the flow's first svcnet_track().
 */
void svcnet_track_pickup(struct svcnet_flow *f, const struct svcnet_pkt *p)
{
	WRITE_ONCE(f->tcp.end[0], ntohl(p->seq));
	WRITE_ONCE(f->tcp.win[0], p->window);
	svcnet_u8_update(&f->wscale, 0xff, TCP_MAX_WSCALE | TCP_MAX_WSCALE << 4);
	svcnet_track_flag(f, SVCNET_FLOW_F_PICKUP);
}

/*
 * A segment of a tunnel flow in SYN state; the backend's replies bypass
 * this host: only the client's side is seen. Its SYN starts the flow, its
 * first ACK after it, at the sequence number after the SYN (or its data),
 * establishes it (nothing here can tell that it answers a SYN-ACK); once
 * established, it is followed as any flow's client side (a FIN within the
 * window around its next sequence number, or a RST at exactly it, closes
 * it). Blind segments elsewhere change nothing. Such a flow is never
 * assured.
 */
static u8 svcnet_track_oneway(struct svcnet_flow *f, const struct svcnet_pkt *p,
			      u32 seq, u32 end)
{
	u32 next = READ_ONCE(f->tcp.end[0]);

	if (p->syn) {
		if (!p->ack && !p->rst)
			svcnet_track_syn(f, 0, p);
		return SVCNET_FLOW_TCP_SYN;
	}
	/* at the client's next sequence number, or past its SYN data */
	if (before(seq, next) || after(seq, next + SVCNET_TRACK_MIN_WIN))
		return SVCNET_FLOW_TCP_SYN;
	if (p->rst)
		return seq == next ? SVCNET_FLOW_TCP_CLOSE : SVCNET_FLOW_TCP_SYN;
	if (!p->ack)
		return SVCNET_FLOW_TCP_SYN;
	WRITE_ONCE(f->tcp.end[0], end);
	WRITE_ONCE(f->tcp.win[0], p->window);
	return p->fin ? SVCNET_FLOW_TCP_FIN : SVCNET_FLOW_TCP_EST;
}

static u8 svcnet_track_tcp(struct svcnet_flow *f, const struct svcnet_pkt *p,
			   int side)
{
	u8 cur = READ_ONCE(f->state), flags = READ_ONCE(f->flags);
	u32 seq = ntohl(p->seq), ack = ntohl(p->ack_seq);
	u32 end = seq + svcnet_pkt_payload(p) + p->fin;

	if ((flags & SVCNET_FLOW_F_TUNNEL) && cur == SVCNET_FLOW_TCP_SYN)
		return svcnet_track_oneway(f, p, seq, end);
	if (cur == SVCNET_FLOW_TCP_SYN && (flags & SVCNET_FLOW_F_PICKUP) &&
	    !p->syn)
		return svcnet_track_picked(f, p, side, ack, end);
	if (cur == SVCNET_FLOW_TCP_SYN) {
		if (p->syn && !p->ack && !p->rst && !side) {
			/* the client's SYN, or its retransmission: a handshake */
			svcnet_track_syn(f, 0, p);
			if (flags & SVCNET_FLOW_F_PICKUP)
				svcnet_u8_update(&f->flags, SVCNET_FLOW_F_PICKUP, 0);
		} else if (p->syn && p->ack && !p->rst && side &&
			   !before(ack, READ_ONCE(f->tcp.end[0])) &&
			   !after(ack, READ_ONCE(f->tcp.end[0]) +
				  SVCNET_TRACK_MIN_WIN)) {
			/* acknowledging the SYN, and its data if taken */
			WRITE_ONCE(f->tcp.end[0], ack);
			svcnet_track_syn(f, 1, p);
			svcnet_track_flag(f, SVCNET_FLOW_F_REPLIED);
		} else if (p->rst) {
			/*
			 * A refusal acknowledges the client's SYN; the client
			 * aborts at its next sequence number.
			 */
			if (side ? p->ack && ack == READ_ONCE(f->tcp.end[0]) :
				   seq == READ_ONCE(f->tcp.end[0]))
				return SVCNET_FLOW_TCP_CLOSE;
		} else if (!p->syn && p->ack && !side &&
			   (flags & SVCNET_FLOW_F_REPLIED) &&
			   ack == READ_ONCE(f->tcp.end[1])) {
			/* the client's ACK of the SYN-ACK: established */
			if (after(end, READ_ONCE(f->tcp.end[0])))
				WRITE_ONCE(f->tcp.end[0], end);
			WRITE_ONCE(f->tcp.win[0], p->window);
			svcnet_track_flag(f, SVCNET_FLOW_F_ASSURED);
			return p->fin ? SVCNET_FLOW_TCP_FIN :
					SVCNET_FLOW_TCP_EST;
		}
		return cur;
	}
	if (p->syn)
		return cur;
	if (p->rst)
		return seq == READ_ONCE(f->tcp.end[side]) ?
		       SVCNET_FLOW_TCP_CLOSE : cur;
	if (!svcnet_track_in_window(f, side, seq))
		return cur;
	if (after(end, READ_ONCE(f->tcp.end[side])))
		WRITE_ONCE(f->tcp.end[side], end);
	WRITE_ONCE(f->tcp.win[side], p->window);
	if (p->fin && cur != SVCNET_FLOW_TCP_CLOSE)
		return SVCNET_FLOW_TCP_FIN;
	return cur;
}

/*
 * Under RCU: account @p, a packet of @f from the client or, with @reply,
 * from the backend. Returns the state the flow is in after it.
 */
u8 svcnet_track(struct svcnet_flow *f, const struct svcnet_pkt *p, bool reply)
{
	u8 flags;

	if (p->t.proto == IPPROTO_TCP)
		return svcnet_track_tcp(f, p, reply);
	if (reply)
		svcnet_track_flag(f, SVCNET_FLOW_F_REPLIED);
	flags = READ_ONCE(f->flags);
	if ((flags & (SVCNET_FLOW_F_REPLIED | SVCNET_FLOW_F_ASSURED)) ==
	    SVCNET_FLOW_F_REPLIED &&
	    (s32)((u32)jiffies - f->born) > SVCNET_UDP_STREAM)
		svcnet_track_flag(f, SVCNET_FLOW_F_ASSURED);
	return SVCNET_FLOW_UDP;
}

/* Expiry: a flow's timeout runs from its last packet, by its state. */
static const u32 svcnet_default_timeout[__SVCNET_FLOW_STATE_MAX] = {
	[SVCNET_FLOW_TCP_SYN] = 30,
	[SVCNET_FLOW_TCP_EST] = 900,
	[SVCNET_FLOW_TCP_FIN] = 120,
	[SVCNET_FLOW_TCP_CLOSE] = 10,
	[SVCNET_FLOW_UDP] = 300,
};

/* A namespace's timeouts start as these (SVCNET_A_CFG_TIMEOUT_* set them). */
void svcnet_track_net_init(struct svcnet_net *sn)
{
	memcpy(sn->cfg.timeout, svcnet_default_timeout,
	       sizeof(sn->cfg.timeout));
}

bool svcnet_flow_is_expired(const struct svcnet_flow *f)
{
	return (s32)((u32)jiffies - READ_ONCE(f->expires)) >= 0;
}

u32 svcnet_flow_expires_ms(const struct svcnet_flow *f)
{
	s32 left = (s32)(READ_ONCE(f->expires) - (u32)jiffies);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

/* svcnet_flow.direct_until's clock: seconds, low 8 bits */
static u8 svcnet_direct_now(void)
{
	return (u8)ktime_get_seconds();
}

/*
 * Let @f's packets take the direct path (SVCNET_FLOW_F_DIRECT) for the
 * next SVCNET_DIRECT_SECONDS, or no longer.
 */
void svcnet_track_direct(struct svcnet_flow *f, bool on)
{
	u8 until = svcnet_direct_now() + SVCNET_DIRECT_SECONDS;

	if (on && READ_ONCE(f->direct_until) != until)
		WRITE_ONCE(f->direct_until, until);
	svcnet_u8_update(&f->flags, SVCNET_FLOW_F_DIRECT,
			 on ? SVCNET_FLOW_F_DIRECT : 0);
}

/*
 * Whether @f's packets may take the direct path now: 1 to
 * SVCNET_DIRECT_SECONDS seconds left. A flag whose time ran out goes here
 * (with a packet) or at the collector's visit: the clock's 8 bits wrap,
 * and a flag missed by both for over 240 s would count again.
 */
bool svcnet_flow_direct(struct svcnet_flow *f)
{
	u8 left;

	if (!(READ_ONCE(f->flags) & SVCNET_FLOW_F_DIRECT))
		return false;
	left = READ_ONCE(f->direct_until) - svcnet_direct_now();
	if ((u8)(left - 1) < SVCNET_DIRECT_SECONDS)
		return true;
	svcnet_track_direct(f, false);
	return false;
}

void svcnet_flow_touch(struct svcnet_net *sn, struct svcnet_flow *f, u8 state)
{
	u32 expires = (u32)jiffies + svcnet_flow_timeout(sn, state);
	u8 cur = READ_ONCE(f->state);

	/*
	 * A closing flow never opens again (removal leaves it closed), and
	 * the one transition from open to closing drops the open count.
	 */
	if (cur != state &&
	    (svcnet_flow_state_open(cur) || !svcnet_flow_state_open(state)) &&
	    cmpxchg(&f->state, cur, state) == cur &&
	    svcnet_flow_state_open(cur) && !svcnet_flow_state_open(state))
		atomic_dec(&f->be->open);
	if (READ_ONCE(f->expires) != expires)
		WRITE_ONCE(f->expires, expires);
}

#ifdef SVCNET_KUNIT
#include "track_test.c"
#endif
