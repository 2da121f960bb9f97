// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the generic netlink family, as documented in uapi/linux/svcnet.h.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "sched_maglev.h"

#include "svcnet.h"

static struct genl_family svcnet_family;

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

static const struct nla_policy svcnet_flow_policy[SVCNET_A_FLOW_MAX + 1] = {
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
};

static const struct nla_policy svcnet_cfg_policy[SVCNET_A_CFG_MAX + 1] = {
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
	[SVCNET_A_FLOW] = NLA_POLICY_NESTED(svcnet_flow_policy),
	[SVCNET_A_CONFIG] = NLA_POLICY_NESTED(svcnet_cfg_policy),
	[SVCNET_A_PURGED] = SVCNET_NL_READ_ONLY("SVCNET_A_PURGED"),
};

/* The requests that are transactions (apply.c). */
static const struct nla_policy svcnet_nl_write_policy[SVCNET_A_MAX + 1] = {
	[SVCNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SVCNET_A_GENERATION] = { .type = NLA_U32 },
	[SVCNET_A_SERVICE] = NLA_POLICY_NESTED(svcnet_svc_write_policy),
};

/*
 * Refuse an attribute given twice in one nest, at every level a policy
 * describes. The kernel's parsers keep the last of duplicates while
 * nla_find() and a walk of the raw attributes see the first: a request
 * must mean one thing to all of them. @multi is a top-level type that may
 * repeat (SVCNET_A_SERVICE in APPLY), 0 for none.
 */
static int svcnet_nl_check_dups(const struct nlattr *head, int len,
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

static struct net_device *svcnet_nl_get_dev(struct net *net,
					    struct nlattr **attrs,
					    struct netlink_ext_ack *extack);

/*
 * A dump's first pass: no duplicated attribute anywhere in its filter,
 * and, with @only, the ifindex of the device it names (0: none). Done
 * here, not in .start: 6.1 reports .start's extack message nowhere (a
 * dump's error carries the message, never the offset). cb->args[5] says
 * the first pass is over.
 */
static int svcnet_nl_dump_first(struct netlink_callback *cb, int *only)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct net_device *dev;
	int err;

	if (cb->args[5])
		return 0;
	cb->args[5] = 1;
	err = svcnet_nl_check_dups(nlmsg_attrdata(cb->nlh, GENL_HDRLEN),
				   nlmsg_attrlen(cb->nlh, GENL_HDRLEN),
				   info->op.policy ?: svcnet_nl_policy,
				   SVCNET_A_MAX, 0, cb->extack);
	if (err || !only ||
	    (!info->attrs[SVCNET_A_IFINDEX] && !info->attrs[SVCNET_A_IFNAME]))
		return err;
	dev = svcnet_nl_get_dev(sock_net(cb->skb->sk), info->attrs,
				cb->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	*only = dev->ifindex;
	dev_put(dev);
	return 0;
}

/* Before every doit: no duplicated attribute anywhere in the request. */
static int svcnet_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	const struct nla_policy *policy = ops->policy ?: svcnet_nl_policy;

	return svcnet_nl_check_dups(genlmsg_data(info->genlhdr),
				    genlmsg_len(info->genlhdr), policy,
				    SVCNET_A_MAX,
				    ops->cmd == SVCNET_CMD_APPLY ?
				    SVCNET_A_SERVICE : 0, info->extack);
}

/*
 * Find the device named by SVCNET_A_IFINDEX or SVCNET_A_IFNAME in @net.
 * Returns it with a reference held, or an ERR_PTR.
 */
static struct net_device *svcnet_nl_get_dev(struct net *net,
					    struct nlattr **attrs,
					    struct netlink_ext_ack *extack)
{
	struct nlattr *attr_index = attrs[SVCNET_A_IFINDEX];
	struct nlattr *attr_name = attrs[SVCNET_A_IFNAME];
	struct net_device *dev;
	struct nlattr *attr;

