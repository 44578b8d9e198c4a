// SPDX-License-Identifier: GPL-2.0
/*
 * One print path for text and JSON (see json_print.h).
 *
 * The JSON writer is a small state machine: a stack of open containers,
 * each remembering whether it already holds a member, so commas and (with
 * pretty printing) newlines and indentation go in the right places.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "json_print.h"

/* Nesting is fixed by the code, never by input; 16 is far beyond it. */
#define JSON_MAX_DEPTH 16

static struct {
	FILE *out;
	bool json;
	bool pretty;
	int depth;
	bool nonempty[JSON_MAX_DEPTH];
	char closer[JSON_MAX_DEPTH];
} jp = { .out = NULL };

void json_print_init(FILE *out, bool json, bool pretty)
{
	jp.out = out;
	jp.json = json;
	jp.pretty = pretty;
	jp.depth = 0;
}

FILE *json_print_file(void)
{
	return jp.out ? jp.out : stdout;
}

bool is_json_context(void)
{
	return jp.json;
}

static void indent(void)
{
	int i;

	if (!jp.pretty)
		return;
	fputc('\n', jp.out);
	for (i = 0; i < jp.depth; i++)
		fputs("    ", jp.out);
}

static void put_json_string(const char *s)
{
	const unsigned char *p;

	fputc('"', jp.out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", jp.out);
			break;
		case '\\':
			fputs("\\\\", jp.out);
			break;
		case '\n':
			fputs("\\n", jp.out);
			break;
		case '\t':
			fputs("\\t", jp.out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(jp.out, "\\u%04x", *p);
			else
				fputc(*p, jp.out);
		}
	}
	fputc('"', jp.out);
}

/* Starts a member (with its key, inside an object) or an array element. */
static void json_member(const char *key)
{
	if (jp.depth > 0) {
		if (jp.nonempty[jp.depth - 1])
			fputc(',', jp.out);
		jp.nonempty[jp.depth - 1] = true;
		indent();
	}
	if (key) {
		put_json_string(key);
		fputs(jp.pretty ? ": " : ":", jp.out);
	}
}

static void json_open(const char *key, char opener, char closer)
{
	if (jp.depth >= JSON_MAX_DEPTH)
		abort();	/* a bug in the caller, never input-driven */
	json_member(key);
	fputc(opener, jp.out);
	jp.closer[jp.depth] = closer;
	jp.nonempty[jp.depth++] = false;
}

static void json_close(void)
{
	if (jp.depth <= 0)
		abort();
	jp.depth--;
	if (jp.nonempty[jp.depth])
		indent();
	fputc(jp.closer[jp.depth], jp.out);
}

void new_json_obj(void)
{
	if (!jp.out)
		jp.out = stdout;
	jp.depth = 0;
}

void delete_json_obj(void)
{
	if (jp.json) {
		/* Containers are left open only by an error mid-output. */
		while (jp.depth > 0)
			json_close();
		fputc('\n', jp.out);
	}
	fflush(jp.out);
}

void open_json_object(const char *name)
{
	if (jp.json)
		json_open(name, '{', '}');
}

void close_json_object(void)
{
	if (jp.json)
		json_close();
}

void open_json_array(const char *name)
{
	if (jp.json)
		json_open(name, '[', ']');
}

void close_json_array(void)
{
	if (jp.json)
		json_close();
}

static bool want_text(enum output_type t)
{
	return !jp.json && (t & PRINT_FP);
}

static bool want_json(enum output_type t)
{
	return jp.json && (t & PRINT_JSON);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (want_json(t)) {
		json_member(key);
		put_json_string(value);
	} else if (want_text(t)) {
		fprintf(jp.out, fmt, value);
	}
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (want_json(t)) {
		json_member(key);
		fprintf(jp.out, "%u", value);
	} else if (want_text(t)) {
		fprintf(jp.out, fmt, value);
	}
}

void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value)
{
	if (want_json(t)) {
		json_member(key);
		fprintf(jp.out, "%" PRIu64, value);
	} else if (want_text(t)) {
		fprintf(jp.out, fmt, value);
	}
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value)
{
	if (want_json(t)) {
		json_member(key);
		fputs(value ? "true" : "false", jp.out);
	} else if (want_text(t)) {
		fprintf(jp.out, fmt, value ? "on" : "off");
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (jp.json)
		return;
	va_start(ap, fmt);
	vfprintf(jp.out, fmt, ap);
	va_end(ap);
}

void print_nl(void)
{
	if (!jp.json)
		fputc('\n', jp.out);
}
