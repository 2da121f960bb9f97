/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_JSON_H
#define SVCNET_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A small streaming JSON writer: commas and nesting are tracked for you. */
struct json {
	FILE *out;
	int depth;
	bool first[32];
};

void json_init(struct json *j, FILE *out);
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_bool(struct json *j, const char *key, bool value);

#endif
