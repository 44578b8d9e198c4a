// SPDX-License-Identifier: GPL-2.0
/* hlb service add | set | del | show | flush */
#include <inttypes.h>
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

static const char *const mode_names[] = {
	[HLB_MODE_STATELESS] = "stateless",
	[HLB_MODE_STATEFUL] = "stateful",
	[HLB_MODE_HYBRID] = "hybrid",
};

static const char *const hash_names[] = {
	[HLB_HASH_SRC_ADDR] = "src",
	[HLB_HASH_SRC_ADDR_PORT] = "src-port",
};

static const char *const sched_names[] = {
	[HLB_SCHED_HASH] = "hash",
	[HLB_SCHED_WLC] = "wlc",
};

static const char *const pin_names[] = {
	[HLB_PIN_NONE] = "none",
	[HLB_PIN_STATELESS] = "stateless",
	[HLB_PIN_STATEFUL] = "stateful",
};

const char *const hlb_method_names[2] = {
	[HLB_METHOD_STATELESS] = "stateless",
	[HLB_METHOD_STATEFUL] = "stateful",
};

const char *const hlb_reason_names[__HLB_REASON_MAX] = {
	[HLB_REASON_NONE] = "none",
	[HLB_REASON_SESSIONS] = "sessions",
	[HLB_REASON_NEWFLOW_RATE] = "newflow-rate",
	[HLB_REASON_PACKET_RATE] = "packet-rate",
	[HLB_REASON_FILL_LIMIT] = "fill-limit",
	[HLB_REASON_LOW] = "low",
	[HLB_REASON_PIN] = "pin",
};

#define ENUM(kw_, json_, attr_, names_) {				\
	.kw = kw_, .json = json_, .kind = OPT_ENUM, .nest = NEST_TOP,	\
	.width = 1, .attr = attr_, .names = names_,			\
	.nnames = ARRAY_SIZE(names_) }
#define NUM(kw_, json_, nest_, attr_, max_) {				\
	.kw = kw_, .json = json_, .kind = OPT_U32, .nest = nest_,	\
	.width = 4, .attr = attr_, .max = max_ }
#define DUR(kw_, json_, kind_, nest_, attr_) {				\
	.kw = kw_, .json = json_, .kind = kind_, .nest = nest_,		\
	.width = 4, .attr = attr_ }

/* Order matters: it is the order of show and save, and the SVC_* enum. */
static const struct opt_desc svc_opts[] = {
	[SVC_MODE] = ENUM("mode", "mode", HLB_SVC_A_MODE, mode_names),
	[SVC_HASH] = ENUM("hash", "hash", HLB_SVC_A_HASH, hash_names),
	[SVC_TABLE_SIZE] = NUM("table-size", "table_size", NEST_TOP,
			       HLB_SVC_A_TABLE_SIZE, HLB_TABLE_SIZE_MAX),
	[SVC_SEED] = NUM("seed", "seed", NEST_TOP, HLB_SVC_A_SEED, 0),
	[SVC_SCHED] = ENUM("sched", "sched", HLB_SVC_A_SCHED, sched_names),
	[SVC_STRICT] = { .kw = "strict", .json = "strict", .kind = OPT_BOOL,
			 .nest = NEST_TOP, .width = 1,
			 .attr = HLB_SVC_A_STRICT },
	[SVC_PIN] = ENUM("pin", "pin", HLB_SVC_A_PIN, pin_names),
	[SVC_TRANSITION] = DUR("transition", "transition_ms", OPT_MS,
			       NEST_TOP, HLB_SVC_A_TRANSITION_MS),
	DUR("syn-timeout", "syn", OPT_SEC, NEST_TIMEOUTS, HLB_TO_A_TCP_SYN),
	DUR("est-timeout", "est", OPT_SEC, NEST_TIMEOUTS, HLB_TO_A_TCP_EST),
	DUR("fin-timeout", "fin", OPT_SEC, NEST_TIMEOUTS, HLB_TO_A_TCP_FIN),
	DUR("close-timeout", "close", OPT_SEC, NEST_TIMEOUTS,
	    HLB_TO_A_TCP_CLOSE),
	DUR("udp-timeout", "udp", OPT_SEC, NEST_TIMEOUTS, HLB_TO_A_UDP),
	NUM("sessions-high", "sessions_high", NEST_HYBRID,
	    HLB_HYB_A_SESSIONS_HIGH, 0),
	NUM("sessions-low", "sessions_low", NEST_HYBRID,
	    HLB_HYB_A_SESSIONS_LOW, 0),
	NUM("newflow-high", "newflow_high", NEST_HYBRID,
	    HLB_HYB_A_NEWFLOW_HIGH, 0),
	NUM("newflow-low", "newflow_low", NEST_HYBRID,
	    HLB_HYB_A_NEWFLOW_LOW, 0),
	NUM("pps-high", "pps_high", NEST_HYBRID, HLB_HYB_A_PACKET_HIGH, 0),
	NUM("pps-low", "pps_low", NEST_HYBRID, HLB_HYB_A_PACKET_LOW, 0),
	DUR("hold", "hold_ms", OPT_MS, NEST_HYBRID, HLB_HYB_A_HOLD_MS),
	DUR("dwell", "dwell_ms", OPT_MS, NEST_HYBRID, HLB_HYB_A_DWELL_MS),
};
_Static_assert(ARRAY_SIZE(svc_opts) <= OPT_MAX, "too many options");

