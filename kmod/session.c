// SPDX-License-Identifier: GPL-2.0
/*
 * The session table: one entry per flow, in one rhashtable keyed by the
 * tuple the client sends (client -> VIP); a server's packet is looked up
 * by the same tuple, rebuilt from its destination and its service's VIP
 * (hook.c). One insert per flow, one bucket array.
 *
 * Why rhashtable: lookups are lock-free under RCU, inserts take only a
 * bucket lock, and the table grows and shrinks by itself, so a namespace
 * with ten sessions costs nothing while one with millions keeps short
 * chains. A fixed array of buckets would have to be sized for the worst
 * case in every namespace.
 *
 * Sessions are created and refreshed on the packet path (softirq), and
 * freed after a grace period. Each carries its absolute expiry: a lookup
 * takes an expired session for absent and unlinks it, an insert unlinks
 * the expired ones of its bucket, and a per-namespace deferred work item
 * walks the table at a pace set by its size and the time its sessions
 * have left (hlb_gc_work()). A session holds references on its service
 * and server.
 */
#include <linux/module.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <net/ipv6.h>
#include <linux/slab.h>

#include "session.h"
#include "core/tcp.h"

/*
 * Sessions in all namespaces together, a sizing limit for the host; by
 * default one for every KiB of RAM (about a tenth of it at ~100 bytes a
 * session). Tenants (namespaces not owned by the initial user namespace)
 * together get half of it, so that they can never take the host's share.
 */
static unsigned int max_sessions;
module_param(max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions,
		 "sessions in all namespaces together (default: one per KiB of RAM)");

#define HLB_MAX_SESSIONS_MIN	65536
#define HLB_MAX_SESSIONS_MAX	BIT(28)

static atomic_t hlb_sessions_total = ATOMIC_INIT(0);
static atomic_t hlb_sessions_tenants = ATOMIC_INIT(0);
static struct kmem_cache *hlb_session4_cache, *hlb_session6_cache;

/*
 * The aging walk looks at this many sessions per slice, its slices spread
 * evenly over a period (hlb_gc_period()) of a quarter of a second to two
 * minutes; it looks every second whether an empty table has sessions.
 */
#define HLB_GC_BATCH		2048
#define HLB_GC_MIN		(HZ / 4)
#define HLB_GC_MAX		(120 * HZ)
#define HLB_GC_IDLE		HZ
#define HLB_GC_RATE		8192

/* The tuple of the client's packets: client -> VIP. */
static void hlb_session_orig_tuple(const struct hlb_session *s,
				   struct hlb_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = s->proto;
	t->sport = s->client_port;
	t->dport = s->vip_port;
	if (s->family == AF_INET) {
		t->src.ip = s->v4.client;
		t->dst.ip = s->v4.vip;
	} else {
		t->src.in6 = s->v6.client;
		t->dst.in6 = s->v6.vip;
	}
}

/*
 * With the table's seed, which rhashtable changes when it rehashes a
 * table whose chains grew too long: a seed of our own would defeat that.
 * An IPv4 tuple is three words; jhash2() of all forty bytes would hash
 * mostly zeroes.
 */
static u32 hlb_tuple_hash(const struct hlb_tuple *t, u32 seed)
{
	u32 ports = (__force u32)t->sport << 16 | (__force u32)t->dport;

	BUILD_BUG_ON(sizeof(*t) % sizeof(u32));
	if (t->family == AF_INET)
		return jhash_3words((__force u32)t->src.ip,
				    (__force u32)t->dst.ip, ports ^ t->proto,
				    seed);
	return jhash2((const u32 *)t, sizeof(*t) / sizeof(u32), seed);
}

static u32 hlb_key_hashfn(const void *data, u32 len, u32 seed)
{
	return hlb_tuple_hash(data, seed);
}

static u32 hlb_obj_hashfn(const void *data, u32 len, u32 seed)
{
	struct hlb_tuple t;

	hlb_session_orig_tuple(data, &t);
	return hlb_tuple_hash(&t, seed);
}

/*
 * A lookup's tuple against a session, field by field: what
 * hlb_session_orig_tuple() would give, without building it (every
 * stateful packet compares one).
 */
