// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet apply and svcnet save: the services of a device as a file.
 *
 *   dev DEV
 *   hash-key HEX
 *   service PROTO ADDR:PORT [OPTIONS] [no-route]
 *     backend ADDR:PORT [weight W] [local] [drain SECONDS]
 *
 * apply sends the whole file in one SVCNET_CMD_APPLY request, which the
 * kernel applies whole or not at all; save prints a file that apply
 * restores exactly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "parse.h"
#include "route.h"
#include "api.h"
#include "svcnet.h"

#define MAX_TOKENS 64
/* close a service's nest before it nears the 64 KiB of an attribute */
#define NEST_ROOM (65535 - 1024)

struct file_svc {
	struct svc_arg svc;
	struct svc_opts o;
	bool no_route;
	unsigned int line;
	struct be_opts *be;
	size_t n_be, cap_be;
	size_t msg_start, msg_end;	/* where its nests are in the request */
};

struct file {
	const char *name;
	char dev[IF_NAMESIZE];
	bool has_key;			/* else the device keeps its own */
	uint8_t key[SVCNET_HASH_KEY_LEN];
	struct file_svc *svcs;
	size_t n, cap;
};

static void file_free(struct file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->svcs[i].be);
		svc_opts_free(&f->svcs[i].o);
	}
	free(f->svcs);
}

static int file_error(const struct file *f, unsigned int line,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int file_error(const struct file *f, unsigned int line,
		      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%u: ", prog, f->name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int parse_service_line(struct file *f, unsigned int line, int argc,
			      char **argv)
{
	struct file_svc *s;
	const char *err;
	int i = 2, ret;

	if (argc < 3)
		return file_error(f, line, "'service' needs PROTO ADDR:PORT");
	s = array_reserve(f->svcs, f->n, &f->cap, sizeof(*s), 16);
	if (!s)
		return file_error(f, line, "out of memory");
	f->svcs = s;
	s = &f->svcs[f->n++];
	memset(s, 0, sizeof(*s));
	s->o.affinity = -1;
	s->o.prefix = -1;
	s->o.n_sources = -1;
	s->o.tls_offload = -1;
	s->line = line;
	if (!parse_proto(argv[1], &s->svc.proto))
		return file_error(f, line, "'%s' is not a protocol (tcp, udp)",
				  argv[1]);
	if (!parse_endpoint(argv[2], &s->svc.addr, &s->svc.port))
		return file_error(f, line,
				  "'%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT)",
				  argv[2]);
	i = 3;
	while (i < argc) {
		ret = parse_svc_opt(argc, argv, &i, &s->svc, &s->o, &err);
		if (ret < 0)
			return file_error(f, line, "%s", err);
		if (ret)
			continue;
		if (strcmp(argv[i], "no-route"))
			return file_error(f, line, "unexpected '%s'", argv[i]);
		s->no_route = true;
		i++;
	}
	return 0;
}

static int parse_backend_line(struct file *f, unsigned int line, int argc,
			      char **argv)
{
	struct file_svc *s = f->n ? &f->svcs[f->n - 1] : NULL;
	struct be_opts *b;
	uint32_t v;
	int i;

	if (!s)
		return file_error(f, line, "a backend before any service");
	if (argc < 2)
		return file_error(f, line, "'backend' needs ADDR:PORT");
	b = array_reserve(s->be, s->n_be, &s->cap_be, sizeof(*b), 4);
	if (!b)
		return file_error(f, line, "out of memory");
	s->be = b;
	b = &s->be[s->n_be++];
	memset(b, 0, sizeof(*b));
	b->weight = 1;
	if (!parse_endpoint(argv[1], &b->addr, &b->port) ||
	    b->addr.family != s->svc.addr.family)
		return file_error(f, line,
				  "'%s' is not ADDR:PORT of the service's family",
				  argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "weight") && i + 1 < argc) {
			if (!parse_u32(argv[++i], 65535, &v))
				return file_error(f, line,
						  "'%s' is not a weight (0-65535)",
						  argv[i]);
			b->weight = v;
		} else if (!strcmp(argv[i], "local")) {
			b->local = true;
		} else if (!strcmp(argv[i], "drain") && i + 1 < argc) {
			if (!parse_u32(argv[++i], SVCNET_TIMEOUT_MAX, &v) || !v)
				return file_error(f, line,
						  "'%s' is not a drain deadline (1-%u seconds)",
						  argv[i], SVCNET_TIMEOUT_MAX);
			b->drain = v;
		} else {
			return file_error(f, line, "unexpected '%s'", argv[i]);
		}
	}
	return 0;
}

