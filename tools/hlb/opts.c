// SPDX-License-Identifier: GPL-2.0
/* Table-driven "keyword value" options (see opts.h). */
#include <stdlib.h>
#include <string.h>

#include <linux/hlb.h>

#include "json_print.h"
#include "opts.h"
#include "utils.h"

/* Room for the largest nest's attribute table. */
#define NEST_TB 16
_Static_assert(HLB_TO_A_MAX < NEST_TB && HLB_HYB_A_MAX < NEST_TB,
	       "nest table too small");

static struct nla_policy u32_policy[NEST_TB] = {
	[1 ... NEST_TB - 1] = { .type = NLA_U32 },
};

static int find_kw(const struct opt_table *t, const char *kw)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->desc[i].kw, kw))
			return (int)i;
	return -1;
}

static int bad_enum(const struct opt_desc *d, const char *arg)
{
	unsigned int i;

	fprintf(stderr, "Error: argument \"%s\" is wrong: %s must be ", arg,
		d->kw);
	for (i = 0; i < d->nnames; i++)
		fprintf(stderr, "%s%s", i ? (i + 1 < d->nnames ? ", " : " or ")
					  : "", d->names[i]);
	fputc('\n', stderr);
	return HLB_USAGE;
}

static int bad_range(const struct opt_desc *d, const char *arg)
{
	fprintf(stderr,
		"Error: argument \"%s\" is wrong: %s must be a number from 0 "
		"to %u\n", arg, d->kw, d->max ? d->max : UINT32_MAX);
	return HLB_USAGE;
}

static int parse_value(const struct opt_desc *d, const char *arg,
		       uint32_t *v)
{
	const char *why;
	unsigned int i;
	size_t len;
	char *num;
	int ret;

	switch (d->kind) {
	case OPT_PCT:
		len = strlen(arg);
		if (len > 1 && arg[len - 1] == '%') {
			num = strndup(arg, len - 1);
			if (!num)
				return HLB_FAIL;
			ret = parse_u32(num, v);
			free(num);
		} else {
			ret = parse_u32(arg, v);
		}
		if (ret || (d->max && *v > d->max))
			return bad_range(d, arg);
		return 0;
	case OPT_U32:
		if (parse_u32(arg, v) || (d->max && *v > d->max))
			return bad_range(d, arg);
		return 0;
	case OPT_ENUM:
		for (i = 0; i < d->nnames; i++) {
			if (d->names[i] && !strcmp(arg, d->names[i])) {
				*v = i;
				return 0;
			}
		}
		return bad_enum(d, arg);
	case OPT_BOOL:
		if (!strcmp(arg, "on"))
			*v = 1;
		else if (!strcmp(arg, "off"))
			*v = 0;
		else
			return invarg("expected on or off", arg);
		return 0;
	case OPT_MS:
	case OPT_SEC:
		if (parse_duration(arg, d->kind == OPT_MS ? 1 : 1000, v, &why))
			return invarg(why, arg);
		return 0;
	}
	return invarg("internal error: unknown option kind", arg);
}

/* Parses "kw value" pairs to the end of argv. */
int opts_parse(const struct opt_table *t, int argc, char **argv,
	       struct opt_vals *vals)
{
	int i, ret;

	memset(vals, 0, sizeof(*vals));
	for (; argc > 0; argc -= 2, argv += 2) {
		i = find_kw(t, argv[0]);
		if (i < 0)
			return invarg("unknown keyword", argv[0]);
		if (argc < 2)
			return incomplete();
		if (opt_has(vals, (unsigned int)i))
			return duparg(argv[0], argv[1]);
		ret = parse_value(&t->desc[i], argv[1], &vals->v[i]);
		if (ret)
			return ret;
		vals->present |= 1u << i;
	}
	return 0;
}

static int put_one(struct nl_msg *msg, const struct opt_desc *d, uint32_t v)
{
	if (d->width == 1)
		return nla_put_u8(msg, d->attr, (uint8_t)v);
	return nla_put_u32(msg, d->attr, v);
}

static int put_nest(struct nl_msg *msg, const struct opt_table *t,
		    const struct opt_vals *vals, enum opt_nest nest,
		    uint16_t attr)
{
	struct nlattr *start = NULL;
	unsigned int i;
	int err;

	for (i = 0; i < t->n; i++) {
		if (t->desc[i].nest != nest || !opt_has(vals, i))
			continue;
		if (!start) {
			start = nla_nest_start(msg, attr | NLA_F_NESTED);
			if (!start)
				return -NLE_NOMEM;
		}
		err = put_one(msg, &t->desc[i], vals->v[i]);
		if (err)
			return err;
	}
	return start ? nla_nest_end(msg, start) : 0;
}

