// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter glue: the packet path.
 *
 * A packet whose port no service (at PRE_ROUTING) or server (at
 * POST_ROUTING) has is not hlb's and passes after a bit test (filter.c).
 * Otherwise the service or server is found, then the flow's session if
 * the service has sessions, and the mapping decides only for a flow no
 * session knows. Packets to a service (client -> VIP) are translated at
 * PRE_ROUTING, before routing, so they are routed to the chosen server.
 * Packets from a server (server -> client) are translated at POST_ROUTING.
 *
 * Priorities. With nf_conntrack loaded, conntrack must see one consistent
 * flow, client <-> server:
 *  - PRE_ROUTING at NF_IP_PRI_RAW - 50 (-350): after nf_defrag (-400), so
 *    hlb sees whole datagrams, and before the raw table (-300) and
 *    conntrack (-200), which therefore see client -> server;
 *  - POST_ROUTING at NF_IP_PRI_CONNTRACK_HELPER + 50 (350): after source
 *    NAT (100) and conntrack helpers (300), before conntrack confirms the
 *    entry (INT_MAX); conntrack has seen the reply as server -> client at
 *    PRE_ROUTING, and never sees the VIP.
 * The hooks are registered only while the namespace has a service.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "hook.h"
#include "filter.h"
#include "hybrid.h"
#include "lut.h"
#include "sched.h"
#include "session.h"
#include "xlate.h"
#include "core/tcp.h"

#define HLB_PRI_IN	(NF_IP_PRI_RAW - 50)
#define HLB_PRI_OUT	(NF_IP_PRI_CONNTRACK_HELPER + 50)

/* At the server only: its service and namespace add it up when read. */
static void hlb_count(struct hlb_server *srv, int hit, unsigned int len)
{
	hlb_stats_packet(&srv->stats, hit, len, false);
}

static unsigned int hlb_drop(struct hlb_net *hn, struct hlb_service *svc,
			     int why)
{
	hlb_stat_add(svc ? &svc->stats : &hn->stats, why, 1);
	return NF_DROP;
}

static void hlb_tuple_key(const struct hlb_tuple *t, bool dst,
			  struct hlb_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = t->family;
	k->proto = t->proto;
	k->addr = dst ? t->dst : t->src;
	k->port = ntohs(dst ? t->dport : t->sport);
}

/* The tuple of the other direction. */
static void hlb_tuple_swap(const struct hlb_tuple *t, struct hlb_tuple *r)
{
	*r = *t;
	r->src = t->dst;
	r->dst = t->src;
	r->sport = t->dport;
	r->dport = t->sport;
}

/*
 * A destination rewritten (at PRE_ROUTING) makes any route the skb has
 * wrong: a packet already routed, sent to a local VIP over loopback or
 * re-injected, would be delivered to the VIP, not sent to the server. The
 * route is dropped and looked up again, as nf_nat does.
 */
static unsigned int hlb_rewrite(struct sk_buff *skb, const struct hlb_pkt *p,
				bool dst, const union hlb_addr *addr, u16 port)
{
	if (hlb_xlate(skb, p, dst, addr, htons(port)))
		return NF_DROP;
	/* Routed again: after PRE_ROUTING, or by hlb_local_reroute(). */
	if (dst && !p->local)
		skb_dst_drop(skb);
	return NF_ACCEPT;
}

static bool hlb_is_syn(u8 flags)
{
	return (flags & (HLB_TCPF_SYN | HLB_TCPF_ACK | HLB_TCPF_RST)) ==
	       HLB_TCPF_SYN;
}

/* A TCP packet that is not a SYN belongs to a flow that exists already. */
static bool hlb_starts_flow(const struct hlb_pkt *p)
{
	return p->t.proto != IPPROTO_TCP || hlb_is_syn(p->tcp_flags);
}

/*
 * Translated towards @srv by the mapping. A new flow is counted with the
 * packet, at the server; one that is dropped, at its service.
 */
static unsigned int hlb_in_mapped(struct hlb_server *srv, struct sk_buff *skb,
				  const struct hlb_pkt *p)
{
	hlb_stats_packet(&srv->stats, HLB_ST_A_MAPPING_HITS, skb->len,
			 hlb_starts_flow(p));
	return hlb_rewrite(skb, p, true, &srv->key.addr, srv->key.port);
}

static unsigned int hlb_drop_flow(struct hlb_service *svc, int why,
				  const struct hlb_pkt *p)
{
	hlb_stats_add2(&svc->stats, why, 1,
		       hlb_starts_flow(p) ? HLB_ST_A_NEW_FLOWS : 0, 1);
	return NF_DROP;
}

