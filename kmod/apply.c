// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: transactions. A transaction holds the wanted state of some
 * services of one device (struct svcnet_svc_spec) and applies it whole or
 * not at all; SERVICE_NEW, SERVICE_SET and APPLY are transactions.
 *
 * svcnet_txn_prepare() does everything that can fail: it checks every spec,
 * looks up the services and backends that exist, allocates the ones that
 * do not and builds every new backend set. svcnet_txn_commit() cannot fail:
 * it links the new objects, updates the kept ones in place, publishes the
 * sets and removes what the transaction dropped. Backends that stay keep
 * their object, so their flows, counters and drains are untouched, and a
 * transaction that changes nothing sends no event.
 *
 * Every change of the configuration is a transaction: one backend's change
 * is one of its service alone (svcnet_txn_backend()), so events, the
 * generation and rollback are the same for every request.
 */

#include <linux/bsearch.h>
#include <linux/sort.h>

#include "alloc.h"
#include "sched_maglev.h"
#include "svcnet.h"

static atomic64_t svcnet_txn_ids = ATOMIC64_INIT(0);

static int svcnet_be_spec_cmp(const void *a, const void *b)
{
	const struct svcnet_be_spec *x = *(const struct svcnet_be_spec **)a;
	const struct svcnet_be_spec *y = *(const struct svcnet_be_spec **)b;
	int c = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	if (c)
		return c;
	return (int)ntohs(x->port) - (int)ntohs(y->port);
}

/*
 * Sort pointers to the backends of @s into @order (room for s->n_be) by
 * address and port; -EINVAL if one is listed twice.
 */
static int svcnet_be_spec_check(struct svcnet_svc_spec *s,
				struct svcnet_be_spec **order,
				struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < s->n_be; i++)
		order[i] = &s->be[i];
	sort(order, s->n_be, sizeof(*order), svcnet_be_spec_cmp, NULL);
	for (i = 1; i < s->n_be; i++)
		if (!svcnet_be_spec_cmp(&order[i - 1], &order[i])) {
			NL_SET_ERR_MSG_ATTR(extack, s->attr,
					    "a backend is listed twice");
			return -EINVAL;
		}
	return 0;
}

static struct svcnet_be_spec *
svcnet_be_spec_find(struct svcnet_be_spec **order, u32 n,
		    const struct svcnet_backend *be)
{
	struct svcnet_be_spec key = { .addr = be->addr, .port = be->port };
	const struct svcnet_be_spec *k = &key;
	struct svcnet_be_spec **found;

	found = bsearch(&k, order, n, sizeof(*order), svcnet_be_spec_cmp);
	return found ? *found : NULL;
}

static bool svcnet_be_spec_differs(const struct svcnet_be_spec *b)
{
	const struct svcnet_backend *be = b->be;

	return b->is_new || be->weight != b->weight || be->local != b->local ||
	       be->draining != !!b->drain || b->drain_restart;
}

/* Does @s change the scheduler's view of the service? */
static bool svcnet_svc_spec_resched(const struct svcnet_svc_spec *s)
{
	const struct svcnet_service *svc = s->svc;

	return s->is_new || svc->sched != s->sched ||
	       svc->maglev_size != s->maglev_size || svc->policy != s->policy;
}

/* Does @s change a setting the backend set does not depend on? */
static bool svcnet_svc_spec_other(const struct svcnet_svc_spec *s)
{
	return s->svc->tls_offload != s->tls_offload ||
	       s->svc->forward != s->forward;
}

/*
 * Match the backends of @s with those of its service, allocate the new
 * ones; returns whether the backend set changes, or -errno.
 */
static int svcnet_svc_spec_backends(struct svcnet_txn *txn,
				    struct svcnet_svc_spec *s,
				    struct netlink_ext_ack *extack)
{
	struct svcnet_service *svc = s->svc;
	struct svcnet_be_spec **order;
	struct svcnet_backend *be;
	u32 i, kept = 0, last = 0;
	bool changed = false;
	int err;

