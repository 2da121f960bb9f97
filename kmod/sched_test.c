// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the schedulers' choices over backend sets built by hand.
 */

#include <kunit/test.h>
#include <linux/gcd.h>
#include <linux/slab.h>

#include "sched_maglev.h"
#include "svcnet.h"

#define SVCNET_TEST_MAX_BE 8

struct svcnet_sched_fixture {
	struct svcnet_service svc;
	struct svcnet_backend be[SVCNET_TEST_MAX_BE];
	struct svcnet_bset *bs;
};

static struct svcnet_sched_fixture *
svcnet_sched_fixture(struct kunit *test, u8 sched, const u16 *weights, u32 n)
{
	struct svcnet_sched_fixture *fx;
	struct svcnet_bset *bs;
	u64 ids[SVCNET_TEST_MAX_BE];
	u32 i;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	bs = kunit_kzalloc(test, struct_size(bs, be, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bs);
	bs->cum = kunit_kcalloc(test, n, sizeof(*bs->cum), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bs->cum);
	bs->sched = sched;
	for (i = 0; i < n; i++) {
		fx->be[i].weight = weights[i];
		fx->be[i].svc = &fx->svc;
		fx->be[i].id = (i + 1) * 0x9e3779b97f4a7c15ULL;
		ids[i] = fx->be[i].id;
		bs->total += weights[i];
		bs->cum[i] = bs->total;
		bs->be[i] = &fx->be[i];
	}
	bs->n = n;
	bs->stride = svcnet_wrr_stride(bs->total);
	if (sched == SVCNET_SCHED_MAGLEV || sched == SVCNET_SCHED_SH) {
		bs->ml = svcnet_maglev_build(SVCNET_MAGLEV_MIN_SIZE, ids, n,
					     GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(bs->ml));
	}
	fx->bs = bs;
	return fx;
}

static void svcnet_sched_fixture_free(struct svcnet_sched_fixture *fx)
{
	if (fx->bs->ml)
		svcnet_maglev_free(fx->bs->ml);
}

static u32 svcnet_pick(struct svcnet_sched_fixture *fx, u32 salt)
{
	struct svcnet_tuple t = {
		.family = AF_INET,
		.proto = IPPROTO_TCP,
		.saddr.ip = htonl(0x0a000000 | (salt >> 16)),
		.daddr.ip = htonl(0x0a600001),
		.sport = htons(salt & 0xffff),
		.dport = htons(80),
	};

	return svcnet_schedule(&fx->svc, fx->bs, &t) - fx->be;
}

struct svcnet_weights_case {
	const char *name;
	u16 w[SVCNET_TEST_MAX_BE];
	u32 n;
};

static const struct svcnet_weights_case svcnet_weights_cases[] = {
	{ "1:1:1", { 1, 1, 1 }, 3 },
	{ "1:2:3", { 1, 2, 3 }, 3 },
	{ "1:100", { 1, 100 }, 2 },
	{ "7:11:13:17", { 7, 11, 13, 17 }, 4 },
	{ "65535:1", { 65535, 1 }, 2 },
	{ "8 equal", { 5, 5, 5, 5, 5, 5, 5, 5 }, 8 },
};

static void svcnet_weights_desc(const struct svcnet_weights_case *c,
				char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_weights, svcnet_weights_cases, svcnet_weights_desc);

/* Each backend's share of @picks is its share of the weight, within 1%. */
static void svcnet_expect_shares(struct kunit *test,
				 const struct svcnet_weights_case *c,
				 const u32 *count, u32 picks, u64 total)
{
	u32 i;

	for (i = 0; i < c->n; i++) {
		s64 want = div_u64((u64)picks * c->w[i], total);

		KUNIT_EXPECT_LE_MSG(test, abs((s64)count[i] - want),
				    (s64)picks / 100, "backend %u", i);
	}
}

static void svcnet_wrr_test(struct kunit *test)
{
	const struct svcnet_weights_case *c = test->param_value;
	struct svcnet_sched_fixture *fx;
	u32 count[SVCNET_TEST_MAX_BE] = {};
	const u32 picks = 100000;
	u64 total;
	u32 i;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_WRR, c->w, c->n);
	total = fx->bs->total;
	for (i = 0; i < picks; i++)
		count[svcnet_pick(fx, i)]++;
	svcnet_expect_shares(test, c, count, picks, total);

	/* over whole rounds of total picks the split is exact */
	if (total <= 1000) {
		memset(count, 0, sizeof(count));
		atomic64_set(&fx->svc.counter, 0);
		for (i = 0; i < 3 * total; i++)
			count[svcnet_pick(fx, i)]++;
		for (i = 0; i < c->n; i++)
			KUNIT_EXPECT_EQ(test, count[i], 3U * c->w[i]);
	}
	svcnet_sched_fixture_free(fx);
}

