#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Keep one TCP connection to a VIP open and exchange data on it until
told to stop, reporting progress in a status file that the test polls.

    longconn.py VIP PORT STATUS [--sport P] [--interval S]

Talks to echo_ns.py: reads the "NAME PEER_ADDR PEER_PORT" line the
server sends once at connect, then every INTERVAL seconds sends a
numbered line and expects it echoed back within 5 s. Only the server that
accepted the connection has a socket for it: a packet of this flow that
reaches any other server is answered with a reset, so every successful
round trip shows that the flow still reaches its first server.

STATUS is rewritten (atomically) after every round trip:

    server NAME
    sport SPORT
    rounds N
    error MESSAGE        (only once something went wrong)

On SIGTERM it closes the connection and exits 0 if every round trip
succeeded, 1 otherwise; it also exits 1 as soon as one fails.
"""
import argparse
import os
import signal
import socket
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


def write_status(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, path)


def recv_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed by the peer")
        data += chunk
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("status")
    ap.add_argument("--sport", type=int, default=0)
    ap.add_argument("--interval", type=float, default=0.2)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    fam = socket.AF_INET6 if ":" in a.vip else socket.AF_INET
    state = ["server ?", "sport 0", "rounds 0"]
    rounds = 0
    try:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", a.sport))
        s.settimeout(5)
        s.connect((a.vip, a.port))
        name = recv_line(s).split()[0].decode()
        state[:2] = [f"server {name}", f"sport {s.getsockname()[1]}"]
        write_status(a.status, state)
        while not stop:
            msg = f"ping {rounds}\n".encode()
            s.sendall(msg)
            got = recv_line(s)
            if got != msg:
                raise RuntimeError(f"sent {msg!r}, got {got[:40]!r}")
            rounds += 1
            state[2] = f"rounds {rounds}"
            write_status(a.status, state)
            time.sleep(a.interval)
        s.close()
    except (OSError, RuntimeError) as e:
        write_status(a.status, state + [f"error {type(e).__name__}: {e}"])
        return 1
    return 0


sys.exit(main())
