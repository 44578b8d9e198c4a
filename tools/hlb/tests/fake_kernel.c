// SPDX-License-Identifier: GPL-2.0
/*
 * A fake hlb kernel module for the CLI's unit tests: an in-memory model of
 * the netlink API in include/uapi/linux/hlb.h, written independently of
 * the CLI's own parsing. It is as strict as a genl family with strict
 * validation: exact attribute sizes, NLA_F_NESTED on nests, read-only
 * attributes refused, keys checked, every refusal with an extended ACK
 * message.
 *
 * Knobs (environment):
 *   FAKE_ALT_DEFAULTS=1  other defaults for new services, servers, config
 *                        (save must still restore exactly)
 *   FAKE_INTR=N          the first N dumps are marked NLM_F_DUMP_INTR
 *   FAKE_NOCAP=1         errors echo the whole request (no NLM_F_CAPPED)
 *   FAKE_DUMP_ERR=1      dumps end with an error in NLMSG_DONE
 *   FAKE_EVENTS=1        record an event per change (see fake_events())
 *   FAKE_BULK=N          server dumps add N synthetic servers to the first
 *                        service (an IPv4 one), to test large dumps
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../nl.h"
#include "fake_kernel.h"

#define MAX_SVC 64
#define MAX_SRV 512

struct fsvc {
	bool used;
	uint16_t family;
	uint8_t proto;
	uint8_t addr[16];
	uint16_t port;
	uint8_t mode, hash, sched, strict, pin;
	uint32_t table_size, seed, transition_ms, id;
	uint32_t to[HLB_TO_A_MAX + 1];
	uint32_t hyb[HLB_HYB_A_MAX + 1];
};

struct fsrv {
	bool used;
	int svc;
	uint8_t addr[16];
	uint16_t port;
	uint32_t weight, max_conns;
};

static struct {
	bool inited, alt, nocap, dump_err, events_on;
	int intr_left;
	uint32_t bulk;
	uint32_t next_id;
	struct fsvc svc[MAX_SVC];
	struct fsrv srv[MAX_SRV];
	uint32_t session_limit, fill_limit;
	uint32_t to[HLB_TO_A_MAX + 1];
	struct hlb_replies events;
	size_t events_cap;
} fk;

/* One request being answered. */
struct ctx {
	struct nlmsghdr *req;
	struct hlb_replies *out;
	size_t cap;
	int err;		/* positive errno once refused */
	char msg[160];		/* its extack message */
};

static void fk_init(void)
{
	const char *e;

	if (fk.inited)
		return;
	fk.inited = true;
	fk.alt = getenv("FAKE_ALT_DEFAULTS") != NULL;
	fk.nocap = getenv("FAKE_NOCAP") != NULL;
	fk.dump_err = getenv("FAKE_DUMP_ERR") != NULL;
	fk.events_on = getenv("FAKE_EVENTS") != NULL;
	e = getenv("FAKE_INTR");
	fk.intr_left = e ? atoi(e) : 0;
	e = getenv("FAKE_BULK");
	fk.bulk = e ? (uint32_t)strtoul(e, NULL, 10) : 0;
	fk.next_id = 1;
	fk.session_limit = fk.alt ? 5000 : 1000000;
	fk.fill_limit = fk.alt ? 50 : 90;
	fk.to[HLB_TO_A_TCP_SYN] = fk.alt ? 5 : 10;
	fk.to[HLB_TO_A_TCP_EST] = fk.alt ? 60 : 300;
	fk.to[HLB_TO_A_TCP_FIN] = fk.alt ? 7 : 30;
	fk.to[HLB_TO_A_TCP_CLOSE] = fk.alt ? 3 : 10;
	fk.to[HLB_TO_A_UDP] = fk.alt ? 11 : 30;
}

static int fail(struct ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return -1;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void append(struct hlb_replies *out, size_t *cap,
		   const struct nlmsghdr *nlh)
{
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);

	char *p;

	while (out->len + need > *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		p = realloc(out->buf, *cap);
		if (!p)
			abort();
		out->buf = p;
	}
	memset(out->buf + out->len, 0, need);
	memcpy(out->buf + out->len, nlh, nlh->nlmsg_len);
	out->len += need;
}

static struct nl_msg *reply_new(struct ctx *c, uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();
	int flags = c->req->nlmsg_flags & NLM_F_DUMP ? NLM_F_MULTI : 0;

	if (!m || !genlmsg_put(m, 0, c->req->nlmsg_seq,
			       c->req->nlmsg_type, 0, flags, cmd, 1))
		abort();
	return m;
}

static void reply_emit(struct ctx *c, struct nl_msg *m)
{
	append(c->out, &c->cap, nlmsg_hdr(m));
	nlmsg_free(m);
}

/* NLMSG_ERROR: an ACK (err 0) or a refusal with its extack TLVs. */
static void emit_ack(struct ctx *c)
{
	size_t payload = sizeof(struct nlmsgerr);
	int flags = NLM_F_CAPPED;
	struct nlmsgerr *e;
	struct nl_msg *m;

	if (c->err && fk.nocap) {
		payload += c->req->nlmsg_len - NLMSG_HDRLEN;
		flags = 0;
	}
	if (c->err)
		flags |= NLM_F_ACK_TLVS;
	m = nlmsg_alloc_size(payload + 1024);
	if (!m || !nlmsg_put(m, 0, c->req->nlmsg_seq, NLMSG_ERROR,
			     (int)payload, flags))
		abort();
	e = nlmsg_data(nlmsg_hdr(m));
	e->error = -c->err;
	memcpy(&e->msg, c->req, flags & NLM_F_CAPPED ? NLMSG_HDRLEN
						     : c->req->nlmsg_len);
	if (c->err) {
		nla_put_string(m, NLMSGERR_ATTR_MSG, c->msg);
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, NLMSG_HDRLEN);
	}
	reply_emit(c, m);
}

