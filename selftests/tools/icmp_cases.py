#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ICMP errors (and one UDP datagram) through hlb, sent as raw frames from
the client (towards a VIP) or from srv1 (towards the client), captured
at the other end; reports per case whether the packet hlb should make of
it arrived, byte for byte, and how hlb's namespace counters moved.

    icmp_cases.py RTR_NETNS RTR_MAC_C1 RTR_MAC_S1 HLB SRV1_NETNS
    icmp_cases.py --list

Runs in the client's namespace (10.0.1.2, fd00:1::2). The services (see
hlb_icmp.sh): UDP port 80 of the VIPs, stateless, and port 81, stateful,
each with srv1 alone (10.1.1.2, fd01:1::2), ports 8080 and 8081. Prints:

    NAME arrived=0|1 packets=D malformed=D

arrived=1 when the expected packet (the translation, or the packet as
sent, forwarded, for errors hlb must leave alone) was captured.
"""
import os
import sys

from scapy.all import (ICMP, IP, UDP, ICMPv6DestUnreach, ICMPv6PacketTooBig,
                       ICMPv6TimeExceeded, IPv6, IPv6ExtHdrFragment, raw)

import pktlib

CL4, CL6 = "10.0.1.2", "fd00:1::2"
VIP4, VIP6 = "10.9.0.1", "fd09::1"
S4, S6 = "10.1.1.2", "fd01:1::2"
PAY = b"the datagram the error is about"


def v6(a):
    return ":" in a


def ip(src, dst, ttl=64, **kw):
    if v6(src):
        return IPv6(src=src, dst=dst, hlim=ttl, **kw)
    return IP(src=src, dst=dst, ttl=ttl, id=1, **kw)


def err(src, dst, inner, ttl=64, frag=None, chksum=None):
    """An error from src to dst about inner (src, dst, sport, dport):
    fragmentation needed / packet too big, or with frag "first" or
    "later", reassembly time exceeded about a fragment."""
    isrc, idst, sport, dport = inner
    if frag:
        off = 0 if frag == "first" else 64
        if v6(src):
            emb = (IPv6(src=isrc, dst=idst) /
                   IPv6ExtHdrFragment(id=9, m=1, offset=off))
            head = ICMPv6TimeExceeded(code=1, cksum=chksum)
        else:
            emb = IP(src=isrc, dst=idst, id=9, flags="MF", frag=off)
            head = ICMP(type=11, code=1, chksum=chksum)
    elif v6(src):
        emb = IPv6(src=isrc, dst=idst)
        head = ICMPv6PacketTooBig(mtu=1300, cksum=chksum)
    else:
        emb = IP(src=isrc, dst=idst, id=9, flags="DF")
        head = ICMP(type=3, code=4, nexthopmtu=1300, chksum=chksum)
    return ip(src, dst, ttl) / head / emb / UDP(sport=sport,
                                                  dport=dport) / PAY


def unreach(src, dst, inner, ttl=64, chksum=None):
    """A port unreachable from src to dst about inner."""
    isrc, idst, sport, dport = inner
    if v6(src):
        head = ICMPv6DestUnreach(code=4, cksum=chksum)
        emb = IPv6(src=isrc, dst=idst)
    else:
        head = ICMP(type=3, code=3, chksum=chksum)
        emb = IP(src=isrc, dst=idst, id=9)
    return ip(src, dst, ttl) / head / emb / UDP(sport=sport,
                                                  dport=dport) / PAY


def fam(f):
    if f == 4:
        return CL4, VIP4, S4
    return CL6, VIP6, S6


# Each case: (direction, packets to send, expected packets at the other
# end). "in": from the client, captured at srv1; "out": from srv1,
# captured at the client. None for expected: nothing (the capture waits
# for a packet that cannot come, the translation, and must not see it).
def in_ok(f):
    cl, vip, s = fam(f)
    return ("in", [err(cl, vip, (vip, cl, 80, 41000))],
            [err(cl, s, (s, cl, 8080, 41000), ttl=63)])


def in_not_sender(f):
    # About a packet the VIP sent, but not sent to the VIP: to srv1's own
    # address. Not hlb's: it arrives as sent.
    cl, vip, s = fam(f)
    p = err(cl, s, (vip, cl, 80, 41001))
    return ("in", [p], [pktlib.forwarded(raw(p))])


def in_stateful_nosession(f):
    # Port 81 is stateful: no session, no translation (and the VIP, which
    # nobody owns, is unreachable: nothing arrives).
    cl, vip, s = fam(f)
    return ("in", [err(cl, vip, (vip, cl, 81, 41002))],
            [err(cl, s, (s, cl, 8081, 41002), ttl=63)])


def in_stateful_session(f):
    # A datagram first (its session), then the error about its answer.
    cl, vip, s = fam(f)
    return ("in", [ip(cl, vip) / UDP(sport=41003, dport=81) / PAY,
                   err(cl, vip, (vip, cl, 81, 41003))],
            [err(cl, s, (s, cl, 8081, 41003), ttl=63)])


def in_bad_csum(f):
    cl, vip, s = fam(f)
    return ("in", [err(cl, vip, (vip, cl, 80, 41004), chksum=0x1234)],
            [err(cl, s, (s, cl, 8080, 41004), ttl=63)])


def in_inner_first_frag(f):
    cl, vip, s = fam(f)
    return ("in", [err(cl, vip, (vip, cl, 80, 41005), frag="first")],
            [err(cl, s, (s, cl, 8080, 41005), ttl=63, frag="first")])


def in_inner_later_frag(f):
    # No ports in a later fragment: the "ports" there are data.
    cl, vip, s = fam(f)
    return ("in", [err(cl, vip, (vip, cl, 80, 41006), frag="later")],
            [err(cl, s, (s, cl, 8080, 41006), ttl=63, frag="later")])


def out_ok(f):
    cl, vip, s = fam(f)
    return ("out", [unreach(s, cl, (cl, s, 41010, 8080))],
            [unreach(vip, cl, (cl, vip, 41010, 80), ttl=63)])


def out_stateful_nosession(f):
    cl, vip, s = fam(f)
    p = unreach(s, cl, (cl, s, 41011, 8081))
    return ("out", [p], [pktlib.forwarded(raw(p))])


def out_bad_csum(f):
    cl, vip, s = fam(f)
    return ("out", [unreach(s, cl, (cl, s, 41012, 8080), chksum=0x1234)],
            [unreach(vip, cl, (cl, vip, 41012, 80), ttl=63)])


def udp6_csum0(f):
    # RFC 6935: a zero UDP checksum over IPv6 stays zero.
    cl, vip, s = fam(6)
    return ("in", [ip(cl, vip) / UDP(sport=41020, dport=80, chksum=0) / PAY],
            [ip(cl, s, 63) / UDP(sport=41020, dport=8080, chksum=0) / PAY])


CASES = {}
for fn in (in_ok, in_not_sender, in_stateful_nosession, in_stateful_session,
           in_bad_csum, in_inner_first_frag, in_inner_later_frag, out_ok,
           out_stateful_nosession, out_bad_csum):
    for fa in (4, 6):
        CASES[f"{fn.__name__}{fa}"] = (fn, fa)
CASES["udp6_csum0"] = (udp6_csum0, 6)


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return 0
    rtr, mac_c1, mac_s1, hlb, srv = sys.argv[1:6]
    wait = 2.0 * float(os.environ.get("HLB_SLOW", "1"))
    tx = {"in": pktlib.Sender(bytes.fromhex(mac_c1.replace(":", ""))),
          "out": pktlib.Sender(bytes.fromhex(mac_s1.replace(":", "")),
                               ns=srv)}
    cap = {"in": pktlib.Capture(srv), "out": pktlib.Capture(None)}
    before = pktlib.hlb_stats(hlb, rtr)
    print(f"# cases {len(CASES)}")
    for name, (fn, fa) in CASES.items():
        way, pkts, want = fn(fa)
        want = [w if isinstance(w, bytes) else raw(w) for w in want]
        cap[way].drain()
        for p in pkts:
            tx[way].send(raw(p))
        found, _ = cap[way].wait_for(want, wait)
        after = pktlib.hlb_stats(hlb, rtr)
        d = {k: after[k] - before[k] for k in ("packets", "malformed")}
        before = after
        print(f"{name} arrived={len(found)} packets={d['packets']} "
              f"malformed={d['malformed']}")
        sys.stdout.flush()
    return 0


sys.exit(main())
