// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet backend ...: add, change and remove one backend of a service.
 */
#include <stdio.h>
#include <string.h>
#include <linux/svcnet.h>

#include "api.h"
#include "ipc.h"
#include "parse.h"
#include "svcnet.h"
#include "usage.h"

static void backend_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s backend add SERVICE ADDR:PORT [weight W]\n"
		"       %s backend set SERVICE ADDR:PORT { weight W | drain SECONDS | local on|off }\n"
		"       %s backend del SERVICE ADDR:PORT\n"
		"\n"
		"SERVICE := [dev] DEV PROTO ADDR:PORT; W := 0..65535 (default 1).\n"
		"A backend of weight 0 gets no new connections. 'drain' stops new\n"
		"connections and removes the backend when its last connection ends or\n"
		"SECONDS pass; setting a weight ends a drain. Removing a backend ends\n"
		"its connections: TCP clients get a reset, UDP flows move on.\n",
		prog, prog, prog);
}

int cmd_backend(int argc, char **argv)
{
	struct be_change change = { 0 };
	struct nlmsghdr *nlh;
	struct svc_arg svc;
	uint32_t weight = 1, drain = 0;
	bool weight_set = false;
	int local = -1;
	const char *what;
	struct ipc ipc;
	int i = 1, ret;
	uint8_t cmd;

	if (!argc || is_help(argv[0]) || (argc > 1 && is_help(argv[1]))) {
		backend_usage(argc ? stdout : stderr);
		return argc ? EXIT_OK : EXIT_USAGE;
	}
	what = argv[0];
	if (!strcmp(what, "add"))
		cmd = SVCNET_CMD_BACKEND_NEW;
	else if (!strcmp(what, "set"))
		cmd = SVCNET_CMD_BACKEND_SET;
	else if (!strcmp(what, "del"))
		cmd = SVCNET_CMD_BACKEND_DEL;
	else
		return usage_error("backend", "unknown backend command '%s'", what);
	ret = parse_service("backend", argc, argv, &i, &svc);
	if (ret)
		return ret;
	if (i == argc)
		return usage_error("backend", "missing the backend's ADDR:PORT");
	if (!parse_endpoint(argv[i], &change.addr, &change.port))
		return usage_error("backend",
				   "'%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT, port 1-65535)",
				   argv[i]);
	if (change.addr.family != svc.addr.family)
		return usage_error("backend",
				   "the backend's address family differs from the service's");
	for (i++; i < argc; i++) {
		if (cmd != SVCNET_CMD_BACKEND_DEL && !strcmp(argv[i], "weight") &&
		    i + 1 < argc) {
			if (!parse_u32(argv[++i], 65535, &weight))
				return usage_error("backend",
						   "'%s' is not a weight (0-65535)",
						   argv[i]);
			weight_set = true;
		} else if (cmd == SVCNET_CMD_BACKEND_NEW &&
			   !strcmp(argv[i], "local")) {
			local = 1;
		} else if (cmd == SVCNET_CMD_BACKEND_SET &&
			   !strcmp(argv[i], "local") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "on") && strcmp(argv[i], "off"))
				return usage_error("backend", "'local' takes on or off");
			local = !strcmp(argv[i], "on");
		} else if (cmd == SVCNET_CMD_BACKEND_SET &&
			   !strcmp(argv[i], "drain") && i + 1 < argc) {
			if (!parse_u32(argv[++i], SVCNET_TIMEOUT_MAX, &drain) ||
			    !drain)
				return usage_error("backend",
						   "'%s' is not a drain deadline (1-%u seconds)",
						   argv[i], SVCNET_TIMEOUT_MAX);
		} else {
			return usage_error("backend", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (cmd == SVCNET_CMD_BACKEND_SET &&
	    (weight_set + !!drain + (local >= 0)) != 1)
		return usage_error("backend",
				   "'set' needs one of 'weight W', 'drain SECONDS' or 'local on|off'");
	change.weight = weight;
	change.local = local;
	change.drain = drain;
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, cmd, 0);
	put_backend_change(nlh, cmd, &svc, &change);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	ipc_close(&ipc);
	return ret;
}
