#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A flood of lone TCP segments from many spoofed sources, with a raw
socket (no scapy: its import alone takes 10-20 s under TCG).

    tcp_flood.py VIP PORT SRC_PREFIX RATE FLAGS=COUNT...

Sends COUNT segments with FLAGS (scapy's letters: S, A, R, PA...) for each
FLAGS=COUNT, interleaved in proportion, to VIP:PORT, each from a random
address of SRC_PREFIX (an IPv4 prefix, e.g. 10.200.0.0/16) and a random
port, RATE per second in all; exits once all are sent (or on SIGTERM),
printing "FLAGS=N ... sent in T s".
"""
import ipaddress
import random
import signal
import socket
import struct
import sys
import time

FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10,
             "U": 0x20}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def segment(src, dst, sport, dport, flags):
    ack = random.getrandbits(32) if flags & 0x10 else 0
    tcp = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                      ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                     random.getrandbits(16), 0, 64, socket.IPPROTO_TCP, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main():
    vip, port, prefix, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        float(sys.argv[4])
    todo = []
    for arg in sys.argv[5:]:
        name, count = arg.split("=")
        bits = 0
        for c in name:
            bits |= FLAG_BITS[c]
        todo.append([name, bits, int(count), 0])
    net = ipaddress.ip_network(prefix)
    dst = socket.inet_aton(vip)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    stop = False

    def halt(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, halt)
    total = sum(t[2] for t in todo)
    sent = 0
    due = 0.0
    last = t0 = time.monotonic()
    while not stop and sent < total:
        now = time.monotonic()
        # At most 100 ms' worth at once: no catching up in bursts.
        due = min(due + (now - last) * rate, rate / 10 + 1)
        last = now
        while due >= 1 and sent < total:
            # The kind furthest behind its share goes next.
            t = min(todo, key=lambda t: t[3] / t[2] if t[2] else 2)
            src = (net.network_address +
                   random.randrange(1, net.num_addresses - 1)).packed
            pkt = segment(src, dst, random.randrange(1024, 65536), port, t[1])
            try:
                s.sendto(pkt, (vip, 0))
            except OSError:  # ENOBUFS: the queue is full
                break
            t[3] += 1
            sent += 1
            due -= 1
        time.sleep(0.005)
    print(" ".join(f"{name}={n}" for name, _, _, n in todo) +
          f" sent in {time.monotonic() - t0:.1f} s")


main()
