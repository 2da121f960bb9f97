// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet service ...: add, change, remove and show services.
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
#include "route.h"
#include "svcnet.h"

/* "none", or ADDR:PORT[=WEIGHT][,...]; 0 or -1. */
static int parse_be_list(const char *arg, const struct svc_arg *svc,
			 struct be_opts **out, size_t *n)
{
	char *buf, *tok, *save = NULL, *eq;
	struct be_opts *bes = NULL, *b;
	uint32_t w;

	*n = 0;
	*out = NULL;
	if (!strcmp(arg, "none"))
		return 0;
	buf = strdup(arg);
	if (!buf)
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		b = realloc(bes, (*n + 1) * sizeof(*b));
		if (!b)
			goto err;
		bes = b;
		b = &bes[(*n)++];
		memset(b, 0, sizeof(*b));
		b->weight = 1;
		eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			if (!parse_u32(eq + 1, 65535, &w))
				goto err;
			b->weight = w;
		}
		if (!parse_endpoint(tok, &b->addr, &b->port) ||
		    b->addr.family != svc->addr.family)
			goto err;
	}
	free(buf);
	*out = bes;
	return *n ? 0 : -1;

err:
	free(buf);
	free(bes);
	*n = 0;
	return -1;
}

/* --- printing --- */


static void print_json(const struct svc_list *l)
{
	char host[64];
	struct json j;
	size_t i, k;

	json_init(&j, stdout);
	json_open_array(&j, NULL);
	for (i = 0; i < l->n; i++) {
		const struct svc_info *s = &l->svcs[i];

		json_open_object(&j, NULL);
		json_string(&j, "ifname", s->ifname);
		json_string(&j, "protocol", proto_name(s->proto));
		inet_ntop(s->addr.family, s->addr.raw, host, sizeof(host));
		json_string(&j, "address", host);
		json_u64(&j, "port", s->port);
		json_string(&j, "scheduler", sched_name(s->sched));
		if (s->sched == SVCNET_SCHED_MAGLEV || s->sched == SVCNET_SCHED_SH)
			json_u64(&j, "maglev_size", s->maglev_size);
		json_string(&j, "policy",
			    s->policy == SVCNET_POLICY_LOCAL ? "local" : "cluster");
		if (s->forward)
			json_string(&j, "forward", forward_name(s->forward));
		if (s->sources)
			json_string(&j, "sources", s->sources);
		if (s->affinity) {
			json_open_object(&j, "affinity");
			json_u64(&j, "timeout", s->affinity);
			json_u64(&j, "mask", s->affinity_prefix);
			json_close_object(&j);
		}
		if (s->tls_off)
			json_string(&j, "tls_offload", "off");
		if (opts.stats) {
			lbstats_json(&j, &s->st);
			tls_stats_json(&j, &s->tls);
		}
		json_open_array(&j, "backends");
		for (k = 0; k < s->n_be; k++) {
			const struct be_info *b = &s->be[k];

			json_open_object(&j, NULL);
			inet_ntop(b->addr.family, b->addr.raw, host,
				  sizeof(host));
			json_string(&j, "address", host);
			json_u64(&j, "port", b->port);
			json_u64(&j, "weight", b->weight);
			if (b->local)
				json_u64(&j, "local", 1);
			if (b->draining)
				json_u64(&j, "drain", b->drain_left);
			if (opts.stats)
				lbstats_json(&j, &b->st);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
}


static void print_text(const struct svc_list *l)
{
	char ep[80];
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		const struct svc_info *s = &l->svcs[i];

		printf("%s %s %s sched %s", s->ifname, proto_name(s->proto),
		       format_endpoint(&s->addr, s->port, ep, sizeof(ep)),
		       sched_name(s->sched));
		if (s->sched == SVCNET_SCHED_MAGLEV || s->sched == SVCNET_SCHED_SH)
			printf(" maglev-size %u", s->maglev_size);
		if (s->affinity)
			printf(" affinity client-ip timeout %u mask %u",
			       s->affinity, s->affinity_prefix);
		if (s->policy == SVCNET_POLICY_LOCAL)
			printf(" policy local");
		if (s->forward > SVCNET_FORWARD_NAT)
			printf(" forward %s", forward_name(s->forward));
		if (s->sources)
			printf(" sources %s", s->sources);
		if (s->tls_off)
			printf(" tls-offload off");
		printf("\n");
		if (opts.stats) {
			lbstats_text("    ", &s->st);
			tls_stats_text("    ", &s->tls);
		}
		for (k = 0; k < s->n_be; k++) {
			const struct be_info *b = &s->be[k];

			printf("  -> %s weight %u",
			       format_endpoint(&b->addr, b->port, ep, sizeof(ep)),
			       b->weight);
			if (b->local)
				printf(" local");
			if (b->draining)
				printf(" draining %us left", b->drain_left);
			printf("\n");
			if (opts.stats)
				lbstats_text("       ", &b->st);
		}
	}
}

/* --- service --- */

static void service_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s service add SERVICE [OPTIONS] [no-route]\n"
		"       %s service set SERVICE [OPTIONS] [backends LIST] [generation N]\n"
		"       %s service del SERVICE\n"
		"       %s [-j] [-s] service show [[dev] DEV]\n"
		"\n"
		"SERVICE := [dev] DEV PROTO ADDR:PORT   (PROTO tcp|udp; IPv6 as [ADDR]:PORT)\n"
		"OPTIONS := [sched NAME] [maglev-size N] [AFFINITY]\n"
		"  [policy cluster|local] [sources any|PREFIX[,PREFIX...]]\n"
		"  [forward nat|snat|tunnel]  (snat: backends see this host as the client;\n"
		"                         tunnel: IP-in-IP to backends that answer directly)\n"
		"  [tls-offload on|off]   (kTLS sockets to it may offload to DEV; default on)\n"
		"NAME := rr | wrr | lc | random | maglev | sh   (default rr)\n"
		"N := a prime between 251 and 131071 (default 65537)\n"
		"AFFINITY := affinity client-ip timeout SECONDS [mask PREFIX] | affinity none\n"
		"  a client's new connections go to the backend of its previous one\n"
		"  when that was less than SECONDS ago (clients compared on PREFIX bits)\n"
		"LIST := none | ADDR:PORT[=WEIGHT][,ADDR:PORT[=WEIGHT]...]\n"
		"  replaces the whole backend set at once; backends that stay keep their\n"
		"  connections, the others are removed with theirs\n"
		"generation N: change nothing unless the configuration is at generation N\n"
		"\n"
		"'add' also adds a host route for ADDR into DEV (protocol %d) unless a\n"
		"route into DEV covers it already, or 'no-route' is given; 'del' removes\n"
		"that route with the last service on ADDR.\n",
		prog, prog, prog, prog, SVCNET_RTPROT);
}

