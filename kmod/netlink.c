// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "hlb": requests, replies, dumps and events.
 *
 * Every request is parsed here (attrs.c names what is wrong; config.c
 * reads the options), applied by mapping.c under the namespace's mutex,
 * and, when it changed something, announced on the "events" group with
 * the object as it now is. This is the only file that writes attributes.
 */
#include <net/genetlink.h>
#include <linux/in.h>
#include <net/ipv6.h>

#include "netlink.h"
#include "attrs.h"
#include "hook.h"
#include "hybrid.h"
#include "session.h"

static struct genl_family hlb_family;

enum hlb_mcgrp {
	HLB_MCGRP_EVENTS,
};

/* Parsing */

static bool hlb_addr_unicast(u8 family, const union hlb_addr *a)
{
	if (family == AF_INET)
		return !ipv4_is_zeronet(a->ip) && !ipv4_is_multicast(a->ip) &&
		       !ipv4_is_lbcast(a->ip);
	return !ipv6_addr_any(&a->in6) && !ipv6_addr_is_multicast(&a->in6);
}

static int hlb_parse_addr(const struct nlattr *nla, u8 family,
			  union hlb_addr *addr, const char *badlen,
			  const char *notunicast, struct netlink_ext_ack *extack)
{
	if (nla_len(nla) != hlb_addr_len(family)) {
		hlb_set_err(extack, nla, badlen);
		return -EINVAL;
	}
	memcpy(addr->b, nla_data(nla), nla_len(nla));
	if (!hlb_addr_unicast(family, addr)) {
		hlb_set_err(extack, nla, notunicast);
		return -EINVAL;
	}
	return 0;
}

static int hlb_parse_svc_key(struct nlattr **stb, const struct nlattr *nest,
			     struct hlb_key *key, struct netlink_ext_ack *extack)
{
	u16 family;
	u8 proto;
	int t;

	for (t = HLB_SVC_A_FAMILY; t <= HLB_SVC_A_PORT; t++)
		if (!hlb_require(stb, t, &hlb_nest_svc, nest, extack))
			return -EINVAL;
	family = nla_get_u16(stb[HLB_SVC_A_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, stb[HLB_SVC_A_FAMILY],
				    "HLB_SVC_A_FAMILY: must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	proto = nla_get_u8(stb[HLB_SVC_A_PROTO]);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, stb[HLB_SVC_A_PROTO],
				    "HLB_SVC_A_PROTO: must be IPPROTO_TCP or IPPROTO_UDP");
		return -EPROTONOSUPPORT;
	}
	memset(key, 0, sizeof(*key));
	key->family = family;
	key->proto = proto;
	key->port = nla_get_u16(stb[HLB_SVC_A_PORT]);
	return hlb_parse_addr(stb[HLB_SVC_A_ADDR], family, &key->addr,
			      "HLB_SVC_A_ADDR: length does not match HLB_SVC_A_FAMILY",
			      "HLB_SVC_A_ADDR: not a unicast address", extack);
}

/* Parse HLB_A_SERVICE into @stb and its key into @key. */
static int hlb_parse_service(struct nlattr **tb, struct nlattr **stb,
			     struct hlb_key *key,
			     struct netlink_ext_ack *extack)
{
	int err;

	if (!hlb_require(tb, HLB_A_SERVICE, &hlb_nest_top, NULL, extack))
		return -EINVAL;
	err = hlb_parse_nested(stb, &hlb_nest_svc, tb[HLB_A_SERVICE], extack);
	if (err)
		return err;
	return hlb_parse_svc_key(stb, tb[HLB_A_SERVICE], key, extack);
}

/* Parse HLB_A_SERVER of a server of the service @svc_key. */
static int hlb_parse_server(struct nlattr **tb, struct nlattr **rtb,
			    const struct hlb_key *svc_key, struct hlb_key *key,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *nest = tb[HLB_A_SERVER];
	int err;

	if (!hlb_require(tb, HLB_A_SERVER, &hlb_nest_top, NULL, extack))
		return -EINVAL;
	err = hlb_parse_nested(rtb, &hlb_nest_srv, nest, extack);
	if (err)
		return err;
	if (!hlb_require(rtb, HLB_SRV_A_ADDR, &hlb_nest_srv, nest, extack) ||
	    !hlb_require(rtb, HLB_SRV_A_PORT, &hlb_nest_srv, nest, extack))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	key->family = svc_key->family;
	key->proto = svc_key->proto;
	key->port = nla_get_u16(rtb[HLB_SRV_A_PORT]);
	return hlb_parse_addr(rtb[HLB_SRV_A_ADDR], key->family, &key->addr,
			      "HLB_SRV_A_ADDR: length does not match the service's family",
			      "HLB_SRV_A_ADDR: not a unicast address", extack);
}

/* Writing attributes */

/* Close @nest, or take it out again if what it holds did not fit. */
static int hlb_nest_close(struct sk_buff *skb, struct nlattr *nest,
			  bool failed)
{
	if (failed) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int hlb_put_addr(struct sk_buff *skb, int type, u8 family,
			const union hlb_addr *a)
{
	return nla_put(skb, type, hlb_addr_len(family), a->b);
}

/* A nest of u64 counters, @v[@first] to @v[@last - 1] but @pad. */
static int hlb_put_u64_nest(struct sk_buff *skb, int type, const u64 *v,
			    int first, int last, int pad)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i, err = 0;

	if (!nest)
		return -EMSGSIZE;
	for (i = first; i < last && !err; i++)
		if (i != pad)
			err = nla_put_u64_64bit(skb, i, v[i], pad);
	return hlb_nest_close(skb, nest, err);
}

