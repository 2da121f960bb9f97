/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: the generic netlink family's files, a section each. netlink.c
 * holds the family and its operations, which call the handlers of the
 * nl_*.c files; these use nl_common.c and nl_policy.c, never each other
 * (but nl_flow.c, which sends the flush event of nl_event.c).
 */
#ifndef _SVCNET_NETLINK_H
#define _SVCNET_NETLINK_H

#include <net/genetlink.h>

#include "svcnet.h"

/* netlink.c */
extern struct genl_family svcnet_nl_family;

/* nl_policy.c */
extern const struct nla_policy svcnet_nl_policy[SVCNET_A_MAX + 1];
extern const struct nla_policy svcnet_nl_write_policy[SVCNET_A_MAX + 1];
extern const struct nla_policy svcnet_nl_dev_set_policy[SVCNET_A_MAX + 1];
extern const struct nla_policy svcnet_nl_flow_policy[SVCNET_A_FLOW_MAX + 1];
extern const struct nla_policy svcnet_nl_cfg_policy[SVCNET_A_CFG_MAX + 1];
int svcnet_nl_check_dups(const struct nlattr *head, int len,
			 const struct nla_policy *policy, int maxtype,
			 int multi, struct netlink_ext_ack *extack);

/* nl_common.c */
#define SVCNET_NL_REQUIRE(extack, nest, tb, type)			\
	({								\
		bool __ok = !!(tb)[type];				\
		if (!__ok)						\
			NL_SET_ERR_MSG_ATTR(extack, nest,		\
					    "missing " #type);		\
		__ok;							\
	})

struct net_device *svcnet_nl_get_dev(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack);
int svcnet_nl_dump_first(struct netlink_callback *cb, int *only);
void svcnet_nl_get_addr(const struct nlattr *attr, u8 *family,
			union nf_inet_addr *addr);
bool svcnet_nl_addr_unicast(const struct nlattr *attr, u8 family,
			    const union nf_inet_addr *addr,
			    struct netlink_ext_ack *extack);
int svcnet_nl_put_addr(struct sk_buff *skb, int type, u8 family,
		       const union nf_inet_addr *addr);
int svcnet_nl_put_dev(struct sk_buff *skb, const struct net_device *dev);
int svcnet_nl_svc_key_tb(const struct nlattr *nest, struct nlattr **tb,
			 struct svcnet_svc_key *key,
			 struct netlink_ext_ack *extack);
struct svcnet_service *svcnet_nl_get_service(struct genl_info *info,
					     struct nlattr **tb,
					     struct svcnet_dev **sdp);
int svcnet_nl_put_tls_stats(struct sk_buff *skb, int type,
			    struct svcnet_tls_counters *c);

/* nl_svc_req.c */
int svcnet_nl_service_write(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_service_del(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_backend(struct sk_buff *skb, struct genl_info *info);

/* nl_svc_get.c */
int svcnet_nl_service_get_doit(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_service_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);

/* nl_flow.c */
int svcnet_nl_flow_get_start(struct netlink_callback *cb);
int svcnet_nl_flow_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int svcnet_nl_flow_get_done(struct netlink_callback *cb);
int svcnet_nl_flow_del(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_flow_flush(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_config_get(struct sk_buff *skb, struct genl_info *info);
int svcnet_nl_config_set(struct sk_buff *skb, struct genl_info *info);

/* nl_event.c (svcnet_nl_notify: svcnet.h) */
void svcnet_nl_notify_flush(struct net *net, struct svcnet_dev *sd,
			    struct svcnet_service *svc, unsigned int purged);

#endif
