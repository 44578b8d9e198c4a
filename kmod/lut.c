// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup tables: each service's weighted Maglev table, from its build to
 * its end.
 *
 * A table is built off the packet path from the service's servers of
 * weight > 0 (core/maglev.c populates it), published with RCU, and read
 * by the packet path, which hashes a flow to a bucket and the bucket to a
 * server. The table a change replaces is kept for the service's
 * transition period (flow protection): established TCP flows whose
 * bucket moved find their server there. Everything but hlb_lut_pick()
 * and hlb_lut_moved() runs with hlb_net.lock held.
 */
#include <linux/slab.h>
#include <linux/mm.h>

#include "lut.h"
#include "core/hash.h"
#include "core/maglev.h"

void hlb_lut_free(struct hlb_lut *lut)
{
	u32 i;

	if (!lut)
		return;
	for (i = 0; i < lut->nservers; i++)
		hlb_server_put(lut->servers[i]);
	kvfree(lut->servers);
	kvfree(lut);
	hlb_obj_add(HLB_OBJ_A_TABLES, -1);
}

static void hlb_lut_free_rcu(struct rcu_head *head)
{
	hlb_lut_free(container_of(head, struct hlb_lut, rcu));
}

/* A published table, once no reader can see it any more. */
static void hlb_lut_drop(struct hlb_lut *lut)
{
	if (lut)
		call_rcu(&lut->rcu, hlb_lut_free_rcu);
}

/* After the last reference to a dead service: no reader is left. */
void hlb_lut_free_all(struct hlb_service *svc)
{
	hlb_lut_free(rcu_dereference_protected(svc->lut, 1));
	hlb_lut_free(rcu_dereference_protected(svc->prev_lut, 1));
}

static struct hlb_lut *hlb_lut_alloc(const struct hlb_svc_conf *conf,
				     u32 nservers)
{
	struct hlb_lut *lut;

	lut = kvzalloc(struct_size(lut, entry, conf->table_size),
		       GFP_KERNEL_ACCOUNT);
	if (!lut)
		return NULL;
	lut->servers = kvcalloc(nservers, sizeof(*lut->servers),
				GFP_KERNEL_ACCOUNT);
	if (!lut->servers) {
		kvfree(lut);
		return NULL;
	}
	lut->size = conf->table_size;
	lut->seed = conf->seed;
	lut->hash = conf->hash;
	hlb_obj_add(HLB_OBJ_A_TABLES, 1);
	return lut;
}

/* A server's weight in a table being built: @chg's if it is @chg's. */
static u32 hlb_lut_weight(const struct hlb_server *srv,
			  const struct hlb_lut_change *chg)
{
	return chg && chg->srv == srv ? chg->weight : srv->weight;
}

static u32 hlb_weighted_servers(struct hlb_service *svc,
				const struct hlb_lut_change *chg)
{
	struct hlb_server *srv;
	unsigned long id;
	u32 n = 0;

	xa_for_each(&svc->servers, id, srv)
		n += hlb_lut_weight(srv, chg) > 0;
	return n;
}

/* Runs Maglev over @lut->servers; the scratch memory lives only here. */
static int hlb_lut_populate(struct hlb_lut *lut,
			    const struct hlb_lut_change *chg)
{
	struct hlb_maglev_server *ms;
	void *scratch;
	u32 i;
	int err = -ENOMEM;

	ms = kvcalloc(lut->nservers, sizeof(*ms), GFP_KERNEL);
	scratch = kvmalloc(hlb_maglev_scratch_size(lut->size, lut->nservers),
			   GFP_KERNEL);
	if (!ms || !scratch)
		goto out;
	for (i = 0; i < lut->nservers; i++) {
		const struct hlb_server *srv = lut->servers[i];

		memcpy(ms[i].addr, srv->key.addr.b, sizeof(ms[i].addr));
		ms[i].addr_len = hlb_addr_len(srv->key.family);
		ms[i].port = srv->key.port;
		ms[i].weight = hlb_lut_weight(srv, chg);
	}
	/* Only called with servers of weight > 0: never "empty". */
	if (hlb_maglev_build(lut->entry, lut->size, ms, lut->nservers,
			     lut->seed, scratch) == 0)
		err = 0;
	else
		err = -EINVAL;
out:
	kvfree(scratch);
	kvfree(ms);
	return err;
}

/*
 * Build the lookup table @svc should have with @conf, from its current
 * servers, one of them at another weight if @chg says so. Nothing is
 * published, nothing changed.
 */
int hlb_lut_build_with(struct hlb_service *svc,
		       const struct hlb_svc_conf *conf,
		       const struct hlb_lut_change *chg, struct hlb_lut **out)
{
	u32 n = hlb_weighted_servers(svc, chg);
	struct hlb_server *srv;
	struct hlb_lut *lut;
	unsigned long id;
	int err;

	*out = NULL;
	if (!n)
		return 0;
	lut = hlb_lut_alloc(conf, n);
	if (!lut)
		return -ENOMEM;
	xa_for_each(&svc->servers, id, srv) {
		if (!hlb_lut_weight(srv, chg))
			continue;
		refcount_inc(&srv->refcnt);
		lut->servers[lut->nservers++] = srv;
	}
	err = hlb_lut_populate(lut, chg);
	if (err) {
		hlb_lut_free(lut);
		return err;
	}
	*out = lut;
	return 0;
}

