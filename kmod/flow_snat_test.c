// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: flows given a source port of their own (port clashes, hairpin,
 * long lists, the range exhausted) and IPv6 flows, on flow_test.c's
 * fixture.
 */

/*
 * Another service, @t's destination, with a backend at the fixture's
 * backend's address and port: flows of one client port to both clash on
 * replies. Both go with the case, after the fixture's exit has removed
 * their flows.
 */
static struct svcnet_backend *
svcnet_test_service(struct kunit *test, struct svcnet_flow_fixture *fx,
		    const struct svcnet_tuple *t)
{
	struct svcnet_service *svc;
	struct svcnet_backend *be;

	svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, svc);
	be = kunit_kzalloc(test, sizeof(*be), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, be);
	svcnet_test_wire(svc, be, t, &fx->be.addr, fx->be.port);
	return be;
}

static struct svcnet_tuple svcnet_rev_of(const struct svcnet_flow *f)
{
	struct svcnet_tuple rev;

	svcnet_flow_tuples(f, NULL, &rev);
	return rev;
}

/* the flow that the reverse tuple of @f finds */
static const void *svcnet_rev_flow(struct svcnet_net *sn,
				   const struct svcnet_flow *f)
{
	struct svcnet_tuple rev = svcnet_rev_of(f);

	return svcnet_rev(sn, &rev);
}

static bool svcnet_snat_port_ok(const struct svcnet_flow *f)
{
	u16 port = ntohs(svcnet_rev_of(f).dport);

	return svcnet_flow_is_snat(f) && port >= SVCNET_SNAT_PORT_MIN_DEFAULT &&
	       port <= SVCNET_SNAT_PORT_MAX_DEFAULT;
}

/*
 * Two services on one backend, one client port: the second flow keeps the
 * client's address and gets a port of its own, so replies tell them apart.
 */
static void svcnet_flow_reverse_clash_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t = svcnet_client(3);
	struct svcnet_flow *first, *f, *g, *h;
	struct svcnet_backend *be2, *be3;
	bool created;
	int err;

	first = svcnet_test_flow(fx, 3, &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_FALSE(test, svcnet_flow_is_snat(first));

	t.daddr.ip = htonl(0x0a600002);
	be2 = svcnet_test_service(test, fx, &t);
	f = svcnet_flow_create(&fx->sn, &t, be2, SVCNET_FLOW_TCP_SYN, NULL,
			       &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_TRUE(test, created);
	KUNIT_EXPECT_TRUE(test, svcnet_snat_port_ok(f));
	KUNIT_EXPECT_EQ(test, svcnet_rev_of(f).daddr.ip, t.saddr.ip);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_fwd(&fx->sn, &t), (const void *)f);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, f), (const void *)f);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, first),
			    (const void *)first);

	/* the same tuple again: that flow, its port unchanged */
	g = svcnet_flow_create(&fx->sn, &t, be2, SVCNET_FLOW_TCP_SYN, NULL,
			       &created, &err);
	KUNIT_EXPECT_PTR_EQ(test, g, f);
	KUNIT_EXPECT_FALSE(test, created);

	/* a third service: a third port */
	t.daddr.ip = htonl(0x0a600003);
	be3 = svcnet_test_service(test, fx, &t);
	h = svcnet_flow_create(&fx->sn, &t, be3, SVCNET_FLOW_TCP_SYN, NULL,
			       &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_TRUE(test, svcnet_snat_port_ok(h));
	KUNIT_EXPECT_NE(test, svcnet_rev_of(h).dport, svcnet_rev_of(f).dport);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->sn.flow_count), 3);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(&fx->be), 1U);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(be2), 1U);
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(be3), 1U);

	/* its removal frees its port, not the others */
	svcnet_flow_remove(&fx->sn, f);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, first),
			    (const void *)first);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, h), (const void *)h);
}

/* A hairpin flow is source NATed to the given address, a port of the range. */
static void svcnet_flow_hairpin_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	union nf_inet_addr host = { .ip = htonl(0x0a000101) };
	struct svcnet_tuple t = svcnet_client(5);
	struct svcnet_flow *f;
	bool created;
	int err;

	t.saddr = fx->be.addr;
	f = svcnet_flow_create(&fx->sn, &t, &fx->be, SVCNET_FLOW_TCP_SYN, &host,
			       &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_TRUE(test, svcnet_snat_port_ok(f));
	KUNIT_EXPECT_EQ(test, svcnet_rev_of(f).daddr.ip, host.ip);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, f), (const void *)f);
}

/*
 * One client port towards ever more services on one backend: each flow
 * after the first gets a port of the range until none is free
 * (-EADDRINUSE), which changes nothing. Ports are tried at random, so the
 * first refusal may come a little before the range is full.
 */
