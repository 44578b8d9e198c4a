// SPDX-License-Identifier: GPL-2.0
/*
 * The session table: one entry per flow, in two rhashtables, so that a
 * session is found from either direction without a second object.
 *
 * Why rhashtable: lookups are lock-free under RCU, inserts take only a
 * bucket lock, and the table grows and shrinks by itself, so a namespace
 * with ten sessions costs nothing while one with millions keeps short
 * chains. A fixed array of buckets would have to be sized for the worst
 * case in every namespace.
 *
 * Sessions are created and refreshed on the packet path (softirq), aged by
 * a per-namespace deferred work item that walks the table in slices, and
 * freed after a grace period. A session holds references on its service
 * and server.
 */
#include <linux/module.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
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
static u32 hlb_tuple_seed __read_mostly;

/* The GC looks at this many sessions per run, and runs this often. */
#define HLB_GC_BATCH		2048
#define HLB_GC_INTERVAL		(HZ / 4)

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

/* The tuple of the server's packets: server -> client. */
static void hlb_session_reply_tuple(const struct hlb_session *s,
				    struct hlb_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = s->proto;
	t->sport = s->server_port;
	t->dport = s->client_port;
	if (s->family == AF_INET) {
		t->src.ip = s->v4.server;
		t->dst.ip = s->v4.client;
	} else {
		t->src.in6 = s->v6.server;
		t->dst.in6 = s->v6.client;
	}
}

static u32 hlb_tuple_hash(const struct hlb_tuple *t)
{
	BUILD_BUG_ON(sizeof(*t) % sizeof(u32));
	return jhash2((const u32 *)t, sizeof(*t) / sizeof(u32),
		      hlb_tuple_seed);
}

static u32 hlb_key_hashfn(const void *data, u32 len, u32 seed)
{
	return hlb_tuple_hash(data);
}

static u32 hlb_orig_obj_hashfn(const void *data, u32 len, u32 seed)
{
	struct hlb_tuple t;

	hlb_session_orig_tuple(data, &t);
	return hlb_tuple_hash(&t);
}

static u32 hlb_reply_obj_hashfn(const void *data, u32 len, u32 seed)
{
	struct hlb_tuple t;

	hlb_session_reply_tuple(data, &t);
	return hlb_tuple_hash(&t);
}

static int hlb_orig_cmpfn(struct rhashtable_compare_arg *arg,
			  const void *obj)
{
	struct hlb_tuple t;

	hlb_session_orig_tuple(obj, &t);
	return memcmp(&t, arg->key, sizeof(t));
}

static int hlb_reply_cmpfn(struct rhashtable_compare_arg *arg,
			   const void *obj)
{
	struct hlb_tuple t;

	hlb_session_reply_tuple(obj, &t);
	return memcmp(&t, arg->key, sizeof(t));
}

