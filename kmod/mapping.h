/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping: services, their servers, and the reverse index from
 * servers to services. What a service's lookup table holds is lut.h's.
 */
#ifndef _HLB_MAPPING_H
#define _HLB_MAPPING_H

#include <linux/refcount.h>
#include <linux/rhashtable-types.h>

#include "hlb.h"
#include "core/hybrid.h"

struct hlb_lut;

/*
 * Services and servers are referenced by the configuration, by every
 * session that uses them and (servers) by every lookup table that lists
 * them; the last reference frees them after a grace period. @dead is set
 * when the configuration lets go, so that a session being created at
 * that moment can tell.
 */
/* hlb_service.hyb_flags: an early policy run was asked for (hybrid.c) */
#define HLB_SVC_KICKED	0

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
	/* Adoption: after a switch to stateful, until then (lut.c). */
	bool adopting;
	unsigned long adopt_until;	/* jiffies */
	struct xarray servers;		/* by server id, for dumps */
	u32 next_server_id;
	u32 nservers;
	struct hlb_stats stats;
	u64 stats_gone[__HLB_ST_A_MAX];	/* left by deleted servers */
	atomic_t nsessions;
	u8 method;			/* enum hlb_method */
	unsigned long hyb_flags;	/* HLB_SVC_KICKED */
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

static inline struct hlb_svc_conf *hlb_svc_conf_locked(struct hlb_net *hn,
						       struct hlb_service *svc)
{
	return rcu_dereference_protected(svc->conf,
					 lockdep_is_held(&hn->lock));
}

int hlb_mapping_init(struct hlb_net *hn);
void hlb_mapping_exit(struct hlb_net *hn);
/* With hn->lock held: @v has __HLB_OBJ_A_MAX entries. */
void hlb_net_objects(struct hlb_net *hn, u64 *v);

/* Under RCU or hn->lock. */
struct hlb_service *hlb_service_find(struct hlb_net *hn,
				     const struct hlb_key *key);
struct hlb_server *hlb_server_find(struct hlb_net *hn,
				   const struct hlb_key *key);

/* With hn->lock held. */
int hlb_service_add(struct hlb_net *hn, const struct hlb_key *key,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack);
int hlb_service_set(struct hlb_net *hn, struct hlb_service *svc,
		    struct hlb_svc_conf *conf, struct netlink_ext_ack *extack);
void hlb_service_del(struct hlb_net *hn, struct hlb_service *svc);
void hlb_service_flush(struct hlb_net *hn);
int hlb_server_add(struct hlb_net *hn, struct hlb_service *svc,
		   const struct hlb_key *key, u32 weight, u32 max_conns,
		   struct netlink_ext_ack *extack);
int hlb_server_set(struct hlb_net *hn, struct hlb_server *srv, u32 weight,
		   u32 max_conns, struct netlink_ext_ack *extack);
int hlb_server_del(struct hlb_net *hn, struct hlb_server *srv,
		   struct netlink_ext_ack *extack);

/* Dropping a reference: any holder, any context. */
void hlb_service_put(struct hlb_service *svc);
void hlb_server_put(struct hlb_server *srv);

#endif /* _HLB_MAPPING_H */