	if (attr_index && attr_name) {
		NL_SET_ERR_MSG_ATTR(extack, attr_name,
				    "give SVCNET_A_IFINDEX or SVCNET_A_IFNAME, not both");
		return ERR_PTR(-EINVAL);
	}
	if (attr_index) {
		attr = attr_index;
		dev = dev_get_by_index(net, nla_get_u32(attr_index));
	} else if (attr_name) {
		attr = attr_name;
		dev = dev_get_by_name(net, nla_data(attr_name));
	} else {
		NL_SET_ERR_MSG(extack,
			       "missing SVCNET_A_IFINDEX or SVCNET_A_IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!svcnet_is_dev(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attr, "not an svcnet device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

static int svcnet_nl_put_tls_stats(struct sk_buff *skb, int type,
				   struct svcnet_tls_counters *c)
{
	struct svcnet_tls_stats s;
	struct nlattr *nest;

	if (!SVCNET_TLS_OFFLOAD)
		return 0;
	svcnet_tls_stats_read(c, &s);
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u64_64bit(skb, SVCNET_A_TLS_STATS_ADDED, s.added,
			      SVCNET_A_TLS_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_TLS_STATS_REMOVED, s.removed,
			      SVCNET_A_TLS_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_TLS_STATS_RECORDS, s.records,
			      SVCNET_A_TLS_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_TLS_STATS_BYTES, s.bytes,
			      SVCNET_A_TLS_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_TLS_STATS_DROPS, s.drops,
			      SVCNET_A_TLS_STATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int svcnet_nl_put_stats(struct sk_buff *skb, struct svcnet_dev *sd)
{
	struct nlattr *nest, *drops;
	struct svcnet_stats s;
	int i;

	svcnet_stats_read(sd->stats, &s);
	nest = nla_nest_start(skb, SVCNET_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SVCNET_A_STATS_TX_PACKETS, s.tx_packets,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_TX_BYTES, s.tx_bytes,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_RX_PACKETS, s.rx_packets,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_RX_BYTES, s.rx_bytes,
			      SVCNET_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_STATS_FRAGMENTS, s.fragments,
			      SVCNET_A_STATS_PAD))
		goto err_cancel;
	drops = nla_nest_start(skb, SVCNET_A_STATS_DROPS);
	if (!drops)
		goto err_cancel;
	for (i = SVCNET_DROP_UNSPEC + 1; i < __SVCNET_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, i, s.drops[i], 0))
			goto err_cancel;
	nla_nest_end(skb, drops);
	if (svcnet_nl_put_tls_stats(skb, SVCNET_A_STATS_TLS, &sd->tls))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int svcnet_nl_fill_dev(struct sk_buff *skb, struct svcnet_dev *sd,
			      u32 portid, u32 seq, int flags, u32 gen,
			      struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &svcnet_family, flags,
			  SVCNET_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, sd->dev->ifindex) ||
	    nla_put_string(skb, SVCNET_A_IFNAME, sd->dev->name) ||
	    nla_put_u32(skb, SVCNET_A_GENERATION, gen) ||
	    svcnet_nl_put_stats(skb, sd)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int svcnet_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_put;
	}
	err = svcnet_nl_fill_dev(msg, netdev_priv(dev), info->snd_portid,
				 info->snd_seq, 0,
				 READ_ONCE(svcnet_pernet(net)->gen), NULL);
	if (err)
		goto err_free;
	dev_put(dev);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
err_put:
	dev_put(dev);
	return err;
}

static int svcnet_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct svcnet_net *sn = svcnet_pernet(sock_net(skb->sk));
	long skip = cb->args[0], idx = 0;
	struct svcnet_dev *sd;
	int err = 0;

	err = svcnet_nl_dump_first(cb, NULL);
	if (err)
		return err;
	rcu_read_lock();
	cb->seq = READ_ONCE(sn->gen);
	list_for_each_entry_rcu(sd, &sn->devs, list) {
		if (idx >= skip) {
			err = svcnet_nl_fill_dev(skb, sd,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI, cb->seq, cb);
			if (err)
				break;
		}
		idx++;
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* a full buffer ends this part of the dump, not the dump */
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

/* Addresses are 4 or 16 bytes, as validated by the policy. */
static void svcnet_nl_get_addr(const struct nlattr *attr, u8 *family,
			       union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, sizeof(*addr));
	*family = nla_len(attr) == sizeof(struct in_addr) ? AF_INET : AF_INET6;
}

static int svcnet_nl_put_addr(struct sk_buff *skb, int type, u8 family,
			      const union nf_inet_addr *addr)
{
	return nla_put(skb, type, family == AF_INET ? sizeof(struct in_addr) :
				  sizeof(struct in6_addr), addr);
}

#define SVCNET_NL_REQUIRE(extack, nest, tb, type)			\
	({								\
		bool __ok = !!(tb)[type];				\
		if (!__ok)						\
			NL_SET_ERR_MSG_ATTR(extack, nest,		\
					    "missing " #type);		\
		__ok;							\
	})

/*
 * The nests below (SVCNET_A_SERVICE, SVCNET_A_BACKEND, their backends and
 * sources) are parsed without a policy: genetlink validated the whole
 * request, nested attributes included, against the operation's policy
 * (svcnet_nl_policy or svcnet_nl_write_policy) before calling the handler.
 */

static int svcnet_nl_svc_key_tb(const struct nlattr *nest, struct nlattr **tb,
				struct svcnet_svc_key *key,
				struct netlink_ext_ack *extack);

/* The service key in SVCNET_A_SERVICE; fills @tb with its attributes. */
static int svcnet_nl_svc_key(const struct nlattr *nest, struct nlattr **tb,
			     struct svcnet_svc_key *key,
			     struct netlink_ext_ack *extack)
{
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing SVCNET_A_SERVICE");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCNET_A_SVC_MAX, nest, NULL, extack);
	if (err)
		return err;
	return svcnet_nl_svc_key_tb(nest, tb, key, extack);
}

/* The service key of a parsed SVCNET_A_SERVICE nest. */
static int svcnet_nl_svc_key_tb(const struct nlattr *nest, struct nlattr **tb,
				struct svcnet_svc_key *key,
				struct netlink_ext_ack *extack)
{
	if (!SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_ADDR) ||
	    !SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_PORT) ||
	    !SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_PROTO))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	svcnet_nl_get_addr(tb[SVCNET_A_SVC_ADDR], &key->family, &key->addr);
	key->port = htons(nla_get_u16(tb[SVCNET_A_SVC_PORT]));
	key->proto = nla_get_u8(tb[SVCNET_A_SVC_PROTO]);
	return 0;
}

/* The device and service of a request; under RTNL. */
static struct svcnet_service *svcnet_nl_get_service(struct genl_info *info,
						    struct nlattr **tb,
						    struct svcnet_dev **sdp)
{
	struct net *net = genl_info_net(info);
	struct svcnet_service *svc;
	struct svcnet_svc_key key;
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
	if (IS_ERR(dev))
		return ERR_CAST(dev);
	/* RTNL keeps the device */
	dev_put(dev);
	*sdp = netdev_priv(dev);
	err = svcnet_nl_svc_key(info->attrs[SVCNET_A_SERVICE], tb, &key,
				info->extack);
	if (err)
		return ERR_PTR(err);
	svc = svcnet_service_lookup_rtnl(*sdp, &key);
	if (!svc) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SVCNET_A_SERVICE],
				    "no such service");
		return ERR_PTR(-ENOENT);
	}
	return svc;
}

/* The affinity a request asks for, given the current one; 0 or -EINVAL. */
static int svcnet_nl_affinity(struct nlattr **tb, u8 family, u32 *timeout,
			      u8 *prefix, struct netlink_ext_ack *extack)
{
	u8 max = family == AF_INET ? 32 : 128;

	if (tb[SVCNET_A_SVC_AFFINITY])
		*timeout = nla_get_u32(tb[SVCNET_A_SVC_AFFINITY]);
	if (tb[SVCNET_A_SVC_AFFINITY_PREFIX])
		*prefix = nla_get_u8(tb[SVCNET_A_SVC_AFFINITY_PREFIX]);
	if (*prefix > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNET_A_SVC_AFFINITY_PREFIX],
				    "prefix longer than the service's addresses");
		return -EINVAL;
	}
	return 0;
}

/*
 * The allowed sources a request gives: *@out is NULL when it gives none
 * (keep), an ERR_PTR when they are bad, else a new array (an empty one
 * for an empty nest: every client).
 */
static struct svcnet_sources *svcnet_nl_sources(struct nlattr *nest, u8 family,
						struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNET_A_SRC_MAX + 1];
	struct svcnet_sources *s;
	struct nlattr *entry;
	u8 fam, max = family == AF_INET ? 32 : 128;
	int rem, n = 0, err;

	if (!nest)
		return NULL;
	nla_for_each_nested(entry, nest, rem)
		n++;
	if (n > SVCNET_MAX_SOURCES) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many source prefixes");
		return ERR_PTR(-EINVAL);
	}
	s = kzalloc(struct_size(s, p, n), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	nla_for_each_nested(entry, nest, rem) {
		union nf_inet_addr *addr = &s->p[s->n].addr;
		u8 prefix;

		err = nla_parse_nested(tb, SVCNET_A_SRC_MAX, entry, NULL,
				       extack);
		if (err)
			goto err_free;
		err = -EINVAL;
		if (!tb[SVCNET_A_SRC_ADDR] || !tb[SVCNET_A_SRC_PREFIX]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a source needs SVCNET_A_SRC_ADDR and SVCNET_A_SRC_PREFIX");
			goto err_free;
		}
		svcnet_nl_get_addr(tb[SVCNET_A_SRC_ADDR], &fam, addr);
		prefix = nla_get_u8(tb[SVCNET_A_SRC_PREFIX]);
		if (fam != family || prefix > max) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "source prefix not of the service's family");
			goto err_free;
		}
		if (family == AF_INET) {
			s->p[s->n].mask.ip = inet_make_mask(prefix);
			addr->ip &= s->p[s->n].mask.ip;
		} else {
			struct in6_addr ones;

			memset(&ones, 0xff, sizeof(ones));
			ipv6_addr_prefix(&s->p[s->n].mask.in6, &ones, prefix);
			ipv6_addr_prefix(&addr->in6, &addr->in6, prefix);
		}
		s->p[s->n++].prefix = prefix;
	}
	return s;

