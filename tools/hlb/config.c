// SPDX-License-Identifier: GPL-2.0
/* hlb config show | set */
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

#define TIMEOUT(kw_, json_, attr_) {					\
	.kw = kw_, .json = json_, .kind = OPT_SEC, .nest = NEST_TIMEOUTS, \
	.width = 4, .attr = attr_ }

static const struct opt_desc cfg_opts[] = {
	{ .kw = "session-limit", .json = "session_limit", .kind = OPT_U32,
	  .nest = NEST_TOP, .width = 4, .attr = HLB_CFG_A_SESSION_LIMIT },
	{ .kw = "fill-limit", .json = "fill_limit", .kind = OPT_PCT,
	  .nest = NEST_TOP, .width = 4, .attr = HLB_CFG_A_FILL_LIMIT,
	  .max = 100 },
	TIMEOUT("syn-timeout", "syn", HLB_TO_A_TCP_SYN),
	TIMEOUT("est-timeout", "est", HLB_TO_A_TCP_EST),
	TIMEOUT("fin-timeout", "fin", HLB_TO_A_TCP_FIN),
	TIMEOUT("close-timeout", "close", HLB_TO_A_TCP_CLOSE),
	TIMEOUT("udp-timeout", "udp", HLB_TO_A_UDP),
};

const struct opt_table cfg_opt_table = {
	.desc = cfg_opts,
	.n = ARRAY_SIZE(cfg_opts),
	.timeouts_attr = HLB_CFG_A_TIMEOUTS,
};

static struct nla_policy cfg_policy[HLB_CFG_A_MAX + 1] = {
	[HLB_CFG_A_SESSION_LIMIT] = { .type = NLA_U32 },
	[HLB_CFG_A_FILL_LIMIT] = { .type = NLA_U32 },
	[HLB_CFG_A_TIMEOUTS] = { .type = NLA_NESTED },
	[HLB_CFG_A_SESSIONS] = { .type = NLA_U32 },
	[HLB_CFG_A_SERVICES] = { .type = NLA_U32 },
};

void config_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb config show\n"
"       hlb config set [ session-limit N ] [ fill-limit PERCENT ]\n"
"                      [ syn-timeout DURATION ] [ est-timeout DURATION ]\n"
"                      [ fin-timeout DURATION ] [ close-timeout DURATION ]\n"
"                      [ udp-timeout DURATION ]\n"
"fill-limit := 0..100, the session table fill at which every hybrid\n"
"              service goes stateless (0 = never)\n"
"DURATION := NUMBER[ms|s|m|h] (seconds without a unit; whole seconds)\n");
}

int config_parse(struct nlattr *nest, struct hlb_config *c)
{
	struct nlattr *tb[HLB_CFG_A_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest ||
	    nla_parse_nested(tb, HLB_CFG_A_MAX, nest, cfg_policy) < 0 ||
	    opts_get(&cfg_opt_table, tb, &c->opts))
		return hlb_malformed("config");
	if (tb[HLB_CFG_A_SESSIONS]) {
		c->has_sessions = true;
		c->sessions = nla_get_u32(tb[HLB_CFG_A_SESSIONS]);
	}
	if (tb[HLB_CFG_A_SERVICES]) {
		c->has_services = true;
		c->services = nla_get_u32(tb[HLB_CFG_A_SERVICES]);
	}
	return HLB_OK;
}

/*
 * "session-limit N fill-limit N syn-timeout 10s ... udp-timeout 30s", then
 * (indented, or on the same line) "sessions N services N".
 */
void config_print(const struct hlb_config *c, const char *json_name,
		  bool oneline)
{
	const struct opt_table *t = &cfg_opt_table;
	const char *lead = "";
	unsigned int i;

	open_json_object(json_name);
	for (i = 0; i < t->n; i++) {
		if (t->desc[i].nest != NEST_TOP || !opt_has(&c->opts, i))
			continue;
		opts_print_lead(t, &c->opts, i, lead);
		lead = " ";
	}
	if (is_json_context()) {
		opts_print_nest(t, &c->opts, NEST_TIMEOUTS, "timeouts", "",
				true);
	} else {
		for (i = 0; i < t->n; i++) {
			if (t->desc[i].nest != NEST_TIMEOUTS ||
			    !opt_has(&c->opts, i))
				continue;
			opts_print_lead(t, &c->opts, i, lead);
			lead = " ";
		}
	}
	if (c->has_sessions || c->has_services)
		print_text("%s", oneline ? "" : "\n   ");
	if (c->has_sessions)
		print_uint(PRINT_ANY, "sessions", " sessions %u", c->sessions);
	if (c->has_services)
		print_uint(PRINT_ANY, "services", " services %u", c->services);
	print_nl();
	close_json_object();
}

static int print_config_msg(struct nlattr **tb)
{
	struct hlb_config c;
	int ret;

	ret = config_parse(tb[HLB_A_CONFIG], &c);
	if (!ret)
		config_print(&c, NULL, false);
	return ret;
}

static int config_show(int argc, char **argv)
{
	if (argc)
		return too_many(argv[0]);
	return hlb_show_one(HLB_CMD_GET_CONFIG, print_config_msg);
}

static int build_config(struct nl_msg *msg, const void *arg)
{
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(msg, HLB_A_CONFIG | NLA_F_NESTED);
	if (!nest)
		return -NLE_NOMEM;
	err = opts_put(msg, &cfg_opt_table, arg);
	if (err)
		return err;
	return nla_nest_end(msg, nest);
}

static int config_set(int argc, char **argv)
{
	struct opt_vals vals;
	int ret;

	ret = opts_parse(&cfg_opt_table, argc, argv, &vals);
	if (ret)
		return ret;
	if (!vals.present) {
		fprintf(stderr, "Error: nothing to change: give at least one "
			"setting (see \"hlb config help\").\n");
		return HLB_USAGE;
	}
	return hlb_nl_do(HLB_CMD_SET_CONFIG, build_config, &vals);
}

int do_config(int argc, char **argv)
{
	const char *cmd;

	if (argc < 1)
		return config_show(0, NULL);
	cmd = argv[0];
	argc--;
	argv++;
	/* set before show: "s" is set, as for services and servers. */
	if (!matches(cmd, "set") || !matches(cmd, "change"))
		return config_set(argc, argv);
	if (!matches(cmd, "show") || !matches(cmd, "list"))
		return config_show(argc, argv);
	if (!matches(cmd, "help")) {
		config_usage(stdout);
		return HLB_OK;
	}
	return unknown_cmd(cmd, "config");
}