/*
 * An RST ends a flow: it never makes a session (one from a spoofed RST
 * would hold a place in the table for nothing). It goes where the mapping
 * says.
 */
static bool hlb_is_rst(const struct hlb_pkt *p)
{
	return p->t.proto == IPPROTO_TCP && (p->tcp_flags & HLB_TCPF_RST);
}

/*
 * The flow keeps its server from now on: it gets a (learned) session.
 * Not over the fill limit: anyone can send a segment into a moved bucket,
 * and such sessions must not fill the table that new flows need. The
 * segment still goes to its previous server.
 */
static unsigned int hlb_in_learned(struct hlb_net *hn,
				   struct hlb_service *svc,
				   struct hlb_server *srv, struct sk_buff *skb,
				   const struct hlb_pkt *p)
{
	struct hlb_session *s;

	if (!hlb_is_rst(p) && !hlb_sessions_over_fill_limit(hn)) {
		s = hlb_session_create(hn, svc, srv, &p->t,
				       HLB_TCP_ESTABLISHED, true);
		if (!IS_ERR(s))
			srv = s->srv;
	}
	return hlb_in_mapped(srv, skb, p);
}

/* A hybrid service over a session watermark: decide now, not in 1 s. */
static void hlb_hybrid_check(struct hlb_net *hn, struct hlb_service *svc,
			     const struct hlb_svc_conf *conf)
{
	u32 high = conf->hybrid[HLB_HYB_A_SESSIONS_HIGH];

	if (conf->mode != HLB_MODE_HYBRID)
		return;
	if ((high && atomic_read(&svc->nsessions) >= high) ||
	    hlb_sessions_over_fill_limit(hn))
		hlb_hybrid_kick(hn, svc);
}

static unsigned int hlb_in_stateful(struct hlb_net *hn,
				    struct hlb_service *svc,
				    const struct hlb_svc_conf *conf,
				    struct hlb_server *srv, struct sk_buff *skb,
				    const struct hlb_pkt *p)
{
	u8 state = HLB_TCP_NONE;
	struct hlb_session *s;

	if (hlb_is_rst(p))
		return hlb_in_mapped(srv, skb, p);
	if (p->t.proto == IPPROTO_TCP)
		state = hlb_tcp_initial(p->tcp_flags);
	s = hlb_session_create(hn, svc, srv, &p->t, state, false);
	hlb_hybrid_check(hn, svc, conf);
	if (!IS_ERR(s))
		srv = s->srv;
	else if (READ_ONCE(svc->method) == HLB_METHOD_STATEFUL)
		return hlb_drop_flow(svc, PTR_ERR(s) == -ENOSPC ?
				     HLB_ST_A_DROP_SESSION_LIMIT :
				     HLB_ST_A_DROP_SESSION_FAIL, p);
	/* (A stateless service only protects its flows: it goes on.) */
	return hlb_in_mapped(srv, skb, p);
}

/*
 * A packet to a service that no session knows: the mapping decides.
 *
 * While a mapping change is recent, TCP flows in moved buckets get
 * sessions even when the service is stateless: an established flow (not a
 * SYN) one that keeps its previous server (learned), a new flow (a SYN)
 * one that keeps its new server, so that its next packets, which are not
 * SYNs, are not taken for an established flow of the previous table. Not
 * over the fill limit, though: a SYN flood during a transition must not
 * fill the table that other services need.
 */
static unsigned int hlb_in_new(struct hlb_net *hn, struct hlb_service *svc,
			       struct sk_buff *skb, const struct hlb_pkt *p)
{
	const struct hlb_svc_conf *conf = rcu_dereference(svc->conf);
	bool stateful = READ_ONCE(svc->method) == HLB_METHOD_STATEFUL;
	bool starts = hlb_starts_flow(p), moved, adopt;
	struct hlb_server *srv, *prev_srv, *cur_srv;
	int drop;

