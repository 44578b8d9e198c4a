/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing a packet at either hook.
 */
#ifndef _HLB_PARSE_H
#define _HLB_PARSE_H

#include <linux/skbuff.h>

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
	bool local;			/* at LOCAL_OUT: hook.c routes it */
	struct hlb_tuple inner;
	unsigned int inner_l3off;
	unsigned int inner_l4off;
};

/* 0: a packet hlb may translate; 1: one it leaves alone; -EINVAL: malformed. */
int hlb_parse(struct sk_buff *skb, u8 pf, struct hlb_pkt *p);
bool hlb_peek_port(const struct sk_buff *skb, u8 pf, bool dst, u8 *proto,
		   __be16 *port);

#endif /* _HLB_PARSE_H */
