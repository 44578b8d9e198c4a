/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which packets can be hlb's at all, decided before any lookup.
 */
#ifndef _HLB_FILTER_H
#define _HLB_FILTER_H

#include <linux/bitops.h>

#include "hlb.h"

enum hlb_filter_kind {
	HLB_FILTER_VIP,		/* services: destinations at PRE_ROUTING */
	HLB_FILTER_SERVER,	/* servers: sources at POST_ROUTING */
};

int hlb_filter_init(struct hlb_net *hn);
void hlb_filter_exit(struct hlb_net *hn);

/* With hn->lock held; a key is added once per service or server. */
int hlb_filter_add(struct hlb_net *hn, int kind, const struct hlb_key *key);
void hlb_filter_del(struct hlb_net *hn, int kind, const struct hlb_key *key);

/* Under RCU: may a service (a server) have this address? Exact. */
bool hlb_filter_addr(struct hlb_net *hn, int kind, u8 family,
		     const union hlb_addr *addr);

static inline unsigned long *hlb_filter_map(struct hlb_net *hn, int kind,
					    u8 proto)
{
	return hn->filter_ports[kind * 2 + (proto == IPPROTO_UDP)];
}

/*
 * May a service (a server) have this protocol and port? No is certain;
 * yes may be wrong (ports share a bit modulo HLB_FILTER_BITS), which costs
 * the lookup that follows and nothing else.
 */
static inline bool hlb_filter_port(struct hlb_net *hn, int kind, u8 proto,
				   __be16 port)
{
	return test_bit(ntohs(port) & (HLB_FILTER_BITS - 1),
			hlb_filter_map(hn, kind, proto));
}

#endif /* _HLB_FILTER_H */
