/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU, summed on read; a reset moves a base, not the counts.
 * And the module-wide counts of live objects, which show leaks.
 */
#ifndef _HLB_STATS_H
#define _HLB_STATS_H

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
void hlb_stat_add(struct hlb_stats *st, int i, u64 v);
void hlb_stats_raw(const struct hlb_stats *st, u64 *out);
void hlb_stats_read(const struct hlb_stats *st, u64 *out);
void hlb_stats_reset(struct hlb_stats *st);

/* Objects alive, by HLB_OBJ_A_*. */
void hlb_obj_add(int type, int delta);
long hlb_obj_count(int type);

#endif /* _HLB_STATS_H */
