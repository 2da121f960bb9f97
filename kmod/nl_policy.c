// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the netlink policies, exact to the byte and the range, and the
 * check that no attribute is given twice.
 */

#include <linux/netdevice.h>

#include "sched_maglev.h"

#include "netlink.h"

static int svcnet_nl_validate_addr(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != sizeof(struct in_addr) &&
	    nla_len(attr) != sizeof(struct in6_addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	return 0;
}

static int svcnet_nl_validate_proto(const struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	u8 proto = nla_get_u8(attr);

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "protocol must be IPPROTO_TCP or IPPROTO_UDP");
		return -EINVAL;
	}
	return 0;
}

#define SVCNET_NL_ADDR \
	NLA_POLICY_VALIDATE_FN(NLA_BINARY, svcnet_nl_validate_addr, \
			       sizeof(struct in6_addr))
#define SVCNET_NL_PROTO NLA_POLICY_VALIDATE_FN(NLA_U8, svcnet_nl_validate_proto)
#define SVCNET_NL_READ_ONLY(name) \
	{ .type = NLA_REJECT, .reject_message = name " is read-only" }

static struct netlink_range_validation svcnet_range_maglev = {
	.min = SVCNET_MAGLEV_MIN_SIZE,
	.max = SVCNET_MAGLEV_MAX_SIZE,
};

static struct netlink_range_validation svcnet_range_flow_max = {
	.min = 1,
	.max = SVCNET_FLOW_MAX_LIMIT,
};

static struct netlink_range_validation svcnet_range_affinity = {
	.min = 0,
	.max = SVCNET_TIMEOUT_MAX,
};

static struct netlink_range_validation svcnet_range_port = {
	.min = 1,
	.max = 65535,
};

static struct netlink_range_validation svcnet_range_timeout = {
	.min = 1,
	.max = SVCNET_TIMEOUT_MAX,
};

#define SVCNET_NL_TIMEOUT \
	NLA_POLICY_FULL_RANGE(NLA_U32, &svcnet_range_timeout)

