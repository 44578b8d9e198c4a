/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HLB_XLATE_H
#define _HLB_XLATE_H

#include "hlb.h"

/*
 * A parsed packet. Offsets are from skb->data, which is the network header
 * at both hooks. For an ICMP error, @t is the outer packet's addresses
 * (ports unused) and @inner the embedded packet's tuple.
 */
struct hlb_pkt {
	struct hlb_tuple t;
	unsigned int l4off;
	u8 tcp_flags;
	bool icmp_err;
	struct hlb_tuple inner;
	unsigned int inner_l3off;
	unsigned int inner_l4off;
};

int hlb_parse(struct sk_buff *skb, u8 pf, struct hlb_pkt *p);

/* Rewrite the destination (dst) or source (!dst) address and port. */
int hlb_xlate(struct sk_buff *skb, const struct hlb_pkt *p, bool dst,
	      const union hlb_addr *addr, __be16 port);

/*
 * Rewrite an ICMP error: the embedded packet's source (inner_src) or
 * destination address and port, and the outer address on the same side
 * (outer destination for inner_src, outer source otherwise) if it equals
 * the embedded one. Checksums follow.
 */
int hlb_xlate_icmp(struct sk_buff *skb, const struct hlb_pkt *p,
		   bool inner_src, const union hlb_addr *addr, __be16 port);

#endif /* _HLB_XLATE_H */