static const struct rhashtable_params hlb_orig_params = {
	.head_offset = offsetof(struct hlb_session, orig_node),
	.key_len = sizeof(struct hlb_tuple),
	.hashfn = hlb_key_hashfn,
	.obj_hashfn = hlb_orig_obj_hashfn,
	.obj_cmpfn = hlb_orig_cmpfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params hlb_reply_params = {
	.head_offset = offsetof(struct hlb_session, reply_node),
	.key_len = sizeof(struct hlb_tuple),
	.hashfn = hlb_key_hashfn,
	.obj_hashfn = hlb_reply_obj_hashfn,
	.obj_cmpfn = hlb_reply_cmpfn,
	.automatic_shrinking = true,
};

struct hlb_session *hlb_session_find(struct hlb_net *hn,
				     const struct hlb_tuple *t, bool reply)
{
	if (reply)
		return rhashtable_lookup(&hn->sess_reply, t, hlb_reply_params);
	return rhashtable_lookup(&hn->sess_orig, t, hlb_orig_params);
}

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
	return (u64)atomic_read(&hn->nsessions) * 100 /
	       READ_ONCE(hn->cfg.session_limit);
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

/* The gauges: the namespace's, the service's and the server's; bottom
 * halves off.
 */
static void hlb_session_account(struct hlb_net *hn, struct hlb_session *s,
				int delta)
{
	atomic_add(delta, &s->svc->nsessions);
	hlb_stat_add(&hn->stats, HLB_ST_A_SESSIONS_ACTIVE, delta);
	hlb_stat_add(&s->svc->stats, HLB_ST_A_SESSIONS_ACTIVE, delta);
	hlb_stat_add(&s->srv->stats, HLB_ST_A_SESSIONS_ACTIVE, delta);
}

/* The event counters of a session that made it into the table. */
static void hlb_session_created(struct hlb_net *hn, struct hlb_session *s)
{
	hlb_stat_add(&hn->stats, HLB_ST_A_SESSIONS_CREATED, 1);
	hlb_stat_add(&s->svc->stats, HLB_ST_A_SESSIONS_CREATED, 1);
	hlb_stat_add(&s->srv->stats, HLB_ST_A_SESSIONS_CREATED, 1);
	if (s->learned) {
		hlb_stat_add(&hn->stats, HLB_ST_A_LEARNED, 1);
		hlb_stat_add(&s->svc->stats, HLB_ST_A_LEARNED, 1);
	}
}

/*
 * Unlink a session from both tables, once: whoever sets ->dead first does
 * it, the others leave it alone. Safe from any context.
 */
static void hlb_session_unlink(struct hlb_net *hn, struct hlb_session *s)
{
	if (xchg(&s->dead, 1))
		return;
	rhashtable_remove_fast(&hn->sess_orig, &s->orig_node, hlb_orig_params);
	rhashtable_remove_fast(&hn->sess_reply, &s->reply_node,
			       hlb_reply_params);
	atomic_dec(&s->srv->conns);
	local_bh_disable();
	hlb_session_account(hn, s, -1);
	local_bh_enable();
	hlb_session_uncharge(hn);
	call_rcu(&s->rcu, hlb_session_free_rcu);
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
 * charge would be forced past it).
 */
static struct hlb_session *hlb_session_kmalloc(struct hlb_net *hn,
					       struct kmem_cache *cache)
{
	struct mem_cgroup *memcg = READ_ONCE(hn->memcg), *old;
	struct hlb_session *s;

	if (!memcg)
		return kmem_cache_alloc(cache, GFP_NOWAIT | __GFP_NOWARN);
	old = set_active_memcg(memcg);
	s = kmem_cache_alloc(cache, GFP_NOWAIT | __GFP_NOWARN);
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
	s->used = jiffies;
	hlb_session_set_addrs(s, orig, srv);
	return s;
}

/*
 * Link a new session: reply table first, original table last. Walkers
 * (flush, aging) and hlb_session_delete() only find sessions through the
 * original table, so a session they can unlink is always in both tables:
 * never unlinked from the one, then linked into the other after it was
 * queued for freeing. The counters move before it is published, so an
 * unlink always follows them.
 */
static int hlb_session_insert(struct hlb_net *hn, struct hlb_session *s)
{
	struct hlb_tuple orig, reply;
	int err;

	hlb_session_orig_tuple(s, &orig);
	hlb_session_reply_tuple(s, &reply);
	err = rhashtable_lookup_insert_key(&hn->sess_reply, &reply,
					   &s->reply_node, hlb_reply_params);
	if (err)
		return err;
	atomic_inc(&s->srv->conns);
	hlb_session_account(hn, s, 1);
	err = rhashtable_lookup_insert_key(&hn->sess_orig, &orig,
					   &s->orig_node, hlb_orig_params);
	if (!err) {
		hlb_session_created(hn, s);
		return 0;
	}
	hlb_session_account(hn, s, -1);
	atomic_dec(&s->srv->conns);
	rhashtable_remove_fast(&hn->sess_reply, &s->reply_node,
			       hlb_reply_params);
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
	if (!READ_ONCE(s->replied) &&
	    (state == HLB_TCP_ESTABLISHED || state == HLB_TCP_FIN_WAIT ||
	     state == HLB_TCP_CLOSE_WAIT))
		return HLB_TO_A_TCP_SYN;
	return hlb_tcp_timeout_attr(state);
}

/* The session's current timeout in jiffies. */
u32 hlb_session_timeout(struct hlb_net *hn, const struct hlb_session *s)
{
	int i = hlb_session_timeout_attr(s);
	u32 t;

	rcu_read_lock();
	t = hlb_config_timeout(&hn->cfg, rcu_dereference(s->svc->conf), i);
	rcu_read_unlock();
	return t * HZ;
}

static bool hlb_session_expired(struct hlb_net *hn,
				const struct hlb_session *s)
{
	return time_after(jiffies,
			  READ_ONCE(s->used) + hlb_session_timeout(hn, s));
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

	if (!READ_ONCE(s->replied))
		return true;
	if (s->proto == IPPROTO_TCP &&
	    (state == HLB_TCP_SYN_SENT || state == HLB_TCP_SYN_RECV ||
	     state == HLB_TCP_CLOSE || state == HLB_TCP_TIME_WAIT))
		return true;
	return hlb_session_expired(hn, s);
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
	struct rhashtable *ht = &hn->sess_orig;
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	unsigned int hash = rht_key_hashfn(ht, tbl, t, hlb_orig_params);
	unsigned int i, n = 0;
	struct rhash_head *pos;

	for (i = 0; i < nbuckets; i++) {
		rht_for_each_rcu(pos, tbl, (hash + i) & (tbl->size - 1)) {
			struct hlb_session *s = rht_obj(ht, pos);

			if (READ_ONCE(s->dead) || !pred(hn, s))
				continue;
			if (stat) {
				hlb_stat_add(&hn->stats, stat, 1);
				hlb_stat_add(&s->svc->stats, stat, 1);
			}
			hlb_session_unlink(hn, s);
			if (++n == max)
				return n;
		}
	}
	return n;
}

/* The buckets an eviction looks at: about six sessions at 3/4 load. */
#define HLB_EVICT_BUCKETS	8

/* At a limit: make room for one session near @t. */
static bool hlb_session_evict(struct hlb_net *hn, const struct hlb_tuple *t)
{
	return hlb_sessions_reap(hn, t, HLB_EVICT_BUCKETS, 1,
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

	/* Expired neighbours go now, whenever the walk would reach them. */
	hlb_sessions_reap(hn, orig, 1, UINT_MAX, hlb_session_expired, 0);
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
	s->learned = learned;
	err = hlb_session_insert(hn, s);
	if (err) {
		/* Readers of the reply table may have seen it: free it after
		 * a grace period, which also drops its references.
		 */
		s->dead = 1;
		call_rcu(&s->rcu, hlb_session_free_rcu);
		hlb_session_uncharge(hn);
		if (err != -EEXIST)
			return ERR_PTR(err);
		/* The winner may be gone already, if aged or flushed. */
		s = hlb_session_find(hn, orig, false);
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

void hlb_session_touch(struct hlb_session *s, int dir, u8 tcp_flags)
{
	unsigned long now = jiffies;
	u8 state, fin;

	if (READ_ONCE(s->used) != now)
		WRITE_ONCE(s->used, now);
	if (dir == HLB_DIR_REPLY && !READ_ONCE(s->replied))
		WRITE_ONCE(s->replied, 1);
	if (s->proto != IPPROTO_TCP)
		return;
	/* Racing updates from both directions may lose one transition;
	 * the next packet repeats it. Tracking only picks timeouts.
	 */
	fin = READ_ONCE(s->fin);
	state = hlb_tcp_next(READ_ONCE(s->state), &fin, dir, tcp_flags);
	if (state != s->state)
		WRITE_ONCE(s->state, state);
	if (fin != s->fin)
		WRITE_ONCE(s->fin, fin);
}

void hlb_session_walk_enter(struct hlb_net *hn, struct hlb_session_walk *w)
{
	rhashtable_walk_enter(&hn->sess_orig, &w->iter);
}

void hlb_session_walk_exit(struct hlb_session_walk *w)
{
	rhashtable_walk_exit(&w->iter);
}

/*
 * The walk goes through the original table only: a session is in it only
 * while it is in both (see hlb_session_insert()). It starts each call by
 * peeking, so the session it stopped at comes first.
 */
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

static int hlb_gc_visit(struct hlb_net *hn, struct hlb_session *s, void *arg)
{
	if (hlb_session_expired(hn, s))
		hlb_session_unlink(hn, s);
	return 0;
}

/*
 * One slice of the walk over the table; goes on from where the last one
 * stopped, and starts over when it reaches the end. True if there is more.
 */
static bool hlb_gc_slice(struct hlb_net *hn)
{
	if (!hn->gc_walking) {
		hlb_session_walk_enter(hn, &hn->gc_walk);
		hn->gc_walking = true;
	}
	if (hlb_session_walk(hn, &hn->gc_walk, HLB_GC_BATCH, hlb_gc_visit,
			     NULL) > 0)
		return true;
	hlb_session_walk_exit(&hn->gc_walk);
	hn->gc_walking = false;
	return false;
}

static void hlb_gc_work(struct work_struct *work)
{
	struct hlb_net *hn = container_of(to_delayed_work(work),
					  struct hlb_net, gc_work);
	bool more = false;

	if (atomic_read(&hn->nsessions) || hn->gc_walking)
		more = hlb_gc_slice(hn);
	/* A large table is walked slice after slice without a pause. */
	queue_delayed_work(system_power_efficient_wq, &hn->gc_work,
			   more ? 1 : HLB_GC_INTERVAL);
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
	err = rhashtable_init(&hn->sess_orig, &hlb_orig_params);
	if (err)
		return err;
	err = rhashtable_init(&hn->sess_reply, &hlb_reply_params);
	if (err) {
		rhashtable_destroy(&hn->sess_orig);
		return err;
	}
	INIT_DELAYED_WORK(&hn->gc_work, hlb_gc_work);
	queue_delayed_work(system_power_efficient_wq, &hn->gc_work,
			   HLB_GC_INTERVAL);
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
	rhashtable_destroy(&hn->sess_reply);
	rhashtable_destroy(&hn->sess_orig);
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
	hlb_tuple_seed = get_random_u32();
	hlb_session4_cache = kmem_cache_create("hlb_session4", v4, 0,
					       SLAB_ACCOUNT, NULL);
	hlb_session6_cache = kmem_cache_create("hlb_session6",
					       sizeof(struct hlb_session), 0,
					       SLAB_ACCOUNT, NULL);
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
