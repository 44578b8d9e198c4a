/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hybrid policy: when a hybrid service creates sessions (stateful
 * method) and when it does not (stateless method). Pure logic, driven once
 * a second per service by the module and by the unit tests.
 *
 *  - from stateful to stateless: any measure at or above its high
 *    watermark, once the dwell time since the last switch has passed;
 *  - back to stateful: every measure at or below its low watermark for
 *    the hold time, and the dwell time passed;
 *  - the namespace's session table over its fill limit: stateless, now;
 *  - an administrator's pin: the pinned method, now.
 */
#ifndef _HLB_CORE_HYBRID_H
#define _HLB_CORE_HYBRID_H

#include "types.h"

/*
 * One second's measures of a service. An early run (a watermark crossed
 * on the packet path, a configuration change) comes before the second is
 * over: its rates are then what the second has counted so far, lower
 * bounds of the second's, and @partial is set. Enough to go stateless,
 * not to tell that the load is low.
 */
struct hlb_hybrid_measure {
	u64 sessions;		/* active sessions */
	u64 newflow_rate;	/* new flows per second */
	u64 packet_rate;	/* packets per second */
	bool fill_limit;	/* the session table is over its fill limit */
	bool partial;		/* the rates are of part of a second */
};

/* What the policy remembers between two steps. */
struct hlb_hybrid_state {
	u8 method;		/* enum hlb_method */
	bool switched;		/* has ever switched: dwell applies */
	bool low;		/* every measure is low ... */
	u64 low_since;		/* ... since then (ms) */
	u64 last_switch;	/* ms */
};

/* A switch, and why. */
struct hlb_hybrid_switch {
	u8 method;		/* enum hlb_method, the new one */
	u8 reason;		/* enum hlb_reason */
	u64 value;		/* the measure that decided */
	u64 threshold;		/* and its watermark */
};

/*
 * One step at time @now (ms). @conf is indexed by HLB_HYB_A_*, @pin is an
 * enum hlb_pin. Returns true and fills @sw when the method changes; @st is
 * updated either way.
 */
bool hlb_hybrid_step(const u32 *conf, u8 pin, struct hlb_hybrid_state *st,
		     const struct hlb_hybrid_measure *m, u64 now,
		     struct hlb_hybrid_switch *sw);

/* How long (ms) the dwell time still forbids a switch; 0: it does not. */
u64 hlb_hybrid_dwell_left(const u32 *conf, const struct hlb_hybrid_state *st,
			  u64 now);

/*
 * A configuration (by HLB_HYB_A_*) whose low watermark is above its high
 * one: the message naming the pair, with their attribute types in *@high
 * and *@low; NULL if there is none.
 */
const char *hlb_hybrid_check_watermarks(const u32 *conf, int *high, int *low);

#endif /* _HLB_CORE_HYBRID_H */
