// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the kernel's attributes (uapi/linux/svcnet.h) of services and
 * backends, both ways: requests are put here, replies and events parsed
 * here into plain structures (api.h) that the commands print.
 */
#include <arpa/inet.h>
#include <errno.h>
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

static const char *const sched_names[] = {
	[SVCNET_SCHED_RR] = "rr",
	[SVCNET_SCHED_WRR] = "wrr",
	[SVCNET_SCHED_LC] = "lc",
	[SVCNET_SCHED_RANDOM] = "random",
	[SVCNET_SCHED_MAGLEV] = "maglev",
	[SVCNET_SCHED_SH] = "sh",
};

#define N_SCHED (sizeof(sched_names) / sizeof(sched_names[0]))

const char *sched_name(uint8_t s)
{
	return s < N_SCHED && sched_names[s] ? sched_names[s] : "?";
}

static const char *const forward_names[] = {
	[SVCNET_FORWARD_NAT] = "nat",
	[SVCNET_FORWARD_SNAT] = "snat",
	[SVCNET_FORWARD_TUNNEL] = "tunnel",
};

#define N_FORWARD (sizeof(forward_names) / sizeof(forward_names[0]))

const char *forward_name(uint8_t f)
{
	return f < N_FORWARD && forward_names[f] ? forward_names[f] : "?";
}

/* The index of @s in @names (@n of them, 0 unused), or 0. */
static uint8_t name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return 0;
}

bool parse_forward(const char *s, uint8_t *forward)
{
	*forward = name_index(forward_names, N_FORWARD, s);
	return *forward;
}

bool parse_sched(const char *s, uint8_t *sched)
{
	uint8_t i = name_index(sched_names, N_SCHED, s);

	if (i)
		*sched = i;
	return i;
}

/* Start SVCNET_A_SERVICE with the key and the options given (if @o). */
struct nlattr *put_svc_nest_start(struct nlmsghdr *nlh,
				  const struct svc_arg *svc,
				  const struct svc_opts *o)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, SVCNET_A_SERVICE);
	mnl_attr_put(nlh, SVCNET_A_SVC_ADDR, addr_len(&svc->addr),
		     svc->addr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_SVC_PORT, svc->port);
	mnl_attr_put_u8(nlh, SVCNET_A_SVC_PROTO, svc->proto);
	if (o && o->sched)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_SCHED, o->sched);
	if (o && o->maglev_size)
		mnl_attr_put_u32(nlh, SVCNET_A_SVC_MAGLEV_SIZE, o->maglev_size);
	if (o && o->affinity >= 0)
		mnl_attr_put_u32(nlh, SVCNET_A_SVC_AFFINITY, o->affinity);
	if (o && o->prefix >= 0)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_AFFINITY_PREFIX, o->prefix);
	if (o && o->policy)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_POLICY, o->policy);
	if (o && o->forward)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_FORWARD, o->forward);
	if (o && o->tls_offload >= 0)
		mnl_attr_put_u8(nlh, SVCNET_A_SVC_TLS_OFFLOAD, o->tls_offload);
	if (o && o->n_sources >= 0) {
		struct nlattr *srcs = mnl_attr_nest_start(nlh, SVCNET_A_SVC_SOURCES);
		int i;

		for (i = 0; i < o->n_sources; i++) {
			struct nlattr *e = mnl_attr_nest_start(nlh, 0);

			mnl_attr_put(nlh, SVCNET_A_SRC_ADDR,
				     addr_len(&o->src[i].addr), o->src[i].addr.raw);
			mnl_attr_put_u8(nlh, SVCNET_A_SRC_PREFIX, o->src[i].prefix);
			mnl_attr_nest_end(nlh, e);
		}
		mnl_attr_nest_end(nlh, srcs);
	}
	return nest;
}

/* The device and the service key, with the options given. */
void put_service_opts(struct nlmsghdr *nlh, const struct svc_arg *svc,
		      const struct svc_opts *o)
{
	mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, svc->dev);
	mnl_attr_nest_end(nlh, put_svc_nest_start(nlh, svc, o));
}

/* One entry of SVCNET_A_SVC_BACKENDS. */
void put_backend(struct nlmsghdr *nlh, const struct be_opts *b)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put(nlh, SVCNET_A_BE_ADDR, addr_len(&b->addr), b->addr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_BE_PORT, b->port);
	if (b->weight != 1)	/* the default */
		mnl_attr_put_u16(nlh, SVCNET_A_BE_WEIGHT, b->weight);
	if (b->local)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, 1);
	if (b->drain)
		mnl_attr_put_u32(nlh, SVCNET_A_BE_DRAIN, b->drain);
	mnl_attr_nest_end(nlh, e);
}

