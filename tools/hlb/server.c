// SPDX-License-Identifier: GPL-2.0
/* hlb server add | set | del | show */
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

enum { SRV_WEIGHT, SRV_MAX_CONNS };

static const struct opt_desc srv_opts[] = {
	[SRV_WEIGHT] = { .kw = "weight", .json = "weight", .kind = OPT_U32,
			 .nest = NEST_TOP, .width = 4,
			 .attr = HLB_SRV_A_WEIGHT, .max = HLB_WEIGHT_MAX },
	[SRV_MAX_CONNS] = { .kw = "max-conns", .json = "max_conns",
			    .kind = OPT_U32, .nest = NEST_TOP, .width = 4,
			    .attr = HLB_SRV_A_MAX_CONNS },
};

const struct opt_table srv_opt_table = {
	.desc = srv_opts,
	.n = ARRAY_SIZE(srv_opts),
};

static const char *const state_names[] = {
	[HLB_SRV_ACTIVE] = "active",
	[HLB_SRV_DRAINING] = "draining",
};

void server_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb server add PROTO VIP:PORT ADDR[:PORT] [ SERVER_OPTIONS ]\n"
"       hlb server set PROTO VIP:PORT ADDR[:PORT] SERVER_OPTIONS\n"
"       hlb server del PROTO VIP:PORT ADDR[:PORT]\n"
"       hlb server show [ PROTO VIP:PORT [ ADDR[:PORT] ] ]\n"
"ADDR[:PORT] := IPV4[:PORT] | [IPV6][:PORT]  (PORT defaults to the VIP's)\n"
"SERVER_OPTIONS := [ weight N ] [ max-conns N ]\n"
"weight := 0..%u (default %u; 0 drains: no new flows)\n"
"max-conns := sessions the server may hold, 0 = no limit\n",
		HLB_WEIGHT_MAX, HLB_WEIGHT_DEFAULT);
}

/* Reads HLB_A_SERVICE (the key) and HLB_A_SERVER of a reply or event. */
int server_parse(struct nlattr **top, struct hlb_server *s)
{
	struct nlattr *stb[HLB_SVC_A_MAX + 1];
	struct nlattr *tb[HLB_SRV_A_MAX + 1];
	struct nlattr *a;

	memset(s, 0, sizeof(*s));
	if (!top[HLB_A_SERVICE] || !top[HLB_A_SERVER] ||
	    nla_parse_nested(stb, HLB_SVC_A_MAX, top[HLB_A_SERVICE],
			     hlb_svc_policy) < 0 ||
	    hlb_get_key(stb, &s->svc) ||
	    nla_parse_nested(tb, HLB_SRV_A_MAX, top[HLB_A_SERVER],
			     hlb_srv_policy) < 0)
		return hlb_malformed("server");
	a = tb[HLB_SRV_A_ADDR];
	if (!a || (size_t)nla_len(a) != addr_len(s->svc.family) ||
	    !tb[HLB_SRV_A_PORT] || opts_get(&srv_opt_table, tb, &s->opts))
		return hlb_malformed("server");
	memcpy(s->addr, nla_data(a), addr_len(s->svc.family));
	s->port = nla_get_u16(tb[HLB_SRV_A_PORT]);
	if (tb[HLB_SRV_A_STATE]) {
		s->has_state = true;
		s->state = nla_get_u8(tb[HLB_SRV_A_STATE]);
	}
	s->stats = tb[HLB_SRV_A_STATS];
	return HLB_OK;
}

/* "server tcp 10.0.0.1:80 10.1.0.1:8080 weight 3 max-conns 0 state active" */
void server_print(const struct hlb_server *s, const char *json_name,
		  bool oneline)
{
	char a[INET6_ADDRSTRLEN], ap[ADDRPORT_STRLEN], buf[16];
	unsigned int i;

	open_json_object(json_name);
	print_text("server");
	open_json_object("service");
	print_key(&s->svc);
	close_json_object();
	print_string(PRINT_JSON, "addr", NULL,
		     fmt_addr(s->svc.family, s->addr, a, sizeof(a)));
	print_uint(PRINT_JSON, "port", NULL, s->port);
	print_string(PRINT_FP, NULL, " %s",
		     fmt_addr_port(s->svc.family, s->addr, s->port, ap,
				   sizeof(ap)));
	for (i = 0; i < srv_opt_table.n; i++)
		opts_print(&srv_opt_table, &s->opts, i);
	if (s->has_state)
		print_string(PRINT_ANY, "state", " state %s",
			     fmt_enum(state_names, ARRAY_SIZE(state_names),
				      s->state, buf, sizeof(buf)));
	if (s->stats) {
		print_text("%s", oneline ? "" : "\n   ");
		counters_print(s->stats, "stats");
	}
	print_nl();
	close_json_object();
}

