// SPDX-License-Identifier: GPL-2.0
/*
 * The host routes that send service addresses into their svcnet device.
 * svcnet adds one with protocol SVCNET_RTPROT when no route into the device
 * covers the address yet, and removes only routes of that protocol.
 *
 * Many addresses (an apply file's) go in batches over one rtnetlink
 * socket: the requests of a batch in one send, their answers matched by
 * sequence number. A batch of changes asks no ack of each request but
 * ends with a NLMSG_NOOP that does: errors come back on their own, and the
 * noop's ack says the kernel has handled all of the batch.
 *
 * Each address is looked up as `ip route get fibmatch` does: the answer is
 * the route that matched. When that route leads into the device and
 * covers more than the address, the host's routing rules and tables are
 * read once: if the rules are the default ones (tables local, main and
 * default, nothing else) and none of those tables holds another route
 * inside that prefix, every address of the prefix takes the same route,
 * and the sorted addresses that follow within it need no lookup of their
 * own. A service range routed into the device thus costs one lookup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "parse.h"
#include "route.h"

#define ROUTE_BATCH 64
#define ROUTE_MSG_MAX 64	/* bytes of one request, aligned */

struct route_batch {
	struct ipc ipc;
	char *req;		/* ROUTE_BATCH requests; answers go to ipc.buf */
	size_t len;		/* of the requests so far */
	uint32_t first;		/* sequence number of the first request */
};

static int batch_open(struct route_batch *b)
{
	memset(b, 0, sizeof(*b));
	if (ipc_open_route(&b->ipc))
		return EXIT_KERNEL;
	b->req = malloc(ROUTE_BATCH * ROUTE_MSG_MAX + ROUTE_MSG_MAX);
	if (!b->req) {
		fprintf(stderr, "svcnet: out of memory\n");
		ipc_close(&b->ipc);
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

static void batch_close(struct route_batch *b)
{
	ipc_close(&b->ipc);
	free(b->req);
}

static struct nlmsghdr *batch_msg(struct route_batch *b, uint16_t type,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->req + b->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++b->ipc.seq;
	if (!b->len)
		b->first = nlh->nlmsg_seq;
	return nlh;
}

static struct nlmsghdr *route_msg(struct route_batch *b, uint16_t type,
				  uint16_t flags, const struct addr *a)
{
	struct nlmsghdr *nlh = batch_msg(b, type, flags);
	struct rtmsg *rtm;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = a->family;
	rtm->rtm_dst_len = a->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, addr_len(a), a->raw);
	return nlh;
}

/* `ip route get fibmatch ADDR`: the route that matches, as it is */
static struct nlmsghdr *lookup_msg(struct route_batch *b, const struct addr *a)
{
	struct nlmsghdr *nlh = route_msg(b, RTM_GETROUTE, 0, a);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	rtm->rtm_flags = RTM_F_FIB_MATCH;
	return nlh;
}

static void batch_add(struct route_batch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/*
 * Send the batch and take its answers: @on(index in the batch, message)
 * for each, until @want answers came or a NLMSG_NOOP's ack (@want 0).
 */
static int batch_run(struct route_batch *b, unsigned int want,
		     void (*on)(unsigned int i, const struct nlmsghdr *nlh,
				void *data), void *data)
{
	uint32_t last = b->ipc.seq, portid;
	unsigned int got = 0;
	bool done = false;
	ssize_t len;

	portid = mnl_socket_get_portid(b->ipc.nl);
	if (mnl_socket_sendto(b->ipc.nl, b->req, b->len) < 0)
		goto err;
	b->len = 0;
	while (!done) {
		const struct nlmsghdr *nlh;
		int n;

		len = mnl_socket_recvfrom(b->ipc.nl, b->ipc.buf, IPC_BUFSIZE);
		if (len < 0)
			goto err;
		n = len;
		for (nlh = (void *)b->ipc.buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_pid != portid ||
			    nlh->nlmsg_seq < b->first || nlh->nlmsg_seq > last)
				continue;
			if (!want && nlh->nlmsg_seq == last) {
				done = true;
				continue;
			}
			on(nlh->nlmsg_seq - b->first, nlh, data);
			if (want && ++got == want)
				done = true;
		}
	}
	return 0;
err:
	fprintf(stderr, "svcnet: rtnetlink: %s\n", strerror(errno));
	return -1;
}

static int msg_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return EPROTO;
	return -e->error;
}

