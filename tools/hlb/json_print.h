/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON, in the manner of iproute2's
 * lib/json_print.c: every value is printed by one call that names its JSON
 * key and its text format, so both outputs always carry the same data.
 *
 *	print_uint(PRINT_ANY, "port", " port %u", port);
 *
 * prints " port 80" in text mode and "port":80 in JSON mode.
 */
#ifndef HLB_JSON_PRINT_H
#define HLB_JSON_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = 3,		/* both */
};

void json_print_init(FILE *out, bool json, bool pretty);
FILE *json_print_file(void);
bool is_json_context(void);

/* A document: one per command (or one per event in monitor). */
void new_json_obj(void);
void delete_json_obj(void);

void open_json_object(const char *name);
void close_json_object(void);
void open_json_array(const char *name);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value);
/* Text prints fmt with "on" or "off"; JSON prints true or false. */
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value);
/* Text only. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_nl(void);

#endif /* HLB_JSON_PRINT_H */