/* Adds the given options to the object nest the caller has open. */
int opts_put(struct nl_msg *msg, const struct opt_table *t,
	     const struct opt_vals *vals)
{
	unsigned int i;
	int err;

	for (i = 0; i < t->n; i++) {
		if (t->desc[i].nest != NEST_TOP || !opt_has(vals, i))
			continue;
		err = put_one(msg, &t->desc[i], vals->v[i]);
		if (err)
			return err;
	}
	err = put_nest(msg, t, vals, NEST_TIMEOUTS, t->timeouts_attr);
	if (!err)
		err = put_nest(msg, t, vals, NEST_HYBRID, t->hybrid_attr);
	return err;
}

static int get_one(const struct opt_desc *d, struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) < d->width)
		return -1;
	*v = d->width == 1 ? nla_get_u8(a) : nla_get_u32(a);
	return 0;
}

static int get_nest(const struct opt_table *t, struct nlattr *nest_attr,
		    enum opt_nest nest, struct opt_vals *vals)
{
	struct nlattr *tb[NEST_TB];
	unsigned int i;

	if (!nest_attr)
		return 0;
	if (nla_parse_nested(tb, NEST_TB - 1, nest_attr, u32_policy) < 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct opt_desc *d = &t->desc[i];

		if (d->nest != nest || d->attr >= NEST_TB || !tb[d->attr])
			continue;
		if (get_one(d, tb[d->attr], &vals->v[i]))
			return -1;
		vals->present |= 1u << i;
	}
	return 0;
}

/* Reads the options from an object nest parsed into tb. */
int opts_get(const struct opt_table *t, struct nlattr **tb,
	     struct opt_vals *vals)
{
	unsigned int i;

	memset(vals, 0, sizeof(*vals));
	for (i = 0; i < t->n; i++) {
		const struct opt_desc *d = &t->desc[i];

		if (d->nest != NEST_TOP || !tb[d->attr])
			continue;
		if (get_one(d, tb[d->attr], &vals->v[i]))
			return -1;
		vals->present |= 1u << i;
	}
	if (t->timeouts_attr &&
	    get_nest(t, tb[t->timeouts_attr], NEST_TIMEOUTS, vals))
		return -1;
	if (t->hybrid_attr &&
	    get_nest(t, tb[t->hybrid_attr], NEST_HYBRID, vals))
		return -1;
	return 0;
}

/* The value as the command line writes it. */
static const char *fmt_value(const struct opt_desc *d, uint32_t v, char *buf,
			     size_t len)
{
	switch (d->kind) {
	case OPT_ENUM:
		return fmt_enum(d->names, d->nnames, v, buf, len);
	case OPT_BOOL:
		return v ? "on" : "off";
	case OPT_MS:
		return fmt_ms(v, buf, len);
	case OPT_SEC:
		snprintf(buf, len, "%us", v);
		return buf;
	default:
		snprintf(buf, len, "%u", v);
		return buf;
	}
}

void opts_print(const struct opt_table *t, const struct opt_vals *vals,
		unsigned int i)
{
	opts_print_lead(t, vals, i, " ");
}

void opts_print_lead(const struct opt_table *t, const struct opt_vals *vals,
		     unsigned int i, const char *lead)
{
	const struct opt_desc *d = &t->desc[i];
	char buf[DURATION_STRLEN];

	if (!opt_has(vals, i))
		return;
	if (!is_json_context()) {
		print_text("%s%s %s", lead, d->kw,
			   fmt_value(d, vals->v[i], buf, sizeof(buf)));
		return;
	}
	switch (d->kind) {
	case OPT_ENUM:
		print_string(PRINT_JSON, d->json, NULL,
			     fmt_value(d, vals->v[i], buf, sizeof(buf)));
		break;
	case OPT_BOOL:
		print_bool(PRINT_JSON, d->json, NULL, vals->v[i]);
		break;
	default:
		print_uint(PRINT_JSON, d->json, NULL, vals->v[i]);
	}
}

bool opts_nest_nonzero(const struct opt_table *t,
		       const struct opt_vals *vals, enum opt_nest nest)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->desc[i].nest == nest && opt_has(vals, i) && vals->v[i])
			return true;
	return false;
}

bool opts_print_nest(const struct opt_table *t, const struct opt_vals *vals,
		     enum opt_nest nest, const char *json_name,
		     const char *sep, bool all)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		if (t->desc[i].nest != nest || !opt_has(vals, i))
			continue;
		if (!is_json_context() && !all && !vals->v[i])
			continue;
		if (!any) {
			if (json_name)
				open_json_object(json_name);
			print_text("%s", sep);
			any = true;
		}
		opts_print(t, vals, i);
	}
	if (any && json_name)
		close_json_object();
	return any && !is_json_context();
}

void opts_save(FILE *f, const struct opt_table *t,
	       const struct opt_vals *vals)
{
	char buf[DURATION_STRLEN];
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (opt_has(vals, i))
			fprintf(f, " %s %s", t->desc[i].kw,
				fmt_value(&t->desc[i], vals->v[i], buf,
					  sizeof(buf)));
}
