// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet metrics: every counter of the namespace's svcnet devices, their
 * services and backends, and of its flow table, in the Prometheus text
 * exposition format (version 0.0.4), as node_exporter's textfile
 * collector reads it.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/svcnet.h>

#include "api.h"
#include "ipc.h"
#include "svcnet.h"

/* a metric's name, type and help; its samples follow */
struct family {
	const char *name;
	const char *type;
	const char *help;
};

static void family(const struct family *f)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
	       f->type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
	putchar('"');
}

/* labels of a sample: device, then protocol and service, then backend */
struct labels {
	const char *dev;
	const char *proto;
	const char *svc;
	const char *be;
	const char *extra_name;	/* one more (reason, direction), or NULL */
	const char *extra;
};

static void sample(const char *name, const struct labels *l, uint64_t v)
{
	printf("%s{device=", name);
	label_value(l->dev);
	if (l->proto) {
		printf(",protocol=");
		label_value(l->proto);
		printf(",service=");
		label_value(l->svc);
	}
	if (l->be) {
		printf(",backend=");
		label_value(l->be);
	}
	if (l->extra_name) {
		printf(",%s=", l->extra_name);
		label_value(l->extra);
	}
	printf("} %llu\n", (unsigned long long)v);
}

static const struct family dev_families[] = {
	{ "svcnet_device_transmit_packets_total", "counter",
	  "Packets balanced towards backends (svc0's transmit, the fast path's included)." },
	{ "svcnet_device_transmit_bytes_total", "counter",
	  "Bytes balanced towards backends." },
	{ "svcnet_device_receive_packets_total", "counter",
	  "Replies of backends translated back to their clients." },
	{ "svcnet_device_receive_bytes_total", "counter",
	  "Bytes of replies translated back." },
	{ "svcnet_device_fast_path_packets_total", "counter",
	  "Packets of established flows translated by the fast path." },
	{ "svcnet_device_fragments_total", "counter",
	  "IP fragments taken into reassembly that completed no datagram." },
	{ "svcnet_device_fast_path", "gauge",
	  "Whether the device's fast path is on (on, direct or notrack)." },
};

/* the mode as a state set: one sample per mode, 1 for the device's */
static const struct family mode_family = {
	"svcnet_device_fast_path_mode", "gauge",
	"The device's fast path mode (on, off, direct, notrack): 1 for its own."
};

static void dev_values(const struct dev_info *d, uint64_t *v)
{
	v[0] = d->tx_packets;
	v[1] = d->tx_bytes;
	v[2] = d->rx_packets;
	v[3] = d->rx_bytes;
	v[4] = d->fast_path_packets;
	v[5] = d->fragments;
	v[6] = d->fast_path > 0;
}

static const struct family tls_families[] = {
	{ "tls_added_total", "counter", "kTLS sockets that offloaded their transmit." },
	{ "tls_removed_total", "counter", "Of them, those released." },
	{ "tls_records_total", "counter", "TLS records encrypted, retransmissions too." },
	{ "tls_bytes_total", "counter", "Record payload bytes encrypted." },
	{ "tls_drops_total", "counter", "Packets dropped because encryption failed." },
};

