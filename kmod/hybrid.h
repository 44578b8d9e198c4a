/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hybrid services: the per-namespace worker that measures them and runs
 * the policy of core/hybrid.c.
 */
#ifndef _HLB_HYBRID_H
#define _HLB_HYBRID_H

#include "mapping.h"

void hlb_hybrid_net_init(struct hlb_net *hn);
void hlb_hybrid_net_exit(struct hlb_net *hn);
void hlb_hybrid_start(struct hlb_net *hn);

/* From the packet path: measure now rather than at the end of the second. */
void hlb_hybrid_kick(struct hlb_net *hn, struct hlb_service *svc);

/* With hn->lock held: one service now; start measuring afresh. */
void hlb_hybrid_eval(struct hlb_net *hn, struct hlb_service *svc);
void hlb_hybrid_reset(struct hlb_service *svc);

#endif /* _HLB_HYBRID_H */
