#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send odd packets through the router to a host behind it that is no VIP
(and to non-VIP ports of a VIP that the host owns), capture them at that
host, and report per case whether each arrived as the router forwards any
packet (TTL or hop limit one less, nothing else changed), and how hlb's
namespace counters moved.

    bystander.py RTR_NETNS RTR_MAC HLB RECV_NETNS [--only CASE...]
    bystander.py --list

Runs in the client's namespace (10.0.1.2, fd00:1::2 on eth0); the host
is 10.1.2.2 and fd01:2::2 and owns the VIPs 10.9.0.5 and fd09::5. Frames
are sent raw to the router's MAC, so the client's own stack fixes
nothing. Prints one line per case:

    NAME group=legal|malformed sent=N arrived=N packets=D malformed=D

HLB_SLOW (the test's slowness factor) lengthens the wait for a case's
packets. Uses scapy to build the packets.
"""
import argparse
import os
import sys

from scapy.all import (ICMP, IP, TCP, UDP, GRE, ICMPv6EchoRequest, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, PadN, fragment, fragment6, raw)
from scapy.layers.sctp import SCTP, SCTPChunkInit

import pktlib

CL4, CL6 = "10.0.1.2", "fd00:1::2"
B4, B6 = "10.1.2.2", "fd01:2::2"
VB4, VB6 = "10.9.0.5", "fd09::5"
PAY = b"bystander, leave me alone"


def ip4(dst=B4, **kw):
    return IP(src=CL4, dst=dst, **kw)


def ip6(dst=B6, **kw):
    return IPv6(src=CL6, dst=dst, **kw)


# Legal packets: a router forwards every one of them as it is.
LEGAL = {
    # TCP and UDP to the host: any port, the VIPs' (80) and servers'
    # (8080, 8081) included: the host is neither.
    "udp4": lambda: [ip4() / UDP(sport=40000, dport=9999) / PAY],
    "udp4_vip_port": lambda: [ip4() / UDP(sport=40001, dport=80) / PAY],
    "udp4_srv_port": lambda: [ip4() / UDP(sport=40002, dport=8080) / PAY],
    "tcp4_syn": lambda: [ip4() / TCP(sport=40003, dport=9999, flags="S")],
    "tcp4_vip_port": lambda: [ip4() / TCP(sport=40004, dport=80, flags="S")],
    "tcp4_srv_port": lambda: [ip4() / TCP(sport=40005, dport=8081,
                                          flags="A", seq=1, ack=1) / PAY],
    "udp6": lambda: [ip6() / UDP(sport=40000, dport=9999) / PAY],
    "udp6_vip_port": lambda: [ip6() / UDP(sport=40001, dport=80) / PAY],
    "tcp6_syn": lambda: [ip6() / TCP(sport=40003, dport=9999, flags="S")],
    "tcp6_srv_port": lambda: [ip6() / TCP(sport=40005, dport=8080,
                                          flags="S")],
    # A VIP's address, another port: no service.
    "udp4_vip_other_port": lambda: [ip4(VB4) / UDP(sport=40010, dport=81) /
                                    PAY],
    "tcp4_vip_other_port": lambda: [ip4(VB4) / TCP(sport=40011, dport=81,
                                                   flags="S")],
    "udp6_vip_other_port": lambda: [ip6(VB6) / UDP(sport=40010, dport=81) /
                                    PAY],
    "tcp6_vip_other_port": lambda: [ip6(VB6) / TCP(sport=40011, dport=81,
                                                   flags="S")],
    # Port 0.
    "udp4_port0": lambda: [ip4() / UDP(sport=0, dport=80) / PAY],
    # IPv4 options (NOPs and an end of list: a router changes neither).
    "ip4_options": lambda: [ip4(options=b"\x01\x01\x01\x00") /
                            UDP(sport=40020, dport=80) / PAY],
    # Protocols without ports hlb knows.
    "sctp4": lambda: [ip4() / SCTP(sport=40030, dport=80) / SCTPChunkInit()],
    "gre4": lambda: [ip4() / GRE() / IP(src="192.0.2.1", dst="192.0.2.2") /
                     UDP(sport=1, dport=80)],
    "esp4": lambda: [ip4(proto=50) / (b"\0\0\0\x01\0\0\0\x01" + PAY)],
    "proto253_4": lambda: [ip4(proto=253) / PAY],
    "icmp4_echo": lambda: [ip4() / ICMP(id=7, seq=1) / PAY],
    # An error about a packet the host did not send (not to its sender).
    "icmp4_error_other": lambda: [ip4() / ICMP(type=3, code=3) /
                                  IP(src="10.9.0.1", dst=CL4) /
                                  UDP(sport=80, dport=40040)],
    # A whole datagram in fragments: reassembled, forwarded, refragmented.
    "frag4": lambda: fragment(ip4(id=777) / UDP(sport=40050, dport=80) /
                              (PAY * 40), fragsize=600),
    "sctp6": lambda: [ip6() / SCTP(sport=40030, dport=80) / SCTPChunkInit()],
    "gre6": lambda: [ip6() / GRE() / IP(src="192.0.2.1", dst="192.0.2.2") /
                     UDP(sport=1, dport=80)],
    "esp6": lambda: [ip6(nh=50) / (b"\0\0\0\x01\0\0\0\x01" + PAY)],
    "proto253_6": lambda: [ip6(nh=253) / PAY],
    "icmp6_echo": lambda: [ip6() / ICMPv6EchoRequest(id=7, seq=1) / PAY],
    # No Next Header (RFC 8200 4.7): bytes after it are ignored, not
    # dropped; directly, and at the end of extension headers.
    "nonext6": lambda: [ip6(nh=59) / PAY],
    "nonext6_empty": lambda: [ip6(nh=59)],
    "hbh_nonext6": lambda: [ip6() / IPv6ExtHdrHopByHop(nh=59,
                                                       options=[PadN()])],
    "dstopt_nonext6": lambda: [ip6() / IPv6ExtHdrDestOpt(nh=59,
                                                         options=[PadN()]) /
                               PAY],
    # Extension headers before TCP and UDP to the host.
    "hbh_udp6": lambda: [ip6() / IPv6ExtHdrHopByHop(options=[PadN()]) /
                         UDP(sport=40060, dport=80) / PAY],
    "dstopt_udp6": lambda: [ip6() / IPv6ExtHdrDestOpt(options=[PadN()]) /
                            UDP(sport=40061, dport=80) / PAY],
    "rthdr_tcp6": lambda: [ip6() / IPv6ExtHdrRouting(segleft=0) /
                           TCP(sport=40062, dport=80, flags="S")],
    # An authentication header (its own length unit: 4 bytes).
    "ah_udp6": lambda: [ip6(nh=51) / (bytes([17, 4, 0, 0]) + b"\0" * 20) /
                        UDP(sport=40063, dport=80) / PAY],
    "frag6": lambda: fragment6(ip6() / IPv6ExtHdrFragment(id=779) /
                               UDP(sport=40065, dport=80) / (PAY * 40), 680),
}

# Malformed transport headers to the host: not hlb's packets, and a
# router forwards them all; only the host may drop them.
MALFORMED = {
    "tcp4_short": lambda: [ip4(proto=6) /
                           raw(TCP(sport=40100, dport=80))[:10]],
    "udp4_short": lambda: [ip4(proto=17) / b"\x9c\x43\x00"],
    "tcp4_doff4": lambda: [ip4() / TCP(sport=40101, dport=80, dataofs=4)],
    "icmp4_short": lambda: [ip4(proto=1) / b"\x03\x04\x00\x00"],
    "tcp6_short": lambda: [ip6(nh=6) / raw(TCP(sport=40100, dport=80))[:10]],
    "udp6_short": lambda: [ip6(nh=17) / b"\x9c\x43\x00"],
    "dstopt_beyond6": lambda: [ip6(nh=60) / bytes([17, 10, 1, 4, 0, 0, 0,
                                                   0])],
}


def norm(ip):
    """A packet as compared: the router chooses a refragmented IPv6
    datagram's fragment identification itself."""
    if ip[0] >> 4 == 6 and ip[6] == 44 and len(ip) >= 48:
        return ip[:44] + b"\0\0\0\0" + ip[48:]
    return ip


def main():
    cases = {**{k: ("legal", v) for k, v in LEGAL.items()},
             **{k: ("malformed", v) for k, v in MALFORMED.items()}}
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--only", nargs="+", choices=list(cases))
    ap.add_argument("rtr", nargs="?")
    ap.add_argument("rtr_mac", nargs="?")
    ap.add_argument("hlb", nargs="?")
    ap.add_argument("recv", nargs="?")
    a = ap.parse_args()
    if a.list:
        print("\n".join(cases))
        return 0
    names = a.only or list(cases)
    wait = 2.0 * float(os.environ.get("HLB_SLOW", "1"))
    tx = pktlib.Sender(bytes.fromhex(a.rtr_mac.replace(":", "")))
    cap = pktlib.Capture(a.recv)
    before = pktlib.hlb_stats(a.hlb, a.rtr)
    print(f"# cases {len(names)}")
    for name in names:
        group, make = cases[name]
        pkts = [raw(p) for p in make()]
        want = [norm(pktlib.forwarded(p)) for p in pkts]
        cap.drain()
        for p in pkts:
            tx.send(p)
        found, _ = cap.wait_for(want, wait, norm)
        after = pktlib.hlb_stats(a.hlb, a.rtr)
        d = {k: after[k] - before[k] for k in ("packets", "malformed")}
        before = after
        print(f"{name} group={group} sent={len(pkts)} arrived={len(found)} "
              f"packets={d['packets']} malformed={d['malformed']}")
        sys.stdout.flush()
    cap.close()
    return 0


sys.exit(main())
