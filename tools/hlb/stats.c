// SPDX-License-Identifier: GPL-2.0
/* hlb stats [ show ] [ PROTO VIP:PORT ] | reset */
#include <inttypes.h>
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

static const char *const counter_names[HLB_ST_A_MAX + 1] = {
	[HLB_ST_A_PACKETS] = "packets",
	[HLB_ST_A_BYTES] = "bytes",
	[HLB_ST_A_SESSION_HITS] = "session_hits",
	[HLB_ST_A_MAPPING_HITS] = "mapping_hits",
	[HLB_ST_A_SESSIONS_CREATED] = "sessions_created",
	[HLB_ST_A_SESSIONS_ACTIVE] = "sessions_active",
	[HLB_ST_A_DROP_NO_SERVER] = "drop_no_server",
	[HLB_ST_A_DROP_STRICT] = "drop_strict",
	[HLB_ST_A_DROP_SESSION_LIMIT] = "drop_session_limit",
	[HLB_ST_A_DROP_MAX_CONNS] = "drop_max_conns",
	[HLB_ST_A_MALFORMED] = "malformed",
	[HLB_ST_A_LEARNED] = "learned",
	[HLB_ST_A_SWITCHES] = "switches",
	[HLB_ST_A_NEW_FLOWS] = "new_flows",
	[HLB_ST_A_DROP_SESSION_FAIL] = "drop_session_fail",
	[HLB_ST_A_SESSIONS_EVICTED] = "sessions_evicted",
};

void stats_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb stats [ show ] [ PROTO VIP:PORT ]\n"
"       hlb stats reset\n"
"Without a service: the namespace's counters. With one: the service's\n"
"counters, then each of its servers'.\n");
}

/*
 * Every counter the kernel sent, in its order; counters newer than this
 * CLI print as "counter_N". Text: " name value" pairs, or with lines set
 * "name value" lines.
 */
static void counters_print_fmt(struct nlattr *nest, const char *json_name,
			       bool lines)
{
	struct nlattr *a;
	char name[24];
	const char *n;
	uint64_t v;
	int rem, type;

	open_json_object(json_name);
	nla_for_each_nested(a, nest, rem) {
		type = nla_type(a);
		if (type == HLB_ST_A_PAD)
			continue;
		if (nla_len(a) == 8)
			v = nla_get_u64(a);
		else if (nla_len(a) == 4)
			v = nla_get_u32(a);
		else
			continue;
		n = type <= HLB_ST_A_MAX ? counter_names[type] : NULL;
		if (!n) {
			snprintf(name, sizeof(name), "counter_%d", type);
			n = name;
		}
		print_u64(PRINT_JSON, n, NULL, v);
		print_text(lines ? "%s %" PRIu64 "\n" : " %s %" PRIu64, n, v);
	}
	close_json_object();
}

void counters_print(struct nlattr *nest, const char *json_name)
{
	counters_print_fmt(nest, json_name, false);
}

static int print_ns_stats(struct nlattr **tb)
{
	if (!tb[HLB_A_STATS])
		return hlb_malformed("statistics");
	counters_print_fmt(tb[HLB_A_STATS], NULL, true);
	return HLB_OK;
}

/*
 * "service tcp 10.0.0.1:80" and its counters on the next line. The key
 * printed is the one asked for: the reply needs to carry only the stats.
 */
static int print_svc_stats(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *svc[HLB_SVC_A_MAX + 1];
	struct nlattr *tb[HLB_A_MAX + 1];
	const struct hlb_key *key = arg;
	int ret;

	ret = hlb_parse_reply(nlh, tb);
	if (ret)
		return ret;
	if (!tb[HLB_A_SERVICE] ||
	    nla_parse_nested(svc, HLB_SVC_A_MAX, tb[HLB_A_SERVICE],
			     hlb_svc_policy) < 0)
		return hlb_malformed("service statistics");
	open_json_object("service");
	print_text("service");
	print_key(key);
	if (svc[HLB_SVC_A_STATS]) {
		print_text("\n   ");
		counters_print(svc[HLB_SVC_A_STATS], "stats");
	}
	print_nl();
	close_json_object();
	return HLB_OK;
}

static int stats_service(const struct hlb_key *key)
{
	struct hlb_replies svc, srv;
	int ret;

	ret = hlb_nl_collect(HLB_CMD_GET_STATS, false, hlb_build_key, key,
			     &svc);
	if (ret)
		return ret;
	ret = hlb_nl_collect(HLB_CMD_GET_SERVER, true, hlb_build_key, key,
			     &srv);
	if (ret) {
		hlb_replies_free(&svc);
		return ret;
	}
	new_json_obj();
	open_json_object(NULL);
	ret = hlb_replies_each(&svc, print_svc_stats, (void *)key);
	open_json_array("servers");
	if (!ret)
		ret = hlb_replies_each(&srv, server_print_msg, NULL);
	close_json_array();
	close_json_object();
	delete_json_obj();
	hlb_replies_free(&svc);
	hlb_replies_free(&srv);
	return ret;
}

static int stats_show(int argc, char **argv)
{
	struct hlb_key key;
	int ret;

	if (argc) {
		ret = parse_key(&argc, &argv, &key);
		if (ret)
			return ret;
		if (argc)
			return too_many(argv[0]);
		return stats_service(&key);
	}
	return hlb_show_one(HLB_CMD_GET_STATS, print_ns_stats);
}

int do_stats(int argc, char **argv)
{
	const char *cmd;

	if (argc < 1)
		return stats_show(0, NULL);
	cmd = argv[0];
	/* "hlb stats tcp 10.0.0.1:80" is "hlb stats show tcp ...". */
	if (!strcmp(cmd, "tcp") || !strcmp(cmd, "udp"))
		return stats_show(argc, argv);
	argc--;
	argv++;
	if (!matches(cmd, "show") || !matches(cmd, "list"))
		return stats_show(argc, argv);
	if (!matches(cmd, "reset")) {
		if (argc)
			return too_many(argv[0]);
		return hlb_nl_do(HLB_CMD_RESET_STATS, NULL, NULL);
	}
	if (!matches(cmd, "help")) {
		stats_usage(stdout);
		return HLB_OK;
	}
	return unknown_cmd(cmd, "stats");
}