err_free:
	kfree(s);
	return ERR_PTR(err);
}

/*
 * The address and port of the backend nest @nest, of the service's
 * @family; fills @tb with its attributes.
 */
static int svcnet_nl_be_key(const struct nlattr *nest, u8 family,
			    struct nlattr **tb, union nf_inet_addr *addr,
			    __be16 *port, struct netlink_ext_ack *extack)
{
	u8 fam;
	int err;

	err = nla_parse_nested(tb, SVCNET_A_BE_MAX, nest, NULL, extack);
	if (err)
		return err;
	if (!SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_BE_ADDR) ||
	    !SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_BE_PORT))
		return -EINVAL;
	svcnet_nl_get_addr(tb[SVCNET_A_BE_ADDR], &fam, addr);
	if (fam != family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNET_A_BE_ADDR],
				    "backend and service address families differ");
		return -EINVAL;
	}
	*port = htons(nla_get_u16(tb[SVCNET_A_BE_PORT]));
	return 0;
}

/* One backend of SVCNET_A_SVC_BACKENDS. */
static int svcnet_nl_be_spec(const struct nlattr *entry, u8 family,
			     struct svcnet_be_spec *b,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNET_A_BE_MAX + 1];
	int err;

	memset(b, 0, sizeof(*b));
	err = svcnet_nl_be_key(entry, family, tb, &b->addr, &b->port, extack);
	if (err)
		return err;
	b->weight = tb[SVCNET_A_BE_WEIGHT] ?
		    nla_get_u16(tb[SVCNET_A_BE_WEIGHT]) : 1;
	b->local = tb[SVCNET_A_BE_LOCAL] && nla_get_u8(tb[SVCNET_A_BE_LOCAL]);
	if (tb[SVCNET_A_BE_DRAIN])
		b->drain = nla_get_u32(tb[SVCNET_A_BE_DRAIN]);
	return 0;
}

/* Append the backends of @nest to @s, the last spec of @txn. */
static int svcnet_nl_be_specs(struct svcnet_txn *txn, struct svcnet_svc_spec *s,
			      const struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *entry;
	int rem, err;

	s->set_backends = true;
	if (!nest)
		return 0;
	nla_for_each_nested(entry, nest, rem) {
		if (s->n_be == SVCNET_MAX_BACKENDS) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "too many backends in this service");
			return -ENOSPC;
		}
		/* the array holds what the parse counted, never more */
		if (txn->n_be >= txn->max_be) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "more backends than the request counted");
			return -EINVAL;
		}
		err = svcnet_nl_be_spec(entry, s->key.family,
					&txn->be[txn->n_be], extack);
		if (err)
			return err;
		txn->n_be++;
		s->n_be++;
	}
	return 0;
}

/*
 * Add the service of the SVCNET_A_SERVICE nest @nest to @txn. Settings not
 * given are, for SERVICE_SET, those of the service, else the defaults;
 * sources and backends not given are kept by SERVICE_SET, none otherwise.
 * In APPLY, a nest with the key of the one before continues its list of
 * backends.
 */
static int svcnet_nl_svc_spec(struct svcnet_txn *txn, const struct nlattr *nest,
			      struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	const struct svcnet_service *cur = NULL;
	struct svcnet_svc_spec *s;
	struct svcnet_sources *srcs;
	struct svcnet_svc_key key;
	int err, i;

	err = svcnet_nl_svc_key_tb(nest, tb, &key, extack);
	if (err)
		return err;
	if (txn->mode == SVCNET_TXN_SET) {
		cur = svcnet_service_lookup_rtnl(txn->sd, &key);
		if (!cur) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "no such service");
			return -ENOENT;
		}
	}
	s = txn->n_svc ? &txn->svc[txn->n_svc - 1] : NULL;
	if (s && !memcmp(&s->key, &key, sizeof(key))) {
		for (i = SVCNET_A_SVC_SCHED; i <= SVCNET_A_SVC_MAX; i++)
			if (tb[i] && i != SVCNET_A_SVC_BACKENDS) {
				NL_SET_ERR_MSG_ATTR(extack, tb[i],
						    "a service continued from the one before may only add backends");
				return -EINVAL;
			}
		return svcnet_nl_be_specs(txn, s, tb[SVCNET_A_SVC_BACKENDS],
					  extack);
	}
	if (txn->n_svc >= txn->max_svc) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "more services than the request counted");
		return -EINVAL;
	}
	s = &txn->svc[txn->n_svc++];
	s->key = key;
	s->attr = nest;
	s->be = &txn->be[txn->n_be];
	s->sched = cur ? cur->sched : SVCNET_SCHED_RR;
	s->maglev_size = cur ? cur->maglev_size : SVCNET_MAGLEV_DEFAULT_SIZE;
	s->policy = cur ? cur->policy : SVCNET_POLICY_CLUSTER;
	s->affinity_timeout = cur ? cur->affinity_timeout : 0;
	s->tls_offload = cur ? cur->tls_offload : true;
	if (tb[SVCNET_A_SVC_TLS_OFFLOAD])
		s->tls_offload = nla_get_u8(tb[SVCNET_A_SVC_TLS_OFFLOAD]);
	s->affinity_prefix = cur ? cur->affinity_prefix :
			     key.family == AF_INET ? 32 : 128;
	if (tb[SVCNET_A_SVC_SCHED])
		s->sched = nla_get_u8(tb[SVCNET_A_SVC_SCHED]);
	/* the default and a service's own size are valid */
	if (tb[SVCNET_A_SVC_MAGLEV_SIZE]) {
		s->maglev_size = nla_get_u32(tb[SVCNET_A_SVC_MAGLEV_SIZE]);
		if (!svcnet_maglev_size_valid(s->maglev_size)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCNET_A_SVC_MAGLEV_SIZE],
					    "Maglev table size must be prime");
			return -EINVAL;
		}
	}
	if (tb[SVCNET_A_SVC_POLICY])
		s->policy = nla_get_u8(tb[SVCNET_A_SVC_POLICY]);
	err = svcnet_nl_affinity(tb, key.family, &s->affinity_timeout,
				 &s->affinity_prefix, extack);
	if (err)
		return err;
	srcs = svcnet_nl_sources(tb[SVCNET_A_SVC_SOURCES], key.family, extack);
	if (IS_ERR(srcs))
		return PTR_ERR(srcs);
	s->set_sources = srcs || !cur;
	if (srcs && !srcs->n) {
		kfree(srcs);
		srcs = NULL;
	}
	s->sources = srcs;
	if (!tb[SVCNET_A_SVC_BACKENDS] && cur)
		return 0;
	return svcnet_nl_be_specs(txn, s, tb[SVCNET_A_SVC_BACKENDS], extack);
}

