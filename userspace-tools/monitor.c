// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet monitor: configuration events as they happen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "api.h"
#include "ipc.h"
#include "json.h"
#include "parse.h"
#include "svcnet.h"
#include "usage.h"

static const char *event_name(uint8_t cmd, const struct event *ev)
{
	switch (cmd) {
	case SVCNET_CMD_SERVICE_NEW: return "service add";
	case SVCNET_CMD_SERVICE_SET: return "service set";
	case SVCNET_CMD_SERVICE_DEL: return "service del";
	case SVCNET_CMD_BACKEND_NEW: return "backend add";
	case SVCNET_CMD_BACKEND_SET:
		return ev->b.draining ? "backend drain" : "backend set";
	case SVCNET_CMD_BACKEND_DEL: return "backend del";
	case SVCNET_CMD_FLOW_FLUSH: return "flow flush";
	}
	return NULL;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct event ev;
	const char *name;
	char ep[80], host[64];
	struct json j;

	if (event_parse(nlh, &ev))
		goto out;
	name = event_name(g->cmd, &ev);
	if (!name)
		goto out;
	if (opts.json) {
		json_init(&j, stdout);
		json_open_object(&j, NULL);
		json_string(&j, "event", name);
		if (ev.s.ifname[0])
			json_string(&j, "ifname", ev.s.ifname);
		if (ev.has_svc) {
			json_string(&j, "protocol", proto_name(ev.s.proto));
			inet_ntop(ev.s.addr.family, ev.s.addr.raw, host, sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", ev.s.port);
			json_string(&j, "scheduler", sched_name(ev.s.sched));
		}
		if (ev.has_be) {
			json_open_object(&j, "backend");
			inet_ntop(ev.b.addr.family, ev.b.addr.raw, host, sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", ev.b.port);
			json_u64(&j, "weight", ev.b.weight);
			if (ev.b.draining)
				json_u64(&j, "drain", ev.b.drain_left);
			json_close_object(&j);
		}
		if (ev.has_gen)
			json_u64(&j, "generation", ev.generation);
		if (ev.has_purged)
			json_u64(&j, "purged", ev.purged);
		json_close_object(&j);
	} else {
		printf("%s", name);
		if (ev.s.ifname[0])
			printf(" %s", ev.s.ifname);
		if (ev.has_svc)
			printf(" %s %s sched %s", proto_name(ev.s.proto),
			       format_endpoint(&ev.s.addr, ev.s.port, ep, sizeof(ep)),
			       sched_name(ev.s.sched));
		if (ev.has_be) {
			printf(" backend %s weight %u",
			       format_endpoint(&ev.b.addr, ev.b.port, ep, sizeof(ep)),
			       ev.b.weight);
			if (ev.b.draining)
				printf(" drain %us", ev.b.drain_left);
		}
		if (ev.has_purged)
			printf(" purged %u", ev.purged);
		printf("\n");
	}
	fflush(stdout);
out:
	svc_info_free(&ev.s);
	return MNL_CB_OK;
}

static void monitor_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-j] monitor\n"
		"\n"
		"Print configuration events of the network namespace as they happen,\n"
		"one per line (JSON objects with -j): service add|set|del, backend\n"
		"add|set|drain|del (a del at the end of a drain comes from the kernel),\n"
		"flow flush; deletions and flushes tell how many flows they purged.\n",
		prog);
}

int cmd_monitor(int argc, char **argv)
{
	struct ipc ipc;
	ssize_t len;
	int ret;

	if (argc && is_help(argv[0])) {
		monitor_usage(stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error("monitor", "unexpected argument '%s'", argv[0]);
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	if (!ipc.mcgrp_events) {
		fprintf(stderr, "svcnet: the kernel module has no events group\n");
		ipc_close(&ipc);
		return EXIT_KERNEL;
	}
	if (mnl_socket_setsockopt(ipc.nl, NETLINK_ADD_MEMBERSHIP,
				  &ipc.mcgrp_events,
				  sizeof(ipc.mcgrp_events)) < 0) {
		fprintf(stderr, "svcnet: cannot join the events group: %s\n",
			strerror(errno));
		ipc_close(&ipc);
		return EXIT_KERNEL;
	}
	for (;;) {
		len = mnl_socket_recvfrom(ipc.nl, ipc.buf, IPC_BUFSIZE);
		if (len < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr, "svcnet: events were lost (receive buffer full)\n");
				continue;
			}
			fprintf(stderr, "svcnet: %s\n", strerror(errno));
			break;
		}
		mnl_cb_run(ipc.buf, len, 0, 0, event_cb, NULL);
	}
	ipc_close(&ipc);
	return EXIT_KERNEL;
}
