// SPDX-License-Identifier: GPL-2.0
/*
 * Packet rewriting: addresses and ports, with incremental checksum updates
 * that keep CHECKSUM_PARTIAL (GSO/GRO) skbs right, and ICMP errors whose
 * embedded packet is translated too, so PMTU discovery and port
 * unreachables work through hlb.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>

#include "xlate.h"

/* Where the L4 checksum of a header at @off is, or NULL if absent. */
static __sum16 *hlb_l4_check(struct sk_buff *skb, unsigned int off, u8 proto,
			     bool inner)
{
	unsigned int at = proto == IPPROTO_TCP ?
			  offsetof(struct tcphdr, check) :
			  offsetof(struct udphdr, check);

	/* An embedded TCP header may stop after its first 8 bytes. */
	if (inner && off + at + sizeof(__sum16) > skb_headlen(skb))
		return NULL;
	return (__sum16 *)(skb->data + off + at);
}

/*
 * Fold an address and port change into an L4 checksum. @skb is NULL for
 * an embedded header, whose checksum is a plain one.
 */
static void hlb_csum_l4(struct sk_buff *skb, __sum16 *check, u8 family,
			const union hlb_addr *from, const union hlb_addr *to,
			__be16 pfrom, __be16 pto)
{
	if (!skb) {
		if (family == AF_INET) {
			csum_replace4(check, from->ip, to->ip);
		} else {
			__be32 diff[] = {
				~from->in6.s6_addr32[0], ~from->in6.s6_addr32[1],
				~from->in6.s6_addr32[2], ~from->in6.s6_addr32[3],
				to->in6.s6_addr32[0], to->in6.s6_addr32[1],
				to->in6.s6_addr32[2], to->in6.s6_addr32[3],
			};

			*check = csum_fold(csum_partial(diff, sizeof(diff),
							~csum_unfold(*check)));
		}
		csum_replace2(check, pfrom, pto);
		return;
	}
	if (family == AF_INET)
		inet_proto_csum_replace4(check, skb, from->ip, to->ip, true);
	else
		inet_proto_csum_replace16(check, skb, from->in6.s6_addr32,
					  to->in6.s6_addr32, true);
	inet_proto_csum_replace2(check, skb, pfrom, pto, false);
}

/*
 * The L4 part of a rewrite: port and checksum. A zero UDP checksum means
 * "none" and stays so: over IPv4 always, over IPv6 where the receiver
 * allows it (tunnels, RFC 6935), and hlb is no receiver to judge. A
 * computed zero is sent as all ones.
 */
static void hlb_xlate_l4(struct sk_buff *skb, unsigned int off, u8 family,
			 u8 proto, bool dst, const union hlb_addr *from,
			 const union hlb_addr *to, __be16 port, bool inner)
{
	__be16 *ports = (__be16 *)(skb->data + off);
	__be16 *pp = dst ? &ports[1] : &ports[0];
	__sum16 *check = hlb_l4_check(skb, off, proto, inner);
	struct sk_buff *csum_skb = inner ? NULL : skb;
	bool udp = proto == IPPROTO_UDP;

	if (check && udp && !*check &&
	    (inner || skb->ip_summed != CHECKSUM_PARTIAL))
		check = NULL;
	if (check) {
		hlb_csum_l4(csum_skb, check, family, from, to, *pp, port);
		if (udp && !*check)
			*check = CSUM_MANGLED_0;
	}
	*pp = port;
}

/* The L3 part: the address, and the IPv4 header checksum. */
static void hlb_xlate_l3(struct sk_buff *skb, unsigned int off, u8 family,
			 bool dst, union hlb_addr *from,
			 const union hlb_addr *to)
{
	if (family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)(skb->data + off);
		__be32 *a = dst ? &iph->daddr : &iph->saddr;

		from->ip = *a;
		csum_replace4(&iph->check, *a, to->ip);
		*a = to->ip;
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + off);
		struct in6_addr *a = dst ? &ip6h->daddr : &ip6h->saddr;

		from->in6 = *a;
		*a = to->in6;
	}
}

int hlb_xlate(struct sk_buff *skb, const struct hlb_pkt *p, bool dst,
	      const union hlb_addr *addr, __be16 port)
{
	unsigned int l4len = p->t.proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
			     sizeof(struct udphdr);
	union hlb_addr from;

	if (skb_ensure_writable(skb, p->l4off + l4len))
		return -ENOMEM;
	hlb_xlate_l3(skb, skb_network_offset(skb), p->t.family, dst, &from,
		     addr);
	hlb_xlate_l4(skb, p->l4off, p->t.family, p->t.proto, dst, &from, addr,
		     port, false);
	return 0;
}

bool hlb_icmp_csum_ok(struct sk_buff *skb, const struct hlb_pkt *p)
{
	unsigned int len = skb->len - p->l4off;
	__wsum csum;

	/* Not computed yet (a local sender's offload): nothing to check. */
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return true;
	csum = skb_checksum(skb, p->l4off, len, 0);
	if (p->t.family == AF_INET)
		return !csum_fold(csum);
	return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
				len, IPPROTO_ICMPV6, csum);
}

/* An ICMP error's checksum, recomputed: it covers the whole message. */
static void hlb_icmp_csum(struct sk_buff *skb, const struct hlb_pkt *p)
{
	unsigned int len = skb->len - p->l4off;
	__wsum csum;

	if (p->t.family == AF_INET) {
		struct icmphdr *ih = (struct icmphdr *)(skb->data + p->l4off);

		ih->checksum = 0;
		ih->checksum = csum_fold(skb_checksum(skb, p->l4off, len, 0));
	} else {
		struct icmp6hdr *ih = (struct icmp6hdr *)(skb->data + p->l4off);
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ih->icmp6_cksum = 0;
		csum = skb_checksum(skb, p->l4off, len, 0);
		ih->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
						  len, IPPROTO_ICMPV6, csum);
	}
	skb->ip_summed = CHECKSUM_NONE;
}

int hlb_xlate_icmp(struct sk_buff *skb, const struct hlb_pkt *p,
		   bool inner_src, const union hlb_addr *addr, __be16 port)
{
	const union hlb_addr *inner_old = inner_src ? &p->inner.src :
				      &p->inner.dst;
	const union hlb_addr *outer = inner_src ? &p->t.dst : &p->t.src;
	u8 family = p->t.family;
	union hlb_addr from;

	/* Every byte up to the end: the checksum is recomputed over it. */
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	hlb_xlate_l3(skb, p->inner_l3off, family, !inner_src, &from, addr);
	hlb_xlate_l4(skb, p->inner_l4off, family, p->inner.proto, !inner_src,
		     &from, addr, port, true);
	/* The error's own address on that side, if it is the same host
	 * (the server itself, or the VIP); not if a router between sent it.
	 */
	if (!memcmp(outer, inner_old, hlb_addr_len(family)))
		hlb_xlate_l3(skb, skb_network_offset(skb), family, inner_src,
			     &from, addr);
	hlb_icmp_csum(skb, p);
	return 0;
}
