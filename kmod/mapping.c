// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping: services, their servers, the reverse index from servers to
 * services, and each service's consistent-hash lookup table.
 *
 * Every function here runs with hlb_net.lock held. The packet path finds
 * services and servers through the two rhashtables and a service's
 * servers through its lookup table, all under RCU; nothing it can reach is
 * freed before a grace period has passed.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "hlb.h"
#include "core/maglev.h"

#define HLB_SESSION_LIMIT_DEFAULT	1048576
#define HLB_FILL_LIMIT_DEFAULT		90	/* percent */
#define HLB_TRANSITION_MS_DEFAULT	60000
#define HLB_HOLD_MS_DEFAULT		5000
#define HLB_DWELL_MS_DEFAULT		10000

static const struct rhashtable_params hlb_svc_params = {
	.key_len = sizeof(struct hlb_key),
	.key_offset = offsetof(struct hlb_service, key),
	.head_offset = offsetof(struct hlb_service, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params hlb_srv_params = {
	.key_len = sizeof(struct hlb_key),
	.key_offset = offsetof(struct hlb_server, key),
	.head_offset = offsetof(struct hlb_server, node),
	.automatic_shrinking = true,
};

static const u32 hlb_timeout_defaults[__HLB_TO_A_MAX] = {
	[HLB_TO_A_TCP_SYN] = 30,
	[HLB_TO_A_TCP_EST] = 900,
	[HLB_TO_A_TCP_FIN] = 60,
	[HLB_TO_A_TCP_CLOSE] = 10,
	[HLB_TO_A_UDP] = 60,
};

void hlb_config_defaults(struct hlb_config *cfg)
{
	cfg->session_limit = HLB_SESSION_LIMIT_DEFAULT;
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

int hlb_mapping_init(struct hlb_net *hn)
{
	int err;

	xa_init_flags(&hn->service_ids, XA_FLAGS_ALLOC1);
	err = rhashtable_init(&hn->services, &hlb_svc_params);
	if (err)
		return err;
	err = rhashtable_init(&hn->servers, &hlb_srv_params);
	if (err)
		rhashtable_destroy(&hn->services);
	return err;
}

void hlb_mapping_exit(struct hlb_net *hn)
{
	mutex_lock(&hn->lock);
	hlb_service_flush(hn);
	mutex_unlock(&hn->lock);
	rhashtable_destroy(&hn->servers);
	rhashtable_destroy(&hn->services);
	xa_destroy(&hn->service_ids);
}

/* Lookup tables */

static void hlb_lut_free(struct hlb_lut *lut)
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

static u32 hlb_weighted_servers(struct hlb_service *svc)
{
	struct hlb_server *srv;
	unsigned long id;
	u32 n = 0;

	xa_for_each(&svc->servers, id, srv)
		n += srv->weight > 0;
	return n;
}

/* Runs Maglev over @lut->servers; the scratch memory lives only here. */
static int hlb_lut_fill(struct hlb_lut *lut)
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
		ms[i].weight = srv->weight;
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
 * servers. Returns NULL in *@out when no server takes new flows. Nothing
 * is published.
 */
static int hlb_lut_build(struct hlb_service *svc,
			 const struct hlb_svc_conf *conf, struct hlb_lut **out)
{
	u32 n = hlb_weighted_servers(svc);
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
		if (!srv->weight)
			continue;
		refcount_inc(&srv->refcnt);
		lut->servers[lut->nservers++] = srv;
	}
	err = hlb_lut_fill(lut);
	if (err) {
		hlb_lut_free(lut);
		return err;
	}
	*out = lut;
	return 0;
}

static void hlb_lut_drop(struct hlb_lut *lut)
{
	if (lut)
		call_rcu(&lut->rcu, hlb_lut_free_rcu);
}

/*
 * Publish @lut. The table it replaces is kept for the service's transition
 * period (flow protection): established TCP flows whose bucket moved find
 * their server there. A change within the period of the last one keeps
 * the table from before both and extends the period: a flow silent
 * through both changes still finds its server, and flows started between
 * them in moved buckets have sessions already.
 */
static void hlb_lut_publish(struct hlb_net *hn, struct hlb_service *svc,
			    struct hlb_lut *lut)
{
	u32 t = hlb_svc_conf_locked(hn, svc)->transition_ms;
	struct hlb_lut *old, *prev;

	old = rcu_replace_pointer(svc->lut, lut, lockdep_is_held(&hn->lock));
	if (!old || !t) {
		hlb_lut_drop(old);
		return;
	}
	prev = rcu_dereference_protected(svc->prev_lut,
					 lockdep_is_held(&hn->lock));
	if (prev && time_before(jiffies, READ_ONCE(svc->prev_until))) {
		hlb_lut_drop(old);
	} else {
		rcu_assign_pointer(svc->prev_lut, old);
		hlb_lut_drop(prev);
	}
	WRITE_ONCE(svc->prev_until, jiffies + msecs_to_jiffies(t));
}

/* The end of a transition period: the old table goes. */
void hlb_lut_expire(struct hlb_net *hn, struct hlb_service *svc)
{
	struct hlb_lut *prev = rcu_dereference_protected(svc->prev_lut,
					lockdep_is_held(&hn->lock));

	if (!prev || (hlb_svc_conf_locked(hn, svc)->transition_ms &&
		      time_before(jiffies, READ_ONCE(svc->prev_until))))
		return;
	RCU_INIT_POINTER(svc->prev_lut, NULL);
	hlb_lut_drop(prev);
}

static int hlb_lut_rebuild(struct hlb_net *hn, struct hlb_service *svc,
			   struct netlink_ext_ack *extack)
{
	struct hlb_svc_conf *conf = hlb_svc_conf_locked(hn, svc);
	struct hlb_lut *lut;
	int err;

	err = hlb_lut_build(svc, conf, &lut);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory building the lookup table");
		return err;
	}
	hlb_lut_publish(hn, svc, lut);
	return 0;
}

/* Services */

struct hlb_service *hlb_service_find(struct hlb_net *hn,
				     const struct hlb_key *key)
{
	return rhashtable_lookup_fast(&hn->services, key, hlb_svc_params);
}

static void hlb_server_free(struct hlb_server *srv)
{
	hlb_stats_free(&srv->stats);
	kfree(srv);
	hlb_obj_add(HLB_OBJ_A_SERVERS, -1);
}

static void hlb_server_free_rcu(struct rcu_head *head)
{
	hlb_server_free(container_of(head, struct hlb_server, rcu));
}

static void hlb_service_free(struct hlb_service *svc)
{
	hlb_lut_free(rcu_dereference_protected(svc->lut, 1));
	hlb_lut_free(rcu_dereference_protected(svc->prev_lut, 1));
	kfree(rcu_dereference_protected(svc->conf, 1));
	hlb_stats_free(&svc->stats);
	kfree(svc);
	hlb_obj_add(HLB_OBJ_A_SERVICES, -1);
}

static void hlb_service_free_rcu(struct rcu_head *head)
{
	hlb_service_free(container_of(head, struct hlb_service, rcu));
}

/* The last reference may be a session's, dropped in an RCU callback. */
void hlb_service_put(struct hlb_service *svc)
{
	if (refcount_dec_and_test(&svc->refcnt))
		call_rcu(&svc->rcu, hlb_service_free_rcu);
}

void hlb_server_put(struct hlb_server *srv)
{
	if (refcount_dec_and_test(&srv->refcnt))
		call_rcu(&srv->rcu, hlb_server_free_rcu);
}

/* The method a service starts with, or returns to when its mode changes. */
static u8 hlb_initial_method(const struct hlb_svc_conf *conf)
{
	if (conf->mode == HLB_MODE_STATELESS)
		return HLB_METHOD_STATELESS;
	if (conf->mode == HLB_MODE_HYBRID && conf->pin == HLB_PIN_STATELESS)
		return HLB_METHOD_STATELESS;
	return HLB_METHOD_STATEFUL;
}

int hlb_service_add(struct hlb_net *hn, const struct hlb_key *key,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack)
{
	struct hlb_service *svc;
	int err;

	lockdep_assert_held(&hn->lock);
	if (hlb_service_find(hn, key)) {
		NL_SET_ERR_MSG(extack, "HLB_A_SERVICE: service exists");
		kfree(conf);
		return -EEXIST;
	}
	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc) {
		kfree(conf);
		return -ENOMEM;
	}
	hlb_obj_add(HLB_OBJ_A_SERVICES, 1);
	svc->key = *key;
	refcount_set(&svc->refcnt, 1);
	RCU_INIT_POINTER(svc->conf, conf);
	svc->method = hlb_initial_method(conf);
	xa_init_flags(&svc->servers, XA_FLAGS_ALLOC1);
	err = hlb_stats_init(&svc->stats);
	if (err)
		goto free;
	hlb_hybrid_reset(svc, conf);
	/* Cyclic ids only grow, so a dump resuming after id N sees every
	 * service added since at its end and never one twice.
	 */
	err = xa_alloc_cyclic(&hn->service_ids, &svc->id, svc, xa_limit_32b,
			      &hn->next_service_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto free;
	err = rhashtable_lookup_insert_fast(&hn->services, &svc->node,
					    hlb_svc_params);
	if (err) {
		xa_erase(&hn->service_ids, svc->id);
		goto free;
	}
	hn->nservices++;
	err = hlb_hooks_update(hn);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
		hlb_service_del(hn, svc);
	}
	return err;
free:
	hlb_service_free(svc);
	return err;
}

