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
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void batch_add(struct route_batch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int oif_attr_cb(const struct nlattr *attr, void *data)
{
	uint32_t *oif = data;

	if (mnl_attr_get_type(attr) == RTA_OIF &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		*oif = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
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

struct lookup {
	const struct addr *addrs;
	unsigned int ifindex;
	bool *need;		/* no route into the device yet */
};

static void lookup_cb(unsigned int i, const struct nlmsghdr *nlh, void *data)
{
	struct lookup *l = data;
	uint32_t oif = 0;

	/* no route at all (an error) is not an error here */
	if (nlh->nlmsg_type == RTM_NEWROUTE)
		mnl_attr_parse(nlh, sizeof(struct rtmsg), oif_attr_cb, &oif);
	l->need[i] = oif != l->ifindex;
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
	struct lookup l = { .ifindex = ifindex };
	int err[ROUTE_BATCH], ret = EXIT_OK;
	char text[INET6_ADDRSTRLEN];
	unsigned int idx[ROUTE_BATCH];
	bool need[ROUTE_BATCH];
	struct route_batch b;
	size_t at, i, k, m;

	memset(added, 0, n * sizeof(*added));
	if (batch_open(&b))
		return EXIT_KERNEL;
	l.need = need;
	for (at = 0; at < n && !ret; at += k) {
		k = n - at < ROUTE_BATCH ? n - at : ROUTE_BATCH;
		for (i = 0; i < k; i++)
			batch_add(&b, route_msg(&b, RTM_GETROUTE, 0,
						&addrs[at + i]));
		l.addrs = addrs + at;
		if (batch_run(&b, k, lookup_cb, &l)) {
			ret = EXIT_KERNEL;
			break;
		}
		for (i = 0, m = 0; i < k; i++) {
			if (!need[i])
				continue;
			put_route(&b, &addrs[at + i], ifindex, true);
			idx[m++] = at + i;
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