static int svc_key_cmp(const void *a, const void *b)
{
	const struct file_svc *x = *(const struct file_svc **)a;
	const struct file_svc *y = *(const struct file_svc **)b;

	if (x->svc.proto != y->svc.proto)
		return x->svc.proto - y->svc.proto;
	if (x->svc.addr.family != y->svc.addr.family)
		return x->svc.addr.family - y->svc.addr.family;
	if (x->svc.port != y->svc.port)
		return x->svc.port - y->svc.port;
	return memcmp(x->svc.addr.raw, y->svc.addr.raw, 16);
}

/* A service listed twice is an error of the file, found here. */
static int check_duplicates(struct file *f)
{
	struct file_svc **v;
	int ret = 0;
	size_t i;

	if (f->n < 2)
		return 0;
	v = malloc(f->n * sizeof(*v));
	if (!v)
		return file_error(f, 0, "out of memory");
	for (i = 0; i < f->n; i++)
		v[i] = &f->svcs[i];
	qsort(v, f->n, sizeof(*v), svc_key_cmp);
	for (i = 1; i < f->n && !ret; i++)
		if (!svc_key_cmp(&v[i - 1], &v[i]))
			ret = file_error(f, v[i]->line > v[i - 1]->line ?
					 v[i]->line : v[i - 1]->line,
					 "the service is listed twice");
	free(v);
	return ret;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The words of @line, up to a word that starts with '#', into @argv (the
 * line is cut at their ends); their number, or -1 for too many.
 */
static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (;;) {
		while (is_blank(*line))
			line++;
		if (!*line || *line == '#')
			return argc;
		if (argc == MAX_TOKENS)
			return -1;
		argv[argc++] = line;
		while (*line && !is_blank(*line))
			line++;
		if (!*line)
			return argc;
		*line++ = '\0';
	}
}

static int file_parse(struct file *f, FILE *in)
{
	char *line = NULL, *argv[MAX_TOKENS];
	unsigned int lineno = 0;
	size_t cap = 0;
	int argc, ret = 0;

	while (!ret && getline(&line, &cap, in) >= 0) {
		lineno++;
		argc = split_words(line, argv);
		if (argc < 0)
			ret = file_error(f, lineno, "too many words");
		if (ret || !argc)
			continue;
		if (!strcmp(argv[0], "service")) {
			ret = parse_service_line(f, lineno, argc, argv);
		} else if (!strcmp(argv[0], "backend")) {
			ret = parse_backend_line(f, lineno, argc, argv);
		} else if (!strcmp(argv[0], "dev") && argc == 2) {
			if (f->dev[0] || f->n)
				ret = file_error(f, lineno,
						 "'dev' must come once, before the services");
			else if (!valid_ifname(argv[1]))
				ret = file_error(f, lineno,
						 "'%s' is not a device name", argv[1]);
			else
				snprintf(f->dev, sizeof(f->dev), "%s", argv[1]);
		} else if (!strcmp(argv[0], "hash-key") && argc == 2) {
			if (f->has_key || f->n)
				ret = file_error(f, lineno,
						 "'hash-key' must come once, before the services");
			else if (!parse_hash_key(argv[1], f->key))
				ret = file_error(f, lineno,
						 "'%s' is not a key of %d hex digits",
						 argv[1], 2 * SVCNET_HASH_KEY_LEN);
			f->has_key = true;
		} else {
			ret = file_error(f, lineno,
					 "expected 'dev', 'hash-key', 'service' or 'backend', not '%s'",
					 argv[0]);
		}
	}
	free(line);
	if (!ret && ferror(in)) {
		fprintf(stderr, "%s: %s: %s\n", prog, f->name, strerror(errno));
		ret = EXIT_USAGE;
	}
	return ret ?: check_duplicates(f);
}

/* An upper bound of the request's size. */
static size_t request_size(const struct file *f)
{
	size_t i, len = 4096;

	for (i = 0; i < f->n; i++)
		len += 512 + (f->svcs[i].o.n_sources > 0 ?
			      f->svcs[i].o.n_sources * 32 : 0) +
		       f->svcs[i].n_be * 64 +
		       (f->svcs[i].n_be / 512 + 1) * 128;
	return len;
}

static void put_file_service(struct nlmsghdr *nlh, struct file_svc *s)
{
	s->msg_start = nlh->nlmsg_len;
	put_service_backends(nlh, &s->svc, &s->o, s->be, s->n_be, NEST_ROOM);
	s->msg_end = nlh->nlmsg_len;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct addr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->raw, y->raw, sizeof(x->raw));
}

/* Sort @n addresses and drop repeats; the number left. */
static size_t addrs_unique(struct addr *a, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(a, n, sizeof(*a), addr_cmp);
	for (i = 1; i < n; i++)
		if (addr_cmp(&a[k], &a[i]))
			a[++k] = a[i];
	return k + 1;
}

