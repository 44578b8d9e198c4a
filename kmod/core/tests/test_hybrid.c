// SPDX-License-Identifier: GPL-2.0
/*
 * The hybrid policy: switching on high watermarks, returning after the
 * hold time, never twice within the dwell time, the fill limit and pins.
 */
#include <linux/hlb.h>

#include "unit.h"
#include "hybrid.h"

static u32 conf[__HLB_HYB_A_MAX];
static struct hlb_hybrid_state st;
static struct hlb_hybrid_switch sw;

/* New flows/s: high 1000, low 100; hold 3 s, dwell 10 s. */
static void setup(void)
{
	memset(conf, 0, sizeof(conf));
	memset(&st, 0, sizeof(st));
	memset(&sw, 0, sizeof(sw));
	conf[HLB_HYB_A_NEWFLOW_HIGH] = 1000;
	conf[HLB_HYB_A_NEWFLOW_LOW] = 100;
	conf[HLB_HYB_A_HOLD_MS] = 3000;
	conf[HLB_HYB_A_DWELL_MS] = 10000;
	st.method = HLB_METHOD_STATEFUL;
}

static bool step(u64 now, u64 newflow)
{
	struct hlb_hybrid_measure m = { .newflow_rate = newflow };

	return hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, now, &sw);
}

static void test_high_switches(void)
{
	setup();
	CHECK(!step(1000, 999));
	CHECK_EQ(st.method, HLB_METHOD_STATEFUL);
	CHECK(step(2000, 1000));
	CHECK_EQ(sw.method, HLB_METHOD_STATELESS);
	CHECK_EQ(sw.reason, HLB_REASON_NEWFLOW_RATE);
	CHECK_EQ(sw.value, 1000);
	CHECK_EQ(sw.threshold, 1000);
}

static void test_back_after_hold(void)
{
	u64 t;

	setup();
	CHECK(step(0, 5000));
	/* Low from 20 s on; dwell is long over, hold decides. */
	for (t = 1000; t < 20000; t += 1000)
		CHECK(!step(t, 500));
	CHECK(!step(20000, 100));
	CHECK(!step(21000, 50));
	CHECK(!step(22000, 0));
	CHECK(step(23000, 10));
	CHECK_EQ(sw.method, HLB_METHOD_STATEFUL);
	CHECK_EQ(sw.reason, HLB_REASON_LOW);
	CHECK_EQ(sw.value, 3000);
}

static void test_hold_restarts(void)
{
	setup();
	CHECK(step(0, 5000));
	CHECK(!step(20000, 0));
	CHECK(!step(22000, 101));	/* above low: the hold starts over */
	CHECK(!step(23000, 0));
	CHECK(!step(25000, 0));
	CHECK(step(26000, 0));
}

static void test_dwell(void)
{
	setup();
	CHECK(step(0, 5000));
	/* Low at once, hold passed at 3 s, but dwell holds until 10 s. */
	CHECK(!step(1000, 0));
	CHECK(!step(4000, 0));
	CHECK(!step(9999, 0));
	CHECK_EQ(hlb_hybrid_dwell_left(conf, &st, 9999), 1);
	CHECK(step(10000, 0));
	CHECK_EQ(hlb_hybrid_dwell_left(conf, &st, 10000), 10000);
	CHECK_EQ(hlb_hybrid_dwell_left(conf, &st, 20000), 0);
	/* And no switch back to stateless before another 10 s. */
	CHECK(!step(11000, 9000));
	CHECK(!step(19999, 9000));
	CHECK(step(20000, 9000));
}

/* A load oscillating around one watermark within the dwell time. */
static void test_no_flapping(void)
{
	int switches = 0;
	u64 t;

	setup();
	conf[HLB_HYB_A_NEWFLOW_LOW] = 1000;
	conf[HLB_HYB_A_HOLD_MS] = 0;
	for (t = 0; t < 10000; t += 500)
		switches += step(t, (t / 500) % 2 ? 1001 : 999);
	CHECK_EQ(switches, 1);
}

static void test_fill_limit(void)
{
	struct hlb_hybrid_measure m = { .fill_limit = true, .sessions = 7 };

	setup();
	CHECK(step(0, 5000));
	CHECK(!step(5000, 0));
	CHECK(step(10000, 0));		/* back to stateful */
	/* The fill limit does not wait for the dwell time. */
	CHECK(hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 10001, &sw));
	CHECK_EQ(sw.reason, HLB_REASON_FILL_LIMIT);
	CHECK_EQ(st.method, HLB_METHOD_STATELESS);
	/* And keeps it stateless, however low the load. */
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 40000, &sw));
	CHECK(!step(41000, 0));
	CHECK(!step(43000, 0));
	CHECK(step(44000, 0));
}

