/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A service's lookup table: a weighted Maglev table of its servers, built
 * off the packet path, published with RCU, and kept after a change for
 * the transition period (flow protection).
 */
#ifndef _HLB_LUT_H
#define _HLB_LUT_H

#include "mapping.h"

/*
 * @entry indexes @servers, which holds the servers of weight > 0 at the
 * time of the build, each with a reference: a table kept for flow
 * protection may outlive the server's configuration.
 */
struct hlb_lut {
	struct rcu_head rcu;
	u32 size;
	u32 seed;			/* the flow hash of this table */
	u8 hash;			/* enum hlb_hash */
	u32 nservers;
	struct hlb_server **servers;
	u16 entry[];
};

/* A table as it would be with @srv at @weight. */
struct hlb_lut_change {
	const struct hlb_server *srv;
	u32 weight;
};

/* With hn->lock held. NULL in *@out when no server takes new flows. */
int hlb_lut_build_with(struct hlb_service *svc,
		       const struct hlb_svc_conf *conf,
		       const struct hlb_lut_change *chg, struct hlb_lut **out);

static inline int hlb_lut_build(struct hlb_service *svc,
				const struct hlb_svc_conf *conf,
				struct hlb_lut **out)
{
	return hlb_lut_build_with(svc, conf, NULL, out);
}

void hlb_lut_publish(struct hlb_net *hn, struct hlb_service *svc,
		     struct hlb_lut *lut);
void hlb_lut_expire(struct hlb_net *hn, struct hlb_service *svc);
void hlb_lut_adopt(struct hlb_net *hn, struct hlb_service *svc);

/* Flows without sessions are adopted (hlb_lut_adopt()). */
static inline bool hlb_lut_adopting(const struct hlb_service *svc)
{
	return READ_ONCE(svc->adopting) &&
	       time_before(jiffies, READ_ONCE(svc->adopt_until));
}

/* A table never published, or a dead service's tables, freed now. */
void hlb_lut_free(struct hlb_lut *lut);
void hlb_lut_free_all(struct hlb_service *svc);

/* The packet path, under RCU. */
struct hlb_server *hlb_lut_pick(const struct hlb_lut *lut,
				const struct hlb_tuple *t);
bool hlb_lut_moved(struct hlb_service *svc, const struct hlb_tuple *t,
		   struct hlb_server **prev_srv, struct hlb_server **cur_srv);

#endif /* _HLB_LUT_H */
