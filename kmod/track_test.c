// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: flow tracking. Each case is a flow's packets in order, each with
 * the state the flow must be in after it, and whether the flow ends
 * assured. Client sequence numbers start at 1000, the backend's at 5000.
 * Included by track.c.
 */

#include <kunit/test.h>

#define S 1	/* SYN */
#define A 2	/* ACK */
#define F 4	/* FIN */
#define R 8	/* RST */
#define B 16	/* from the backend */
#define P 32	/* the first packet picks the flow up (not a SYN) */
#define T 64	/* a tunnel flow (set with the first packet) */
#define N SVCNET_NO_WSCALE

struct svcnet_track_step {
	u8 flags;
	u32 seq, ack;
	u16 len;		/* payload */
	u16 window;
	u8 wscale;		/* offered by a SYN */
	u8 want;		/* the flow's state after the packet */
};

static const struct svcnet_track_case {
	const char *name;
	u8 proto;
	u32 age;		/* UDP: how old the flow is, in ms */
	bool assured;
	struct svcnet_track_step step[6];
} svcnet_track_cases[] = {
#define SYN_ { S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN }
#define SYNACK_ { S | A | B, 5000, 1001, 0, 1000, N, SVCNET_FLOW_TCP_SYN }
#define ACK_ { A, 1001, 5001, 0, 1000, N, SVCNET_FLOW_TCP_EST }
	{ "handshake", IPPROTO_TCP, 0, true, { SYN_, SYNACK_, ACK_ } },
	{ "a bare ACK without SYN-ACK", IPPROTO_TCP, 0, false,
	  { SYN_, { A, 1001, 5001, 0, 1000, N, SVCNET_FLOW_TCP_SYN } } },
	{ "a SYN-ACK not answering the SYN", IPPROTO_TCP, 0, false,
	  { SYN_, { S | A | B, 5000, 900, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A, 1001, 5001, 0, 1000, N, SVCNET_FLOW_TCP_SYN } } },
	{ "an ACK of another SYN-ACK", IPPROTO_TCP, 0, false,
	  { SYN_, SYNACK_, { A, 1001, 9999, 0, 1000, N,
			     SVCNET_FLOW_TCP_SYN } } },
	{ "the client's RST out of the window", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_, { R, 1001 + 0x40000000, 0, 0, 0, N,
				   SVCNET_FLOW_TCP_EST } } },
	{ "the client's RST in the window", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_, { R, 1001, 0, 0, 0, N,
				   SVCNET_FLOW_TCP_CLOSE } } },
	{ "the backend's RST in the window", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_, { R | B, 5001, 0, 0, 0, N,
				   SVCNET_FLOW_TCP_CLOSE } } },
	{ "a FIN out of the window", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_, { F | A | B, 5001 + 0x80000000, 1001, 0,
				   1000, N, SVCNET_FLOW_TCP_EST } } },
	{ "a FIN in the window after data", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_,
	    { A, 1001, 5001, 100, 1000, N, SVCNET_FLOW_TCP_EST },
	    { F | A, 1101, 5001, 0, 1000, N, SVCNET_FLOW_TCP_FIN } } },
	{ "the window follows the data", IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_,
	    { A, 1001, 5001, 60000, 1000, N, SVCNET_FLOW_TCP_EST },
	    { A, 61001, 5001, 60000, 1000, N, SVCNET_FLOW_TCP_EST },
	    { R, 121001, 0, 0, 0, N, SVCNET_FLOW_TCP_CLOSE } } },
	{ "a RST in the window but not at the next sequence number",
	  IPPROTO_TCP, 0, true,
	  { SYN_, SYNACK_, ACK_, { R, 1101, 0, 0, 0, N,
				   SVCNET_FLOW_TCP_EST } } },
	{ "a scaled window (both SYNs offer scaling)", IPPROTO_TCP, 0, true,
	  { { S, 1000, 0, 0, 1000, 7, SVCNET_FLOW_TCP_SYN },
	    { S | A | B, 5000, 1001, 0, 1000, 7, SVCNET_FLOW_TCP_SYN },
	    { A, 1001, 5001, 0, 1000, N, SVCNET_FLOW_TCP_EST },
	    { F | A | B, 5001 + 100000, 1001, 0, 1000, N,
	      SVCNET_FLOW_TCP_FIN } } },
	{ "no scaling when one SYN lacks it", IPPROTO_TCP, 0, true,
	  { { S, 1000, 0, 0, 1000, 7, SVCNET_FLOW_TCP_SYN },
	    SYNACK_, ACK_,
	    { F | A | B, 5001 + 100000, 1001, 0, 1000, N,
	      SVCNET_FLOW_TCP_EST } } },
	{ "Fast Open data refused", IPPROTO_TCP, 0, true,
	  { { S, 1000, 0, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    SYNACK_, ACK_ } },
	{ "Fast Open data taken", IPPROTO_TCP, 0, true,
	  { { S, 1000, 0, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { S | A | B, 5000, 1101, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A, 1101, 5001, 0, 1000, N, SVCNET_FLOW_TCP_EST },
	    { R, 1101, 0, 0, 0, N, SVCNET_FLOW_TCP_CLOSE } } },
	{ "refused: a RST-ACK acknowledging the SYN", IPPROTO_TCP, 0, false,
	  { SYN_, { R | A | B, 0, 1001, 0, 0, N, SVCNET_FLOW_TCP_CLOSE } } },
	{ "a RST-ACK acknowledging something else", IPPROTO_TCP, 0, false,
	  { SYN_, { R | A | B, 0, 4242, 0, 0, N, SVCNET_FLOW_TCP_SYN } } },
	{ "UDP: a query and its answer", IPPROTO_UDP, 0, false,
	  { { 0, 0, 0, 0, 0, N, SVCNET_FLOW_UDP },
	    { B, 0, 0, 0, 0, N, SVCNET_FLOW_UDP } } },
	{ "UDP: a stream, still going after 2 s", IPPROTO_UDP, 3000, true,
	  { { 0, 0, 0, 0, 0, N, SVCNET_FLOW_UDP },
	    { B, 0, 0, 0, 0, N, SVCNET_FLOW_UDP },
	    { 0, 0, 0, 0, 0, N, SVCNET_FLOW_UDP } } },
	{ "UDP: never answered", IPPROTO_UDP, 3000, false,
	  { { 0, 0, 0, 0, 0, N, SVCNET_FLOW_UDP },
	    { 0, 0, 0, 0, 0, N, SVCNET_FLOW_UDP } } },
	{ "picked up: the backend answers in the window", IPPROTO_TCP, 0,
	  true,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A | B, 9000, 70100, 0, 1000, N, SVCNET_FLOW_TCP_EST } } },
	{ "picked up: the client's data goes on, then an answer",
	  IPPROTO_TCP, 0, true,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A, 70100, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A | B, 9000, 70200, 0, 1000, N, SVCNET_FLOW_TCP_EST } } },
	{ "picked up: an answer acknowledging far outside", IPPROTO_TCP, 0,
	  false,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A | B, 9000, 70100 + 0x80000000, 0, 1000, N,
	      SVCNET_FLOW_TCP_SYN } } },
	{ "picked up: the backend's reset closes it", IPPROTO_TCP, 0, false,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { R | B, 9000, 0, 0, 0, N, SVCNET_FLOW_TCP_CLOSE } } },
	{ "picked up: windows at the largest scale", IPPROTO_TCP, 0, true,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A | B, 9000, 70100, 0, 1000, N, SVCNET_FLOW_TCP_EST },
	    { F | A | B, 9000 + 1000000, 70100, 0, 1000, N,
	      SVCNET_FLOW_TCP_FIN } } },
	{ "picked up: a SYN on it starts a handshake", IPPROTO_TCP, 0, true,
	  { { P | A, 70000, 9000, 100, 1000, N, SVCNET_FLOW_TCP_SYN },
	    SYN_, SYNACK_, ACK_ } },
	{ "tunnel: the client's SYN and ACK establish it, never assured",
	  IPPROTO_TCP, 0, false,
	  { { T | S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    ACK_ } },
	{ "tunnel: a blind ACK far from the SYN changes nothing", IPPROTO_TCP,
	  0, false,
	  { { T | S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { A, 99999999, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN } } },
	{ "tunnel: a blind RST changes nothing", IPPROTO_TCP, 0, false,
	  { { T | S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { R, 1500, 0, 0, 0, N, SVCNET_FLOW_TCP_SYN } } },
	{ "tunnel: the client's RST at its next sequence number closes it",
	  IPPROTO_TCP, 0, false,
	  { { T | S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    { R, 1001, 0, 0, 0, N, SVCNET_FLOW_TCP_CLOSE } } },
	{ "tunnel: a FIN after data in the window", IPPROTO_TCP, 0, false,
	  { { T | S, 1000, 0, 0, 1000, N, SVCNET_FLOW_TCP_SYN },
	    ACK_, { A, 1001, 5001, 100, 1000, N, SVCNET_FLOW_TCP_EST },
	    { F | A, 1101, 5001, 0, 1000, N, SVCNET_FLOW_TCP_FIN } } },
#undef SYN_
#undef SYNACK_
#undef ACK_
};

static void svcnet_track_desc(const struct svcnet_track_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_track, svcnet_track_cases, svcnet_track_desc);

static void svcnet_track_test(struct kunit *test)
{
	const struct svcnet_track_case *c = test->param_value;
	struct svcnet_flow f = {
		.state = c->proto == IPPROTO_TCP ? SVCNET_FLOW_TCP_SYN :
						   SVCNET_FLOW_UDP,
		.wscale = N | N << 4,
	};
	unsigned int i;

	if (c->proto == IPPROTO_UDP)
		f.born = (u32)jiffies - msecs_to_jiffies(c->age);
	for (i = 0; i < ARRAY_SIZE(c->step) && c->step[i].want; i++) {
		const struct svcnet_track_step *s = &c->step[i];
		struct svcnet_pkt p = {
			.l4off = sizeof(struct iphdr),
			.doff = 5,
			.syn = !!(s->flags & S), .ack = !!(s->flags & A),
			.fin = !!(s->flags & F), .rst = !!(s->flags & R),
			.seq = htonl(s->seq), .ack_seq = htonl(s->ack),
			.window = s->window, .wscale = s->wscale,
		};

		p.t.proto = c->proto;
		p.len = p.l4off + 4 * p.doff + s->len;
		if (s->flags & P)
			svcnet_track_pickup(&f, &p);
		if (s->flags & T)
			f.flags |= SVCNET_FLOW_F_TUNNEL;
		f.state = svcnet_track(&f, &p, s->flags & B);
		KUNIT_EXPECT_EQ_MSG(test, f.state, s->want, "packet %u", i);
	}
	KUNIT_EXPECT_EQ(test, !!(f.flags & SVCNET_FLOW_F_ASSURED), c->assured);
}

/*
 * The direct path's time (svcnet_flow_direct()): a flow armed with
 * SVCNET_FLOW_F_DIRECT (or not) and @until seconds left on its clock.
 * Offsets leave the verdict unchanged if the clock ticks during the case.
 */
static const struct svcnet_direct_case {
	const char *name;
	bool armed;
	s16 until;
	bool want;
} svcnet_direct_cases[] = {
	{ "just armed", true, SVCNET_DIRECT_SECONDS, true },
	{ "halfway", true, SVCNET_DIRECT_SECONDS / 2, true },
	{ "ran out now", true, 0, false },
	{ "ran out 5 s ago", true, -5, false },
	{ "ran out 150 s ago (the clock's wrap)", true, -150, false },
	{ "not armed", false, SVCNET_DIRECT_SECONDS, false },
};

static void svcnet_direct_desc(const struct svcnet_direct_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_direct, svcnet_direct_cases, svcnet_direct_desc);

static void svcnet_direct_test(struct kunit *test)
{
	const struct svcnet_direct_case *c = test->param_value;
	u8 other = SVCNET_FLOW_F_SNAT | SVCNET_FLOW_F_ASSURED;
	struct svcnet_flow f = { .flags = other };

	if (c->armed)
		svcnet_track_direct(&f, true);
	f.direct_until = svcnet_direct_now() + c->until;
	KUNIT_EXPECT_EQ(test, svcnet_flow_direct(&f), c->want);
	/* a flag that ran out goes; the others stay */
	KUNIT_EXPECT_EQ(test, f.flags, other | (c->want ? SVCNET_FLOW_F_DIRECT : 0));
}

static struct kunit_case svcnet_track_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_track_test, svcnet_track_gen_params),
	KUNIT_CASE_PARAM(svcnet_direct_test, svcnet_direct_gen_params),
	{}
};

static struct kunit_suite svcnet_track_test_suite = {
	.name = "svcnet_track",
	.test_cases = svcnet_track_test_cases,
};

kunit_test_suite(svcnet_track_test_suite);

#undef S
#undef A
#undef F
#undef R
#undef B
#undef P
#undef T
#undef N
