// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: session affinity entries: remembered per masked client address,
 * refused for unusable backends, expired by the GC, flushed with their
 * backend or service.
 */

#include <kunit/test.h>

struct svcnet_affinity_fixture {
	struct svcnet_net sn;
	struct svcnet_service svc;
	struct svcnet_backend be[2];
};

static void svcnet_affinity_test_gc(struct work_struct *work)
{
}

static struct svcnet_affinity_fixture *
svcnet_affinity_fixture(struct kunit *test, u8 prefix)
{
	struct svcnet_affinity_fixture *fx;
	int i;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	KUNIT_ASSERT_EQ(test, svcnet_affinity_net_init(&fx->sn), 0);
	INIT_DELAYED_WORK(&fx->sn.flow_gc, svcnet_affinity_test_gc);
	fx->sn.cfg.flow_max = 100;
	fx->svc.key.family = AF_INET;
	fx->svc.affinity_timeout = 60;
	fx->svc.affinity_prefix = prefix;
	refcount_set(&fx->svc.ref, 1);
	for (i = 0; i < 2; i++) {
		fx->be[i].svc = &fx->svc;
		fx->be[i].weight = 1;
		refcount_set(&fx->be[i].ref, 1);
	}
	return fx;
}

static void svcnet_affinity_fixture_free(struct kunit *test,
					 struct svcnet_affinity_fixture *fx)
{
	/* the set path queues the flow GC work, which the test has not got */
	cancel_delayed_work_sync(&fx->sn.flow_gc);
	svcnet_affinity_net_exit(&fx->sn);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->be[0].ref), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->be[1].ref), 1);
}

static union nf_inet_addr svcnet_client_addr(u32 host)
{
	union nf_inet_addr a = { .ip = htonl(0x0a000900 | host) };

	return a;
}

static const void *svcnet_sticky(struct svcnet_affinity_fixture *fx, u32 host)
{
	union nf_inet_addr a = svcnet_client_addr(host);
	const void *be;

	rcu_read_lock();
	be = svcnet_affinity_get(&fx->sn, &fx->svc, &a);
	rcu_read_unlock();
	return be;
}

static void svcnet_affinity_remember_test(struct kunit *test)
{
	struct svcnet_affinity_fixture *fx = svcnet_affinity_fixture(test, 32);
	union nf_inet_addr a = svcnet_client_addr(2);

	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 2));
	svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[0]);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_sticky(fx, 2), (const void *)&fx->be[0]);
	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 3));
	/* a new backend for the client replaces the entry */
	svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[1]);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_sticky(fx, 2), (const void *)&fx->be[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.affinity_count), 1);
	/* a backend that takes no new flows is not offered */
	fx->be[1].draining = true;
	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 2));
	fx->be[1].draining = false;
	fx->be[1].weight = 0;
	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 2));
	svcnet_affinity_fixture_free(test, fx);
}

static void svcnet_affinity_mask_test(struct kunit *test)
{
	struct svcnet_affinity_fixture *fx = svcnet_affinity_fixture(test, 24);
	union nf_inet_addr a = svcnet_client_addr(2);

	svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[0]);
	/* the whole /24 shares the entry */
	KUNIT_EXPECT_PTR_EQ(test, svcnet_sticky(fx, 200), (const void *)&fx->be[0]);
	a.ip = htonl(0x0a000a02);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, svcnet_affinity_get(&fx->sn, &fx->svc, &a));
	rcu_read_unlock();
	svcnet_affinity_fixture_free(test, fx);
}

static void svcnet_affinity_gc_flush_test(struct kunit *test)
{
	struct svcnet_affinity_fixture *fx = svcnet_affinity_fixture(test, 32);
	union nf_inet_addr a;
	u32 i;

	for (i = 1; i <= 40; i++) {
		a = svcnet_client_addr(i);
		svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[i % 2]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.affinity_count), 40);
	/* the backend goes: its clients are forgotten */
	svcnet_affinity_flush(&fx->sn, NULL, &fx->be[0]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.affinity_count), 20);
	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 2));
	KUNIT_EXPECT_NOT_NULL(test, svcnet_sticky(fx, 3));
	/* nothing has expired yet */
	svcnet_affinity_gc(&fx->sn);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.affinity_count), 20);
	/* the limit is the flow table's */
	fx->sn.cfg.flow_max = 20;
	a = svcnet_client_addr(99);
	svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[1]);
	KUNIT_EXPECT_NULL(test, svcnet_sticky(fx, 99));
	svcnet_affinity_fixture_free(test, fx);
}

/* The collector walks a slice per call and goes on where it stopped. */
static void svcnet_affinity_gc_slice_test(struct kunit *test)
{
	struct svcnet_affinity_fixture *fx = svcnet_affinity_fixture(test, 32);
	struct svcnet_affinity_key key;
	struct svcnet_affinity *e;
	union nf_inet_addr a;
	int removed, calls = 0;
	u32 i;

	fx->sn.cfg.flow_max = 2000;
	for (i = 0; i < 1000; i++) {
		a.ip = htonl(0x0a100000 + i);
		svcnet_affinity_set(&fx->sn, &fx->svc, &a, &fx->be[0]);
		if (i % 2)
			continue;
		/* every other entry has expired */
		svcnet_affinity_key(&key, &fx->svc, &a);
		rcu_read_lock();
		e = rhashtable_lookup(&fx->sn.affinity, &key,
				      svcnet_affinity_params);
		if (e)
			WRITE_ONCE(e->expires, jiffies - 1);
		rcu_read_unlock();
	}
	KUNIT_ASSERT_EQ(test, atomic_read(&fx->sn.affinity_count), 1000);
	svcnet_affinity_gc_slice(&fx->sn, 100);
	removed = 1000 - atomic_read(&fx->sn.affinity_count);
	/* about half of the ~100 entries looked at */
	KUNIT_EXPECT_GT(test, removed, 0);
	KUNIT_EXPECT_LT(test, removed, 200);
	KUNIT_EXPECT_TRUE(test, fx->sn.aff_gc_walking);
	while (fx->sn.aff_gc_walking && ++calls < 100)
		svcnet_affinity_gc_slice(&fx->sn, 100);
	/* the pass ended at the end of the table, every expired entry gone */
	KUNIT_EXPECT_FALSE(test, fx->sn.aff_gc_walking);
	KUNIT_EXPECT_GE(test, calls, 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.affinity_count), 500);
	/* a walk left half done is ended with the namespace */
	svcnet_affinity_gc_slice(&fx->sn, 10);
	KUNIT_EXPECT_TRUE(test, fx->sn.aff_gc_walking);
	svcnet_affinity_fixture_free(test, fx);
}

static struct kunit_case svcnet_affinity_test_cases[] = {
	KUNIT_CASE(svcnet_affinity_remember_test),
	KUNIT_CASE(svcnet_affinity_mask_test),
	KUNIT_CASE(svcnet_affinity_gc_flush_test),
	KUNIT_CASE(svcnet_affinity_gc_slice_test),
	{}
};

static struct kunit_suite svcnet_affinity_test_suite = {
	.name = "svcnet_affinity",
	.test_cases = svcnet_affinity_test_cases,
};

kunit_test_suite(svcnet_affinity_test_suite);