int hlb_service_set(struct hlb_net *hn, struct hlb_service *svc,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack)
{
	struct hlb_svc_conf *old = hlb_svc_conf_locked(hn, svc);
	struct hlb_lut *lut = NULL;
	bool rebuild;
	int err;

	if (svc->nservers >= conf->table_size) {
		NL_SET_ERR_MSG(extack,
			       "HLB_SVC_A_TABLE_SIZE: must exceed the number of servers");
		kfree(conf);
		return -EINVAL;
	}
	rebuild = conf->table_size != old->table_size ||
		  conf->seed != old->seed || conf->hash != old->hash;
	if (rebuild) {
		err = hlb_lut_build(svc, conf, &lut);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "out of memory building the lookup table");
			kfree(conf);
			return err;
		}
	}
	rcu_assign_pointer(svc->conf, conf);
	if (conf->mode != old->mode) {
		WRITE_ONCE(svc->method, hlb_initial_method(conf));
		hlb_hybrid_reset(svc, conf);
	}
	if (rebuild)
		hlb_lut_publish(hn, svc, lut);
	hlb_lut_expire(hn, svc);
	kfree_rcu(old, rcu);
	/* A new pin takes effect now, not at the next measurement. */
	if (conf->mode == HLB_MODE_HYBRID)
		hlb_hybrid_eval(hn, svc);
	return 0;
}

