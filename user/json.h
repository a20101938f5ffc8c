/* SPDX-License-Identifier: GPL-2.0 */
/* A JSON writer just big enough for our output: objects, arrays, scalars. */
#ifndef SO_JSON_H
#define SO_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool first[8]; /* no comma needed yet at this depth */
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key); /* key NULL: a value */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_double(struct json *j, const char *key, double v);
void json_str(struct json *j, const char *key, const char *s);
void json_bool(struct json *j, const char *key, bool v);

#endif /* SO_JSON_H */
