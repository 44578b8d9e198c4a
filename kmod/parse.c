// SPDX-License-Identifier: GPL-2.0
/*
 * Packet parsing for the hooks: addresses, ports and TCP flags of TCP and
 * UDP packets, and of the packet embedded in an ICMP or ICMPv6 error.
 *
 * The IP layer has validated the outer IPv4 header (or IPv6 fixed header)
 * before our hooks run; everything past it is checked here, and every
 * read is preceded by pskb_may_pull() of what it reads. Returns 0 for a
 * packet hlb may translate, 1 for one it leaves alone, -EINVAL for a
 * malformed one.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/ip.h>

#include "parse.h"

#define HLB_PASS 1

static bool hlb_icmp4_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

static bool hlb_icmp6_is_error(u8 type)
{
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

/* Ports (and TCP flags) of a TCP or UDP header at @off. */
static int hlb_parse_ports(struct sk_buff *skb, unsigned int off,
			   struct hlb_tuple *t, u8 *tcp_flags, bool whole)
{
	unsigned int need = t->proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
			    sizeof(struct udphdr);
	const __be16 *ports;

	/* An embedded header needs only its first 8 bytes: RFC 792. */
	if (!whole)
		need = 8;
	if (!pskb_may_pull(skb, off + need))
		return -EINVAL;
	ports = (const __be16 *)(skb->data + off);
	t->sport = ports[0];
	t->dport = ports[1];
	if (t->proto == IPPROTO_TCP && whole) {
		const struct tcphdr *th = (const void *)ports;

		if (th->doff < sizeof(*th) / 4)
			return -EINVAL;
		*tcp_flags = ((const u8 *)th)[13];
	}
	/* Port 0 is no service's: leave it alone. */
	if (!t->sport || !t->dport)
		return HLB_PASS;
	return 0;
}

static int hlb_parse_l4(struct sk_buff *skb, unsigned int off,
			struct hlb_tuple *t, u8 *tcp_flags, bool whole)
{
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return HLB_PASS;
	return hlb_parse_ports(skb, off, t, tcp_flags, whole);
}

/*
 * The IPv4 header at @off: addresses, protocol, where L4 starts.
 *
 * Fragments were reassembled by nf_defrag; one that is left could not be,
 * and has no ports to translate by. In an ICMP error (@inner), though, the
 * embedded packet may well be a first fragment (a "reassembly time
 * exceeded" error carries one): offset 0 has the L4 header, so it is kept;
 * a later fragment has no ports and is left alone.
 */
static int hlb_parse_ip4(struct sk_buff *skb, unsigned int off,
			 struct hlb_tuple *t, unsigned int *l4off, bool inner)
{
	const struct iphdr *iph;

	if (!pskb_may_pull(skb, off + sizeof(*iph)))
		return -EINVAL;
	iph = (const struct iphdr *)(skb->data + off);
	if (iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	if (!pskb_may_pull(skb, off + iph->ihl * 4))
		return -EINVAL;
	iph = (const struct iphdr *)(skb->data + off);
	if (iph->frag_off & htons(IP_OFFSET))
		return HLB_PASS;
	if (!inner && (iph->frag_off & htons(IP_MF)))
		return HLB_PASS;
	t->family = AF_INET;
	t->proto = iph->protocol;
	t->src.ip = iph->saddr;
	t->dst.ip = iph->daddr;
	*l4off = off + iph->ihl * 4;
	return 0;
}

/*
 * The IPv6 extension headers from *@off: the upper-layer protocol in
 * @nexthdr and its offset in *@off. HLB_PASS for a packet that has no
 * header hlb could translate by (No Next Header; a fragment, but the first
 * of an embedded packet), -EINVAL for a chain that runs past the packet.
 * ipv6_skip_exthdr() says -1 both for No Next Header, which is legal (RFC
 * 8200 4.7) and for a truncated chain, which is not: hlb must tell them
 * apart. The walk is ipv6_skip_exthdr()'s otherwise.
 */
static int hlb_skip_exthdr(struct sk_buff *skb, unsigned int *off,
			   u8 *nexthdr, bool inner)
{
	struct ipv6_opt_hdr _hdr, *hp;
	struct frag_hdr _fh, *fh;

	while (ipv6_ext_hdr(*nexthdr)) {
		if (*nexthdr == NEXTHDR_NONE)
			return HLB_PASS;
		if (*nexthdr == NEXTHDR_FRAGMENT) {
			fh = skb_header_pointer(skb, *off, sizeof(_fh), &_fh);
			if (!fh)
				return -EINVAL;
			/* As for IPv4 (hlb_parse_ip4). */
			if (fh->frag_off & htons(IP6_OFFSET))
				return HLB_PASS;
			if (!inner && (fh->frag_off & htons(IP6_MF)))
				return HLB_PASS;
			*nexthdr = fh->nexthdr;
			*off += sizeof(*fh);
			continue;
		}
		hp = skb_header_pointer(skb, *off, sizeof(_hdr), &_hdr);
		if (!hp)
			return -EINVAL;
		*off += *nexthdr == NEXTHDR_AUTH ? ipv6_authlen(hp) :
			ipv6_optlen(hp);
		*nexthdr = hp->nexthdr;
	}
	return 0;
}

static int hlb_parse_ip6(struct sk_buff *skb, unsigned int off,
			 struct hlb_tuple *t, unsigned int *l4off, bool inner)
{
	const struct ipv6hdr *ip6h;
	u8 nexthdr;
	int err;