static void svcnet_flow_port_exhaustion_test(struct kunit *test)
{
	u32 range = SVCNET_SNAT_PORT_MAX_DEFAULT - SVCNET_SNAT_PORT_MIN_DEFAULT + 1;
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t = svcnet_client(9);
	struct svcnet_backend *be;
	struct svcnet_flow *f;
	int err = 0, count;
	bool created;
	u32 i;

	fx->sn.cfg.flow_max = 2 * range;
	for (i = 0; i <= range + 1; i++) {
		t.daddr.ip = htonl(0x0a600000 + i);
		be = svcnet_test_service(test, fx, &t);
		f = svcnet_flow_create(&fx->sn, &t, be, SVCNET_FLOW_UDP,
				       NULL, &created, &err);
		if (!f)
			break;
		KUNIT_EXPECT_EQ(test, svcnet_flow_is_snat(f), i > 0);
	}
	KUNIT_EXPECT_EQ(test, err, -EADDRINUSE);
	KUNIT_EXPECT_LE(test, i, range + 1);
	KUNIT_EXPECT_GT(test, i, range / 2);
	count = atomic_read(&fx->sn.flow_count);
	KUNIT_EXPECT_EQ(test, count, (int)i);
	/* the refused flow's backend counts none */
	KUNIT_EXPECT_EQ(test, svcnet_backend_flows(be), 0U);
	KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
}

/*
 * One client port towards more services than SVCNET_FLOW_CHAIN_MAX, each
 * on a backend of its own: the first flows keep the client's port, the
 * later ones get a port of their own (their lists stay short), and every
 * one is found both ways.
 */
static void svcnet_flow_chain_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_flow *f[SVCNET_FLOW_CHAIN_MAX + 3];
	struct svcnet_tuple t = svcnet_client(11);
	const int n = ARRAY_SIZE(f);
	struct svcnet_backend *be[ARRAY_SIZE(f)];
	bool created;
	int err, i;

	for (i = 0; i < n; i++) {
		t.daddr.ip = htonl(0x0a610000 + i);
		be[i] = svcnet_test_service(test, fx, &t);
		be[i]->addr.ip = htonl(0x0a000200 + i);
		f[i] = svcnet_flow_create(&fx->sn, &t, be[i],
					  SVCNET_FLOW_UDP, NULL, &created,
					  &err);
		KUNIT_ASSERT_NOT_NULL(test, f[i]);
		KUNIT_EXPECT_EQ(test, svcnet_flow_is_snat(f[i]), i >= SVCNET_FLOW_CHAIN_MAX);
	}
	for (i = 0; i < n; i++) {
		t.daddr.ip = htonl(0x0a610000 + i);
		KUNIT_EXPECT_PTR_EQ(test, svcnet_fwd(&fx->sn, &t),
				    (const void *)f[i]);
		KUNIT_EXPECT_PTR_EQ(test, svcnet_rev_flow(&fx->sn, f[i]),
				    (const void *)f[i]);
	}
	svcnet_flow_flush(&fx->sn, NULL, NULL);
	rcu_barrier();
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, refcount_read(&be[i]->ref), 1);
}

/* IPv6 flows: both lookups, and the tuples they give back. */
static void svcnet_flow_ipv6_test(struct kunit *test)
{
	struct svcnet_flow_fixture *fx = svcnet_flow_fixture(test);
	struct svcnet_tuple t = {
		.family = AF_INET6,
		.proto = IPPROTO_UDP,
		.sport = htons(5353),
		.dport = htons(53),
	};
	struct svcnet_tuple fwd, rev;
	struct svcnet_flow *f;
	bool created;
	int err;

	t.saddr.in6.s6_addr32[0] = htonl(0xfd000001);
	t.saddr.in6.s6_addr32[3] = htonl(7);
	t.daddr.in6.s6_addr32[0] = htonl(0xfd000096);
	t.daddr.in6.s6_addr32[3] = htonl(1);
	svcnet_test_key(&fx->svc, &t);
	memset(&fx->be.addr, 0, sizeof(fx->be.addr));
	fx->be.addr.in6.s6_addr32[0] = htonl(0xfd000002);
	fx->be.addr.in6.s6_addr32[3] = htonl(2);
	f = svcnet_flow_create(&fx->sn, &t, &fx->be, SVCNET_FLOW_UDP, NULL,
			       &created, &err);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_FALSE(test, svcnet_flow_is_snat(f));
	svcnet_flow_tuples(f, &fwd, &rev);
	KUNIT_EXPECT_EQ(test, memcmp(&fwd, &t, sizeof(t)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&rev.saddr, &fx->be.addr,
				     sizeof(rev.saddr)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&rev.daddr, &t.saddr, sizeof(t.saddr)),
			0);
	KUNIT_EXPECT_EQ(test, rev.dport, t.sport);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_fwd(&fx->sn, &t), (const void *)f);
	KUNIT_EXPECT_PTR_EQ(test, svcnet_rev(&fx->sn, &rev), (const void *)f);
	/* the same addresses as IPv4 are another flow */
	t.family = AF_INET;
	KUNIT_EXPECT_NULL(test, svcnet_fwd(&fx->sn, &t));
}

static struct kunit_case svcnet_flow_snat_test_cases[] = {
	KUNIT_CASE(svcnet_flow_reverse_clash_test),
	KUNIT_CASE(svcnet_flow_hairpin_test),
	KUNIT_CASE(svcnet_flow_port_exhaustion_test),
	KUNIT_CASE(svcnet_flow_chain_test),
	KUNIT_CASE(svcnet_flow_ipv6_test),
	{}
};

static struct kunit_suite svcnet_flow_snat_test_suite = {
	.name = "svcnet_flow_snat",
	.suite_init = svcnet_flow_suite_init,
	.suite_exit = svcnet_flow_suite_exit,
	.init = svcnet_flow_fixture_init,
	.exit = svcnet_flow_fixture_exit,
	.test_cases = svcnet_flow_snat_test_cases,
};

kunit_test_suite(svcnet_flow_snat_test_suite);
