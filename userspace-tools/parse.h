/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_PARSE_H
#define SVCNET_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t raw[16];
	};
};

/* A service as named on the command line: [dev] DEV PROTO ADDR:PORT. */
struct svc_arg {
	const char *dev;
	uint8_t proto;
	struct addr addr;
	uint16_t port;
};

static inline unsigned int addr_len(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

bool parse_endpoint(const char *s, struct addr *a, uint16_t *port);
bool parse_proto(const char *s, uint8_t *proto);
bool parse_u32(const char *s, uint32_t max, uint32_t *out);
bool valid_ifname(const char *s);
/* SVCNET_HASH_KEY_LEN bytes from as many pairs of hex digits, or false. */
bool parse_hash_key(const char *s, uint8_t *key);
/* @key as hex digits into @buf, of at least 2 * SVCNET_HASH_KEY_LEN + 1. */
void format_hash_key(const uint8_t *key, char *buf);
/* Parse a service at argv[*i], advancing *i; 0 or EXIT_USAGE (printed). */
int parse_service(const char *subcmd, int argc, char **argv, int *i,
		  struct svc_arg *svc);
/* An optional [[dev] DEV]; 0 or EXIT_USAGE (printed). */
int parse_dev_arg(const char *subcmd, int argc, char **argv, const char **dev);
const char *proto_name(uint8_t proto);
/* "10.0.0.1:80" or "[2001:db8::1]:80" into @buf. */
const char *format_endpoint(const struct addr *a, uint16_t port, char *buf,
			    size_t len);
void addr_from(struct addr *a, const void *data, unsigned int len);
/*
 * @arr (@n elements of @size used, room for *@cap) with room for one more:
 * the capacity doubles, starting at @first. NULL when out of memory, and
 * @arr is kept.
 */
void *array_reserve(void *arr, size_t n, size_t *cap, size_t size,
		    size_t first);

#endif
