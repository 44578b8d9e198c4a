// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing on libnl-3: one socket shared by every command
 * of a run (batch lines included), requests acknowledged with extended
 * ACK, dumps collected and retried when the kernel marks them interrupted.
 *
 * libnl 3.7 has no extended-ACK support of its own, so the socket option
 * is set by hand and the error TLVs are parsed in our error callback.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "json_print.h"
#include "nl.h"
#include "utils.h"

/* How many times an interrupted dump is restarted before giving up. */
#define DUMP_TRIES 5
/* Socket receive buffer: room for bursts of events in monitor. */
#define RCVBUF_SIZE (1 << 20)

static struct {
	struct nl_sock *sk;
	int family;
} hnl;

/* What one request has seen so far; the callbacks fill it in. */
struct req_state {
	uint32_t seq;
	bool done;
	bool intr;		/* some reply carried NLM_F_DUMP_INTR */
	int error;		/* positive errno from the kernel */
	char *extack;		/* NLMSGERR_ATTR_MSG, malloc'd */
	int parse_ret;		/* failure while storing a reply */
	char *buf;		/* the replies, back to back */
	size_t len, cap;
};

int hlb_netns_switch(const char *name)
{
	char *path;
	int fd, ret = HLB_OK;

	/* Like "ip -n": a name under /run/netns, or any nsfs path. */
	if (strchr(name, '/'))
		path = strdup(name);
	else if (asprintf(&path, "/run/netns/%s", name) < 0)
		path = NULL;
	if (!path) {
		fprintf(stderr, "Error: out of memory\n");
		return HLB_FAIL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		ret = HLB_FAIL;
	} else if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr,
			"Failed to enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		ret = HLB_FAIL;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

static void sock_options(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), one = 1, size = RCVBUF_SIZE;

	/*
	 * Best effort: without extended ACK we still print strerror(); the
	 * capped ACK only saves copying our request back.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_set_buffer_size(sk, RCVBUF_SIZE, 0);
	/* Root may exceed net.core.rmem_max; others keep what they got. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	/* Peek at each datagram's size so no reply is ever truncated. */
	nl_socket_enable_msg_peek(sk);
	/* We ask for ACKs ourselves and check sequence numbers ourselves. */
	nl_socket_disable_auto_ack(sk);
}

/*
 * Opens a generic netlink socket and resolves the hlb family. Prints the
 * reason and returns NULL on failure.
 */
struct nl_sock *hlb_sock_open(int *family)
{
	struct nl_sock *sk;
	int err;

	sk = nl_socket_alloc();
	if (!sk) {
		fprintf(stderr, "Error: out of memory\n");
		return NULL;
	}
	err = genl_connect(sk);
	if (err < 0) {
		fprintf(stderr, "Error: cannot open a generic netlink socket: "
			"%s\n", nl_geterror(err));
		goto fail;
	}
	sock_options(sk);
	err = genl_ctrl_resolve(sk, HLB_GENL_NAME);
	if (err == -NLE_OBJ_NOTFOUND) {
		fprintf(stderr, "Error: hlb kernel module not loaded "
			"(generic netlink family \"%s\" not found)\n",
			HLB_GENL_NAME);
		goto fail;
	}
	if (err < 0) {
		fprintf(stderr, "Error: cannot resolve generic netlink family "
			"\"%s\": %s\n", HLB_GENL_NAME, nl_geterror(err));
		goto fail;
	}
	*family = err;
	return sk;
fail:
	nl_socket_free(sk);
	return NULL;
}

/* The shared socket, opened on first use so usage errors need no kernel. */
static struct nl_sock *hlb_sock(void)
{
	if (!hnl.sk)
		hnl.sk = hlb_sock_open(&hnl.family);
	return hnl.sk;
}

void hlb_nl_close(void)
{
	if (hnl.sk)
		nl_socket_free(hnl.sk);
	hnl.sk = NULL;
}

/*
 * The string in an error's (or a dump's NLMSG_DONE's) extended ACK TLVs,
 * which start off bytes into the message.
 */
static char *ext_ack_msg(const struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *msg;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = NLMSG_ALIGN(off);
	if (off >= nlh->nlmsg_len)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (void *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), NULL) < 0)
		return NULL;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (!msg || nla_len(msg) <= 0)
		return NULL;
	return strndup(nla_data(msg), (size_t)nla_len(msg));
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct req_state *st = arg;
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)nla;
	/* Without NLM_F_CAPPED our request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	st->error = e->error < 0 ? -e->error : e->error;
	free(st->extack);
	st->extack = ext_ack_msg(nlh, off);
	st->done = true;
	return NL_STOP;
}

/* A dump's end; its payload is the dump's error code, then TLVs. */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req_state *st = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			st->error = -err;
			free(st->extack);
			st->extack = ext_ack_msg(nlh,
						 NLMSG_HDRLEN + sizeof(int));
		}
	}
	st->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