static int hlb_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct hlb_tuple *t = arg->key;
	const struct hlb_session *s = obj;

	if (s->family != t->family || s->proto != t->proto ||
	    s->client_port != t->sport || s->vip_port != t->dport)
		return 1;
	if (s->family == AF_INET)
		return s->v4.client != t->src.ip || s->v4.vip != t->dst.ip;
	return !ipv6_addr_equal(&s->v6.client, &t->src.in6) ||
	       !ipv6_addr_equal(&s->v6.vip, &t->dst.in6);
}

static const struct rhashtable_params hlb_session_params = {
	.head_offset = offsetof(struct hlb_session, node),
	.key_len = sizeof(struct hlb_tuple),
	.hashfn = hlb_key_hashfn,
	.obj_hashfn = hlb_obj_hashfn,
	.obj_cmpfn = hlb_obj_cmpfn,
	.automatic_shrinking = true,
};

/* Limits: the namespace's, the tenants' share, then the host's. */
static bool hlb_session_charge(struct hlb_net *hn)
{
	if (atomic_inc_return(&hn->nsessions) > READ_ONCE(hn->cfg.session_limit))
		goto uncharge_net;
	if (hn->tenant &&
	    atomic_inc_return(&hlb_sessions_tenants) > max_sessions / 2)
		goto uncharge_tenant;
	if (atomic_inc_return(&hlb_sessions_total) > max_sessions)
		goto uncharge;
	return true;
uncharge:
	atomic_dec(&hlb_sessions_total);
uncharge_tenant:
	if (hn->tenant)
		atomic_dec(&hlb_sessions_tenants);
uncharge_net:
	atomic_dec(&hn->nsessions);
	return false;
}

/* How full the namespace's table is, in percent of its limit. */
u32 hlb_sessions_occupancy(struct hlb_net *hn)
{
	return div_u64((u64)atomic_read(&hn->nsessions) * 100,
		       READ_ONCE(hn->cfg.session_limit));
}

/* The namespace's table at or over its fill limit. */
bool hlb_sessions_over_fill_limit(struct hlb_net *hn)
{
	u32 pct = READ_ONCE(hn->cfg.fill_limit);

	return pct && hlb_sessions_occupancy(hn) >= pct;
}

static void hlb_session_uncharge(struct hlb_net *hn)
{
	atomic_dec(&hlb_sessions_total);
	if (hn->tenant)
		atomic_dec(&hlb_sessions_tenants);
	atomic_dec(&hn->nsessions);
}

static void hlb_session_free_rcu(struct rcu_head *head)
{
	struct hlb_session *s = container_of(head, struct hlb_session, rcu);

	hlb_server_put(s->srv);
	hlb_service_put(s->svc);
	kmem_cache_free(s->family == AF_INET ? hlb_session4_cache :
			hlb_session6_cache, s);
	hlb_obj_add(HLB_OBJ_A_SESSIONS, -1);
}

static void hlb_session_set_addrs(struct hlb_session *s,
				  const struct hlb_tuple *orig,
				  const struct hlb_server *srv)
{
	s->client_port = orig->sport;
	s->vip_port = orig->dport;
	s->server_port = htons(srv->key.port);
	if (s->family == AF_INET) {
		s->v4.client = orig->src.ip;
		s->v4.vip = orig->dst.ip;
		s->v4.server = srv->key.addr.ip;
	} else {
		s->v6.client = orig->src.in6;
		s->v6.vip = orig->dst.in6;
		s->v6.server = srv->key.addr.in6;
	}
}

void hlb_session_addr(const struct hlb_session *s, int which,
		      union hlb_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s->family == AF_INET)
		a->ip = which == HLB_SESS_CLIENT ? s->v4.client :
			which == HLB_SESS_VIP ? s->v4.vip : s->v4.server;
	else
		a->in6 = which == HLB_SESS_CLIENT ? s->v6.client :
			 which == HLB_SESS_VIP ? s->v6.vip : s->v6.server;
}

/* The service's count, which the packet path reads, and the server's
 * gauge, which its service and namespace add up (stats.h).
 */
static void hlb_session_account(struct hlb_session *s, int delta)
{
	atomic_add(delta, &s->svc->nsessions);
	hlb_stat_add(&s->srv->stats, HLB_ST_A_SESSIONS_ACTIVE, delta);
}

