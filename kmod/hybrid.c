// SPDX-License-Identifier: GPL-2.0
/*
 * Hybrid services: once a second, a per-namespace worker measures every
 * hybrid service over the last second (active sessions, new flows per
 * second, packets per second, from the per-CPU counters) and runs the
 * policy of core/hybrid.c on it. The packet path only reads the method;
 * it asks for an early run when a session watermark or the fill limit is
 * crossed, so that a flood is answered within a packet's time rather than
 * at the end of the second.
 */
#include <linux/ktime.h>
#include <linux/jiffies.h>
#include <linux/math64.h>

#include "hybrid.h"
#include "lut.h"
#include "session.h"
#include "netlink.h"

#define HLB_HYBRID_PERIOD	HZ

static u64 hlb_now_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

/*
 * The namespace's session table over the fill limit. Only its own: another
 * namespace's sessions (a tenant's, say) must not switch this one's
 * services. Forced until it drains below four fifths of the limit, so
 * that a table hovering at the limit does not flap.
 */
static bool hlb_fill_limited(struct hlb_net *hn)
{
	u64 pct = READ_ONCE(hn->cfg.fill_limit);
	u64 occ;

	if (!pct) {
		hn->fill_forced = false;
		return false;
	}
	occ = hlb_sessions_occupancy(hn);
	if (hn->fill_forced)
		hn->fill_forced = occ * 5 >= pct * 4;
	else
		hn->fill_forced = occ >= pct;
	return hn->fill_forced;
}

/* Start measuring afresh, in the service's current method. */
void hlb_hybrid_reset(struct hlb_service *svc)
{
	u64 v[__HLB_ST_A_MAX];

	memset(&svc->hyb, 0, sizeof(svc->hyb));
	svc->hyb.method = READ_ONCE(svc->method);
	hlb_service_stats_raw(svc, v);
	svc->hyb_packets = v[HLB_ST_A_PACKETS];
	svc->hyb_newflows = v[HLB_ST_A_NEW_FLOWS];
	svc->hyb_stamp = hlb_now_ms();
}

static void hlb_hybrid_apply(struct hlb_net *hn, struct hlb_service *svc,
			     const struct hlb_hybrid_switch *sw)
{
	WRITE_ONCE(svc->method, sw->method);
	svc->switches++;
	svc->last_switch = ktime_get_real_ns();
	svc->last_reason = sw->reason;
	hlb_stat_add(&svc->stats, HLB_ST_A_SWITCHES, 1);
	hlb_notify_switch(hn, svc, sw);
}

/* One step of one service's policy; with hn->lock held. */
static void hlb_hybrid_step_svc(struct hlb_net *hn, struct hlb_service *svc,
				bool fill_limit)
{
	const struct hlb_svc_conf *c = hlb_svc_conf_locked(hn, svc);
	struct hlb_hybrid_measure m = { .fill_limit = fill_limit };
	struct hlb_hybrid_switch sw;
	u64 v[__HLB_ST_A_MAX], now = hlb_now_ms(), ms;

	hlb_service_stats_raw(svc, v);
	ms = now - svc->hyb_stamp;
	m.packet_rate = v[HLB_ST_A_PACKETS] - svc->hyb_packets;
	m.newflow_rate = v[HLB_ST_A_NEW_FLOWS] - svc->hyb_newflows;
	m.sessions = atomic_read(&svc->nsessions);
	/*
	 * An early run counts the part of the second that has passed, and
	 * does not scale it up to a second: one new flow 10 ms into the
	 * second is not 100 new flows a second. The window only moves on
	 * at the end of a full second.
	 */
	if (ms >= 1000) {
		/* div64_u64(): a plain u64 division needs libgcc on 32-bit. */
		m.packet_rate = div64_u64(m.packet_rate * 1000, ms);
		m.newflow_rate = div64_u64(m.newflow_rate * 1000, ms);
		svc->hyb_packets = v[HLB_ST_A_PACKETS];
		svc->hyb_newflows = v[HLB_ST_A_NEW_FLOWS];
		svc->hyb_stamp = now;
	} else {
		m.partial = true;
	}
	if (c->mode != HLB_MODE_HYBRID)
		return;
	svc->hyb.method = READ_ONCE(svc->method);
	if (hlb_hybrid_step(c->hybrid, c->pin, &svc->hyb, &m, now, &sw))
		hlb_hybrid_apply(hn, svc, &sw);
}

/* A single service right now, e.g. after its pin changed. */
void hlb_hybrid_eval(struct hlb_net *hn, struct hlb_service *svc)
{
	lockdep_assert_held(&hn->lock);
	hlb_hybrid_step_svc(hn, svc, hlb_fill_limited(hn));
}

static void hlb_hybrid_work(struct work_struct *work)
{
	struct hlb_net *hn = container_of(to_delayed_work(work),
					  struct hlb_net, hybrid_work);
	struct hlb_service *svc;
	unsigned long id;
	bool fill;

	clear_bit(0, &hn->hybrid_kicked);
	mutex_lock(&hn->lock);
	fill = hlb_fill_limited(hn);
	xa_for_each(&hn->service_ids, id, svc) {
		hlb_hybrid_step_svc(hn, svc, fill);
		hlb_lut_expire(hn, svc);
	}
	mutex_unlock(&hn->lock);
	queue_delayed_work(system_power_efficient_wq, &hn->hybrid_work,
			   HLB_HYBRID_PERIOD);
}

/* From the packet path: run now, once, however many packets ask. */
void hlb_hybrid_kick(struct hlb_net *hn)
{
	if (!test_and_set_bit(0, &hn->hybrid_kicked))
		mod_delayed_work(system_power_efficient_wq, &hn->hybrid_work, 0);
}

void hlb_hybrid_net_init(struct hlb_net *hn)
{
	INIT_DELAYED_WORK(&hn->hybrid_work, hlb_hybrid_work);
	queue_delayed_work(system_power_efficient_wq, &hn->hybrid_work,
			   HLB_HYBRID_PERIOD);
}

void hlb_hybrid_net_exit(struct hlb_net *hn)
{
	/* Set the bit for good, so that no kick requeues the work. */
	set_bit(0, &hn->hybrid_kicked);
	cancel_delayed_work_sync(&hn->hybrid_work);
}