/* A route's destination prefix, in the table that holds it. */
struct prefix {
	uint8_t raw[16];
	uint8_t len;
	uint32_t table;
};

/* What the host's rules and tables say about one address family. */
struct fib_view {
	bool loaded;
	bool plain;		/* default rules, no source-specific routes */
	struct prefix *routes;	/* of tables local, main, default; sorted */
	size_t n, cap;
};

static bool prefix_has(const struct prefix *p, const uint8_t *raw)
{
	unsigned int bytes = p->len / 8, bits = p->len % 8;

	if (memcmp(p->raw, raw, bytes))
		return false;
	return !bits || !((p->raw[bytes] ^ raw[bytes]) & (0xff00 >> bits));
}

static bool table_plain(uint32_t table)
{
	return table == RT_TABLE_LOCAL || table == RT_TABLE_MAIN ||
	       table == RT_TABLE_DEFAULT;
}

static int rule_attr_cb(const struct nlattr *attr, void *data)
{
	bool *plain = data;

	switch (mnl_attr_get_type(attr)) {
	case FRA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0 ||
		    !table_plain(mnl_attr_get_u32(attr)))
			*plain = false;
		break;
	case FRA_SUPPRESS_PREFIXLEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0 ||
		    mnl_attr_get_u32(attr) != UINT32_MAX)
			*plain = false;
		break;
	case FRA_PRIORITY:
	case FRA_PROTOCOL:
		break;
	default:		/* a selector, a goto, ... */
		*plain = false;
	}
	return MNL_CB_OK;
}

/* Each rule: only "lookup local|main|default" with no selector is plain. */
static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct fib_view *v = data;

	if (nlh->nlmsg_type != RTM_NEWRULE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*frh)) || frh->dst_len ||
	    frh->src_len || frh->tos || frh->action != FR_ACT_TO_TBL ||
	    frh->flags) {
		v->plain = false;
		return MNL_CB_OK;
	}
	mnl_attr_parse(nlh, sizeof(*frh), rule_attr_cb, &v->plain);
	return MNL_CB_OK;
}

struct route_attrs {
	const struct nlattr *dst, *table, *oif;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *a = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		a->dst = attr;
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->table = attr;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->oif = attr;
		break;
	}
	return MNL_CB_OK;
}

/* The prefix and table of a route message; false if it is malformed. */
static bool route_prefix(const struct nlmsghdr *nlh, struct route_attrs *a,
			 struct prefix *p)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	unsigned int alen = rtm->rtm_family == AF_INET ? 4 : 16;

	memset(a, 0, sizeof(*a));
	memset(p, 0, sizeof(*p));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)) ||
	    rtm->rtm_dst_len > alen * 8)
		return false;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, a);
	if (a->dst && mnl_attr_get_payload_len(a->dst) != alen)
		return false;
	if (a->dst)
		memcpy(p->raw, mnl_attr_get_payload(a->dst), alen);
	p->len = rtm->rtm_dst_len;
	p->table = a->table ? mnl_attr_get_u32(a->table) : rtm->rtm_table;
	return true;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct fib_view *v = data;
	struct route_attrs a;
	struct prefix p, *r;

	if (nlh->nlmsg_type != RTM_NEWROUTE || !route_prefix(nlh, &a, &p)) {
		v->plain = false;
		return MNL_CB_OK;
	}
	if (rtm->rtm_src_len)	/* an IPv6 source route */
		v->plain = false;
	if (!table_plain(p.table))
		return MNL_CB_OK;
	r = array_reserve(v->routes, v->n, &v->cap, sizeof(*r), 64);
	if (!r) {
		v->plain = false;
		return MNL_CB_OK;
	}
	v->routes = r;
	v->routes[v->n++] = p;
	return MNL_CB_OK;
}

