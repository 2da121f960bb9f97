// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the flow table: insertion, both lookups, races for one tuple, the
 * size limit, eviction of flows not assured (one CPU's for another's),
 * expiry (a slice at a time), dying services, creation on two CPUs at
 * once (also while the backend retires). The fixture is shared with
 * flow_snat_test.c.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "svcnet.h"

struct svcnet_flow_fixture {
	struct svcnet_net sn;
	struct svcnet_service svc;
	struct svcnet_backend be;
};

/* a client's tuple towards the fixture's service (10.96.0.1:80, TCP) */
static struct svcnet_tuple svcnet_client(u32 n)
{
	struct svcnet_tuple t = {
		.family = AF_INET,
		.proto = IPPROTO_TCP,
		.saddr.ip = htonl(0x0a000900 + (n >> 16)),
		.daddr.ip = htonl(0x0a600001),
		.sport = htons(1024 + (n & 0xffff)),
		.dport = htons(80),
	};

	return t;
}

/* @svc's key: @t's destination */
static void svcnet_test_key(struct svcnet_service *svc,
			    const struct svcnet_tuple *t)
{
	memset(&svc->key, 0, sizeof(svc->key));
	svc->key.family = t->family;
	svc->key.proto = t->proto;
	svc->key.addr = t->daddr;
	svc->key.port = t->dport;
}

/*
 * @svc, keyed by @t's destination, with @be its one backend at @addr and
 * @port; each with the test's own reference: flows never free them.
 */
static void svcnet_test_wire(struct svcnet_service *svc,
			     struct svcnet_backend *be,
			     const struct svcnet_tuple *t,
			     const union nf_inet_addr *addr, __be16 port)
{
	svcnet_test_key(svc, t);
	refcount_set(&svc->ref, 1);
	INIT_LIST_HEAD(&svc->backends);
	list_add(&be->list, &svc->backends);
	be->svc = svc;
	be->addr = *addr;
	be->port = port;
	refcount_set(&be->ref, 1);
}

/*
 * Each case's fixture, made by the suite's .init and freed by its .exit,
 * which KUnit runs even when an assertion ended the case early: no flow
 * and no queued collector work outlives the case.
 */
static int svcnet_flow_fixture_init(struct kunit *test)
{
	union nf_inet_addr be = { .ip = htonl(0x0a000102) };
	struct svcnet_tuple t = svcnet_client(0);
	struct svcnet_flow_fixture *fx;
	int err;

	fx = kzalloc(sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	svcnet_track_net_init(&fx->sn);
	err = svcnet_flow_net_init(&fx->sn);
	if (err) {
		kfree(fx);
		return err;
	}
	svcnet_reap_net_init(&fx->sn);
	/* svcnet_client()'s service, its backend 10.0.1.2:8080 */
	svcnet_test_wire(&fx->svc, &fx->be, &t, &be, htons(8080));
	test->priv = fx;
	return 0;
}

static void svcnet_flow_fixture_exit(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = test->priv;

	if (!fx)		/* .init failed */
		return;
	svcnet_flow_flush(&fx->sn, NULL, NULL);
	svcnet_reap_net_exit(&fx->sn);
	svcnet_flow_net_exit(&fx->sn);
	/* flows drop their backend references after a grace period */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->be.ref), 1);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 0U);
	kfree(fx);
}

static struct svcnet_flow_fixture *svcnet_flow_fixture(struct kunit *test)
{
	return test->priv;
}

/* Lookups for comparison only: the pointer is not followed afterwards. */
static const void *svcnet_fwd(struct svcnet_net *sn, const struct svcnet_tuple *t)
{
	const void *f;

	rcu_read_lock();
	f = svcnet_flow_lookup_fwd(sn, t);
	rcu_read_unlock();
	return f;
}

static const void *svcnet_rev(struct svcnet_net *sn, const struct svcnet_tuple *t)
{
	const void *f;

	rcu_read_lock();
	f = svcnet_flow_lookup_rev(sn, t);
	rcu_read_unlock();
	return f;
}

