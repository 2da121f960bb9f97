// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet flow ...: list, delete and flush flows; svcnet config: show and
 * set the flow table's limit and timeouts.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "api.h"
#include "ipc.h"
#include "json.h"
#include "parse.h"
#include "svcnet.h"

static const char *const state_names[] = {
	[SVCNET_FLOW_TCP_SYN] = "syn",
	[SVCNET_FLOW_TCP_EST] = "established",
	[SVCNET_FLOW_TCP_FIN] = "fin",
	[SVCNET_FLOW_TCP_CLOSE] = "close",
	[SVCNET_FLOW_UDP] = "udp",
};

struct flow_print {
	struct json j;
	unsigned long n;
};

static const char *state_name(uint8_t s)
{
	return s < sizeof(state_names) / sizeof(state_names[0]) &&
	       state_names[s] ? state_names[s] : "?";
}

static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flow_print *fp = data;
	struct flow_info f;
	char ifname[IF_NAMESIZE] = "?", a[64], b[64], c[64];

	if (flow_parse(nlh, &f))
		return MNL_CB_ERROR;
	if_indextoname(f.ifindex, ifname);
	fp->n++;
	if (!opts.json) {
		printf("%s %s %s -> %s -> %s %s expires %us", ifname,
		       proto_name(f.proto),
		       format_endpoint(&f.client, f.client_port, a, sizeof(a)),
		       format_endpoint(&f.svc, f.svc_port, b, sizeof(b)),
		       format_endpoint(&f.be, f.be_port, c, sizeof(c)),
		       state_name(f.state), (f.expires + 999) / 1000);
		if (f.snat.family)
			printf(" snat %s", format_endpoint(&f.snat, f.snat_port,
							   a, sizeof(a)));
		if (f.assured)
			printf(" assured");
		if (f.tunnel)
			printf(" tunnel");
		if (f.pickup)
			printf(" picked-up");
		if (f.direct)
			printf(" direct");
		if (f.notrack)
			printf(" notrack");
		printf("\n");
		return MNL_CB_OK;
	}
	json_open_object(&fp->j, NULL);
	json_string(&fp->j, "ifname", ifname);
	json_string(&fp->j, "protocol", proto_name(f.proto));
	inet_ntop(f.client.family, f.client.raw, a, sizeof(a));
	json_string(&fp->j, "client", a);
	json_u64(&fp->j, "client_port", f.client_port);
	inet_ntop(f.svc.family, f.svc.raw, a, sizeof(a));
	json_string(&fp->j, "service", a);
	json_u64(&fp->j, "service_port", f.svc_port);
	inet_ntop(f.be.family, f.be.raw, a, sizeof(a));
	json_string(&fp->j, "backend", a);
	json_u64(&fp->j, "backend_port", f.be_port);
	json_string(&fp->j, "state", state_name(f.state));
	json_bool(&fp->j, "assured", f.assured);
	json_bool(&fp->j, "pickup", f.pickup);
	json_bool(&fp->j, "direct", f.direct);
	json_bool(&fp->j, "notrack", f.notrack);
	json_string(&fp->j, "forward", f.tunnel ? "tunnel" :
		    f.snat.family ? "snat" : "nat");
	json_u64(&fp->j, "expires_ms", f.expires);
	if (f.snat.family) {
		inet_ntop(f.snat.family, f.snat.raw, a, sizeof(a));
		json_string(&fp->j, "snat", a);
		json_u64(&fp->j, "snat_port", f.snat_port);
	}
	json_close_object(&fp->j);
	return MNL_CB_OK;
}

static void flow_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-j] flow show [[dev] DEV]\n"
		"       %s flow del PROTO CLIENT:PORT SERVICE:PORT\n"
		"       %s flow flush [[dev] DEV | SERVICE]\n"
		"\n"
		"SERVICE := [dev] DEV PROTO ADDR:PORT. 'flush' without arguments\n"
		"removes every flow of the network namespace.\n",
		prog, prog, prog);
}

static int flow_show(int argc, char **argv)
{
	struct flow_print fp = { .n = 0 };
	const char *dev = NULL;
	struct nlmsghdr *nlh;
	struct ipc ipc;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "dev") && i + 1 < argc)
			i++;
		if (dev || !valid_ifname(argv[i]))
			return usage_error("flow", "unexpected argument '%s'",
					   argv[i]);
		dev = argv[i];
	}
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_FLOW_GET, NLM_F_DUMP);
	put_dev_name(nlh, dev);
	json_init(&fp.j, stdout);
	if (opts.json)
		json_open_array(&fp.j, NULL);
	ret = ipc_run(&ipc, nlh, flow_cb, &fp);
	if (opts.json)
		json_close_array(&fp.j);
	ipc_close(&ipc);
	return ret;
}

