// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: removing flows. The collector, a delayed work of the namespace,
 * walks a slice of the flow table each second and removes expired flows,
 * rescheduling itself while flows remain. Flushes remove the flows a user
 * names. A backend or service that goes retires its flows: out of use at
 * once (lookups pass them by), removed by the collector just after, in one
 * walk for every backend retired meanwhile, outside RTNL.
 */

#include "svcnet.h"

struct svcnet_flow_walk {
	struct svcnet_net *sn;
	bool (*match)(struct svcnet_flow *f, void *arg);
	void *arg;
};

static bool svcnet_flow_prune(void *obj, void *arg)
{
	struct svcnet_flow_walk *w = arg;

	if (!w->match(obj, w->arg))
		return false;
	svcnet_flow_remove(w->sn, obj);
	return true;
}

/* Remove the flows for which @match is true, one lock hold each. */
static unsigned int svcnet_flow_walk(struct svcnet_net *sn,
				     bool (*match)(struct svcnet_flow *f,
						   void *arg),
				     void *arg)
{
	struct svcnet_flow_walk w = { .sn = sn, .match = match, .arg = arg };

	return svcnet_rht_prune(&sn->flows.ht, svcnet_flow_prune, &w);
}

/*
 * The collector's look at @f: expired, or retired. A flow whose direct
 * time ran out loses its flag (its clock wraps, see svcnet_flow_direct()).
 */
static bool svcnet_flow_expired(struct svcnet_flow *f, void *arg)
{
	svcnet_flow_direct(f);
	return svcnet_flow_is_expired(f) || READ_ONCE(f->be->removed);
}

static bool svcnet_flow_retired(struct svcnet_flow *f, void *arg)
{
	return READ_ONCE(f->be->removed);
}

/*
 * Remove the expired flows among the next @budget or so of the table, from
 * where the last call stopped: a large table is collected a slice each
 * second rather than walked whole. At the end of the table the walk starts
 * over.
 */
void svcnet_flow_gc_slice(struct svcnet_net *sn, unsigned int budget)
{
	struct svcnet_flow_walk w = { .sn = sn, .match = svcnet_flow_expired };
	unsigned int removed = 0;

	if (!sn->gc_walking) {
		rhashtable_walk_enter(&sn->flows.ht, &sn->gc_iter);
		sn->gc_walking = true;
	}
	if (!svcnet_rht_prune_some(&sn->gc_iter, budget, svcnet_flow_prune, &w,
				   &removed)) {
		rhashtable_walk_exit(&sn->gc_iter);
		sn->gc_walking = false;
	}
}

static void svcnet_flow_gc(struct work_struct *work)
{
	struct svcnet_net *sn = container_of(to_delayed_work(work),
					     struct svcnet_net, flow_gc);

	/* the flows of retired backends, in one walk for all of them */
	if (xchg(&sn->reap, false)) {
		svcnet_flow_walk(sn, svcnet_flow_retired, NULL);
		svcnet_affinity_purge(sn);
	}
	/* rounded up: a pass takes at most SVCNET_GC_SLICES slices */
	svcnet_flow_gc_slice(sn, max_t(unsigned int, SVCNET_GC_MIN,
				       DIV_ROUND_UP(atomic_read(&sn->flow_count),
						    SVCNET_GC_SLICES)));
	svcnet_affinity_gc(sn);
	if (atomic_read(&sn->flow_count) || atomic_read(&sn->affinity_count))
		queue_delayed_work(system_power_efficient_wq, &sn->flow_gc, HZ);
}

struct svcnet_flow_filter {
	struct svcnet_dev *sd;
	struct svcnet_service *svc;
	struct svcnet_backend *be;
};

static bool svcnet_flow_filter_match(struct svcnet_flow *f, void *arg)
{
	struct svcnet_flow_filter *flt = arg;
	struct svcnet_service *svc = f->be->svc;

	/* retired: reported gone already, their device may be too */
	if (READ_ONCE(f->be->removed))
		return false;
	if (flt->be)
		return f->be == flt->be;
	if (flt->svc)
		return svc == flt->svc;
	return !flt->sd || svc->sd == flt->sd;
}

unsigned int svcnet_flow_flush(struct svcnet_net *sn, struct svcnet_dev *sd,
			       struct svcnet_service *svc)
{
	struct svcnet_flow_filter flt = { .sd = sd, .svc = svc };

	return svcnet_flow_walk(sn, svcnet_flow_filter_match, &flt);
}

/*
 * Retire @be: from now on no lookup finds a flow to it and no flow to it is
 * created, and its flows are collected outside RTNL by the work
 * svcnet_flow_reap() queues, in one walk however many backends and
 * services went. The next segment of a TCP connection it had is answered
 * with a reset, the next datagram of a UDP flow is balanced anew. Returns
 * how many flows it had. Under RTNL.
 *
 * No lock orders this with the creation of flows on other CPUs: one atomic
 * operation marks the backend's flow count retired and takes the count,
 * so that every flow is counted either here or by nobody (its creation
 * fails, svcnet_flow_count_on()); and a creation that counted its flow
 * before, inserts it, then looks at be->removed again, while the walk
 * that reaps runs after this (the barriers of the atomic operations pair):
 * the flow is removed by its creator or by the walk.
 */
unsigned int svcnet_flow_retire(struct svcnet_net *sn,
				struct svcnet_backend *be)
{
	unsigned int n;

	ASSERT_RTNL();
	if (be->removed)
		return 0;
	WRITE_ONCE(be->removed, true);
	n = atomic_fetch_or(SVCNET_ACTIVE_RETIRED, &be->active) &
	    ~SVCNET_ACTIVE_RETIRED;
	atomic_add(n, &sn->retired);
	/* the service counts its flows in use */
	atomic_sub(n, &be->svc->active);
	return n;
}

/*
 * Retire every backend of @svc and stop new flows: a flow is created only
 * while its backend is not retired. Returns how many flows the service
 * had. Under RTNL.
 */
unsigned int svcnet_flow_kill_service(struct svcnet_net *sn,
				      struct svcnet_service *svc)
{
	struct svcnet_backend *be;
	unsigned int n = 0;

	ASSERT_RTNL();
	WRITE_ONCE(svc->dead, true);
	list_for_each_entry(be, &svc->backends, list)
		n += svcnet_flow_retire(sn, be);
	return n;
}

/* Collect the flows of retired backends now, in the collector's work. */
void svcnet_flow_reap(struct svcnet_net *sn)
{
	WRITE_ONCE(sn->reap, true);
	mod_delayed_work(system_power_efficient_wq, &sn->flow_gc, 0);
}

/* Flows in the table not retired: what a dump lists. */
unsigned int svcnet_flow_count(struct svcnet_net *sn)
{
	int n = atomic_read(&sn->flow_count) - atomic_read(&sn->retired);

	return n > 0 ? n : 0;
}

void svcnet_reap_net_init(struct svcnet_net *sn)
{
	atomic_set(&sn->retired, 0);
	sn->reap = false;
	INIT_DELAYED_WORK(&sn->flow_gc, svcnet_flow_gc);
}

/* The namespace goes: its devices went, every flow left is retired. */
void svcnet_reap_net_exit(struct svcnet_net *sn)
{
	cancel_delayed_work_sync(&sn->flow_gc);
	if (sn->gc_walking)
		rhashtable_walk_exit(&sn->gc_iter);
	svcnet_flow_walk(sn, svcnet_flow_retired, NULL);
	WARN_ON_ONCE(atomic_read(&sn->retired));
}
