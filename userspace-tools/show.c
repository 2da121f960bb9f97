// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet show: list svcnet devices of the current network namespace.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "json.h"
#include "api.h"
#include "svcnet.h"

static const char *const drop_names[] = {
	[SVCNET_DROP_NO_SERVICE] = "no-service",
	[SVCNET_DROP_MALFORMED] = "malformed",
	[SVCNET_DROP_PROTO] = "protocol",
	[SVCNET_DROP_NO_BACKEND] = "no-backend",
	[SVCNET_DROP_FLOW_LIMIT] = "flow-limit",
	[SVCNET_DROP_NO_ROUTE] = "no-route",
	[SVCNET_DROP_LOOP] = "loop",
	[SVCNET_DROP_NO_FLOW] = "no-flow",
	[SVCNET_DROP_FRAGMENT] = "fragment",
	[SVCNET_DROP_SOURCE] = "source",
	[SVCNET_DROP_NO_PORT] = "no-port",
};

#define N_DROPS (sizeof(drop_names) / sizeof(drop_names[0]))

static void print_json(const struct dev_list *l)
{
	struct json j;
	size_t i, r;

	json_init(&j, stdout);
	json_open_array(&j, NULL);
	for (i = 0; i < l->n; i++) {
		const struct dev_info *d = &l->devs[i];

		json_open_object(&j, NULL);
		json_string(&j, "ifname", d->ifname);
		json_u64(&j, "ifindex", d->ifindex);
		json_u64(&j, "generation", d->generation);
		if (opts.stats) {
			json_open_object(&j, "stats");
			json_u64(&j, "tx_packets", d->tx_packets);
			json_u64(&j, "tx_bytes", d->tx_bytes);
			json_u64(&j, "rx_packets", d->rx_packets);
			json_u64(&j, "rx_bytes", d->rx_bytes);
			json_u64(&j, "fragments", d->fragments);
			json_open_object(&j, "drops");
			for (r = 1; r < N_DROPS; r++)
				json_u64(&j, drop_names[r], d->drops[r]);
			json_close_object(&j);
			tls_stats_json(&j, &d->tls);
			json_close_object(&j);
		}
		json_close_object(&j);
	}
	json_close_array(&j);
}

static void print_text(const struct dev_list *l)
{
	size_t i, r;

	for (i = 0; i < l->n; i++) {
		const struct dev_info *d = &l->devs[i];

		printf("%s: ifindex %u\n", d->ifname, d->ifindex);
		if (!opts.stats)
			continue;
		printf("    tx: %llu packets %llu bytes\n",
		       (unsigned long long)d->tx_packets,
		       (unsigned long long)d->tx_bytes);
		printf("    rx: %llu packets %llu bytes\n",
		       (unsigned long long)d->rx_packets,
		       (unsigned long long)d->rx_bytes);
		printf("    fragments in reassembly: %llu\n",
		       (unsigned long long)d->fragments);
		printf("    drops:");
		for (r = 1; r < N_DROPS; r++)
			printf(" %s %llu", drop_names[r],
			       (unsigned long long)d->drops[r]);
		printf("\n");
		tls_stats_text("    ", &d->tls);
	}
}

static void show_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-j] [-s] show [[dev] DEV]\n"
		"\n"
		"Show the svcnet devices of the current network namespace, or DEV.\n"
		"  -j  JSON: an array of {ifname, ifindex, generation[, stats]}\n"
		"  -s  counters: packets and bytes each way, drops by reason\n",
		prog);
}

int cmd_show(int argc, char **argv)
{
	struct dev_list l = { 0 };
	const char *dev = NULL;
	struct nlmsghdr *nlh;
	struct ipc ipc;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			show_usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "dev")) {
			if (++i == argc)
				return usage_error("show", "'dev' needs a device name");
		}
		if (dev)
			return usage_error("show", "unexpected argument '%s'", argv[i]);
		dev = argv[i];
		if (!*dev || strlen(dev) >= IF_NAMESIZE)
			return usage_error("show", "'%s' is not a valid device name", dev);
	}

	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_DEV_GET, dev ? 0 : NLM_F_DUMP);
	put_dev_name(nlh, dev);
	ret = ipc_run(&ipc, nlh, dev_cb, &l);
	ipc_close(&ipc);
	if (!ret) {
		if (opts.json)
			print_json(&l);
		else
			print_text(&l);
	}
	free(l.devs);
	return ret;
}