/* Skips replies to an earlier request that was abandoned mid-way. */
static int seq_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == st->seq ? NL_OK : NL_SKIP;
}

static int intr_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	(void)msg;
	st->intr = true;
	return NL_OK;	/* read on to NLMSG_DONE, then retry */
}

static int buf_append(struct req_state *st, const struct nlmsghdr *nlh)
{
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);
	char *p;

	if (st->cap - st->len < need) {
		size_t cap = st->cap ? st->cap : 65536;

		while (cap - st->len < need) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		p = realloc(st->buf, cap);
		if (!p)
			return -1;
		st->buf = p;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, nlh, nlh->nlmsg_len);
	memset(st->buf + st->len + nlh->nlmsg_len, 0,
	       need - nlh->nlmsg_len);
	st->len += need;
	return 0;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req_state *st = arg;

	if (nlh->nlmsg_type != hnl.family || st->parse_ret)
		return NL_OK;	/* keep draining up to the ACK or DONE */
	if (buf_append(st, nlh)) {
		fprintf(stderr, "Error: out of memory\n");
		st->parse_ret = HLB_FAIL;
	}
	return NL_OK;
}

static struct nl_cb *req_cb(struct req_state *st)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, st);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, st);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, st);
	return cb;
}

static struct nl_msg *make_req(uint8_t cmd, int flags, hlb_build_fn build,
			       const void *barg)
{
	struct nl_msg *msg;
	int err = -NLE_NOMEM;

	msg = nlmsg_alloc();
	if (!msg)
		goto fail;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, hnl.family, 0,
			 flags, cmd, HLB_GENL_VERSION))
		goto fail;
	if (build) {
		err = build(msg, barg);
		if (err < 0)
			goto fail;
	}
	return msg;
fail:
	nlmsg_free(msg);
	fprintf(stderr, "Error: cannot build request: %s\n", nl_geterror(err));
	return NULL;
}

static int send_req(struct nl_sock *sk, uint8_t cmd, int flags,
		    hlb_build_fn build, const void *barg, uint32_t *seq)
{
	struct nl_msg *msg;
	int err;

	msg = make_req(cmd, flags, build, barg);
	if (!msg)
		return HLB_FAIL;
	err = nl_send_auto(sk, msg);
	*seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0) {
		fprintf(stderr, "Error: cannot send request: %s\n",
			nl_geterror(err));
		return HLB_FAIL;
	}
	return HLB_OK;
}

/*
 * The unit tests' fake kernel: takes a request, appends its replies (ACK,
 * error and NLMSG_DONE included) to out. The replies then go through the
 * same callbacks as the real kernel's.
 */
hlb_fake_fn hlb_fake_kernel;

static void fake_dispatch(struct nlmsghdr *nlh, struct req_state *st)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nl_msg *msg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		st->intr = true;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (e->error)
			err_cb(NULL, e, st);
		else
			st->done = true;
		return;
	}
	msg = nlmsg_convert(nlh);
	if (!msg) {
		st->parse_ret = HLB_FAIL;
		st->done = true;
		return;
	}
	if (nlh->nlmsg_type == NLMSG_DONE)
		finish_cb(msg, st);
	else
		valid_cb(msg, st);
	nlmsg_free(msg);
}

static int fake_request(uint8_t cmd, int flags, hlb_build_fn build,
			const void *barg, struct req_state *st)
{
	struct hlb_replies out = { 0 };
	struct nlmsghdr *nlh;
	struct nl_msg *msg;
	size_t off;

	hnl.family = HLB_FAKE_FAMILY;
	msg = make_req(cmd, flags, build, barg);
	if (!msg)
		return HLB_FAIL;
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_REQUEST;
	hlb_fake_kernel(nlmsg_hdr(msg), &out);
	nlmsg_free(msg);
	for (off = 0; off < out.len && !st->done;
	     off += NLMSG_ALIGN(nlh->nlmsg_len)) {
		nlh = (void *)(out.buf + off);
		fake_dispatch(nlh, st);
	}
	hlb_replies_free(&out);
	return st->done ? HLB_OK : hlb_malformed("fake exchange");
}

