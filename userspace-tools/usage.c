// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the global options, and usage errors with their exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipc.h"
#include "usage.h"

struct opts opts;
const char *prog = "svcnet";

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
}

int usage_error(const char *subcmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", prog, subcmd ? " " : "",
		subcmd ? subcmd : "");
	return EXIT_USAGE;
}
