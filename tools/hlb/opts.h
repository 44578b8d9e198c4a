/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table-driven "keyword value" options of services, servers and the
 * namespace config. One table per object drives all four directions:
 * command line -> values -> netlink attributes -> values -> text, JSON
 * and save output, so what save prints is what add parses.
 */
#ifndef HLB_OPTS_H
#define HLB_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

enum opt_kind {
	OPT_U32,	/* a number */
	OPT_PCT,	/* a number 0..100, "%" allowed after it */
	OPT_ENUM,	/* one of names[] */
	OPT_BOOL,	/* on | off */
	OPT_MS,		/* a duration held in milliseconds */
	OPT_SEC,	/* a duration held in seconds */
};

/* Where an option's attribute lives inside the object's nest. */
enum opt_nest {
	NEST_TOP,
	NEST_TIMEOUTS,
	NEST_HYBRID,
};

struct opt_desc {
	const char *kw;		/* command-line keyword */
	const char *json;	/* JSON key */
	uint8_t kind;		/* enum opt_kind */
	uint8_t nest;		/* enum opt_nest */
	uint8_t width;		/* bytes on the wire: 1 (u8) or 4 (u32) */
	uint16_t attr;
	uint32_t max;		/* largest value; 0 = UINT32_MAX */
	const char *const *names;
	unsigned int nnames;
};

struct opt_table {
	const struct opt_desc *desc;
	unsigned int n;
	uint16_t timeouts_attr;	/* nest attribute types in the object */
	uint16_t hybrid_attr;
};

#define OPT_MAX 32

struct opt_vals {
	uint32_t present;	/* bit i: desc[i] given / sent */
	uint32_t v[OPT_MAX];
};

static inline bool opt_has(const struct opt_vals *o, unsigned int i)
{
	return o->present & (1u << i);
}

int opts_parse(const struct opt_table *t, int argc, char **argv,
	       struct opt_vals *vals);
int opts_put(struct nl_msg *msg, const struct opt_table *t,
	     const struct opt_vals *vals);
int opts_get(const struct opt_table *t, struct nlattr **tb,
	     struct opt_vals *vals);

/* " kw value" in text, "json": value in JSON, if present. */
void opts_print(const struct opt_table *t, const struct opt_vals *vals,
		unsigned int i);
/* The same with lead instead of the space before the keyword. */
void opts_print_lead(const struct opt_table *t, const struct opt_vals *vals,
		     unsigned int i, const char *lead);
/*
 * The options of one nest: a JSON object named json_name, or in text
 * (preceded by sep) those with non-zero values, or all of them if all is
 * set. Returns whether text was printed.
 */
bool opts_print_nest(const struct opt_table *t, const struct opt_vals *vals,
		     enum opt_nest nest, const char *json_name,
		     const char *sep, bool all);
bool opts_nest_nonzero(const struct opt_table *t,
		       const struct opt_vals *vals, enum opt_nest nest);
/* " kw value" for every present option, as "add"/"set" read them back. */
void opts_save(FILE *f, const struct opt_table *t,
	       const struct opt_vals *vals);

#endif /* HLB_OPTS_H */
