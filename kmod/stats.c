// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters for namespaces, services and servers.
 *
 * The packet path only ever increments its own CPU's copy. Readers sum the
 * copies, and a level's children (mapping.c). A reset does not write other
 * CPUs' copies (that would race with their increments); it records the
 * current sums as a base that later reads subtract.
 */
#include <linux/percpu.h>

#include "stats.h"
#include "mapping.h"

int hlb_stats_init(struct hlb_stats *st)
{
	int cpu;

	memset(st->base, 0, sizeof(st->base));
	st->pcpu = alloc_percpu_gfp(struct hlb_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!st->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(st->pcpu, cpu)->syncp);
	return 0;
}

void hlb_stats_free(struct hlb_stats *st)
{
	free_percpu(st->pcpu);
	st->pcpu = NULL;
}

/* Add the sums since the counters were made, ignoring resets, to @out. */
void hlb_stats_sum(const struct hlb_stats *st, u64 *out)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct hlb_pcpu_stats *p = per_cpu_ptr(st->pcpu, cpu);
		u64 v[__HLB_ST_A_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < __HLB_ST_A_MAX; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < __HLB_ST_A_MAX; i++)
			out[i] += v[i];
	}
}

/* Raw sums @v of a level, as read: less what a reset recorded. */
void hlb_stats_apply_base(const struct hlb_stats *st, u64 *v)
{
	int i;

	for (i = 0; i < __HLB_ST_A_MAX; i++)
		if (!hlb_stats_is_gauge(i))
			v[i] -= st->base[i];
}

/* Levels: each adds up its children (stats.h); with hn->lock held. */

/* What a deleted child leaves behind; a gauge of one is zero. */
static void hlb_stats_leave(const u64 *v, u64 *gone)
{
	int i;

	for (i = 0; i < __HLB_ST_A_MAX; i++)
		if (!hlb_stats_is_gauge(i))
			gone[i] += v[i];
}

static void hlb_service_sum(struct hlb_service *svc, u64 *v)
{
	struct hlb_server *srv;
	unsigned long id;
	int i;

	hlb_stats_sum(&svc->stats, v);
	for (i = 0; i < __HLB_ST_A_MAX; i++)
		v[i] += svc->stats_gone[i];
	xa_for_each(&svc->servers, id, srv)
		hlb_stats_sum(&srv->stats, v);
}

void hlb_service_stats_raw(struct hlb_service *svc, u64 *v)
{
	memset(v, 0, sizeof(u64) * __HLB_ST_A_MAX);
	hlb_service_sum(svc, v);
}

void hlb_service_stats(struct hlb_service *svc, u64 *v)
{
	hlb_service_stats_raw(svc, v);
	hlb_stats_apply_base(&svc->stats, v);
}

static void hlb_server_stats_raw(struct hlb_server *srv, u64 *v)
{
	memset(v, 0, sizeof(u64) * __HLB_ST_A_MAX);
	hlb_stats_sum(&srv->stats, v);
}

void hlb_server_stats(struct hlb_server *srv, u64 *v)
{
	hlb_server_stats_raw(srv, v);
	hlb_stats_apply_base(&srv->stats, v);
}

static void hlb_net_stats_raw(struct hlb_net *hn, u64 *v)
{
	struct hlb_service *svc;
	unsigned long id;
	int i;

	memset(v, 0, sizeof(u64) * __HLB_ST_A_MAX);
	hlb_stats_sum(&hn->stats, v);
	for (i = 0; i < __HLB_ST_A_MAX; i++)
		v[i] += hn->stats_gone[i];
	xa_for_each(&hn->service_ids, id, svc)
		hlb_service_sum(svc, v);
}

void hlb_net_stats(struct hlb_net *hn, u64 *v)
{
	hlb_net_stats_raw(hn, v);
	hlb_stats_apply_base(&hn->stats, v);
}

void hlb_stats_reset_net(struct hlb_net *hn)
{
	struct hlb_service *svc;
	struct hlb_server *srv;
	unsigned long i, j;

	lockdep_assert_held(&hn->lock);
	hlb_net_stats_raw(hn, hn->stats.base);
	xa_for_each(&hn->service_ids, i, svc) {
		hlb_service_stats_raw(svc, svc->stats.base);
		xa_for_each(&svc->servers, j, srv)
			hlb_server_stats_raw(srv, srv->stats.base);
	}
}

/*
 * A deleted server's counts stay in its service's. Packets that were
 * already past the lookup when it was unlinked may still count on it and
 * are lost to the totals: a handful, once.
 */
void hlb_stats_server_gone(struct hlb_service *svc, struct hlb_server *srv)
{
	u64 v[__HLB_ST_A_MAX] = {};

	hlb_stats_sum(&srv->stats, v);
	hlb_stats_leave(v, svc->stats_gone);
}

void hlb_stats_service_gone(struct hlb_net *hn, struct hlb_service *svc)
{
	u64 v[__HLB_ST_A_MAX];

	hlb_service_stats_raw(svc, v);
	hlb_stats_leave(v, hn->stats_gone);
}

/*
 * Objects alive in the whole module, from allocation to free: a leak
 * shows as a count that does not return to where it was.
 */
static atomic_long_t hlb_objects[__HLB_OBJ_A_MAX];

void hlb_obj_add(int type, int delta)
{
	atomic_long_add(delta, &hlb_objects[type]);
}

long hlb_obj_count(int type)
{
	return atomic_long_read(&hlb_objects[type]);
}

/* Any object of any type still alive, in any namespace. */
bool hlb_obj_alive(void)
{
	int i;

	for (i = HLB_OBJ_A_SERVICES; i < HLB_OBJ_A_PAD; i++)
		if (atomic_long_read(&hlb_objects[i]))
			return true;
	return false;
}