static int hlb_put_stats(struct sk_buff *skb, int type, const u64 *v)
{
	return hlb_put_u64_nest(skb, type, v, HLB_ST_A_PACKETS,
				__HLB_ST_A_MAX, HLB_ST_A_PAD);
}

static int hlb_put_net_stats(struct sk_buff *skb, struct hlb_net *hn)
{
	u64 v[__HLB_ST_A_MAX];

	hlb_net_stats(hn, v);
	return hlb_put_stats(skb, HLB_A_STATS, v);
}

/* HLB_A_OBJECTS, the namespace's; with @module, HLB_A_MODULE_OBJECTS. */
static int hlb_put_objects(struct sk_buff *skb, struct hlb_net *hn,
			   bool module)
{
	u64 v[__HLB_OBJ_A_MAX];
	int i;

	hlb_net_objects(hn, v);
	if (hlb_put_u64_nest(skb, HLB_A_OBJECTS, v, HLB_OBJ_A_SERVICES,
			     HLB_OBJ_A_PAD, HLB_OBJ_A_PAD))
		return -EMSGSIZE;
	if (!module)
		return 0;
	for (i = HLB_OBJ_A_SERVICES; i < HLB_OBJ_A_PAD; i++)
		v[i] = hlb_obj_count(i);
	return hlb_put_u64_nest(skb, HLB_A_MODULE_OBJECTS, v,
				HLB_OBJ_A_SERVICES, HLB_OBJ_A_PAD,
				HLB_OBJ_A_PAD);
}

static int hlb_put_u32_nest(struct sk_buff *skb, int type, const u32 *v,
			    int max)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i, err = 0;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= max && !err; i++)
		err = nla_put_u32(skb, i, v[i]);
	return hlb_nest_close(skb, nest, err);
}

static int hlb_put_svc_key(struct sk_buff *skb, const struct hlb_key *key)
{
	if (nla_put_u16(skb, HLB_SVC_A_FAMILY, key->family) ||
	    nla_put_u8(skb, HLB_SVC_A_PROTO, key->proto) ||
	    hlb_put_addr(skb, HLB_SVC_A_ADDR, key->family, &key->addr) ||
	    nla_put_u16(skb, HLB_SVC_A_PORT, key->port))
		return -EMSGSIZE;
	return 0;
}

static int hlb_put_svc_conf(struct sk_buff *skb,
			    const struct hlb_svc_conf *c)
{
	if (nla_put_u8(skb, HLB_SVC_A_MODE, c->mode) ||
	    nla_put_u8(skb, HLB_SVC_A_HASH, c->hash) ||
	    nla_put_u32(skb, HLB_SVC_A_TABLE_SIZE, c->table_size) ||
	    nla_put_u32(skb, HLB_SVC_A_SEED, c->seed) ||
	    nla_put_u8(skb, HLB_SVC_A_SCHED, c->sched) ||
	    nla_put_u8(skb, HLB_SVC_A_STRICT, c->strict) ||
	    nla_put_u8(skb, HLB_SVC_A_PIN, c->pin) ||
	    nla_put_u32(skb, HLB_SVC_A_TRANSITION_MS, c->transition_ms) ||
	    hlb_put_u32_nest(skb, HLB_SVC_A_TIMEOUTS, c->timeouts,
			     HLB_TO_A_MAX) ||
	    hlb_put_u32_nest(skb, HLB_SVC_A_HYBRID, c->hybrid, HLB_HYB_A_MAX))
		return -EMSGSIZE;
	return 0;
}

static int hlb_put_svc_state(struct sk_buff *skb, struct hlb_service *svc)
{
	u64 v[__HLB_ST_A_MAX];

	hlb_service_stats(svc, v);
	if (nla_put_u32(skb, HLB_SVC_A_ID, svc->id) ||
	    nla_put_u8(skb, HLB_SVC_A_METHOD, READ_ONCE(svc->method)) ||
	    nla_put_u64_64bit(skb, HLB_SVC_A_SWITCHES, svc->switches,
			      HLB_SVC_A_PAD) ||
	    nla_put_u64_64bit(skb, HLB_SVC_A_LAST_SWITCH, svc->last_switch,
			      HLB_SVC_A_PAD) ||
	    nla_put_u8(skb, HLB_SVC_A_LAST_REASON, svc->last_reason) ||
	    nla_put_u32(skb, HLB_SVC_A_SERVERS, svc->nservers) ||
	    hlb_put_stats(skb, HLB_SVC_A_STATS, v))
		return -EMSGSIZE;
	return 0;
}

/* HLB_A_SERVICE: the key, and with @full everything else. */
static int hlb_put_service(struct sk_buff *skb, struct hlb_net *hn,
			   struct hlb_service *svc, bool full)
{
	struct nlattr *nest = nla_nest_start(skb, HLB_A_SERVICE);

	if (!nest)
		return -EMSGSIZE;
	return hlb_nest_close(skb, nest, hlb_put_svc_key(skb, &svc->key) ||
			      (full && hlb_put_svc_conf(skb,
					hlb_svc_conf_locked(hn, svc))) ||
			      (full && hlb_put_svc_state(skb, svc)));
}