/* The event counters of a session that made it into the table. */
static void hlb_session_created(struct hlb_session *s)
{
	bool learned = s->flags & HLB_SESS_F_LEARNED;

	hlb_stats_add2(&s->srv->stats, HLB_ST_A_SESSIONS_CREATED, 1,
		       learned ? HLB_ST_A_LEARNED : 0, 1);
}

/*
 * Unlink a session, once: of those who try at the same time (the packet
 * path, aging, a flush), only the one whose rhashtable_remove_fast()
 * takes it out of the table (under its bucket lock) goes on; the others
 * find it gone (-ENOENT) and leave it alone. No flag of its own, so no
 * xchg() on a byte, which not every architecture has. Safe from any
 * context; true if this call unlinked it.
 */
static bool hlb_session_unlink(struct hlb_net *hn, struct hlb_session *s)
{
	if (rhashtable_remove_fast(&hn->sessions, &s->node, hlb_session_params))
		return false;
	atomic_dec(&s->srv->conns);
	local_bh_disable();
	hlb_session_account(s, -1);
	local_bh_enable();
	hlb_session_uncharge(hn);
	call_rcu(&s->rcu, hlb_session_free_rcu);
	return true;
}

bool hlb_session_expired(const struct hlb_session *s)
{
	return (s32)((u32)jiffies - READ_ONCE(s->expires)) > 0;
}

/* The live session of @orig; an expired one is absent, and goes now. */
struct hlb_session *hlb_session_find(struct hlb_net *hn,
				     const struct hlb_tuple *orig)
{
	struct hlb_session *s;

	s = rhashtable_lookup(&hn->sessions, orig, hlb_session_params);
	if (s && hlb_session_expired(s)) {
		hlb_session_unlink(hn, s);
		return NULL;
	}
	return s;
}

/* A session that must go now, e.g. one whose tuple a new flow reuses. */
void hlb_session_delete(struct hlb_net *hn, struct hlb_session *s)
{
	hlb_session_unlink(hn, s);
}

/*
 * On the packet path, so no sleeping; but no reserves either (no
 * __GFP_HIGH): a flood must not eat the memory that keeps the host
 * going, and a tenant's memory cgroup limit must hold (a high-priority
 * charge would be forced past it). Only a tenant's are accounted
 * (__GFP_ACCOUNT, not SLAB_ACCOUNT: the host's sessions skip the memcg
 * hooks).
 */
static struct hlb_session *hlb_session_kmalloc(struct hlb_net *hn,
					       struct kmem_cache *cache)
{
	struct mem_cgroup *memcg = READ_ONCE(hn->memcg), *old;
	struct hlb_session *s;

	if (!memcg)
		return kmem_cache_alloc(cache, GFP_NOWAIT | __GFP_NOWARN);
	old = set_active_memcg(memcg);
	s = kmem_cache_alloc(cache, GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT);
	set_active_memcg(old);
	return s;
}

static struct hlb_session *hlb_session_alloc(struct hlb_net *hn,
					     struct hlb_service *svc,
					     struct hlb_server *srv,
					     const struct hlb_tuple *orig)
{
	struct kmem_cache *cache = orig->family == AF_INET ?
				   hlb_session4_cache : hlb_session6_cache;
	struct hlb_session *s;

	s = hlb_session_kmalloc(hn, cache);
	if (!s)
		return NULL;
	hlb_obj_add(HLB_OBJ_A_SESSIONS, 1);
	memset(s, 0, kmem_cache_size(cache));
	s->family = orig->family;
	s->proto = orig->proto;
	s->svc = svc;
	s->srv = srv;
	hlb_session_set_addrs(s, orig, srv);
	return s;
}

/*
 * Link a new session. The counters move before it is published, so an
 * unlink always follows them.
 */
static int hlb_session_insert(struct hlb_net *hn, struct hlb_session *s)
{
	struct hlb_tuple orig;
	int err;

	hlb_session_orig_tuple(s, &orig);
	atomic_inc(&s->srv->conns);
	hlb_session_account(s, 1);
	err = rhashtable_lookup_insert_key(&hn->sessions, &orig, &s->node,
					   hlb_session_params);
	if (!err) {
		hlb_session_created(s);
		return 0;
	}
	hlb_session_account(s, -1);
	atomic_dec(&s->srv->conns);
	return err;
}

