/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_IPC_H
#define SVCNET_IPC_H

#include <stdint.h>
#include <libmnl/libmnl.h>

#define IPC_BUFSIZE (1 << 16)	/* of ipc->buf, where answers are read */

struct ipc {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t mcgrp_events;	/* 0 if the kernel has no events group */
	uint32_t seq;
	char *buf;
	int64_t err_offs;	/* of the attribute the last error names, or -1 */
};

typedef int (*ipc_msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Exit codes of the tool. */
enum {
	EXIT_OK = 0,
	EXIT_KERNEL = 1,	/* the kernel refused, or is unreachable */
	EXIT_USAGE = 2,		/* bad command line */
};

int ipc_open(struct ipc *ipc);
/* an rtnetlink socket: ipc_run() on requests built by the caller */
int ipc_open_route(struct ipc *ipc);
void ipc_close(struct ipc *ipc);
struct nlmsghdr *ipc_msg(struct ipc *ipc, uint8_t cmd, uint16_t flags);
/* The same in @buf, for requests larger than the socket's own buffer. */
struct nlmsghdr *ipc_msg_in(struct ipc *ipc, void *buf, uint8_t cmd,
			    uint16_t flags);
int ipc_sndbuf(struct ipc *ipc, size_t len);
int ipc_run(struct ipc *ipc, struct nlmsghdr *nlh, ipc_msg_cb cb, void *data);
/* As ipc_run(), printing nothing: 0 or the errno the kernel returned. */
int ipc_run_quiet(struct ipc *ipc, struct nlmsghdr *nlh, ipc_msg_cb cb,
		  void *data);

#endif
