// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping: services, their servers, and the reverse index from servers
 * to services. Each service's lookup table is lut.c's; the sessions of a
 * service or server that goes are session.c's to remove.
 *
 * Every function here but the two finds and the puts runs with
 * hlb_net.lock held. The packet path finds
 * services and servers through the two rhashtables and a service's
 * servers through its lookup table, all under RCU; nothing it can reach is
 * freed before a grace period has passed.
 */
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "mapping.h"
#include "filter.h"
#include "lut.h"
#include "session.h"
#include "hybrid.h"

/*
 * Keys compared as five words, inline, rather than by a call to memcmp():
 * the packet path compares one for every packet of a service.
 */
static int hlb_key_cmp(const struct hlb_key *a, const struct hlb_key *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;

	BUILD_BUG_ON(sizeof(struct hlb_key) != 5 * sizeof(u32));
	return (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
	       (x[3] ^ y[3]) | (x[4] ^ y[4]);
}

/*
 * An IPv4 key is two words that matter (the rest is zero): hashing those
 * rather than all five saves the packet path half the hash.
 */
static u32 hlb_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct hlb_key *k = data;
	u32 rest = (u32)k->port << 16 | (u32)k->proto << 8 | k->family;

	if (k->family == AF_INET)
		return jhash_2words((__force u32)k->addr.ip, rest, seed);
	return jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), seed);
}

static int hlb_svc_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	return hlb_key_cmp(arg->key, &((const struct hlb_service *)obj)->key);
}

static int hlb_srv_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	return hlb_key_cmp(arg->key, &((const struct hlb_server *)obj)->key);
}

