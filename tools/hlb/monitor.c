// SPDX-License-Identifier: GPL-2.0
/*
 * hlb monitor: prints every event of the "events" multicast group, one
 * line (or one JSON object) each, until SIGINT or SIGTERM.
 *
 * libnl retries recvmsg() on EINTR, so a signal cannot interrupt a
 * blocking nl_recvmsgs(); instead the socket is non-blocking, the signals
 * are blocked, and ppoll() is the one place they are let through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include <netlink/genl/ctrl.h>

#include "json_print.h"
#include "objects.h"
#include "utils.h"

static volatile sig_atomic_t monitor_stop;

struct monitor {
	int family;
};

static struct nla_policy evt_policy[HLB_EVT_A_MAX + 1] = {
	[HLB_EVT_A_METHOD] = { .type = NLA_U8 },
	[HLB_EVT_A_REASON] = { .type = NLA_U8 },
	[HLB_EVT_A_VALUE] = { .type = NLA_U64 },
	[HLB_EVT_A_THRESHOLD] = { .type = NLA_U64 },
	[HLB_EVT_A_TIME] = { .type = NLA_U64 },
};

static void on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

/* "new service ...", "set service ...", "del service tcp 10.0.0.1:80" */
static int event_service(const char *verb, struct nlattr **tb)
{
	struct hlb_service s;
	int ret;

	ret = service_parse(tb[HLB_A_SERVICE], &s);
	if (ret)
		return ret;
	print_text("%s ", verb);
	service_print(&s, "service", true);
	return HLB_OK;
}

static int event_server(const char *verb, struct nlattr **tb)
{
	struct hlb_server s;
	int ret;

	ret = server_parse(tb, &s);
	if (ret)
		return ret;
	print_text("%s ", verb);
	server_print(&s, "server", true);
	return HLB_OK;
}

static int event_config(struct nlattr **tb)
{
	struct hlb_config c;
	int ret;

	ret = config_parse(tb[HLB_A_CONFIG], &c);
	if (ret)
		return ret;
	print_text("set config ");
	config_print(&c, "config", true);
	return HLB_OK;
}

/* An optional service key: "service tcp 10.0.0.1:80". */
static int print_opt_key(struct nlattr **tb)
{
	struct hlb_service s;
	int ret;

	if (!tb[HLB_A_SERVICE])
		return HLB_OK;
	ret = service_parse(tb[HLB_A_SERVICE], &s);
	if (ret)
		return ret;
	open_json_object("service");
	print_text(" service");
	print_key(&s.key);
	close_json_object();
	return HLB_OK;
}

/*
 * "switch service tcp 10.0.0.1:80 method stateless reason newflow-rate
 *  value 1234 threshold 1000"
 */
static int event_switch(struct nlattr **tb)
{
	struct nlattr *etb[HLB_EVT_A_MAX + 1];
	char buf[TIME_STRLEN];
	int ret;

	if (!tb[HLB_A_SERVICE] || !tb[HLB_A_EVENT] ||
	    nla_parse_nested(etb, HLB_EVT_A_MAX, tb[HLB_A_EVENT],
			     evt_policy) < 0)
		return hlb_malformed("switch event");
	print_text("switch");
	ret = print_opt_key(tb);
	if (ret)
		return ret;
	if (etb[HLB_EVT_A_METHOD])
		print_string(PRINT_ANY, "method", " method %s",
			     fmt_enum(hlb_method_names, 2,
				      nla_get_u8(etb[HLB_EVT_A_METHOD]), buf,
				      sizeof(buf)));
	if (etb[HLB_EVT_A_REASON])
		print_string(PRINT_ANY, "reason", " reason %s",
			     fmt_enum(hlb_reason_names, __HLB_REASON_MAX,
				      nla_get_u8(etb[HLB_EVT_A_REASON]), buf,
				      sizeof(buf)));
	if (etb[HLB_EVT_A_VALUE])
		print_u64(PRINT_ANY, "value", " value %" PRIu64,
			  nla_get_u64(etb[HLB_EVT_A_VALUE]));
	if (etb[HLB_EVT_A_THRESHOLD])
		print_u64(PRINT_ANY, "threshold", " threshold %" PRIu64,
			  nla_get_u64(etb[HLB_EVT_A_THRESHOLD]));
	if (etb[HLB_EVT_A_TIME])
		print_u64(PRINT_JSON, "time", NULL,
			  nla_get_u64(etb[HLB_EVT_A_TIME]));
	print_nl();
	return HLB_OK;
}

static int event_simple(const char *text, struct nlattr **tb)
{
	int ret;

	print_text("%s", text);
	ret = print_opt_key(tb);
	print_nl();
	return ret;
}