/* SVCNET_A_SVC_BACKENDS, inside an open service nest. */
void put_backends(struct nlmsghdr *nlh, const struct svc_arg *svc,
		  const struct be_opts *bes, size_t n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SVCNET_A_SVC_BACKENDS);
	size_t i;

	for (i = 0; i < n; i++)
		put_backend(nlh, &bes[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* BACKEND_NEW, _SET or _DEL of the backend @b of @svc. */
void put_backend_change(struct nlmsghdr *nlh, uint8_t cmd,
			const struct svc_arg *svc, const struct be_change *b)
{
	struct nlattr *nest;

	put_service_opts(nlh, svc, NULL);
	nest = mnl_attr_nest_start(nlh, SVCNET_A_BACKEND);
	mnl_attr_put(nlh, SVCNET_A_BE_ADDR, addr_len(&b->addr), b->addr.raw);
	mnl_attr_put_u16(nlh, SVCNET_A_BE_PORT, b->port);
	if (b->drain)
		mnl_attr_put_u32(nlh, SVCNET_A_BE_DRAIN, b->drain);
	else if (b->local >= 0 && cmd == SVCNET_CMD_BACKEND_SET)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, b->local);
	else if (cmd != SVCNET_CMD_BACKEND_DEL)
		mnl_attr_put_u16(nlh, SVCNET_A_BE_WEIGHT, b->weight);
	if (b->local > 0 && cmd == SVCNET_CMD_BACKEND_NEW)
		mnl_attr_put_u8(nlh, SVCNET_A_BE_LOCAL, 1);
	mnl_attr_nest_end(nlh, nest);
}

static int tls_stats_cb(const struct nlattr *attr, void *data)
{
	struct tls_stats *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= SVCNET_A_TLS_STATS_MAX && type != SVCNET_A_TLS_STATS_PAD &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		t->v[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

void tls_stats_parse(const struct nlattr *nest, struct tls_stats *t)
{
	t->present = true;
	mnl_attr_parse_nested(nest, tls_stats_cb, t);
}

void tls_stats_json(struct json *j, const struct tls_stats *t)
{
	if (!t->present)
		return;
	json_open_object(j, "tls");
	json_u64(j, "added", t->v[SVCNET_A_TLS_STATS_ADDED]);
	json_u64(j, "removed", t->v[SVCNET_A_TLS_STATS_REMOVED]);
	json_u64(j, "records", t->v[SVCNET_A_TLS_STATS_RECORDS]);
	json_u64(j, "bytes", t->v[SVCNET_A_TLS_STATS_BYTES]);
	json_u64(j, "drops", t->v[SVCNET_A_TLS_STATS_DROPS]);
	json_close_object(j);
}

void tls_stats_text(const char *indent, const struct tls_stats *t)
{
	if (!t->present)
		return;
	printf("%stls offload: sockets added %llu removed %llu, records %llu bytes %llu, drops %llu\n",
	       indent,
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_ADDED],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_REMOVED],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_RECORDS],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_BYTES],
	       (unsigned long long)t->v[SVCNET_A_TLS_STATS_DROPS]);
}

static int lbstats_cb(const struct nlattr *attr, void *data)
{
	struct lbstats *st = data;
	uint16_t type = mnl_attr_get_type(attr);

	if ((type == SVCNET_A_LB_STATS_ACTIVE ||
	     type == SVCNET_A_LB_STATS_CLOSING) &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
		st->v[type] = mnl_attr_get_u32(attr);
		st->has_closing |= type == SVCNET_A_LB_STATS_CLOSING;
	}
	else if (type <= SVCNET_A_LB_STATS_MAX &&
		 type != SVCNET_A_LB_STATS_PAD &&
		 mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		st->v[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int be_attr_cb(const struct nlattr *attr, void *data)
{
	struct be_info *b = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_BE_ADDR:
		addr_from(&b->addr, mnl_attr_get_payload(attr),
			  mnl_attr_get_payload_len(attr));
		break;
	case SVCNET_A_BE_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			b->port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_BE_WEIGHT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			b->weight = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_BE_STATS:
		mnl_attr_parse_nested(attr, lbstats_cb, &b->st);
		break;
	case SVCNET_A_BE_LOCAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			b->local = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_BE_DRAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			b->draining = true;
			b->drain_left = mnl_attr_get_u32(attr);
		}
		break;
	}
	return MNL_CB_OK;
}

static int backends_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;
	struct be_info *b;

	b = array_reserve(s->be, s->n_be, &s->be_cap, sizeof(*b), 4);
	if (!b)
		return MNL_CB_ERROR;
	s->be = b;
	b = &s->be[s->n_be++];
	memset(b, 0, sizeof(*b));
	return mnl_attr_parse_nested(attr, be_attr_cb, b);
}