static void svcnet_random_test(struct kunit *test)
{
	const struct svcnet_weights_case *c = test->param_value;
	struct svcnet_sched_fixture *fx;
	u32 count[SVCNET_TEST_MAX_BE] = {};
	const u32 picks = 100000;
	u32 i;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_RANDOM, c->w, c->n);
	for (i = 0; i < picks; i++)
		count[svcnet_pick(fx, i)]++;
	svcnet_expect_shares(test, c, count, picks, fx->bs->total);
	svcnet_sched_fixture_free(fx);
}

static void svcnet_rr_test(struct kunit *test)
{
	const struct svcnet_weights_case *c = test->param_value;
	struct svcnet_sched_fixture *fx;
	u32 i;

	/* weights do not matter to rr: strict rotation */
	fx = svcnet_sched_fixture(test, SVCNET_SCHED_RR, c->w, c->n);
	for (i = 0; i < 10 * c->n; i++)
		KUNIT_EXPECT_EQ(test, svcnet_pick(fx, i), i % c->n);
	svcnet_sched_fixture_free(fx);
}

struct svcnet_lc_case {
	const char *name;
	u16 w[4];
	int active[4];
	u32 n;
	u32 want;
};

static const struct svcnet_lc_case svcnet_lc_cases[] = {
	{ "fewest active", { 1, 1, 1 }, { 5, 0, 3 }, 3, 1 },
	{ "per unit of weight", { 1, 1, 4 }, { 1, 1, 3 }, 3, 2 },
	{ "heavy but busy", { 1, 10 }, { 0, 1 }, 2, 0 },
	{ "last one", { 2, 2, 2, 2 }, { 9, 9, 9, 8 }, 4, 3 },
};

static void svcnet_lc_desc(const struct svcnet_lc_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_lc, svcnet_lc_cases, svcnet_lc_desc);

static void svcnet_lc_test(struct kunit *test)
{
	const struct svcnet_lc_case *c = test->param_value;
	struct svcnet_sched_fixture *fx;
	u32 i;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_LC, c->w, c->n);
	for (i = 0; i < c->n; i++)
		atomic_set(&fx->be[i].active, c->active[i]);
	/* whatever the rotating start, the least loaded wins */
	for (i = 0; i < 2 * c->n; i++)
		KUNIT_EXPECT_EQ(test, svcnet_pick(fx, i), c->want);
	svcnet_sched_fixture_free(fx);
}

/* lc keeps active flows in proportion to weight as flows are added */
static void svcnet_lc_follows_test(struct kunit *test)
{
	static const u16 w[] = { 1, 2, 3 };
	struct svcnet_sched_fixture *fx;
	u32 i, b;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_LC, w, 3);
	for (i = 0; i < 600; i++) {
		b = svcnet_pick(fx, i);
		atomic_inc(&fx->be[b].active);
	}
	for (b = 0; b < 3; b++)
		KUNIT_EXPECT_EQ(test, atomic_read(&fx->be[b].active),
				100 * w[b]);
	svcnet_sched_fixture_free(fx);
}

static void svcnet_sh_test(struct kunit *test)
{
	static const u16 w[] = { 1, 1, 1, 1 };
	struct svcnet_sched_fixture *fx;
	u32 seen[4] = {};
	u32 src, port, first;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_SH, w, 4);
	for (src = 0; src < 200; src++) {
		/* every port of one source address: one backend */
		first = svcnet_pick(fx, src << 16);
		for (port = 1; port < 50; port++)
			KUNIT_EXPECT_EQ(test, svcnet_pick(fx, src << 16 | port),
					first);
		seen[first]++;
	}
	/* and sources spread over every backend */
	for (src = 0; src < 4; src++)
		KUNIT_EXPECT_GT(test, seen[src], 20U);
	svcnet_sched_fixture_free(fx);
}

static void svcnet_maglev_sched_test(struct kunit *test)
{
	static const u16 w[] = { 1, 1, 1 };
	struct svcnet_sched_fixture *fx;
	u32 count[3] = {}, i;

	fx = svcnet_sched_fixture(test, SVCNET_SCHED_MAGLEV, w, 3);
	for (i = 0; i < 3000; i++) {
		u32 b = svcnet_pick(fx, i);

		/* the same flow always maps to the same backend */
		KUNIT_EXPECT_EQ(test, svcnet_pick(fx, i), b);
		count[b]++;
	}
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_GT(test, count[i], 800U);
	svcnet_sched_fixture_free(fx);
}