/*
 * The timeout (an HLB_TO_A_*) of a session. A TCP session that the server
 * has not answered keeps the short SYN timeout whatever its state: one
 * adopted from a stray ACK (spoofed, or of a flow that another router
 * took) must not hold its place for the established timeout. A flow whose
 * replies take another path (ECMP) keeps it by sending, and is adopted
 * again if it pauses for longer.
 */
static int hlb_session_timeout_attr(const struct hlb_session *s)
{
	u8 state;

	if (s->proto != IPPROTO_TCP)
		return HLB_TO_A_UDP;
	state = READ_ONCE(s->state);
	if (!(READ_ONCE(s->flags) & HLB_SESS_F_REPLIED) &&
	    (state == HLB_TCP_ESTABLISHED || state == HLB_TCP_FIN_WAIT ||
	     state == HLB_TCP_CLOSE_WAIT))
		return HLB_TO_A_TCP_SYN;
	return hlb_tcp_timeout_attr(state);
}

/*
 * The session's current timeout in jiffies. Expiry stamps are 32-bit, so
 * at most S32_MAX jiffies, which the policy's HLB_TIMEOUT_MAX keeps every
 * timeout within, whatever HZ is.
 */
u32 hlb_session_timeout(struct hlb_net *hn, const struct hlb_session *s)
{
	int i = hlb_session_timeout_attr(s);
	u32 t;

	BUILD_BUG_ON((u64)HLB_TIMEOUT_MAX * HZ > S32_MAX);
	rcu_read_lock();
	t = hlb_config_timeout(&hn->cfg, rcu_dereference(s->svc->conf), i);
	rcu_read_unlock();
	return t * HZ;
}

/* From the last packet and the timeout of the session's state now. */
static void hlb_session_stamp(struct hlb_net *hn, struct hlb_session *s,
			      u32 now)
{
	WRITE_ONCE(s->used, now);
	WRITE_ONCE(s->expires, now + hlb_session_timeout(hn, s));
}

/*
 * What may go to make room for a new session: one the server never
 * answered (a spoofed SYN's, a stray ACK's), one of a connection being
 * opened or already closed, one that has expired. An established
 * connection is never evicted, so a flood costs only other floods' and
 * half-open sessions.
 */
static bool hlb_session_evictable(struct hlb_net *hn,
				  const struct hlb_session *s)
{
	u8 state = READ_ONCE(s->state);

	if (!(READ_ONCE(s->flags) & HLB_SESS_F_REPLIED))
		return true;
	if (s->proto == IPPROTO_TCP &&
	    (state == HLB_TCP_SYN_SENT || state == HLB_TCP_SYN_RECV ||
	     state == HLB_TCP_CLOSE || state == HLB_TCP_TIME_WAIT))
		return true;
	return hlb_session_expired(s);
}

static bool hlb_session_expired_pred(struct hlb_net *hn,
				     const struct hlb_session *s)
{
	return hlb_session_expired(s);
}

typedef bool (*hlb_session_pred_t)(struct hlb_net *hn,
				   const struct hlb_session *s);

/*
 * Unlink up to @max sessions for which @pred holds, in @t's bucket and the
 * @nbuckets - 1 after it: the new entry's neighbourhood, where a lookup
 * or an insert is already looking, so reclaiming costs no walk. Under
 * rcu_read_lock(), as the packet path is; during a resize, only the old
 * table is looked at, which is enough for a best effort. Counts each in
 * the HLB_ST_A_* @stat of the namespace and its service, if not 0.
 * Returns how many.
 */
static unsigned int hlb_sessions_reap(struct hlb_net *hn,
				      const struct hlb_tuple *t,
				      unsigned int nbuckets, unsigned int max,
				      hlb_session_pred_t pred, int stat)
{
	struct rhashtable *ht = &hn->sessions;
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	unsigned int hash = rht_key_hashfn(ht, tbl, t, hlb_session_params);
	unsigned int i, n = 0;
	struct rhash_head *pos;

	for (i = 0; i < nbuckets; i++) {
		rht_for_each_rcu(pos, tbl, (hash + i) & (tbl->size - 1)) {
			struct hlb_session *s = rht_obj(ht, pos);

			/* Counted only if not unlinked meanwhile by another
			 * CPU (which may have counted it its own way).
			 */
			if (!pred(hn, s) || !hlb_session_unlink(hn, s))
				continue;
			if (stat)
				hlb_stat_add(&s->svc->stats, stat, 1);
			if (++n == max)
				return n;
		}
	}
	return n;
}