/* A SERVICE_* nest of a request, parsed once. */
struct svcnet_nl_svc_attrs {
	const struct nlattr *nest;
	struct nlattr *tb[SVCNET_A_SVC_MAX + 1];
};

/* Whether two parsed service nests name the same service key. */
static bool svcnet_nl_same_key(struct nlattr **a, struct nlattr **b)
{
	static const int types[] = {
		SVCNET_A_SVC_ADDR, SVCNET_A_SVC_PORT, SVCNET_A_SVC_PROTO,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		const struct nlattr *x = a[types[i]], *y = b[types[i]];

		if (!x || !y || nla_len(x) != nla_len(y) ||
		    memcmp(nla_data(x), nla_data(y), nla_len(x)))
			return false;
	}
	return true;
}

/*
 * Parse each SVCNET_A_SERVICE nest of @info once, into a new array *@out
 * of *@n_svc entries; *@n_be is the number of backend entries they hold.
 * The transaction's arrays are sized from this parse, and filled from it.
 */
static int svcnet_nl_parse_services(struct genl_info *info,
				    struct svcnet_nl_svc_attrs **out,
				    u32 *n_svc, u32 *n_be)
{
	const struct nlattr *attr, *entry;
	struct svcnet_nl_svc_attrs *a;
	u32 n = 0, i = 0, keys = 0;
	u64 be = 0;
	int rem, brem, err;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == SVCNET_A_SERVICE)
			n++;
	/* at most the message's length / 4: charged to the caller */
	a = kvcalloc(max(n, 1U), sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != SVCNET_A_SERVICE || i == n)
			continue;
		a[i].nest = attr;
		err = nla_parse_nested(a[i].tb, SVCNET_A_SVC_MAX, attr, NULL,
				       info->extack);
		if (err) {
			kvfree(a);
			return err;
		}
		if (a[i].tb[SVCNET_A_SVC_BACKENDS])
			nla_for_each_nested(entry, a[i].tb[SVCNET_A_SVC_BACKENDS],
					    brem)
				be++;
		/* a nest with the key of the one before continues it */
		if (!i || !svcnet_nl_same_key(a[i - 1].tb, a[i].tb))
			keys++;
		i++;
		if (keys > SVCNET_MAX_SERVICES) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "too many services on this device");
			kvfree(a);
			return -ENOSPC;
		}
	}
	*out = a;
	*n_svc = i;
	*n_be = min_t(u64, be, U32_MAX);
	return 0;
}

/*
 * SERVICE_NEW, SERVICE_SET and APPLY: parse the request into a
 * transaction, check the generation, prepare and commit.
 */
static int svcnet_nl_service_write(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *gen = info->attrs[SVCNET_A_GENERATION];
	u8 cmd = info->genlhdr->cmd;
	struct svcnet_nl_svc_attrs *attrs;
	struct svcnet_txn txn = {
		.mode = cmd == SVCNET_CMD_SERVICE_NEW ? SVCNET_TXN_NEW :
			cmd == SVCNET_CMD_SERVICE_SET ? SVCNET_TXN_SET :
			SVCNET_TXN_APPLY,
	};
	struct net_device *dev;
	u32 n_svc, n_be, i;
	int err;

	if (txn.mode != SVCNET_TXN_APPLY && !info->attrs[SVCNET_A_SERVICE]) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_SERVICE");
		return -EINVAL;
	}
	/* pre_doit refused a second SVCNET_A_SERVICE but in APPLY */
	err = svcnet_nl_parse_services(info, &attrs, &n_svc, &n_be);
	if (err)
		return err;
	txn.svc = kvcalloc(max(n_svc, 1U), sizeof(*txn.svc),
			   GFP_KERNEL_ACCOUNT);
	txn.be = kvmalloc_array(max(n_be, 1U), sizeof(*txn.be),
				GFP_KERNEL_ACCOUNT);
	if (!txn.svc || !txn.be) {
		err = -ENOMEM;
		goto out_free;
	}
	txn.max_svc = n_svc;
	txn.max_be = n_be;
	rtnl_lock();
	dev = svcnet_nl_get_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out;
	}
	dev_put(dev);
	txn.sd = netdev_priv(dev);
	if (gen && nla_get_u32(gen) != svcnet_pernet(dev_net(dev))->gen) {
		NL_SET_ERR_MSG_ATTR(info->extack, gen,
				    "the configuration changed since this generation");
		err = -ESTALE;
		goto out;
	}
	for (i = 0; i < n_svc; i++) {
		err = svcnet_nl_svc_spec(&txn, attrs[i].nest, attrs[i].tb,
					 info->extack);
		if (err)
			goto out;
	}
	err = svcnet_txn_prepare(&txn, info->extack);
	if (!err)
		svcnet_txn_commit(&txn);
out:
	svcnet_txn_free(&txn);
	rtnl_unlock();
	kvfree(attrs);
	return err;

out_free:
	kvfree(txn.svc);
	kvfree(txn.be);
	kvfree(attrs);
	return err;
}

static int svcnet_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SVCNET_A_SVC_MAX + 1];
	struct svcnet_service *svc;
	struct svcnet_dev *sd;
	int err = 0;

	rtnl_lock();
	svc = svcnet_nl_get_service(info, tb, &sd);
	if (IS_ERR(svc))
		err = PTR_ERR(svc);
	else
		svcnet_service_del(svc);
	rtnl_unlock();
	return err;
}