	order = svcnet_kvalloc(array_size(max(s->n_be, 1U), sizeof(*order)),
			       GFP_KERNEL_ACCOUNT);
	if (!order)
		return -ENOMEM;
	err = svcnet_be_spec_check(s, order, extack);
	if (err)
		goto out;
	list_for_each_entry(be, &svc->backends, list) {
		struct svcnet_be_spec *b;

		b = svcnet_be_spec_find(order, s->n_be, be);
		if (!b)
			continue;
		b->be = be;
		be->txn_id = txn->id;
		/* the order of the list is the order of round robin */
		if (kept++ && b - s->be < last)
			changed = true;
		last = b - s->be;
	}
	if (kept != svc->n_backends)
		changed = true;
	for (i = 0; i < s->n_be; i++) {
		struct svcnet_be_spec *b = &s->be[i];

		if (!b->be) {
			b->be = svcnet_backend_alloc(svc, &b->addr, b->port,
						     &txn->pool);
			if (!b->be) {
				err = -ENOMEM;
				goto out;
			}
			b->is_new = true;
		}
		if (svcnet_be_spec_differs(b))
			changed = true;
	}
	err = changed;
out:
	kvfree(order);
	return err;
}

/* The backend set @s asks for: its list, or the service's own backends. */
static struct svcnet_bset *svcnet_svc_spec_bset(struct svcnet_svc_spec *s)
{
	struct svcnet_bset *bs;
	u32 i, n = 0;
	int err;

	if (!s->set_backends)
		return svcnet_bset_build(s->svc, s->sched, s->maglev_size,
					 s->policy);
	for (i = 0; i < s->n_be; i++)
		n += svcnet_backend_eligible(s->be[i].weight, s->be[i].drain,
					     s->be[i].local, s->policy);
	bs = svcnet_bset_alloc(s->sched, n);
	if (!bs)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < s->n_be; i++)
		if (svcnet_backend_eligible(s->be[i].weight, s->be[i].drain,
					    s->be[i].local, s->policy))
			svcnet_bset_push(bs, s->be[i].be, s->be[i].weight);
	err = svcnet_bset_finish(bs, s->maglev_size);
	if (err) {
		svcnet_bset_free(bs);
		return ERR_PTR(err);
	}
	return bs;
}

/*
 * A tunnel service's backends receive its packets unchanged (direct server
 * return): they take the service's port.
 */
static int svcnet_svc_spec_tunnel(const struct svcnet_svc_spec *s,
				  struct netlink_ext_ack *extack)
{
	const struct svcnet_backend *be;
	u32 i;

	if (s->forward != SVCNET_FORWARD_TUNNEL)
		return 0;
	if (s->set_backends) {
		for (i = 0; i < s->n_be; i++)
			if (s->be[i].port != s->key.port)
				goto bad;
		return 0;
	}
	list_for_each_entry(be, &s->svc->backends, list)
		if (be->port != s->key.port)
			goto bad;
	return 0;
bad:
	NL_SET_ERR_MSG_ATTR(extack, s->attr,
			    "a tunnel service's backends take the service's port");
	return -EINVAL;
}

/* Under RTNL: whether @txn gives its device a key other than its own. */
static bool svcnet_txn_rekeys(const struct svcnet_txn *txn)
{
	return txn->hash_key &&
	       memcmp(&txn->hash_key->key,
		      &rtnl_dereference(txn->sd->hash_key)->key,
		      sizeof(txn->hash_key->key));
}

/* Look up or create the services; check counts and duplicates. */
static int svcnet_txn_lookup(struct svcnet_txn *txn,
			     struct netlink_ext_ack *extack)
{
	struct svcnet_dev *sd = txn->sd;
	u32 i, n_new = 0, total;

	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];
		struct svcnet_service *svc;

		svc = svcnet_service_lookup_rtnl(sd, &s->key);
		if (svc && txn->mode == SVCNET_TXN_NEW) {
			NL_SET_ERR_MSG_ATTR(extack, s->attr, "the service exists");
			return -EEXIST;
		}
		if (!svc && txn->mode == SVCNET_TXN_SET) {
			NL_SET_ERR_MSG_ATTR(extack, s->attr, "no such service");
			return -ENOENT;
		}
		if (svc && svc->txn_id == txn->id) {
			NL_SET_ERR_MSG_ATTR(extack, s->attr,
					    "a service is listed twice");
			return -EINVAL;
		}
		if (svc) {
			svc->txn_id = txn->id;
			s->svc = svc;
		} else {
			n_new++;
		}
	}
	total = txn->mode == SVCNET_TXN_APPLY ? txn->n_svc :
						sd->n_services + n_new;
	if (total > SVCNET_MAX_SERVICES) {
		NL_SET_ERR_MSG(extack, "too many services on this device");
		return -ENOSPC;
	}
	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];

		if (s->svc)
			continue;
		s->svc = svcnet_service_alloc(sd, &s->key, &txn->pool);
		if (!s->svc)
			return -ENOMEM;
		s->svc->txn_id = txn->id;
		s->is_new = true;
	}
	return 0;
}