static void emit_done(struct ctx *c, bool intr)
{
	struct nl_msg *m = nlmsg_alloc();
	int err = fk.dump_err ? -EBUSY : 0;
	int flags = NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0);

	if (fk.dump_err)
		flags |= NLM_F_ACK_TLVS;
	if (!m || !nlmsg_put(m, 0, c->req->nlmsg_seq, NLMSG_DONE,
			     sizeof(err), flags))
		abort();
	memcpy(nlmsg_data(nlmsg_hdr(m)), &err, sizeof(err));
	if (fk.dump_err)
		nla_put_string(m, NLMSGERR_ATTR_MSG, "fake dump error");
	reply_emit(c, m);
}

static void record_event(struct nl_msg *m)
{
	if (fk.events_on)
		append(&fk.events, &fk.events_cap, nlmsg_hdr(m));
	nlmsg_free(m);
}

/* ---- attribute checks, as strict as the kernel's policies ---- */

struct rule {
	int len;		/* exact payload length; 0 = any, -1 = nest */
	bool ro;		/* read-only: refused in requests */
	const char *name;
};

static const struct rule svc_rules[HLB_SVC_A_MAX + 1] = {
	[HLB_SVC_A_FAMILY] = { 2, false, "HLB_SVC_A_FAMILY" },
	[HLB_SVC_A_PROTO] = { 1, false, "HLB_SVC_A_PROTO" },
	[HLB_SVC_A_ADDR] = { 0, false, "HLB_SVC_A_ADDR" },
	[HLB_SVC_A_PORT] = { 2, false, "HLB_SVC_A_PORT" },
	[HLB_SVC_A_MODE] = { 1, false, "HLB_SVC_A_MODE" },
	[HLB_SVC_A_HASH] = { 1, false, "HLB_SVC_A_HASH" },
	[HLB_SVC_A_TABLE_SIZE] = { 4, false, "HLB_SVC_A_TABLE_SIZE" },
	[HLB_SVC_A_SEED] = { 4, false, "HLB_SVC_A_SEED" },
	[HLB_SVC_A_SCHED] = { 1, false, "HLB_SVC_A_SCHED" },
	[HLB_SVC_A_STRICT] = { 1, false, "HLB_SVC_A_STRICT" },
	[HLB_SVC_A_TIMEOUTS] = { -1, false, "HLB_SVC_A_TIMEOUTS" },
	[HLB_SVC_A_HYBRID] = { -1, false, "HLB_SVC_A_HYBRID" },
	[HLB_SVC_A_PIN] = { 1, false, "HLB_SVC_A_PIN" },
	[HLB_SVC_A_TRANSITION_MS] = { 4, false, "HLB_SVC_A_TRANSITION_MS" },
	[HLB_SVC_A_ID] = { 4, true, "HLB_SVC_A_ID" },
	[HLB_SVC_A_METHOD] = { 1, true, "HLB_SVC_A_METHOD" },
	[HLB_SVC_A_SWITCHES] = { 8, true, "HLB_SVC_A_SWITCHES" },
	[HLB_SVC_A_LAST_SWITCH] = { 8, true, "HLB_SVC_A_LAST_SWITCH" },
	[HLB_SVC_A_LAST_REASON] = { 1, true, "HLB_SVC_A_LAST_REASON" },
	[HLB_SVC_A_SERVERS] = { 4, true, "HLB_SVC_A_SERVERS" },
	[HLB_SVC_A_STATS] = { -1, true, "HLB_SVC_A_STATS" },
	[HLB_SVC_A_PAD] = { 0, true, "HLB_SVC_A_PAD" },
};

static const struct rule srv_rules[HLB_SRV_A_MAX + 1] = {
	[HLB_SRV_A_ADDR] = { 0, false, "HLB_SRV_A_ADDR" },
	[HLB_SRV_A_PORT] = { 2, false, "HLB_SRV_A_PORT" },
	[HLB_SRV_A_WEIGHT] = { 4, false, "HLB_SRV_A_WEIGHT" },
	[HLB_SRV_A_MAX_CONNS] = { 4, false, "HLB_SRV_A_MAX_CONNS" },
	[HLB_SRV_A_STATE] = { 1, true, "HLB_SRV_A_STATE" },
	[HLB_SRV_A_STATS] = { -1, true, "HLB_SRV_A_STATS" },
	[HLB_SRV_A_PAD] = { 0, true, "HLB_SRV_A_PAD" },
};

static const struct rule cfg_rules[HLB_CFG_A_MAX + 1] = {
	[HLB_CFG_A_SESSION_LIMIT] = { 4, false, "HLB_CFG_A_SESSION_LIMIT" },
	[HLB_CFG_A_FILL_LIMIT] = { 4, false, "HLB_CFG_A_FILL_LIMIT" },
	[HLB_CFG_A_TIMEOUTS] = { -1, false, "HLB_CFG_A_TIMEOUTS" },
	[HLB_CFG_A_SESSIONS] = { 4, true, "HLB_CFG_A_SESSIONS" },
	[HLB_CFG_A_SERVICES] = { 4, true, "HLB_CFG_A_SERVICES" },
};

