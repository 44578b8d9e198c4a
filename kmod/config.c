// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration: defaults, and how a request changes it.
 *
 * A request is applied to a copy, checked as a whole, and only then
 * published, so a refused request changes nothing: a service's options as
 * a new struct hlb_svc_conf (mapping.c swaps it in under RCU), the
 * namespace's settings field by field with WRITE_ONCE(), read by the
 * packet path with READ_ONCE().
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "config.h"
#include "attrs.h"
#include "core/hybrid.h"
#include "core/maglev.h"

#define HLB_SESSION_LIMIT_DEFAULT	1048576
#define HLB_FILL_LIMIT_DEFAULT		90	/* percent */
#define HLB_TRANSITION_MS_DEFAULT	60000
#define HLB_HOLD_MS_DEFAULT		5000
#define HLB_DWELL_MS_DEFAULT		10000

static const u32 hlb_timeout_defaults[__HLB_TO_A_MAX] = {
	[HLB_TO_A_TCP_SYN] = 30,
	[HLB_TO_A_TCP_EST] = 900,
	[HLB_TO_A_TCP_FIN] = 60,
	[HLB_TO_A_TCP_CLOSE] = 10,
	[HLB_TO_A_UDP] = 60,
};

/*
 * Root of an unprivileged user namespace may configure hlb in a network
 * namespace of its own (GENL_UNS_ADMIN_PERM), so such a namespace is a
 * tenant: its session limit is capped by the host, as conntrack makes
 * nf_conntrack_max read-only outside init_net.
 */
static unsigned int ns_max_sessions = 65536;
module_param(ns_max_sessions, uint, 0644);
MODULE_PARM_DESC(ns_max_sessions,
		 "highest session-limit of a namespace not owned by the initial user namespace");

void hlb_config_defaults(struct hlb_config *cfg, const struct net *net)
{
	cfg->session_cap = HLB_SESSION_LIMIT_MAX;
	if (net->user_ns != &init_user_ns)
		cfg->session_cap = clamp(READ_ONCE(ns_max_sessions), 1U,
					 cfg->session_cap);
	cfg->session_limit = min_t(u32, cfg->session_cap,
				   HLB_SESSION_LIMIT_DEFAULT);
	cfg->fill_limit = HLB_FILL_LIMIT_DEFAULT;
	memcpy(cfg->timeouts, hlb_timeout_defaults, sizeof(cfg->timeouts));
}

void hlb_svc_conf_defaults(struct hlb_svc_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->mode = HLB_MODE_STATEFUL;
	conf->hash = HLB_HASH_SRC_ADDR_PORT;
	conf->sched = HLB_SCHED_HASH;
	conf->pin = HLB_PIN_NONE;
	conf->table_size = HLB_TABLE_SIZE_DEFAULT;
	conf->transition_ms = HLB_TRANSITION_MS_DEFAULT;
	conf->hybrid[HLB_HYB_A_HOLD_MS] = HLB_HOLD_MS_DEFAULT;
	conf->hybrid[HLB_HYB_A_DWELL_MS] = HLB_DWELL_MS_DEFAULT;
}

static int hlb_apply_timeouts(const struct nlattr *nla, u32 *t,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[HLB_TO_A_MAX + 1];
	int i, err;

	err = hlb_parse_nested(tb, &hlb_nest_to, nla, extack);
	if (err)
		return err;
	for (i = 1; i <= HLB_TO_A_MAX; i++)
		if (tb[i])
			t[i] = nla_get_u32(tb[i]);
	return 0;
}

static int hlb_apply_hybrid(const struct nlattr *nla, u32 *h,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[HLB_HYB_A_MAX + 1];
	const char *msg;
	int i, err, high, low;

	err = hlb_parse_nested(tb, &hlb_nest_hyb, nla, extack);
	if (err)
		return err;
	for (i = 1; i <= HLB_HYB_A_MAX; i++)
		if (tb[i])
			h[i] = nla_get_u32(tb[i]);
	/* Checked on the result, so a change of one watermark is checked
	 * against the other's current value.
	 */
	msg = hlb_hybrid_check_watermarks(h, &high, &low);
	if (msg) {
		hlb_set_err(extack, tb[low] ? tb[low] : tb[high], msg);
		return -EINVAL;
	}
	return 0;
}