int svcnet_txn_prepare(struct svcnet_txn *txn, struct netlink_ext_ack *extack)
{
	u32 i;
	int err;

	ASSERT_RTNL();
	txn->id = atomic64_inc_return(&svcnet_txn_ids);
	err = svcnet_txn_lookup(txn, extack);
	if (err)
		return err;
	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];
		bool changed = svcnet_svc_spec_resched(s);

		if (!svcnet_sched_valid(s->sched, s->maglev_size, extack))
			return -EINVAL;
		err = svcnet_svc_spec_tunnel(s, extack);
		if (err)
			return err;
		if (s->set_backends) {
			err = svcnet_svc_spec_backends(txn, s, extack);
			if (err < 0)
				return err;
			changed |= err;
		}
		if (!changed)
			continue;
		s->bset = svcnet_svc_spec_bset(s);
		if (IS_ERR(s->bset)) {
			err = PTR_ERR(s->bset);
			s->bset = NULL;
			return err;
		}
	}
	/* last: new services become visible, without backends */
	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];

		if (!s->is_new)
			continue;
		err = svcnet_service_insert(s->svc);
		if (err) {
			if (err == -EEXIST)
				NL_SET_ERR_MSG_ATTR(extack, s->attr,
						    "a service is listed twice");
			while (i--)
				if (txn->svc[i].is_new)
					svcnet_service_uninsert(txn->svc[i].svc);
			return err == -EEXIST ? -EINVAL : err;
		}
	}
	return 0;
}

/*
 * An event of a committed change. The generation moves on once per
 * transaction, before its first event, so that every event carries the
 * generation the transaction leaves.
 */
static void svcnet_txn_notify(struct svcnet_txn *txn, u8 cmd,
			      struct svcnet_service *svc,
			      struct svcnet_backend *be, long purged)
{
	if (!txn->changed) {
		svcnet_net_changed(svcnet_pernet(dev_net(txn->sd->dev)));
		txn->changed = true;
	}
	svcnet_nl_notify(cmd, txn->sd, svc, be, purged);
}

/* Bring a kept or new backend to its spec; whether an event is due. */
static bool svcnet_be_spec_commit(struct svcnet_net *sn,
				  struct svcnet_be_spec *b)
{
	struct svcnet_backend *be = b->be;
	bool changed = svcnet_be_spec_differs(b);

	WRITE_ONCE(be->weight, b->weight);
	be->local = b->local;
	if (b->drain && (!be->draining || b->drain_restart)) {
		/* a backend already draining keeps its deadline, unless asked */
		if (!be->draining)
			list_add_tail(&be->drain_list, &sn->draining);
		be->draining = true;
		be->drain_deadline = jiffies + (unsigned long)b->drain * HZ;
		mod_delayed_work(system_power_efficient_wq, &sn->drain_work, 0);
	} else if (!b->drain && be->draining) {
		be->draining = false;
		list_del_init(&be->drain_list);
	}
	return changed;
}