static int hlb_put_server(struct sk_buff *skb, struct hlb_server *srv,
			  bool full)
{
	struct nlattr *nest = nla_nest_start(skb, HLB_A_SERVER);
	u8 state = srv->weight ? HLB_SRV_ACTIVE : HLB_SRV_DRAINING;
	u64 v[__HLB_ST_A_MAX];
	bool failed;

	if (!nest)
		return -EMSGSIZE;
	if (full)
		hlb_server_stats(srv, v);
	failed = hlb_put_addr(skb, HLB_SRV_A_ADDR, srv->key.family,
			      &srv->key.addr) ||
		 nla_put_u16(skb, HLB_SRV_A_PORT, srv->key.port);
	if (!failed && full)
		failed = nla_put_u32(skb, HLB_SRV_A_WEIGHT, srv->weight) ||
			 nla_put_u32(skb, HLB_SRV_A_MAX_CONNS, srv->max_conns) ||
			 nla_put_u8(skb, HLB_SRV_A_STATE, state) ||
			 hlb_put_stats(skb, HLB_SRV_A_STATS, v);
	return hlb_nest_close(skb, nest, failed);
}

static int hlb_put_config(struct sk_buff *skb, struct hlb_net *hn)
{
	struct nlattr *nest = nla_nest_start(skb, HLB_A_CONFIG);

	if (!nest)
		return -EMSGSIZE;
	return hlb_nest_close(skb, nest,
		nla_put_u32(skb, HLB_CFG_A_SESSION_LIMIT,
			    hn->cfg.session_limit) ||
		nla_put_u32(skb, HLB_CFG_A_FILL_LIMIT, hn->cfg.fill_limit) ||
		hlb_put_u32_nest(skb, HLB_CFG_A_TIMEOUTS, hn->cfg.timeouts,
				 HLB_TO_A_MAX) ||
		nla_put_u32(skb, HLB_CFG_A_SERVICES, hn->nservices) ||
		nla_put_u32(skb, HLB_CFG_A_SESSIONS,
			    atomic_read(&hn->nsessions)));
}

/*
 * What one message says. A message is built by a list of fillers so that
 * replies, dump entries and events share one code path.
 */
struct hlb_msg {
	struct hlb_net *hn;
	struct hlb_service *svc;	/* HLB_A_SERVICE */
	bool svc_full;
	struct hlb_server *srv;		/* HLB_A_SERVER (needs svc) */
	bool srv_full;
	bool config;			/* HLB_A_CONFIG */
	bool stats;			/* HLB_A_STATS of the namespace */
	bool info;			/* HLB_A_VERSION, ..., HLB_A_OBJECTS */
	bool module_objects;		/* HLB_A_MODULE_OBJECTS too */
	const struct hlb_hybrid_switch *sw;	/* HLB_A_EVENT */
};

static int hlb_put_event(struct sk_buff *skb, const struct hlb_service *svc,
			 const struct hlb_hybrid_switch *sw)
{
	struct nlattr *nest = nla_nest_start(skb, HLB_A_EVENT);

	if (!nest)
		return -EMSGSIZE;
	return hlb_nest_close(skb, nest,
		nla_put_u8(skb, HLB_EVT_A_METHOD, sw->method) ||
		nla_put_u8(skb, HLB_EVT_A_REASON, sw->reason) ||
		nla_put_u64_64bit(skb, HLB_EVT_A_VALUE, sw->value,
				  HLB_EVT_A_PAD) ||
		nla_put_u64_64bit(skb, HLB_EVT_A_THRESHOLD, sw->threshold,
				  HLB_EVT_A_PAD) ||
		nla_put_u64_64bit(skb, HLB_EVT_A_TIME, svc->last_switch,
				  HLB_EVT_A_PAD));
}

static int hlb_put_msg_attrs(struct sk_buff *skb, const struct hlb_msg *m)
{
	if (m->info &&
	    (nla_put_string(skb, HLB_A_VERSION, HLB_VERSION) ||
	     nla_put_u32(skb, HLB_A_GENL_VERSION, HLB_GENL_VERSION) ||
	     hlb_put_objects(skb, m->hn, m->module_objects)))
		return -EMSGSIZE;
	if (m->svc && hlb_put_service(skb, m->hn, m->svc, m->svc_full))
		return -EMSGSIZE;
	if (m->srv && hlb_put_server(skb, m->srv, m->srv_full))
		return -EMSGSIZE;
	if (m->config && hlb_put_config(skb, m->hn))
		return -EMSGSIZE;
	if (m->stats && hlb_put_net_stats(skb, m->hn))
		return -EMSGSIZE;
	if (m->sw && hlb_put_event(skb, m->svc, m->sw))
		return -EMSGSIZE;
	return 0;
}

static int hlb_put_msg(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		       u8 cmd, const struct hlb_msg *m)
{
	void *hdr = genlmsg_put(skb, portid, seq, &hlb_family, flags, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (hlb_put_msg_attrs(skb, m)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int hlb_reply(struct genl_info *info, const struct hlb_msg *m)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	int err;

	if (!skb)
		return -ENOMEM;
	err = hlb_put_msg(skb, info->snd_portid, info->snd_seq, 0,
			  info->genlhdr->cmd, m);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return genlmsg_reply(skb, info);
}

/*
 * Announce a change. Built before a deletion (while the object can still
 * be read) and sent after it succeeded. An event that cannot be built is
 * not lost silently: the listeners' sockets get ENOBUFS, as for an
 * overrun, which tells them to read the configuration again (rtnetlink
 * does the same).
 */
static struct sk_buff *hlb_event_new(u8 cmd, const struct hlb_msg *m)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&hlb_family, m->hn->net, HLB_MCGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb && hlb_put_msg(skb, 0, 0, 0, cmd, m)) {
		nlmsg_free(skb);
		skb = NULL;
	}
	if (!skb)
		genl_set_err(&hlb_family, m->hn->net, 0, HLB_MCGRP_EVENTS,
			     -ENOBUFS);
	return skb;
}

