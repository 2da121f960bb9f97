// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of addresses, ports, protocols and services.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/svcnet.h>

#include "ipc.h"
#include "parse.h"
#include "usage.h"

bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* ADDR:PORT with ADDR an IPv4 address, or [ADDR]:PORT with IPv6. */
bool parse_endpoint(const char *s, struct addr *a, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 2];
	bool bracket = *s == '[';
	const char *colon;
	uint32_t p;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (bracket) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return false;
		n = close - s - 1;
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = colon - s;
	}
	if (n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!parse_u32(colon + 1, 65535, &p) || !p)
		return false;
	*port = p;
	if (!bracket && inet_pton(AF_INET, host, &a->v4) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (bracket && inet_pton(AF_INET6, host, &a->v6) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

bool parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return false;
	return true;
}

const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

static int hex_value(char c)
{
	if (!isxdigit((unsigned char)c))
		return -1;
	return isdigit((unsigned char)c) ? c - '0' :
	       tolower((unsigned char)c) - 'a' + 10;
}

bool parse_hash_key(const char *s, uint8_t *key)
{
	unsigned int i;
	int hi, lo;

	if (strlen(s) != 2 * SVCNET_HASH_KEY_LEN)
		return false;
	for (i = 0; i < SVCNET_HASH_KEY_LEN; i++) {
		hi = hex_value(s[2 * i]);
		lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		key[i] = hi << 4 | lo;
	}
	return true;
}

void format_hash_key(const uint8_t *key, char *buf)
{
	unsigned int i;

	for (i = 0; i < SVCNET_HASH_KEY_LEN; i++)
		sprintf(buf + 2 * i, "%02x", key[i]);
}

bool valid_ifname(const char *s)
{
	return *s && strlen(s) < IF_NAMESIZE && !strchr(s, '/') &&
	       !strchr(s, ' ');
}

int parse_service(const char *subcmd, int argc, char **argv, int *i,
		  struct svc_arg *svc)
{
	memset(svc, 0, sizeof(*svc));
	if (*i < argc && !strcmp(argv[*i], "dev"))
		(*i)++;
	if (*i + 3 > argc)
		return usage_error(subcmd,
				   "a service is named DEV PROTO ADDR:PORT, e.g. svc0 tcp 10.96.0.1:80");
	svc->dev = argv[(*i)++];
	if (!valid_ifname(svc->dev))
		return usage_error(subcmd, "'%s' is not a valid device name",
				   svc->dev);
	if (!parse_proto(argv[*i], &svc->proto))
		return usage_error(subcmd, "'%s' is not a protocol (tcp or udp)",
				   argv[*i]);
	(*i)++;
	if (!parse_endpoint(argv[*i], &svc->addr, &svc->port))
		return usage_error(subcmd,
				   "'%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT, port 1-65535)",
				   argv[*i]);
	(*i)++;
	return 0;
}

const char *format_endpoint(const struct addr *a, uint16_t port, char *buf,
			    size_t len)
{
	char host[INET6_ADDRSTRLEN];

	inet_ntop(a->family, a->raw, host, sizeof(host));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, port);
	else
		snprintf(buf, len, "%s:%u", host, port);
	return buf;
}

void addr_from(struct addr *a, const void *data, unsigned int len)
{
	memset(a, 0, sizeof(*a));
	if (len != 4 && len != 16)
		return;
	a->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(a->raw, data, len);
}

/*
 * An optional [[dev] DEV] as the only arguments of @subcmd; *@dev stays
 * NULL when none is given. 0 or EXIT_USAGE (printed).
 */
int parse_dev_arg(const char *subcmd, int argc, char **argv, const char **dev)
{
	int i;

	*dev = NULL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "dev") && i + 1 < argc)
			i++;
		if (*dev)
			return usage_error(subcmd, "unexpected argument '%s'",
					   argv[i]);
		*dev = argv[i];
		if (!valid_ifname(*dev))
			return usage_error(subcmd,
					   "'%s' is not a valid device name",
					   *dev);
	}
	return 0;
}

void *array_reserve(void *arr, size_t n, size_t *cap, size_t size,
		    size_t first)
{
	size_t c;

	if (n < *cap)
		return arr;
	c = *cap ? 2 * *cap : first;
	if (c > SIZE_MAX / size)
		return NULL;
	arr = realloc(arr, c * size);
	if (arr)
		*cap = c;
	return arr;
}
