/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: the global options, and usage errors (usage.c).
 */
#ifndef SVCNET_USAGE_H
#define SVCNET_USAGE_H

#include <stdbool.h>

/* Global options, given before the subcommand. */
struct opts {
	bool json;	/* -j: JSON output */
	bool stats;	/* -s: statistics */
};

extern struct opts opts;
extern const char *prog;

/* Print a usage error about @what and return EXIT_USAGE. */
int usage_error(const char *subcmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool is_help(const char *arg);

#endif