/* Take a server out of the reverse index; the packet path loses it. */
static void hlb_server_unlink(struct hlb_net *hn, struct hlb_server *srv)
{
	rhashtable_remove_fast(&hn->servers, &srv->node, hlb_srv_params);
}

/* Unlink a service and its servers: the packet path cannot find them. */
static void hlb_service_unlink(struct hlb_net *hn, struct hlb_service *svc)
{
	struct hlb_server *srv;
	unsigned long id;

	rhashtable_remove_fast(&hn->services, &svc->node, hlb_svc_params);
	xa_erase(&hn->service_ids, svc->id);
	hn->nservices--;
	WRITE_ONCE(svc->dead, true);
	xa_for_each(&svc->servers, id, srv) {
		WRITE_ONCE(srv->dead, true);
		hlb_server_unlink(hn, srv);
	}
}

/* Drop the configuration's references, once the sessions are gone. */
static void hlb_service_release(struct hlb_service *svc)
{
	struct hlb_server *srv;
	unsigned long id;

	xa_for_each(&svc->servers, id, srv) {
		xa_erase(&svc->servers, id);
		hlb_server_put(srv);
	}
	xa_destroy(&svc->servers);
	hlb_service_put(svc);
}

void hlb_service_del(struct hlb_net *hn, struct hlb_service *svc)
{
	lockdep_assert_held(&hn->lock);
	hlb_service_unlink(hn, svc);
	/* Its sessions go with it; they hold the last references. */
	hlb_sessions_flush(hn, svc, NULL);
	hlb_service_release(svc);
	hlb_hooks_update(hn);
}

/* All of them, with one walk of the session table rather than one each. */
void hlb_service_flush(struct hlb_net *hn)
{
	struct hlb_service *svc;
	LIST_HEAD(dead);
	unsigned long id;

	lockdep_assert_held(&hn->lock);
	xa_for_each(&hn->service_ids, id, svc) {
		hlb_service_unlink(hn, svc);
		list_add(&svc->dead_list, &dead);
	}
	hlb_sessions_flush_dead(hn);
	while (!list_empty(&dead)) {
		svc = list_first_entry(&dead, struct hlb_service, dead_list);
		list_del(&svc->dead_list);
		hlb_service_release(svc);
	}
	hlb_hooks_update(hn);
}

/* Servers */

struct hlb_server *hlb_server_find(struct hlb_net *hn,
				   const struct hlb_key *key)
{
	return rhashtable_lookup_fast(&hn->servers, key, hlb_srv_params);
}

static int hlb_server_check_new(struct hlb_net *hn, struct hlb_service *svc,
				const struct hlb_key *key,
				struct netlink_ext_ack *extack)
{
	struct hlb_server *other = hlb_server_find(hn, key);
	u32 size = hlb_svc_conf_locked(hn, svc)->table_size;