static int src_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;
	const struct nlattr *a;
	struct addr addr = { 0 };
	char host[64];
	int prefix = -1;
	size_t len, size;
	char *str;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == SVCNET_A_SRC_ADDR)
			addr_from(&addr, mnl_attr_get_payload(a),
				  mnl_attr_get_payload_len(a));
		else if (mnl_attr_get_type(a) == SVCNET_A_SRC_PREFIX &&
			 mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
			prefix = mnl_attr_get_u8(a);
	}
	if (!addr.family || prefix < 0)
		return MNL_CB_OK;
	inet_ntop(addr.family, addr.raw, host, sizeof(host));
	len = s->sources ? strlen(s->sources) : 0;
	size = len + strlen(host) + sizeof(",/128");
	str = realloc(s->sources, size);
	if (!str)
		return MNL_CB_ERROR;
	snprintf(str + len, size - len, "%s%s/%d", len ? "," : "", host,
		 prefix);
	s->sources = str;
	return MNL_CB_OK;
}

static int svc_attr_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_SVC_POLICY:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->policy = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_FORWARD:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->forward = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_SOURCES:
		return mnl_attr_parse_nested(attr, src_cb, s);
	case SVCNET_A_SVC_ADDR:
		addr_from(&s->addr, mnl_attr_get_payload(attr),
			  mnl_attr_get_payload_len(attr));
		break;
	case SVCNET_A_SVC_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			s->port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_SVC_PROTO:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->proto = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_SCHED:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->sched = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_MAGLEV_SIZE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->maglev_size = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_SVC_AFFINITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->affinity = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_SVC_AFFINITY_PREFIX:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->affinity_prefix = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_STATS:
		mnl_attr_parse_nested(attr, lbstats_cb, &s->st);
		break;
	case SVCNET_A_SVC_TLS_STATS:
		tls_stats_parse(attr, &s->tls);
		break;
	case SVCNET_A_SVC_TLS_OFFLOAD:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			s->tls_off = !mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_SVC_BACKENDS:
		return mnl_attr_parse_nested(attr, backends_cb, s);
	}
	return MNL_CB_OK;
}

static int msg_attr_cb(const struct nlattr *attr, void *data)
{
	struct svc_info *s = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			s->ifindex = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(s->ifname, sizeof(s->ifname), "%s",
				 mnl_attr_get_str(attr));
		break;
	case SVCNET_A_SERVICE:
		return mnl_attr_parse_nested(attr, svc_attr_cb, s);
	}
	return MNL_CB_OK;
}

static bool same_service(const struct svc_info *a, const struct svc_info *b)
{
	return a->ifindex == b->ifindex && a->proto == b->proto &&
	       a->port == b->port && a->addr.family == b->addr.family &&
	       !memcmp(a->addr.raw, b->addr.raw, 16);
}

/* What a parsed service holds on the heap. */
void svc_info_free(struct svc_info *s)
{
	free(s->be);
	free(s->sources);
}

/* A service continued from the previous message is merged into it. */
static int svc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct svc_list *l = data;
	struct svc_info s = { 0 }, *last, *n;
	struct be_info *b;
	int ret;

	ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr), msg_attr_cb, &s);
	if (ret < 0) {
		svc_info_free(&s);
		return ret;
	}
	last = l->n ? &l->svcs[l->n - 1] : NULL;
	if (last && same_service(last, &s)) {
		b = realloc(last->be, (last->n_be + s.n_be) * sizeof(*b));
		if (!b && s.n_be) {
			svc_info_free(&s);
			return MNL_CB_ERROR;
		}
		if (s.n_be)
			memcpy(b + last->n_be, s.be, s.n_be * sizeof(*b));
		last->be = b;
		last->n_be += s.n_be;
		last->be_cap = last->n_be;
		last->st = s.st;
		svc_info_free(&s);
		return MNL_CB_OK;
	}
	n = array_reserve(l->svcs, l->n, &l->cap, sizeof(*n), 16);
	if (!n) {
		svc_info_free(&s);
		return MNL_CB_ERROR;
	}
	l->svcs = n;
	l->svcs[l->n++] = s;
	return MNL_CB_OK;
}