static int check_nest_flag(struct ctx *c, struct nlattr *a, const char *name)
{
	if (!(a->nla_type & NLA_F_NESTED))
		return fail(c, EINVAL, "%s: NLA_F_NESTED is missing", name);
	return 0;
}

/* Parses a nest with exact sizes; unknown attribute types are refused. */
static int parse_strict(struct ctx *c, struct nlattr *nest, const char *name,
			struct nlattr **tb, int max, const struct rule *rules)
{
	struct nlattr *a;
	int rem, type;

	if (check_nest_flag(c, nest, name))
		return -1;
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	nla_for_each_nested(a, nest, rem) {
		type = nla_type(a);
		if (type <= 0 || type > max || !rules[type].name)
			return fail(c, EINVAL, "%s: unknown attribute %d",
				    name, type);
		if (rules[type].ro)
			return fail(c, EINVAL, "%s is read-only",
				    rules[type].name);
		if (rules[type].len > 0 && nla_len(a) != rules[type].len)
			return fail(c, EINVAL, "%s: wrong size %d",
				    rules[type].name, nla_len(a));
		if (rules[type].len < 0 &&
		    check_nest_flag(c, a, rules[type].name))
			return -1;
		if (tb[type])
			return fail(c, EINVAL, "%s given twice",
				    rules[type].name);
		tb[type] = a;
	}
	if (rem)
		return fail(c, EINVAL, "%s: trailing bytes", name);
	return 0;
}

/* A nest of u32 values such as timeouts or hybrid thresholds. */
static int parse_u32s(struct ctx *c, struct nlattr *nest, const char *name,
		      int max, uint32_t *v)
{
	struct nlattr *a;
	int rem, type;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		type = nla_type(a);
		if (type <= 0 || type > max)
			return fail(c, EINVAL, "%s: unknown attribute %d",
				    name, type);
		if (nla_len(a) != 4)
			return fail(c, EINVAL, "%s: attribute %d wrong size",
				    name, type);
		v[type] = nla_get_u32(a);
	}
	return 0;
}

struct fkey {
	uint16_t family;
	uint8_t proto;
	uint8_t addr[16];
	uint16_t port;
};