/*
 * Two balancers (two sets of backend objects, two devices) with the same key
 * and the same backends, added in other orders, pick the same backend for
 * every flow; under another key the choices differ.
 */
static void svcnet_maglev_fleet_test(struct kunit *test)
{
	static struct svcnet_hash_key k1 = { .key = { { 1, 2 } } };
	static struct svcnet_hash_key k2 = { .key = { { 3, 4 } } };
	struct svcnet_backend *be = kunit_kcalloc(test, 15, sizeof(*be),
						  GFP_KERNEL);
	struct svcnet_service *svc = kunit_kcalloc(test, 3, sizeof(*svc),
						   GFP_KERNEL);
	struct svcnet_dev *sd = kunit_kcalloc(test, 3, sizeof(*sd), GFP_KERNEL);
	struct svcnet_bset *bs[3];
	u32 i, j, same = 0, differ = 0;

	KUNIT_ASSERT_NOT_NULL(test, be);
	KUNIT_ASSERT_NOT_NULL(test, svc);
	KUNIT_ASSERT_NOT_NULL(test, sd);
	for (j = 0; j < 3; j++) {
		RCU_INIT_POINTER(sd[j].hash_key, j == 2 ? &k2 : &k1);
		svc[j].sd = &sd[j];
		bs[j] = svcnet_bset_alloc(SVCNET_SCHED_MAGLEV, 5);
		KUNIT_ASSERT_NOT_NULL(test, bs[j]);
		for (i = 0; i < 5; i++) {
			/* host j's object of backend b, added in its order */
			u32 b = j == 1 ? 4 - i : i;

			be[j * 5 + b].id = (b + 1) * 0x9e3779b97f4a7c15ULL;
			be[j * 5 + b].port = htons(b);
			svcnet_bset_push(bs[j], &be[j * 5 + b], 1);
		}
		KUNIT_ASSERT_EQ(test, svcnet_bset_finish(bs[j],
							 SVCNET_MAGLEV_MIN_SIZE), 0);
	}
	rcu_read_lock();
	for (i = 0; i < 3000; i++) {
		struct svcnet_tuple t = {
			.family = AF_INET,
			.proto = IPPROTO_TCP,
			.saddr.ip = htonl(0x0a000000 | i),
			.daddr.ip = htonl(0x0a600001),
			.sport = htons(40000 + i % 7),
			.dport = htons(80),
		};
		__be16 p0 = svcnet_schedule(&svc[0], bs[0], &t)->port;

		/* (counted: no expectation reports inside RCU) */
		same += svcnet_schedule(&svc[1], bs[1], &t)->port == p0;
		differ += svcnet_schedule(&svc[2], bs[2], &t)->port != p0;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, same, 3000U);
	/* about 4 in 5 with 5 backends */
	KUNIT_EXPECT_GT(test, differ, 1500U);
	for (j = 0; j < 3; j++)
		svcnet_bset_free(bs[j]);
}

static void svcnet_wrr_stride_test(struct kunit *test)
{
	u64 total;

	for (total = 1; total < 5000; total++)
		KUNIT_EXPECT_EQ(test, gcd(svcnet_wrr_stride(total), total), 1UL);
	KUNIT_EXPECT_EQ(test, gcd(svcnet_wrr_stride(65535ULL * 65535),
				  65535ULL * 65535), 1UL);
}

static void svcnet_empty_set_test(struct kunit *test)
{
	struct svcnet_service svc = {};
	struct svcnet_tuple t = {};
	struct svcnet_bset bs = { .sched = SVCNET_SCHED_WRR };

	KUNIT_EXPECT_NULL(test, svcnet_schedule(&svc, NULL, &t));
	KUNIT_EXPECT_NULL(test, svcnet_schedule(&svc, &bs, &t));
}

static struct kunit_case svcnet_sched_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_wrr_test, svcnet_weights_gen_params),
	KUNIT_CASE_PARAM(svcnet_random_test, svcnet_weights_gen_params),
	KUNIT_CASE_PARAM(svcnet_rr_test, svcnet_weights_gen_params),
	KUNIT_CASE_PARAM(svcnet_lc_test, svcnet_lc_gen_params),
	KUNIT_CASE(svcnet_lc_follows_test),
	KUNIT_CASE(svcnet_sh_test),
	KUNIT_CASE(svcnet_maglev_sched_test),
	KUNIT_CASE(svcnet_maglev_fleet_test),
	KUNIT_CASE(svcnet_wrr_stride_test),
	KUNIT_CASE(svcnet_empty_set_test),
	{}
};

static struct kunit_suite svcnet_sched_test_suite = {
	.name = "svcnet_sched",
	.test_cases = svcnet_sched_test_cases,
};

kunit_test_suite(svcnet_sched_test_suite);
