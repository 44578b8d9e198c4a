// SPDX-License-Identifier: GPL-2.0
/*
 * hlb: hybrid stateless/stateful layer-4 load balancer.
 *
 * Module init and exit, and the per-network-namespace state: every object
 * hlb has belongs to one namespace and dies with it.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "hlb.h"
#include "hook.h"
#include "hybrid.h"
#include "netlink.h"
#include "session.h"

unsigned int hlb_net_id __read_mostly;

static int __net_init hlb_net_init(struct net *net)
{
	struct hlb_net *hn = hlb_pernet(net);
	int err;

	hn->net = net;
	mutex_init(&hn->lock);
	hlb_config_defaults(&hn->cfg, net);
	err = hlb_stats_init(&hn->stats);
	if (err)
		return err;
	err = hlb_sessions_net_init(hn);
	if (err)
		goto free_stats;
	err = hlb_mapping_init(hn);
	if (err)
		goto sessions_exit;
	hlb_hybrid_net_init(hn);
	return 0;

sessions_exit:
	hlb_sessions_net_exit(hn);
free_stats:
	hlb_stats_free(&hn->stats);
	return err;
}

static void __net_exit hlb_net_exit(struct net *net)
{
	struct hlb_net *hn = hlb_pernet(net);

	/* Services first, and the hooks with them, so nothing on the packet
	 * path can queue work after it is cancelled.
	 */
	mutex_lock(&hn->lock);
	hlb_service_flush(hn);
	hlb_hooks_update(hn);
	mutex_unlock(&hn->lock);
	hlb_mapping_exit(hn);
	hlb_hybrid_net_exit(hn);
	hlb_sessions_net_exit(hn);
	hlb_stats_free(&hn->stats);
}

static struct pernet_operations hlb_net_ops = {
	.init = hlb_net_init,
	.exit = hlb_net_exit,
	.id = &hlb_net_id,
	.size = sizeof(struct hlb_net),
};

static int __init hlb_init(void)
{
	int err;

	err = hlb_session_init();
	if (err)
		return err;
	err = register_pernet_subsys(&hlb_net_ops);
	if (err)
		goto session_exit;
	err = hlb_genl_init();
	if (err)
		goto unregister_pernet;
	pr_info("%s loaded\n", HLB_VERSION);
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&hlb_net_ops);
session_exit:
	hlb_session_exit();
	return err;
}

/* A chain of frees is this long at most: session, service, server. */
#define HLB_EXIT_BARRIERS	8

/*
 * Objects die in RCU callbacks that queue the next: a session's drops its
 * service's last reference; the service's frees its lookup tables, which
 * drop the servers' (as does a replaced table's own callback). Each
 * rcu_barrier() waits for one generation; once every object is gone, one
 * more waits for the callback that freed the last one to return, so that
 * no code of this module runs after exit. Objects left by then were
 * leaked, not pending: say so.
 */
static void hlb_wait_objects(void)
{
	int i;

	for (i = 0; i < HLB_EXIT_BARRIERS && hlb_obj_alive(); i++)
		rcu_barrier();
	rcu_barrier();
	WARN(hlb_obj_alive(), "hlb: objects left at exit\n");
}

static void __exit hlb_exit(void)
{
	/* No new requests first, then no namespaces, then no callbacks. */
	hlb_genl_exit();
	unregister_pernet_subsys(&hlb_net_ops);
	hlb_wait_objects();
	hlb_session_exit();
}

module_init(hlb_init);
module_exit(hlb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hybrid stateless/stateful layer-4 load balancer");
MODULE_VERSION(HLB_VERSION);
MODULE_ALIAS_GENL_FAMILY(HLB_GENL_NAME);
