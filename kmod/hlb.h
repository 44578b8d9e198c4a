/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hlb: objects shared between the module's files.
 *
 * Locking, in one place:
 *  - hlb_net.lock (a mutex) serialises every configuration change in a
 *    namespace and every netlink dump chunk, so a dump never sees half a
 *    change;
 *  - the packet path reads services, servers, their configuration and
 *    lookup tables under RCU only; writers publish new versions with
 *    rcu_assign_pointer() and free old ones after a grace period.
 */
#ifndef _HLB_H
#define _HLB_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netlink.h>
#include <linux/hlb.h>

#include "core/hybrid.h"

/* Sessions one namespace may hold, at most (HLB_CFG_A_SESSION_LIMIT). */
#define HLB_SESSION_LIMIT_MAX 16777216

union hlb_addr {
	__be32 ip;
	struct in6_addr in6;
	u8 b[16];
};

/*
 * The key of a service (its VIP) and of a server in the reverse index.
 * It is hashed and compared as raw bytes, so it has no padding and must
 * be zeroed before it is filled.
 */
struct hlb_key {
	union hlb_addr addr;
	u16 port;
	u8 proto;
	u8 family;
};

static inline unsigned int hlb_addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/* Counters: per-CPU, summed on read; reset moves a base, not the counts. */
struct hlb_pcpu_stats {
	u64_stats_t c[__HLB_ST_A_MAX];
	struct u64_stats_sync syncp;
};