	/*
	 * A flow that began while the service was stateless has no session:
	 * it goes where the table put it then, and is adopted.
	 */
	adopt = !starts && stateful && p->t.proto == IPPROTO_TCP &&
		hlb_lut_adopting(svc);
	/*
	 * Strict comes before flow protection: it refuses a segment that
	 * has no session and is not a SYN, and a moved bucket does not
	 * change that (the same segment was refused before the change).
	 * Learning it instead would let any stray ACK in, with a session of
	 * its own, for the whole transition period.
	 */
	if (!starts && stateful && conf->strict && !adopt &&
	    p->t.proto == IPPROTO_TCP)
		return hlb_drop(hn, svc, HLB_ST_A_DROP_STRICT);
	moved = hlb_lut_moved(svc, &p->t, &prev_srv, &cur_srv);
	if (!starts && moved && prev_srv)
		return hlb_in_learned(hn, svc, prev_srv, skb, p);
	srv = hlb_pick_server(svc, conf, &p->t, stateful && !adopt, &drop);
	if (!srv)
		return hlb_drop_flow(svc, drop, p);
	if (adopt)
		return hlb_in_learned(hn, svc, srv, skb, p);
	if (stateful || (moved && starts && !hlb_sessions_over_fill_limit(hn)))
		return hlb_in_stateful(hn, svc, conf, srv, skb, p);
	return hlb_in_mapped(srv, skb, p);
}

/*
 * A SYN on the tuple of a connection that has ended is a new connection:
 * it is placed again (its old server may be drained or full) rather than
 * sent where the last one went.
 */
static bool hlb_reused(const struct hlb_session *s, const struct hlb_pkt *p)
{
	u8 state = READ_ONCE(s->state);

	return p->t.proto == IPPROTO_TCP && hlb_is_syn(p->tcp_flags) &&
	       (state == HLB_TCP_TIME_WAIT || state == HLB_TCP_CLOSE);
}

/*
 * Client -> VIP: the service first, its sessions only if it has any (a
 * stateless service has none, and its packets pay for no lookup there).
 */
static unsigned int hlb_in_flow(struct hlb_net *hn, struct sk_buff *skb,
				const struct hlb_pkt *p)
{
	struct hlb_session *s = NULL;
	struct hlb_service *svc;
	struct hlb_key key;

	if (!hlb_filter_port(hn, HLB_FILTER_VIP, p->t.proto, p->t.dport))
		return NF_ACCEPT;
	hlb_tuple_key(&p->t, true, &key);
	svc = hlb_service_find(hn, &key);
	if (!svc)
		return NF_ACCEPT;
	if (atomic_read(&svc->nsessions))
		s = hlb_session_find(hn, &p->t);
	if (s && hlb_reused(s, p)) {
		hlb_session_delete(hn, s);
		s = NULL;
	}
	if (!s)
		return hlb_in_new(hn, svc, skb, p);
	hlb_session_touch(hn, s, HLB_DIR_ORIG, p->tcp_flags);
	hlb_count(s->srv, HLB_ST_A_SESSION_HITS, skb->len);
	return hlb_rewrite(skb, p, true, &s->srv->key.addr, s->srv->key.port);
}

/*
 * The session of a server's packet (@reply: server -> client): the table
 * knows a flow by what its client sends, the client's address and port
 * and the VIP of the server's service. Only @srv's: another server of the
 * service may answer the same client port (a flow placed again).
 */
static struct hlb_session *hlb_reply_session(struct hlb_net *hn,
					     struct hlb_server *srv,
					     const struct hlb_tuple *reply)
{
	const struct hlb_service *svc = srv->svc;
	struct hlb_tuple orig;
	struct hlb_session *s;

	/* A stateless service's replies need no lookup at all. */
	if (!atomic_read(&svc->nsessions))
		return NULL;
	memset(&orig, 0, sizeof(orig));
	orig.family = reply->family;
	orig.proto = reply->proto;
	orig.src = reply->dst;
	orig.sport = reply->dport;
	orig.dst = svc->key.addr;
	orig.dport = htons(svc->key.port);
	s = hlb_session_find(hn, &orig);
	return s && s->srv == srv ? s : NULL;
}

/* Server -> client. */
static unsigned int hlb_out_flow(struct hlb_net *hn, struct sk_buff *skb,
				 const struct hlb_pkt *p)
{
	struct hlb_server *srv;
	struct hlb_session *s;
	struct hlb_key key;

	if (!hlb_filter_port(hn, HLB_FILTER_SERVER, p->t.proto, p->t.sport))
		return NF_ACCEPT;
	hlb_tuple_key(&p->t, false, &key);
	srv = hlb_server_find(hn, &key);
	if (!srv)
		return NF_ACCEPT;
	s = hlb_reply_session(hn, srv, &p->t);
	if (s) {
		hlb_session_touch(hn, s, HLB_DIR_REPLY, p->tcp_flags);
		hlb_count(s->srv, HLB_ST_A_SESSION_HITS, skb->len);
		return hlb_rewrite(skb, p, false, &srv->svc->key.addr,
				   srv->svc->key.port);
	}
	hlb_count(srv, HLB_ST_A_MAPPING_HITS, skb->len);
	return hlb_rewrite(skb, p, false, &srv->svc->key.addr,
			   srv->svc->key.port);
}