	if (other && other->svc == svc) {
		NL_SET_ERR_MSG(extack, "HLB_A_SERVER: server exists");
		return -EEXIST;
	}
	if (other) {
		NL_SET_ERR_MSG(extack,
			       "HLB_SRV_A_ADDR: address and port already serve another service of this protocol; replies could not be mapped back");
		return -EEXIST;
	}
	if (svc->nservers >= HLB_SERVERS_MAX) {
		NL_SET_ERR_MSG(extack,
			       "HLB_A_SERVER: service has the maximum number of servers");
		return -ENOSPC;
	}
	if (svc->nservers + 1 >= size) {
		NL_SET_ERR_MSG(extack,
			       "HLB_A_SERVER: service's HLB_SVC_A_TABLE_SIZE must exceed its number of servers");
		return -ENOSPC;
	}
	return 0;
}

int hlb_server_add(struct hlb_net *hn, struct hlb_service *svc,
		   const struct hlb_key *key, u32 weight, u32 max_conns,
		   struct netlink_ext_ack *extack)
{
	struct hlb_svc_conf *conf = hlb_svc_conf_locked(hn, svc);
	struct hlb_server *srv;
	struct hlb_lut *lut;
	int err;

	lockdep_assert_held(&hn->lock);
	err = hlb_server_check_new(hn, svc, key, extack);
	if (err)
		return err;
	srv = kzalloc(sizeof(*srv), GFP_KERNEL_ACCOUNT);
	if (!srv)
		return -ENOMEM;
	hlb_obj_add(HLB_OBJ_A_SERVERS, 1);
	srv->key = *key;
	srv->svc = svc;
	refcount_set(&srv->refcnt, 1);
	srv->weight = weight;
	srv->max_conns = max_conns;
	err = hlb_stats_init(&srv->stats);
	if (err)
		goto free;
	err = xa_alloc_cyclic(&svc->servers, &srv->id, srv, xa_limit_32b,
			      &svc->next_server_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto free;
	svc->nservers++;
	/* Build first, publish last: a failure leaves the old table. */
	err = hlb_lut_build(svc, conf, &lut);
	if (err)
		goto erase;
	err = rhashtable_lookup_insert_fast(&hn->servers, &srv->node,
					    hlb_srv_params);
	if (err) {
		hlb_lut_free(lut);
		goto erase;
	}
	hlb_lut_publish(hn, svc, lut);
	return 0;
erase:
	xa_erase(&svc->servers, srv->id);
	svc->nservers--;
free:
	hlb_server_free(srv);
	return err;
}

int hlb_server_set(struct hlb_net *hn, struct hlb_server *srv, u32 weight,
		   u32 max_conns, struct netlink_ext_ack *extack)
{
	u32 old = srv->weight;
	int err;

	lockdep_assert_held(&hn->lock);
	WRITE_ONCE(srv->max_conns, max_conns);
	if (weight == old)
		return 0;
	WRITE_ONCE(srv->weight, weight);
	err = hlb_lut_rebuild(hn, srv->svc, extack);
	if (err)
		WRITE_ONCE(srv->weight, old);
	return err;
}

int hlb_server_del(struct hlb_net *hn, struct hlb_server *srv,
		   struct netlink_ext_ack *extack)
{
	struct hlb_service *svc = srv->svc;
	struct hlb_svc_conf *conf = hlb_svc_conf_locked(hn, svc);
	u32 weight = srv->weight;
	struct hlb_lut *lut;
	int err;

	lockdep_assert_held(&hn->lock);
	/* Build the table without it before unlinking anything, so that
	 * running out of memory refuses the delete and changes nothing.
	 */
	WRITE_ONCE(srv->weight, 0);
	err = hlb_lut_build(svc, conf, &lut);
	if (err) {
		WRITE_ONCE(srv->weight, weight);
		NL_SET_ERR_MSG(extack, "out of memory building the lookup table");
		return err;
	}
	WRITE_ONCE(srv->dead, true);
	hlb_server_unlink(hn, srv);
	xa_erase(&svc->servers, srv->id);
	svc->nservers--;
	hlb_lut_publish(hn, svc, lut);
	/* Deleting (not draining) a server ends its flows deliberately. */
	hlb_sessions_flush(hn, NULL, srv);
	hlb_server_put(srv);
	return 0;
}

/* Hooks are registered only while the namespace has services. */
int hlb_hooks_update(struct hlb_net *hn)
{
	lockdep_assert_held(&hn->lock);
	if (hn->nservices && !hn->hooked)
		return hlb_hooks_register(hn);
	if (!hn->nservices && hn->hooked)
		hlb_hooks_unregister(hn);
	return 0;
}

void hlb_stats_reset_all(struct hlb_net *hn)
{
	struct hlb_service *svc;
	struct hlb_server *srv;
	unsigned long i, j;

	lockdep_assert_held(&hn->lock);
	hlb_stats_reset(&hn->stats);
	xa_for_each(&hn->service_ids, i, svc) {
		hlb_stats_reset(&svc->stats);
		xa_for_each(&svc->servers, j, srv)
			hlb_stats_reset(&srv->stats);
	}
}