static struct svcnet_flow *svcnet_test_flow(struct svcnet_flow_fixture *fx,
					    u32 n, bool *created, int *err)
{
	struct svcnet_tuple t = svcnet_client(n);

	return svcnet_flow_create(&fx->sn, &t, &fx->be, SVCNET_FLOW_TCP_SYN, NULL,
				  created, err);
}

static void svcnet_flow_lookup_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t = svcnet_client(7), rev = {};
	struct svcnet_flow *f, *g;
	bool created;
	int err = 0;

	f = svcnet_test_flow(fx, 7, &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_TRUE(test, created);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_fwd(&fx->sn, &t), (const void *)f);
	rev.family = AF_INET;
	rev.proto = IPPROTO_TCP;
	rev.saddr = fx->be.addr;
	rev.sport = fx->be.port;
	rev.daddr = t.saddr;
	rev.dport = t.sport;
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev(&fx->sn, &rev), (const void *)f);
	/* another client port is another flow */
	t.sport = htons(9);
	KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));

	/* the same tuple again: the existing flow, not a second one */
	g = svcnet_test_flow(fx, 7, &created, &err);
	KUNIT_EXPECT_PTR_EQ(test, g, f);
	KUNIT_EXPECT_FALSE(test, created);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 1);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 1U);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->be.ref), 2);

	svcnet_flow_remove(&fx->sn, f);
	t = svcnet_client(7);
	KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
	KUNIT_EXPECT_NULL(test, svcnet_rev(&fx->sn, &rev));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 0);
}

static void svcnet_flow_limit_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t;
	struct svcnet_flow *f;
	bool created;
	int err, i;

	fx->sn.cfg.flow_max = 100;
	for (i = 0; i < 100; i++) {
		f = svcnet_test_flow(fx, i, &created, &err);
		KUNIT_ASSERT_NOT_NULL(test, f);
		/* established both ways: never evicted */
		WRITE_ONCE(f->flags, f->flags | SVCNET_FLOW_F_ASSURED);
	}
	for (i = 100; i < 110; i++) {
		err = 0;
		f = svcnet_test_flow(fx, i, &created, &err);
		KUNIT_EXPECT_NULL(test, f);
		KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 100);
	/* existing flows are still found */
	t = svcnet_client(42);
	KUNIT_EXPECT_NOT_NULL(test, svcnet_fwd(&fx->sn, &t));
}

/* A full table makes room by evicting its oldest flows not assured. */
static void svcnet_flow_evict_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow *f[20], *g[5];
	struct svcnet_tuple t;
	bool created;
	int err, i;

	fx->sn.cfg.flow_max = 20;
	/* on one CPU: its young list is oldest first */
	migrate_disable();
	for (i = 0; i < 20; i++)
		f[i] = svcnet_test_flow(fx, i, &created, &err);
	/* the oldest five are assured; the next five are not */
	for (i = 0; i < 5; i++)
		if (f[i])
			WRITE_ONCE(f[i]->flags, f[i]->flags | SVCNET_FLOW_F_ASSURED);
	for (i = 20; i < 25; i++)
		g[i - 20] = svcnet_test_flow(fx, i, &created, &err);
	migrate_enable();
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_NOT_NULL(test, f[i]);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_NOT_NULL(test, g[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 20);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->sn.flows_evicted), 5);
	for (i = 0; i < 10; i++) {
		t = svcnet_client(i);
		if (i < 5)
			KUNIT_EXPECT_NOT_NULL(test, svcnet_fwd(&fx->sn, &t));
		else
			KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
	}
	/* every flow assured: a new one is dropped */
	for (i = 0; i < 20; i++) {
		t = svcnet_client(i < 5 ? i : i + 5);
		rcu_read_lock();
		WRITE_ONCE(svcnet_flow_lookup_fwd(&fx->sn, &t)->flags,
			   SVCNET_FLOW_F_ASSURED);
		rcu_read_unlock();
	}
	err = 0;
	KUNIT_EXPECT_NULL(test, svcnet_test_flow(fx, 99, &created, &err));
	KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->sn.flows_evicted), 5);
}

