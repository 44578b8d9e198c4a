#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A test server: answers every TCP connection and UDP datagram on PORT
with "NAME PEER_ADDR PEER_PORT\n" followed by what it received (TCP: until
the client half-closes, so bulk data round-trips intact).

    echo_server.py NAME PORT [--tcp-only|--udp-only]

Listens on the IPv4 and IPv6 wildcard addresses. Runs until killed.
"""
import asyncio
import socket
import sys


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
    name, port = sys.argv[1], int(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else ""
    loop = asyncio.get_running_loop()
    if mode != "--udp-only":
        srv = await asyncio.start_server(
            lambda r, w: tcp_client(name, r, w),
            sock=bind(socket.SOCK_STREAM, port), backlog=1024)
    if mode != "--tcp-only":
        await loop.create_datagram_endpoint(
            lambda: Udp(name), sock=bind(socket.SOCK_DGRAM, port))
    await asyncio.Event().wait()


asyncio.run(main())