static const struct nla_policy svcnet_src_policy[SVCNET_A_SRC_MAX + 1] = {
	[SVCNET_A_SRC_ADDR] = SVCNET_NL_ADDR,
	[SVCNET_A_SRC_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* A service's attributes but SVCNET_A_SVC_BACKENDS, in either policy. */
#define SVCNET_NL_SVC_POLICY \
	[SVCNET_A_SVC_ADDR] = SVCNET_NL_ADDR, \
	[SVCNET_A_SVC_PORT] = NLA_POLICY_MIN(NLA_U16, 1), \
	[SVCNET_A_SVC_PROTO] = SVCNET_NL_PROTO, \
	[SVCNET_A_SVC_SCHED] = NLA_POLICY_RANGE(NLA_U8, SVCNET_SCHED_RR, \
						SVCNET_SCHED_MAX), \
	[SVCNET_A_SVC_MAGLEV_SIZE] = \
		NLA_POLICY_FULL_RANGE(NLA_U32, &svcnet_range_maglev), \
	[SVCNET_A_SVC_STATS] = SVCNET_NL_READ_ONLY("SVCNET_A_SVC_STATS"), \
	[SVCNET_A_SVC_AFFINITY] = \
		NLA_POLICY_FULL_RANGE(NLA_U32, &svcnet_range_affinity), \
	[SVCNET_A_SVC_AFFINITY_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128), \
	[SVCNET_A_SVC_POLICY] = NLA_POLICY_RANGE(NLA_U8, SVCNET_POLICY_CLUSTER, \
						 SVCNET_POLICY_MAX), \
	[SVCNET_A_SVC_SOURCES] = NLA_POLICY_NESTED_ARRAY(svcnet_src_policy), \
	[SVCNET_A_SVC_TLS_OFFLOAD] = NLA_POLICY_MAX(NLA_U8, 1), \
	[SVCNET_A_SVC_FORWARD] = NLA_POLICY_RANGE(NLA_U8, SVCNET_FORWARD_NAT, \
						  SVCNET_FORWARD_MAX), \
	[SVCNET_A_SVC_TLS_STATS] = SVCNET_NL_READ_ONLY("SVCNET_A_SVC_TLS_STATS")

static const struct nla_policy svcnet_svc_policy[SVCNET_A_SVC_MAX + 1] = {
	SVCNET_NL_SVC_POLICY,
	[SVCNET_A_SVC_BACKENDS] = SVCNET_NL_READ_ONLY("SVCNET_A_SVC_BACKENDS"),
};

static const struct nla_policy svcnet_be_policy[SVCNET_A_BE_MAX + 1] = {
	[SVCNET_A_BE_ADDR] = SVCNET_NL_ADDR,
	[SVCNET_A_BE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SVCNET_A_BE_WEIGHT] = { .type = NLA_U16 },
	[SVCNET_A_BE_STATS] = SVCNET_NL_READ_ONLY("SVCNET_A_BE_STATS"),
	[SVCNET_A_BE_DRAIN] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_BE_LOCAL] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* SERVICE_NEW, SERVICE_SET and APPLY: a service with its backends */
static const struct nla_policy svcnet_svc_write_policy[SVCNET_A_SVC_MAX + 1] = {
	SVCNET_NL_SVC_POLICY,
	[SVCNET_A_SVC_BACKENDS] = NLA_POLICY_NESTED_ARRAY(svcnet_be_policy),
};

const struct nla_policy svcnet_nl_flow_policy[SVCNET_A_FLOW_MAX + 1] = {
	[SVCNET_A_FLOW_PROTO] = SVCNET_NL_PROTO,
	[SVCNET_A_FLOW_CLIENT_ADDR] = SVCNET_NL_ADDR,
	[SVCNET_A_FLOW_CLIENT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SVCNET_A_FLOW_SVC_ADDR] = SVCNET_NL_ADDR,
	[SVCNET_A_FLOW_SVC_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SVCNET_A_FLOW_BE_ADDR] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_BE_ADDR"),
	[SVCNET_A_FLOW_BE_PORT] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_BE_PORT"),
	[SVCNET_A_FLOW_STATE] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_STATE"),
	[SVCNET_A_FLOW_EXPIRES] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_EXPIRES"),
	[SVCNET_A_FLOW_SNAT_ADDR] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_SNAT_ADDR"),
	[SVCNET_A_FLOW_SNAT_PORT] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_SNAT_PORT"),
	[SVCNET_A_FLOW_ASSURED] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_ASSURED"),
	[SVCNET_A_FLOW_PICKUP] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_PICKUP"),
	[SVCNET_A_FLOW_TUNNEL] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_TUNNEL"),
	[SVCNET_A_FLOW_DIRECT] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_DIRECT"),
	[SVCNET_A_FLOW_NOTRACK] = SVCNET_NL_READ_ONLY("SVCNET_A_FLOW_NOTRACK"),
};

const struct nla_policy svcnet_nl_cfg_policy[SVCNET_A_CFG_MAX + 1] = {
	[SVCNET_A_CFG_FLOW_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&svcnet_range_flow_max),
	[SVCNET_A_CFG_FLOW_COUNT] = SVCNET_NL_READ_ONLY("SVCNET_A_CFG_FLOW_COUNT"),
	[SVCNET_A_CFG_TIMEOUT_TCP_SYN] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_CFG_TIMEOUT_TCP_EST] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_CFG_TIMEOUT_TCP_FIN] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_CFG_TIMEOUT_TCP_CLOSE] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_CFG_TIMEOUT_UDP] = SVCNET_NL_TIMEOUT,
	[SVCNET_A_CFG_AFFINITY_COUNT] =
		SVCNET_NL_READ_ONLY("SVCNET_A_CFG_AFFINITY_COUNT"),
	[SVCNET_A_CFG_FLOWS_EVICTED] =
		SVCNET_NL_READ_ONLY("SVCNET_A_CFG_FLOWS_EVICTED"),
	[SVCNET_A_CFG_SNAT_PORT_MIN] = NLA_POLICY_FULL_RANGE(NLA_U32,
							     &svcnet_range_port),
	[SVCNET_A_CFG_SNAT_PORT_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							     &svcnet_range_port),
};