static const struct rhashtable_params hlb_svc_params = {
	.key_len = sizeof(struct hlb_key),
	.key_offset = offsetof(struct hlb_service, key),
	.head_offset = offsetof(struct hlb_service, node),
	.hashfn = hlb_key_hashfn,
	.obj_cmpfn = hlb_svc_cmpfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params hlb_srv_params = {
	.key_len = sizeof(struct hlb_key),
	.key_offset = offsetof(struct hlb_server, key),
	.head_offset = offsetof(struct hlb_server, node),
	.hashfn = hlb_key_hashfn,
	.obj_cmpfn = hlb_srv_cmpfn,
	.automatic_shrinking = true,
};

int hlb_mapping_init(struct hlb_net *hn)
{
	int err;

	xa_init_flags(&hn->service_ids, XA_FLAGS_ALLOC1);
	err = rhashtable_init(&hn->services, &hlb_svc_params);
	if (err)
		return err;
	err = rhashtable_init(&hn->servers, &hlb_srv_params);
	if (err)
		goto services;
	err = hlb_filter_init(hn);
	if (err)
		goto servers;
	return 0;
servers:
	rhashtable_destroy(&hn->servers);
services:
	rhashtable_destroy(&hn->services);
	return err;
}

/* After hlb_service_flush(): the tables are empty. */
void hlb_mapping_exit(struct hlb_net *hn)
{
	hlb_filter_exit(hn);
	rhashtable_destroy(&hn->servers);
	rhashtable_destroy(&hn->services);
	xa_destroy(&hn->service_ids);
}

/*
 * The namespace's own objects, by HLB_OBJ_A_*: what its tables hold now.
 * (The module-wide counts, hlb_obj_count(), run from allocation to free
 * and cannot be split: an object may outlive its namespace by a grace
 * period.)
 */
void hlb_net_objects(struct hlb_net *hn, u64 *v)
{
	struct hlb_service *svc;
	unsigned long id;

	lockdep_assert_held(&hn->lock);
	memset(v, 0, sizeof(*v) * __HLB_OBJ_A_MAX);
	v[HLB_OBJ_A_SERVICES] = hn->nservices;
	v[HLB_OBJ_A_SESSIONS] = atomic_read(&hn->nsessions);
	xa_for_each(&hn->service_ids, id, svc) {
		v[HLB_OBJ_A_SERVERS] += svc->nservers;
		v[HLB_OBJ_A_TABLES] +=
			!!rcu_access_pointer(svc->lut) +
			!!rcu_access_pointer(svc->prev_lut);
	}
}

/*
 * Allocation failures, whichever allocation: the lookup table of a new
 * server, a table's or index's memory, the object itself.
 */
#define HLB_SVC_NOMEM "HLB_A_SERVICE: out of memory adding the service"
#define HLB_SRV_NOMEM "HLB_A_SERVER: out of memory adding the server"

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
	hlb_lut_free_all(svc);
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
		NL_SET_ERR_MSG(extack, HLB_SVC_NOMEM);
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
	hlb_hybrid_reset(svc);
	/* Cyclic ids only grow, so a dump resuming after id N sees every
	 * service added since at its end and never one twice.
	 */
	err = xa_alloc_cyclic(&hn->service_ids, &svc->id, svc, xa_limit_32b,
			      &hn->next_service_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto free;
	err = hlb_filter_add(hn, HLB_FILTER_VIP, key);
	if (err)
		goto erase;
	err = rhashtable_lookup_insert_fast(&hn->services, &svc->node,
					    hlb_svc_params);
	if (err) {
		hlb_filter_del(hn, HLB_FILTER_VIP, key);
		goto erase;
	}
	WRITE_ONCE(hn->nservices, hn->nservices + 1);
	return 0;
erase:
	xa_erase(&hn->service_ids, svc->id);
free:
	hlb_service_free(svc);
	NL_SET_ERR_MSG(extack, HLB_SVC_NOMEM);
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
		u8 method = hlb_initial_method(conf);

		if (method == HLB_METHOD_STATEFUL &&
		    svc->method == HLB_METHOD_STATELESS)
			hlb_lut_adopt(hn, svc);
		WRITE_ONCE(svc->method, method);
		hlb_hybrid_reset(svc);
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
	hlb_filter_del(hn, HLB_FILTER_SERVER, &srv->key);
}

/* Unlink a service and its servers: the packet path cannot find them. */
static void hlb_service_unlink(struct hlb_net *hn, struct hlb_service *svc)
{
	struct hlb_server *srv;
	unsigned long id;

	rhashtable_remove_fast(&hn->services, &svc->node, hlb_svc_params);
	hlb_filter_del(hn, HLB_FILTER_VIP, &svc->key);
	xa_erase(&hn->service_ids, svc->id);
	WRITE_ONCE(hn->nservices, hn->nservices - 1);
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
	hlb_stats_service_gone(hn, svc);
	hlb_service_release(svc);
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
		hlb_stats_service_gone(hn, svc);
		hlb_service_release(svc);
	}
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
	if (!srv) {
		NL_SET_ERR_MSG(extack, HLB_SRV_NOMEM);
		return -ENOMEM;
	}
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
	err = hlb_filter_add(hn, HLB_FILTER_SERVER, key);
	if (err) {
		hlb_lut_free(lut);
		goto erase;
	}
	err = rhashtable_lookup_insert_fast(&hn->servers, &srv->node,
					    hlb_srv_params);
	if (err) {
		hlb_filter_del(hn, HLB_FILTER_SERVER, key);
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
	NL_SET_ERR_MSG(extack, HLB_SRV_NOMEM);
	return err;
}

/*
 * All or nothing: the table for the new weight is built before anything
 * changes, so that a failure leaves the server as it was (and nothing to
 * announce), and the packet path (wlc reads the weight) meets the new
 * weight only once its table is ready to be published.
 */
int hlb_server_set(struct hlb_net *hn, struct hlb_server *srv, u32 weight,
		   u32 max_conns, struct netlink_ext_ack *extack)
{
	const struct hlb_lut_change chg = { .srv = srv, .weight = weight };
	struct hlb_service *svc = srv->svc;
	struct hlb_lut *lut;
	int err;

	lockdep_assert_held(&hn->lock);
	if (weight != srv->weight) {
		err = hlb_lut_build_with(svc, hlb_svc_conf_locked(hn, svc),
					 &chg, &lut);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "out of memory building the lookup table");
			return err;
		}
		WRITE_ONCE(srv->weight, weight);
		hlb_lut_publish(hn, svc, lut);
	}
	WRITE_ONCE(srv->max_conns, max_conns);
	return 0;
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
	hlb_stats_server_gone(svc, srv);
	hlb_server_put(srv);
	return 0;
}