static int service_show(int argc, char **argv)
{
	struct svc_list l = { 0 };
	const char *dev;
	struct ipc ipc;
	int ret;

	ret = parse_dev_arg("service", argc, argv, &dev);
	if (ret)
		return ret;
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	ret = svc_dump(&ipc, dev, &l);
	ipc_close(&ipc);
	if (!ret) {
		if (opts.json)
			print_json(&l);
		else
			print_text(&l);
	}
	svc_list_free(&l);
	return ret;
}

/* Does another service of @dev use @a? */
static bool address_in_use(struct ipc *ipc, const struct svc_arg *svc)
{
	struct svc_list l = { 0 };
	bool used = false;
	size_t i;

	if (svc_dump(ipc, svc->dev, &l))
		return true;
	for (i = 0; i < l.n; i++)
		if (l.svcs[i].addr.family == svc->addr.family &&
		    !memcmp(l.svcs[i].addr.raw, svc->addr.raw, 16))
			used = true;
	svc_list_free(&l);
	return used;
}

/* "any", or PREFIX[,PREFIX...] with PREFIX := ADDR[/LEN] */
static int parse_sources(const char *arg, const struct svc_arg *svc,
			 struct svc_opts *o)
{
	int max = svc->addr.family == AF_INET ? 32 : 128;
	char buf[4096], *tok, *save = NULL, *slash;
	uint32_t len;