const struct nla_policy svcnet_nl_policy[SVCNET_A_MAX + 1] = {
	[SVCNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SVCNET_A_GENERATION] = {
		.type = NLA_REJECT,
		.reject_message = "SVCNET_A_GENERATION is read-only",
	},
	[SVCNET_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "SVCNET_A_STATS is read-only",
	},
	[SVCNET_A_SERVICE] = NLA_POLICY_NESTED(svcnet_svc_policy),
	[SVCNET_A_BACKEND] = NLA_POLICY_NESTED(svcnet_be_policy),
	[SVCNET_A_FLOW] = NLA_POLICY_NESTED(svcnet_nl_flow_policy),
	[SVCNET_A_CONFIG] = NLA_POLICY_NESTED(svcnet_nl_cfg_policy),
	[SVCNET_A_PURGED] = SVCNET_NL_READ_ONLY("SVCNET_A_PURGED"),
	/* settable by DEV_SET alone; the key by APPLY too */
	[SVCNET_A_FAST_PATH] = SVCNET_NL_READ_ONLY("SVCNET_A_FAST_PATH"),
	[SVCNET_A_HASH_KEY] = {
		.type = NLA_REJECT,
		.reject_message = "SVCNET_A_HASH_KEY is set by DEV_SET or APPLY",
	},
};

/* SVCNET_CMD_DEV_SET: a device and its settings. */
const struct nla_policy svcnet_nl_dev_set_policy[SVCNET_A_MAX + 1] = {
	[SVCNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SVCNET_A_FAST_PATH] = NLA_POLICY_MAX(NLA_U8, SVCNET_FAST_PATH_MAX),
	[SVCNET_A_HASH_KEY] = NLA_POLICY_EXACT_LEN(SVCNET_HASH_KEY_LEN),
};

/* The requests that are transactions (apply.c); the key in APPLY only. */
const struct nla_policy svcnet_nl_write_policy[SVCNET_A_MAX + 1] = {
	[SVCNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SVCNET_A_GENERATION] = { .type = NLA_U32 },
	[SVCNET_A_SERVICE] = NLA_POLICY_NESTED(svcnet_svc_write_policy),
	[SVCNET_A_HASH_KEY] = NLA_POLICY_EXACT_LEN(SVCNET_HASH_KEY_LEN),
};

/*
 * Refuse an attribute given twice in one nest, at every level a policy
 * describes. The kernel's parsers keep the last of duplicates while
 * nla_find() and a walk of the raw attributes see the first: a request
 * must mean one thing to all of them. @multi is a top-level type that may
 * repeat (SVCNET_A_SERVICE in APPLY), 0 for none.
 */
int svcnet_nl_check_dups(const struct nlattr *head, int len,
			 const struct nla_policy *policy, int maxtype,
			 int multi, struct netlink_ext_ack *extack)
{
	const struct nlattr *attr, *entry;
	u64 seen = 0;
	int rem, erem, type, err;

	BUILD_BUG_ON(SVCNET_A_MAX >= 64 || SVCNET_A_SVC_MAX >= 64 ||
		     SVCNET_A_BE_MAX >= 64 || SVCNET_A_SRC_MAX >= 64 ||
		     SVCNET_A_FLOW_MAX >= 64 || SVCNET_A_CFG_MAX >= 64);
	nla_for_each_attr(attr, head, len, rem) {
		type = nla_type(attr);
		/* strict validation refused unknown types already */
		if (type > maxtype)
			continue;
		if (type >= 64) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "attribute type too large");
			return -EINVAL;
		}
		if (seen & BIT_ULL(type) && type != multi) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "attribute given twice");
			return -EINVAL;
		}
		seen |= BIT_ULL(type);
		if (!policy)
			continue;
		if (policy[type].type == NLA_NESTED &&
		    policy[type].nested_policy) {
			err = svcnet_nl_check_dups(nla_data(attr), nla_len(attr),
						   policy[type].nested_policy,
						   policy[type].len, 0, extack);
			if (err)
				return err;
		} else if (policy[type].type == NLA_NESTED_ARRAY &&
			   policy[type].nested_policy) {
			/* entries are numbered freely; check inside each */
			nla_for_each_nested(entry, attr, erem) {
				err = svcnet_nl_check_dups(nla_data(entry),
							   nla_len(entry),
							   policy[type].nested_policy,
							   policy[type].len, 0,
							   extack);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

#ifdef SVCNET_KUNIT
#include "netlink_test.c"
#endif
