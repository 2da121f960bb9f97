// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet show and set: the svcnet devices of the current network namespace,
 * their counters and settings.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "json.h"
#include "api.h"
#include "parse.h"
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
	[SVCNET_DROP_TOO_BIG] = "too-big",
};

/* The name of drop reason @r (enum svcnet_drop_reason), NULL past the last. */
const char *drop_name(unsigned int r)
{
	return r < sizeof(drop_names) / sizeof(drop_names[0]) ?
	       drop_names[r] : NULL;
}

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
		if (d->fast_path >= 0) {
			json_bool(&j, "fast_path",
				  d->fast_path != SVCNET_FAST_PATH_OFF);
			if (fast_path_name(d->fast_path))
				json_string(&j, "fast_path_mode",
					    fast_path_name(d->fast_path));
			else
				json_u64(&j, "fast_path_mode", d->fast_path);
		}
		if (opts.stats) {
			json_open_object(&j, "stats");
			json_u64(&j, "tx_packets", d->tx_packets);
			json_u64(&j, "tx_bytes", d->tx_bytes);
			json_u64(&j, "rx_packets", d->rx_packets);
			json_u64(&j, "rx_bytes", d->rx_bytes);
			json_u64(&j, "fragments", d->fragments);
			json_u64(&j, "fast_path_packets",
				 d->fast_path_packets);
			json_open_object(&j, "drops");
			for (r = 1; drop_name(r); r++)
				json_u64(&j, drop_name(r), d->drops[r]);
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

		printf("%s: ifindex %u", d->ifname, d->ifindex);
		if (fast_path_name(d->fast_path))
			printf(" fast-path %s", fast_path_name(d->fast_path));
		else if (d->fast_path >= 0)
			printf(" fast-path %d", d->fast_path);
		printf("\n");
		if (!opts.stats)
			continue;
		printf("    tx: %llu packets %llu bytes\n",
		       (unsigned long long)d->tx_packets,
		       (unsigned long long)d->tx_bytes);
		printf("    rx: %llu packets %llu bytes\n",
		       (unsigned long long)d->rx_packets,
		       (unsigned long long)d->rx_bytes);
		printf("    tx by the fast path: %llu packets\n",
		       (unsigned long long)d->fast_path_packets);
		printf("    fragments in reassembly: %llu\n",
		       (unsigned long long)d->fragments);
		printf("    drops:");
		for (r = 1; drop_name(r); r++)
			printf(" %s %llu", drop_name(r),
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
		"  -j  JSON: an array of {ifname, ifindex, generation, fast_path,\n"
		"      fast_path_mode[, stats]}\n"
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

static void set_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s set [dev] DEV [fast-path on|off|direct|notrack]\n"
		"           [hash-key HEX|random]\n"
		"\n"
		"Change a device's settings.\n"
		"  fast-path  established flows of forwarded clients translated\n"
		"             before routing, forwarded once (on when created);\n"
		"             direct: source-NATed and tunnelled ones also sent\n"
		"             without conntrack and FORWARD between the\n"
		"             collector's visits; notrack: and never seen by\n"
		"             conntrack (svcnet(8), FAST PATH)\n"
		"  hash-key   the key of maglev and sh: 32 hex digits, the same on\n"
		"             every balancer of a fleet, or a new random one (random\n"
		"             when created); 'svcnet save' prints it\n",
		prog);
}

/* the value of setting argv[*i] ("NAME VALUE"), advancing *i; NULL: error */
static const char *set_value(int argc, char **argv, int *i, bool given,
			     const char *what)
{
	const char *name = argv[*i];

	if (given) {
		usage_error("set", "'%s' given twice", name);
		return NULL;
	}
	if (*i + 1 == argc) {
		usage_error("set", "'%s' needs %s", name, what);
		return NULL;
	}
	*i += 2;
	return argv[*i - 1];
}

int cmd_set(int argc, char **argv)
{
	uint8_t key[SVCNET_HASH_KEY_LEN];
	bool has_key = false;
	const char *dev = NULL, *v;
	struct nlmsghdr *nlh;
	int fast = -1, i = 0;
	struct ipc ipc;
	int ret;

	if (argc && is_help(argv[0])) {
		set_usage(stdout);
		return EXIT_OK;
	}
	if (i < argc && !strcmp(argv[i], "dev"))
		i++;
	if (i == argc)
		return usage_error("set", "a device name is needed");
	dev = argv[i++];
	if (!*dev || strlen(dev) >= IF_NAMESIZE)
		return usage_error("set", "'%s' is not a valid device name", dev);
	while (i < argc) {
		if (!strcmp(argv[i], "fast-path")) {
			v = set_value(argc, argv, &i, fast >= 0,
				      "on, off, direct or notrack");
			if (!v)
				return EXIT_USAGE;
			for (fast = SVCNET_FAST_PATH_MAX; fast >= 0; fast--)
				if (!strcmp(v, fast_path_name(fast)))
					break;
			if (fast < 0)
				return usage_error("set",
						   "fast-path '%s': on, off, direct or notrack",
						   v);
		} else if (!strcmp(argv[i], "hash-key")) {
			v = set_value(argc, argv, &i, has_key, "HEX or random");
			if (!v)
				return EXIT_USAGE;
			if (!strcmp(v, "random")) {
				if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
					fprintf(stderr, "%s: getrandom: %s\n",
						prog, strerror(errno));
					return EXIT_KERNEL;
				}
			} else if (!parse_hash_key(v, key)) {
				return usage_error("set",
						   "hash-key '%s': %d hex digits or random",
						   v, 2 * SVCNET_HASH_KEY_LEN);
			}
			has_key = true;
		} else {
			return usage_error("set", "unknown setting '%s'", argv[i]);
		}
	}
	if (fast < 0 && !has_key)
		return usage_error("set", "nothing to set");

	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_DEV_SET, 0);
	put_dev_name(nlh, dev);
	if (fast >= 0)
		put_fast_path(nlh, fast);
	if (has_key)
		put_hash_key(nlh, key);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	return ret;
}
