// SPDX-License-Identifier: GPL-2.0
/*
 * The hybrid policy; see hybrid.h.
 */
#include "hybrid.h"
#include <linux/hlb.h>

/*
 * The measures and their watermarks, in the order they are checked, and
 * what a configuration with the low one above the high one is told.
 */
static const struct {
	int high, low;
	u8 reason;
	const char *low_above_high;
} hlb_hybrid_measures[] = {
	{ HLB_HYB_A_SESSIONS_HIGH, HLB_HYB_A_SESSIONS_LOW, HLB_REASON_SESSIONS,
	  "HLB_HYB_A_SESSIONS_LOW: above HLB_HYB_A_SESSIONS_HIGH" },
	{ HLB_HYB_A_NEWFLOW_HIGH, HLB_HYB_A_NEWFLOW_LOW,
	  HLB_REASON_NEWFLOW_RATE,
	  "HLB_HYB_A_NEWFLOW_LOW: above HLB_HYB_A_NEWFLOW_HIGH" },
	{ HLB_HYB_A_PACKET_HIGH, HLB_HYB_A_PACKET_LOW,
	  HLB_REASON_PACKET_RATE,
	  "HLB_HYB_A_PACKET_LOW: above HLB_HYB_A_PACKET_HIGH" },
};

#define HLB_NMEASURES ARRAY_SIZE(hlb_hybrid_measures)

const char *hlb_hybrid_check_watermarks(const u32 *conf, int *high, int *low)
{
	unsigned int i;

	for (i = 0; i < HLB_NMEASURES; i++) {
		*high = hlb_hybrid_measures[i].high;
		*low = hlb_hybrid_measures[i].low;
		if (conf[*high] && conf[*low] > conf[*high])
			return hlb_hybrid_measures[i].low_above_high;
	}
	return NULL;
}

static u64 hlb_measure(const struct hlb_hybrid_measure *m, int i)
{
	switch (hlb_hybrid_measures[i].reason) {
	case HLB_REASON_SESSIONS:
		return m->sessions;
	case HLB_REASON_NEWFLOW_RATE:
		return m->newflow_rate;
	default:
		return m->packet_rate;
	}
}

static void hlb_switch(struct hlb_hybrid_state *st, u64 now,
		       struct hlb_hybrid_switch *sw, u8 method, u8 reason,
		       u64 value, u64 threshold)
{
	st->method = method;
	st->switched = true;
	st->last_switch = now;
	st->low = false;
	sw->method = method;
	sw->reason = reason;
	sw->value = value;
	sw->threshold = threshold;
}

/* The first measure at or above its (configured) high watermark. */
static int hlb_first_high(const u32 *conf, const struct hlb_hybrid_measure *m)
{
	unsigned int i;

	for (i = 0; i < HLB_NMEASURES; i++) {
		u32 high = conf[hlb_hybrid_measures[i].high];

		if (high && hlb_measure(m, i) >= high)
			return i;
	}
	return -1;
}

/* Every configured measure at or below its low watermark. */
static bool hlb_all_low(const u32 *conf, const struct hlb_hybrid_measure *m)
{
	unsigned int i;

	for (i = 0; i < HLB_NMEASURES; i++) {
		if (!conf[hlb_hybrid_measures[i].high])
			continue;
		if (hlb_measure(m, i) > conf[hlb_hybrid_measures[i].low])
			return false;
	}
	return true;
}

u64 hlb_hybrid_dwell_left(const u32 *conf, const struct hlb_hybrid_state *st,
			  u64 now)
{
	u64 dwell = conf[HLB_HYB_A_DWELL_MS];

	if (!st->switched || now - st->last_switch >= dwell)
		return 0;
	return st->last_switch + dwell - now;
}

static bool hlb_dwell_over(const u32 *conf, const struct hlb_hybrid_state *st,
			   u64 now)
{
	return !hlb_hybrid_dwell_left(conf, st, now);
}

static bool hlb_pinned(u8 pin, struct hlb_hybrid_state *st, u64 now,
		       struct hlb_hybrid_switch *sw)
{
	u8 want = pin == HLB_PIN_STATELESS ? HLB_METHOD_STATELESS :
		  HLB_METHOD_STATEFUL;

	if (st->method == want)
		return false;
	hlb_switch(st, now, sw, want, HLB_REASON_PIN, 0, 0);
	return true;
}

static bool hlb_from_stateful(const u32 *conf, struct hlb_hybrid_state *st,
			      const struct hlb_hybrid_measure *m, u64 now,
			      struct hlb_hybrid_switch *sw)
{
	int i;

	/* The session table filling up is not a load to wait out. */
	if (m->fill_limit) {
		hlb_switch(st, now, sw, HLB_METHOD_STATELESS,
			   HLB_REASON_FILL_LIMIT, m->sessions, 0);
		return true;
	}
	i = hlb_first_high(conf, m);
	if (i < 0 || !hlb_dwell_over(conf, st, now))
		return false;
	hlb_switch(st, now, sw, HLB_METHOD_STATELESS,
		   hlb_hybrid_measures[i].reason, hlb_measure(m, i),
		   conf[hlb_hybrid_measures[i].high]);
	return true;
}

static bool hlb_from_stateless(const u32 *conf, struct hlb_hybrid_state *st,
			       const struct hlb_hybrid_measure *m, u64 now,
			       struct hlb_hybrid_switch *sw)
{
	if (m->fill_limit || !hlb_all_low(conf, m)) {
		st->low = false;
		return false;
	}
	/* Part of a second's rates, low so far: the second may not be. */
	if (m->partial && (conf[HLB_HYB_A_NEWFLOW_HIGH] ||
			   conf[HLB_HYB_A_PACKET_HIGH]))
		return false;
	if (!st->low) {
		st->low = true;
		st->low_since = now;
	}
	if (now - st->low_since < conf[HLB_HYB_A_HOLD_MS] ||
	    !hlb_dwell_over(conf, st, now))
		return false;
	hlb_switch(st, now, sw, HLB_METHOD_STATEFUL, HLB_REASON_LOW,
		   now - st->low_since, conf[HLB_HYB_A_HOLD_MS]);
	return true;
}

bool hlb_hybrid_step(const u32 *conf, u8 pin, struct hlb_hybrid_state *st,
		     const struct hlb_hybrid_measure *m, u64 now,
		     struct hlb_hybrid_switch *sw)
{
	if (pin != HLB_PIN_NONE)
		return hlb_pinned(pin, st, now, sw);
	if (st->method == HLB_METHOD_STATEFUL)
		return hlb_from_stateful(conf, st, m, now, sw);
	return hlb_from_stateless(conf, st, m, now, sw);
}