static int svcnet_nl_put_lbstats(struct sk_buff *skb, int type,
				 struct svcnet_pcpu_lbstats __percpu *pcpu,
				 u32 active)
{
	struct svcnet_lbstats s;
	struct nlattr *nest;

	svcnet_lbstats_read(pcpu, &s);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SVCNET_A_LB_STATS_CONNS, s.conns,
			      SVCNET_A_LB_STATS_PAD) ||
	    nla_put_u32(skb, SVCNET_A_LB_STATS_ACTIVE, active) ||
	    nla_put_u64_64bit(skb, SVCNET_A_LB_STATS_PKTS_IN, s.pkts_in,
			      SVCNET_A_LB_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_LB_STATS_BYTES_IN, s.bytes_in,
			      SVCNET_A_LB_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_LB_STATS_PKTS_OUT, s.pkts_out,
			      SVCNET_A_LB_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SVCNET_A_LB_STATS_BYTES_OUT, s.bytes_out,
			      SVCNET_A_LB_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The most svcnet_nl_put_lbstats() puts (u64s with room for their pad). */
static size_t svcnet_nl_lbstats_size(void)
{
	return nla_total_size(0) + 5 * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(sizeof(u32));
}

/* The most svcnet_nl_put_backend() puts. */
static size_t svcnet_nl_backend_size(void)
{
	return nla_total_size(0) + nla_total_size(sizeof(struct in6_addr)) +
	       2 * nla_total_size(sizeof(u16)) + nla_total_size(sizeof(u8)) +
	       nla_total_size(sizeof(u32)) + svcnet_nl_lbstats_size();
}

static int svcnet_nl_put_backend(struct sk_buff *skb,
				 const struct svcnet_service *svc,
				 struct svcnet_backend *be)
{
	struct nlattr *nest = nla_nest_start(skb, 0);

	if (!nest)
		return -EMSGSIZE;
	if (svcnet_nl_put_addr(skb, SVCNET_A_BE_ADDR, svc->key.family,
			       &be->addr) ||
	    nla_put_u16(skb, SVCNET_A_BE_PORT, ntohs(be->port)) ||
	    nla_put_u16(skb, SVCNET_A_BE_WEIGHT, be->weight) ||
	    nla_put_u8(skb, SVCNET_A_BE_LOCAL, be->local) ||
	    (be->draining &&
	     nla_put_u32(skb, SVCNET_A_BE_DRAIN,
			 time_after(be->drain_deadline, jiffies) ?
			 DIV_ROUND_UP(be->drain_deadline - jiffies, HZ) : 0)) ||
	    svcnet_nl_put_lbstats(skb, SVCNET_A_BE_STATS, be->stats,
				  atomic_read(&be->active))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int svcnet_nl_put_sources(struct sk_buff *skb,
				 const struct svcnet_service *svc)
{
	const struct svcnet_sources *s = rtnl_dereference(svc->sources);
	struct nlattr *nest, *entry;
	u32 i;

	if (!s)
		return 0;
	nest = nla_nest_start(skb, SVCNET_A_SVC_SOURCES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < s->n; i++) {
		entry = nla_nest_start(skb, 0);
		if (!entry ||
		    svcnet_nl_put_addr(skb, SVCNET_A_SRC_ADDR, svc->key.family,
				       &s->p[i].addr) ||
		    nla_put_u8(skb, SVCNET_A_SRC_PREFIX, s->p[i].prefix)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One message for @svc holding its backends from *@next on, at most @max
 * of them. Returns 0 when every backend was put, 1 when the message is full
 * (*@next tells where to go on), -EMSGSIZE when not even the service fits.
 */
static int svcnet_nl_fill_service(struct sk_buff *skb,
				  struct svcnet_service *svc, u32 portid,
				  u32 seq, int flags, u32 gen,
				  struct netlink_callback *cb, u32 *next,
				  u32 max)
{
	struct net_device *dev = svc->sd->dev;
	struct nlattr *nest, *bes;
	struct svcnet_backend *be;
	u32 idx = 0, put = 0;
	int ret = 0;
	void *hdr;

	ASSERT_RTNL();
	hdr = genlmsg_put(skb, portid, seq, &svcnet_family, flags,
			  SVCNET_CMD_SERVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SVCNET_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, SVCNET_A_GENERATION, gen))
		goto err_cancel;
	nest = nla_nest_start(skb, SVCNET_A_SERVICE);
	if (!nest)
		goto err_cancel;
	if (svcnet_nl_put_addr(skb, SVCNET_A_SVC_ADDR, svc->key.family,
			       &svc->key.addr) ||
	    nla_put_u16(skb, SVCNET_A_SVC_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, SVCNET_A_SVC_PROTO, svc->key.proto) ||
	    nla_put_u8(skb, SVCNET_A_SVC_SCHED, svc->sched) ||
	    nla_put_u32(skb, SVCNET_A_SVC_MAGLEV_SIZE, svc->maglev_size) ||
	    nla_put_u32(skb, SVCNET_A_SVC_AFFINITY, svc->affinity_timeout) ||
	    nla_put_u8(skb, SVCNET_A_SVC_AFFINITY_PREFIX, svc->affinity_prefix) ||
	    nla_put_u8(skb, SVCNET_A_SVC_POLICY, svc->policy) ||
	    nla_put_u8(skb, SVCNET_A_SVC_TLS_OFFLOAD, svc->tls_offload) ||
	    svcnet_nl_put_tls_stats(skb, SVCNET_A_SVC_TLS_STATS, &svc->tls) ||
	    svcnet_nl_put_sources(skb, svc) ||
	    svcnet_nl_put_lbstats(skb, SVCNET_A_SVC_STATS, svc->stats,
				  atomic_read(&svc->active)))
		goto err_cancel;
	bes = nla_nest_start(skb, SVCNET_A_SVC_BACKENDS);
	if (!bes)
		goto err_cancel;
	list_for_each_entry(be, &svc->backends, list) {
		if (idx++ < *next)
			continue;
		if (put == max || svcnet_nl_put_backend(skb, svc, be)) {
			ret = 1;
			break;
		}
		put++;
		(*next)++;
	}
	/* a dump message must make progress: some backend, or the service */
	if (ret && !put && *next)
		goto err_cancel;
	nla_nest_end(skb, bes);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return ret;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int svcnet_nl_service_get_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr *tb[SVCNET_A_SVC_MAX + 1];
	struct svcnet_service *svc;
	struct svcnet_dev *sd;
	struct sk_buff *msg;
	u32 next = 0;
	int err;

	/* the service with its sources, and the first backends promised */
	msg = genlmsg_new(NLMSG_GOODSIZE +
			  SVCNET_MAX_BACKENDS_DO * svcnet_nl_backend_size(),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	svc = svcnet_nl_get_service(info, tb, &sd);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto err_unlock;
	}
	err = svcnet_nl_fill_service(msg, svc, info->snd_portid, info->snd_seq,
				     0, svcnet_pernet(genl_info_net(info))->gen,
				     NULL, &next, SVCNET_MAX_BACKENDS_DO);
	if (err < 0)
		goto err_unlock;
	rtnl_unlock();
	return genlmsg_reply(msg, info);

err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

/*
 * Where a SERVICE_GET dump goes on, in cb->ctx (cb->args[5] is the filter
 * check's): found again by key, so a pass costs what it puts, not what
 * came before it.
 */
struct svcnet_nl_svc_dump {
	struct svcnet_svc_key key;	/* the service to go on with */
	int ifindex;			/* its device; 0: the first device */
	int only;			/* the device filter's ifindex, or 0 */
	u32 be_next;			/* its backends sent already */
	bool done;
};

static int svcnet_nl_service_get_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	struct svcnet_nl_svc_dump *ctx = (struct svcnet_nl_svc_dump *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	struct svcnet_net *sn = svcnet_pernet(net);
	struct svcnet_service *svc = NULL;
	struct svcnet_dev *sd = NULL, *it;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->args) - sizeof(cb->args[5]));
	err = svcnet_nl_dump_first(cb, &ctx->only);
	if (err)
		return err;
	if (ctx->done)
		return 0;
	rtnl_lock();
	cb->seq = sn->gen;
	if (ctx->ifindex) {
		list_for_each_entry(it, &sn->devs, list)
			if (it->dev->ifindex == ctx->ifindex)
				sd = it;
		/* gone: the generation changed, the dump ends flagged */
		if (!sd)
			goto done;
		svc = svcnet_service_lookup_rtnl(sd, &ctx->key);
		if (!svc) {
			/* deleted meanwhile (flagged too): this device again */
			ctx->be_next = 0;
		}
	} else {
		sd = list_first_entry(&sn->devs, struct svcnet_dev, list);
	}
	list_for_each_entry_from(sd, &sn->devs, list) {
		if (ctx->only && sd->dev->ifindex != ctx->only) {
			svc = NULL;
			continue;
		}
		if (!svc)
			svc = list_first_entry(&sd->service_list,
					       struct svcnet_service, list);
		list_for_each_entry_from(svc, &sd->service_list, list) {
			err = svcnet_nl_fill_service(skb, svc,
						     NETLINK_CB(cb->skb).portid,
						     cb->nlh->nlmsg_seq,
						     NLM_F_MULTI, sn->gen, cb,
						     &ctx->be_next, U32_MAX);
			if (err) {
				ctx->ifindex = sd->dev->ifindex;
				ctx->key = svc->key;
				goto out;
			}
			ctx->be_next = 0;
		}
		svc = NULL;
	}
done:
	ctx->done = true;
out:
	rtnl_unlock();
	if (err == 1 || (err == -EMSGSIZE && skb->len))
		err = 0;
	return err ?: skb->len;
}

static int svcnet_nl_get_backend(struct genl_info *info,
				 struct svcnet_service *svc,
				 struct nlattr **tb, union nf_inet_addr *addr,
				 __be16 *port)
{
	struct nlattr *nest = info->attrs[SVCNET_A_BACKEND];

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_BACKEND");
		return -EINVAL;
	}
	return svcnet_nl_be_key(nest, svc->key.family, tb, addr, port,
				info->extack);
}

static int svcnet_nl_put_svc_key(struct sk_buff *skb,
				 const struct svcnet_service *svc)
{
	struct nlattr *nest = nla_nest_start(skb, SVCNET_A_SERVICE);

	if (!nest ||
	    svcnet_nl_put_addr(skb, SVCNET_A_SVC_ADDR, svc->key.family,
			       &svc->key.addr) ||
	    nla_put_u16(skb, SVCNET_A_SVC_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, SVCNET_A_SVC_PROTO, svc->key.proto) ||
	    nla_put_u8(skb, SVCNET_A_SVC_SCHED, svc->sched) ||
	    nla_put_u32(skb, SVCNET_A_SVC_MAGLEV_SIZE, svc->maglev_size))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int svcnet_nl_put_be_event(struct sk_buff *skb,
				  const struct svcnet_service *svc,
				  const struct svcnet_backend *be)
{
	struct nlattr *nest = nla_nest_start(skb, SVCNET_A_BACKEND);

	if (!nest ||
	    svcnet_nl_put_addr(skb, SVCNET_A_BE_ADDR, svc->key.family,
			       &be->addr) ||
	    nla_put_u16(skb, SVCNET_A_BE_PORT, ntohs(be->port)) ||
	    nla_put_u16(skb, SVCNET_A_BE_WEIGHT, be->weight) ||
	    (be->draining && !be->removed &&
	     nla_put_u32(skb, SVCNET_A_BE_DRAIN,
			 DIV_ROUND_UP(max_t(long, 0, (long)(be->drain_deadline -
							    jiffies)), HZ))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void svcnet_nl_notify(u8 cmd, struct svcnet_dev *sd,
		      struct svcnet_service *svc, struct svcnet_backend *be,
		      long purged)
{
	struct net *net = sd ? dev_net(sd->dev) : NULL;
	struct sk_buff *skb;
	void *hdr;

	ASSERT_RTNL();
	if (!net || !genl_has_listeners(&svcnet_family, net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &svcnet_family, 0, cmd);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, sd->dev->ifindex) ||
	    nla_put_string(skb, SVCNET_A_IFNAME, sd->dev->name) ||
	    nla_put_u32(skb, SVCNET_A_GENERATION, svcnet_pernet(net)->gen) ||
	    (svc && svcnet_nl_put_svc_key(skb, svc)) ||
	    (be && svcnet_nl_put_be_event(skb, svc, be)) ||
	    (purged >= 0 && nla_put_u32(skb, SVCNET_A_PURGED, purged)))
		goto err_free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&svcnet_family, net, skb, 0, 0, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(skb);
}

/* A flush of every device has no device to name: notify with @net. */
static void svcnet_nl_notify_flush(struct net *net, struct svcnet_dev *sd,
				   struct svcnet_service *svc,
				   unsigned int purged)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&svcnet_family, net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &svcnet_family, 0, SVCNET_CMD_FLOW_FLUSH);
	if (!hdr)
		goto err_free;
	if ((sd && (nla_put_u32(skb, SVCNET_A_IFINDEX, sd->dev->ifindex) ||
		    nla_put_string(skb, SVCNET_A_IFNAME, sd->dev->name))) ||
	    (svc && svcnet_nl_put_svc_key(skb, svc)) ||
	    nla_put_u32(skb, SVCNET_A_PURGED, purged))
		goto err_free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&svcnet_family, net, skb, 0, 0, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(skb);
}

static int svcnet_nl_backend(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *svc_tb[SVCNET_A_SVC_MAX + 1];
	struct nlattr *tb[SVCNET_A_BE_MAX + 1];
	u8 cmd = info->genlhdr->cmd;
	struct svcnet_service *svc;
	struct svcnet_backend *be;
	union nf_inet_addr addr;
	struct svcnet_dev *sd;
	__be16 port;
	int err;

	rtnl_lock();
	svc = svcnet_nl_get_service(info, svc_tb, &sd);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = svcnet_nl_get_backend(info, svc, tb, &addr, &port);
	if (err)
		goto out;
	if (cmd == SVCNET_CMD_BACKEND_NEW) {
		err = svcnet_backend_add(svc, &addr, port,
					 tb[SVCNET_A_BE_WEIGHT] ?
					 nla_get_u16(tb[SVCNET_A_BE_WEIGHT]) : 1,
					 tb[SVCNET_A_BE_LOCAL] &&
					 nla_get_u8(tb[SVCNET_A_BE_LOCAL]),
					 info->extack);
		goto out;
	}
	be = svcnet_backend_find(svc, &addr, port);
	if (!be) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SVCNET_A_BACKEND],
				    "no such backend");
		err = -ENOENT;
		goto out;
	}
	if (cmd == SVCNET_CMD_BACKEND_DEL) {
		err = svcnet_backend_del(be, info->extack);
	} else if (tb[SVCNET_A_BE_DRAIN] && tb[SVCNET_A_BE_WEIGHT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_BE_DRAIN],
				    "give SVCNET_A_BE_WEIGHT or SVCNET_A_BE_DRAIN, not both");
		err = -EINVAL;
	} else if (tb[SVCNET_A_BE_DRAIN]) {
		err = svcnet_backend_drain(be, nla_get_u32(tb[SVCNET_A_BE_DRAIN]),
					   info->extack);
	} else if (tb[SVCNET_A_BE_LOCAL] && !tb[SVCNET_A_BE_WEIGHT]) {
		err = svcnet_backend_set_local(be,
					       nla_get_u8(tb[SVCNET_A_BE_LOCAL]));
	} else if (tb[SVCNET_A_BE_LOCAL]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_BE_LOCAL],
				    "change SVCNET_A_BE_LOCAL on its own");
		err = -EINVAL;
	} else if (!tb[SVCNET_A_BE_WEIGHT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SVCNET_A_BACKEND],
				    "missing SVCNET_A_BE_WEIGHT or SVCNET_A_BE_DRAIN");
		err = -EINVAL;
	} else {
		err = svcnet_backend_set(be, nla_get_u16(tb[SVCNET_A_BE_WEIGHT]),
					 info->extack);
	}
