#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send "fragmentation needed" (ICMP) or "packet too big" (ICMPv6) errors
to a VIP about a UDP datagram the VIP sent, as a router on the client's
side of hlb would: hlb must hand each to the server behind that flow,
with the embedded datagram translated back to the server's address.

    icmp_err.py VIP,CLIENT,CLIENT_PORT,VIP_PORT,MTU...

One error per argument; the family follows from VIP. Uses scapy; run it
in the client's namespace.
"""
import sys

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6PacketTooBig, IPv6
from scapy.sendrecv import send


def error(vip, client, cport, vport, mtu):
    inner = UDP(sport=vport, dport=cport) / (b"x" * 32)
    if ":" in vip:
        return (IPv6(dst=vip) / ICMPv6PacketTooBig(mtu=mtu) /
                IPv6(src=vip, dst=client) / inner)
    return (IP(dst=vip) / ICMP(type=3, code=4, nexthopmtu=mtu) /
            IP(src=vip, dst=client, flags="DF") / inner)


for arg in sys.argv[1:]:
    vip, client, cport, vport, mtu = arg.split(",")
    send(error(vip, client, int(cport), int(vport), int(mtu)), verbose=0)