	o->n_sources = 0;
	if (!strcmp(arg, "any"))
		return 0;
	if (strlen(arg) >= sizeof(buf))
		return -1;
	if (!o->src) {
		o->src = calloc(SVCNET_MAX_SOURCES, sizeof(*o->src));
		if (!o->src)
			return -1;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct svc_source *p = &o->src[o->n_sources];

		if (o->n_sources == SVCNET_MAX_SOURCES)
			return -1;
		slash = strchr(tok, '/');
		if (slash)
			*slash = '\0';
		memset(p, 0, sizeof(*p));
		p->addr.family = svc->addr.family;
		if (inet_pton(p->addr.family, tok, p->addr.raw) != 1)
			return -1;
		len = max;
		if (slash && !parse_u32(slash + 1, max, &len))
			return -1;
		p->prefix = len;
		o->n_sources++;
	}
	return o->n_sources ? 0 : -1;
}

void svc_opts_free(struct svc_opts *o)
{
	free(o->src);
	o->src = NULL;
}

/*
 * One option of a service at argv[*i] (sched, maglev-size, affinity,
 * policy, sources), advancing *i past it: 1 if it was one, 0 if argv[*i]
 * is something else, -1 with a message in *err if it is wrong.
 */
int parse_svc_opt(int argc, char **argv, int *i, const struct svc_arg *svc,
		  struct svc_opts *o, const char **err)
{
	static char msg[256];
	const char *a = argv[*i];
	int k = *i;
	uint32_t v;

#define OPT_ERR(...) do {						\
		snprintf(msg, sizeof(msg), __VA_ARGS__);		\
		*err = msg;						\
		return -1;						\
	} while (0)
	if (!strcmp(a, "sched") && k + 1 < argc) {
		if (!parse_sched(argv[++k], &o->sched))
			OPT_ERR("unknown scheduler '%s' (rr, wrr, lc, random, maglev, sh)",
				argv[k]);
	} else if (!strcmp(a, "maglev-size") && k + 1 < argc) {
		if (!parse_u32(argv[++k], 0xffffffff, &o->maglev_size) ||
		    !o->maglev_size)
			OPT_ERR("'%s' is not a table size", argv[k]);
	} else if (!strcmp(a, "affinity") && k + 1 < argc &&
		   !strcmp(argv[k + 1], "none")) {
		o->affinity = 0;
		k++;
	} else if (!strcmp(a, "affinity") && k + 3 < argc &&
		   !strcmp(argv[k + 1], "client-ip") &&
		   !strcmp(argv[k + 2], "timeout")) {
		k += 3;
		if (!parse_u32(argv[k], SVCNET_TIMEOUT_MAX, &v) || !v)
			OPT_ERR("'%s' is not an affinity timeout (1-%u seconds)",
				argv[k], SVCNET_TIMEOUT_MAX);
		o->affinity = v;
		if (k + 2 < argc && !strcmp(argv[k + 1], "mask")) {
			k += 2;
			if (!parse_u32(argv[k], 128, &v))
				OPT_ERR("'%s' is not a prefix length", argv[k]);
			o->prefix = v;
		}
	} else if (!strcmp(a, "policy") && k + 1 < argc) {
		k++;
		if (!strcmp(argv[k], "local"))
			o->policy = SVCNET_POLICY_LOCAL;
		else if (!strcmp(argv[k], "cluster"))
			o->policy = SVCNET_POLICY_CLUSTER;
		else
			OPT_ERR("'%s' is not a policy (cluster or local)", argv[k]);
	} else if (!strcmp(a, "forward") && k + 1 < argc) {
		if (!parse_forward(argv[++k], &o->forward))
			OPT_ERR("'%s' is not a forwarding method (nat, snat or tunnel)",
				argv[k]);
	} else if (!strcmp(a, "tls-offload") && k + 1 < argc) {
		k++;
		if (strcmp(argv[k], "on") && strcmp(argv[k], "off"))
			OPT_ERR("'tls-offload' takes on or off, not '%s'", argv[k]);
		o->tls_offload = !strcmp(argv[k], "on");
	} else if (!strcmp(a, "sources") && k + 1 < argc) {
		if (parse_sources(argv[++k], svc, o))
			OPT_ERR("'%s' is not 'any' or a list of up to %d prefixes of the service's family",
				argv[k], SVCNET_MAX_SOURCES);
	} else {
		return 0;
	}