static void hlb_event_send(struct hlb_net *hn, struct sk_buff *skb)
{
	if (skb)
		genlmsg_multicast_netns(&hlb_family, hn->net, skb, 0,
					HLB_MCGRP_EVENTS, GFP_KERNEL);
}

static void hlb_notify(u8 cmd, const struct hlb_msg *m)
{
	hlb_event_send(m->hn, hlb_event_new(cmd, m));
}

/* A hybrid service changed method; with hn->lock held. */
void hlb_notify_switch(struct hlb_net *hn, struct hlb_service *svc,
		       const struct hlb_hybrid_switch *sw)
{
	struct hlb_msg m = { .hn = hn, .svc = svc, .sw = sw };

	hlb_notify(HLB_CMD_SWITCH, &m);
}

/* Requests */

/* What a request names, and what hlb_req_begin() does with it. */
enum {
	HLB_REQ_SVC_KEY = BIT(0),	/* parse HLB_A_SERVICE's key */
	HLB_REQ_SVC = BIT(1),		/* ... and find that service */
	HLB_REQ_SVC_OPT = BIT(2),	/* ... if HLB_A_SERVICE is there */
	HLB_REQ_SRV_KEY = BIT(3),	/* parse HLB_A_SERVER's key too */
};

/* A request, parsed. */
struct hlb_req {
	struct hlb_msg m;		/* .hn, and .svc with HLB_REQ_SVC */
	struct nlattr **tb;		/* the core's parse of the top level */
	struct nlattr *stb[HLB_SVC_A_MAX + 1];
	struct nlattr *rtb[HLB_SRV_A_MAX + 1];
	struct hlb_key svc_key;
	struct hlb_key srv_key;
};

static int hlb_req_parse(struct genl_info *info, struct hlb_req *r,
			 unsigned int what)
{
	struct netlink_ext_ack *extack = info->extack;
	int err;

	r->tb = info->attrs;
	if (!(what & (HLB_REQ_SVC_KEY | HLB_REQ_SVC)))
		return 0;
	if ((what & HLB_REQ_SVC_OPT) && !r->tb[HLB_A_SERVICE])
		return 0;
	err = hlb_parse_service(r->tb, r->stb, &r->svc_key, extack);
	if (err || !(what & HLB_REQ_SRV_KEY))
		return err;
	return hlb_parse_server(r->tb, r->rtb, &r->svc_key, &r->srv_key,
				extack);
}

/*
 * The one way into every request: parse it, lock the namespace, find the
 * service it names. Returns with hn->lock held on success only;
 * hlb_req_end() drops it.
 */
static int hlb_req_begin(struct genl_info *info, struct hlb_req *r,
			 unsigned int what)
{
	struct hlb_net *hn = hlb_pernet(genl_info_net(info));
	int err;

	memset(&r->m, 0, sizeof(r->m));
	r->m.hn = hn;
	err = hlb_req_parse(info, r, what);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	if (!(what & HLB_REQ_SVC) ||
	    ((what & HLB_REQ_SVC_OPT) && !r->tb[HLB_A_SERVICE]))
		return 0;
	r->m.svc = hlb_service_find(hn, &r->svc_key);
	if (r->m.svc)
		return 0;
	NL_SET_ERR_MSG(info->extack, "HLB_A_SERVICE: no such service");
	mutex_unlock(&hn->lock);
	return -ENOENT;
}

/* The end of every request: announce @event if it succeeded, unlock. */
static int hlb_req_end(struct hlb_req *r, int err, u8 event)
{
	if (!err && event)
		hlb_notify(event, &r->m);
	mutex_unlock(&r->m.hn->lock);
	return err;
}

static int hlb_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, 0);
	if (err)
		return err;
	r.m.info = true;
	/*
	 * Every namespace's objects together are the host's business: they
	 * would tell a tenant how busy the others are.
	 */
	r.m.module_objects = netlink_capable(skb, CAP_NET_ADMIN);
	return hlb_req_end(&r, hlb_reply(info, &r.m), 0);
}

/*
 * A new service needs the hooks: without them it cannot be. The session
 * GC and the hybrid worker start with it too; they stop by themselves
 * once they find the namespace without services.
 */
static int hlb_service_hook(struct hlb_net *hn, const struct hlb_key *key,
			    struct netlink_ext_ack *extack)
{
	int err = hlb_hooks_update(hn);

	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
		hlb_service_del(hn, hlb_service_find(hn, key));
		hlb_hooks_update(hn);
		return err;
	}
	hlb_sessions_gc_start(hn);
	hlb_hybrid_start(hn);
	return 0;
}

static int hlb_service_new(struct hlb_req *r, struct netlink_ext_ack *extack)
{
	struct hlb_svc_conf *conf;
	int err;

	conf = kmalloc(sizeof(*conf), GFP_KERNEL_ACCOUNT);
	if (!conf) {
		NL_SET_ERR_MSG(extack, "HLB_A_SERVICE: out of memory adding the service");
		return -ENOMEM;
	}
	hlb_svc_conf_defaults(conf);
	err = hlb_svc_conf_apply(r->stb, conf, extack);
	if (err) {
		kfree(conf);
		return err;
	}
	/* hlb_service_add() takes @conf, whatever happens. */
	return hlb_service_add(r->m.hn, &r->svc_key, conf, extack) ?:
	       hlb_service_hook(r->m.hn, &r->svc_key, extack);
}