/*
 * An eviction looks at as many buckets as hold about this many sessions
 * at the table's load: 8 to 11 buckets in a table that has grown to its
 * sessions, more in one that has not yet shrunk after a flood (a table
 * of 50 sessions may have 1024 buckets), where a fixed few would often
 * hold none; never more than HLB_EVICT_BUCKETS_MAX bucket heads.
 */
#define HLB_EVICT_SESSIONS	8
#define HLB_EVICT_BUCKETS_MAX	1024

static unsigned int hlb_evict_buckets(struct hlb_net *hn)
{
	struct rhashtable *ht = &hn->sessions;
	const struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	u64 n = max(atomic_read(&ht->nelems), 1);

	return clamp_t(u64, div64_u64((u64)tbl->size * HLB_EVICT_SESSIONS, n),
		       HLB_EVICT_SESSIONS,
		       min_t(u32, tbl->size, HLB_EVICT_BUCKETS_MAX));
}

/* At a limit: make room for one session near @t. */
static bool hlb_session_evict(struct hlb_net *hn, const struct hlb_tuple *t)
{
	return hlb_sessions_reap(hn, t, hlb_evict_buckets(hn), 1,
				 hlb_session_evictable,
				 HLB_ST_A_SESSIONS_EVICTED);
}

/*
 * Create the session of a new flow, on the packet path. Returns the
 * session; if another CPU created the same flow's session first, that
 * one. Otherwise ERR_PTR(-ENOSPC) at a session limit, -ENOMEM when memory
 * is short, -ENOENT when the service or server is going away: an operator
 * must tell a full table from a starving host.
 */
struct hlb_session *hlb_session_create(struct hlb_net *hn,
				       struct hlb_service *svc,
				       struct hlb_server *srv,
				       const struct hlb_tuple *orig, u8 state,
				       bool learned)
{
	struct hlb_session *s;
	int err;

	/*
	 * In a table half full or more, expired neighbours go now, whenever
	 * the walk would reach them (below that, the scan, a hash and a
	 * bucket's chain, cost a tenth of a session's making, for memory
	 * nobody needs yet). At the limit, eviction may take them.
	 */
	if (hlb_sessions_occupancy(hn) >= 50)
		hlb_sessions_reap(hn, orig, 1, UINT_MAX,
				  hlb_session_expired_pred, 0);
	if (!hlb_session_charge(hn) &&
	    !(hlb_session_evict(hn, orig) && hlb_session_charge(hn)))
		return ERR_PTR(-ENOSPC);
	err = -ENOENT;
	if (!refcount_inc_not_zero(&svc->refcnt))
		goto uncharge;
	if (!refcount_inc_not_zero(&srv->refcnt))
		goto put_svc;
	err = -ENOMEM;
	s = hlb_session_alloc(hn, svc, srv, orig);
	if (!s)
		goto put_srv;
	s->state = state;
	s->flags = learned ? HLB_SESS_F_LEARNED : 0;
	hlb_session_stamp(hn, s, jiffies);
	err = hlb_session_insert(hn, s);
	if (err) {
		/* Never published, but freed as every session is: after a
		 * grace period, which also drops its references.
		 */
		call_rcu(&s->rcu, hlb_session_free_rcu);
		hlb_session_uncharge(hn);
		if (err != -EEXIST)
			return ERR_PTR(err);
		/* The winner may be gone already, if aged or flushed. */
		s = hlb_session_find(hn, orig);
		return s ?: ERR_PTR(-ENOENT);
	}
	/* Pairs with the barrier in hlb_sessions_remove(): either its walk
	 * finds this session, or this sees the server or service dead.
	 */
	smp_mb();
	if (READ_ONCE(srv->dead) || READ_ONCE(svc->dead)) {
		hlb_session_unlink(hn, s);
		return ERR_PTR(-ENOENT);
	}
	return s;

put_srv:
	hlb_server_put(srv);
put_svc:
	hlb_service_put(svc);
uncharge:
	hlb_session_uncharge(hn);
	return ERR_PTR(err);
}

