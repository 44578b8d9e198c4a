#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TCP SYNs from distinct spoofed sources, as Ethernet frames through an
AF_PACKET socket, for hlb_tenant.sh. No scapy, nor even ipaddress: every
import costs under TCG.

    tenant_flood.py IFACE PEER VIP PORT SRC_BASE COUNT [READY GO]

Sends COUNT SYNs to VIP:PORT out of IFACE, to the address of PEER (the
other end of IFACE, a veth pair in the same namespace: the frames arrive
there, for that host, and go through PRE_ROUTING), the i-th from
SRC_BASE + 1 + i (an IPv4 address) and port 10000 + i % 50000: every SYN
a flow of its own. Needs CAP_NET_RAW in the user namespace that owns
the network namespace only, so the root of `unshare -Urn` may run it.
Prints the number sent. With READY and GO (paths), creates READY once its
socket is open and waits for GO to exist before it sends: whoever
measures the flood's cost does not measure python's start.
"""
import fcntl
import os
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def syn(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), seq & 0xffff,
                     0, 64, socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def hwaddr(sock, name):
    """The MAC address of interface NAME (SIOCGIFHWADDR): /sys/class/net
    shows the namespace that mounted /sys, not this one."""
    req = struct.pack("16s16x", name.encode())
    return fcntl.ioctl(sock.fileno(), 0x8927, req)[18:24]


def main():
    iface, peer, vip = sys.argv[1], sys.argv[2], sys.argv[3]
    port, base, count = int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
    base = struct.unpack("!I", socket.inet_aton(base))[0]
    dst = socket.inet_aton(vip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    smac = s.getsockname()[4]
    eth = hwaddr(s, peer) + smac + b"\x08\x00"
    if len(sys.argv) > 8:
        open(sys.argv[7], "w").close()
        while not os.path.exists(sys.argv[8]):
            time.sleep(0.05)
    sent = 0
    for i in range(count):
        src = struct.pack("!I", base + 1 + i)
        pkt = eth + syn(src, dst, 10000 + i % 50000, port, i + 1)
        while True:
            try:
                s.send(pkt)
                break
            except OSError:   # ENOBUFS: the queue is full; let it drain
                time.sleep(0.01)
        sent += 1
        # The receiving end's backlog holds 1000 packets: pause often
        # enough that it never overflows, whatever the kernel's speed.
        if sent % 100 == 0:
            time.sleep(0.02)
    print(sent)


main()