static const uint16_t tls_attrs[] = {
	SVCNET_A_TLS_STATS_ADDED, SVCNET_A_TLS_STATS_REMOVED,
	SVCNET_A_TLS_STATS_RECORDS, SVCNET_A_TLS_STATS_BYTES,
	SVCNET_A_TLS_STATS_DROPS,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void print_devices(const struct dev_list *dl)
{
	uint64_t v[N(dev_families)];
	struct labels l = { 0 };
	size_t f, i, r;

	for (f = 0; f < N(dev_families); f++) {
		family(&dev_families[f]);
		for (i = 0; i < dl->n; i++) {
			dev_values(&dl->devs[i], v);
			l.dev = dl->devs[i].ifname;
			/* the switch, where the kernel reports it */
			if (f != N(dev_families) - 1 || dl->devs[i].fast_path >= 0)
				sample(dev_families[f].name, &l, v[f]);
		}
	}
	family(&mode_family);
	l.extra_name = "mode";
	for (i = 0; i < dl->n; i++) {
		l.dev = dl->devs[i].ifname;
		for (r = 0; dl->devs[i].fast_path >= 0 && fast_path_name(r); r++) {
			l.extra = fast_path_name(r);
			sample("svcnet_device_fast_path_mode", &l,
			       dl->devs[i].fast_path == (int)r);
		}
	}
	family(&(struct family){ "svcnet_device_drops_total", "counter",
				 "Packets dropped, by reason." });
	l.extra_name = "reason";
	for (i = 0; i < dl->n; i++) {
		l.dev = dl->devs[i].ifname;
		for (r = 1; drop_name(r); r++) {
			l.extra = drop_name(r);
			sample("svcnet_device_drops_total", &l,
			       dl->devs[i].drops[r]);
		}
	}
}

/* The kTLS offload counters of the devices @dl or the services @sl. */
static void print_tls(const struct dev_list *dl, const struct svc_list *sl)
{
	const struct tls_stats *t;
	char name[64], svc[64];
	struct labels l = { 0 };
	bool any = false;
	size_t f, i;

	for (i = 0; dl && i < dl->n; i++)
		any |= dl->devs[i].tls.present;
	for (i = 0; sl && i < sl->n; i++)
		any |= sl->svcs[i].tls.present;
	if (!any)
		return;
	for (f = 0; f < N(tls_families); f++) {
		snprintf(name, sizeof(name), "svcnet_%s_%s",
			 dl ? "device" : "service", tls_families[f].name);
		family(&(struct family){ name, tls_families[f].type,
					 tls_families[f].help });
		for (i = 0; dl && i < dl->n; i++) {
			t = &dl->devs[i].tls;
			l.dev = dl->devs[i].ifname;
			if (t->present)
				sample(name, &l, t->v[tls_attrs[f]]);
		}
		for (i = 0; sl && i < sl->n; i++) {
			const struct svc_info *s = &sl->svcs[i];

			if (!s->tls.present)
				continue;
			format_endpoint(&s->addr, s->port, svc, sizeof(svc));
			l.dev = s->ifname;
			l.proto = proto_name(s->proto);
			l.svc = svc;
			sample(name, &l, s->tls.v[tls_attrs[f]]);
		}
	}
}

static const struct family lb_families[] = {
	{ "connections_total", "counter", "Flows created." },
	{ "flows", "gauge", "Flows now in the flow table." },
	{ "closing_flows", "gauge",
	  "Of them, those whose connection is closing (a FIN or RST seen)." },
	{ "packets_total", "counter",
	  "Packets, by direction: in (client to backend), out (backend to client)." },
	{ "bytes_total", "counter", "Bytes, by direction." },
};

/* Service (@backends false) or backend samples of family @f. */
static void print_lb(const struct svc_list *sl, size_t f, bool backends)
{
	static const char *const dir[] = { "in", "out" };
	static const uint16_t pkts[] = { SVCNET_A_LB_STATS_PKTS_IN,
					 SVCNET_A_LB_STATS_PKTS_OUT };
	static const uint16_t bytes[] = { SVCNET_A_LB_STATS_BYTES_IN,
					  SVCNET_A_LB_STATS_BYTES_OUT };
	char name[64], svc[64], be[64];
	const struct lbstats *st;
	struct labels l = { 0 };
	size_t i, k, n, d;

	snprintf(name, sizeof(name), "svcnet_%s_%s",
		 backends ? "backend" : "service", lb_families[f].name);
	family(&(struct family){ name, lb_families[f].type,
				 lb_families[f].help });
	for (i = 0; i < sl->n; i++) {
		const struct svc_info *s = &sl->svcs[i];

		format_endpoint(&s->addr, s->port, svc, sizeof(svc));
		l.dev = s->ifname;
		l.proto = proto_name(s->proto);
		l.svc = svc;
		n = backends ? s->n_be : 1;
		for (k = 0; k < n; k++) {
			st = backends ? &s->be[k].st : &s->st;
			if (backends) {
				format_endpoint(&s->be[k].addr, s->be[k].port,
						be, sizeof(be));
				l.be = be;
			}
			if (f == 0) {
				sample(name, &l, st->v[SVCNET_A_LB_STATS_CONNS]);
			} else if (f == 1) {
				sample(name, &l, st->v[SVCNET_A_LB_STATS_ACTIVE]);
			} else if (f == 2) {
				/* a module that predates the count: none */
				if (st->has_closing)
					sample(name, &l,
					       st->v[SVCNET_A_LB_STATS_CLOSING]);
			} else {
				l.extra_name = "direction";
				for (d = 0; d < 2; d++) {
					l.extra = dir[d];
					sample(name, &l, st->v[f == 3 ? pkts[d] :
								    bytes[d]]);
				}
				l.extra_name = NULL;
			}
		}
	}
}

static void print_config(const struct cfg_info *c)
{
	size_t k;

	for (k = 0; k < N_CFG && strcmp(cfg_keys[k].name, "flow-max"); k++)
		;
	printf("# HELP svcnet_flows Flows in the namespace's flow table.\n"
	       "# TYPE svcnet_flows gauge\nsvcnet_flows %llu\n",
	       (unsigned long long)c->flow_count);
	printf("# HELP svcnet_flows_max The flow table's limit (flow-max).\n"
	       "# TYPE svcnet_flows_max gauge\nsvcnet_flows_max %llu\n",
	       (unsigned long long)(k < N_CFG ? c->value[k] : 0));
	printf("# HELP svcnet_flows_evicted_total Flows not yet assured that made room for new flows in a full table.\n"
	       "# TYPE svcnet_flows_evicted_total counter\nsvcnet_flows_evicted_total %llu\n",
	       (unsigned long long)c->flows_evicted);
	printf("# HELP svcnet_affinity_entries Clients remembered for session affinity.\n"
	       "# TYPE svcnet_affinity_entries gauge\nsvcnet_affinity_entries %llu\n",
	       (unsigned long long)c->affinity_count);
}

static void metrics_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s metrics [[dev] DEV]\n"
		"\n"
		"Print every counter of the svcnet devices of the current network\n"
		"namespace (or of DEV), their services and backends, and of the\n"
		"flow table, in the Prometheus text format (for node_exporter's\n"
		"textfile collector).\n",
		prog);
}

