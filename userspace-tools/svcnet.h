/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_TOOL_H
#define SVCNET_TOOL_H

#include <stdbool.h>

/* Global options, given before the subcommand. */
struct opts {
	bool json;	/* -j: JSON output */
	bool stats;	/* -s: statistics */
};

extern struct opts opts;
extern const char *prog;

int cmd_show(int argc, char **argv);
int cmd_service(int argc, char **argv);
int cmd_backend(int argc, char **argv);
int cmd_flow(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_save(int argc, char **argv);

/* Print a usage error about @what and return EXIT_USAGE. */
int usage_error(const char *subcmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool is_help(const char *arg);

#endif