/*
 * A packet of the session's flow. Racing updates from both directions may
 * lose one transition; the next packet repeats it: tracking only picks
 * timeouts. The stamps are written once a jiffy, or when the timeout
 * changes with the state, so a busy flow does not bounce its cache line.
 */
void hlb_session_touch(struct hlb_net *hn, struct hlb_session *s, int dir,
		       u8 tcp_flags)
{
	u32 now = jiffies;
	bool changed = false;
	u8 state, fin;

	if (dir == HLB_DIR_REPLY &&
	    !(READ_ONCE(s->flags) & HLB_SESS_F_REPLIED)) {
		WRITE_ONCE(s->flags, s->flags | HLB_SESS_F_REPLIED);
		changed = true;
	}
	if (s->proto == IPPROTO_TCP) {
		fin = READ_ONCE(s->fin);
		state = hlb_tcp_next(READ_ONCE(s->state), &fin, dir,
				     tcp_flags);
		if (state != s->state) {
			WRITE_ONCE(s->state, state);
			changed = true;
		}
		if (fin != s->fin)
			WRITE_ONCE(s->fin, fin);
	}
	if (changed || READ_ONCE(s->used) != now)
		hlb_session_stamp(hn, s, now);
}

void hlb_session_walk_enter(struct hlb_net *hn, struct hlb_session_walk *w)
{
	rhashtable_walk_enter(&hn->sessions, &w->iter);
}

void hlb_session_walk_exit(struct hlb_session_walk *w)
{
	rhashtable_walk_exit(&w->iter);
}

/* Each call starts by peeking, so the session it stopped at comes first. */
int hlb_session_walk(struct hlb_net *hn, struct hlb_session_walk *w,
		     unsigned int budget, hlb_session_visit_t visit, void *arg)
{
	struct hlb_session *s;
	unsigned int seen = 0;
	int ret = 0;

	rhashtable_walk_start(&w->iter);
	for (s = rhashtable_walk_peek(&w->iter); s;
	     s = rhashtable_walk_next(&w->iter)) {
		/* Resized: the walk goes on in the new table. */
		if (PTR_ERR(s) == -EAGAIN)
			continue;
		if (IS_ERR(s)) {
			ret = PTR_ERR(s);
			break;
		}
		if (seen++ == budget) {
			ret = 1;
			break;
		}
		ret = visit(hn, s, arg);
		if (ret)
			break;
	}
	rhashtable_walk_stop(&w->iter);
	return ret;
}

/* Unlinks the expired; of the others, learns how long they have left. */
static int hlb_gc_visit(struct hlb_net *hn, struct hlb_session *s, void *arg)
{
	s32 left = READ_ONCE(s->expires) - (u32)jiffies;

	if (left < 0) {
		hlb_session_unlink(hn, s);
		return 0;
	}
	hn->gc_left_sum += left;
	hn->gc_live++;
	return 0;
}

/*
 * How long a pass over the table takes, learnt at the end of the last one.
 * A session that expires is absent for lookups at once and goes when an
 * insert, a lookup or the walk meets it; until then it still counts in the
 * gauges that the limits and the hybrid policy read. So a pass takes the
 * time the sessions have left on average (coming sooner finds nothing to
 * reclaim), but no longer than @live / HLB_GC_RATE seconds: a quarter of
 * a second up to 2048 sessions, two minutes at a million (a visit costs
 * some 90 instructions: 1M sessions every minute took 1.2% of a profile,
 * where 1% is the most that aging may cost). The walk costs
 * HLB_GC_RATE visits a second, more only where sessions expire faster,
 * and then there is as much to reclaim. A table near its limits is walked
 * four times as often: there the gauges matter most.
 */
static unsigned long hlb_gc_period(struct hlb_net *hn)
{
	u64 live = hn->gc_live, cap, avg;

	if (!live)
		return HLB_GC_MIN;
	cap = clamp_t(u64, div_u64(live * HZ, HLB_GC_RATE), HLB_GC_MIN,
		      HLB_GC_MAX);
	avg = div64_u64(hn->gc_left_sum, live);
	if (hlb_sessions_occupancy(hn) >= 90 ||
	    hlb_sessions_over_fill_limit(hn))
		cap = max_t(u64, cap / 4, HLB_GC_MIN);
	return clamp_t(u64, avg, HLB_GC_MIN, cap);
}

