/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU, summed on read; a reset moves a base, not the counts.
 * And the module-wide counts of live objects, which show leaks.
 *
 * Each event is counted once, at the most specific level that knows it: a
 * packet or a session at its server, a drop at its service (or at the
 * namespace when no service is known). A level reads as its own counts
 * plus its children's plus what its deleted children left behind
 * (mapping.c). So the packet path updates one per-CPU block per packet.
 */
#ifndef _HLB_STATS_H
#define _HLB_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/hlb.h>

struct hlb_pcpu_stats {
	u64_stats_t c[__HLB_ST_A_MAX];
	struct u64_stats_sync syncp;
};

struct hlb_stats {
	struct hlb_pcpu_stats __percpu *pcpu;
	u64 base[__HLB_ST_A_MAX];
};

int hlb_stats_init(struct hlb_stats *st);
void hlb_stats_free(struct hlb_stats *st);
void hlb_stats_sum(const struct hlb_stats *st, u64 *out);
void hlb_stats_apply_base(const struct hlb_stats *st, u64 *v);

/*
 * From any context: the packet path also runs in process context (the
 * router's own packets at POST_ROUTING), where it can be preempted or
 * interrupted by a softirq that counts on the same CPU. get_cpu_ptr()
 * keeps the CPU; the irqsave variants protect the 32-bit seqcount and
 * cost nothing on 64-bit, where each add is one instruction.
 */
static inline void hlb_stats_add2(struct hlb_stats *st, int i, u64 v,
				  int j, u64 w)
{
	struct hlb_pcpu_stats *p = get_cpu_ptr(st->pcpu);
	unsigned long flags = u64_stats_update_begin_irqsave(&p->syncp);

	u64_stats_add(&p->c[i], v);
	if (j)
		u64_stats_add(&p->c[j], w);
	u64_stats_update_end_irqrestore(&p->syncp, flags);
	put_cpu_ptr(st->pcpu);
}

static inline void hlb_stat_add(struct hlb_stats *st, int i, u64 v)
{
	hlb_stats_add2(st, i, v, 0, 0);
}

/*
 * A translated packet: packets, bytes, how it was found (@hit) and
 * whether it starts a flow.
 */
static inline void hlb_stats_packet(struct hlb_stats *st, int hit,
				    unsigned int len, bool new_flow)
{
	struct hlb_pcpu_stats *p = get_cpu_ptr(st->pcpu);
	unsigned long flags = u64_stats_update_begin_irqsave(&p->syncp);

	u64_stats_inc(&p->c[HLB_ST_A_PACKETS]);
	u64_stats_add(&p->c[HLB_ST_A_BYTES], len);
	u64_stats_inc(&p->c[hit]);
	if (new_flow)
		u64_stats_inc(&p->c[HLB_ST_A_NEW_FLOWS]);
	u64_stats_update_end_irqrestore(&p->syncp, flags);
	put_cpu_ptr(st->pcpu);
}

/* Gauges are levels, not event counts: a reset must not move them. */
static inline bool hlb_stats_is_gauge(int i)
{
	return i == HLB_ST_A_SESSIONS_ACTIVE;
}

struct hlb_net;
struct hlb_service;
struct hlb_server;

/* A level's counters, with hn->lock held; _raw ignores resets. */
void hlb_service_stats_raw(struct hlb_service *svc, u64 *v);
void hlb_service_stats(struct hlb_service *svc, u64 *v);
void hlb_server_stats(struct hlb_server *srv, u64 *v);
void hlb_net_stats(struct hlb_net *hn, u64 *v);
void hlb_stats_reset_net(struct hlb_net *hn);
/* What a deleted server (service) leaves to its service (namespace). */
void hlb_stats_server_gone(struct hlb_service *svc, struct hlb_server *srv);
void hlb_stats_service_gone(struct hlb_net *hn, struct hlb_service *svc);

/* Objects alive, by HLB_OBJ_A_*. */
void hlb_obj_add(int type, int delta);
long hlb_obj_count(int type);
bool hlb_obj_alive(void);

#endif /* _HLB_STATS_H */