static bool svcnet_svc_spec_commit_backends(struct svcnet_txn *txn,
					    struct svcnet_svc_spec *s)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(txn->sd->dev));
	struct svcnet_service *svc = s->svc;
	struct svcnet_backend *be, *tmp;
	LIST_HEAD(gone);
	bool changed;
	u32 i;

	list_for_each_entry_safe(be, tmp, &svc->backends, list) {
		if (be->txn_id == txn->id)
			continue;
		list_move_tail(&be->list, &gone);
		if (be->draining)
			list_del_init(&be->drain_list);
	}
	/* a new set, if only the order changed, is a change */
	changed = !list_empty(&gone) || s->bset;
	for (i = 0; i < s->n_be; i++) {
		struct svcnet_be_spec *b = &s->be[i];

		if (b->is_new)
			list_add_tail(&b->be->list, &svc->backends);
		else
			list_move_tail(&b->be->list, &svc->backends);
		b->changed = svcnet_be_spec_commit(sn, b);
		changed |= b->changed;
	}
	svc->n_backends = s->n_be;
	if (s->bset)
		svcnet_bset_publish(svc, s->bset);
	s->bset = NULL;
	for (i = 0; i < s->n_be; i++) {
		struct svcnet_be_spec *b = &s->be[i];

		if (b->is_new)
			svcnet_txn_notify(txn, SVCNET_CMD_BACKEND_NEW, svc,
					  b->be, -1);
		else if (b->changed)
			svcnet_txn_notify(txn, SVCNET_CMD_BACKEND_SET, svc,
					  b->be, -1);
		b->is_new = false;
	}
	if (list_empty(&gone))
		return changed;
	/* the set without them is published: their flows go */
	list_for_each_entry(be, &gone, list)
		be->purged = svcnet_flow_retire(sn, be);
	svcnet_flow_reap(sn);
	list_for_each_entry_safe(be, tmp, &gone, list) {
		list_del(&be->list);
		svcnet_txn_notify(txn, SVCNET_CMD_BACKEND_DEL, svc, be,
				  be->purged);
		svcnet_backend_put(be);
	}
	return true;
}

/*
 * Session affinity for new flows: @timeout seconds (0: none), client
 * addresses compared on their first @prefix bits (valid for the family).
 */
static void svcnet_service_set_affinity(struct svcnet_service *svc,
					u32 timeout, u8 prefix)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(svc->sd->dev));

	ASSERT_RTNL();
	if (svc->affinity_timeout == timeout && svc->affinity_prefix == prefix)
		return;
	WRITE_ONCE(svc->affinity_timeout, timeout);
	WRITE_ONCE(svc->affinity_prefix, prefix);
	/* clients remembered under another mask, or none at all */
	svcnet_affinity_flush(sn, svc, NULL);
}

/*
 * Remove @svc: for @txn, which drops it (its event is one of the
 * transaction's), or alone (SERVICE_DEL, the deletion of its device).
 * Its flows go at once.
 */
static void svcnet_service_remove(struct svcnet_txn *txn,
				  struct svcnet_service *svc)
{
	struct svcnet_dev *sd = svc->sd;
	struct svcnet_net *sn = svcnet_pernet(dev_net(sd->dev));
	unsigned int purged;

	ASSERT_RTNL();
	svcnet_service_unlink(svc);
	/* no flow of it survives, and none can be created any more */
	purged = svcnet_flow_kill_service(sn, svc);
	svcnet_flow_reap(sn);
	if (txn) {
		svcnet_txn_notify(txn, SVCNET_CMD_SERVICE_DEL, svc, NULL,
				  purged);
	} else {
		svcnet_net_changed(sn);
		svcnet_nl_notify(SVCNET_CMD_SERVICE_DEL, sd, svc, NULL, purged);
	}
	svcnet_bset_publish(svc, NULL);
	svcnet_service_release(svc);
}

void svcnet_service_del(struct svcnet_service *svc)
{
	svcnet_service_remove(NULL, svc);
}

void svcnet_txn_commit(struct svcnet_txn *txn)
{
	struct svcnet_net *sn = svcnet_pernet(dev_net(txn->sd->dev));
	struct svcnet_service *svc, *tmp;
	bool changed = false;
	u32 i;

	ASSERT_RTNL();
	/* a new key: new flows of maglev and sh services hash with it */
	if (svcnet_txn_rekeys(txn)) {
		kfree_rcu(rcu_replace_pointer(txn->sd->hash_key, txn->hash_key,
					      lockdep_rtnl_is_held()), rcu);
		txn->hash_key = NULL;
		changed = true;
	}
	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];
		bool svc_changed = svcnet_svc_spec_resched(s) ||
				   svcnet_svc_spec_other(s);

		svc = s->svc;
		if (s->is_new)
			svcnet_service_link(svc);
		svc->sched = s->sched;
		svc->maglev_size = s->maglev_size;
		svc->policy = s->policy;
		WRITE_ONCE(svc->tls_offload, s->tls_offload);
		WRITE_ONCE(svc->forward, s->forward);
		if (svc->affinity_timeout != s->affinity_timeout ||
		    svc->affinity_prefix != s->affinity_prefix) {
			svcnet_service_set_affinity(svc, s->affinity_timeout,
						    s->affinity_prefix);
			svc_changed = true;
		}
		if (s->set_sources &&
		    !svcnet_sources_equal(rtnl_dereference(svc->sources),
					  s->sources)) {
			svcnet_service_set_sources(svc, s->sources);
			s->sources = NULL;
			svc_changed = true;
		}
		if (svc_changed)
			svcnet_txn_notify(txn, s->is_new ?
					  SVCNET_CMD_SERVICE_NEW :
					  SVCNET_CMD_SERVICE_SET, svc, NULL, -1);
		if (s->set_backends)
			svc_changed |= svcnet_svc_spec_commit_backends(txn, s);
		else if (s->bset)
			svcnet_bset_publish(svc, s->bset);
		s->bset = NULL;
		s->is_new = false;
		changed |= svc_changed;
	}
	if (txn->mode == SVCNET_TXN_APPLY)
		list_for_each_entry_safe(svc, tmp, &txn->sd->service_list, list)
			if (svc->txn_id != txn->id)
				svcnet_service_remove(txn, svc);
	/* a change that sends no event still moves the generation on */
	if (changed && !txn->changed) {
		svcnet_net_changed(sn);
		txn->changed = true;
	}
}