/* 1000 flows, clients 0..999; those of the odd clients have expired */
static void svcnet_test_flows_half_expired(struct kunit *test,
					   struct svcnet_flow_fixture *fx)
{
	struct svcnet_flow *f;
	bool created;
	int err, i;

	for (i = 0; i < 1000; i++) {
		f = svcnet_test_flow(fx, i, &created, &err);
		KUNIT_ASSERT_NOT_NULL(test, f);
		if (i % 2)
			WRITE_ONCE(f->expires, (u32)jiffies - 1);
	}
}

static void svcnet_flow_expiry_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t;
	int i, wrong = 0;

	svcnet_test_flows_half_expired(test, fx);
	/* one pass of the GC work; a shrinking table may need a second */
	for (i = 0; i < 2 && atomic_read(&fx->sn.flow_count) != 500; i++) {
		mod_delayed_work(system_power_efficient_wq, &fx->sn.flow_gc, 0);
		flush_delayed_work(&fx->sn.flow_gc);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 500);
	for (i = 0; i < 1000; i++) {
		t = svcnet_client(i);
		if (!svcnet_fwd(&fx->sn, &t) != !!(i % 2))
			wrong++;
	}
	/* expired flows gone, live ones kept */
	KUNIT_EXPECT_EQ(test, wrong, 0);
}

/* A table collected a slice at a time: each call goes on from the last. */
static void svcnet_flow_gc_slice_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	int removed, calls = 0;

	svcnet_test_flows_half_expired(test, fx);
	/* the slices are called here, the work must not walk meanwhile */
	cancel_delayed_work_sync(&fx->sn.flow_gc);
	svcnet_flow_gc_slice(&fx->sn, 100);
	removed = 1000 - atomic_read(&fx->sn.flow_count);
	/* about half of the ~100 flows looked at */
	KUNIT_EXPECT_GT(test, removed, 0);
	KUNIT_EXPECT_LT(test, removed, 200);
	KUNIT_EXPECT_TRUE(test, fx->sn.gc_walking);
	while (fx->sn.gc_walking && ++calls < 100)
		svcnet_flow_gc_slice(&fx->sn, 100);
	/* the pass ended at the end of the table, every expired flow gone */
	KUNIT_EXPECT_FALSE(test, fx->sn.gc_walking);
	KUNIT_EXPECT_GE(test, calls, 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 500);
	/* a walk left half done is ended with the namespace */
	svcnet_flow_gc_slice(&fx->sn, 10);
	KUNIT_EXPECT_TRUE(test, fx->sn.gc_walking);
}

static void svcnet_flow_touch_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow *f;
	unsigned long before;
	bool created;
	int err;

	fx->sn.cfg.timeout[SVCNET_FLOW_TCP_EST] = 900;
	f = svcnet_test_flow(fx, 1, &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, f);
	before = jiffies;
	svcnet_flow_touch(&fx->sn, f, SVCNET_FLOW_TCP_EST);
	KUNIT_EXPECT_EQ(test, f->state, SVCNET_FLOW_TCP_EST);
	KUNIT_EXPECT_GE(test, (s32)(f->expires - (u32)(before + 900 * HZ)), 0);
	KUNIT_EXPECT_LE(test, (s32)(f->expires - (u32)(jiffies + 900 * HZ)), 0);
}

/* A backend's open flows: those not closing, counted exactly once. */
static void svcnet_flow_open_count_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow *a, *b;
	bool created;
	int err;

	a = svcnet_test_flow(fx, 1, &created, &err);
	b = svcnet_test_flow(fx, 2, &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 2);
	svcnet_flow_touch(&fx->sn, a, SVCNET_FLOW_TCP_EST);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 2);
	svcnet_flow_touch(&fx->sn, a, SVCNET_FLOW_TCP_FIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 1);
	/* closing is for good, and counted once */
	svcnet_flow_touch(&fx->sn, a, SVCNET_FLOW_TCP_EST);
	KUNIT_EXPECT_EQ(test, a->state, SVCNET_FLOW_TCP_FIN);
	svcnet_flow_touch(&fx->sn, a, SVCNET_FLOW_TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, a->state, SVCNET_FLOW_TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 1);
	svcnet_flow_remove(&fx->sn, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 1);
	svcnet_flow_remove(&fx->sn, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 0);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 0U);
}

