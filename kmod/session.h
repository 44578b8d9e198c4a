/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session table: one entry per flow, findable from either direction.
 */
#ifndef _HLB_SESSION_H
#define _HLB_SESSION_H

#include "mapping.h"

/*
 * A session: one flow, in one table by its original tuple (client -> VIP).
 * A server's packet finds it by the same tuple: the client's address and
 * port are the reply's destination, the VIP is that of the server's
 * service (hook.c). IPv4 sessions are allocated without the IPv6 part of
 * the address union. Ports in network order. Times are the low 32 bits
 * of jiffies (see hlb_session_timeout()).
 */
struct hlb_session {
	struct rhash_head node;
	struct hlb_service *svc;
	struct hlb_server *srv;
	u32 used;			/* the last packet */
	u32 expires;			/* absolute: one load to test */
	struct rcu_head rcu;
	u8 family;
	u8 proto;
	u8 state;			/* enum hlb_tcp_state */
	u8 fin;				/* HLB_FIN_* */
	u8 flags;			/* HLB_SESS_F_* */
	__be16 client_port, vip_port, server_port;
	union {
		struct {
			__be32 client, vip, server;
		} v4;
		struct {
			struct in6_addr client, vip, server;
		} v6;
	};
};

/*
 * Session flags. LEARNED is set at creation, REPLIED once, by the packet
 * path: no bit is ever cleared, so plain stores lose nothing.
 */
#define HLB_SESS_F_LEARNED	BIT(0)	/* made by flow protection */
#define HLB_SESS_F_REPLIED	BIT(1)	/* the server has answered */

int hlb_session_init(void);
void hlb_session_exit(void);
int hlb_sessions_net_init(struct hlb_net *hn);
void hlb_sessions_gc_start(struct hlb_net *hn);
void hlb_sessions_net_exit(struct hlb_net *hn);

/* The packet path */
struct hlb_session *hlb_session_find(struct hlb_net *hn,
				     const struct hlb_tuple *orig);
struct hlb_session *hlb_session_create(struct hlb_net *hn,
				       struct hlb_service *svc,
				       struct hlb_server *srv,
				       const struct hlb_tuple *orig, u8 state,
				       bool learned);
void hlb_session_touch(struct hlb_net *hn, struct hlb_session *s, int dir,
		       u8 tcp_flags);
void hlb_session_delete(struct hlb_net *hn, struct hlb_session *s);
void hlb_session_addr(const struct hlb_session *s, int which,
		      union hlb_addr *a);

/* Which address of a session hlb_session_addr() gives. */
enum { HLB_SESS_CLIENT, HLB_SESS_VIP, HLB_SESS_SERVER };

/* A tenant's sessions are charged to the memory cgroup of the process that
 * added its first service; called under the namespace lock.
 */
void hlb_sessions_set_memcg(struct hlb_net *hn);

/* The session's current timeout, in jiffies. */
u32 hlb_session_timeout(struct hlb_net *hn, const struct hlb_session *s);
bool hlb_session_expired(const struct hlb_session *s);

/* Timeouts changed: expiry stamps of @svc's sessions (NULL: all) again. */
void hlb_sessions_retime(struct hlb_net *hn, struct hlb_service *svc);

/* How full the namespace's table is, in percent of its limit. */
u32 hlb_sessions_occupancy(struct hlb_net *hn);
bool hlb_sessions_over_fill_limit(struct hlb_net *hn);

/* Removing many: of @svc, of @srv, or (both NULL) all; of the dead. */
void hlb_sessions_flush(struct hlb_net *hn, struct hlb_service *svc,
			struct hlb_server *srv);
void hlb_sessions_flush_dead(struct hlb_net *hn);

/*
 * The one walk of the table, for aging, flushes and dumps. A walk visits
 * every session that stays in the table from its start to its end at
 * least once (more than once if the table is resized meanwhile), never a
 * freed one. @visit returning non-zero stops the walk at that session,
 * which the next call visits again.
 */
typedef int (*hlb_session_visit_t)(struct hlb_net *hn, struct hlb_session *s,
				   void *arg);
void hlb_session_walk_enter(struct hlb_net *hn, struct hlb_session_walk *w);
void hlb_session_walk_exit(struct hlb_session_walk *w);
/* Returns 0 at the end, 1 when @budget ran out first, or @visit's value. */
int hlb_session_walk(struct hlb_net *hn, struct hlb_session_walk *w,
		     unsigned int budget, hlb_session_visit_t visit, void *arg);

#endif /* _HLB_SESSION_H */