#undef OPT_ERR
	*i = k + 1;
	return 1;
}

static int service_modify_opts(const char *what, int argc, char **argv,
			       struct svc_opts *o)
{
	bool add = !strcmp(what, "add");
	bool del = !strcmp(what, "del");
	bool no_route = false, added, has_gen = false;
	struct be_opts *bes = NULL;
	const char *be_list = NULL;
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	struct svc_arg svc;
	const char *err;
	size_t n_bes = 0;
	uint32_t gen = 0;
	struct ipc ipc;
	unsigned int ifindex;
	int i = 0, ret;

	ret = parse_service("service", argc, argv, &i, &svc);
	if (ret)
		return ret;
	while (i < argc) {
		if (!del) {
			ret = parse_svc_opt(argc, argv, &i, &svc, o, &err);
			if (ret < 0)
				return usage_error("service", "%s", err);
			if (ret)
				continue;
		}
		if (add && !strcmp(argv[i], "no-route")) {
			no_route = true;
		} else if (!add && !del && !strcmp(argv[i], "backends") &&
			   i + 1 < argc) {
			be_list = argv[++i];
		} else if (!del && !strcmp(argv[i], "generation") &&
			   i + 1 < argc) {
			if (!parse_u32(argv[++i], UINT32_MAX, &gen))
				return usage_error("service",
						   "'%s' is not a generation number",
						   argv[i]);
			has_gen = true;
		} else {
			return usage_error("service", "unexpected argument '%s'",
					   argv[i]);
		}
		i++;
	}
	if (be_list && parse_be_list(be_list, &svc, &bes, &n_bes))
		return usage_error("service",
				   "'%s' is not 'none' or ADDR:PORT[=WEIGHT][,...] of the service's family",
				   be_list);
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	nlh = ipc_msg(&ipc, add ? SVCNET_CMD_SERVICE_NEW :
			    del ? SVCNET_CMD_SERVICE_DEL : SVCNET_CMD_SERVICE_SET,
		      0);
	put_dev_name(nlh, svc.dev);
	if (has_gen)
		put_generation(nlh, gen);
	nest = put_svc_nest_start(nlh, &svc, o);
	if (be_list)
		put_backends(nlh, &svc, bes, n_bes);
	mnl_attr_nest_end(nlh, nest);
	free(bes);
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	if (ret)
		goto out;
	ifindex = if_nametoindex(svc.dev);
	if (add && !no_route) {
		ret = route_ensure(&svc.addr, ifindex, &added);
		if (ret) {
			/* leave nothing half done */
			nlh = ipc_msg(&ipc, SVCNET_CMD_SERVICE_DEL, 0);
			put_service_opts(nlh, &svc, NULL);
			ipc_run(&ipc, nlh, NULL, NULL);
		}
	} else if (del && ifindex && !address_in_use(&ipc, &svc)) {
		ret = route_release(&svc.addr, ifindex);
	}
out:
	ipc_close(&ipc);
	return ret;
}

static int service_modify(const char *what, int argc, char **argv)
{
	struct svc_opts o = { .affinity = -1, .prefix = -1, .n_sources = -1,
			      .tls_offload = -1 };
	int ret = service_modify_opts(what, argc, argv, &o);

	svc_opts_free(&o);
	return ret;
}

int cmd_service(int argc, char **argv)
{
	if (!argc)
		return service_show(0, NULL);
	if (is_help(argv[0])) {
		service_usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1 && is_help(argv[1])) {
		service_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return service_show(argc - 1, argv + 1);
	if (!strcmp(argv[0], "add") || !strcmp(argv[0], "set") ||
	    !strcmp(argv[0], "del"))
		return service_modify(argv[0], argc - 1, argv + 1);
	return usage_error("service", "unknown service command '%s'", argv[0]);
}