static unsigned int hlb_icmp_rewrite(struct sk_buff *skb,
				     const struct hlb_pkt *p, bool inner_src,
				     const union hlb_addr *addr, u16 port)
{
	if (hlb_xlate_icmp(skb, p, inner_src, addr, htons(port)))
		return NF_DROP;
	/* Towards the server: as in hlb_rewrite(). */
	if (inner_src && !p->local)
		skb_dst_drop(skb);
	return NF_ACCEPT;
}

/*
 * An ICMP error about a flow of a stateful service that has no session is
 * about no flow hlb placed: most likely spoofed, crafted to reach a server
 * (as conntrack sees it: related to no connection, INVALID). hlb does not
 * translate it and leaves it alone, uncounted, as conntrack does: sent on
 * untranslated, it goes to the VIP or to a server's own address, which is
 * what the sender wrote, and reaches no flow. Dropping is the firewall's
 * choice to make (ct state invalid drop), not the balancer's.
 */
static bool hlb_icmp_stray(const struct hlb_service *svc,
			   const struct hlb_session *s)
{
	return !s && READ_ONCE(svc->method) == HLB_METHOD_STATEFUL;
}

/*
 * An ICMP error to a VIP, about a packet the VIP sent to a client: it
 * goes to the server that sent that packet.
 */
static unsigned int hlb_in_icmp(struct hlb_net *hn, struct sk_buff *skb,
				const struct hlb_pkt *p)
{
	const struct hlb_lut *lut;
	struct hlb_service *svc;
	struct hlb_session *s;
	struct hlb_server *srv;
	struct hlb_tuple orig;
	struct hlb_key key;

	hlb_tuple_swap(&p->inner, &orig);
	s = hlb_session_find(hn, &orig);
	if (s) {
		srv = s->srv;
		svc = s->svc;
	} else {
		hlb_tuple_key(&orig, true, &key);
		svc = hlb_service_find(hn, &key);
		lut = svc ? rcu_dereference(svc->lut) : NULL;
		if (!lut)
			return NF_ACCEPT;
		if (hlb_icmp_stray(svc, s))
			return NF_ACCEPT;
		srv = hlb_lut_pick(lut, &orig);
	}
	/* hlb's packet, about to get a new checksum: a bad one is dropped. */
	if (!hlb_icmp_csum_ok(skb, p))
		return hlb_drop(hn, NULL, HLB_ST_A_MALFORMED);
	hlb_count(srv, s ? HLB_ST_A_SESSION_HITS :
		  HLB_ST_A_MAPPING_HITS, skb->len);
	return hlb_icmp_rewrite(skb, p, true, &srv->key.addr, srv->key.port);
}

/*
 * An ICMP error about a packet a client sent to a server (from the server,
 * or from a router on the way, this one included): the client must see it
 * as about its packet to the VIP.
 */
static unsigned int hlb_out_icmp(struct hlb_net *hn, struct sk_buff *skb,
				 const struct hlb_pkt *p)
{
	struct hlb_tuple reply;
	struct hlb_session *s;
	struct hlb_server *srv;
	struct hlb_key key;
	int hit;

	hlb_tuple_swap(&p->inner, &reply);
	hlb_tuple_key(&reply, false, &key);
	srv = hlb_server_find(hn, &key);
	if (!srv)
		return NF_ACCEPT;
	s = hlb_reply_session(hn, srv, &reply);
	if (hlb_icmp_stray(srv->svc, s))
		return NF_ACCEPT;
	if (!hlb_icmp_csum_ok(skb, p))
		return hlb_drop(hn, NULL, HLB_ST_A_MALFORMED);
	hit = s ? HLB_ST_A_SESSION_HITS : HLB_ST_A_MAPPING_HITS;
	hlb_count(srv, hit, skb->len);
	return hlb_icmp_rewrite(skb, p, false, &srv->svc->key.addr,
				srv->svc->key.port);
}

/*
 * A packet too broken to parse is hlb's to drop, and count, only if it is
 * to a VIP's address (or from a server's). Anyone else's passes as it
 * came: its destination judges it.
 */
static unsigned int hlb_malformed(struct hlb_net *hn, const struct hlb_pkt *p,
				  bool in)
{
	const struct hlb_tuple *t = &p->t;

	if (!t->family ||
	    !hlb_filter_addr(hn, in ? HLB_FILTER_VIP : HLB_FILTER_SERVER,
			     t->family, in ? &t->dst : &t->src))
		return NF_ACCEPT;
	return hlb_drop(hn, NULL, HLB_ST_A_MALFORMED);
}