static int hlb_nl_new_service(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC_KEY);
	if (err)
		return err;
	err = hlb_service_new(&r, info->extack);
	if (!err)
		hlb_sessions_set_memcg(r.m.hn);
	r.m.svc = hlb_service_find(r.m.hn, &r.svc_key);
	r.m.svc_full = true;
	return hlb_req_end(&r, err, HLB_CMD_NEW_SERVICE);
}

static int hlb_service_change(struct hlb_req *r,
			      struct netlink_ext_ack *extack)
{
	struct hlb_svc_conf *conf;
	bool retime;
	int err;

	conf = kmemdup(hlb_svc_conf_locked(r->m.hn, r->m.svc), sizeof(*conf),
		       GFP_KERNEL_ACCOUNT);
	if (!conf) {
		NL_SET_ERR_MSG(extack, "HLB_A_SERVICE: out of memory changing the service");
		return -ENOMEM;
	}
	err = hlb_svc_conf_apply(r->stb, conf, extack);
	if (err) {
		kfree(conf);
		return err;
	}
	retime = memcmp(conf->timeouts,
			hlb_svc_conf_locked(r->m.hn, r->m.svc)->timeouts,
			sizeof(conf->timeouts));
	/* hlb_service_set() takes @conf, whatever happens. */
	err = hlb_service_set(r->m.hn, r->m.svc, conf, extack);
	if (!err && retime)
		hlb_sessions_retime(r->m.hn, r->m.svc);
	return err;
}

static int hlb_nl_set_service(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC);
	if (err)
		return err;
	r.m.svc_full = true;
	return hlb_req_end(&r, hlb_service_change(&r, info->extack),
			   HLB_CMD_SET_SERVICE);
}

static int hlb_nl_del_service(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *event;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC);
	if (err)
		return err;
	/* Built while the service can still be read. */
	event = hlb_event_new(HLB_CMD_DEL_SERVICE, &r.m);
	hlb_service_del(r.m.hn, r.m.svc);
	hlb_hooks_update(r.m.hn);
	hlb_event_send(r.m.hn, event);
	return hlb_req_end(&r, 0, 0);
}

/* HLB_CMD_GET_SERVICE, HLB_CMD_GET_STATS: the service, or the namespace. */
static int hlb_nl_get_service(struct sk_buff *skb, struct genl_info *info)
{
	bool stats = info->genlhdr->cmd == HLB_CMD_GET_STATS;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC |
			    (stats ? HLB_REQ_SVC_OPT : 0));
	if (err)
		return err;
	r.m.svc_full = true;
	r.m.stats = !r.m.svc;
	return hlb_req_end(&r, hlb_reply(info, &r.m), 0);
}

/* What a request about the whole namespace does, with hn->lock held. */
static void hlb_flush_all(struct hlb_net *hn)
{
	hlb_service_flush(hn);
	hlb_hooks_update(hn);
}

static void hlb_flush_sessions(struct hlb_net *hn, struct hlb_service *svc)
{
	hlb_sessions_flush(hn, svc, NULL);
}

/* HLB_CMD_FLUSH, HLB_CMD_FLUSH_SESSIONS, HLB_CMD_RESET_STATS. */
static int hlb_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, cmd == HLB_CMD_FLUSH_SESSIONS ?
			    HLB_REQ_SVC | HLB_REQ_SVC_OPT : 0);
	if (err)
		return err;
	if (cmd == HLB_CMD_FLUSH)
		hlb_flush_all(r.m.hn);
	else if (cmd == HLB_CMD_FLUSH_SESSIONS)
		hlb_flush_sessions(r.m.hn, r.m.svc);
	else
		hlb_stats_reset_net(r.m.hn);
	return hlb_req_end(&r, 0, cmd);
}

/* The server a request names, in the service it names. */
static struct hlb_server *hlb_req_server(struct hlb_req *r,
					 struct genl_info *info)
{
	struct hlb_server *srv = hlb_server_find(r->m.hn, &r->srv_key);

	if (srv && srv->svc == r->m.svc)
		return srv;
	NL_SET_ERR_MSG(info->extack, "HLB_A_SERVER: no such server in this service");
	return NULL;
}

/* Weight and connection limit: the request's, else @weight, @max_conns. */
static void hlb_req_server_opts(struct hlb_req *r, u32 *weight,
				u32 *max_conns)
{
	if (r->rtb[HLB_SRV_A_WEIGHT])
		*weight = nla_get_u32(r->rtb[HLB_SRV_A_WEIGHT]);
	if (r->rtb[HLB_SRV_A_MAX_CONNS])
		*max_conns = nla_get_u32(r->rtb[HLB_SRV_A_MAX_CONNS]);
}

static int hlb_nl_new_server(struct sk_buff *skb, struct genl_info *info)
{
	u32 weight = HLB_WEIGHT_DEFAULT, max_conns = 0;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC | HLB_REQ_SRV_KEY);
	if (err)
		return err;
	hlb_req_server_opts(&r, &weight, &max_conns);
	err = hlb_server_add(r.m.hn, r.m.svc, &r.srv_key, weight, max_conns,
			     info->extack);
	r.m.srv = hlb_server_find(r.m.hn, &r.srv_key);
	r.m.srv_full = true;
	return hlb_req_end(&r, err, HLB_CMD_NEW_SERVER);
}