int cmd_metrics(int argc, char **argv)
{
	struct dev_list dl = { 0 };
	struct svc_list sl = { 0 };
	struct cfg_info c = { 0 };
	const char *dev = NULL;
	struct nlmsghdr *nlh;
	struct ipc ipc;
	size_t f;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			metrics_usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "dev") && ++i == argc)
			return usage_error("metrics", "'dev' needs a device name");
		if (dev)
			return usage_error("metrics", "unexpected argument '%s'",
					   argv[i]);
		dev = argv[i];
		if (!*dev || strlen(dev) >= IF_NAMESIZE)
			return usage_error("metrics", "'%s' is not a valid device name",
					   dev);
	}

	/* parse, call: everything first, so that a failure prints nothing */
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, SVCNET_CMD_DEV_GET, dev ? 0 : NLM_F_DUMP);
	put_dev_name(nlh, dev);
	ret = ipc_run(&ipc, nlh, dev_cb, &dl);
	if (!ret)
		ret = svc_dump(&ipc, dev, &sl);
	if (!ret) {
		nlh = ipc_msg(&ipc, SVCNET_CMD_CONFIG_GET, 0);
		ret = ipc_run(&ipc, nlh, cfg_cb, &c);
	}
	ipc_close(&ipc);

	/* print */
	if (!ret) {
		print_devices(&dl);
		print_tls(&dl, NULL);
		for (f = 0; f < N(lb_families); f++)
			print_lb(&sl, f, false);
		print_tls(NULL, &sl);
		for (f = 0; f < N(lb_families); f++)
			print_lb(&sl, f, true);
		print_config(&c);
		/* a file for a collector must not end short unnoticed */
		if (fflush(stdout) || ferror(stdout)) {
			perror("svcnet: metrics");
			ret = EXIT_KERNEL;
		}
	}
	free(dl.devs);
	svc_list_free(&sl);
	return ret;
}
