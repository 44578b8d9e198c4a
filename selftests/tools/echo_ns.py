#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The test servers: one process serving every server namespace of a
test (a socket belongs to the namespace it was created in, and under TCG
each Python process costs seconds to start).

    echo_ns.py [--ready FILE] [--tcp-only|--udp-only] PORT[,PORT...] \\
               NAME=NETNS...

Listens on every PORT, TCP and UDP, IPv4 and IPv6 wildcard, in each
network namespace NETNS (a name under /run/netns) and answers every TCP
connection and UDP datagram as NAME: "NAME PEER_ADDR PEER_PORT\\n"
followed by what it received (TCP: until the client half-closes, so bulk
data round-trips intact). Creates FILE once every socket listens. Runs
until killed.
"""
import argparse
import asyncio
import ctypes
import os
import socket

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {path}: {os.strerror(err)}")
    finally:
        os.close(fd)


class Udp(asyncio.DatagramProtocol):
    def __init__(self, name):
        self.name = name

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        head = f"{self.name} {addr[0]} {addr[1]}\n".encode()
        self.transport.sendto(head + data, addr)


async def tcp_client(name, reader, writer):
    peer = writer.get_extra_info("peername")
    writer.write(f"{name} {peer[0]} {peer[1]}\n".encode())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()
        await writer.wait_closed()
    except (ConnectionError, OSError):
        pass


def bind(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready")
    ap.add_argument("--tcp-only", action="store_true")
    ap.add_argument("--udp-only", action="store_true")
    ap.add_argument("ports")
    ap.add_argument("servers", nargs="+", metavar="NAME=NETNS")
    a = ap.parse_args()
    loop = asyncio.get_running_loop()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = []
    for spec in a.servers:
        name, netns = spec.split("=", 1)
        setns(f"/run/netns/{netns}")
        for port in map(int, a.ports.split(",")):
            if not a.udp_only:
                socks.append((name, socket.SOCK_STREAM,
                              bind(socket.SOCK_STREAM, port)))
            if not a.tcp_only:
                socks.append((name, socket.SOCK_DGRAM,
                              bind(socket.SOCK_DGRAM, port)))
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    for name, kind, s in socks:
        if kind == socket.SOCK_STREAM:
            await asyncio.start_server(
                lambda r, w, n=name: tcp_client(n, r, w), sock=s,
                backlog=1024)
        else:
            await loop.create_datagram_endpoint(lambda n=name: Udp(n),
                                                sock=s)
    if a.ready:
        with open(a.ready, "w"):
            pass
    await asyncio.Event().wait()


asyncio.run(main())