out:
	rtnl_unlock();
	return err;
}

static int svcnet_nl_fill_flow(struct sk_buff *skb, struct svcnet_flow *f,
			       u32 portid, u32 seq)
{
	struct svcnet_tuple fwd, rev;
	struct nlattr *nest;
	u8 family;
	void *hdr;

	svcnet_flow_tuples(f, &fwd, &rev);
	family = fwd.family;
	hdr = genlmsg_put(skb, portid, seq, &svcnet_family, NLM_F_MULTI,
			  SVCNET_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, f->be->svc->sd->dev->ifindex))
		goto err_cancel;
	nest = nla_nest_start(skb, SVCNET_A_FLOW);
	if (!nest)
		goto err_cancel;
	if (nla_put_u8(skb, SVCNET_A_FLOW_PROTO, fwd.proto) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_CLIENT_ADDR, family,
			       &fwd.saddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_CLIENT_PORT, ntohs(fwd.sport)) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_SVC_ADDR, family,
			       &fwd.daddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_SVC_PORT, ntohs(fwd.dport)) ||
	    svcnet_nl_put_addr(skb, SVCNET_A_FLOW_BE_ADDR, family,
			       &rev.saddr) ||
	    nla_put_u16(skb, SVCNET_A_FLOW_BE_PORT, ntohs(rev.sport)) ||
	    nla_put_u8(skb, SVCNET_A_FLOW_STATE, READ_ONCE(f->state)) ||
	    nla_put_u32(skb, SVCNET_A_FLOW_EXPIRES,
			svcnet_flow_expires_ms(f)) ||
	    (f->snat &&
	     (svcnet_nl_put_addr(skb, SVCNET_A_FLOW_SNAT_ADDR, family,
				 &rev.daddr) ||
	      nla_put_u16(skb, SVCNET_A_FLOW_SNAT_PORT, ntohs(rev.dport)))) ||
	    ((READ_ONCE(f->flags) & SVCNET_FLOW_F_ASSURED) &&
	     nla_put_flag(skb, SVCNET_A_FLOW_ASSURED)))
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * cb->args: [0] the walker, [1] the device filter's ifindex or 0 (found at
 * the first pass, where an error can still carry its message)
 */
