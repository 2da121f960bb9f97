// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: configure and inspect svcnet service load balancer devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "svcnet.h"
#include "usage.h"

#ifndef SVCNET_VERSION
#define SVCNET_VERSION "0"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
	{ "show", cmd_show, "show svcnet devices and their counters" },
	{ "set", cmd_set, "change a device's settings (fast path)" },
	{ "service", cmd_service, "add, change, remove and show services" },
	{ "backend", cmd_backend, "add, change and remove backends" },
	{ "flow", cmd_flow, "show, remove and flush flows" },
	{ "config", cmd_config, "show and set the flow table's limit and timeouts" },
	{ "monitor", cmd_monitor, "print configuration events as they happen" },
	{ "apply", cmd_apply, "make a device's services those of a file, atomically" },
	{ "save", cmd_save, "print a device's services as a file for apply" },
	{ "metrics", cmd_metrics, "print every counter in the Prometheus text format" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -s, --stats    include statistics\n"
		"  -h, --help     print this help\n"
		"  -V, --version  print the version\n"
		"\n"
		"Commands:\n", prog);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\n'%s COMMAND --help' describes a command. Exit status: 0 success,\n"
		"1 the kernel refused or could not be reached, 2 bad usage.\n",
		prog);
}

int main(int argc, char **argv)
{
	int i = 1;
	size_t c;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			opts.json = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--stats")) {
			opts.stats = true;
		} else if (!strcmp(a, "-js") || !strcmp(a, "-sj")) {
			opts.json = opts.stats = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("svcnet %s\n", SVCNET_VERSION);
			return EXIT_OK;
		} else {
			return usage_error(NULL, "unknown option '%s'", a);
		}
	}
	if (i == argc)
		return cmd_show(0, NULL);
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (c = 0; c < sizeof(subcommands) / sizeof(subcommands[0]); c++)
		if (!strcmp(argv[i], subcommands[c].name))
			return subcommands[c].fn(argc - i - 1, argv + i + 1);
	return usage_error(NULL, "unknown command '%s'", argv[i]);
}
