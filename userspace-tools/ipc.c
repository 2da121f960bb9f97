// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the svcnet generic netlink family with libmnl. Errors are
 * printed here, with the kernel's extended ack message when it sent one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/svcnet.h>

#include "ipc.h"

struct ipc_err {
	int err;
	char msg[256];
	int has_offs;
	uint32_t offs;
};

static int ipc_grp_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int ipc_grps_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };
	struct ipc *ipc = data;

	mnl_attr_parse_nested(attr, ipc_grp_attr_cb, tb);
	if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) >= 0 &&
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32) >= 0 &&
	    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
		    SVCNET_GENL_MCGRP_EVENTS))
		ipc->mcgrp_events = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return MNL_CB_OK;
}

static int ipc_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct ipc *ipc = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		ipc->family = mnl_attr_get_u16(attr);
	else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_parse_nested(attr, ipc_grps_cb, ipc);
	return MNL_CB_OK;
}

static int ipc_family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      ipc_family_attr_cb, data);
}

static int ipc_extack_cb(const struct nlattr *attr, void *data)
{
	struct ipc_err *e = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(e->msg, sizeof(e->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			e->has_offs = 1;
			e->offs = mnl_attr_get_u32(attr);
		}
		break;
	}
	return MNL_CB_OK;
}

static int ipc_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct ipc_err *e = data;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		e->err = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	e->err = -err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, ipc_extack_cb, e);
	}
	return MNL_CB_ERROR;
}

static int ipc_done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

/*
 * The state of one request: mnl_cb_run2() hands the same pointer to the
 * message callback and to the control callbacks, which cast it to the
 * struct ipc_err at its start.
 */
struct ipc_ctx {
	struct ipc_err e;
	ipc_msg_cb cb;
	void *data;
};

static int ipc_ctx_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ipc_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* Send @nlh, feed every reply to @cb; 0, or the error is in @e. */
static int ipc_request(struct ipc *ipc, struct nlmsghdr *nlh, ipc_msg_cb cb,
		       void *data, struct ipc_err *e)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = ipc_error_cb,
		[NLMSG_DONE] = ipc_done_cb,
	};
	struct ipc_ctx ctx = { .cb = cb, .data = data };
	uint32_t portid = mnl_socket_get_portid(ipc->nl);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(ipc->nl, nlh, nlh->nlmsg_len) < 0)
		goto err_errno;
	for (;;) {
		len = mnl_socket_recvfrom(ipc->nl, ipc->buf, IPC_BUFSIZE);
		if (len < 0)
			goto err_errno;
		ret = mnl_cb_run2(ipc->buf, len, seq, portid,
				  ipc_ctx_cb, &ctx, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_STOP) {
			*e = ctx.e;
			return 0;
		}
		if (ret < 0) {
			if (!ctx.e.err)
				goto err_errno;
			*e = ctx.e;
			ipc->err_offs = e->has_offs ? (int64_t)e->offs : -1;
			return -1;
		}
	}

err_errno:
	ctx.e.err = errno ? errno : EPROTO;
	*e = ctx.e;
	return -1;
}

/* A bound netlink socket of @bus asking for extended acks; 0 or -1. */
static int ipc_socket(struct ipc *ipc, int bus, const char *what)
{
	int one = 1;

	memset(ipc, 0, sizeof(*ipc));
	ipc->buf = malloc(IPC_BUFSIZE);
	ipc->nl = mnl_socket_open(bus);
	if (!ipc->buf || !ipc->nl ||
	    mnl_socket_bind(ipc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "svcnet: cannot open %s socket: %s\n", what,
			strerror(errno));
		ipc_close(ipc);
		return -1;
	}
	mnl_socket_setsockopt(ipc->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ipc->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	ipc->seq = time(NULL);
	return 0;
}

int ipc_open(struct ipc *ipc)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct ipc_err e;

	if (ipc_socket(ipc, NETLINK_GENERIC, "a generic netlink"))
		return EXIT_KERNEL;

	nlh = mnl_nlmsg_put_header(ipc->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++ipc->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SVCNET_GENL_NAME);
	if (ipc_request(ipc, nlh, ipc_family_cb, ipc, &e) || !ipc->family) {
		if (e.err == ENOENT)
			fprintf(stderr,
				"svcnet: the svcnet kernel module is not loaded (no generic netlink family \"%s\"); load it with 'modprobe svcnet'\n",
				SVCNET_GENL_NAME);
		else
			fprintf(stderr, "svcnet: cannot resolve the generic netlink family \"%s\": %s\n",
				SVCNET_GENL_NAME, strerror(e.err ? e.err : EPROTO));
		ipc_close(ipc);
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

int ipc_open_route(struct ipc *ipc)
{
	return ipc_socket(ipc, NETLINK_ROUTE, "an rtnetlink") ? EXIT_KERNEL :
								EXIT_OK;
}

void ipc_close(struct ipc *ipc)
{
	if (ipc->nl)
		mnl_socket_close(ipc->nl);
	free(ipc->buf);
	ipc->nl = NULL;
	ipc->buf = NULL;
}

struct nlmsghdr *ipc_msg(struct ipc *ipc, uint8_t cmd, uint16_t flags)
{
	return ipc_msg_in(ipc, ipc->buf, cmd, flags);
}

/* A send buffer for requests of @len bytes; 0 or -1 (errno). */
int ipc_sndbuf(struct ipc *ipc, size_t len)
{
	int fd = mnl_socket_get_fd(ipc->nl);
	int size = len + 4096;

	if (len + 4096 > 1U << 30) {
		errno = EMSGSIZE;
		return -1;
	}
	/* beyond net.core.wmem_max only with CAP_NET_ADMIN */
	if (!setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

struct nlmsghdr *ipc_msg_in(struct ipc *ipc, void *buf, uint8_t cmd,
			    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = ipc->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++ipc->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SVCNET_GENL_VERSION;
	return nlh;
}

/*
 * Send a request built with ipc_msg() and run @cb on each reply. On failure
 * print the kernel's reason and return EXIT_KERNEL.
 */
int ipc_run_quiet(struct ipc *ipc, struct nlmsghdr *nlh, ipc_msg_cb cb,
		  void *data)
{
	struct ipc_err e;

	if (!ipc_request(ipc, nlh, cb, data, &e))
		return 0;
	return e.err ? e.err : EPROTO;
}

int ipc_run(struct ipc *ipc, struct nlmsghdr *nlh, ipc_msg_cb cb, void *data)
{
	struct ipc_err e;

	if (!ipc_request(ipc, nlh, cb, data, &e))
		return EXIT_OK;
	if (e.msg[0])
		fprintf(stderr, "svcnet: %s: %s\n", e.msg, strerror(e.err));
	else if (e.err == EPERM)
		fprintf(stderr, "svcnet: %s (CAP_NET_ADMIN is needed)\n",
			strerror(e.err));
	else
		fprintf(stderr, "svcnet: %s\n", strerror(e.err));
	return EXIT_KERNEL;
}