static int hlb_nl_set_server(struct sk_buff *skb, struct genl_info *info)
{
	u32 weight, max_conns;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC | HLB_REQ_SRV_KEY);
	if (err)
		return err;
	r.m.srv = hlb_req_server(&r, info);
	if (!r.m.srv)
		return hlb_req_end(&r, -ENOENT, 0);
	weight = r.m.srv->weight;
	max_conns = r.m.srv->max_conns;
	hlb_req_server_opts(&r, &weight, &max_conns);
	err = hlb_server_set(r.m.hn, r.m.srv, weight, max_conns, info->extack);
	r.m.srv_full = true;
	return hlb_req_end(&r, err, HLB_CMD_SET_SERVER);
}

static int hlb_nl_del_server(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *event;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC | HLB_REQ_SRV_KEY);
	if (err)
		return err;
	r.m.srv = hlb_req_server(&r, info);
	if (!r.m.srv)
		return hlb_req_end(&r, -ENOENT, 0);
	/* Built while the server can still be read, sent if it went. */
	event = hlb_event_new(HLB_CMD_DEL_SERVER, &r.m);
	err = hlb_server_del(r.m.hn, r.m.srv, info->extack);
	if (err)
		nlmsg_free(event);
	else
		hlb_event_send(r.m.hn, event);
	return hlb_req_end(&r, err, 0);
}

static int hlb_nl_get_server(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, HLB_REQ_SVC | HLB_REQ_SRV_KEY);
	if (err)
		return err;
	r.m.srv = hlb_req_server(&r, info);
	r.m.srv_full = true;
	return hlb_req_end(&r, r.m.srv ? hlb_reply(info, &r.m) : -ENOENT,
			   0);
}

static int hlb_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, 0);
	if (err)
		return err;
	r.m.config = true;
	return hlb_req_end(&r, hlb_reply(info, &r.m), 0);
}

static int hlb_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct hlb_config cfg;
	struct hlb_req r;
	int err;

	err = hlb_req_begin(info, &r, 0);
	if (err)
		return err;
	if (!hlb_require(r.tb, HLB_A_CONFIG, &hlb_nest_top, NULL, info->extack))
		return hlb_req_end(&r, -EINVAL, 0);
	cfg = r.m.hn->cfg;
	err = hlb_config_apply(r.tb[HLB_A_CONFIG], &cfg, info->extack);
	if (!err) {
		bool retime = memcmp(cfg.timeouts, r.m.hn->cfg.timeouts,
				     sizeof(cfg.timeouts));

		hlb_config_publish(&r.m.hn->cfg, &cfg);
		if (retime)
			hlb_sessions_retime(r.m.hn, NULL);
	}
	r.m.config = true;
	return hlb_req_end(&r, err, HLB_CMD_SET_CONFIG);
}

/*
 * Dumps resume by id: services and servers get ids from cyclic
 * allocators, so ids grow with time. A dump that stopped after id N goes on
 * from N + 1: everything that existed during the whole dump is reported
 * exactly once, whatever is added or deleted meanwhile, and an object
 * added during the dump may or may not be reported. Each chunk is filled
 * under the namespace mutex, so no object is ever seen half-changed.
 * (A generation check would also be correct, but under steady churn it
 * makes a large dump restart forever.)
 */
struct hlb_dump_ctx {
	struct hlb_key key;		/* filter, if @filtered */
	bool started;
	bool filtered;
	unsigned long svc_id;		/* next service to visit */
	unsigned long srv_id;		/* next server in that service */
	struct hlb_session_walk *walk;	/* sessions */
};

static struct hlb_dump_ctx *hlb_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct hlb_dump_ctx) > sizeof(cb->ctx));
	return (struct hlb_dump_ctx *)cb->ctx;
}

/*
 * Read the optional service filter on the first call: errors found here
 * reach the caller with their extack message in NLMSG_DONE, which a
 * .start callback could not give on this kernel.
 */
static int hlb_dump_parse(struct netlink_callback *cb)
{
	struct nlattr **tb = genl_dumpit_info(cb)->attrs;
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	struct nlattr *stb[HLB_SVC_A_MAX + 1];

	if (ctx->started)
		return 0;
	ctx->started = true;
	if (!tb[HLB_A_SERVICE])
		return 0;
	ctx->filtered = true;
	return hlb_parse_service(tb, stb, &ctx->key, cb->extack);
}

/* Every chunk of a dump but of sessions: parsed, then under hn->lock. */
static int hlb_dump_begin(struct netlink_callback *cb, struct hlb_net *hn)
{
	int err = hlb_dump_parse(cb);

	if (!err)
		mutex_lock(&hn->lock);
	return err;
}

/* The chunk's length, or the error of an entry too large for an empty
 * skb, which would otherwise loop forever.
 */
static int hlb_dump_end(struct sk_buff *skb, int err)
{
	return err && !skb->len ? err : skb->len;
}

static int hlb_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd, const struct hlb_msg *m)
{
	return hlb_put_msg(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   NLM_F_MULTI, cmd, m);
}

