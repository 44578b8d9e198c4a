# SPDX-License-Identifier: GPL-2.0
"""Helpers for the scapy tools that send crafted frames from one namespace
and capture what arrives in another (bystander.py, icmp_cases.py).

A capture socket is opened in the receiver's namespace (setns there and
back): one Python process does both ends, which matters under TCG, where
starting Python costs seconds.
"""
import ctypes
import fcntl
import json
import os
import select
import socket
import subprocess
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")


def in_netns(ns, fn):
    """fn() run in namespace ns (a name under /run/netns)."""
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        _setns(there)
        try:
            return fn()
        finally:
            _setns(here)
    finally:
        os.close(here)
        os.close(there)


def mac_of(sock, ifname):
    """The MAC address of ifname in sock's namespace (SIOCGIFHWADDR)."""
    req = fcntl.ioctl(sock.fileno(), 0x8927,
                      ifname.encode().ljust(40, b"\0"))
    return req[18:24]


class Capture:
    """Every frame that arrives on ifname in namespace ns (this one if
    None), not those it sends, from now on."""

    def __init__(self, ns, ifname="eth0"):
        def open_sock():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.bind((ifname, 0))
            return s
        self.sock = in_netns(ns, open_sock) if ns else open_sock()
        self.sock.setblocking(False)

    def drain(self):
        while True:
            try:
                self.sock.recvfrom(65536)
            except BlockingIOError:
                return

    def wait_for(self, want, timeout, norm=lambda ip: ip):
        """Wait until every IP packet (bytes) in want has arrived, or
        timeout seconds; what arrives is compared after norm(). Returns
        (found, others): the wanted ones that arrived and the IP packets
        that did not match."""
        left = list(want)
        found, others = [], []
        deadline = time.monotonic() + timeout
        while left:
            t = deadline - time.monotonic()
            if t <= 0:
                break
            r, _, _ = select.select([self.sock], [], [], t)
            if not r:
                break
            while True:
                try:
                    data, addr = self.sock.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING or addr[1] not in (0x0800,
                                                                 0x86dd):
                    continue
                ip = norm(data[14:])
                if ip in left:
                    left.remove(ip)
                    found.append(ip)
                else:
                    others.append(ip)
        return found, others

    def close(self):
        self.sock.close()


class Sender:
    """Raw Ethernet frames out of ifname to dst_mac, from namespace ns
    (this one if None)."""

    def __init__(self, dst_mac, ifname="eth0", ns=None):
        def open_sock():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((ifname, 0))
            return s
        self.sock = in_netns(ns, open_sock) if ns else open_sock()
        src = mac_of(self.sock, ifname)
        self.hdr = {4: dst_mac + src + b"\x08\x00",
                    6: dst_mac + src + b"\x86\xdd"}

    def send(self, ip):
        self.sock.send(self.hdr[ip[0] >> 4] + bytes(ip))


def fix4(b):
    """IPv4 header checksum of raw bytes b (a bytearray), recomputed."""
    ihl = (b[0] & 0xf) * 4
    b[10:12] = b"\0\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, ihl, 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[10:12] = (~s & 0xffff).to_bytes(2, "big")
    return b


def forwarded(ip):
    """The IP packet ip (bytes) as a router forwards it: TTL or hop limit
    one less, IPv4 header checksum updated."""
    b = bytearray(ip)
    if b[0] >> 4 == 6:
        b[7] -= 1
        return bytes(b)
    b[8] -= 1
    return bytes(fix4(b))


def hlb_stats(hlb, ns):
    out = subprocess.run([hlb, "-n", ns, "-j", "stats"], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)
