/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Choosing a server for a new flow.
 */
#ifndef _HLB_SCHED_H
#define _HLB_SCHED_H

#include "mapping.h"

/*
 * The server a new flow goes to, or NULL with *@drop set to the counter
 * that says why not. Under RCU.
 */
struct hlb_server *hlb_pick_server(struct hlb_service *svc,
				   const struct hlb_svc_conf *conf,
				   const struct hlb_tuple *t, bool stateful,
				   int *drop);

#endif /* _HLB_SCHED_H */