/*
 * One slice of the walk; goes on from where the last one stopped. Returns
 * the delay to the next: the period over the number of slices a pass
 * takes, so that a large table is walked at an even pace rather than in
 * bursts that take the CPU from the packet path.
 */
static unsigned long hlb_gc_slice(struct hlb_net *hn)
{
	unsigned long n;

	if (!hn->gc_walking) {
		hlb_session_walk_enter(hn, &hn->gc_walk);
		hn->gc_walking = true;
		hn->gc_left_sum = 0;
		hn->gc_live = 0;
	}
	if (hlb_session_walk(hn, &hn->gc_walk, HLB_GC_BATCH, hlb_gc_visit,
			     NULL) <= 0) {
		hlb_session_walk_exit(&hn->gc_walk);
		hn->gc_walking = false;
		WRITE_ONCE(hn->gc_period, hlb_gc_period(hn));
	}
	n = max_t(unsigned long, atomic_read(&hn->nsessions), HLB_GC_BATCH);
	return max(1UL, READ_ONCE(hn->gc_period) * HLB_GC_BATCH / n);
}

/*
 * Idle with no session, and gone with no service: a namespace without
 * services costs no wakeup. hlb_sessions_gc_start() queues it again with
 * the next service; the bit and the re-read close the race with it.
 */
static bool hlb_gc_stop(struct hlb_net *hn)
{
	if (READ_ONCE(hn->nservices))
		return false;
	clear_bit(0, &hn->gc_running);
	/* Pairs with the test_and_set_bit() after nservices++ in start. */
	smp_mb__after_atomic();
	return !READ_ONCE(hn->nservices) ||
	       test_and_set_bit(0, &hn->gc_running);
}

static void hlb_gc_work(struct work_struct *work)
{
	struct hlb_net *hn = container_of(to_delayed_work(work),
					  struct hlb_net, gc_work);
	unsigned long delay = HLB_GC_IDLE;

	if (atomic_read(&hn->nsessions) || hn->gc_walking)
		delay = hlb_gc_slice(hn);
	else if (hlb_gc_stop(hn))
		return;
	queue_delayed_work(system_power_efficient_wq, &hn->gc_work, delay);
}

/* After a service was added (hn->nservices is already counted). */
void hlb_sessions_gc_start(struct hlb_net *hn)
{
	if (!test_and_set_bit(0, &hn->gc_running))
		queue_delayed_work(system_power_efficient_wq, &hn->gc_work,
				   HLB_GC_IDLE);
}

static int hlb_retime_visit(struct hlb_net *hn, struct hlb_session *s,
			    void *svc)
{
	u32 used = READ_ONCE(s->used);

	if (svc && s->svc != svc)
		return 0;
	/* A packet may stamp it meanwhile: either stamp is right. */
	WRITE_ONCE(s->expires, used + hlb_session_timeout(hn, s));
	if (hlb_session_expired(s))
		hlb_session_unlink(hn, s);
	return 0;
}

/*
 * The timeouts of @svc (NULL: the namespace's) changed: every session's
 * stamp is its last packet plus its new timeout, as if it had always
 * been; and the walk goes on at its fastest until it has learnt the new
 * pace.
 */
void hlb_sessions_retime(struct hlb_net *hn, struct hlb_service *svc)
{
	struct hlb_session_walk w;

	hlb_session_walk_enter(hn, &w);
	while (hlb_session_walk(hn, &w, HLB_GC_BATCH, hlb_retime_visit, svc) > 0)
		cond_resched();
	hlb_session_walk_exit(&w);
	WRITE_ONCE(hn->gc_period, HLB_GC_MIN);
	mod_delayed_work(system_power_efficient_wq, &hn->gc_work, 0);
}

/* Sessions a flush removes: of @svc, of @srv, of either dead, or all. */
struct hlb_flush {
	struct hlb_service *svc;
	struct hlb_server *srv;
	bool dead;
};

