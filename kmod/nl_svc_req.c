// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the requests that change services and backends, each parsed once
 * into what the service and transaction code carry out.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/ipv6.h>

#include "sched_maglev.h"

#include "netlink.h"

/*
 * The nests below (SVCNET_A_SERVICE, SVCNET_A_BACKEND, their backends and
 * sources) are parsed without a policy: genetlink validated the whole
 * request, nested attributes included, against the operation's policy
 * (svcnet_nl_policy or svcnet_nl_write_policy) before calling the handler.
 */

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
	if (!svcnet_nl_addr_unicast(tb[SVCNET_A_BE_ADDR], fam, addr, extack))
		return -EINVAL;
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
	svcnet_svc_spec_init(s, &key, cur);
	s->attr = nest;
	s->be = &txn->be[txn->n_be];
	if (tb[SVCNET_A_SVC_TLS_OFFLOAD])
		s->tls_offload = nla_get_u8(tb[SVCNET_A_SVC_TLS_OFFLOAD]);
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
	if (tb[SVCNET_A_SVC_FORWARD])
		s->forward = nla_get_u8(tb[SVCNET_A_SVC_FORWARD]);
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
int svcnet_nl_service_write(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *gen = info->attrs[SVCNET_A_GENERATION];
	struct nlattr *key = info->attrs[SVCNET_A_HASH_KEY];
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
	/* the key is the whole device's: APPLY names all its services */
	if (key && txn.mode != SVCNET_TXN_APPLY) {
		NL_SET_ERR_MSG_ATTR(info->extack, key,
				    "SVCNET_A_HASH_KEY is set by APPLY or DEV_SET");
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
	if (key) {
		/* the transaction's from here: svcnet_txn_free() */
		txn.hash_key = svcnet_hash_key_new(nla_data(key),
						   GFP_KERNEL_ACCOUNT);
		if (!txn.hash_key) {
			err = -ENOMEM;
			goto out_free;
		}
	}
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

int svcnet_nl_service_del(struct sk_buff *skb, struct genl_info *info)
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

/*
 * BACKEND_NEW, BACKEND_SET and BACKEND_DEL: one backend's change, a
 * transaction of its service.
 */
int svcnet_nl_backend(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *svc_tb[SVCNET_A_SVC_MAX + 1];
	struct nlattr *tb[SVCNET_A_BE_MAX + 1];
	struct nlattr *nest = info->attrs[SVCNET_A_BACKEND];
	struct svcnet_be_change chg = { .weight = 1 };
	u8 cmd = info->genlhdr->cmd;
	struct svcnet_service *svc;
	struct svcnet_dev *sd;
	int err;

	rtnl_lock();
	svc = svcnet_nl_get_service(info, svc_tb, &sd);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = svcnet_nl_get_backend(info, svc, tb, &chg.addr, &chg.port);
	if (err)
		goto out;
	if (tb[SVCNET_A_BE_WEIGHT])
		chg.weight = nla_get_u16(tb[SVCNET_A_BE_WEIGHT]);
	chg.local = tb[SVCNET_A_BE_LOCAL] && nla_get_u8(tb[SVCNET_A_BE_LOCAL]);
	if (tb[SVCNET_A_BE_DRAIN])
		chg.drain = nla_get_u32(tb[SVCNET_A_BE_DRAIN]);
	/* a backend that is not there: that, whatever else is wrong */
	chg.be = svcnet_backend_find(svc, &chg.addr, chg.port);
	if (cmd != SVCNET_CMD_BACKEND_NEW && !chg.be) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "no such backend");
		err = -ENOENT;
		goto out;
	}
	if (cmd == SVCNET_CMD_BACKEND_NEW && chg.be) {
		NL_SET_ERR_MSG(info->extack, "the backend exists");
		err = -EEXIST;
		goto out;
	}
	err = -EINVAL;
	switch (cmd) {
	case SVCNET_CMD_BACKEND_NEW:
		chg.op = SVCNET_BE_ADD;
		break;
	case SVCNET_CMD_BACKEND_DEL:
		chg.op = SVCNET_BE_DEL;
		break;
	default:
		chg.op = SVCNET_BE_SET;
		if (tb[SVCNET_A_BE_DRAIN] && tb[SVCNET_A_BE_WEIGHT]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_BE_DRAIN],
					    "give SVCNET_A_BE_WEIGHT or SVCNET_A_BE_DRAIN, not both");
			goto out;
		}
		if (tb[SVCNET_A_BE_DRAIN]) {
			chg.set = SVCNET_BE_CHG_DRAIN;
		} else if (tb[SVCNET_A_BE_LOCAL] && !tb[SVCNET_A_BE_WEIGHT]) {
			chg.set = SVCNET_BE_CHG_LOCAL;
		} else if (tb[SVCNET_A_BE_LOCAL]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCNET_A_BE_LOCAL],
					    "change SVCNET_A_BE_LOCAL on its own");
			goto out;
		} else if (!tb[SVCNET_A_BE_WEIGHT]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nest,
					    "missing SVCNET_A_BE_WEIGHT or SVCNET_A_BE_DRAIN");
			goto out;
		} else {
			chg.set = SVCNET_BE_CHG_WEIGHT;
		}
	}
	err = svcnet_txn_backend(svc, &chg, info->extack);
out:
	rtnl_unlock();
	return err;
}
