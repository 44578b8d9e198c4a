/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP state tracking for sessions, from the flags alone.
 *
 * hlb is not a firewall: it follows a connection only to know how long to
 * keep its session (a short timeout while it opens or closes, a long one
 * while it is established), not to judge sequence numbers.
 */
#ifndef _HLB_CORE_TCP_H
#define _HLB_CORE_TCP_H

#include "types.h"

/* Flags as in byte 13 of the TCP header. */
#define HLB_TCPF_FIN	0x01
#define HLB_TCPF_SYN	0x02
#define HLB_TCPF_RST	0x04
#define HLB_TCPF_ACK	0x10

/* Direction of a packet within its session. */
#define HLB_DIR_ORIG	0	/* client -> service */
#define HLB_DIR_REPLY	1	/* server -> client */

/* Which sides have sent a FIN, kept beside the state. */
#define HLB_FIN_ORIG	0x01
#define HLB_FIN_REPLY	0x02

/* The state of a session created by a packet with @flags. */
u8 hlb_tcp_initial(u8 flags);

/*
 * The state after a packet with @flags in direction @dir; *@fin collects
 * the HLB_FIN_* bits.
 */
u8 hlb_tcp_next(u8 state, u8 *fin, int dir, u8 flags);

/* The HLB_TO_A_* timeout that applies in @state (HLB_TCP_NONE: UDP). */
int hlb_tcp_timeout_attr(u8 state);

#endif /* _HLB_CORE_TCP_H */