/* Free what a transaction holds: all it prepared, unless committed. */
void svcnet_txn_free(struct svcnet_txn *txn)
{
	u32 i;

	for (i = 0; i < txn->n_svc; i++) {
		struct svcnet_svc_spec *s = &txn->svc[i];

		svcnet_bset_free(s->bset);
		kfree(s->sources);
		if (s->set_backends) {
			u32 j;

			for (j = 0; j < s->n_be; j++)
				if (s->be[j].is_new)
					svcnet_backend_put(s->be[j].be);
		}
		if (s->is_new)
			svcnet_service_put(s->svc);
	}
	svcnet_stats_pool_release(&txn->pool);
	kfree(txn->hash_key);
	kvfree(txn->svc);
	kvfree(txn->be);
}

/*
 * The settings of a service's spec: those of @cur as it is, or for a new
 * service of @key (@cur NULL) the defaults. Sources and backends are not
 * listed: kept, or none for a new service.
 */
void svcnet_svc_spec_init(struct svcnet_svc_spec *s,
			  const struct svcnet_svc_key *key,
			  const struct svcnet_service *cur)
{
	s->key = *key;
	s->sched = cur ? cur->sched : SVCNET_SCHED_RR;
	s->maglev_size = cur ? cur->maglev_size : SVCNET_MAGLEV_DEFAULT_SIZE;
	s->policy = cur ? cur->policy : SVCNET_POLICY_CLUSTER;
	s->affinity_timeout = cur ? cur->affinity_timeout : 0;
	s->affinity_prefix = cur ? cur->affinity_prefix :
			     key->family == AF_INET ? 32 : 128;
	s->tls_offload = cur ? cur->tls_offload : true;
	s->forward = cur ? cur->forward : SVCNET_FORWARD_NAT;
}

/* A backend of the service as it is, in @b. */
static void svcnet_be_spec_keep(struct svcnet_be_spec *b,
				const struct svcnet_backend *be)
{
	memset(b, 0, sizeof(*b));
	b->addr = be->addr;
	b->port = be->port;
	b->weight = be->weight;
	b->local = be->local;
	/* a drain goes on: any non-zero time keeps its deadline */
	if (be->draining)
		b->drain = max_t(u32, svcnet_drain_left(be), 1);
}

/* Apply @chg to @b, the spec of the backend it names. */
static void svcnet_be_spec_change(struct svcnet_be_spec *b,
				  const struct svcnet_be_change *chg)
{
	if (chg->set & SVCNET_BE_CHG_WEIGHT) {
		b->weight = chg->weight;
		b->drain = 0;
	}
	if (chg->set & SVCNET_BE_CHG_LOCAL)
		b->local = chg->local;
	if (chg->set & SVCNET_BE_CHG_DRAIN) {
		b->drain = chg->drain;
		b->drain_restart = true;
	}
}

/*
 * A transaction of @svc alone, for @n_be backends (the service's own, and
 * room for one more): settings as they are, no backend listed yet.
 */
