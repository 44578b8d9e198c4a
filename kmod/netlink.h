/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family: the only writer of attributes.
 */
#ifndef _HLB_NETLINK_H
#define _HLB_NETLINK_H

#include "mapping.h"

int hlb_genl_init(void);
void hlb_genl_exit(void);

/* A hybrid service changed method; with hn->lock held. */
void hlb_notify_switch(struct hlb_net *hn, struct hlb_service *svc,
		       const struct hlb_hybrid_switch *sw);

#endif /* _HLB_NETLINK_H */