/* A dump request of @type for @family, its answers to @cb; 0 or an errno. */
static int dump(struct route_batch *b, uint16_t type, uint8_t family,
		ipc_msg_cb cb, void *data)
{
	struct nlmsghdr *nlh = batch_msg(b, type, NLM_F_DUMP);
	struct rtmsg *rtm;

	b->len = 0;
	/* struct fib_rule_hdr has the size and family field of struct rtmsg */
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	return ipc_run_quiet(&b->ipc, nlh, cb, data);
}

static int prefix_cmp(const void *a, const void *b)
{
	return memcmp(((const struct prefix *)a)->raw,
		      ((const struct prefix *)b)->raw, 16);
}

/* Read the rules and routes of @family once; false if that failed. */
static void fib_load(struct route_batch *b, struct fib_view *v, uint8_t family)
{
	int err;

	v->loaded = true;
	v->plain = true;
	err = dump(b, RTM_GETRULE, family, rule_cb, v);
	/* a kernel without policy routing has no rules: only its tables */
	if (err && err != EOPNOTSUPP && err != EAFNOSUPPORT)
		v->plain = false;
	if (v->plain && dump(b, RTM_GETROUTE, family, route_cb, v))
		v->plain = false;
	if (v->plain)
		qsort(v->routes, v->n, sizeof(*v->routes), prefix_cmp);
}

/*
 * Does every address of @p take the route @p, the one an address of it
 * matched? Yes if no other route of the tables lies within @p.
 */
static bool prefix_alone(const struct fib_view *v, const struct prefix *p)
{
	size_t lo = 0, hi = v->n, i;

	if (!v->plain)
		return false;
	while (lo < hi) {	/* the first route not below @p's address */
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(v->routes[mid].raw, p->raw, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < v->n && prefix_has(p, v->routes[i].raw); i++) {
		const struct prefix *r = &v->routes[i];

		if (r->len < p->len)	/* holds @p: the same for all of it */
			continue;
		if (r->len == p->len && r->table == p->table)
			continue;	/* @p itself */
		return false;
	}
	return true;
}

struct lookup {
	unsigned int ifindex;
	bool *need;		/* no route into the device yet */
	struct prefix *via;	/* the route into the device that matched */
};

/* The answer to `ip route get fibmatch ADDR`. */
static void lookup_cb(unsigned int i, const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct lookup *l = data;
	struct route_attrs a;

	l->need[i] = true;
	/* no route at all (an error) is not an error here */
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    !route_prefix(nlh, &a, &l->via[i]) ||
	    rtm->rtm_type != RTN_UNICAST || !a.oif ||
	    mnl_attr_get_u32(a.oif) != l->ifindex)
		return;
	l->need[i] = false;
}

/* The kernel's answer to each change of a batch: 0 or an errno. */
static void change_cb(unsigned int i, const struct nlmsghdr *nlh, void *data)
{
	int *err = data;

	if (i < ROUTE_BATCH)
		err[i] = msg_error(nlh);
}

static void put_route(struct route_batch *b, const struct addr *a,
		      unsigned int ifindex, bool add)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = route_msg(b, add ? RTM_NEWROUTE : RTM_DELROUTE,
			add ? NLM_F_CREATE | NLM_F_EXCL : 0, a);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = SVCNET_RTPROT;
	rtm->rtm_scope = add ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	if (add)
		rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	batch_add(b, nlh);
}

/* The changes of one batch, a noop with an ack last; @err: one per change. */
static int run_changes(struct route_batch *b, int *err)
{
	memset(err, 0, ROUTE_BATCH * sizeof(*err));
	batch_add(b, batch_msg(b, NLMSG_NOOP, NLM_F_ACK));
	return batch_run(b, 0, change_cb, err);
}