static size_t alen(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int get_key(struct ctx *c, struct nlattr **tb, struct fkey *k)
{
	memset(k, 0, sizeof(*k));
	if (!tb[HLB_SVC_A_FAMILY] || !tb[HLB_SVC_A_PROTO] ||
	    !tb[HLB_SVC_A_ADDR] || !tb[HLB_SVC_A_PORT])
		return fail(c, EINVAL, "service key incomplete");
	k->family = nla_get_u16(tb[HLB_SVC_A_FAMILY]);
	if (k->family != AF_INET && k->family != AF_INET6)
		return fail(c, EAFNOSUPPORT, "HLB_SVC_A_FAMILY: bad family");
	k->proto = nla_get_u8(tb[HLB_SVC_A_PROTO]);
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return fail(c, EPROTONOSUPPORT, "HLB_SVC_A_PROTO: bad proto");
	if ((size_t)nla_len(tb[HLB_SVC_A_ADDR]) != alen(k->family))
		return fail(c, EINVAL, "HLB_SVC_A_ADDR: wrong size");
	memcpy(k->addr, nla_data(tb[HLB_SVC_A_ADDR]), alen(k->family));
	k->port = nla_get_u16(tb[HLB_SVC_A_PORT]);
	if (!k->port)
		return fail(c, EINVAL, "HLB_SVC_A_PORT: must not be 0");
	return 0;
}

static int find_svc(const struct fkey *k)
{
	int i;

	for (i = 0; i < MAX_SVC; i++) {
		const struct fsvc *s = &fk.svc[i];

		if (s->used && s->family == k->family &&
		    s->proto == k->proto && s->port == k->port &&
		    !memcmp(s->addr, k->addr, alen(k->family)))
			return i;
	}
	return -1;
}

static int svc_nest(struct ctx *c, struct nlattr **top, struct nlattr **tb,
		    struct fkey *k)
{
	if (!top[HLB_A_SERVICE])
		return fail(c, EINVAL, "HLB_A_SERVICE missing");
	if (parse_strict(c, top[HLB_A_SERVICE], "HLB_A_SERVICE", tb,
			 HLB_SVC_A_MAX, svc_rules))
		return -1;
	return get_key(c, tb, k);
}

/* The slot of an existing service; tb gets its nest, for set_service(). */
static int lookup_svc_tb(struct ctx *c, struct nlattr **top,
			 struct nlattr **tb)
{
	struct fkey k;
	int i;

	if (svc_nest(c, top, tb, &k))
		return -1;
	i = find_svc(&k);
	if (i < 0)
		return fail(c, ENOENT, "service not found");
	return i;
}

static int lookup_svc(struct ctx *c, struct nlattr **top)
{
	struct nlattr *tb[HLB_SVC_A_MAX + 1];

	return lookup_svc_tb(c, top, tb);
}

static bool is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	for (d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

static int u8_max(struct ctx *c, struct nlattr *a, unsigned int max,
		  const char *name, uint8_t *v)
{
	if (!a)
		return 0;
	if (nla_get_u8(a) > max)
		return fail(c, EINVAL, "%s: out of range", name);
	*v = nla_get_u8(a);
	return 0;
}

/* Applies the options in tb to a copy of s, so a refusal changes nothing. */
static int apply_svc(struct ctx *c, struct nlattr **tb, struct fsvc *s)
{
	struct fsvc n = *s;
	int i;

	if (u8_max(c, tb[HLB_SVC_A_MODE], HLB_MODE_MAX, "HLB_SVC_A_MODE",
		   &n.mode) ||
	    u8_max(c, tb[HLB_SVC_A_HASH], HLB_HASH_MAX, "HLB_SVC_A_HASH",
		   &n.hash) ||
	    u8_max(c, tb[HLB_SVC_A_SCHED], HLB_SCHED_MAX, "HLB_SVC_A_SCHED",
		   &n.sched) ||
	    u8_max(c, tb[HLB_SVC_A_STRICT], 1, "HLB_SVC_A_STRICT",
		   &n.strict) ||
	    u8_max(c, tb[HLB_SVC_A_PIN], HLB_PIN_MAX, "HLB_SVC_A_PIN",
		   &n.pin))
		return -1;
	if (tb[HLB_SVC_A_TABLE_SIZE]) {
		n.table_size = nla_get_u32(tb[HLB_SVC_A_TABLE_SIZE]);
		if (n.table_size > HLB_TABLE_SIZE_MAX ||
		    !is_prime(n.table_size))
			return fail(c, EINVAL, "HLB_SVC_A_TABLE_SIZE: must be "
				    "a prime up to %u", HLB_TABLE_SIZE_MAX);
	}
	if (tb[HLB_SVC_A_SEED])
		n.seed = nla_get_u32(tb[HLB_SVC_A_SEED]);
	if (tb[HLB_SVC_A_TRANSITION_MS])
		n.transition_ms = nla_get_u32(tb[HLB_SVC_A_TRANSITION_MS]);
	if (parse_u32s(c, tb[HLB_SVC_A_TIMEOUTS], "HLB_SVC_A_TIMEOUTS",
		       HLB_TO_A_MAX, n.to) ||
	    parse_u32s(c, tb[HLB_SVC_A_HYBRID], "HLB_SVC_A_HYBRID",
		       HLB_HYB_A_MAX, n.hyb))
		return -1;
	for (i = HLB_HYB_A_SESSIONS_HIGH; i <= HLB_HYB_A_PACKET_HIGH; i += 2)
		if (n.hyb[i + 1] > n.hyb[i] && n.hyb[i])
			return fail(c, EINVAL, "HLB_SVC_A_HYBRID: low "
				    "watermark %d above high", i + 1);
	*s = n;
	return 0;
}

static void svc_defaults(struct fsvc *s, const struct fkey *k)
{
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->family = k->family;
	s->proto = k->proto;
	memcpy(s->addr, k->addr, 16);
	s->port = k->port;
	s->mode = fk.alt ? HLB_MODE_STATELESS : HLB_MODE_STATEFUL;
	s->hash = fk.alt ? HLB_HASH_SRC_ADDR : HLB_HASH_SRC_ADDR_PORT;
	s->table_size = fk.alt ? 251 : HLB_TABLE_SIZE_DEFAULT;
	s->seed = fk.alt ? 77 : 0;
	s->sched = fk.alt ? HLB_SCHED_WLC : HLB_SCHED_HASH;
	s->strict = fk.alt;
	s->transition_ms = fk.alt ? 2500 : 0;
	s->to[HLB_TO_A_TCP_EST] = fk.alt ? 99 : 0;
	s->hyb[HLB_HYB_A_HOLD_MS] = fk.alt ? 1234 : 5000;
	s->hyb[HLB_HYB_A_DWELL_MS] = fk.alt ? 4321 : 1000;
	s->id = fk.next_id++;
}

static int count_servers(int svc)
{
	int i, n = 0;

	for (i = 0; i < MAX_SRV; i++)
		n += fk.srv[i].used && fk.srv[i].svc == svc;
	return n;
}

static void put_key(struct nl_msg *m, const struct fsvc *s)
{
	nla_put_u16(m, HLB_SVC_A_FAMILY, s->family);
	nla_put_u8(m, HLB_SVC_A_PROTO, s->proto);
	nla_put(m, HLB_SVC_A_ADDR, (int)alen(s->family), s->addr);
	nla_put_u16(m, HLB_SVC_A_PORT, s->port);
}

static void put_u32s(struct nl_msg *m, int attr, const uint32_t *v, int max)
{
	struct nlattr *n = nla_nest_start(m, attr);
	int i;

	for (i = 1; i <= max; i++)
		nla_put_u32(m, i, v[i]);
	nla_nest_end(m, n);
}

/* Counters with padding, and one this CLI does not know yet. */
static void put_stats(struct nl_msg *m, int attr, int pad, uint64_t base)
{
	struct nlattr *n = nla_nest_start(m, attr);

	nla_put(m, pad, 0, NULL);
	nla_put_u64(m, HLB_ST_A_PACKETS, base * 10);
	nla_put_u64(m, HLB_ST_A_BYTES, base * 640);
	nla_put_u64(m, HLB_ST_A_SESSIONS_ACTIVE, base);
	nla_put_u64(m, 40, 7);
	nla_nest_end(m, n);
}

static void put_service(struct nl_msg *m, int i, bool full)
{
	const struct fsvc *s = &fk.svc[i];
	struct nlattr *n = nla_nest_start(m, HLB_A_SERVICE);

	put_key(m, s);
	if (full) {
		nla_put_u8(m, HLB_SVC_A_MODE, s->mode);
		nla_put_u8(m, HLB_SVC_A_HASH, s->hash);
		nla_put_u32(m, HLB_SVC_A_TABLE_SIZE, s->table_size);
		nla_put_u32(m, HLB_SVC_A_SEED, s->seed);
		nla_put_u8(m, HLB_SVC_A_SCHED, s->sched);
		nla_put_u8(m, HLB_SVC_A_STRICT, s->strict);
		put_u32s(m, HLB_SVC_A_TIMEOUTS, s->to, HLB_TO_A_MAX);
		put_u32s(m, HLB_SVC_A_HYBRID, s->hyb, HLB_HYB_A_MAX);
		nla_put_u8(m, HLB_SVC_A_PIN, s->pin);
		nla_put_u32(m, HLB_SVC_A_TRANSITION_MS, s->transition_ms);
		nla_put_u32(m, HLB_SVC_A_ID, s->id);
		nla_put_u8(m, HLB_SVC_A_METHOD,
			   s->mode == HLB_MODE_STATELESS ? HLB_METHOD_STATELESS
							 : HLB_METHOD_STATEFUL);
		nla_put_u64(m, HLB_SVC_A_SWITCHES, s->mode == HLB_MODE_HYBRID);
		nla_put_u64(m, HLB_SVC_A_LAST_SWITCH,
			    s->mode == HLB_MODE_HYBRID ?
			    1700000000123456789ull : 0);
		nla_put_u8(m, HLB_SVC_A_LAST_REASON,
			   s->mode == HLB_MODE_HYBRID ?
			   HLB_REASON_NEWFLOW_RATE : HLB_REASON_NONE);
		nla_put_u32(m, HLB_SVC_A_SERVERS, (uint32_t)count_servers(i));
		put_stats(m, HLB_SVC_A_STATS, HLB_SVC_A_PAD, s->id);
	}
	nla_nest_end(m, n);
}

static void put_server(struct nl_msg *m, int j, bool full)
{
	const struct fsrv *r = &fk.srv[j];
	struct nlattr *n;

	put_service(m, r->svc, false);
	n = nla_nest_start(m, HLB_A_SERVER);
	nla_put(m, HLB_SRV_A_ADDR, (int)alen(fk.svc[r->svc].family), r->addr);
	nla_put_u16(m, HLB_SRV_A_PORT, r->port);
	if (full) {
		nla_put_u32(m, HLB_SRV_A_WEIGHT, r->weight);
		nla_put_u32(m, HLB_SRV_A_MAX_CONNS, r->max_conns);
		nla_put_u8(m, HLB_SRV_A_STATE, r->weight ? HLB_SRV_ACTIVE
							 : HLB_SRV_DRAINING);
		put_stats(m, HLB_SRV_A_STATS, HLB_SRV_A_PAD, r->port);
	}
	nla_nest_end(m, n);
}

static void put_config(struct nl_msg *m)
{
	struct nlattr *n = nla_nest_start(m, HLB_A_CONFIG);
	int i, svcs = 0;

	for (i = 0; i < MAX_SVC; i++)
		svcs += fk.svc[i].used;
	nla_put_u32(m, HLB_CFG_A_SESSION_LIMIT, fk.session_limit);
	nla_put_u32(m, HLB_CFG_A_FILL_LIMIT, fk.fill_limit);
	put_u32s(m, HLB_CFG_A_TIMEOUTS, fk.to, HLB_TO_A_MAX);
	nla_put_u32(m, HLB_CFG_A_SESSIONS, 2);
	nla_put_u32(m, HLB_CFG_A_SERVICES, (uint32_t)svcs);
	nla_nest_end(m, n);
}

static uint8_t req_cmd(struct ctx *c)
{
	return ((struct genlmsghdr *)nlmsg_data(c->req))->cmd;
}

/* ---- commands ---- */

static void svc_event(struct ctx *c, int i, bool full)
{
	struct nl_msg *m = reply_new(c, req_cmd(c));

	put_service(m, i, full);
	record_event(m);
}

static int new_service(struct ctx *c, struct nlattr **top)
{
	struct nlattr *tb[HLB_SVC_A_MAX + 1];
	struct fsvc s;
	struct fkey k;
	int i;

	if (svc_nest(c, top, tb, &k))
		return -1;
	if (find_svc(&k) >= 0)
		return fail(c, EEXIST, "service exists");
	for (i = 0; i < MAX_SVC && fk.svc[i].used; i++)
		;
	if (i == MAX_SVC)
		return fail(c, ENOSPC, "too many services");
	svc_defaults(&s, &k);
	if (apply_svc(c, tb, &s)) {
		fk.next_id--;
		return -1;
	}
	fk.svc[i] = s;
	svc_event(c, i, true);
	return 0;
}

static int set_service(struct ctx *c, struct nlattr **top)
{
	struct nlattr *tb[HLB_SVC_A_MAX + 1];
	int i;

	i = lookup_svc_tb(c, top, tb);
	if (i < 0)
		return -1;
	if (apply_svc(c, tb, &fk.svc[i]))
		return -1;
	svc_event(c, i, true);
	return 0;
}

static void del_servers_of(int svc)
{
	int j;

	for (j = 0; j < MAX_SRV; j++)
		if (fk.srv[j].used && fk.srv[j].svc == svc)
			fk.srv[j].used = false;
}

static int del_service(struct ctx *c, struct nlattr **top)
{
	int i = lookup_svc(c, top);

	if (i < 0)
		return -1;
	svc_event(c, i, false);
	del_servers_of(i);
	fk.svc[i].used = false;
	return 0;
}

static int get_service(struct ctx *c, struct nlattr **top, bool dump)
{
	struct nl_msg *m;
	int i;

	if (!dump) {
		i = lookup_svc(c, top);
		if (i < 0)
			return -1;
		m = reply_new(c, HLB_CMD_GET_SERVICE);
		put_service(m, i, true);
		reply_emit(c, m);
		return 0;
	}
	/* Newest first: save must sort, not rely on the kernel's order. */
	for (i = MAX_SVC - 1; i >= 0; i--) {
		if (!fk.svc[i].used)
			continue;
		m = reply_new(c, HLB_CMD_GET_SERVICE);
		put_service(m, i, true);
		reply_emit(c, m);
	}
	return 0;
}

static int flush(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_SVC; i++)
		fk.svc[i].used = false;
	for (i = 0; i < MAX_SRV; i++)
		fk.srv[i].used = false;
	record_event(reply_new(c, HLB_CMD_FLUSH));
	return 0;
}

/* The HLB_A_SERVER key; *j is the server's slot or -1. */
static int srv_key(struct ctx *c, struct nlattr **top, int svc,
		   struct nlattr **tb, uint8_t *addr, uint16_t *port, int *j)
{
	size_t len = alen(fk.svc[svc].family);
	int i;

	if (!top[HLB_A_SERVER])
		return fail(c, EINVAL, "HLB_A_SERVER missing");
	if (parse_strict(c, top[HLB_A_SERVER], "HLB_A_SERVER", tb,
			 HLB_SRV_A_MAX, srv_rules))
		return -1;
	if (!tb[HLB_SRV_A_ADDR] || !tb[HLB_SRV_A_PORT])
		return fail(c, EINVAL, "server key incomplete");
	if ((size_t)nla_len(tb[HLB_SRV_A_ADDR]) != len)
		return fail(c, EINVAL, "HLB_SRV_A_ADDR: wrong size");
	memset(addr, 0, 16);
	memcpy(addr, nla_data(tb[HLB_SRV_A_ADDR]), len);
	*port = nla_get_u16(tb[HLB_SRV_A_PORT]);
	if (!*port)
		return fail(c, EINVAL, "HLB_SRV_A_PORT: must not be 0");
	*j = -1;
	for (i = 0; i < MAX_SRV; i++)
		if (fk.srv[i].used && fk.srv[i].svc == svc &&
		    fk.srv[i].port == *port &&
		    !memcmp(fk.srv[i].addr, addr, 16))
			*j = i;
	return 0;
}

static int apply_srv(struct ctx *c, struct nlattr **tb, struct fsrv *r)
{
	uint32_t w = r->weight;

	if (tb[HLB_SRV_A_WEIGHT]) {
		w = nla_get_u32(tb[HLB_SRV_A_WEIGHT]);
		if (w > HLB_WEIGHT_MAX)
			return fail(c, ERANGE, "HLB_SRV_A_WEIGHT: above %u",
				    HLB_WEIGHT_MAX);
	}
	r->weight = w;
	if (tb[HLB_SRV_A_MAX_CONNS])
		r->max_conns = nla_get_u32(tb[HLB_SRV_A_MAX_CONNS]);
	return 0;
}

static void srv_event(struct ctx *c, int j, bool full)
{
	struct nl_msg *m = reply_new(c, req_cmd(c));

	put_server(m, j, full);
	record_event(m);
}

static int server_cmd(struct ctx *c, struct nlattr **top, uint8_t cmd)
{
	struct nlattr *tb[HLB_SRV_A_MAX + 1];
	uint8_t addr[16];
	uint16_t port;
	int svc, j;

	svc = lookup_svc(c, top);
	if (svc < 0 || srv_key(c, top, svc, tb, addr, &port, &j))
		return -1;
	if (cmd == HLB_CMD_NEW_SERVER) {
		if (j >= 0)
			return fail(c, EEXIST, "server exists");
		for (j = 0; j < MAX_SRV && fk.srv[j].used; j++)
			;
		if (j == MAX_SRV)
			return fail(c, ENOSPC, "too many servers");
		fk.srv[j] = (struct fsrv){ .svc = svc, .port = port,
					   .weight = fk.alt ? 9 : 1,
					   .max_conns = fk.alt ? 33 : 0 };
		memcpy(fk.srv[j].addr, addr, 16);
		if (apply_srv(c, tb, &fk.srv[j]))
			return -1;
		fk.srv[j].used = true;
	} else if (j < 0) {
		return fail(c, ENOENT, "server not found");
	} else if (cmd == HLB_CMD_SET_SERVER) {
		if (apply_srv(c, tb, &fk.srv[j]))
			return -1;
	} else {
		srv_event(c, j, false);
		fk.srv[j].used = false;
		return 0;
	}
	srv_event(c, j, true);
	return 0;
}

/* Synthetic servers 172.16.0.0 + k, port 8000, of service svc. */
static void put_bulk(struct ctx *c, int svc)
{
	struct nlattr *n;
	struct nl_msg *m;
	uint32_t k, a;

	if (fk.svc[svc].family != AF_INET)
		return;
	for (k = 0; k < fk.bulk; k++) {
		a = htonl(0xac100000u + k);
		m = reply_new(c, HLB_CMD_GET_SERVER);
		put_service(m, svc, false);
		n = nla_nest_start(m, HLB_A_SERVER);
		nla_put(m, HLB_SRV_A_ADDR, 4, &a);
		nla_put_u16(m, HLB_SRV_A_PORT, 8000);
		nla_put_u32(m, HLB_SRV_A_WEIGHT, k % 100);
		nla_put_u32(m, HLB_SRV_A_MAX_CONNS, k);
		nla_put_u8(m, HLB_SRV_A_STATE, HLB_SRV_ACTIVE);
		nla_nest_end(m, n);
		reply_emit(c, m);
	}
}

static int get_server(struct ctx *c, struct nlattr **top, bool dump)
{
	struct nlattr *tb[HLB_SRV_A_MAX + 1];
	struct nl_msg *m;
	uint8_t addr[16];
	uint16_t port;
	int svc = -1, j;

	if (top[HLB_A_SERVICE] || !dump) {
		svc = lookup_svc(c, top);
		if (svc < 0)
			return -1;
	}
	if (!dump) {
		if (srv_key(c, top, svc, tb, addr, &port, &j))
			return -1;
		if (j < 0)
			return fail(c, ENOENT, "server not found");
		m = reply_new(c, HLB_CMD_GET_SERVER);
		put_server(m, j, true);
		reply_emit(c, m);
		return 0;
	}
	for (j = MAX_SRV - 1; j >= 0; j--) {
		if (!fk.srv[j].used || (svc >= 0 && fk.srv[j].svc != svc))
			continue;
		m = reply_new(c, HLB_CMD_GET_SERVER);
		put_server(m, j, true);
		reply_emit(c, m);
	}
	for (j = 0; j < MAX_SVC && !fk.svc[j].used; j++)
		;
	if (fk.bulk && j < MAX_SVC && (svc < 0 || svc == j))
		put_bulk(c, j);
	return 0;
}

static void put_session(struct ctx *c, bool v6)
{
	static const uint8_t c4[4] = { 10, 9, 0, 1 }, v4[4] = { 10, 0, 0, 1 },
			     s4[4] = { 10, 1, 0, 1 };
	uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 2 };
	struct nl_msg *m = reply_new(c, HLB_CMD_GET_SESSION);
	struct nlattr *n = nla_nest_start(m, HLB_A_SESSION);
	int len = v6 ? 16 : 4;

	nla_put_u16(m, HLB_SESS_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	nla_put_u8(m, HLB_SESS_A_PROTO, v6 ? IPPROTO_UDP : IPPROTO_TCP);
	nla_put(m, HLB_SESS_A_CLIENT_ADDR, len, v6 ? (void *)c6 : c4);
	nla_put_u16(m, HLB_SESS_A_CLIENT_PORT, 40000);
	nla_put(m, HLB_SESS_A_VIP_ADDR, len, v6 ? (void *)v6a : v4);
	nla_put_u16(m, HLB_SESS_A_VIP_PORT, v6 ? 53 : 80);
	nla_put(m, HLB_SESS_A_SERVER_ADDR, len, v6 ? (void *)s6 : s4);
	nla_put_u16(m, HLB_SESS_A_SERVER_PORT, v6 ? 5353 : 8080);
	nla_put_u8(m, HLB_SESS_A_STATE,
		   v6 ? HLB_TCP_NONE : HLB_TCP_ESTABLISHED);
	nla_put_u32(m, HLB_SESS_A_IDLE_MS, v6 ? 0 : 1200);
	nla_put_u32(m, HLB_SESS_A_EXPIRES_MS, v6 ? 29500 : 299000);
	nla_put_u8(m, HLB_SESS_A_LEARNED, !v6);
	nla_nest_end(m, n);
	reply_emit(c, m);
}

static int get_stats(struct ctx *c, struct nlattr **top)
{
	struct nl_msg *m;
	int i;

	if (top[HLB_A_SERVICE]) {
		i = lookup_svc(c, top);
		if (i < 0)
			return -1;
		m = reply_new(c, HLB_CMD_GET_STATS);
		put_service(m, i, true);
		reply_emit(c, m);
		return 0;
	}
	m = reply_new(c, HLB_CMD_GET_STATS);
	put_stats(m, HLB_A_STATS, HLB_ST_A_PAD, 100);
	reply_emit(c, m);
	return 0;
}

static int set_config(struct ctx *c, struct nlattr **top)
{
	struct nlattr *tb[HLB_CFG_A_MAX + 1];
	uint32_t to[HLB_TO_A_MAX + 1];
	struct nl_msg *m;
	uint32_t fill = fk.fill_limit;

	if (!top[HLB_A_CONFIG])
		return fail(c, EINVAL, "HLB_A_CONFIG missing");
	if (parse_strict(c, top[HLB_A_CONFIG], "HLB_A_CONFIG", tb,
			 HLB_CFG_A_MAX, cfg_rules))
		return -1;
	if (tb[HLB_CFG_A_FILL_LIMIT]) {
		fill = nla_get_u32(tb[HLB_CFG_A_FILL_LIMIT]);
		if (fill > 100)
			return fail(c, ERANGE, "HLB_CFG_A_FILL_LIMIT: above "
				    "100");
	}
	memcpy(to, fk.to, sizeof(to));
	if (parse_u32s(c, tb[HLB_CFG_A_TIMEOUTS], "HLB_CFG_A_TIMEOUTS",
		       HLB_TO_A_MAX, to))
		return -1;
	memcpy(fk.to, to, sizeof(to));
	fk.fill_limit = fill;
	if (tb[HLB_CFG_A_SESSION_LIMIT])
		fk.session_limit = nla_get_u32(tb[HLB_CFG_A_SESSION_LIMIT]);
	m = reply_new(c, HLB_CMD_SET_CONFIG);
	put_config(m);
	record_event(m);
	return 0;
}

static int dispatch(struct ctx *c, struct nlattr **top, bool dump)
{
	struct nl_msg *m;
	uint8_t cmd = req_cmd(c);

	switch (cmd) {
	case HLB_CMD_GET_INFO:
		m = reply_new(c, cmd);
		nla_put_string(m, HLB_A_VERSION, "0.0-fake");
		nla_put_u32(m, HLB_A_GENL_VERSION, HLB_GENL_VERSION);
		reply_emit(c, m);
		return 0;
	case HLB_CMD_NEW_SERVICE:
		return new_service(c, top);
	case HLB_CMD_SET_SERVICE:
		return set_service(c, top);
	case HLB_CMD_DEL_SERVICE:
		return del_service(c, top);
	case HLB_CMD_GET_SERVICE:
		return get_service(c, top, dump);
	case HLB_CMD_FLUSH:
		return flush(c);
	case HLB_CMD_NEW_SERVER:
	case HLB_CMD_SET_SERVER:
	case HLB_CMD_DEL_SERVER:
		return server_cmd(c, top, cmd);
	case HLB_CMD_GET_SERVER:
		return get_server(c, top, dump);
	case HLB_CMD_GET_SESSION:
		if (top[HLB_A_SERVICE] && lookup_svc(c, top) < 0)
			return -1;
		put_session(c, false);
		put_session(c, true);
		return 0;
	case HLB_CMD_FLUSH_SESSIONS:
		m = reply_new(c, cmd);
		if (top[HLB_A_SERVICE]) {
			int i = lookup_svc(c, top);

			if (i < 0) {
				nlmsg_free(m);
				return -1;
			}
			put_service(m, i, false);
		}
		record_event(m);
		return 0;
	case HLB_CMD_GET_STATS:
		return get_stats(c, top);
	case HLB_CMD_RESET_STATS:
		record_event(reply_new(c, cmd));
		return 0;
	case HLB_CMD_GET_CONFIG:
		m = reply_new(c, cmd);
		put_config(m);
		reply_emit(c, m);
		return 0;
	case HLB_CMD_SET_CONFIG:
		return set_config(c, top);
	}
	return fail(c, EOPNOTSUPP, "unknown command %u", cmd);
}

static bool dump_allowed(uint8_t cmd)
{
	return cmd == HLB_CMD_GET_SERVICE || cmd == HLB_CMD_GET_SERVER ||
	       cmd == HLB_CMD_GET_SESSION;
}

void fake_kernel(struct nlmsghdr *req, struct hlb_replies *out)
{
	struct ctx c = { .req = req, .out = out };
	struct nlattr *top[HLB_A_MAX + 1];
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool intr = false;
	int i;

	fk_init();
	if (genlmsg_parse(req, 0, top, HLB_A_MAX, NULL) < 0) {
		fail(&c, EINVAL, "malformed request");
	} else if (dump && !dump_allowed(req_cmd(&c))) {
		fail(&c, EOPNOTSUPP, "command cannot dump");
	} else {
		for (i = HLB_A_SERVICE; i <= HLB_A_EVENT; i++)
			if (top[i] && check_nest_flag(&c, top[i], "top nest"))
				break;
		if (i > HLB_A_EVENT)
			dispatch(&c, top, dump);
	}
	if (c.err) {
		out->len = 0;	/* no partial replies before an error */
		emit_ack(&c);
		return;
	}
	if (dump) {
		if (fk.intr_left > 0) {
			fk.intr_left--;
			intr = true;
		}
		emit_done(&c, intr);
	} else if (req->nlmsg_flags & NLM_F_ACK) {
		emit_ack(&c);
	}
}

/* A method switch of the first service, as the kernel would announce it. */
void fake_switch_event(void)
{
	struct nlmsghdr hdr = { .nlmsg_type = HLB_FAKE_FAMILY };
	struct ctx c = { .req = &hdr };
	struct nlattr *n;
	struct nl_msg *m;
	int i;

	for (i = 0; i < MAX_SVC && !fk.svc[i].used; i++)
		;
	if (i == MAX_SVC)
		return;
	m = reply_new(&c, HLB_CMD_SWITCH);
	put_service(m, i, false);
	n = nla_nest_start(m, HLB_A_EVENT);
	nla_put_u8(m, HLB_EVT_A_METHOD, HLB_METHOD_STATELESS);
	nla_put_u8(m, HLB_EVT_A_REASON, HLB_REASON_NEWFLOW_RATE);
	nla_put_u64(m, HLB_EVT_A_VALUE, 1234);
	nla_put_u64(m, HLB_EVT_A_THRESHOLD, 1000);
	nla_put_u64(m, HLB_EVT_A_TIME, 1700000000000000000ull);
	nla_nest_end(m, n);
	record_event(m);
}

const struct hlb_replies *fake_events(void)
{
	return &fk.events;
}

void fake_kernel_free(void)
{
	hlb_replies_free(&fk.events);
}
