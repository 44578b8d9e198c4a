// SPDX-License-Identifier: GPL-2.0
/*
 * TCP state tracking from flags; see tcp.h.
 */
#include "tcp.h"
#include <linux/hlb.h>

u8 hlb_tcp_initial(u8 flags)
{
	if (flags & HLB_TCPF_RST)
		return HLB_TCP_CLOSE;
	if ((flags & (HLB_TCPF_SYN | HLB_TCPF_ACK)) == HLB_TCPF_SYN)
		return HLB_TCP_SYN_SENT;
	/* Adopted mid-flow (not strict, or flow protection): it was
	 * established somewhere before it reached this session.
	 */
	return HLB_TCP_ESTABLISHED;
}

static u8 hlb_tcp_on_fin(u8 state, u8 *fin, int dir)
{
	*fin |= dir == HLB_DIR_ORIG ? HLB_FIN_ORIG : HLB_FIN_REPLY;
	if (*fin == (HLB_FIN_ORIG | HLB_FIN_REPLY))
		return HLB_TCP_TIME_WAIT;
	if (state == HLB_TCP_FIN_WAIT || state == HLB_TCP_CLOSE_WAIT)
		return state;
	return dir == HLB_DIR_ORIG ? HLB_TCP_FIN_WAIT : HLB_TCP_CLOSE_WAIT;
}

/* A new SYN on a finished connection's tuple opens a new connection. */
static bool hlb_tcp_reopens(u8 state)
{
	return state == HLB_TCP_TIME_WAIT || state == HLB_TCP_CLOSE ||
	       state == HLB_TCP_NONE;
}

u8 hlb_tcp_next(u8 state, u8 *fin, int dir, u8 flags)
{
	bool syn = flags & HLB_TCPF_SYN, ack = flags & HLB_TCPF_ACK;

	if (flags & HLB_TCPF_RST)
		return HLB_TCP_CLOSE;
	if (syn && !ack && dir == HLB_DIR_ORIG) {
		if (!hlb_tcp_reopens(state))
			return state;
		*fin = 0;
		return HLB_TCP_SYN_SENT;
	}
	if (syn && ack && dir == HLB_DIR_REPLY && state == HLB_TCP_SYN_SENT)
		return HLB_TCP_SYN_RECV;
	if (flags & HLB_TCPF_FIN)
		return hlb_tcp_on_fin(state, fin, dir);
	if (ack && dir == HLB_DIR_ORIG && state == HLB_TCP_SYN_RECV)
		return HLB_TCP_ESTABLISHED;
	return state;
}

int hlb_tcp_timeout_attr(u8 state)
{
	switch (state) {
	case HLB_TCP_NONE:
		return HLB_TO_A_UDP;
	case HLB_TCP_SYN_SENT:
	case HLB_TCP_SYN_RECV:
		return HLB_TO_A_TCP_SYN;
	case HLB_TCP_ESTABLISHED:
		return HLB_TO_A_TCP_EST;
	case HLB_TCP_FIN_WAIT:
	case HLB_TCP_CLOSE_WAIT:
		return HLB_TO_A_TCP_FIN;
	default:
		return HLB_TO_A_TCP_CLOSE;
	}
}
