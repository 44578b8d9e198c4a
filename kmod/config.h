/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration: a namespace's settings and each service's options,
 * their defaults, and how a request's attributes change them.
 */
#ifndef _HLB_CONFIG_H
#define _HLB_CONFIG_H

#include <linux/types.h>
#include <linux/limits.h>
#include <linux/param.h>
#include <linux/rcupdate.h>
#include <net/netlink.h>
#include <linux/hlb.h>

/* Sessions one namespace may hold, at most (HLB_CFG_A_SESSION_LIMIT). */
#define HLB_SESSION_LIMIT_MAX 16777216

/*
 * The longest timeout (HLB_TO_A_*), in seconds: 30 days, or S32_MAX
 * jiffies where that is less (a kernel with HZ above 828: 2147483 s,
 * 24.8 days, at HZ=1000). A session's expiry is a 32-bit jiffies stamp
 * compared as a signed difference (session.c), on every architecture:
 * 64-bit kernels too, for the size of a session. Refusing a longer
 * timeout beats shortening it unseen.
 */
#define HLB_TIMEOUT_DAYS_MAX	(30 * 24 * 3600)
#define HLB_TIMEOUT_MAX		(S32_MAX / HZ < HLB_TIMEOUT_DAYS_MAX ? \
				 S32_MAX / HZ : HLB_TIMEOUT_DAYS_MAX)

/* Namespace-wide settings; the packet path reads them with READ_ONCE(). */
struct hlb_config {
	u32 session_cap;		/* the highest session_limit allowed */
	u32 session_limit;
	u32 fill_limit;			/* percent of session_limit, 0 = off */
	u32 timeouts[__HLB_TO_A_MAX];	/* s, by HLB_TO_A_* */
};

/*
 * A service's options. Replaced as a whole (RCU) on every change, so the
 * packet path always sees one consistent version.
 */
struct hlb_svc_conf {
	u8 mode;			/* enum hlb_mode */
	u8 hash;			/* enum hlb_hash */
	u8 sched;			/* enum hlb_sched */
	u8 strict;
	u8 pin;				/* enum hlb_pin */
	u32 table_size;
	u32 seed;
	u32 transition_ms;
	u32 timeouts[__HLB_TO_A_MAX];	/* s, by HLB_TO_A_*; 0 = netns's */
	u32 hybrid[__HLB_HYB_A_MAX];	/* by HLB_HYB_A_* */
	struct rcu_head rcu;
};

void hlb_config_defaults(struct hlb_config *cfg, const struct net *net);
void hlb_svc_conf_defaults(struct hlb_svc_conf *conf);

/* Apply a parsed HLB_A_SERVICE nest's options to @conf, checked. */
int hlb_svc_conf_apply(struct nlattr **stb, struct hlb_svc_conf *conf,
		       struct netlink_ext_ack *extack);

/* Apply an HLB_A_CONFIG nest to @cfg, checked; nothing is published. */
int hlb_config_apply(const struct nlattr *nest, struct hlb_config *cfg,
		     struct netlink_ext_ack *extack);

/* Make @cfg the namespace's, for the packet path to read. */
void hlb_config_publish(struct hlb_config *dst, const struct hlb_config *cfg);

/* The timeout (s) of HLB_TO_A_* @i: the service's, else the namespace's. */
u32 hlb_config_timeout(const struct hlb_config *cfg,
		       const struct hlb_svc_conf *conf, int i);

#endif /* _HLB_CONFIG_H */
