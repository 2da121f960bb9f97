// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the generic netlink policy refuses what uapi/linux/svcnet.h says
 * it refuses, with the documented error and message.
 */

#include <kunit/test.h>
#include <net/netlink.h>

#include "netlink.h"

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

struct svcnet_nested_case {
	const char *name;
	u16 outer;
	u16 type;
	const void *data;
	u16 len;
	int err;
	const char *msg;
};

static const u8 svcnet_addr16[16] = { 0xfd, [15] = 1 };
static const u8 svcnet_tcp = IPPROTO_TCP, svcnet_icmp = IPPROTO_ICMP;
static const u8 svcnet_u8_0, svcnet_u8_5 = 5, svcnet_u8_7 = 7;
static const u8 svcnet_u8_2 = 2, svcnet_u8_3 = 3, svcnet_u8_129 = 129;
static const u16 svcnet_u16_0;
static const u32 svcnet_u32_250 = 250, svcnet_u32_65537 = 65537;
static const u32 svcnet_u32_big = SVCNET_TIMEOUT_MAX + 1;

#define SVCNET_ADDR_MSG "address must be 4 (IPv4) or 16 (IPv6) bytes"

static const struct svcnet_nested_case svcnet_nested_cases[] = {
	{ "service IPv4 address", SVCNET_A_SERVICE, SVCNET_A_SVC_ADDR,
	  svcnet_addr16, 4, 0, NULL },
	{ "service IPv6 address", SVCNET_A_SERVICE, SVCNET_A_SVC_ADDR,
	  svcnet_addr16, 16, 0, NULL },
	{ "service address of 5 bytes", SVCNET_A_SERVICE, SVCNET_A_SVC_ADDR,
	  svcnet_addr16, 5, -EINVAL, SVCNET_ADDR_MSG },
	{ "service address of 0 bytes", SVCNET_A_SERVICE, SVCNET_A_SVC_ADDR,
	  svcnet_addr16, 0, -EINVAL, SVCNET_ADDR_MSG },
	{ "service port 0", SVCNET_A_SERVICE, SVCNET_A_SVC_PORT, &svcnet_u16_0,
	  2, -ERANGE, "integer out of range" },
	{ "service port as u32", SVCNET_A_SERVICE, SVCNET_A_SVC_PORT,
	  &svcnet_u32_5, 4, -EINVAL, "invalid attribute length" },
	{ "service TCP", SVCNET_A_SERVICE, SVCNET_A_SVC_PROTO, &svcnet_tcp, 1,
	  0, NULL },
	{ "service ICMP", SVCNET_A_SERVICE, SVCNET_A_SVC_PROTO, &svcnet_icmp,
	  1, -EINVAL, "protocol must be IPPROTO_TCP or IPPROTO_UDP" },
	{ "scheduler unspec", SVCNET_A_SERVICE, SVCNET_A_SVC_SCHED,
	  &svcnet_u8_0, 1, -ERANGE, "integer out of range" },
	{ "scheduler maglev", SVCNET_A_SERVICE, SVCNET_A_SVC_SCHED,
	  &svcnet_u8_5, 1, 0, NULL },
	{ "scheduler 7", SVCNET_A_SERVICE, SVCNET_A_SVC_SCHED, &svcnet_u8_7,
	  1, -ERANGE, "integer out of range" },
	{ "Maglev size 250", SVCNET_A_SERVICE, SVCNET_A_SVC_MAGLEV_SIZE,
	  &svcnet_u32_250, 4, -ERANGE, "integer out of range" },
	{ "Maglev size 65537", SVCNET_A_SERVICE, SVCNET_A_SVC_MAGLEV_SIZE,
	  &svcnet_u32_65537, 4, 0, NULL },
	{ "service stats are read-only", SVCNET_A_SERVICE, SVCNET_A_SVC_STATS,
	  NULL, 0, -EINVAL, "SVCNET_A_SVC_STATS is read-only" },
	{ "service backends are read-only", SVCNET_A_SERVICE,
	  SVCNET_A_SVC_BACKENDS, NULL, 0, -EINVAL,
	  "SVCNET_A_SVC_BACKENDS is read-only" },
	{ "unknown service attribute", SVCNET_A_SERVICE, SVCNET_A_SVC_MAX + 1,
	  &svcnet_u32_5, 4, -EINVAL, "Unknown attribute type" },
	{ "backend address of 15 bytes", SVCNET_A_BACKEND, SVCNET_A_BE_ADDR,
	  svcnet_addr16, 15, -EINVAL, SVCNET_ADDR_MSG },
	{ "backend weight 0", SVCNET_A_BACKEND, SVCNET_A_BE_WEIGHT,
	  &svcnet_u16_0, 2, 0, NULL },
	{ "backend weight as u32", SVCNET_A_BACKEND, SVCNET_A_BE_WEIGHT,
	  &svcnet_u32_5, 4, -EINVAL, "invalid attribute length" },
	{ "affinity timeout too long", SVCNET_A_SERVICE, SVCNET_A_SVC_AFFINITY,
	  &svcnet_u32_big, 4, -ERANGE, "integer out of range" },
	{ "affinity mask 129", SVCNET_A_SERVICE, SVCNET_A_SVC_AFFINITY_PREFIX,
	  &svcnet_u8_129, 1, -ERANGE, "integer out of range" },
	{ "policy unspec", SVCNET_A_SERVICE, SVCNET_A_SVC_POLICY, &svcnet_u8_0,
	  1, -ERANGE, "integer out of range" },
	{ "policy 3", SVCNET_A_SERVICE, SVCNET_A_SVC_POLICY, &svcnet_u8_3, 1,
	  -ERANGE, "integer out of range" },
	{ "backend local 2", SVCNET_A_BACKEND, SVCNET_A_BE_LOCAL, &svcnet_u8_2,
	  1, -ERANGE, "integer out of range" },
	{ "drain 0 seconds", SVCNET_A_BACKEND, SVCNET_A_BE_DRAIN, &svcnet_u32_0,
	  4, -ERANGE, "integer out of range" },
	{ "affinity count is read-only", SVCNET_A_CONFIG,
	  SVCNET_A_CFG_AFFINITY_COUNT, &svcnet_u32_5, 4, -EINVAL,
	  "SVCNET_A_CFG_AFFINITY_COUNT is read-only" },
	{ "backend stats are read-only", SVCNET_A_BACKEND, SVCNET_A_BE_STATS,
	  NULL, 0, -EINVAL, "SVCNET_A_BE_STATS is read-only" },
	{ "flow backend is read-only", SVCNET_A_FLOW, SVCNET_A_FLOW_BE_ADDR,
	  svcnet_addr16, 4, -EINVAL, "SVCNET_A_FLOW_BE_ADDR is read-only" },
	{ "flow direct is read-only", SVCNET_A_FLOW, SVCNET_A_FLOW_DIRECT,
	  NULL, 0, -EINVAL, "SVCNET_A_FLOW_DIRECT is read-only" },
	{ "flow notrack is read-only", SVCNET_A_FLOW, SVCNET_A_FLOW_NOTRACK,
	  NULL, 0, -EINVAL, "SVCNET_A_FLOW_NOTRACK is read-only" },
	{ "flow protocol ICMP", SVCNET_A_FLOW, SVCNET_A_FLOW_PROTO,
	  &svcnet_icmp, 1, -EINVAL,
	  "protocol must be IPPROTO_TCP or IPPROTO_UDP" },
	{ "flow limit 0", SVCNET_A_CONFIG, SVCNET_A_CFG_FLOW_MAX, &svcnet_u32_0,
	  4, -ERANGE, "integer out of range" },
	{ "flow count is read-only", SVCNET_A_CONFIG, SVCNET_A_CFG_FLOW_COUNT,
	  &svcnet_u32_5, 4, -EINVAL, "SVCNET_A_CFG_FLOW_COUNT is read-only" },
	{ "timeout too long", SVCNET_A_CONFIG, SVCNET_A_CFG_TIMEOUT_UDP,
	  &svcnet_u32_big, 4, -ERANGE, "integer out of range" },
	{ "timeout 0", SVCNET_A_CONFIG, SVCNET_A_CFG_TIMEOUT_TCP_EST,
	  &svcnet_u32_0, 4, -ERANGE, "integer out of range" },
};

