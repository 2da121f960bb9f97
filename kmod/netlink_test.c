// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the generic netlink policy refuses what uapi/linux/svcnet.h says
 * it refuses, with the documented error and message.
 */

#include <kunit/test.h>
#include <net/netlink.h>

#include "svcnet.h"

struct svcnet_policy_case {
	const char *name;
	u16 type;
	const void *data;
	u16 len;
	int err;
	const char *msg;	/* expected extack message, or NULL */
};

static const u32 svcnet_u32_5 = 5, svcnet_u32_0;
static const u64 svcnet_u64_5 = 5;
static const u16 svcnet_u16_5 = 5;

static const struct svcnet_policy_case svcnet_policy_cases[] = {
	{ "ifindex", SVCNET_A_IFINDEX, &svcnet_u32_5, 4, 0, NULL },
	{ "ifindex zero", SVCNET_A_IFINDEX, &svcnet_u32_0, 4, -ERANGE,
	  "integer out of range" },
	{ "ifindex short", SVCNET_A_IFINDEX, &svcnet_u16_5, 2, -EINVAL,
	  "invalid attribute length" },
	{ "ifindex long", SVCNET_A_IFINDEX, &svcnet_u64_5, 8, -EINVAL,
	  "invalid attribute length" },
	{ "ifname longest", SVCNET_A_IFNAME, "abcdefghijklmno", 16, 0, NULL },
	{ "ifname too long", SVCNET_A_IFNAME, "abcdefghijklmnop", 17, -EINVAL,
	  "Attribute failed policy validation" },
	{ "ifname without NUL", SVCNET_A_IFNAME, "svc0", 4, -EINVAL,
	  "Attribute failed policy validation" },
	{ "ifname empty", SVCNET_A_IFNAME, "", 0, -EINVAL,
	  "Attribute failed policy validation" },
	{ "generation is read-only", SVCNET_A_GENERATION, &svcnet_u32_5, 4,
	  -EINVAL, "SVCNET_A_GENERATION is read-only" },
	{ "stats are read-only", SVCNET_A_STATS, NULL, 0, -EINVAL,
	  "SVCNET_A_STATS is read-only" },
	{ "unknown type", SVCNET_A_MAX + 1, &svcnet_u32_5, 4, -EINVAL,
	  "Unknown attribute type" },
	{ "type zero", SVCNET_A_UNSPEC, &svcnet_u32_5, 4, -EINVAL,
	  "Unknown attribute type" },
};

static void svcnet_policy_case_desc(const struct svcnet_policy_case *c,
				    char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_policy, svcnet_policy_cases, svcnet_policy_case_desc);

static void svcnet_policy_test(struct kunit *test)
{
	const struct svcnet_policy_case *c = test->param_value;
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[SVCNET_A_MAX + 1];
	struct sk_buff *skb;
	int err;

	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, c->type, c->len, c->data), 0);

	err = nla_parse(tb, SVCNET_A_MAX, (struct nlattr *)skb->data,
			skb->len, svcnet_nl_policy, &extack);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	else
		KUNIT_EXPECT_NULL(test, extack._msg);
	if (err)
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
				    (const struct nlattr *)skb->data);
	else
		KUNIT_EXPECT_PTR_EQ(test, tb[c->type], (struct nlattr *)skb->data);
	kfree_skb(skb);
}

static void svcnet_policy_trailing_test(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[SVCNET_A_MAX + 1];
	struct sk_buff *skb;

	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, nla_put_u32(skb, SVCNET_A_IFINDEX, 1), 0);
	skb_put_zero(skb, 2);	/* half an attribute header */
	KUNIT_EXPECT_EQ(test, nla_parse(tb, SVCNET_A_MAX,
					(struct nlattr *)skb->data, skb->len,
					svcnet_nl_policy, &extack), -EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "bytes leftover after parsing attributes");
	kfree_skb(skb);
}

static struct kunit_case svcnet_netlink_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_policy_test, svcnet_policy_gen_params),
	KUNIT_CASE(svcnet_policy_trailing_test),
	{}
};

static struct kunit_suite svcnet_netlink_test_suite = {
	.name = "svcnet_netlink",
	.test_cases = svcnet_netlink_test_cases,
};

kunit_test_suite(svcnet_netlink_test_suite);
