// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: services and their backends as replies and dumps.
 */

#include <linux/netdevice.h>
#include <net/sock.h>

#include "netlink.h"

/* @be's flows whose connection is closing */
static u32 svcnet_backend_closing(const struct svcnet_backend *be)
{
	int n = svcnet_backend_flows(be) - atomic_read(&be->open);

	return n > 0 ? n : 0;
}

static int svcnet_nl_put_lbstats(struct sk_buff *skb, int type,
				 struct svcnet_pcpu_lbstats __percpu *pcpu,
				 u32 active, u32 closing)
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
	    nla_put_u32(skb, SVCNET_A_LB_STATS_CLOSING, min(closing, active)) ||
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
	       2 * nla_total_size(sizeof(u32));
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
	     nla_put_u32(skb, SVCNET_A_BE_DRAIN, svcnet_drain_left(be))) ||
	    svcnet_nl_put_lbstats(skb, SVCNET_A_BE_STATS, be->stats,
				  svcnet_backend_flows(be),
				  svcnet_backend_closing(be))) {
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

/* The flows of @svc's backends whose connection is closing; RTNL. */
static u32 svcnet_service_closing(const struct svcnet_service *svc)
{
	const struct svcnet_backend *be;
	u32 n = 0;

	ASSERT_RTNL();
	list_for_each_entry(be, &svc->backends, list)
		if (!READ_ONCE(be->removed))
			n += svcnet_backend_closing(be);
	return n;
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
	hdr = genlmsg_put(skb, portid, seq, &svcnet_nl_family, flags,
			  SVCNET_CMD_SERVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (svcnet_nl_put_dev(skb, dev) ||
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
	    nla_put_u8(skb, SVCNET_A_SVC_FORWARD, READ_ONCE(svc->forward)) ||
	    nla_put_u8(skb, SVCNET_A_SVC_TLS_OFFLOAD, svc->tls_offload) ||
	    svcnet_nl_put_tls_stats(skb, SVCNET_A_SVC_TLS_STATS, &svc->tls) ||
	    svcnet_nl_put_sources(skb, svc) ||
	    svcnet_nl_put_lbstats(skb, SVCNET_A_SVC_STATS, svc->stats,
				  max(atomic_read(&svc->active), 0),
				  svcnet_service_closing(svc)))
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

int svcnet_nl_service_get_doit(struct sk_buff *skb, struct genl_info *info)
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

int svcnet_nl_service_get_dumpit(struct sk_buff *skb,
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