/*
 * A service that goes takes its flows out of use at once (not found, not
 * counted, no new one) and the collector frees them afterwards.
 */
static void svcnet_flow_dead_service_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t = svcnet_client(3);
	struct svcnet_flow *f;
	unsigned int n;
	bool created;
	int err, i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, svcnet_test_flow(fx, i, &created,
							     &err));
	rtnl_lock();
	n = svcnet_flow_kill_service(&fx->sn, &fx->svc);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, n, 10U);
	KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
	KUNIT_EXPECT_EQ(test, svcnet_flow_count(&fx->sn), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->svc.active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.retired), 10);
	f = svcnet_test_flow(fx, 11, &created, &err);
	KUNIT_EXPECT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	svcnet_flow_reap(&fx->sn);
	flush_delayed_work(&fx->sn.flow_gc);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.retired), 0);
}

/* one of the CPUs creating flows at once in the concurrency cases */
struct svcnet_flow_racer {
	struct svcnet_flow_fixture *fx;
	u32 first, n, created, stale;
	atomic_t *done;			/* creations tried, by all racers */
	struct completion end;
};

static int svcnet_flow_racer_fn(void *arg)
{
	struct svcnet_flow_racer *r = arg;
	struct svcnet_flow *f;
	bool created;
	u32 i;
	int err;

	for (i = 0; i < r->n; i++) {
		/* as the datapath: bottom halves off */
		local_bh_disable();
		f = svcnet_test_flow(r->fx, r->first + i, &created, &err);
		local_bh_enable();
		r->created += f && created;
		r->stale += !f && err == -ESTALE;
		atomic_inc(r->done);
		cond_resched();
	}
	complete(&r->end);
	return 0;
}

/*
 * Two kernel threads, on two CPUs where there are two, create the flows of
 * clients [first, first + n) each; with @retire_after, the backend retires
 * once that many creations were tried, while they go on.
 */
static void svcnet_flow_race(struct kunit *test, u32 first0, u32 first1,
			     u32 n, u32 retire_after,
			     struct svcnet_flow_racer *r)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct task_struct *t;
	atomic_t done = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < 2; i++) {
		r[i] = (struct svcnet_flow_racer){ .fx = fx, .n = n,
						   .first = i ? first1 : first0,
						   .done = &done };
		init_completion(&r[i].end);
		t = kthread_create(svcnet_flow_racer_fn, &r[i],
				   "svcnet-race%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		if (cpu_online(i))
			kthread_bind(t, i);
		wake_up_process(t);
	}
	if (retire_after) {
		while (atomic_read(&done) < retire_after)
			cond_resched();
		rtnl_lock();
		svcnet_flow_retire(&fx->sn, &fx->be);
		rtnl_unlock();
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&r[i].end);
}

/*
 * A full table of flows created on another CPU (a flood there: moved to
 * another young list here, as that CPU's), then new flows on this CPU:
 * they evict the flood's, oldest first, never each other.
 */
static void svcnet_flow_evict_other_cpu_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_young *here, *there;
	struct svcnet_flow *f[5], *g;
	unsigned int other;
	struct svcnet_tuple t;
	bool created;
	int err, i;

	fx->sn.cfg.flow_max = 10;
	migrate_disable();
	for (i = 0; i < 10; i++)
		svcnet_test_flow(fx, i, &created, &err);
	here = &fx->sn.young[smp_processor_id() % SVCNET_YOUNG_LISTS];
	other = (smp_processor_id() + 1) % SVCNET_YOUNG_LISTS;
	there = &fx->sn.young[other];
	spin_lock_bh(&here->lock);
	spin_lock_nested(&there->lock, SINGLE_DEPTH_NESTING);
	list_for_each_entry(g, &here->list, young_node)
		g->young = other;
	list_splice_tail_init(&here->list, &there->list);
	spin_unlock(&there->lock);
	spin_unlock_bh(&here->lock);
	migrate_enable();
	/* the flood's flows idle a while */
	msleep(50);
	migrate_disable();
	for (i = 0; i < 5; i++)
		f[i] = svcnet_test_flow(fx, 100 + i, &created, &err);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->sn.flows_evicted), 5);
	for (i = 0; i < 10; i++) {
		t = svcnet_client(i);
		KUNIT_EXPECT_EQ(test, !svcnet_fwd(&fx->sn, &t), i < 5);
	}
	for (i = 0; i < 5; i++) {
		t = svcnet_client(100 + i);
		KUNIT_EXPECT_NOT_NULL(test, f[i]);
		KUNIT_EXPECT_NOT_NULL(test, svcnet_fwd(&fx->sn, &t));
	}
}

