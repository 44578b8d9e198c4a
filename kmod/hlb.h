/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hlb: the per-namespace state, the keys every file uses, and the locking
 * rules. Each .c file has its own header for what it offers; this one
 * holds only what belongs to no single file.
 *
 * Locking, in one place:
 *  - hlb_net.lock (a mutex) serialises every configuration change in a
 *    namespace, every netlink dump chunk (a dump never sees half a
 *    change) and the hybrid policy's steps;
 *  - the packet path reads services, servers, their configuration and
 *    lookup tables under RCU only; writers publish new versions with
 *    rcu_assign_pointer() and free old ones after a grace period;
 *  - sessions are linked and unlinked under the rhashtables' bucket
 *    locks, from any context; a session is unlinked once (by whoever
 *    removes it from the table: hlb_session_unlink()).
 */
#ifndef _HLB_H
#define _HLB_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/hlb.h>

#include "config.h"
#include "stats.h"

union hlb_addr {
	__be32 ip;
	struct in6_addr in6;
	u8 b[16];
};

static inline unsigned int hlb_addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/*
 * The key of a service (its VIP) and of a server in the reverse index.
 * It is hashed and compared as raw bytes, so it has no padding and must
 * be zeroed before it is filled. The port is in host order.
 */
struct hlb_key {
	union hlb_addr addr;
	u16 port;
	u8 proto;
	u8 family;
};

/*
 * A packet's flow: source and destination as they are on the wire, ports
 * in network order. Zeroed before it is filled: it is hashed and compared
 * as bytes.
 */
struct hlb_tuple {
	union hlb_addr src, dst;
	__be16 sport, dport;
	u8 proto;
	u8 family;
	u16 pad;
};

/* PRE_ROUTING, POST_ROUTING, LOCAL_OUT, LOCAL_IN; IPv4, IPv6 (hook.c). */
#define HLB_HOOKS	8

/* A filter bitmap's size: ports share a bit modulo this (filter.h). */
#define HLB_FILTER_BITS	4096

/* A resumable walk over a namespace's sessions (session.c). */
struct hlb_session_walk {
	struct rhashtable_iter iter;
};

struct hlb_net {
	struct net *net;
	struct mutex lock;		/* configuration writers, dumps */
	struct hlb_config cfg;
	struct hlb_stats stats;
	u64 stats_gone[__HLB_ST_A_MAX];	/* left by deleted services */
	/* The mapping (mapping.c) */
	struct rhashtable services;	/* by VIP key */
	struct rhashtable servers;	/* reverse index, by server key */
	struct xarray service_ids;	/* by id, for resumable dumps */
	u32 next_service_id;
	u32 nservices;
	/* The packet path (hook.c): registered while there are services */
	bool hooked;
	struct nf_hook_ops hook_ops[HLB_HOOKS];
	/* What can be hlb's (filter.c): ports by kind and protocol */
	unsigned long filter_ports[4][BITS_TO_LONGS(HLB_FILTER_BITS)];
	struct xarray filter_refs;	/* users of each bit */
	struct rhashtable filter_addrs;	/* VIP and server addresses */
	/* The session table (session.c) */
	struct rhashtable sessions;	/* by original tuple */
	atomic_t nsessions;
	bool tenant;			/* not owned by the initial userns */
	struct mem_cgroup *memcg;	/* a tenant's sessions are charged */
	struct delayed_work gc_work;
	unsigned long gc_running;	/* bit 0: gc_work queued or running */
	struct hlb_session_walk gc_walk;
	bool gc_walking;
	unsigned long gc_period;	/* jiffies a pass takes */
	u64 gc_left_sum;		/* this pass: jiffies left, summed */
	u32 gc_live;			/* this pass: sessions kept */
	/* The hybrid policy (hybrid.c) */
	struct delayed_work hybrid_work;
	unsigned long hybrid_kicked;	/* bit 0: an early run is queued */
	unsigned long hybrid_last;	/* jiffies: the last run began */
	bool hybrid_running;		/* under lock: queued while services */
	bool fill_forced;		/* over the fill limit, until drained */
};

extern unsigned int hlb_net_id;

static inline struct hlb_net *hlb_pernet(const struct net *net)
{
	return net_generic(net, hlb_net_id);
}

#endif /* _HLB_H */
