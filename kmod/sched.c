// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing a server for a new flow.
 *
 * Stateless flows, and stateful ones under the default scheduler, take the
 * server of their bucket in the service's Maglev table: the same flow gets
 * the same server on every router with the same configuration. A stateful
 * flow whose server is at its connection limit, or of a service using
 * weighted least-connection, takes the server with the fewest sessions per
 * unit of weight instead.
 */
#include "sched.h"
#include "lut.h"

static bool hlb_server_full(const struct hlb_server *srv)
{
	u32 max = READ_ONCE(srv->max_conns);

	return max && atomic_read(&srv->conns) >= max;
}

/* Fewest sessions per weight among servers with room; NULL if none. */
static struct hlb_server *hlb_wlc_pick(const struct hlb_lut *lut)
{
	struct hlb_server *best = NULL;
	u64 best_conns = 0, best_weight = 1;
	u32 i;

	for (i = 0; i < lut->nservers; i++) {
		struct hlb_server *srv = lut->servers[i];
		u64 conns = atomic_read(&srv->conns);
		u64 weight = READ_ONCE(srv->weight);

		if (!weight || hlb_server_full(srv))
			continue;
		if (!best || conns * best_weight < best_conns * weight) {
			best = srv;
			best_conns = conns;
			best_weight = weight;
		}
	}
	return best;
}

struct hlb_server *hlb_pick_server(struct hlb_service *svc,
				   const struct hlb_svc_conf *conf,
				   const struct hlb_tuple *t, bool stateful,
				   int *drop)
{
	const struct hlb_lut *lut = rcu_dereference(svc->lut);
	struct hlb_server *srv;

	*drop = HLB_ST_A_DROP_NO_SERVER;
	if (!lut)
		return NULL;
	if (!stateful)
		return hlb_lut_pick(lut, t);
	if (conf->sched == HLB_SCHED_HASH) {
		srv = hlb_lut_pick(lut, t);
		if (!hlb_server_full(srv))
			return srv;
	}
	srv = hlb_wlc_pick(lut);
	if (!srv)
		*drop = HLB_ST_A_DROP_MAX_CONNS;
	return srv;
}