static void test_pin(void)
{
	struct hlb_hybrid_measure m = { .newflow_rate = 5000 };

	setup();
	CHECK(hlb_hybrid_step(conf, HLB_PIN_STATELESS, &st, &m, 0, &sw));
	CHECK_EQ(sw.reason, HLB_REASON_PIN);
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_STATELESS, &st, &m, 1, &sw));
	/* Pinned stateful under a load over the watermark, at once. */
	CHECK(hlb_hybrid_step(conf, HLB_PIN_STATEFUL, &st, &m, 2, &sw));
	CHECK_EQ(st.method, HLB_METHOD_STATEFUL);
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_STATEFUL, &st, &m, 3, &sw));
}

static void test_other_measures(void)
{
	struct hlb_hybrid_measure m = { 0 };

	setup();
	conf[HLB_HYB_A_SESSIONS_HIGH] = 500;
	conf[HLB_HYB_A_SESSIONS_LOW] = 400;
	conf[HLB_HYB_A_PACKET_HIGH] = 20000;
	conf[HLB_HYB_A_PACKET_LOW] = 10000;
	m.packet_rate = 20000;
	CHECK(hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 0, &sw));
	CHECK_EQ(sw.reason, HLB_REASON_PACKET_RATE);
	setup();
	conf[HLB_HYB_A_SESSIONS_HIGH] = 500;
	conf[HLB_HYB_A_SESSIONS_LOW] = 400;
	m.packet_rate = 0;
	m.sessions = 500;
	CHECK(hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 0, &sw));
	CHECK_EQ(sw.reason, HLB_REASON_SESSIONS);
	/* Every configured measure must be low to come back. */
	m.sessions = 401;
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 20000, &sw));
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 30000, &sw));
	m.sessions = 400;
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 31000, &sw));
	CHECK(hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 34000, &sw));
}

/*
 * Early runs measure part of a second: what they count is a lower bound of
 * the second's rate. Over the high watermark it switches; low, it neither
 * starts nor ends the hold time, since the rest of the second may not be.
 */
static bool partial(u64 now, u64 newflow)
{
	struct hlb_hybrid_measure m = {
		.newflow_rate = newflow, .partial = true,
	};

	return hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, now, &sw);
}

static void test_partial(void)
{
	setup();
	conf[HLB_HYB_A_DWELL_MS] = 0;
	CHECK(!partial(100, 999));
	CHECK(partial(200, 1000));
	CHECK_EQ(sw.reason, HLB_REASON_NEWFLOW_RATE);
	/* Low so far, hold long over: not enough to go back. */
	CHECK(!partial(300, 0));
	CHECK(!st.low);
	CHECK(!step(1000, 0));		/* the hold starts with a full second */
	CHECK(!partial(3500, 0));
	CHECK(!partial(4000, 0));
	CHECK(step(4000, 0));
	CHECK_EQ(sw.reason, HLB_REASON_LOW);
	/* Over low so far: the second is over low too, the hold restarts. */
	CHECK(step(5000, 5000));
	CHECK(!step(6000, 0));
	CHECK(!partial(8500, 101));
	CHECK(!st.low);
	CHECK(!step(9000, 0));
	CHECK(!step(11000, 0));
	CHECK(step(12000, 0));
	/* Only the session watermark: partial rates do not matter. */
	setup();
	conf[HLB_HYB_A_NEWFLOW_HIGH] = 0;
	conf[HLB_HYB_A_SESSIONS_HIGH] = 500;
	conf[HLB_HYB_A_SESSIONS_LOW] = 400;
	conf[HLB_HYB_A_DWELL_MS] = 0;
	conf[HLB_HYB_A_HOLD_MS] = 0;
	st.method = HLB_METHOD_STATELESS;
	CHECK(partial(100, 5000));
	CHECK_EQ(sw.reason, HLB_REASON_LOW);
}

/* No watermark configured: thresholds never make it stateless. */
static void test_unconfigured(void)
{
	struct hlb_hybrid_measure m = {
		.sessions = ~0ull, .newflow_rate = ~0ull, .packet_rate = ~0ull,
	};

	setup();
	conf[HLB_HYB_A_NEWFLOW_HIGH] = 0;
	CHECK(!hlb_hybrid_step(conf, HLB_PIN_NONE, &st, &m, 0, &sw));
	CHECK_EQ(st.method, HLB_METHOD_STATEFUL);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "high watermark switches to stateless", test_high_switches },
		{ "back to stateful after the hold time", test_back_after_hold },
		{ "the hold time restarts above low", test_hold_restarts },
		{ "no switch within the dwell time", test_dwell },
		{ "no flapping around one watermark", test_no_flapping },
		{ "fill limit forces stateless", test_fill_limit },
		{ "pins switch at once", test_pin },
		{ "session and packet watermarks", test_other_measures },
		{ "no watermark, no switch", test_unconfigured },
		{ "early runs: part of a second", test_partial },
	};

	return unit_run(cases, UNIT_ARRAY_SIZE(cases));
}