/*
 * Publish @lut. A change within the transition period of the last one
 * keeps the table from before both and extends the period: a flow silent
 * through both changes still finds its server, and flows started between
 * them in moved buckets have sessions already.
 *
 * The previous table and its period are stored before the new table is
 * published (hlb_lut_moved() reads them in the other order): a packet
 * that sees the new table always sees what it replaced. The other way
 * round, a packet of an established flow could meet the new table with
 * no previous one, and go to a server that does not know it.
 */
void hlb_lut_publish(struct hlb_net *hn, struct hlb_service *svc,
		     struct hlb_lut *lut)
{
	u32 t = hlb_svc_conf_locked(hn, svc)->transition_ms;
	struct hlb_lut *old, *prev, *unused;

	old = rcu_dereference_protected(svc->lut, lockdep_is_held(&hn->lock));
	unused = old;
	if (old && t) {
		prev = rcu_dereference_protected(svc->prev_lut,
						 lockdep_is_held(&hn->lock));
		if (!prev || !time_before(jiffies, READ_ONCE(svc->prev_until))) {
			/* Until the new table is out, prev and cur agree. */
			rcu_assign_pointer(svc->prev_lut, old);
			unused = prev;
		}
		WRITE_ONCE(svc->prev_until, jiffies + msecs_to_jiffies(t));
	}
	/* A release: orders the stores above before it. */
	rcu_assign_pointer(svc->lut, lut);
	hlb_lut_drop(unused);
}

/* The end of a transition period: the old table goes; adoption ends. */
void hlb_lut_expire(struct hlb_net *hn, struct hlb_service *svc)
{
	struct hlb_lut *prev = rcu_dereference_protected(svc->prev_lut,
					lockdep_is_held(&hn->lock));

	if (svc->adopting && !hlb_lut_adopting(svc))
		WRITE_ONCE(svc->adopting, false);
	if (!prev || (hlb_svc_conf_locked(hn, svc)->transition_ms &&
		      time_before(jiffies, READ_ONCE(svc->prev_until))))
		return;
	RCU_INIT_POINTER(svc->prev_lut, NULL);
	hlb_lut_drop(prev);
}

/*
 * @svc now keeps sessions, and did not a moment ago (a hybrid switch, or
 * a mode changed by hand): its live flows have none. For as long as an
 * established session would live unused, a TCP segment that is not a SYN
 * and has no session is taken for one of those flows: placed by the table,
 * as it was while stateless, whatever the scheduler, strictness or
 * connection limits say, and adopted (hook.c). With hn->lock held.
 */
void hlb_lut_adopt(struct hlb_net *hn, struct hlb_service *svc)
{
	u32 est = hlb_config_timeout(&hn->cfg, hlb_svc_conf_locked(hn, svc),
				     HLB_TO_A_TCP_EST);

	WRITE_ONCE(svc->adopt_until, jiffies + (unsigned long)
		   min_t(u64, (u64)est * HZ, MAX_JIFFY_OFFSET));
	WRITE_ONCE(svc->adopting, true);
}

/* The bucket of a flow, by the hash the table was built for. */
static u32 hlb_flow_bucket(const struct hlb_lut *lut,
			   const struct hlb_tuple *t)
{
	u32 h = hlb_flow_hash(t->src.b, hlb_addr_len(t->family),
			      ntohs(t->sport),
			      lut->hash == HLB_HASH_SRC_ADDR_PORT, lut->seed);

	return hlb_maglev_bucket(h, lut->size);
}

struct hlb_server *hlb_lut_pick(const struct hlb_lut *lut,
				const struct hlb_tuple *t)
{
	return lut->servers[lut->entry[hlb_flow_bucket(lut, t)]];
}

/*
 * Flow protection. During the transition period after a mapping change,
 * for a TCP flow whose bucket moved, *@prev_srv is the server the
 * previous table gave it (NULL if that server was deleted) and *@cur_srv
 * the current table's (NULL if there is none). False if the bucket did
 * not move.
 */
bool hlb_lut_moved(struct hlb_service *svc, const struct hlb_tuple *t,
		   struct hlb_server **prev_srv, struct hlb_server **cur_srv)
{
	const struct hlb_lut *prev, *cur;

	if (t->proto != IPPROTO_TCP)
		return false;
	cur = rcu_dereference(svc->lut);
	/* Pairs with the release in hlb_lut_publish(). */
	smp_rmb();
	prev = rcu_dereference(svc->prev_lut);
	if (!prev || !time_before(jiffies, READ_ONCE(svc->prev_until)))
		return false;
	*prev_srv = hlb_lut_pick(prev, t);
	*cur_srv = cur ? hlb_lut_pick(cur, t) : NULL;
	if (*prev_srv == *cur_srv)
		return false;
	if (READ_ONCE((*prev_srv)->dead))
		*prev_srv = NULL;
	return true;
}