const struct opt_table svc_opt_table = {
	.desc = svc_opts,
	.n = ARRAY_SIZE(svc_opts),
	.timeouts_attr = HLB_SVC_A_TIMEOUTS,
	.hybrid_attr = HLB_SVC_A_HYBRID,
};

void service_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb service add PROTO VIP:PORT [ OPTIONS ]\n"
"       hlb service set PROTO VIP:PORT OPTIONS\n"
"       hlb service del PROTO VIP:PORT\n"
"       hlb service show [ PROTO VIP:PORT ]\n"
"       hlb service flush\n"
"PROTO := tcp | udp\n"
"VIP:PORT := IPV4:PORT | [IPV6]:PORT\n"
"OPTIONS := [ mode stateless | stateful | hybrid ] [ hash src | src-port ]\n"
"           [ table-size PRIME ] [ seed NUMBER ] [ sched hash | wlc ]\n"
"           [ strict on | off ] [ pin none | stateless | stateful ]\n"
"           [ transition DURATION ]\n"
"           [ syn-timeout DURATION ] [ est-timeout DURATION ]\n"
"           [ fin-timeout DURATION ] [ close-timeout DURATION ]\n"
"           [ udp-timeout DURATION ]\n"
"           [ sessions-high N ] [ sessions-low N ]\n"
"           [ newflow-high N ] [ newflow-low N ]\n"
"           [ pps-high N ] [ pps-low N ]\n"
"           [ hold DURATION ] [ dwell DURATION ]\n"
"DURATION := NUMBER[ms|s|m|h] (seconds without a unit)\n");
}

