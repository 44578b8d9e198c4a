// SPDX-License-Identifier: GPL-2.0
/*
 * Hybrid services: once a second, a per-namespace worker measures every
 * hybrid service over the last second (active sessions, new flows per
 * second, packets per second, from the per-CPU counters) and runs the
 * policy of core/hybrid.c on it. The packet path only reads the method;
 * it asks for an early run when a session watermark or the fill limit is
 * crossed, so that a flood is answered within a tenth of a second rather
 * than at the end of the second. The worker runs only while the namespace
 * has services.
 */
#include <linux/ktime.h>
#include <linux/jiffies.h>
#include <linux/math64.h>

#include "hybrid.h"
#include "lut.h"
#include "session.h"
#include "netlink.h"

#define HLB_HYBRID_PERIOD	HZ
#define HLB_HYBRID_GAP		(HZ / 10)

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
	if (sw->method == HLB_METHOD_STATEFUL)
		hlb_lut_adopt(hn, svc);
	WRITE_ONCE(svc->method, sw->method);
	svc->switches++;
	svc->last_switch = ktime_get_real_ns();
	svc->last_reason = sw->reason;
	hlb_stat_add(&svc->stats, HLB_ST_A_SWITCHES, 1);
	hlb_notify_switch(hn, svc, sw);
}

/*
 * A service over a session watermark whose switch the dwell time holds
 * back: the next run is due when the dwell ends, not up to a second later
 * (the packet path asks only once per crossing). In *@next, jiffies.
 */
static void hlb_hybrid_due(const struct hlb_svc_conf *c,
			   struct hlb_service *svc, u64 now,
			   unsigned long *next)
{
	u64 left;

	if (!next || c->pin != HLB_PIN_NONE ||
	    svc->hyb.method != HLB_METHOD_STATEFUL ||
	    !test_bit(HLB_SVC_KICKED, &svc->hyb_flags))
		return;
	left = hlb_hybrid_dwell_left(c->hybrid, &svc->hyb, now);
	if (left)
		*next = min(*next, msecs_to_jiffies(left));
}

/* One step of one service's policy; with hn->lock held. */
static void hlb_hybrid_step_svc(struct hlb_net *hn, struct hlb_service *svc,
				bool fill_limit, unsigned long *next)
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
	/* Back under: the next crossing may ask for an early run. */
	if (!fill_limit && !(c->hybrid[HLB_HYB_A_SESSIONS_HIGH] &&
			     m.sessions >= c->hybrid[HLB_HYB_A_SESSIONS_HIGH]))
		clear_bit(HLB_SVC_KICKED, &svc->hyb_flags);
	if (c->mode != HLB_MODE_HYBRID)
		return;
	svc->hyb.method = READ_ONCE(svc->method);
	if (hlb_hybrid_step(c->hybrid, c->pin, &svc->hyb, &m, now, &sw))
		hlb_hybrid_apply(hn, svc, &sw);
	else
		hlb_hybrid_due(c, svc, now, next);
}

/* A single service right now, e.g. after its pin changed. */
void hlb_hybrid_eval(struct hlb_net *hn, struct hlb_service *svc)
{
	lockdep_assert_held(&hn->lock);
	hlb_hybrid_step_svc(hn, svc, hlb_fill_limited(hn), NULL);
}

/*
 * Once a second while the namespace has services; it stops when it finds
 * none, and hlb_hybrid_start() starts it again with the next one. Whether
 * it runs is hn->hybrid_running, under hn->lock.
 */
static void hlb_hybrid_work(struct work_struct *work)
{
	struct hlb_net *hn = container_of(to_delayed_work(work),
					  struct hlb_net, hybrid_work);
	unsigned long id, next = HLB_HYBRID_PERIOD;
	struct hlb_service *svc;
	bool fill;

	clear_bit(0, &hn->hybrid_kicked);
	WRITE_ONCE(hn->hybrid_last, jiffies);
	mutex_lock(&hn->lock);
	if (!hn->nservices) {
		hn->hybrid_running = false;
		mutex_unlock(&hn->lock);
		return;
	}
	fill = hlb_fill_limited(hn);
	xa_for_each(&hn->service_ids, id, svc) {
		hlb_hybrid_step_svc(hn, svc, fill, &next);
		hlb_lut_expire(hn, svc);
	}
	mutex_unlock(&hn->lock);
	queue_delayed_work(system_power_efficient_wq, &hn->hybrid_work, next);
}

/* With hn->lock held, after a service was added. */
void hlb_hybrid_start(struct hlb_net *hn)
{
	lockdep_assert_held(&hn->lock);
	if (hn->hybrid_running)
		return;
	hn->hybrid_running = true;
	queue_delayed_work(system_power_efficient_wq, &hn->hybrid_work,
			   HLB_HYBRID_PERIOD);
}

/*
 * From the packet path, when @svc is over a session watermark or the
 * namespace over its fill limit: an early run, once per crossing. The
 * service stays "kicked" until a run finds it back under, so a service
 * that the policy keeps where it is (pinned, dwelling, in a transition)
 * does not ask again with every new session, and the worker does not run
 * back to back under hn->lock. Early runs are also HLB_HYBRID_GAP apart
 * at least, whatever the number of services crossing.
 */
void hlb_hybrid_kick(struct hlb_net *hn, struct hlb_service *svc)
{
	unsigned long next;

	if (test_and_set_bit(HLB_SVC_KICKED, &svc->hyb_flags) ||
	    test_and_set_bit(0, &hn->hybrid_kicked))
		return;
	next = READ_ONCE(hn->hybrid_last) + HLB_HYBRID_GAP;
	mod_delayed_work(system_power_efficient_wq, &hn->hybrid_work,
			 time_after(next, jiffies) ? next - jiffies : 0);
}

void hlb_hybrid_net_init(struct hlb_net *hn)
{
	INIT_DELAYED_WORK(&hn->hybrid_work, hlb_hybrid_work);
}

void hlb_hybrid_net_exit(struct hlb_net *hn)
{
	/* Set the bit for good, so that no kick requeues the work. */
	set_bit(0, &hn->hybrid_kicked);
	cancel_delayed_work_sync(&hn->hybrid_work);
}
