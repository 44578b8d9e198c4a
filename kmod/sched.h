/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HLB_SCHED_H
#define _HLB_SCHED_H

#include "hlb.h"

/* The table's server for a flow; the caller holds rcu_read_lock(). */
struct hlb_server *hlb_lut_pick(const struct hlb_lut *lut,
				const struct hlb_tuple *t);

/*
 * The server a new flow goes to, or NULL with *@drop set to the counter
 * that says why not.
 */
struct hlb_server *hlb_pick_server(struct hlb_service *svc,
				   const struct hlb_svc_conf *conf,
				   const struct hlb_tuple *t, bool stateful,
				   int *drop);

#endif /* _HLB_SCHED_H */