static int hlb_dump_services(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hlb_net *hn = hlb_pernet(sock_net(skb->sk));
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	struct hlb_msg m = { .hn = hn, .svc_full = true };
	unsigned long id;
	int err;

	err = hlb_dump_begin(cb, hn);
	if (err)
		return err;
	xa_for_each_start(&hn->service_ids, id, m.svc, ctx->svc_id) {
		err = hlb_dump_put(skb, cb, HLB_CMD_GET_SERVICE, &m);
		if (err)
			break;
		ctx->svc_id = id + 1;
	}
	if (!err)
		ctx->svc_id = ULONG_MAX;
	mutex_unlock(&hn->lock);
	return hlb_dump_end(skb, err);
}

static int hlb_dump_service_servers(struct sk_buff *skb,
				    struct netlink_callback *cb,
				    struct hlb_msg *m)
{
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	unsigned long id;
	int err;

	xa_for_each_start(&m->svc->servers, id, m->srv, ctx->srv_id) {
		err = hlb_dump_put(skb, cb, HLB_CMD_GET_SERVER, m);
		if (err)
			return err;
		ctx->srv_id = id + 1;
	}
	ctx->srv_id = 0;
	return 0;
}

/* The servers of the one service a filtered dump asked for. */
static int hlb_dump_filtered(struct sk_buff *skb, struct netlink_callback *cb,
			     struct hlb_msg *m)
{
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	int err;

	if (ctx->svc_id == ULONG_MAX)
		return 0;
	m->svc = hlb_service_find(m->hn, &ctx->key);
	if (!m->svc && !ctx->svc_id) {
		NL_SET_ERR_MSG(cb->extack, "HLB_A_SERVICE: no such service");
		return -ENOENT;
	}
	/* Deleted, or deleted and added again, since the last chunk. */
	if (!m->svc || (ctx->svc_id && ctx->svc_id != m->svc->id)) {
		ctx->svc_id = ULONG_MAX;
		return 0;
	}
	ctx->svc_id = m->svc->id;
	err = hlb_dump_service_servers(skb, cb, m);
	if (!err)
		ctx->svc_id = ULONG_MAX;
	return err;
}

static int hlb_dump_servers(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hlb_net *hn = hlb_pernet(sock_net(skb->sk));
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	struct hlb_msg m = { .hn = hn, .srv_full = true };
	unsigned long id;
	int err;

	err = hlb_dump_begin(cb, hn);
	if (err)
		return err;
	if (ctx->filtered) {
		err = hlb_dump_filtered(skb, cb, &m);
		goto out;
	}
	xa_for_each_start(&hn->service_ids, id, m.svc, ctx->svc_id) {
		/*
		 * Where the last chunk stopped is a position in that
		 * service: if it was deleted since, the next one starts
		 * from its first server.
		 */
		if (id != ctx->svc_id)
			ctx->srv_id = 0;
		ctx->svc_id = id;
		err = hlb_dump_service_servers(skb, cb, &m);
		if (err)
			break;
	}
	if (!err)
		ctx->svc_id = ULONG_MAX;
out:
	mutex_unlock(&hn->lock);
	return err == -ENOENT ? err : hlb_dump_end(skb, err);
}

/*
 * Sessions come and go at packet rate: their dump is a walk of the
 * rhashtable, which may report a session twice or miss one that moved
 * while the table was resized, never a freed one.
 */
static int hlb_dump_sessions_start(struct netlink_callback *cb)
{
	struct hlb_net *hn = hlb_pernet(sock_net(cb->skb->sk));
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);

	ctx->walk = kmalloc(sizeof(*ctx->walk), GFP_KERNEL);
	if (!ctx->walk)
		return -ENOMEM;
	hlb_session_walk_enter(hn, ctx->walk);
	return 0;
}

static int hlb_dump_sessions_done(struct netlink_callback *cb)
{
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);

	hlb_session_walk_exit(ctx->walk);
	kfree(ctx->walk);
	return 0;
}

static int hlb_put_session(struct sk_buff *skb, struct hlb_net *hn,
			   const struct hlb_session *s)
{
	u32 now = jiffies, idle = now - READ_ONCE(s->used);
	s32 left = READ_ONCE(s->expires) - now;
	union hlb_addr client, vip, server;
	struct nlattr *nest;

	hlb_session_addr(s, HLB_SESS_CLIENT, &client);
	hlb_session_addr(s, HLB_SESS_VIP, &vip);
	hlb_session_addr(s, HLB_SESS_SERVER, &server);
	nest = nla_nest_start(skb, HLB_A_SESSION);
	if (!nest)
		return -EMSGSIZE;
	return hlb_nest_close(skb, nest,
		nla_put_u16(skb, HLB_SESS_A_FAMILY, s->family) ||
		nla_put_u8(skb, HLB_SESS_A_PROTO, s->proto) ||
		hlb_put_addr(skb, HLB_SESS_A_CLIENT_ADDR, s->family, &client) ||
		nla_put_u16(skb, HLB_SESS_A_CLIENT_PORT,
			    ntohs(s->client_port)) ||
		hlb_put_addr(skb, HLB_SESS_A_VIP_ADDR, s->family, &vip) ||
		nla_put_u16(skb, HLB_SESS_A_VIP_PORT, ntohs(s->vip_port)) ||
		hlb_put_addr(skb, HLB_SESS_A_SERVER_ADDR, s->family, &server) ||
		nla_put_u16(skb, HLB_SESS_A_SERVER_PORT,
			    ntohs(s->server_port)) ||
		nla_put_u8(skb, HLB_SESS_A_STATE, READ_ONCE(s->state)) ||
		nla_put_u32(skb, HLB_SESS_A_IDLE_MS, jiffies_to_msecs(idle)) ||
		nla_put_u32(skb, HLB_SESS_A_EXPIRES_MS,
			    jiffies_to_msecs(max(left, 0))) ||
		nla_put_u8(skb, HLB_SESS_A_LEARNED,
			   !!(s->flags & HLB_SESS_F_LEARNED)));
}