/* The destination is no longer the one the packet was routed by. */
static bool hlb_dst_changed(const struct sk_buff *skb,
			    const struct hlb_pkt *p)
{
	if (p->t.family == AF_INET)
		return ip_hdr(skb)->daddr != p->t.dst.ip;
	return !ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &p->t.dst.in6);
}

/*
 * The router's own connection to a VIP (a proxy, a prober): translated at
 * LOCAL_OUT, after the route to the VIP was chosen, so routed again to
 * the server, as NAT does for a local DNAT.
 */
static unsigned int hlb_local_reroute(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct hlb_pkt *p,
				      unsigned int verdict)
{
	int err;

	if (verdict != NF_ACCEPT || !hlb_dst_changed(skb, p))
		return verdict;
	if (state->pf == NFPROTO_IPV4)
		err = ip_route_me_harder(state->net, state->sk, skb,
					 RTN_UNSPEC);
	else
		err = ip6_route_me_harder(state->net, state->sk, skb);
	return err < 0 ? NF_DROP_ERR(err) : NF_ACCEPT;
}

/*
 * Every hook: PRE_ROUTING and LOCAL_OUT see client -> VIP (LOCAL_OUT: the
 * router is the client), POST_ROUTING and LOCAL_IN server -> client.
 * @priv is the namespace's state (hlb_hooks_register()).
 */
static unsigned int hlb_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	bool in = state->hook == NF_INET_PRE_ROUTING ||
		  state->hook == NF_INET_LOCAL_OUT;
	struct hlb_net *hn = priv;
	unsigned int verdict;
	struct hlb_pkt p;
	__be16 port;
	u8 proto;
	int err;

	/* Most traffic through a router is not hlb's: let it go early. */
	if (hlb_peek_port(skb, state->pf, in, &proto, &port) &&
	    !hlb_filter_port(hn, in ? HLB_FILTER_VIP : HLB_FILTER_SERVER,
			     proto, port))
		return NF_ACCEPT;
	err = hlb_parse(skb, state->pf, &p);
	if (err)
		return err > 0 ? NF_ACCEPT : hlb_malformed(hn, &p, in);
	p.local = state->hook == NF_INET_LOCAL_OUT;
	if (p.icmp_err)
		verdict = in ? hlb_in_icmp(hn, skb, &p) :
			       hlb_out_icmp(hn, skb, &p);
	else
		verdict = in ? hlb_in_flow(hn, skb, &p) :
			       hlb_out_flow(hn, skb, &p);
	return p.local ? hlb_local_reroute(skb, state, &p, verdict) : verdict;
}

static const struct nf_hook_ops hlb_hook_ops[HLB_HOOKS] = {
	{
		.hook = hlb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = HLB_PRI_IN,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = HLB_PRI_OUT,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = HLB_PRI_IN,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = HLB_PRI_OUT,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = HLB_PRI_IN,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = HLB_PRI_OUT,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = HLB_PRI_IN,
	}, {
		.hook = hlb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = HLB_PRI_OUT,
	},
};

static int hlb_hooks_register(struct hlb_net *hn)
{
	struct net *net = hn->net;
	int err, i;

	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto defrag4;
	/* Each namespace its own copy, which carries its state. */
	memcpy(hn->hook_ops, hlb_hook_ops, sizeof(hn->hook_ops));
	for (i = 0; i < HLB_HOOKS; i++)
		hn->hook_ops[i].priv = hn;
	err = nf_register_net_hooks(net, hn->hook_ops, HLB_HOOKS);
	if (err)
		goto defrag6;
	hn->hooked = true;
	return 0;

defrag6:
	nf_defrag_ipv6_disable(net);
defrag4:
	nf_defrag_ipv4_disable(net);
	return err;
}

static void hlb_hooks_unregister(struct hlb_net *hn)
{
	nf_unregister_net_hooks(hn->net, hn->hook_ops, HLB_HOOKS);
	nf_defrag_ipv6_disable(hn->net);
	nf_defrag_ipv4_disable(hn->net);
	hn->hooked = false;
}

int hlb_hooks_update(struct hlb_net *hn)
{
	lockdep_assert_held(&hn->lock);
	if (hn->nservices && !hn->hooked)
		return hlb_hooks_register(hn);
	if (!hn->nservices && hn->hooked)
		hlb_hooks_unregister(hn);
	return 0;
}