/* Sends one request and reads up to its ACK, error or NLMSG_DONE. */
static int request(uint8_t cmd, int flags, hlb_build_fn build,
		   const void *barg, struct req_state *st)
{
	struct nl_sock *sk;
	struct nl_cb *cb;
	int err, ret;

	if (hlb_fake_kernel) {
		ret = fake_request(cmd, flags, build, barg, st);
		goto done;
	}
	sk = hlb_sock();
	if (!sk)
		return HLB_FAIL;
	cb = req_cb(st);
	if (!cb) {
		fprintf(stderr, "Error: out of memory\n");
		return HLB_FAIL;
	}
	ret = send_req(sk, cmd, flags, build, barg, &st->seq);
	while (!ret && !st->done) {
		err = nl_recvmsgs(sk, cb);
		if (!st->done && err < 0) {
			fprintf(stderr, "Error: netlink receive: %s\n",
				nl_geterror(err));
			ret = HLB_FAIL;
		}
	}
	nl_cb_put(cb);
done:
	if (ret)
		return ret;
	if (st->error) {
		fprintf(stderr, "Error: %s\n",
			st->extack ? st->extack : strerror(st->error));
		return HLB_FAIL;
	}
	return st->parse_ret;
}

int hlb_nl_do(uint8_t cmd, hlb_build_fn build, const void *barg)
{
	struct req_state st = { 0 };
	int ret;

	ret = request(cmd, NLM_F_ACK, build, barg, &st);
	free(st.extack);
	free(st.buf);
	return ret;
}

int hlb_replies_each(const struct hlb_replies *r, hlb_parse_fn parse,
		     void *parg)
{
	struct nlmsghdr *nlh;
	size_t off;
	int ret;

	for (off = 0; off < r->len; off += NLMSG_ALIGN(nlh->nlmsg_len)) {
		nlh = (void *)(r->buf + off);
		ret = parse(nlh, parg);
		if (ret)
			return ret;
	}
	return HLB_OK;
}

void hlb_replies_free(struct hlb_replies *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}

int hlb_nl_collect(uint8_t cmd, bool dump, hlb_build_fn build,
		   const void *barg, struct hlb_replies *r)
{
	struct req_state st = { 0 };
	int ret = HLB_FAIL, tries;

	r->buf = NULL;
	r->len = 0;
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		free(st.extack);
		st = (struct req_state){ .buf = st.buf, .cap = st.cap };
		ret = request(cmd, dump ? NLM_F_DUMP : NLM_F_ACK, build, barg,
			      &st);
		if (ret || !st.intr)
			break;
	}
	if (!ret && st.intr) {
		fprintf(stderr, "Error: dump interrupted by concurrent changes "
			"%d times in a row, giving up\n", DUMP_TRIES);
		ret = HLB_FAIL;
	}
	free(st.extack);
	if (ret) {
		free(st.buf);
		return ret;
	}
	r->buf = st.buf;
	r->len = st.len;
	return HLB_OK;
}

int hlb_nl_query(uint8_t cmd, bool dump, hlb_build_fn build,
		 const void *barg, hlb_parse_fn parse, void *parg)
{
	struct hlb_replies r;
	int ret;

	ret = hlb_nl_collect(cmd, dump, build, barg, &r);
	if (!ret)
		ret = hlb_replies_each(&r, parse, parg);
	hlb_replies_free(&r);
	return ret;
}

/*
 * Collects the replies, then prints them as one JSON document (or text):
 * inside an array if list, else as the printer writes them.
 */
static int show(uint8_t cmd, bool dump, hlb_build_fn build, const void *barg,
		hlb_parse_fn print, void *parg, bool list)
{
	struct hlb_replies r;
	int ret;

	ret = hlb_nl_collect(cmd, dump, build, barg, &r);
	if (ret)
		return ret;
	new_json_obj();
	if (list)
		open_json_array(NULL);
	ret = hlb_replies_each(&r, print, parg);
	if (list)
		close_json_array();
	delete_json_obj();
	hlb_replies_free(&r);
	return ret;
}

int hlb_show_list(uint8_t cmd, bool dump, hlb_build_fn build,
		  const void *barg, hlb_parse_fn print, void *parg)
{
	return show(cmd, dump, build, barg, print, parg, true);
}

struct show_one {
	hlb_top_fn print;
};

static int parse_then_print(struct nlmsghdr *nlh, void *arg)
{
	const struct show_one *s = arg;
	struct nlattr *tb[HLB_A_MAX + 1];
	int ret;

	ret = hlb_parse_reply(nlh, tb);
	return ret ? ret : s->print(tb);
}

int hlb_show_one(uint8_t cmd, hlb_top_fn print)
{
	struct show_one s = { .print = print };

	return show(cmd, false, NULL, NULL, parse_then_print, &s, false);
}

int hlb_malformed(const char *what)
{
	fprintf(stderr, "Error: malformed %s from the kernel\n", what);
	return HLB_FAIL;
}

static struct nla_policy top_policy[HLB_A_MAX + 1] = {
	[HLB_A_VERSION] = { .type = NLA_STRING },
	[HLB_A_GENL_VERSION] = { .type = NLA_U32 },
	[HLB_A_SERVICE] = { .type = NLA_NESTED },
	[HLB_A_SERVER] = { .type = NLA_NESTED },
	[HLB_A_SESSION] = { .type = NLA_NESTED },
	[HLB_A_STATS] = { .type = NLA_NESTED },
	[HLB_A_CONFIG] = { .type = NLA_NESTED },
	[HLB_A_EVENT] = { .type = NLA_NESTED },
};

