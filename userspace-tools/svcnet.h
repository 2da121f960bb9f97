/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnet: the commands the dispatcher (svcnet.c) runs, one file each.
 */
#ifndef SVCNET_TOOL_H
#define SVCNET_TOOL_H

#include "usage.h"

int cmd_show(int argc, char **argv);		/* show.c */
int cmd_set(int argc, char **argv);		/* show.c */
const char *drop_name(unsigned int r);		/* show.c: a drop reason's */
int cmd_service(int argc, char **argv);		/* service.c */
int cmd_backend(int argc, char **argv);		/* backend.c */
int cmd_flow(int argc, char **argv);		/* flow.c */
int cmd_config(int argc, char **argv);		/* flow.c */
int cmd_monitor(int argc, char **argv);		/* monitor.c */
int cmd_apply(int argc, char **argv);		/* apply.c */
int cmd_save(int argc, char **argv);		/* apply.c */
int cmd_metrics(int argc, char **argv);		/* metrics.c */

#endif
