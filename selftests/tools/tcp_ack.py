#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send lone TCP segments to a VIP, as the middle of a connection that
hlb has never seen (a bare ACK by default).

    tcp_ack.py VIP,DPORT,SPORT[,FLAGS]...

One segment per argument, from the client's own address (the kernel
picks it); FLAGS as scapy writes them ("A", "PA", "S"...). Uses scapy;
run it in the client's namespace.
"""
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.sendrecv import send

for arg in sys.argv[1:]:
    f = arg.split(",")
    vip, dport, sport = f[0], int(f[1]), int(f[2])
    flags = f[3] if len(f) > 3 else "A"
    l3 = IPv6(dst=vip) if ":" in vip else IP(dst=vip)
    send(l3 / TCP(sport=sport, dport=dport, flags=flags, seq=1000, ack=2000),
         verbose=0)