struct nla_policy hlb_svc_policy[HLB_SVC_A_MAX + 1] = {
	[HLB_SVC_A_FAMILY] = { .type = NLA_U16 },
	[HLB_SVC_A_PROTO] = { .type = NLA_U8 },
	[HLB_SVC_A_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[HLB_SVC_A_PORT] = { .type = NLA_U16 },
	[HLB_SVC_A_MODE] = { .type = NLA_U8 },
	[HLB_SVC_A_HASH] = { .type = NLA_U8 },
	[HLB_SVC_A_TABLE_SIZE] = { .type = NLA_U32 },
	[HLB_SVC_A_SEED] = { .type = NLA_U32 },
	[HLB_SVC_A_SCHED] = { .type = NLA_U8 },
	[HLB_SVC_A_STRICT] = { .type = NLA_U8 },
	[HLB_SVC_A_TIMEOUTS] = { .type = NLA_NESTED },
	[HLB_SVC_A_HYBRID] = { .type = NLA_NESTED },
	[HLB_SVC_A_PIN] = { .type = NLA_U8 },
	[HLB_SVC_A_TRANSITION_MS] = { .type = NLA_U32 },
	[HLB_SVC_A_ID] = { .type = NLA_U32 },
	[HLB_SVC_A_METHOD] = { .type = NLA_U8 },
	[HLB_SVC_A_SWITCHES] = { .type = NLA_U64 },
	[HLB_SVC_A_LAST_SWITCH] = { .type = NLA_U64 },
	[HLB_SVC_A_LAST_REASON] = { .type = NLA_U8 },
	[HLB_SVC_A_SERVERS] = { .type = NLA_U32 },
	[HLB_SVC_A_STATS] = { .type = NLA_NESTED },
};

struct nla_policy hlb_srv_policy[HLB_SRV_A_MAX + 1] = {
	[HLB_SRV_A_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[HLB_SRV_A_PORT] = { .type = NLA_U16 },
	[HLB_SRV_A_WEIGHT] = { .type = NLA_U32 },
	[HLB_SRV_A_MAX_CONNS] = { .type = NLA_U32 },
	[HLB_SRV_A_STATE] = { .type = NLA_U8 },
	[HLB_SRV_A_STATS] = { .type = NLA_NESTED },
};

int hlb_parse_reply(struct nlmsghdr *nlh, struct nlattr **tb)
{
	if (genlmsg_parse(nlh, 0, tb, HLB_A_MAX, top_policy) < 0)
		return hlb_malformed("message");
	return HLB_OK;
}

/* The key attributes, inside an open HLB_A_SERVICE nest. */
int hlb_put_key(struct nl_msg *msg, const struct hlb_key *key)
{
	int err;

	err = nla_put_u16(msg, HLB_SVC_A_FAMILY, key->family);
	if (!err)
		err = nla_put_u8(msg, HLB_SVC_A_PROTO, key->proto);
	if (!err)
		err = nla_put(msg, HLB_SVC_A_ADDR, (int)addr_len(key->family),
			      key->addr);
	if (!err)
		err = nla_put_u16(msg, HLB_SVC_A_PORT, key->port);
	return err;
}

int hlb_put_key_nest(struct nl_msg *msg, const struct hlb_key *key)
{
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(msg, HLB_A_SERVICE | NLA_F_NESTED);
	if (!nest)
		return -NLE_NOMEM;
	err = hlb_put_key(msg, key);
	if (err)
		return err;
	return nla_nest_end(msg, nest);
}

/* An hlb_build_fn for requests that carry only a service key. */
int hlb_build_key(struct nl_msg *msg, const void *key)
{
	return key ? hlb_put_key_nest(msg, key) : 0;
}

/* Reads a service key from a parsed HLB_A_SERVICE nest. */
int hlb_get_key(struct nlattr **tb, struct hlb_key *key)
{
	struct nlattr *a = tb[HLB_SVC_A_ADDR];

	memset(key, 0, sizeof(*key));
	if (!tb[HLB_SVC_A_FAMILY] || !tb[HLB_SVC_A_PROTO] || !a ||
	    !tb[HLB_SVC_A_PORT])
		return -1;
	key->family = nla_get_u16(tb[HLB_SVC_A_FAMILY]);
	if (key->family != AF_INET && key->family != AF_INET6)
		return -1;
	if ((size_t)nla_len(a) != addr_len(key->family))
		return -1;
	memcpy(key->addr, nla_data(a), addr_len(key->family));
	key->proto = nla_get_u8(tb[HLB_SVC_A_PROTO]);
	key->port = nla_get_u16(tb[HLB_SVC_A_PORT]);
	return 0;
}