static void apply_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s apply [[dev] DEV] -f FILE [generation N]\n"
		"       %s save [[dev] DEV]\n"
		"\n"
		"'apply' makes the services of DEV exactly those of FILE ('-': standard\n"
		"input), in one transaction: all of it or, on any error, nothing.\n"
		"Backends that stay keep their connections. With 'generation N' it\n"
		"applies only if the configuration is still at generation N.\n"
		"'save' prints the services of DEV in that format. FILE holds lines\n"
		"  dev DEV\n"
		"  hash-key HEX\n"
		"  service PROTO ADDR:PORT [OPTIONS] [no-route]\n"
		"    backend ADDR:PORT [weight W] [local] [drain SECONDS]\n"
		"with OPTIONS those of 'svcnet service add'; see svcnet(8). Without\n"
		"'hash-key' the device keeps its key ('svcnet set').\n",
		prog, prog);
}

int cmd_apply(int argc, char **argv)
{
	struct file f = { .name = NULL };
	struct svc_list before = { 0 };
	struct addr *routed = NULL, *gone = NULL;
	size_t n_routed = 0, n_gone = 0;
	bool has_gen = false, *added;
	const char *dev = NULL;
	struct nlmsghdr *nlh;
	unsigned int ifindex;
	uint32_t gen = 0;
	struct ipc ipc;
	char *buf;
	size_t i, k;
	FILE *in;
	int ret;

	for (k = 0; k < (size_t)argc; k++) {
		if (is_help(argv[k])) {
			apply_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[k], "-f") && k + 1 < (size_t)argc) {
			f.name = argv[++k];
		} else if (!strcmp(argv[k], "generation") && k + 1 < (size_t)argc) {
			if (!parse_u32(argv[++k], UINT32_MAX, &gen))
				return usage_error("apply",
						   "'%s' is not a generation number",
						   argv[k]);
			has_gen = true;
		} else if (!strcmp(argv[k], "dev") && k + 1 < (size_t)argc) {
			dev = argv[++k];
		} else if (!dev) {
			dev = argv[k];
		} else {
			return usage_error("apply", "unexpected argument '%s'",
					   argv[k]);
		}
	}
	if (!f.name)
		return usage_error("apply", "missing '-f FILE'");
	if (dev && !valid_ifname(dev))
		return usage_error("apply", "'%s' is not a valid device name",
				   dev);
	in = strcmp(f.name, "-") ? fopen(f.name, "r") : stdin;
	if (!in) {
		fprintf(stderr, "%s: %s: %s\n", prog, f.name, strerror(errno));
		return EXIT_USAGE;
	}
	ret = file_parse(&f, in);
	if (in != stdin)
		fclose(in);
	if (ret)
		goto out_file;
	if (dev && f.dev[0] && strcmp(dev, f.dev)) {
		ret = usage_error("apply", "the file is for device %s, not %s",
				  f.dev, dev);
		goto out_file;
	}
	if (!dev && !f.dev[0]) {
		ret = usage_error("apply",
				  "name the device: 'dev DEV' in the file or on the command line");
		goto out_file;
	}
	if (!dev)
		dev = f.dev;

	ret = EXIT_KERNEL;
	buf = malloc(request_size(&f));
	added = calloc(f.n + 1, sizeof(*added));
	routed = malloc((f.n + 1) * sizeof(*routed));
	if (!buf || !added || !routed) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out_buf;
	}
	if (ipc_open(&ipc))
		goto out_buf;
	ifindex = if_nametoindex(dev);
	if (svc_dump(&ipc, dev, &before))
		goto out_ipc;
	nlh = ipc_msg_in(&ipc, buf, SVCNET_CMD_APPLY, 0);
	put_dev_name(nlh, dev);
	if (has_gen)
		put_generation(nlh, gen);
	if (f.has_key)
		put_hash_key(nlh, f.key);
	for (i = 0; i < f.n; i++)
		put_file_service(nlh, &f.svcs[i]);
	if (ipc_sndbuf(&ipc, nlh->nlmsg_len)) {
		fprintf(stderr, "%s: cannot send a request of %u bytes: %s\n",
			prog, nlh->nlmsg_len, strerror(errno));
		goto out_ipc;
	}
	/* routes first, so that a failure leaves nothing behind */
	for (i = 0; i < f.n; i++) {
		f.svcs[i].svc.dev = dev;
		if (!f.svcs[i].no_route)
			routed[n_routed++] = f.svcs[i].svc.addr;
	}
	n_routed = addrs_unique(routed, n_routed);
	if (routes_ensure(routed, n_routed, ifindex, added))
		goto out_routes;
	ret = ipc_run(&ipc, nlh, NULL, NULL);
	if (ret) {
		for (i = 0; ipc.err_offs >= 0 && i < f.n; i++)
			if (ipc.err_offs >= (int64_t)f.svcs[i].msg_start &&
			    ipc.err_offs < (int64_t)f.svcs[i].msg_end)
				fprintf(stderr, "%s: %s:%u: this service was refused\n",
					prog, f.name, f.svcs[i].line);
		goto out_routes;
	}
	/* the routes of addresses no service uses any more go */
	gone = malloc((before.n + 1) * sizeof(*gone));
	if (!gone) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ret = EXIT_KERNEL;
		goto out_ipc;
	}
	for (i = 0; i < before.n; i++)
		if (!bsearch(&before.svcs[i].addr, routed, n_routed,
			     sizeof(*routed), addr_cmp))
			gone[n_gone++] = before.svcs[i].addr;
	n_gone = addrs_unique(gone, n_gone);
	if (routes_release(gone, n_gone, ifindex))
		ret = EXIT_KERNEL;
	goto out_ipc;

