// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: what the netlink handlers share: the device and service a request
 * names, addresses both ways, the first pass of a dump, common puts.
 */

#include <linux/netdevice.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "netlink.h"

/*
 * Find the device named by SVCNET_A_IFINDEX or SVCNET_A_IFNAME in @net.
 * Returns it with a reference held, or an ERR_PTR.
 */
struct net_device *svcnet_nl_get_dev(struct net *net, struct nlattr **attrs,
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

/*
 * A dump's first pass: no duplicated attribute anywhere in its filter,
 * and, with @only, the ifindex of the device it names (0: none). Done
 * here, not in .start: 6.1 reports .start's extack message nowhere (a
 * dump's error carries the message, never the offset). cb->args[5] says
 * the first pass is over.
 */
int svcnet_nl_dump_first(struct netlink_callback *cb, int *only)
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

/* Addresses are 4 or 16 bytes, as validated by the policy. */
void svcnet_nl_get_addr(const struct nlattr *attr, u8 *family,
			union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, sizeof(*addr));
	*family = nla_len(attr) == sizeof(struct in_addr) ? AF_INET : AF_INET6;
}

/*
 * Whether @addr of @family is one a service or a backend may have: not
 * unspecified nor multicast, nor IPv4's limited broadcast or "this network"
 * (0.0.0.0/8), nor IPv6 link-local (svc0 never balances those) or an
 * IPv4-mapped IPv6 address. If not, the extended ack names @attr.
 */
bool svcnet_nl_addr_unicast(const struct nlattr *attr, u8 family,
			    const union nf_inet_addr *addr,
			    struct netlink_ext_ack *extack)
{
	bool ok;

	if (family == AF_INET)
		ok = !ipv4_is_multicast(addr->ip) && !ipv4_is_lbcast(addr->ip) &&
		     !ipv4_is_zeronet(addr->ip);
	else
		ok = !(ipv6_addr_type(&addr->in6) &
		       (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL |
			IPV6_ADDR_MAPPED)) &&
		     !ipv6_addr_any(&addr->in6);
	if (!ok)
		NL_SET_ERR_MSG_ATTR(extack, attr, "not a unicast address");
	return ok;
}

int svcnet_nl_put_addr(struct sk_buff *skb, int type, u8 family,
		       const union nf_inet_addr *addr)
{
	return nla_put(skb, type, family == AF_INET ? sizeof(struct in_addr) :
				  sizeof(struct in6_addr), addr);
}

/* The device a message is about: its index and name. */
int svcnet_nl_put_dev(struct sk_buff *skb, const struct net_device *dev)
{
	if (nla_put_u32(skb, SVCNET_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SVCNET_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

/* The service key of a parsed SVCNET_A_SERVICE nest. */
int svcnet_nl_svc_key_tb(const struct nlattr *nest, struct nlattr **tb,
			 struct svcnet_svc_key *key,
			 struct netlink_ext_ack *extack)
{
	if (!SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_ADDR) ||
	    !SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_PORT) ||
	    !SVCNET_NL_REQUIRE(extack, nest, tb, SVCNET_A_SVC_PROTO))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	svcnet_nl_get_addr(tb[SVCNET_A_SVC_ADDR], &key->family, &key->addr);
	if (!svcnet_nl_addr_unicast(tb[SVCNET_A_SVC_ADDR], key->family,
				    &key->addr, extack))
		return -EINVAL;
	key->port = htons(nla_get_u16(tb[SVCNET_A_SVC_PORT]));
	key->proto = nla_get_u8(tb[SVCNET_A_SVC_PROTO]);
	return 0;
}

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

/* The device and service of a request; under RTNL. */
struct svcnet_service *svcnet_nl_get_service(struct genl_info *info,
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

int svcnet_nl_put_tls_stats(struct sk_buff *skb, int type,
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
