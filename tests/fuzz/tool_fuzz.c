// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the parsers of the svcnet tool: endpoints
 * (addresses and ports), service command lines and apply files, built
 * with ASan and UBSan. The first input byte picks the parser; the rest is
 * its input. Besides not crashing, each parser must keep its promises:
 *  - an endpoint it accepts prints back to text that parses to the same
 *    endpoint;
 *  - a service command line it accepts has options within their ranges;
 *  - an apply file it accepts builds a request that fits the size the
 *    tool allocates for it and whose attributes parse back, one
 *    SVCNET_A_SERVICE per service at least.
 * The apply file parser is static in apply.c, which is included here.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace-tools/apply.c"

static char *zdup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	assert(s);
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static void fuzz_endpoint(const uint8_t *data, size_t len)
{
	char *s = zdup(data, len), buf[64];
	struct addr a, b;
	uint16_t p, q;

	if (parse_endpoint(s, &a, &p)) {
		assert(p != 0);
		assert(a.family == AF_INET || a.family == AF_INET6);
		format_endpoint(&a, p, buf, sizeof(buf));
		assert(parse_endpoint(buf, &b, &q));
		assert(q == p && b.family == a.family &&
		       !memcmp(a.raw, b.raw, addr_len(&a)));
	}
	free(s);
}

/* Words separated by blanks, as a shell would hand them over. */
static int split(char *s, char **argv, int max)
{
	char *save, *tok;
	int argc = 0;

	for (tok = strtok_r(s, " \t\n", &save); tok && argc < max;
	     tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static void fuzz_service_args(const uint8_t *data, size_t len)
{
	char *s = zdup(data, len), *argv[MAX_TOKENS + 1];
	struct svc_arg svc = {};
	struct svc_opts o;
	int argc, i = 0, ret;
	const char *err;

	argc = split(s, argv, MAX_TOKENS);
	if (parse_service("add", argc, argv, &i, &svc) == 0) {
		assert(svc.port && (svc.proto == IPPROTO_TCP ||
				    svc.proto == IPPROTO_UDP));
		memset(&o, 0, sizeof(o));
		o.affinity = -1;
		o.prefix = -1;
		o.n_sources = -1;
		o.tls_offload = -1;
		while (i < argc) {
			ret = parse_svc_opt(argc, argv, &i, &svc, &o, &err);
			if (ret <= 0)
				break;
		}
		assert(o.n_sources <= SVCNET_MAX_SOURCES);
		assert(o.prefix <= (svc.addr.family == AF_INET ? 32 : 128));
		assert(o.tls_offload >= -1 && o.tls_offload <= 1);
		svc_opts_free(&o);
	}
	free(s);
}

static void fuzz_apply_file(const uint8_t *data, size_t len)
{
	struct file f = { .name = "fuzz" };
	struct nlmsghdr *nlh;
	struct nlattr *attr;
	size_t i, size, n = 0;
	FILE *in;
	void *buf;

	in = fmemopen((void *)data, len ?: 1, "r");
	assert(in);
	if (!len)
		fgetc(in);
	if (file_parse(&f, in) == 0) {
		size = request_size(&f);
		buf = calloc(1, size);
		assert(buf);
		nlh = mnl_nlmsg_put_header(buf);
		for (i = 0; i < f.n; i++)
			put_file_service(nlh, &f.svcs[i]);
		assert(nlh->nlmsg_len <= size);
		mnl_attr_for_each(attr, nlh, 0) {
			assert(mnl_attr_get_type(attr) == SVCNET_A_SERVICE);
			n++;
		}
		assert(n >= f.n);
		free(buf);
	}
	fclose(in);
	file_free(&f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* the parsers' error messages; sanitizer reports use fd 2 itself */
	stderr = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!len)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_endpoint(data + 1, len - 1);
		break;
	case 1:
		fuzz_service_args(data + 1, len - 1);
		break;
	default:
		fuzz_apply_file(data + 1, len - 1);
		break;
	}
	return 0;
}
