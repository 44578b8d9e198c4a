// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters for namespaces, services and servers.
 *
 * The packet path only ever increments its own CPU's copy. Readers sum the
 * copies. A reset does not write other CPUs' copies (that would race with
 * their increments); it records the current sums as a base that later
 * reads subtract.
 */
#include <linux/percpu.h>

#include "stats.h"

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

/* On the packet path, or anywhere with bottom halves disabled. */
void hlb_stat_add(struct hlb_stats *st, int i, u64 v)
{
	struct hlb_pcpu_stats *p = this_cpu_ptr(st->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->c[i], v);
	u64_stats_update_end(&p->syncp);
}

void hlb_stats_free(struct hlb_stats *st)
{
	free_percpu(st->pcpu);
	st->pcpu = NULL;
}

/* The sums since the counters were made, ignoring resets. */
void hlb_stats_raw(const struct hlb_stats *st, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __HLB_ST_A_MAX);
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

/* Gauges are levels, not event counts: a reset must not move them. */
static bool hlb_stats_is_gauge(int i)
{
	return i == HLB_ST_A_SESSIONS_ACTIVE;
}

void hlb_stats_read(const struct hlb_stats *st, u64 *out)
{
	int i;

	hlb_stats_raw(st, out);
	for (i = 0; i < __HLB_ST_A_MAX; i++)
		if (!hlb_stats_is_gauge(i))
			out[i] -= st->base[i];
}

void hlb_stats_reset(struct hlb_stats *st)
{
	hlb_stats_raw(st, st->base);
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