int routes_ensure(const struct addr *addrs, size_t n, unsigned int ifindex,
		  bool *added)
{
	struct fib_view views[2] = { { .loaded = false } };
	int err[ROUTE_BATCH], ret = EXIT_OK;
	struct prefix via[ROUTE_BATCH];
	char text[INET6_ADDRSTRLEN];
	unsigned int idx[ROUTE_BATCH];
	struct lookup l = { .ifindex = ifindex, .via = via };
	struct prefix cover = { .len = 0 };
	uint8_t cover_family = 0;	/* none yet */
	bool need[ROUTE_BATCH];
	struct route_batch b;
	size_t at = 0, i, k, m;

	memset(added, 0, n * sizeof(*added));
	if (batch_open(&b))
		return EXIT_KERNEL;
	l.need = need;
	while (at < n && !ret) {
		/* a batch of lookups, but for addresses known to be covered */
		for (k = 0; at < n && k < ROUTE_BATCH; at++) {
			if (addrs[at].family == cover_family &&
			    prefix_has(&cover, addrs[at].raw))
				continue;
			batch_add(&b, lookup_msg(&b, &addrs[at]));
			idx[k++] = at;
		}
		if (!k)
			break;
		if (batch_run(&b, k, lookup_cb, &l)) {
			ret = EXIT_KERNEL;
			break;
		}
		/* only addresses after this batch can be spared a lookup */
		for (i = 0; i < k && at < n; i++) {
			const struct addr *a = &addrs[idx[i]];
			struct fib_view *v = &views[a->family == AF_INET6];

			if (need[i] || via[i].len == addr_len(a) * 8)
				continue;
			if (!v->loaded)
				fib_load(&b, v, a->family);
			if (!prefix_alone(v, &via[i]))
				continue;
			/* sorted: later addresses never fall in an earlier one */
			cover = via[i];
			cover_family = a->family;
		}
		for (i = 0, m = 0; i < k; i++) {
			if (!need[i])
				continue;
			put_route(&b, &addrs[idx[i]], ifindex, true);
			idx[m++] = idx[i];
		}
		if (!m)
			continue;
		if (run_changes(&b, err)) {
			ret = EXIT_KERNEL;
			break;
		}
		for (i = 0; i < m; i++) {
			if (!err[i]) {
				added[idx[i]] = true;
				continue;
			}
			if (!ret)
				fprintf(stderr,
					"svcnet: cannot add the route to the service address %s: %s\n",
					inet_ntop(addrs[idx[i]].family,
						  addrs[idx[i]].raw, text,
						  sizeof(text)),
					strerror(err[i]));
			ret = EXIT_KERNEL;
		}
	}
	free(views[0].routes);
	free(views[1].routes);
	batch_close(&b);
	return ret;
}

int routes_release(const struct addr *addrs, size_t n, unsigned int ifindex)
{
	int err[ROUTE_BATCH], first = 0;
	struct route_batch b;
	size_t at, i, k;

	if (batch_open(&b))
		return EXIT_KERNEL;
	for (at = 0; at < n; at += k) {
		k = n - at < ROUTE_BATCH ? n - at : ROUTE_BATCH;
		for (i = 0; i < k; i++)
			put_route(&b, &addrs[at + i], ifindex, false);
		if (run_changes(&b, err)) {
			first = EPROTO;
			break;
		}
		/* a route the user made, or none: not ours to remove */
		for (i = 0; i < k && !first; i++)
			if (err[i] != ESRCH && err[i] != ENOENT)
				first = err[i];
	}
	batch_close(&b);
	if (first)
		fprintf(stderr, "svcnet: cannot remove the route to the service: %s\n",
			strerror(first));
	return first ? EXIT_KERNEL : EXIT_OK;
}

int route_ensure(const struct addr *a, unsigned int ifindex, bool *added)
{
	return routes_ensure(a, 1, ifindex, added);
}

int route_release(const struct addr *a, unsigned int ifindex)
{
	return routes_release(a, 1, ifindex);
}
