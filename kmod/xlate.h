/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rewriting a parsed packet: addresses, ports and checksums.
 */
#ifndef _HLB_XLATE_H
#define _HLB_XLATE_H

#include "parse.h"

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

/*
 * Whether an ICMP error's checksum is right. hlb recomputes it after a
 * rewrite, so it checks it first: a corrupt error must not leave hlb with
 * a valid checksum.
 */
bool hlb_icmp_csum_ok(struct sk_buff *skb, const struct hlb_pkt *p);

#endif /* _HLB_XLATE_H */