	if (!pskb_may_pull(skb, off + sizeof(*ip6h)))
		return -EINVAL;
	ip6h = (const struct ipv6hdr *)(skb->data + off);
	if (ip6h->version != 6)
		return -EINVAL;
	t->family = AF_INET6;
	t->src.in6 = ip6h->saddr;
	t->dst.in6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	off += sizeof(*ip6h);
	err = hlb_skip_exthdr(skb, &off, &nexthdr, inner);
	if (err)
		return err;
	t->proto = nexthdr;
	*l4off = off;
	return 0;
}

static int hlb_parse_l3(struct sk_buff *skb, u8 family, unsigned int off,
			struct hlb_tuple *t, unsigned int *l4off, bool inner)
{
	memset(t, 0, sizeof(*t));
	if (family == AF_INET)
		return hlb_parse_ip4(skb, off, t, l4off, inner);
	return hlb_parse_ip6(skb, off, t, l4off, inner);
}

/* The packet an ICMP error carries, right after its 8-byte header. */
static int hlb_parse_icmp(struct sk_buff *skb, struct hlb_pkt *p)
{
	unsigned int off = p->l4off + sizeof(struct icmphdr);
	bool v4 = p->t.family == AF_INET;
	u8 type, unused;
	int err;

	BUILD_BUG_ON(sizeof(struct icmphdr) != sizeof(struct icmp6hdr));
	if (!pskb_may_pull(skb, off))
		return -EINVAL;
	type = skb->data[p->l4off];
	if (v4 ? !hlb_icmp4_is_error(type) : !hlb_icmp6_is_error(type))
		return HLB_PASS;
	p->icmp_err = true;
	p->inner_l3off = off;
	err = hlb_parse_l3(skb, p->t.family, off, &p->inner, &p->inner_l4off,
			   true);
	if (err)
		return err;
	/*
	 * An error goes to the host that sent the packet it is about: the
	 * VIP (client side) or the client (server side). One sent anywhere
	 * else is about a packet that is not hlb's flow's, whatever its
	 * ports say: hlb leaves it alone.
	 */
	if (memcmp(&p->t.dst, &p->inner.src, hlb_addr_len(p->t.family)))
		return HLB_PASS;
	return hlb_parse_l4(skb, p->inner_l4off, &p->inner, &unused, false);
}

/*
 * Most of hlb's packets: IPv4 TCP or UDP, not a fragment, the whole L4
 * header in the linear head, sane. They skip the general walk, which
 * takes any other packet (and says what is wrong with a broken one).
 */
static bool hlb_parse_fast4(const struct sk_buff *skb, struct hlb_pkt *p)
{
	unsigned int off = skb_network_offset(skb), l4, need;
	const struct iphdr *iph = (const void *)(skb->data + off);
	const struct tcphdr *th;

	if (ip_is_fragment(iph))
		return false;
	if (iph->protocol == IPPROTO_TCP)
		need = sizeof(struct tcphdr);
	else if (iph->protocol == IPPROTO_UDP)
		need = sizeof(struct udphdr);
	else
		return false;
	l4 = off + iph->ihl * 4;
	if (l4 + need > skb_headlen(skb))
		return false;
	th = (const void *)(skb->data + l4);
	if (!th->source || !th->dest)
		return false;
	if (iph->protocol == IPPROTO_TCP && th->doff < sizeof(*th) / 4)
		return false;
	memset(&p->t, 0, sizeof(p->t));
	p->t.family = AF_INET;
	p->t.proto = iph->protocol;
	p->t.src.ip = iph->saddr;
	p->t.dst.ip = iph->daddr;
	p->t.sport = th->source;
	p->t.dport = th->dest;
	p->l4off = l4;
	if (iph->protocol == IPPROTO_TCP)
		p->tcp_flags = ((const u8 *)th)[13];
	return true;
}

int hlb_parse(struct sk_buff *skb, u8 pf, struct hlb_pkt *p)
{
	u8 family = pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	u8 icmp = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int err;

	p->tcp_flags = 0;
	p->icmp_err = false;
	if (family == AF_INET && hlb_parse_fast4(skb, p))
		return 0;
	err = hlb_parse_l3(skb, family, skb_network_offset(skb), &p->t,
			   &p->l4off, false);
	if (err)
		return err;
	if (p->t.proto == icmp)
		return hlb_parse_icmp(skb, p);
	return hlb_parse_l4(skb, p->l4off, &p->t, &p->tcp_flags, true);
}

/*
 * The common case, cheaply: a TCP or UDP packet with no IPv4 fragment
 * offset and no IPv6 extension header, whose ports are in the linear
 * head. Its protocol and one port (the destination's with @dst) go to
 * @proto and @port and it returns true; anything else returns false and
 * gets hlb_parse(). Reads nothing past skb_headlen().
 */
bool hlb_peek_port(const struct sk_buff *skb, u8 pf, bool dst, u8 *proto,
		   __be16 *port)
{
	unsigned int off = skb_network_offset(skb), l4;
	const __be16 *ports;

	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = (const void *)(skb->data + off);

		if (ip_is_fragment(iph))
			return false;
		*proto = iph->protocol;
		l4 = off + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = (const void *)(skb->data + off);

		*proto = ip6h->nexthdr;
		l4 = off + sizeof(*ip6h);
	}
	if (*proto != IPPROTO_TCP && *proto != IPPROTO_UDP)
		return false;
	if (l4 + 2 * sizeof(__be16) > skb_headlen(skb))
		return false;
	ports = (const __be16 *)(skb->data + l4);
	*port = ports[dst];
	return true;
}
