// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: Maglev table sizes, balance and disruption.
 */

#include <kunit/test.h>
#include <linux/slab.h>

#include "sched_maglev.h"

static u64 svcnet_test_id(u32 i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

static u64 *svcnet_test_ids(struct kunit *test, u32 n)
{
	u64 *ids = kunit_kmalloc_array(test, n + 1, sizeof(*ids), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, ids);
	for (i = 0; i <= n; i++)
		ids[i] = svcnet_test_id(i);
	return ids;
}

struct svcnet_maglev_size_case {
	u32 m;
	bool valid;
};

static const struct svcnet_maglev_size_case svcnet_maglev_size_cases[] = {
	{ 1, false }, { 2, false }, { 250, false }, { 251, true },
	{ 253, false }, { 16381, true }, { 65536, false }, { 65537, true },
	{ 131071, true }, { 131073, false },
};

static void svcnet_maglev_size_desc(const struct svcnet_maglev_size_case *c,
				    char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "M=%u", c->m);
}

KUNIT_ARRAY_PARAM(svcnet_maglev_size, svcnet_maglev_size_cases,
		  svcnet_maglev_size_desc);

static void svcnet_maglev_size_test(struct kunit *test)
{
	const struct svcnet_maglev_size_case *c = test->param_value;
	u64 id = svcnet_test_id(0);
	struct svcnet_maglev *ml;

	KUNIT_EXPECT_EQ(test, svcnet_maglev_size_valid(c->m), c->valid);
	ml = svcnet_maglev_build(c->m, &id, 1, GFP_KERNEL);
	if (c->valid) {
		KUNIT_ASSERT_FALSE(test, IS_ERR(ml));
		KUNIT_EXPECT_EQ(test, ml->size, c->m);
		svcnet_maglev_free(ml);
	} else {
		KUNIT_EXPECT_EQ(test, PTR_ERR(ml), -EINVAL);
	}
}

static const u32 svcnet_maglev_backend_counts[] = { 1, 2, 3, 10, 100, 1000 };

static void svcnet_maglev_n_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "N=%u", *n);
}

KUNIT_ARRAY_PARAM(svcnet_maglev_n, svcnet_maglev_backend_counts,
		  svcnet_maglev_n_desc);

/* Every backend owns floor(M/N) or ceil(M/N) slots. */
static void svcnet_maglev_balance_test(struct kunit *test)
{
	const u32 n = *(const u32 *)test->param_value;
	const u32 m = SVCNET_MAGLEV_DEFAULT_SIZE;
	u64 *ids = svcnet_test_ids(test, n);
	struct svcnet_maglev *ml;
	u32 *count, i;

	count = kunit_kcalloc(test, n, sizeof(*count), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, count);
	ml = svcnet_maglev_build(m, ids, n, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ml));
	for (i = 0; i < m; i++) {
		KUNIT_ASSERT_LT(test, (u32)ml->slot[i], n);
		count[ml->slot[i]]++;
	}
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_GE(test, count[i], m / n);
		KUNIT_EXPECT_LE(test, count[i], DIV_ROUND_UP(m, n));
	}
	svcnet_maglev_free(ml);
}

/* Slots whose backend (by identity) differs between two tables. */
static u32 svcnet_maglev_moved(const struct svcnet_maglev *a, const u64 *ida,
			       const struct svcnet_maglev *b, const u64 *idb)
{
	u32 moved = 0, i;

	for (i = 0; i < a->size; i++)
		moved += ida[a->slot[i]] != idb[b->slot[i]];
	return moved;
}

static const u32 svcnet_maglev_disruption_counts[] = { 3, 10, 100 };

KUNIT_ARRAY_PARAM(svcnet_maglev_disruption, svcnet_maglev_disruption_counts,
		  svcnet_maglev_n_desc);

/*
 * Removing one of N backends, or adding one to N, moves at most
 * 1/N + 1% of the slots.
 */
static void svcnet_maglev_disruption_test(struct kunit *test)
{
	const u32 n = *(const u32 *)test->param_value;
	const u32 m = SVCNET_MAGLEV_DEFAULT_SIZE;
	u64 *ids = svcnet_test_ids(test, n);
	struct svcnet_maglev *base, *less, *more;
	u32 bound = m / n + m / 100;
	u64 *fewer;

	/* the same backends but the one in the middle */
	fewer = kunit_kmalloc_array(test, n, sizeof(*fewer), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fewer);
	memcpy(fewer, ids, (n / 2) * sizeof(*ids));
	memcpy(fewer + n / 2, ids + n / 2 + 1, (n - n / 2 - 1) * sizeof(*ids));

	base = svcnet_maglev_build(m, ids, n, GFP_KERNEL);
	less = svcnet_maglev_build(m, fewer, n - 1, GFP_KERNEL);
	more = svcnet_maglev_build(m, ids, n + 1, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(base));
	KUNIT_ASSERT_FALSE(test, IS_ERR(less));
	KUNIT_ASSERT_FALSE(test, IS_ERR(more));

	KUNIT_EXPECT_LE(test, svcnet_maglev_moved(base, ids, less, fewer), bound);
	KUNIT_EXPECT_LE(test, svcnet_maglev_moved(base, ids, more, ids),
			m / (n + 1) + m / 100);
	svcnet_maglev_free(base);
	svcnet_maglev_free(less);
	svcnet_maglev_free(more);
}

static void svcnet_maglev_deterministic_test(struct kunit *test)
{
	u64 *ids = svcnet_test_ids(test, 10);
	struct svcnet_maglev *a, *b;

	a = svcnet_maglev_build(16381, ids, 10, GFP_KERNEL);
	b = svcnet_maglev_build(16381, ids, 10, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, memcmp(a->slot, b->slot, 16381 * sizeof(u16)), 0);
	KUNIT_EXPECT_EQ(test, svcnet_maglev_pick(a, 16381 + 5), a->slot[5]);
	KUNIT_EXPECT_EQ(test, PTR_ERR(svcnet_maglev_build(16381, ids, 0,
							  GFP_KERNEL)), -EINVAL);
	svcnet_maglev_free(a);
	svcnet_maglev_free(b);
}

static struct kunit_case svcnet_maglev_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_maglev_size_test, svcnet_maglev_size_gen_params),
	KUNIT_CASE_PARAM(svcnet_maglev_balance_test, svcnet_maglev_n_gen_params),
	KUNIT_CASE_PARAM(svcnet_maglev_disruption_test,
			 svcnet_maglev_disruption_gen_params),
	KUNIT_CASE(svcnet_maglev_deterministic_test),
	{}
};

static struct kunit_suite svcnet_maglev_test_suite = {
	.name = "svcnet_maglev",
	.test_cases = svcnet_maglev_test_cases,
};

kunit_test_suite(svcnet_maglev_test_suite);
