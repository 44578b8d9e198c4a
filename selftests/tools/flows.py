#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Open N flows to a VIP and report which server answered each.

    flows.py tcp|udp VIP PORT N [--payload BYTES] [--sport-base P]

Each flow is its own connection (TCP) or socket (UDP) from its own source
port. Prints one line per flow, "SPORT SERVER", then a summary line
"# servers NAME=COUNT ...". Exits 1 if any flow failed, if an answer came
from an address other than the VIP (the client must only ever see the
VIP), or if the payload did not come back intact.
"""
import argparse
import collections
import hashlib
import os
import socket
import sys


def check_payload(sent, got):
    return hashlib.sha256(sent).digest() == hashlib.sha256(got).digest()


def tcp_flow(fam, vip, port, payload, sport):
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        if sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
        s.connect((vip, port))
        if s.getpeername()[0] != vip:
            raise RuntimeError(f"peer {s.getpeername()[0]} is not the VIP")
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\n")
        if not check_payload(payload, body):
            raise RuntimeError("payload corrupted")
        return head.split()[0].decode(), s.getsockname()[1]


def udp_flow(fam, vip, port, payload, sport):
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        if sport:
            s.bind(("", sport))
        for _ in range(3):
            s.sendto(payload, (vip, port))
            try:
                data, addr = s.recvfrom(65536)
                break
            except socket.timeout:
                continue
        else:
            raise RuntimeError("no answer")
        if addr[0] != vip or addr[1] != port:
            raise RuntimeError(f"answer from {addr}, not the VIP")
        head, _, body = data.partition(b"\n")
        if not check_payload(payload, body):
            raise RuntimeError("payload corrupted")
        return head.split()[0].decode(), s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["tcp", "udp"])
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("--payload", type=int, default=64)
    ap.add_argument("--sport-base", type=int, default=0)
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.vip else socket.AF_INET
    flow = tcp_flow if a.proto == "tcp" else udp_flow
    counts = collections.Counter()
    failed = 0
    for i in range(a.n):
        payload = os.urandom(a.payload)
        sport = a.sport_base + i if a.sport_base else 0
        try:
            name, sp = flow(fam, a.vip, a.port, payload, sport)
        except (OSError, RuntimeError) as e:
            print(f"# flow {i}: {e}")
            failed += 1
            continue
        counts[name] += 1
        print(f"{sp} {name}")
    print("# servers " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    sys.stdout.flush()
    return 1 if failed else 0


sys.exit(main())