void svc_list_free(struct svc_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		svc_info_free(&l->svcs[i]);
	free(l->svcs);
	l->svcs = NULL;
	l->n = 0;
	l->cap = 0;
}

/* Dump the services of @dev (every device if NULL). */
int svc_dump(struct ipc *ipc, const char *dev, struct svc_list *l)
{
	struct nlmsghdr *nlh;

	nlh = ipc_msg(ipc, SVCNET_CMD_SERVICE_GET, NLM_F_DUMP);
	if (dev)
		mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, dev);
	return ipc_run(ipc, nlh, svc_cb, l);
}

static int event_attr_cb(const struct nlattr *attr, void *data)
{
	struct event *ev = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_BACKEND:
		ev->has_be = true;
		return mnl_attr_parse_nested(attr, be_attr_cb, &ev->b);
	case SVCNET_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			ev->has_gen = true;
			ev->generation = mnl_attr_get_u32(attr);
		}
		return MNL_CB_OK;
	case SVCNET_A_PURGED:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			ev->has_purged = true;
			ev->purged = mnl_attr_get_u32(attr);
		}
		return MNL_CB_OK;
	case SVCNET_A_SERVICE:
		ev->has_svc = true;
		break;
	}
	return msg_attr_cb(attr, &ev->s);
}

/* An event's attributes into @ev; -1 if malformed. */
int event_parse(const struct nlmsghdr *nlh, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), event_attr_cb,
			      ev) < 0 ? -1 : 0;
}

/*
 * A service with its backends, going on in nests of the same key (which
 * the kernel merges) whenever one holds more than @room bytes.
 */
void put_service_backends(struct nlmsghdr *nlh, const struct svc_arg *svc,
			  const struct svc_opts *o, const struct be_opts *bes,
			  size_t n, size_t room)
{
	struct nlattr *nest, *nbes;
	size_t i;

	nest = put_svc_nest_start(nlh, svc, o);
	nbes = mnl_attr_nest_start(nlh, SVCNET_A_SVC_BACKENDS);
	for (i = 0; i < n; i++) {
		if ((size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) -
			     (char *)nest) > room) {
			mnl_attr_nest_end(nlh, nbes);
			mnl_attr_nest_end(nlh, nest);
			nest = put_svc_nest_start(nlh, svc, NULL);
			nbes = mnl_attr_nest_start(nlh, SVCNET_A_SVC_BACKENDS);
		}
		put_backend(nlh, &bes[i]);
	}
	mnl_attr_nest_end(nlh, nbes);
	mnl_attr_nest_end(nlh, nest);
}

void lbstats_json(struct json *j, const struct lbstats *st)
{
	json_open_object(j, "stats");
	json_u64(j, "connections", st->v[SVCNET_A_LB_STATS_CONNS]);
	json_u64(j, "active", st->v[SVCNET_A_LB_STATS_ACTIVE]);
	if (st->has_closing) {	/* not from a module that predates it */
		json_u64(j, "open", st->v[SVCNET_A_LB_STATS_ACTIVE] -
			 st->v[SVCNET_A_LB_STATS_CLOSING]);
		json_u64(j, "closing", st->v[SVCNET_A_LB_STATS_CLOSING]);
	}
	json_u64(j, "packets_in", st->v[SVCNET_A_LB_STATS_PKTS_IN]);
	json_u64(j, "bytes_in", st->v[SVCNET_A_LB_STATS_BYTES_IN]);
	json_u64(j, "packets_out", st->v[SVCNET_A_LB_STATS_PKTS_OUT]);
	json_u64(j, "bytes_out", st->v[SVCNET_A_LB_STATS_BYTES_OUT]);
	json_close_object(j);
}

void lbstats_text(const char *indent, const struct lbstats *st)
{
	printf("%sconnections %llu flows %llu", indent,
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_CONNS],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_ACTIVE]);
	if (st->has_closing)
		printf(": open %llu closing %llu",
		       (unsigned long long)(st->v[SVCNET_A_LB_STATS_ACTIVE] -
					    st->v[SVCNET_A_LB_STATS_CLOSING]),
		       (unsigned long long)st->v[SVCNET_A_LB_STATS_CLOSING]);
	printf("\n");
	printf("%sin: %llu packets %llu bytes  out: %llu packets %llu bytes\n",
	       indent,
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_PKTS_IN],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_BYTES_IN],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_PKTS_OUT],
	       (unsigned long long)st->v[SVCNET_A_LB_STATS_BYTES_OUT]);
}