struct hlb_stats {
	struct hlb_pcpu_stats __percpu *pcpu;
	u64 base[__HLB_ST_A_MAX];
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

/*
 * A weighted consistent-hash lookup table. @entry indexes @servers, which
 * holds the servers of weight > 0 at the time of the build, each with a
 * reference: a table kept for flow protection may outlive the server's
 * configuration.
 */
struct hlb_lut {
	struct rcu_head rcu;
	u32 size;
	u32 seed;			/* the flow hash of this table */
	u8 hash;			/* enum hlb_hash */
	u32 nservers;
	struct hlb_server **servers;
	u16 entry[];
};

/*
 * Services and servers are referenced by the configuration and by every
 * session that uses them; the last reference frees them after a grace
 * period. @dead is set when the configuration lets go, so that a session
 * being created at that moment can tell.
 */
struct hlb_service {
	struct rhash_head node;		/* hlb_net.services */
	struct hlb_key key;
	u32 id;				/* hlb_net.service_ids */
	refcount_t refcnt;
	bool dead;
	struct list_head dead_list;	/* hlb_service_flush() */
	struct hlb_svc_conf __rcu *conf;
	struct hlb_lut __rcu *lut;
	/* Flow protection: the table before the last change, until then. */
	struct hlb_lut __rcu *prev_lut;
	unsigned long prev_until;	/* jiffies */
	struct xarray servers;		/* by server id, for dumps */
	u32 next_server_id;
	u32 nservers;
	struct hlb_stats stats;
	atomic_t nsessions;
	u8 method;			/* enum hlb_method */
	/* Hybrid: policy state and the counters at the last step. */
	struct hlb_hybrid_state hyb;
	u64 hyb_packets;
	u64 hyb_newflows;
	u64 hyb_stamp;			/* ms */
	u8 last_reason;			/* enum hlb_reason */
	u64 switches;
	u64 last_switch;		/* CLOCK_REALTIME ns */
	struct rcu_head rcu;
};

struct hlb_server {
	struct rhash_head node;		/* hlb_net.servers (reverse index) */
	struct hlb_key key;
	struct hlb_service *svc;
	u32 id;				/* hlb_service.servers */
	refcount_t refcnt;
	bool dead;
	u32 weight;
	u32 max_conns;
	atomic_t conns;			/* live sessions */
	struct hlb_stats stats;
	struct rcu_head rcu;
};

/* Namespace-wide settings. */
struct hlb_config {
	u32 session_limit;
	u32 fill_limit;			/* percent, 0 = off */
	u32 timeouts[__HLB_TO_A_MAX];	/* s, by HLB_TO_A_* */
};

/*
 * A flow as the packet path sees it. Zeroed before it is filled: it is
 * hashed and compared as bytes.
 */
struct hlb_tuple {
	union hlb_addr src, dst;
	__be16 sport, dport;
	u8 proto;
	u8 family;
	u16 pad;
};

/*
 * A session: one flow, findable by its original tuple (client -> VIP) and
 * by its reply tuple (server -> client). IPv4 sessions are allocated
 * without the IPv6 part of the address union.
 */
struct hlb_session {
	struct rhash_head orig_node;
	struct rhash_head reply_node;
	struct hlb_service *svc;
	struct hlb_server *srv;
	unsigned long used;		/* jiffies of the last packet */
	struct rcu_head rcu;
	u8 family;
	u8 proto;
	u8 state;			/* enum hlb_tcp_state */
	u8 fin;				/* HLB_FIN_* */
	u8 learned;
	u8 dead;			/* unlinked; set once, by xchg() */
	__be16 cport, vport, sport;
	union {
		struct {
			__be32 c, v, s;
		} v4;
		struct {
			struct in6_addr c, v, s;
		} v6;
	};
};

struct hlb_net {
	struct net *net;
	struct mutex lock;		/* configuration writers, dumps */
	struct rhashtable services;	/* by VIP key */
	struct rhashtable servers;	/* reverse index, by server key */
	struct xarray service_ids;	/* by id, for resumable dumps */
	u32 next_service_id;
	u32 nservices;
	bool hooked;			/* netfilter hooks registered */
	struct hlb_config cfg;
	struct hlb_stats stats;
	struct rhashtable sess_orig;	/* sessions by original tuple */
	struct rhashtable sess_reply;	/* sessions by reply tuple */
	atomic_t nsessions;
	struct delayed_work gc_work;
	struct rhashtable_iter gc_iter;
	bool gc_walking;
	struct delayed_work hybrid_work;
	unsigned long hybrid_kicked;	/* bit 0: a run is queued */
	bool fill_forced;		/* over the fill limit, until drained */
};

extern unsigned int hlb_net_id;

static inline struct hlb_net *hlb_pernet(const struct net *net)
{
	return net_generic(net, hlb_net_id);
}

/* stats.c */
void hlb_obj_add(int type, int delta);
int hlb_obj_fill(struct sk_buff *skb);
void hlb_stat_add(struct hlb_stats *st, int i, u64 v);
void hlb_stats_raw(const struct hlb_stats *st, u64 *out);
int hlb_stats_init(struct hlb_stats *st);
void hlb_stats_free(struct hlb_stats *st);
void hlb_stats_read(const struct hlb_stats *st, u64 *out);
void hlb_stats_reset(struct hlb_stats *st);
int hlb_stats_fill(struct sk_buff *skb, int attrtype,
		   const struct hlb_stats *st);

/* mapping.c */
void hlb_svc_conf_defaults(struct hlb_svc_conf *conf);
void hlb_config_defaults(struct hlb_config *cfg);
int hlb_mapping_init(struct hlb_net *hn);
void hlb_mapping_exit(struct hlb_net *hn);
struct hlb_service *hlb_service_find(struct hlb_net *hn,
				     const struct hlb_key *key);
int hlb_service_add(struct hlb_net *hn, const struct hlb_key *key,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack);
int hlb_service_set(struct hlb_net *hn, struct hlb_service *svc,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack);
void hlb_service_del(struct hlb_net *hn, struct hlb_service *svc);
void hlb_service_flush(struct hlb_net *hn);
struct hlb_server *hlb_server_find(struct hlb_net *hn,
				   const struct hlb_key *key);
int hlb_server_add(struct hlb_net *hn, struct hlb_service *svc,
		   const struct hlb_key *key, u32 weight, u32 max_conns,
		   struct netlink_ext_ack *extack);
int hlb_server_set(struct hlb_net *hn, struct hlb_server *srv, u32 weight,
		   u32 max_conns, struct netlink_ext_ack *extack);
int hlb_server_del(struct hlb_net *hn, struct hlb_server *srv,
		   struct netlink_ext_ack *extack);
void hlb_stats_reset_all(struct hlb_net *hn);

static inline struct hlb_svc_conf *hlb_svc_conf_locked(struct hlb_net *hn,
						       struct hlb_service *svc)
{
	return rcu_dereference_protected(svc->conf,
					 lockdep_is_held(&hn->lock));
}

void hlb_service_put(struct hlb_service *svc);
void hlb_server_put(struct hlb_server *srv);
int hlb_hooks_update(struct hlb_net *hn);

/* session.c */
int hlb_session_init(void);
void hlb_session_exit(void);
int hlb_sessions_net_init(struct hlb_net *hn);
void hlb_sessions_net_exit(struct hlb_net *hn);
struct hlb_session *hlb_session_lookup(struct hlb_net *hn,
				       const struct hlb_tuple *t, bool reply);
struct hlb_session *hlb_session_create(struct hlb_net *hn,
				       struct hlb_service *svc,
				       struct hlb_server *srv,
				       const struct hlb_tuple *orig, u8 state,
				       bool learned);
void hlb_session_touch(struct hlb_session *s, int dir, u8 tcp_flags);
void hlb_session_remove(struct hlb_net *hn, struct hlb_session *s);
void hlb_sessions_flush(struct hlb_net *hn, struct hlb_service *svc,
			struct hlb_server *srv);
void hlb_sessions_flush_dead(struct hlb_net *hn);
u32 hlb_session_timeout(struct hlb_net *hn, const struct hlb_session *s);
int hlb_session_fill(struct sk_buff *skb, struct hlb_net *hn,
		     const struct hlb_session *s);

static inline void hlb_session_orig_tuple(const struct hlb_session *s,
					  struct hlb_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = s->proto;
	t->sport = s->cport;
	t->dport = s->vport;
	if (s->family == AF_INET) {
		t->src.ip = s->v4.c;
		t->dst.ip = s->v4.v;
	} else {
		t->src.in6 = s->v6.c;
		t->dst.in6 = s->v6.v;
	}
}

static inline void hlb_session_reply_tuple(const struct hlb_session *s,
					   struct hlb_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = s->proto;
	t->sport = s->sport;
	t->dport = s->cport;
	if (s->family == AF_INET) {
		t->src.ip = s->v4.s;
		t->dst.ip = s->v4.c;
	} else {
		t->src.in6 = s->v6.s;
		t->dst.in6 = s->v6.c;
	}
}

u32 hlb_sessions_global_fill(void);

/* hybrid.c */
void hlb_hybrid_net_init(struct hlb_net *hn);
void hlb_hybrid_net_exit(struct hlb_net *hn);
void hlb_hybrid_kick(struct hlb_net *hn);
void hlb_hybrid_eval(struct hlb_net *hn, struct hlb_service *svc);
void hlb_hybrid_reset(struct hlb_service *svc, const struct hlb_svc_conf *c);

/* mapping.c, flow protection */
void hlb_lut_expire(struct hlb_net *hn, struct hlb_service *svc);

/* hook.c */
int hlb_hooks_register(struct hlb_net *hn);
void hlb_hooks_unregister(struct hlb_net *hn);

/* netlink.c */
void hlb_notify_switch(struct hlb_net *hn, struct hlb_service *svc,
		       const struct hlb_hybrid_switch *sw);
int hlb_genl_init(void);
void hlb_genl_exit(void);

#endif /* _HLB_H */
