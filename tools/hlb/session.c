// SPDX-License-Identifier: GPL-2.0
/* hlb session show | flush */
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

static const char *const tcp_state_names[__HLB_TCP_MAX] = {
	[HLB_TCP_NONE] = "none",
	[HLB_TCP_SYN_SENT] = "syn-sent",
	[HLB_TCP_SYN_RECV] = "syn-recv",
	[HLB_TCP_ESTABLISHED] = "established",
	[HLB_TCP_FIN_WAIT] = "fin-wait",
	[HLB_TCP_CLOSE_WAIT] = "close-wait",
	[HLB_TCP_TIME_WAIT] = "time-wait",
	[HLB_TCP_CLOSE] = "close",
};

static struct nla_policy sess_policy[HLB_SESS_A_MAX + 1] = {
	[HLB_SESS_A_FAMILY] = { .type = NLA_U16 },
	[HLB_SESS_A_PROTO] = { .type = NLA_U8 },
	[HLB_SESS_A_CLIENT_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[HLB_SESS_A_CLIENT_PORT] = { .type = NLA_U16 },
	[HLB_SESS_A_VIP_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[HLB_SESS_A_VIP_PORT] = { .type = NLA_U16 },
	[HLB_SESS_A_SERVER_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[HLB_SESS_A_SERVER_PORT] = { .type = NLA_U16 },
	[HLB_SESS_A_STATE] = { .type = NLA_U8 },
	[HLB_SESS_A_IDLE_MS] = { .type = NLA_U32 },
	[HLB_SESS_A_EXPIRES_MS] = { .type = NLA_U32 },
	[HLB_SESS_A_LEARNED] = { .type = NLA_U8 },
};

void session_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb session show [ PROTO VIP:PORT ]\n"
"       hlb session flush [ PROTO VIP:PORT ]\n");
}

/*
 * One endpoint: text " prefix ADDR:PORT" (prefix may be empty), JSON
 * "<name>_addr"/"<name>_port" (the VIP's are "vip" and "vip_port").
 */
static void print_endpoint(struct nlattr **tb, uint16_t family, int aattr,
			   int pattr, const char *akey, const char *pkey,
			   const char *prefix)
{
	char a[INET6_ADDRSTRLEN], ap[ADDRPORT_STRLEN];
	struct nlattr *addr = tb[aattr];
	uint16_t port = tb[pattr] ? nla_get_u16(tb[pattr]) : 0;

	if (!addr)
		return;
	print_string(PRINT_JSON, akey, NULL,
		     fmt_addr(family, nla_data(addr), a, sizeof(a)));
	if (tb[pattr])
		print_uint(PRINT_JSON, pkey, NULL, port);
	print_text("%s%s", prefix,
		   fmt_addr_port(family, nla_data(addr), port, ap, sizeof(ap)));
}

static bool addrs_ok(struct nlattr **tb, uint16_t family)
{
	static const int addrs[] = { HLB_SESS_A_CLIENT_ADDR,
				     HLB_SESS_A_VIP_ADDR,
				     HLB_SESS_A_SERVER_ADDR };
	unsigned int i;

	if (family != AF_INET && family != AF_INET6)
		return false;
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		if (tb[addrs[i]] &&
		    (size_t)nla_len(tb[addrs[i]]) != addr_len(family))
			return false;
	return true;
}

static void print_ms(struct nlattr *a, const char *key, const char *label)
{
	char buf[DURATION_STRLEN];
	uint32_t ms;

	if (!a)
		return;
	ms = nla_get_u32(a);
	print_uint(PRINT_JSON, key, NULL, ms);
	print_text(" %s %s", label, fmt_ms(ms, buf, sizeof(buf)));
}

/*
 * "tcp 10.9.0.1:40000 -> 10.0.0.1:80 via 10.1.0.1:8080 state established
 *  idle 1200ms expires 299s learned"
 */
static void session_print(struct nlattr **tb, uint16_t family)
{
	char buf[16];
	uint8_t state;

	open_json_object(NULL);
	print_string(PRINT_JSON, "family", NULL, family_name(family));
	if (tb[HLB_SESS_A_PROTO])
		print_string(PRINT_ANY, "proto", "%s",
			     proto_name(nla_get_u8(tb[HLB_SESS_A_PROTO]), buf,
					sizeof(buf)));
	print_endpoint(tb, family, HLB_SESS_A_CLIENT_ADDR,
		       HLB_SESS_A_CLIENT_PORT, "client_addr", "client_port",
		       " ");
	print_endpoint(tb, family, HLB_SESS_A_VIP_ADDR, HLB_SESS_A_VIP_PORT,
		       "vip", "vip_port", " -> ");
	print_endpoint(tb, family, HLB_SESS_A_SERVER_ADDR,
		       HLB_SESS_A_SERVER_PORT, "server_addr", "server_port",
		       " via ");
	if (tb[HLB_SESS_A_STATE]) {
		state = nla_get_u8(tb[HLB_SESS_A_STATE]);
		/* UDP sessions have no state worth a word in text. */
		print_string(state == HLB_TCP_NONE ? PRINT_JSON : PRINT_ANY,
			     "state", " state %s",
			     fmt_enum(tcp_state_names, __HLB_TCP_MAX, state,
				      buf, sizeof(buf)));
	}
	print_ms(tb[HLB_SESS_A_IDLE_MS], "idle_ms", "idle");
	print_ms(tb[HLB_SESS_A_EXPIRES_MS], "expires_ms", "expires");
	if (tb[HLB_SESS_A_LEARNED]) {
		bool learned = nla_get_u8(tb[HLB_SESS_A_LEARNED]);

		print_bool(PRINT_JSON, "learned", NULL, learned);
		if (learned)
			print_text(" learned");
	}
	print_nl();
	close_json_object();
}

int session_print_msg(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *top[HLB_A_MAX + 1];
	struct nlattr *tb[HLB_SESS_A_MAX + 1];
	uint16_t family;
	int ret;

	(void)arg;
	ret = hlb_parse_reply(nlh, top);
	if (ret)
		return ret;
	if (!top[HLB_A_SESSION] ||
	    nla_parse_nested(tb, HLB_SESS_A_MAX, top[HLB_A_SESSION],
			     sess_policy) < 0 ||
	    !tb[HLB_SESS_A_FAMILY])
		return hlb_malformed("session");
	family = nla_get_u16(tb[HLB_SESS_A_FAMILY]);
	if (!addrs_ok(tb, family))
		return hlb_malformed("session");
	session_print(tb, family);
	return HLB_OK;
}

/* An optional "PROTO VIP:PORT" and nothing after it. */
static int parse_opt_key(int argc, char **argv, struct hlb_key *key,
			 bool *has_key)
{
	int ret;

	*has_key = argc > 0;
	if (!argc)
		return 0;
	ret = parse_key(&argc, &argv, key);
	if (!ret && argc)
		ret = too_many(argv[0]);
	return ret;
}

/* show (a dump) and flush take the same words: [ PROTO VIP:PORT ]. */
static int session_cmd(uint8_t cmd, int argc, char **argv)
{
	struct hlb_key key;
	bool has_key;
	int ret;

	ret = parse_opt_key(argc, argv, &key, &has_key);
	if (ret)
		return ret;
	if (cmd == HLB_CMD_GET_SESSION)
		return hlb_show_list(cmd, true, hlb_build_key,
				     has_key ? &key : NULL, session_print_msg,
				     NULL);
	return hlb_nl_do(cmd, hlb_build_key, has_key ? &key : NULL);
}

int do_session(int argc, char **argv)
{
	const char *cmd;

	if (argc < 1)
		return session_cmd(HLB_CMD_GET_SESSION, 0, NULL);
	cmd = argv[0];
	argc--;
	argv++;
	if (!matches(cmd, "show") || !matches(cmd, "list"))
		return session_cmd(HLB_CMD_GET_SESSION, argc, argv);
	if (!matches(cmd, "flush"))
		return session_cmd(HLB_CMD_FLUSH_SESSIONS, argc, argv);
	if (!matches(cmd, "help")) {
		session_usage(stdout);
		return HLB_OK;
	}
	return unknown_cmd(cmd, "session");
}
