// SPDX-License-Identifier: GPL-2.0
/*
 * TCP state tracking: the transitions a session goes through, and the
 * timeout each state uses.
 */
#include <linux/hlb.h>

#include "unit.h"
#include "tcp.h"

#define S HLB_TCPF_SYN
#define A HLB_TCPF_ACK
#define F HLB_TCPF_FIN
#define R HLB_TCPF_RST
#define O HLB_DIR_ORIG
#define P HLB_DIR_REPLY

struct step {
	int dir;
	u8 flags;
	u8 want;
};

static bool run(u8 first, const struct step *steps, int n)
{
	u8 fin = 0, st = hlb_tcp_initial(first);
	int i;

	for (i = 0; i < n; i++) {
		st = hlb_tcp_next(st, &fin, steps[i].dir, steps[i].flags);
		if (st != steps[i].want) {
			unit_diag("step %d: state %u, want %u", i, st,
				  steps[i].want);
			return false;
		}
	}
	return true;
}

static const struct step open_close[] = {
	{ P, S | A, HLB_TCP_SYN_RECV },
	{ O, A, HLB_TCP_ESTABLISHED },
	{ O, A, HLB_TCP_ESTABLISHED },
	{ P, A, HLB_TCP_ESTABLISHED },
	{ O, F | A, HLB_TCP_FIN_WAIT },
	{ P, A, HLB_TCP_FIN_WAIT },
	{ P, F | A, HLB_TCP_TIME_WAIT },
	{ O, A, HLB_TCP_TIME_WAIT },
};

static const struct step server_closes[] = {
	{ P, S | A, HLB_TCP_SYN_RECV },
	{ O, A, HLB_TCP_ESTABLISHED },
	{ P, F | A, HLB_TCP_CLOSE_WAIT },
	{ O, F | A, HLB_TCP_TIME_WAIT },
};

static const struct step reset[] = {
	{ P, S | A, HLB_TCP_SYN_RECV },
	{ P, R, HLB_TCP_CLOSE },
};

static const struct step reuse[] = {
	{ O, R, HLB_TCP_CLOSE },
	{ O, S, HLB_TCP_SYN_SENT },
	{ P, S | A, HLB_TCP_SYN_RECV },
};

static const struct step syn_retransmit[] = {
	{ O, S, HLB_TCP_SYN_SENT },
	{ P, A, HLB_TCP_SYN_SENT },
};

/* A stray SYN inside an established flow does not restart it. */
static const struct step stray_syn[] = {
	{ O, S, HLB_TCP_ESTABLISHED },
};

#define RUN(first, steps) run(first, steps, UNIT_ARRAY_SIZE(steps))

static void test_open_close(void) { CHECK(RUN(S, open_close)); }
static void test_server_closes(void) { CHECK(RUN(S, server_closes)); }
static void test_reset(void) { CHECK(RUN(S, reset)); }
static void test_reuse(void) { CHECK(RUN(A, reuse)); }
static void test_syn_retransmit(void) { CHECK(RUN(S, syn_retransmit)); }
static void test_stray_syn(void) { CHECK(RUN(A, stray_syn)); }

static void test_initial(void)
{
	CHECK_EQ(hlb_tcp_initial(S), HLB_TCP_SYN_SENT);
	CHECK_EQ(hlb_tcp_initial(A), HLB_TCP_ESTABLISHED);
	CHECK_EQ(hlb_tcp_initial(R | A), HLB_TCP_CLOSE);
}

static void test_timeouts(void)
{
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_NONE), HLB_TO_A_UDP);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_SYN_SENT), HLB_TO_A_TCP_SYN);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_SYN_RECV), HLB_TO_A_TCP_SYN);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_ESTABLISHED), HLB_TO_A_TCP_EST);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_FIN_WAIT), HLB_TO_A_TCP_FIN);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_CLOSE_WAIT), HLB_TO_A_TCP_FIN);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_TIME_WAIT), HLB_TO_A_TCP_CLOSE);
	CHECK_EQ(hlb_tcp_timeout_attr(HLB_TCP_CLOSE), HLB_TO_A_TCP_CLOSE);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "open, data, client closes first", test_open_close },
		{ "server closes first", test_server_closes },
		{ "reset in the handshake closes", test_reset },
		{ "SYN on a closed tuple reopens", test_reuse },
		{ "retransmitted SYN stays SYN_SENT", test_syn_retransmit },
		{ "stray SYN in an established flow", test_stray_syn },
		{ "state of a new session", test_initial },
		{ "timeout by state", test_timeouts },
	};

	return unit_run(cases, UNIT_ARRAY_SIZE(cases));
}