static void svcnet_nested_case_desc(const struct svcnet_nested_case *c,
				    char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svcnet_nested, svcnet_nested_cases, svcnet_nested_case_desc);

/* Nested attributes are validated with the request, and named when bad. */
static void svcnet_nested_policy_test(struct kunit *test)
{
	const struct svcnet_nested_case *c = test->param_value;
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[SVCNET_A_MAX + 1];
	struct nlattr *nest, *inner;
	struct sk_buff *skb;
	int err;

	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	nest = nla_nest_start(skb, c->outer);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	inner = (struct nlattr *)skb_tail_pointer(skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, c->type, c->len, c->data), 0);
	nla_nest_end(skb, nest);

	err = nla_parse(tb, SVCNET_A_MAX, (struct nlattr *)skb->data,
			skb->len, svcnet_nl_policy, &extack);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	else
		KUNIT_EXPECT_NULL(test, extack._msg);
	if (err)
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
				    (const struct nlattr *)inner);
	kfree_skb(skb);
}

static struct kunit_case svcnet_netlink_test_cases[] = {
	KUNIT_CASE_PARAM(svcnet_policy_test, svcnet_policy_gen_params),
	KUNIT_CASE_PARAM(svcnet_nested_policy_test, svcnet_nested_gen_params),
	KUNIT_CASE(svcnet_policy_trailing_test),
	{}
};

static struct kunit_suite svcnet_netlink_test_suite = {
	.name = "svcnet_netlink",
	.test_cases = svcnet_netlink_test_cases,
};

kunit_test_suite(svcnet_netlink_test_suite);