int service_parse(struct nlattr *nest, struct hlb_service *s)
{
	struct nlattr *tb[HLB_SVC_A_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (!nest || nla_parse_nested(tb, HLB_SVC_A_MAX, nest,
				      hlb_svc_policy) < 0 ||
	    hlb_get_key(tb, &s->key) ||
	    opts_get(&svc_opt_table, tb, &s->opts))
		return hlb_malformed("service");
#define RO(field, attr, get)						\
	do {								\
		if (tb[attr]) {						\
			s->has_##field = true;				\
			s->field = get(tb[attr]);			\
		}							\
	} while (0)
	RO(id, HLB_SVC_A_ID, nla_get_u32);
	RO(method, HLB_SVC_A_METHOD, nla_get_u8);
	RO(switches, HLB_SVC_A_SWITCHES, nla_get_u64);
	RO(last_switch, HLB_SVC_A_LAST_SWITCH, nla_get_u64);
	RO(last_reason, HLB_SVC_A_LAST_REASON, nla_get_u8);
	RO(servers, HLB_SVC_A_SERVERS, nla_get_u32);
#undef RO
	s->stats = tb[HLB_SVC_A_STATS];
	return HLB_OK;
}

/* The read-only state: " id 1 servers 3 switches 2 last-switch ..." */
static void print_state(const struct hlb_service *s, const char *sep)
{
	char buf[TIME_STRLEN];

	if (!(s->has_id || s->has_servers || s->has_switches ||
	      s->has_last_switch || s->has_last_reason))
		return;
	print_text("%s", sep);
	if (s->has_id)
		print_uint(PRINT_ANY, "id", " id %u", s->id);
	if (s->has_servers)
		print_uint(PRINT_ANY, "servers", " servers %u", s->servers);
	if (s->has_switches)
		print_u64(PRINT_ANY, "switches", " switches %" PRIu64,
			  s->switches);
	/* A service that never switched has no time or reason worth text. */
	if (s->has_last_switch)
		print_u64(PRINT_JSON, "last_switch", NULL, s->last_switch);
	if (s->has_last_switch && s->last_switch)
		print_string(PRINT_FP, NULL, " last-switch %s",
			     fmt_time_ns(s->last_switch, buf, sizeof(buf)));
	if (s->has_last_reason)
		print_string(s->last_reason ? PRINT_ANY : PRINT_JSON,
			     "last_reason", " reason %s",
			     fmt_enum(hlb_reason_names, __HLB_REASON_MAX,
				      s->last_reason, buf, sizeof(buf)));
}

/*
 * "service tcp 10.0.0.1:80 mode ... transition 0ms", then indented lines
 * (or, oneline, the same on one line) for non-zero timeouts, hybrid
 * thresholds, read-only state and counters.
 */
void service_print(const struct hlb_service *s, const char *json_name,
		   bool oneline)
{
	const struct opt_table *t = &svc_opt_table;
	const char *sep = oneline ? "" : "\n   ";
	bool hybrid;
	char buf[16];
	unsigned int i;

	open_json_object(json_name);
	print_text("service");
	print_key(&s->key);
	opts_print(t, &s->opts, SVC_MODE);
	if (s->has_method)
		print_string(PRINT_ANY, "method", " method %s",
			     fmt_enum(hlb_method_names, 2, s->method, buf,
				      sizeof(buf)));
	for (i = SVC_HASH; i <= SVC_TRANSITION; i++)
		opts_print(t, &s->opts, i);
	opts_print_nest(t, &s->opts, NEST_TIMEOUTS, "timeouts", sep, false);
	/* Thresholds matter to hybrid services only. */
	if (opt_has(&s->opts, SVC_MODE))
		hybrid = s->opts.v[SVC_MODE] == HLB_MODE_HYBRID;
	else
		hybrid = opts_nest_nonzero(t, &s->opts, NEST_HYBRID);
	if (hybrid || is_json_context())
		opts_print_nest(t, &s->opts, NEST_HYBRID, "hybrid", sep, true);
	print_state(s, sep);
	if (s->stats) {
		print_text("%s", sep);
		counters_print(s->stats, "stats");
	}
	print_nl();
	close_json_object();
}

struct svc_req {
	struct hlb_key key;
	struct opt_vals opts;
};

static int build_service(struct nl_msg *msg, const void *arg)
{
	const struct svc_req *req = arg;
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(msg, HLB_A_SERVICE | NLA_F_NESTED);
	if (!nest)
		return -NLE_NOMEM;
	err = hlb_put_key(msg, &req->key);
	if (!err)
		err = opts_put(msg, &svc_opt_table, &req->opts);
	if (err)
		return err;
	return nla_nest_end(msg, nest);
}

/* add and set: PROTO VIP:PORT [ OPTIONS ] */
static int service_modify(uint8_t cmd, int argc, char **argv)
{
	struct svc_req req;
	int ret;

	ret = parse_key(&argc, &argv, &req.key);
	if (ret)
		return ret;
	ret = opts_parse(&svc_opt_table, argc, argv, &req.opts);
	if (ret)
		return ret;
	if (cmd == HLB_CMD_SET_SERVICE && !req.opts.present) {
		fprintf(stderr, "Error: nothing to change: give at least one "
			"option (see \"hlb service help\").\n");
		return HLB_USAGE;
	}
	return hlb_nl_do(cmd, build_service, &req);
}

static int service_del(int argc, char **argv)
{
	struct hlb_key key;
	int ret;

	ret = parse_key(&argc, &argv, &key);
	if (ret)
		return ret;
	if (argc)
		return too_many(argv[0]);
	return hlb_nl_do(HLB_CMD_DEL_SERVICE, hlb_build_key, &key);
}

static int print_service_msg(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[HLB_A_MAX + 1];
	struct hlb_service s;
	int ret;

	(void)arg;
	ret = hlb_parse_reply(nlh, tb);
	if (!ret)
		ret = service_parse(tb[HLB_A_SERVICE], &s);
	if (!ret)
		service_print(&s, NULL, false);
	return ret;
}

/* show: a dump, or with a key the one service; a JSON array either way. */
static int service_show(int argc, char **argv)
{
	struct hlb_key key;
	int ret;

	if (!argc)
		return hlb_show_list(HLB_CMD_GET_SERVICE, true, NULL, NULL,
				     print_service_msg, NULL);
	ret = parse_key(&argc, &argv, &key);
	if (ret)
		return ret;
	if (argc)
		return too_many(argv[0]);
	return hlb_show_list(HLB_CMD_GET_SERVICE, false, hlb_build_key, &key,
			     print_service_msg, NULL);
}

static int service_flush(int argc, char **argv)
{
	if (argc)
		return too_many(argv[0]);
	return hlb_nl_do(HLB_CMD_FLUSH, NULL, NULL);
}

int do_service(int argc, char **argv)
{
	const char *cmd;

	if (argc < 1)
		return service_show(0, NULL);
	cmd = argv[0];
	argc--;
	argv++;
	if (!matches(cmd, "add"))
		return service_modify(HLB_CMD_NEW_SERVICE, argc, argv);
	if (!matches(cmd, "set") || !matches(cmd, "change"))
		return service_modify(HLB_CMD_SET_SERVICE, argc, argv);
	if (!matches(cmd, "delete"))
		return service_del(argc, argv);
	if (!matches(cmd, "show") || !matches(cmd, "list"))
		return service_show(argc, argv);
	if (!matches(cmd, "flush"))
		return service_flush(argc, argv);
	if (!matches(cmd, "help")) {
		service_usage(stdout);
		return HLB_OK;
	}
	return unknown_cmd(cmd, "service");
}