static int svcnet_nl_flow_get_start(struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	struct rhashtable_iter *iter;

	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhltable_walk_enter(&svcnet_pernet(net)->flows, iter);
	cb->args[0] = (long)iter;
	return 0;
}

static int svcnet_nl_flow_get_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

static int svcnet_nl_flow_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];
	struct svcnet_flow *f;
	int err = 0, only = 0;

	err = svcnet_nl_dump_first(cb, &only);
	if (err)
		return err;
	if (only)
		cb->args[1] = only;
	rhashtable_walk_start(iter);
	/* the flow that did not fit last time comes first */
	for (f = rhashtable_walk_peek(iter); f; f = rhashtable_walk_next(iter)) {
		if (IS_ERR(f)) {
			if (PTR_ERR(f) == -EAGAIN)
				continue;
			err = PTR_ERR(f);
			break;
		}
		/* a retired flow's device may be gone */
		if (!svcnet_flow_live(f))
			continue;
		if (cb->args[1] && f->be->svc->sd->dev->ifindex != cb->args[1])
			continue;
		err = svcnet_nl_fill_flow(skb, f, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq);
		if (err)
			break;
	}
	rhashtable_walk_stop(iter);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

static int svcnet_nl_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[SVCNET_A_FLOW];
	struct nlattr *tb[SVCNET_A_FLOW_MAX + 1];
	struct svcnet_tuple t = {};
	struct svcnet_flow *f;
	u8 family2;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_FLOW");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCNET_A_FLOW_MAX, nest, svcnet_flow_policy,
			       info->extack);
	if (err)
		return err;
	if (!SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_PROTO) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb,
			       SVCNET_A_FLOW_CLIENT_ADDR) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb,
			       SVCNET_A_FLOW_CLIENT_PORT) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_SVC_ADDR) ||
	    !SVCNET_NL_REQUIRE(info->extack, nest, tb, SVCNET_A_FLOW_SVC_PORT))
		return -EINVAL;
	svcnet_nl_get_addr(tb[SVCNET_A_FLOW_CLIENT_ADDR], &t.family, &t.saddr);
	svcnet_nl_get_addr(tb[SVCNET_A_FLOW_SVC_ADDR], &family2, &t.daddr);
	if (family2 != t.family) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_FLOW_SVC_ADDR],
				    "client and service address families differ");
		return -EINVAL;
	}
	t.proto = nla_get_u8(tb[SVCNET_A_FLOW_PROTO]);
	t.sport = htons(nla_get_u16(tb[SVCNET_A_FLOW_CLIENT_PORT]));
	t.dport = htons(nla_get_u16(tb[SVCNET_A_FLOW_SVC_PORT]));
	rcu_read_lock();
	f = svcnet_flow_lookup_fwd(sn, &t);
	if (f)
		svcnet_flow_remove(sn, f);
	rcu_read_unlock();
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "no such flow");
		return -ENOENT;
	}
	return 0;
}