struct srv_req {
	struct hlb_key svc;
	uint8_t addr[16];
	uint16_t port;
	bool has_addr;
	struct opt_vals opts;
};

static int build_server(struct nl_msg *msg, const void *arg)
{
	const struct srv_req *req = arg;
	struct nlattr *nest;
	int err;

	err = hlb_put_key_nest(msg, &req->svc);
	if (err || !req->has_addr)
		return err;
	nest = nla_nest_start(msg, HLB_A_SERVER | NLA_F_NESTED);
	if (!nest)
		return -NLE_NOMEM;
	err = nla_put(msg, HLB_SRV_A_ADDR, (int)addr_len(req->svc.family),
		      req->addr);
	if (!err)
		err = nla_put_u16(msg, HLB_SRV_A_PORT, req->port);
	if (!err)
		err = opts_put(msg, &srv_opt_table, &req->opts);
	if (err)
		return err;
	return nla_nest_end(msg, nest);
}

/* PROTO VIP:PORT ADDR[:PORT] */
static int parse_server(int *argcp, char ***argvp, struct srv_req *req)
{
	int ret;

	memset(req, 0, sizeof(*req));
	ret = parse_key(argcp, argvp, &req->svc);
	if (ret)
		return ret;
	if (*argcp < 1)
		return incomplete();
	ret = parse_server_addr((*argvp)[0], &req->svc, req->addr,
				&req->port);
	if (ret)
		return ret;
	req->has_addr = true;
	(*argcp)--;
	(*argvp)++;
	return 0;
}

static int server_modify(uint8_t cmd, int argc, char **argv)
{
	struct srv_req req;
	int ret;

	ret = parse_server(&argc, &argv, &req);
	if (!ret && cmd == HLB_CMD_DEL_SERVER && argc)
		ret = too_many(argv[0]);
	if (!ret && cmd != HLB_CMD_DEL_SERVER)
		ret = opts_parse(&srv_opt_table, argc, argv, &req.opts);
	if (ret)
		return ret;
	if (cmd == HLB_CMD_SET_SERVER && !req.opts.present) {
		fprintf(stderr, "Error: nothing to change: give weight or "
			"max-conns.\n");
		return HLB_USAGE;
	}
	return hlb_nl_do(cmd, build_server, &req);
}

/*
 * One server reply, as "server show" and "stats PROTO VIP:PORT" print it:
 * both ask the kernel for the same GET_SERVER replies.
 */
int server_print_msg(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[HLB_A_MAX + 1];
	struct hlb_server s;
	int ret;

	(void)arg;
	ret = hlb_parse_reply(nlh, tb);
	if (!ret)
		ret = server_parse(tb, &s);
	if (!ret)
		server_print(&s, NULL, false);
	return ret;
}

/* Every server, those of one service, or one server. */
static int server_show(int argc, char **argv)
{
	struct srv_req req;
	int ret;

	if (!argc)
		return hlb_show_list(HLB_CMD_GET_SERVER, true, NULL, NULL,
				     server_print_msg, NULL);
	memset(&req, 0, sizeof(req));
	ret = parse_key(&argc, &argv, &req.svc);
	if (ret)
		return ret;
	if (argc) {
		ret = parse_server_addr(argv[0], &req.svc, req.addr,
					&req.port);
		if (ret)
			return ret;
		req.has_addr = true;
		argc--;
		argv++;
	}
	if (argc)
		return too_many(argv[0]);
	return hlb_show_list(HLB_CMD_GET_SERVER, !req.has_addr, build_server,
			     &req, server_print_msg, NULL);
}

int do_server(int argc, char **argv)
{
	const char *cmd;

	if (argc < 1)
		return server_show(0, NULL);
	cmd = argv[0];
	argc--;
	argv++;
	if (!matches(cmd, "add"))
		return server_modify(HLB_CMD_NEW_SERVER, argc, argv);
	if (!matches(cmd, "set") || !matches(cmd, "change"))
		return server_modify(HLB_CMD_SET_SERVER, argc, argv);
	if (!matches(cmd, "delete"))
		return server_modify(HLB_CMD_DEL_SERVER, argc, argv);
	if (!matches(cmd, "show") || !matches(cmd, "list"))
		return server_show(argc, argv);
	if (!matches(cmd, "help")) {
		server_usage(stdout);
		return HLB_OK;
	}
	return unknown_cmd(cmd, "server");
}