/* A chunk of a session dump. */
struct hlb_dump_chunk {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

/* One session of a dump, if it passes the filter; else nothing. */
static int hlb_dump_session(struct hlb_net *hn, struct hlb_session *s,
			    void *arg)
{
	const struct hlb_dump_chunk *chunk = arg;
	struct netlink_callback *cb = chunk->cb;
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	struct sk_buff *skb = chunk->skb;
	void *hdr;

	if (ctx->filtered && memcmp(&s->svc->key, &ctx->key, sizeof(ctx->key)))
		return 0;
	/* Expired is absent, as for a lookup. */
	if (hlb_session_expired(s))
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &hlb_family, NLM_F_MULTI, HLB_CMD_GET_SESSION);
	if (!hdr)
		return -EMSGSIZE;
	if (hlb_put_session(skb, hn, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Sessions a session dump visits per RCU section, and per chunk. */
#define HLB_DUMP_SLICE		1024
#define HLB_DUMP_VISITS		(64 * HLB_DUMP_SLICE)

static int hlb_dump_sessions(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hlb_net *hn = hlb_pernet(sock_net(skb->sk));
	struct hlb_dump_ctx *ctx = hlb_dump_ctx(cb);
	struct hlb_dump_chunk chunk = { .skb = skb, .cb = cb };
	unsigned int visited;
	int err;

	err = hlb_dump_parse(cb);
	if (err)
		return err;
	/*
	 * A session that does not fit stops the walk: it comes first next.
	 * The walk goes in slices, each in its own RCU read section, with a
	 * chance to reschedule between them: a filter that matches little
	 * must not hold the CPU, or a grace period, for a whole table. A
	 * chunk with something in it ends after HLB_DUMP_VISITS sessions;
	 * an empty one cannot (it would end the dump), so it goes on.
	 */
	for (visited = 0;; visited += HLB_DUMP_SLICE) {
		err = hlb_session_walk(hn, ctx->walk, HLB_DUMP_SLICE,
				       hlb_dump_session, &chunk);
		if (err <= 0 || (skb->len && visited >= HLB_DUMP_VISITS))
			break;
		cond_resched();
	}
	return hlb_dump_end(skb, err < 0 ? err : 0);
}

static const struct genl_ops hlb_ops[] = {
	{
		.cmd = HLB_CMD_GET_INFO,
		.doit = hlb_nl_get_info,
	}, {
		.cmd = HLB_CMD_NEW_SERVICE,
		.doit = hlb_nl_new_service,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_SET_SERVICE,
		.doit = hlb_nl_set_service,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_DEL_SERVICE,
		.doit = hlb_nl_del_service,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_GET_SERVICE,
		.doit = hlb_nl_get_service,
		.dumpit = hlb_dump_services,
	}, {
		.cmd = HLB_CMD_FLUSH,
		.doit = hlb_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_NEW_SERVER,
		.doit = hlb_nl_new_server,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_SET_SERVER,
		.doit = hlb_nl_set_server,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_DEL_SERVER,
		.doit = hlb_nl_del_server,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_GET_SERVER,
		.doit = hlb_nl_get_server,
		.dumpit = hlb_dump_servers,
	}, {
		.cmd = HLB_CMD_GET_SESSION,
		.start = hlb_dump_sessions_start,
		.dumpit = hlb_dump_sessions,
		.done = hlb_dump_sessions_done,
		/* Clients' addresses and ports: the admin's, as conntrack's. */
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_FLUSH_SESSIONS,
		.doit = hlb_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_GET_STATS,
		.doit = hlb_nl_get_service,
	}, {
		.cmd = HLB_CMD_RESET_STATS,
		.doit = hlb_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = HLB_CMD_GET_CONFIG,
		.doit = hlb_nl_get_config,
	}, {
		.cmd = HLB_CMD_SET_CONFIG,
		.doit = hlb_nl_set_config,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group hlb_mcgrps[] = {
	[HLB_MCGRP_EVENTS] = { .name = HLB_GENL_MCGRP_EVENTS },
};

static struct genl_family hlb_family __ro_after_init = {
	.name = HLB_GENL_NAME,
	.version = HLB_GENL_VERSION,
	.netnsok = true,
	/* hlb_net.lock serialises what must be serialised, per namespace. */
	.parallel_ops = true,
	/*
	 * resv_start_op is 0, as for any new family: the core refuses
	 * reserved header fields and flags, and parses the top level
	 * strictly with this policy. hlb parses the nests (attrs.c), so
	 * that each refusal there names its attribute.
	 */
	.policy = hlb_top_policy,
	.maxattr = HLB_A_MAX,
	.module = THIS_MODULE,
	.ops = hlb_ops,
	.n_ops = ARRAY_SIZE(hlb_ops),
	.mcgrps = hlb_mcgrps,
	.n_mcgrps = ARRAY_SIZE(hlb_mcgrps),
};

int __init hlb_genl_init(void)
{
	return genl_register_family(&hlb_family);
}

void hlb_genl_exit(void)
{
	genl_unregister_family(&hlb_family);
}