out_routes:
	ret = EXIT_KERNEL;
	for (i = 0, k = 0; i < n_routed; i++)
		if (added[i])
			routed[k++] = routed[i];
	routes_release(routed, k, ifindex);
out_ipc:
	ipc_close(&ipc);
	svc_list_free(&before);
out_buf:
	free(gone);
	free(routed);
	free(added);
	free(buf);
out_file:
	file_free(&f);
	return ret;
}

/* --- save --- */

static void save_service(const struct svc_info *s)
{
	char ep[80];
	size_t k;

	printf("service %s %s sched %s", proto_name(s->proto),
	       format_endpoint(&s->addr, s->port, ep, sizeof(ep)),
	       sched_name(s->sched));
	if (s->maglev_size != 65537)
		printf(" maglev-size %u", s->maglev_size);
	if (s->affinity)
		printf(" affinity client-ip timeout %u mask %u", s->affinity,
		       s->affinity_prefix);
	if (s->policy == SVCNET_POLICY_LOCAL)
		printf(" policy local");
	if (s->forward > SVCNET_FORWARD_NAT)
		printf(" forward %s", forward_name(s->forward));
	if (s->sources)
		printf(" sources %s", s->sources);
	if (s->tls_off)
		printf(" tls-offload off");
	printf("\n");
	for (k = 0; k < s->n_be; k++) {
		const struct be_info *b = &s->be[k];

		printf("  backend %s weight %u",
		       format_endpoint(&b->addr, b->port, ep, sizeof(ep)),
		       b->weight);
		if (b->local)
			printf(" local");
		if (b->draining)
			printf(" drain %u", b->drain_left ? b->drain_left : 1);
		printf("\n");
	}
}

int cmd_save(int argc, char **argv)
{
	struct dev_list devs = { 0 };
	char name[IF_NAMESIZE], key[2 * SVCNET_HASH_KEY_LEN + 1] = "";
	struct svc_list l = { 0 };
	struct nlmsghdr *nlh;
	const char *dev;
	struct ipc ipc;
	size_t i;
	int ret;

	for (i = 0; i < (size_t)argc; i++)
		if (is_help(argv[i])) {
			apply_usage(stdout);
			return EXIT_OK;
		}
	ret = parse_dev_arg("save", argc, argv, &dev);
	if (ret)
		return ret;
	ret = ipc_open(&ipc);
	if (ret)
		return ret;
	if (!dev) {
		nlh = ipc_msg(&ipc, SVCNET_CMD_DEV_GET, NLM_F_DUMP);
		ret = ipc_run(&ipc, nlh, dev_cb, &devs);
		if (!ret && devs.n == 1)
			snprintf(name, sizeof(name), "%s", devs.devs[0].ifname);
		free(devs.devs);
		if (ret)
			goto out;
		if (devs.n != 1) {
			ipc_close(&ipc);
			return usage_error("save", devs.n ?
					   "there are several svcnet devices: name one" :
					   "there is no svcnet device");
		}
		dev = name;
	}
	/* the key, when this user may read it */
	nlh = ipc_msg(&ipc, SVCNET_CMD_DEV_GET, 0);
	put_dev_name(nlh, dev);
	devs.devs = NULL;
	devs.n = 0;
	ret = ipc_run(&ipc, nlh, dev_cb, &devs);
	if (!ret && devs.n == 1 && devs.devs[0].has_hash_key)
		format_hash_key(devs.devs[0].hash_key, key);
	free(devs.devs);
	if (!ret)
		ret = svc_dump(&ipc, dev, &l);
	if (ret)
		goto out;
	printf("# svcnet save\ndev %s\n", dev);
	if (key[0])
		printf("hash-key %s\n", key);
	for (i = 0; i < l.n; i++)
		save_service(&l.svcs[i]);
	svc_list_free(&l);
out:
	ipc_close(&ipc);
	return ret;
}