static int svcnet_nl_flow_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *tb[SVCNET_A_SVC_MAX + 1];
	struct svcnet_service *svc = NULL;
	struct svcnet_dev *sd = NULL;
	struct net_device *dev;
	unsigned int purged;

	rtnl_lock();
	if (info->attrs[SVCNET_A_SERVICE]) {
		svc = svcnet_nl_get_service(info, tb, &sd);
		if (IS_ERR(svc)) {
			rtnl_unlock();
			return PTR_ERR(svc);
		}
	} else if (info->attrs[SVCNET_A_IFINDEX] ||
		   info->attrs[SVCNET_A_IFNAME]) {
		dev = svcnet_nl_get_dev(net, info->attrs, info->extack);
		if (IS_ERR(dev)) {
			rtnl_unlock();
			return PTR_ERR(dev);
		}
		dev_put(dev);
		sd = netdev_priv(dev);
	}
	/* RTNL keeps the service and the device */
	purged = svcnet_flow_flush(svcnet_pernet(net), sd, svc);
	svcnet_nl_notify_flush(net, sd, svc, purged);
	rtnl_unlock();
	return 0;
}

static const u8 svcnet_cfg_timeouts[][2] = {
	{ SVCNET_A_CFG_TIMEOUT_TCP_SYN, SVCNET_FLOW_TCP_SYN },
	{ SVCNET_A_CFG_TIMEOUT_TCP_EST, SVCNET_FLOW_TCP_EST },
	{ SVCNET_A_CFG_TIMEOUT_TCP_FIN, SVCNET_FLOW_TCP_FIN },
	{ SVCNET_A_CFG_TIMEOUT_TCP_CLOSE, SVCNET_FLOW_TCP_CLOSE },
	{ SVCNET_A_CFG_TIMEOUT_UDP, SVCNET_FLOW_UDP },
};

static int svcnet_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcnet_family, 0,
				SVCNET_CMD_CONFIG_GET);
	if (!hdr)
		goto err_free;
	nest = nla_nest_start(msg, SVCNET_A_CONFIG);
	if (!nest)
		goto err_free;
	if (nla_put_u32(msg, SVCNET_A_CFG_FLOW_MAX, READ_ONCE(sn->cfg.flow_max)) ||
	    nla_put_u32(msg, SVCNET_A_CFG_FLOW_COUNT,
			svcnet_flow_count(sn)) ||
	    nla_put_u32(msg, SVCNET_A_CFG_AFFINITY_COUNT,
			atomic_read(&sn->affinity_count)) ||
	    nla_put_u64_64bit(msg, SVCNET_A_CFG_FLOWS_EVICTED,
			      atomic64_read(&sn->flows_evicted),
			      SVCNET_A_CFG_UNSPEC))
		goto err_free;
	for (i = 0; i < ARRAY_SIZE(svcnet_cfg_timeouts); i++)
		if (nla_put_u32(msg, svcnet_cfg_timeouts[i][0],
				READ_ONCE(sn->cfg.timeout[svcnet_cfg_timeouts[i][1]])))
			goto err_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int svcnet_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnet_net *sn = svcnet_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[SVCNET_A_CONFIG];
	struct nlattr *tb[SVCNET_A_CFG_MAX + 1];
	int err, i;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SVCNET_A_CONFIG");
		return -EINVAL;
	}
	/* every attribute is checked before anything changes */
	err = nla_parse_nested(tb, SVCNET_A_CFG_MAX, nest, svcnet_cfg_policy,
			       info->extack);
	if (err)
		return err;
	rtnl_lock();
	if (tb[SVCNET_A_CFG_FLOW_MAX])
		WRITE_ONCE(sn->cfg.flow_max,
			   nla_get_u32(tb[SVCNET_A_CFG_FLOW_MAX]));
	for (i = 0; i < ARRAY_SIZE(svcnet_cfg_timeouts); i++)
		if (tb[svcnet_cfg_timeouts[i][0]])
			WRITE_ONCE(sn->cfg.timeout[svcnet_cfg_timeouts[i][1]],
				   nla_get_u32(tb[svcnet_cfg_timeouts[i][0]]));
	svcnet_net_changed(sn);
	rtnl_unlock();
	return 0;
}

static const struct genl_ops svcnet_nl_ops[] = {
	{
		.cmd = SVCNET_CMD_DEV_GET,
		.doit = svcnet_nl_dev_get_doit,
		.dumpit = svcnet_nl_dev_get_dumpit,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_NEW,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_SET,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_DEL,
		.doit = svcnet_nl_service_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_SERVICE_GET,
		.doit = svcnet_nl_service_get_doit,
		.dumpit = svcnet_nl_service_get_dumpit,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_NEW,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_SET,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_BACKEND_DEL,
		.doit = svcnet_nl_backend,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_GET,
		.start = svcnet_nl_flow_get_start,
		.dumpit = svcnet_nl_flow_get_dumpit,
		.done = svcnet_nl_flow_get_done,
		/* flows show who talks to whom: as conntrack's */
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_DEL,
		.doit = svcnet_nl_flow_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_FLOW_FLUSH,
		.doit = svcnet_nl_flow_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_CONFIG_GET,
		.doit = svcnet_nl_config_get,
	},
	{
		.cmd = SVCNET_CMD_CONFIG_SET,
		.doit = svcnet_nl_config_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCNET_CMD_APPLY,
		.doit = svcnet_nl_service_write,
		.policy = svcnet_nl_write_policy,
		.maxattr = SVCNET_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group svcnet_nl_mcgrps[] = {
	{ .name = SVCNET_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family svcnet_family __ro_after_init = {
	.name = SVCNET_GENL_NAME,
	.version = SVCNET_GENL_VERSION,
	.maxattr = SVCNET_A_MAX,
	.policy = svcnet_nl_policy,
	.pre_doit = svcnet_nl_pre_doit,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = svcnet_nl_ops,
	.n_ops = ARRAY_SIZE(svcnet_nl_ops),
	.mcgrps = svcnet_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(svcnet_nl_mcgrps),
	.resv_start_op = 0,
};

int __init svcnet_genl_init(void)
{
	return genl_register_family(&svcnet_family);
}

void svcnet_genl_uninit(void)
{
	genl_unregister_family(&svcnet_family);
}