static int flow_del(int argc, char **argv)
{
	struct addr client, svc;
	uint16_t cport, sport;
	struct nlmsghdr *nlh;
	struct ipc ipc;
	uint8_t proto;
	int ret;

	if (argc != 3)
		return usage_error("flow", "'del' needs PROTO CLIENT:PORT SERVICE:PORT");
	if (!parse_proto(argv[0], &proto))
		return usage_error("flow", "'%s' is not a protocol (tcp or udp)",
				   argv[0]);
	if (!parse_endpoint(argv[1], &client, &cport) ||
	    !parse_endpoint(argv[2], &svc, &sport) ||
	    client.family != svc.family)
		return usage_error("flow",
				   "CLIENT:PORT and SERVICE:PORT must be endpoints of one family");
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_FLOW_DEL, 0);
	put_flow_key(nlh, proto, &client, cport, &svc, sport);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	return ret;
}

static int flow_flush(int argc, char **argv)
{
	struct svc_arg svc = { 0 };
	struct nlmsghdr *nlh;
	struct ipc ipc;
	int i = 0, ret;

	if (argc > 2 || (argc == 2 && strcmp(argv[0], "dev"))) {
		ret = parse_service("flow", argc, argv, &i, &svc);
		if (ret)
			return ret;
		if (i != argc)
			return usage_error("flow", "unexpected argument '%s'",
					   argv[i]);
	} else if (argc) {
		svc.dev = argv[argc - 1];
		if (!valid_ifname(svc.dev))
			return usage_error("flow", "'%s' is not a valid device name",
					   svc.dev);
	}
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_FLOW_FLUSH, 0);
	put_flush_target(nlh, &svc);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	return ret;
}

int cmd_flow(int argc, char **argv)
{
	if (!argc)
		return flow_show(0, NULL);
	if (is_help(argv[0]) || (argc > 1 && is_help(argv[1]))) {
		flow_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return flow_show(argc - 1, argv + 1);
	if (!strcmp(argv[0], "del"))
		return flow_del(argc - 1, argv + 1);
	if (!strcmp(argv[0], "flush"))
		return flow_flush(argc - 1, argv + 1);
	return usage_error("flow", "unknown flow command '%s'", argv[0]);
}

/* --- config --- */

static void config_usage(FILE *out)
{
	size_t k;

	fprintf(out,
		"Usage: %s [-j] config [show]\n"
		"       %s config set KEY VALUE [KEY VALUE ...]\n"
		"\nKEY (timeouts in seconds):\n", prog, prog);
	for (k = 0; k < N_CFG; k++)
		fprintf(out, "  %-18s 1..%u\n", cfg_keys[k].name, cfg_keys[k].max);
}

int cmd_config(int argc, char **argv)
{
	struct cfg_info c;
	uint32_t set[N_CFG];
	bool have[N_CFG] = { false };
	struct nlmsghdr *nlh;
	struct ipc ipc;
	struct json j;
	size_t k;
	int i, ret;

	if (argc && (is_help(argv[0]) || (argc > 1 && is_help(argv[1])))) {
		config_usage(stdout);
		return EXIT_OK;
	}
	if (argc && strcmp(argv[0], "show") && strcmp(argv[0], "set"))
		return usage_error("config", "unknown config command '%s'", argv[0]);
	if (argc && !strcmp(argv[0], "show") && argc > 1)
		return usage_error("config", "unexpected argument '%s'", argv[1]);
	if (argc && !strcmp(argv[0], "set")) {
		if (argc < 3 || !(argc % 2))
			return usage_error("config", "'set' needs KEY VALUE pairs");
		for (i = 1; i < argc; i += 2) {
			for (k = 0; k < N_CFG; k++)
				if (!strcmp(argv[i], cfg_keys[k].name))
					break;
			if (k == N_CFG)
				return usage_error("config", "unknown key '%s'", argv[i]);
			if (!parse_u32(argv[i + 1], cfg_keys[k].max, &set[k]) ||
			    !set[k])
				return usage_error("config",
						   "'%s' for %s is not in 1..%u",
						   argv[i + 1], argv[i], cfg_keys[k].max);
			have[k] = true;
		}
		ret = ipc_open(&ipc);
		if (ret)
			return ret;
		nlh = ipc_msg(&ipc, SVCNET_CMD_CONFIG_SET, 0);
		put_config(nlh, set, have);
		ret = ipc_run(&ipc, nlh, NULL, NULL);
		ipc_close(&ipc);
		return ret;
	}
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_CONFIG_GET, 0);
	ret = ipc_run(&ipc, nlh, cfg_cb, &c);
	ipc_close(&ipc);
	if (ret)
		return ret;
	if (opts.json) {
		json_init(&j, stdout);
		json_open_object(&j, NULL);
		json_u64(&j, "flow-count", c.flow_count);
		json_u64(&j, "affinity-count", c.affinity_count);
		json_u64(&j, "flows-evicted", c.flows_evicted);
		for (k = 0; k < N_CFG; k++)
			json_u64(&j, cfg_keys[k].name, c.value[k]);
		json_close_object(&j);
	} else {
		printf("flow-count %llu\n",
		       (unsigned long long)c.flow_count);
		printf("affinity-count %llu\n",
		       (unsigned long long)c.affinity_count);
		printf("flows-evicted %llu\n",
		       (unsigned long long)c.flows_evicted);
		for (k = 0; k < N_CFG; k++)
			printf("%s %llu\n", cfg_keys[k].name,
			       (unsigned long long)c.value[k]);
	}
	return EXIT_OK;
}