static const char *const event_names[__HLB_CMD_MAX] = {
	[HLB_CMD_NEW_SERVICE] = "new-service",
	[HLB_CMD_SET_SERVICE] = "set-service",
	[HLB_CMD_DEL_SERVICE] = "del-service",
	[HLB_CMD_FLUSH] = "flush",
	[HLB_CMD_NEW_SERVER] = "new-server",
	[HLB_CMD_SET_SERVER] = "set-server",
	[HLB_CMD_DEL_SERVER] = "del-server",
	[HLB_CMD_FLUSH_SESSIONS] = "flush-sessions",
	[HLB_CMD_RESET_STATS] = "reset-stats",
	[HLB_CMD_SET_CONFIG] = "set-config",
	[HLB_CMD_SWITCH] = "switch",
};

static int print_event(uint8_t cmd, struct nlattr **tb)
{
	switch (cmd) {
	case HLB_CMD_NEW_SERVICE:
		return event_service("new", tb);
	case HLB_CMD_SET_SERVICE:
		return event_service("set", tb);
	case HLB_CMD_DEL_SERVICE:
		return event_service("del", tb);
	case HLB_CMD_FLUSH:
		return event_simple("flush", tb);
	case HLB_CMD_NEW_SERVER:
		return event_server("new", tb);
	case HLB_CMD_SET_SERVER:
		return event_server("set", tb);
	case HLB_CMD_DEL_SERVER:
		return event_server("del", tb);
	case HLB_CMD_FLUSH_SESSIONS:
		return event_simple("flush sessions", tb);
	case HLB_CMD_RESET_STATS:
		return event_simple("reset stats", tb);
	case HLB_CMD_SET_CONFIG:
		return event_config(tb);
	case HLB_CMD_SWITCH:
		return event_switch(tb);
	}
	print_uint(PRINT_ANY, "cmd", "unknown event %u", cmd);
	print_nl();
	return HLB_OK;
}

/* One event: one line of text, or one JSON document. */
int monitor_event(struct nlmsghdr *nlh, void *arg)
{
	const struct monitor *m = arg;
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct nlattr *tb[HLB_A_MAX + 1];
	int ret;

	if (m && nlh->nlmsg_type != m->family)
		return HLB_OK;
	ret = hlb_parse_reply(nlh, tb);
	if (ret)
		return ret;
	new_json_obj();
	open_json_object(NULL);
	if (ghdr->cmd < __HLB_CMD_MAX && event_names[ghdr->cmd])
		print_string(PRINT_JSON, "event", NULL, event_names[ghdr->cmd]);
	else
		print_string(PRINT_JSON, "event", NULL, "unknown");
	ret = print_event(ghdr->cmd, tb);
	close_json_object();
	delete_json_obj();	/* ends the line and flushes */
	return ret;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	/* A malformed event is reported; the next one may be fine. */
	monitor_event(nlmsg_hdr(msg), arg);
	return NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int monitor_loop(struct nl_sock *sk, struct nl_cb *cb,
			const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	int err;

	while (!monitor_stop) {
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "Error: poll: %s\n", strerror(errno));
			return HLB_FAIL;
		}
		err = nl_recvmsgs(sk, cb);
		if (err == -NLE_AGAIN || err >= 0)
			continue;
		/* ENOBUFS: we were too slow, or the kernel short of memory. */
		if (err == -NLE_NOMEM) {
			fprintf(stderr, "Warning: events lost (receive buffer "
				"overrun, or the kernel short of memory)\n");
			continue;
		}
		fprintf(stderr, "Error: netlink receive: %s\n",
			nl_geterror(err));
		return HLB_FAIL;
	}
	return HLB_OK;
}

static int monitor_run(struct nl_sock *sk, struct monitor *m)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigset_t block, oldmask, waitmask;
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		fprintf(stderr, "Error: out of memory\n");
		return HLB_FAIL;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, m);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);	/* no SA_RESTART */
	sigaction(SIGTERM, &sa, &old_term);
	monitor_stop = 0;

	ret = monitor_loop(sk, cb, &waitmask);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	nl_cb_put(cb);
	return ret;
}

int do_monitor(int argc, char **argv)
{
	struct monitor m;
	struct nl_sock *sk;
	int grp, ret = HLB_FAIL;

	if (argc && !matches(argv[0], "help")) {
		printf("Usage: hlb monitor\n");
		return HLB_OK;
	}
	if (argc)
		return too_many(argv[0]);
	/* Its own socket: the shared one must not receive events. */
	sk = hlb_sock_open(&m.family);
	if (!sk)
		return HLB_FAIL;
	grp = genl_ctrl_resolve_grp(sk, HLB_GENL_NAME, HLB_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "Error: cannot resolve multicast group \"%s\": "
			"%s\n", HLB_GENL_MCGRP_EVENTS, nl_geterror(grp));
		goto out;
	}
	ret = nl_socket_add_membership(sk, grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(sk);
	if (ret) {
		fprintf(stderr, "Error: cannot join the events group: %s\n",
			nl_geterror(ret));
		ret = HLB_FAIL;
		goto out;
	}
	ret = monitor_run(sk, &m);
out:
	nl_socket_free(sk);
	return ret;
}
