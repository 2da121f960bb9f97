// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the kernel's attributes (uapi/linux/svcnet.h) of devices, flows
 * and the configuration, both ways: requests are put here, replies parsed
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

/* The device a request names, if any. */
void put_dev_name(struct nlmsghdr *nlh, const char *dev)
{
	if (dev)
		mnl_attr_put_strz(nlh, SVCNET_A_IFNAME, dev);
}

void put_fast_path(struct nlmsghdr *nlh, uint8_t mode)
{
	mnl_attr_put_u8(nlh, SVCNET_A_FAST_PATH, mode);
}

static const char *const fast_path_names[] = {
	[SVCNET_FAST_PATH_OFF] = "off",
	[SVCNET_FAST_PATH_ON] = "on",
	[SVCNET_FAST_PATH_DIRECT] = "direct",
	[SVCNET_FAST_PATH_NOTRACK] = "notrack",
};
_Static_assert(sizeof(fast_path_names) / sizeof(fast_path_names[0]) ==
	       SVCNET_FAST_PATH_MAX + 1, "a name for every fast path mode");

/* A fast path mode's name (enum svcnet_fast_path), NULL if unknown. */
const char *fast_path_name(int mode)
{
	if (mode < 0 || (size_t)mode >=
	    sizeof(fast_path_names) / sizeof(fast_path_names[0]))
		return NULL;
	return fast_path_names[mode];
}

void put_hash_key(struct nlmsghdr *nlh, const uint8_t *key)
{
	mnl_attr_put(nlh, SVCNET_A_HASH_KEY, SVCNET_HASH_KEY_LEN, key);
}

static int drops_cb(const struct nlattr *attr, void *data)
{
	struct dev_info *d = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > 0 && type <= SVCNET_DROP_MAX &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		d->drops[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int stats_cb(const struct nlattr *attr, void *data)
{
	struct dev_info *d = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == SVCNET_A_STATS_DROPS)
		mnl_attr_parse_nested(attr, drops_cb, d);
	else if (type == SVCNET_A_STATS_TLS)
		tls_stats_parse(attr, &d->tls);
	else if (mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		switch (type) {
		case SVCNET_A_STATS_TX_PACKETS:
			d->tx_packets = mnl_attr_get_u64(attr);
			break;
		case SVCNET_A_STATS_TX_BYTES:
			d->tx_bytes = mnl_attr_get_u64(attr);
			break;
		case SVCNET_A_STATS_RX_PACKETS:
			d->rx_packets = mnl_attr_get_u64(attr);
			break;
		case SVCNET_A_STATS_RX_BYTES:
			d->rx_bytes = mnl_attr_get_u64(attr);
			break;
		case SVCNET_A_STATS_FRAGMENTS:
			d->fragments = mnl_attr_get_u64(attr);
			break;
		case SVCNET_A_STATS_FAST_PATH:
			d->fast_path_packets = mnl_attr_get_u64(attr);
			break;
		}
	return MNL_CB_OK;
}

static int dev_attr_cb(const struct nlattr *attr, void *data)
{
	struct dev_info *d = data;

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			d->ifindex = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(d->ifname, sizeof(d->ifname), "%s",
				 mnl_attr_get_str(attr));
		break;
	case SVCNET_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			d->generation = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_STATS:
		mnl_attr_parse_nested(attr, stats_cb, d);
		break;
	case SVCNET_A_FAST_PATH:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
			d->fast_path = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_HASH_KEY:
		if (mnl_attr_get_payload_len(attr) == SVCNET_HASH_KEY_LEN) {
			memcpy(d->hash_key, mnl_attr_get_payload(attr),
			       SVCNET_HASH_KEY_LEN);
			d->has_hash_key = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/* A DEV_GET reply (or each of a dump's) appended to the dev_list @data. */
int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dev_list *l = data;
	struct dev_info *d;

	d = realloc(l->devs, (l->n + 1) * sizeof(*d));
	if (!d)
		return MNL_CB_ERROR;
	l->devs = d;
	d = &l->devs[l->n++];
	memset(d, 0, sizeof(*d));
	d->fast_path = -1;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, d);
}


static int flow_nest_cb(const struct nlattr *attr, void *data)
{
	struct flow_info *f = data;
	const void *p = mnl_attr_get_payload(attr);
	unsigned int len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case SVCNET_A_FLOW_PROTO:
		f->proto = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_FLOW_CLIENT_ADDR:
		addr_from(&f->client, p, len);
		break;
	case SVCNET_A_FLOW_SVC_ADDR:
		addr_from(&f->svc, p, len);
		break;
	case SVCNET_A_FLOW_BE_ADDR:
		addr_from(&f->be, p, len);
		break;
	case SVCNET_A_FLOW_CLIENT_PORT:
		f->client_port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_FLOW_SVC_PORT:
		f->svc_port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_FLOW_BE_PORT:
		f->be_port = mnl_attr_get_u16(attr);
		break;
	case SVCNET_A_FLOW_STATE:
		f->state = mnl_attr_get_u8(attr);
		break;
	case SVCNET_A_FLOW_EXPIRES:
		f->expires = mnl_attr_get_u32(attr);
		break;
	case SVCNET_A_FLOW_ASSURED:
		f->assured = true;
		break;
	case SVCNET_A_FLOW_PICKUP:
		f->pickup = true;
		break;
	case SVCNET_A_FLOW_TUNNEL:
		f->tunnel = true;
		break;
	case SVCNET_A_FLOW_DIRECT:
		f->direct = true;
		break;
	case SVCNET_A_FLOW_NOTRACK:
		f->notrack = true;
		break;
	case SVCNET_A_FLOW_SNAT_ADDR:
		addr_from(&f->snat, p, len);
		break;
	case SVCNET_A_FLOW_SNAT_PORT:
		f->snat_port = mnl_attr_get_u16(attr);
		break;
	}
	return MNL_CB_OK;
}

static int flow_attr_cb(const struct nlattr *attr, void *data)
{
	struct flow_info *f = data;

	if (mnl_attr_get_type(attr) == SVCNET_A_IFINDEX &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		f->ifindex = mnl_attr_get_u32(attr);
	else if (mnl_attr_get_type(attr) == SVCNET_A_FLOW)
		return mnl_attr_parse_nested(attr, flow_nest_cb, f);
	return MNL_CB_OK;
}

/* A flow of a FLOW_GET dump. */
int flow_parse(const struct nlmsghdr *nlh, struct flow_info *f)
{
	memset(f, 0, sizeof(*f));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), flow_attr_cb,
			      f) < 0 ? -1 : 0;
}

