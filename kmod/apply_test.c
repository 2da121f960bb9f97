// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the backend lists of transactions: sorted by address and port
 * for matching, a backend listed twice refused, of either family.
 */

#include <kunit/test.h>

#include "svcnet.h"

struct svcnet_apply_case {
	const char *name;
	u8 family;
	u32 n;
	u32 host[4];		/* last 32 bits of each address */
	u16 port[4];
	int err;
	u32 sorted[4];		/* indices, in sorted order, when no error */
};

static const struct svcnet_apply_case svcnet_apply_cases[] = {
	{ "empty", AF_INET, 0, {}, {}, 0, {} },
	{ "one", AF_INET, 1, { 1 }, { 80 }, 0, { 0 } },
	{ "sorted by address", AF_INET, 3, { 3, 1, 2 }, { 80, 80, 80 }, 0,
	  { 1, 2, 0 } },
	{ "then by port", AF_INET, 3, { 1, 1, 1 }, { 8080, 80, 443 }, 0,
	  { 1, 2, 0 } },
	{ "ports above 32767", AF_INET, 2, { 1, 1 }, { 65535, 32768 }, 0,
	  { 1, 0 } },
	{ "duplicate", AF_INET, 3, { 1, 2, 1 }, { 80, 80, 80 }, -EINVAL, {} },
	{ "same address, other port", AF_INET6, 2, { 7, 7 }, { 81, 80 }, 0,
	  { 1, 0 } },
	{ "IPv6 duplicate", AF_INET6, 4, { 1, 2, 3, 2 }, { 80, 80, 80, 80 },
	  -EINVAL, {} },
};

static void svcnet_apply_case_desc(const struct svcnet_apply_case *c,
				   char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_apply, svcnet_apply_cases, svcnet_apply_case_desc);

static void svcnet_be_spec_check_test(struct kunit *test)
{
	const struct svcnet_apply_case *c = test->param_value;
	struct svcnet_be_spec be[4] = {}, *order[4];
	struct svcnet_svc_spec s = { .n_be = c->n, .be = be };
	u32 i;

	s.key.family = c->family;
	for (i = 0; i < c->n; i++) {
		if (c->family == AF_INET)
			be[i].addr.ip = htonl(0x0a000000 | c->host[i]);
		else
			be[i].addr.in6.s6_addr32[3] = htonl(c->host[i]);
		be[i].port = htons(c->port[i]);
	}
	KUNIT_ASSERT_EQ(test, svcnet_be_spec_check(&s, order, NULL), c->err);
	if (c->err)
		return;
	for (i = 0; i < c->n; i++)
		KUNIT_EXPECT_PTR_EQ(test, order[i], &be[c->sorted[i]]);
}

static struct kunit_case svcnet_apply_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_be_spec_check_test, svcnet_apply_gen_params),
	{}
};

static struct kunit_suite svcnet_apply_test_suite = {
	.name = "svcnet_apply",
	.test_cases = svcnet_apply_test_cases,
};

kunit_test_suite(svcnet_apply_test_suite);