static int svcnet_txn_of(struct svcnet_txn *txn, struct svcnet_service *svc)
{
	u32 n_be = svc->n_backends + 1;

	memset(txn, 0, sizeof(*txn));
	txn->mode = SVCNET_TXN_SET;
	txn->sd = svc->sd;
	txn->svc = kzalloc(sizeof(*txn->svc), GFP_KERNEL_ACCOUNT);
	txn->be = svcnet_kvalloc(array_size(n_be, sizeof(*txn->be)),
				 GFP_KERNEL_ACCOUNT);
	if (!txn->svc || !txn->be) {
		kfree(txn->svc);
		kvfree(txn->be);
		txn->svc = NULL;
		txn->be = NULL;
		return -ENOMEM;
	}
	txn->n_svc = 1;
	txn->max_svc = 1;
	txn->max_be = n_be;
	svcnet_svc_spec_init(&txn->svc[0], &svc->key, svc);
	txn->svc[0].set_backends = true;
	txn->svc[0].be = txn->be;
	return 0;
}

/* Prepare and commit @txn, then free it. */
static int svcnet_txn_run(struct svcnet_txn *txn,
			  struct netlink_ext_ack *extack)
{
	int err;

	txn->n_be = txn->svc[0].n_be;
	err = svcnet_txn_prepare(txn, extack);
	if (!err)
		svcnet_txn_commit(txn);
	svcnet_txn_free(txn);
	return err;
}

/*
 * One backend's change as a transaction of its service alone: the
 * service's backends as they are, in their order, with @chg applied.
 */
int svcnet_txn_backend(struct svcnet_service *svc,
		       const struct svcnet_be_change *chg,
		       struct netlink_ext_ack *extack)
{
	struct svcnet_backend *be, *target;
	struct svcnet_be_spec *b;
	struct svcnet_svc_spec *s;
	struct svcnet_txn txn;
	int err;

	ASSERT_RTNL();
	target = chg->be;
	if (chg->op == SVCNET_BE_ADD && svc->n_backends >= SVCNET_MAX_BACKENDS) {
		NL_SET_ERR_MSG(extack, "too many backends in this service");
		return -ENOSPC;
	}
	err = svcnet_txn_of(&txn, svc);
	if (err)
		return err;
	s = &txn.svc[0];
	list_for_each_entry(be, &svc->backends, list) {
		if (be == target && chg->op == SVCNET_BE_DEL)
			continue;
		b = &s->be[s->n_be++];
		svcnet_be_spec_keep(b, be);
		if (be == target)
			svcnet_be_spec_change(b, chg);
	}
	if (chg->op == SVCNET_BE_ADD) {
		b = &s->be[s->n_be++];
		memset(b, 0, sizeof(*b));
		b->addr = chg->addr;
		b->port = chg->port;
		b->weight = chg->weight;
		b->local = chg->local;
	}
	return svcnet_txn_run(&txn, extack);
}

/*
 * The end of drains: every backend of @svc whose drain is over goes, in
 * one transaction. 0 when none is left, or -errno.
 */
int svcnet_txn_drain_end(struct svcnet_service *svc)
{
	struct svcnet_backend *be;
	struct svcnet_txn txn;
	int err;

	ASSERT_RTNL();
	err = svcnet_txn_of(&txn, svc);
	if (err)
		return err;
	list_for_each_entry(be, &svc->backends, list)
		if (!svcnet_drain_over(be))
			svcnet_be_spec_keep(&txn.svc[0].be[txn.svc[0].n_be++],
					    be);
	return svcnet_txn_run(&txn, NULL);
}

/*
 * A new hash key @key for @sd (DEV_SET), which the transaction owns: one
 * of the device that names no service.
 */
int svcnet_txn_rekey(struct svcnet_dev *sd, struct svcnet_hash_key *key,
		     struct netlink_ext_ack *extack)
{
	struct svcnet_txn txn;
	int err;

	ASSERT_RTNL();
	memset(&txn, 0, sizeof(txn));
	txn.mode = SVCNET_TXN_SET;
	txn.sd = sd;
	txn.hash_key = key;
	err = svcnet_txn_prepare(&txn, extack);
	if (!err)
		svcnet_txn_commit(&txn);
	svcnet_txn_free(&txn);
	return err;
}

/* Delete every service of @sd. */
void svcnet_services_flush(struct svcnet_dev *sd)
{
	struct svcnet_service *svc, *tmp;

	list_for_each_entry_safe(svc, tmp, &sd->service_list, list)
		svcnet_service_del(svc);
}

#ifdef SVCNET_KUNIT
#include "apply_test.c"
#endif