/* The flow FLOW_DEL names. */
void put_flow_key(struct nlmsghdr *nlh, uint8_t proto,
		  const struct addr *client, uint16_t cport,
		  const struct addr *svc, uint16_t sport)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SVCNET_A_FLOW);

	mnl_attr_put_u8(nlh, SVCNET_A_FLOW_PROTO, proto);
	mnl_attr_put(nlh, SVCNET_A_FLOW_CLIENT_ADDR, addr_len(client),
		     client->raw);
	mnl_attr_put_u16(nlh, SVCNET_A_FLOW_CLIENT_PORT, cport);
	mnl_attr_put(nlh, SVCNET_A_FLOW_SVC_ADDR, addr_len(svc), svc->raw);
	mnl_attr_put_u16(nlh, SVCNET_A_FLOW_SVC_PORT, sport);
	mnl_attr_nest_end(nlh, nest);
}

/* What FLOW_FLUSH flushes: @svc's device if any, its service if any. */
void put_flush_target(struct nlmsghdr *nlh, const struct svc_arg *svc)
{
	put_dev_name(nlh, svc->dev);
	if (svc->proto)
		mnl_attr_nest_end(nlh, put_svc_nest_start(nlh, svc, NULL));
}

const struct cfg_key cfg_keys[N_CFG] = {
	{ "flow-max", SVCNET_A_CFG_FLOW_MAX, SVCNET_FLOW_MAX_LIMIT },
	{ "tcp-syn-timeout", SVCNET_A_CFG_TIMEOUT_TCP_SYN, SVCNET_TIMEOUT_MAX },
	{ "tcp-timeout", SVCNET_A_CFG_TIMEOUT_TCP_EST, SVCNET_TIMEOUT_MAX },
	{ "tcp-fin-timeout", SVCNET_A_CFG_TIMEOUT_TCP_FIN, SVCNET_TIMEOUT_MAX },
	{ "tcp-close-timeout", SVCNET_A_CFG_TIMEOUT_TCP_CLOSE, SVCNET_TIMEOUT_MAX },
	{ "udp-timeout", SVCNET_A_CFG_TIMEOUT_UDP, SVCNET_TIMEOUT_MAX },
	{ "snat-port-min", SVCNET_A_CFG_SNAT_PORT_MIN, 65535 },
	{ "snat-port-max", SVCNET_A_CFG_SNAT_PORT_MAX, 65535 },
};

static int cfg_nest_cb(const struct nlattr *attr, void *data)
{
	uint16_t type = mnl_attr_get_type(attr);
	struct cfg_info *c = data;
	size_t k;

	if (type == SVCNET_A_CFG_FLOWS_EVICTED) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
			c->flows_evicted = mnl_attr_get_u64(attr);
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (type == SVCNET_A_CFG_FLOW_COUNT)
		c->flow_count = mnl_attr_get_u32(attr);
	else if (type == SVCNET_A_CFG_AFFINITY_COUNT)
		c->affinity_count = mnl_attr_get_u32(attr);
	for (k = 0; k < N_CFG; k++)
		if (type == cfg_keys[k].attr)
			c->value[k] = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* A CONFIG_GET reply into the cfg_info @data. */
int cfg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	memset(data, 0, sizeof(struct cfg_info));
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == SVCNET_A_CONFIG)
			return mnl_attr_parse_nested(attr, cfg_nest_cb, data);
	return MNL_CB_OK;
}

/* CONFIG_SET of the keys @have marks, to @value. */
void put_config(struct nlmsghdr *nlh, const uint32_t *value,
		const bool *have)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SVCNET_A_CONFIG);
	size_t k;

	for (k = 0; k < N_CFG; k++)
		if (have[k])
			mnl_attr_put_u32(nlh, cfg_keys[k].attr, value[k]);
	mnl_attr_nest_end(nlh, nest);
}

/* The configuration generation a change is conditional on. */
void put_generation(struct nlmsghdr *nlh, uint32_t gen)
{
	mnl_attr_put_u32(nlh, SVCNET_A_GENERATION, gen);
}