static int hlb_apply_table_size(const struct nlattr *ts, u32 *size,
				struct netlink_ext_ack *extack)
{
	if (!hlb_is_prime(nla_get_u32(ts))) {
		NL_SET_ERR_MSG_ATTR(extack, ts,
				    "HLB_SVC_A_TABLE_SIZE: not a prime number");
		return -EINVAL;
	}
	*size = nla_get_u32(ts);
	return 0;
}

int hlb_svc_conf_apply(struct nlattr **stb, struct hlb_svc_conf *conf,
		       struct netlink_ext_ack *extack)
{
	int err = 0;

	if (stb[HLB_SVC_A_MODE])
		conf->mode = nla_get_u8(stb[HLB_SVC_A_MODE]);
	if (stb[HLB_SVC_A_HASH])
		conf->hash = nla_get_u8(stb[HLB_SVC_A_HASH]);
	if (stb[HLB_SVC_A_SCHED])
		conf->sched = nla_get_u8(stb[HLB_SVC_A_SCHED]);
	if (stb[HLB_SVC_A_STRICT])
		conf->strict = nla_get_u8(stb[HLB_SVC_A_STRICT]);
	if (stb[HLB_SVC_A_PIN])
		conf->pin = nla_get_u8(stb[HLB_SVC_A_PIN]);
	if (stb[HLB_SVC_A_SEED])
		conf->seed = nla_get_u32(stb[HLB_SVC_A_SEED]);
	if (stb[HLB_SVC_A_TRANSITION_MS])
		conf->transition_ms = nla_get_u32(stb[HLB_SVC_A_TRANSITION_MS]);
	if (stb[HLB_SVC_A_TABLE_SIZE])
		err = hlb_apply_table_size(stb[HLB_SVC_A_TABLE_SIZE],
					   &conf->table_size, extack);
	if (!err && stb[HLB_SVC_A_TIMEOUTS])
		err = hlb_apply_timeouts(stb[HLB_SVC_A_TIMEOUTS],
					 conf->timeouts, extack);
	if (!err && stb[HLB_SVC_A_HYBRID])
		err = hlb_apply_hybrid(stb[HLB_SVC_A_HYBRID], conf->hybrid,
				       extack);
	return err;
}

/* Services use 0 for "the namespace's"; a namespace has no such fallback. */
static int hlb_check_ns_timeouts(const struct nlattr *nla, const u32 *t,
				 struct netlink_ext_ack *extack)
{
	int i;

	for (i = 1; i <= HLB_TO_A_MAX; i++) {
		if (!t[i]) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "HLB_CFG_A_TIMEOUTS: a namespace timeout cannot be 0");
			return -EINVAL;
		}
	}
	return 0;
}

int hlb_config_apply(const struct nlattr *nest, struct hlb_config *cfg,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[HLB_CFG_A_MAX + 1], *to;
	int err;

	err = hlb_parse_nested(tb, &hlb_nest_cfg, nest, extack);
	if (err)
		return err;
	if (tb[HLB_CFG_A_SESSION_LIMIT])
		cfg->session_limit = nla_get_u32(tb[HLB_CFG_A_SESSION_LIMIT]);
	if (cfg->session_limit > cfg->session_cap) {
		NL_SET_ERR_MSG_ATTR(extack, tb[HLB_CFG_A_SESSION_LIMIT],
				    "HLB_CFG_A_SESSION_LIMIT: above ns_max_sessions, the cap of a namespace not owned by the initial user namespace");
		return -EPERM;
	}
	if (tb[HLB_CFG_A_FILL_LIMIT])
		cfg->fill_limit = nla_get_u32(tb[HLB_CFG_A_FILL_LIMIT]);
	to = tb[HLB_CFG_A_TIMEOUTS];
	if (!to)
		return 0;
	return hlb_apply_timeouts(to, cfg->timeouts, extack) ?:
	       hlb_check_ns_timeouts(to, cfg->timeouts, extack);
}

void hlb_config_publish(struct hlb_config *dst, const struct hlb_config *cfg)
{
	int i;

	WRITE_ONCE(dst->session_limit, cfg->session_limit);
	WRITE_ONCE(dst->fill_limit, cfg->fill_limit);
	for (i = 0; i < __HLB_TO_A_MAX; i++)
		WRITE_ONCE(dst->timeouts[i], cfg->timeouts[i]);
}

u32 hlb_config_timeout(const struct hlb_config *cfg,
		       const struct hlb_svc_conf *conf, int i)
{
	return conf->timeouts[i] ?: READ_ONCE(cfg->timeouts[i]);
}