/* Two CPUs creating the same flows: each is created once, counted once. */
static void svcnet_flow_concurrent_same_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow_racer r[2];

	svcnet_flow_race(test, 0, 0, 3000, 0, r);
	KUNIT_EXPECT_EQ(test, r[0].created + r[1].created, 3000U);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 3000);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 3000U);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->svc.active), 3000);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 3000);
}

/*
 * A backend retired while two CPUs create flows to it: every flow was
 * either refused (-ESTALE) or created and then retired; none stays in
 * use, and the counts come out exact once the retired ones are reaped.
 */
static void svcnet_flow_concurrent_retire_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow_racer r[2];
	struct svcnet_tuple t;
	u32 i, created;

	svcnet_flow_race(test, 0, 100000, 3000, 2000, r);
	created = r[0].created + r[1].created;
	KUNIT_EXPECT_EQ(test, created + r[0].stale + r[1].stale, 6000U);
	KUNIT_EXPECT_GT(test, r[0].stale + r[1].stale, 0U);
	KUNIT_EXPECT_EQ(test, svcnet_flow_count(&fx->sn), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->svc.active), 0);
	for (i = 0; i < 3000; i += 97) {
		t = svcnet_client(i);
		KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
		t = svcnet_client(100000 + i);
		KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
	}
	svcnet_flow_reap(&fx->sn);
	flush_delayed_work(&fx->sn.flow_gc);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.retired), 0);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->be.open), 0);
}

static struct kunit_case svcnet_flow_test_cases[] = {
	KUNIT_CASE(svcnet_flow_lookup_test),
	KUNIT_CASE(svcnet_flow_limit_test),
	KUNIT_CASE(svcnet_flow_evict_test),
	KUNIT_CASE(svcnet_flow_expiry_test),
	KUNIT_CASE(svcnet_flow_gc_slice_test),
	KUNIT_CASE(svcnet_flow_touch_test),
	KUNIT_CASE(svcnet_flow_open_count_test),
	KUNIT_CASE(svcnet_flow_dead_service_test),
	KUNIT_CASE(svcnet_flow_evict_other_cpu_test),
	KUNIT_CASE(svcnet_flow_concurrent_same_test),
	KUNIT_CASE(svcnet_flow_concurrent_retire_test),
	{}
};

/*
 * A module's suites may run before its init function: then the suite
 * makes the flow cache itself.
 */
static bool svcnet_flow_test_made_cache;

static int svcnet_flow_suite_init(struct kunit_suite *suite)
{
	if (svcnet_flow_caches[0])	/* made together */
		return 0;
	svcnet_flow_test_made_cache = true;
	return svcnet_flow_init();
}

static void svcnet_flow_suite_exit(struct kunit_suite *suite)
{
	if (svcnet_flow_test_made_cache)
		svcnet_flow_uninit();
	svcnet_flow_test_made_cache = false;
}

static struct kunit_suite svcnet_flow_test_suite = {
	.name = "svcnet_flow",
	.suite_init = svcnet_flow_suite_init,
	.suite_exit = svcnet_flow_suite_exit,
	.init = svcnet_flow_fixture_init,
	.exit = svcnet_flow_fixture_exit,
	.test_cases = svcnet_flow_test_cases,
};

kunit_test_suite(svcnet_flow_test_suite);