static int hlb_flush_visit(struct hlb_net *hn, struct hlb_session *s,
			   void *arg)
{
	const struct hlb_flush *f = arg;
	bool match;

	if (f->dead)
		match = READ_ONCE(s->svc->dead) || READ_ONCE(s->srv->dead);
	else
		match = (!f->svc || s->svc == f->svc) &&
			(!f->srv || s->srv == f->srv);
	if (match)
		hlb_session_unlink(hn, s);
	return 0;
}

static void hlb_sessions_remove(struct hlb_net *hn, struct hlb_flush *f)
{
	struct hlb_session_walk w;

	/* Order the caller's ->dead stores before the walk's reads; pairs
	 * with the barrier in hlb_session_create().
	 */
	smp_mb();
	hlb_session_walk_enter(hn, &w);
	/* Millions of sessions: let RCU and the scheduler breathe. */
	while (hlb_session_walk(hn, &w, HLB_GC_BATCH, hlb_flush_visit, f) > 0)
		cond_resched();
	hlb_session_walk_exit(&w);
}

/*
 * Remove the sessions of @srv, of @svc, or (both NULL) all of them. When
 * a server or service goes, the caller has marked it dead first, so that
 * no new session of theirs can stay in the table after this returns.
 */
void hlb_sessions_flush(struct hlb_net *hn, struct hlb_service *svc,
			struct hlb_server *srv)
{
	struct hlb_flush f = { .svc = svc, .srv = srv };

	hlb_sessions_remove(hn, &f);
}

/* Remove the sessions of every dead service or server. */
void hlb_sessions_flush_dead(struct hlb_net *hn)
{
	struct hlb_flush f = { .dead = true };

	hlb_sessions_remove(hn, &f);
}

/*
 * A tenant's sessions are allocated in softirq, in no process's context:
 * they are charged to the memory cgroup of the process that first
 * configured the namespace (as BPF maps are to their creator's). The
 * host's namespaces are the host's: not charged.
 */
void hlb_sessions_set_memcg(struct hlb_net *hn)
{
	lockdep_assert_held(&hn->lock);
	if (hn->tenant && !hn->memcg)
		WRITE_ONCE(hn->memcg, get_mem_cgroup_from_mm(current->mm));
}

int hlb_sessions_net_init(struct hlb_net *hn)
{
	int err;

	atomic_set(&hn->nsessions, 0);
	hn->tenant = hn->net->user_ns != &init_user_ns;
	err = rhashtable_init(&hn->sessions, &hlb_session_params);
	if (err)
		return err;
	hn->gc_period = HLB_GC_MIN;
	INIT_DELAYED_WORK(&hn->gc_work, hlb_gc_work);
	return 0;
}

/* After every service is gone: its sessions went with it. */
void hlb_sessions_net_exit(struct hlb_net *hn)
{
	cancel_delayed_work_sync(&hn->gc_work);
	if (hn->gc_walking)
		hlb_session_walk_exit(&hn->gc_walk);
	hlb_sessions_flush(hn, NULL, NULL);
	WARN_ON_ONCE(atomic_read(&hn->nsessions));
	rhashtable_destroy(&hn->sessions);
	/* Sessions still waiting for their grace period hold their own
	 * references to the cgroup's charge.
	 */
	mem_cgroup_put(hn->memcg);
}

int __init hlb_session_init(void)
{
	size_t v4 = offsetof(struct hlb_session, v4) +
		    sizeof(((struct hlb_session *)0)->v4);

	if (!max_sessions)
		max_sessions = clamp_t(u64, (u64)totalram_pages() <<
				       (PAGE_SHIFT - 10), HLB_MAX_SESSIONS_MIN,
				       HLB_MAX_SESSIONS_MAX);
	hlb_session4_cache = kmem_cache_create("hlb_session4", v4, 0, 0, NULL);
	hlb_session6_cache = kmem_cache_create("hlb_session6",
					       sizeof(struct hlb_session), 0,
					       0, NULL);
	if (!hlb_session4_cache || !hlb_session6_cache) {
		kmem_cache_destroy(hlb_session4_cache);
		kmem_cache_destroy(hlb_session6_cache);
		return -ENOMEM;
	}
	return 0;
}

/* After every namespace is gone and rcu_barrier(). */
void hlb_session_exit(void)
{
	kmem_cache_destroy(hlb_session6_cache);
	kmem_cache_destroy(hlb_session4_cache);
}
