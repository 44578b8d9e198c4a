#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one UDP datagram per flow to a VIP, from N source ports, and report
which server answered each: burst.py's UDP mode without asyncio, so that
10,000 flows take seconds rather than minutes under TCG.

    udp_flows.py VIP PORT N --sport-base P [--window W] [--timeout S]
                 [--tries T]

Flow i is a socket bound to port P + i, connected to VIP:PORT, that sends
16 random bytes and waits for echo_ns.py's answer, "NAME PEER_ADDR
PEER_PORT\\n" followed by the same bytes. At most W flows wait for their
answer at once (a burst of thousands of datagrams would overflow queues on
the way and be lost); a flow without an answer after S seconds sends
again, T times in all.

A flow fails when it gets no answer, when the server saw another client
address or port than ours (hlb must not touch the client's side), or when
the bytes do not come back intact; answers from anything but the VIP and
its port never reach a connected socket, so they count as no answer.

Prints, like burst.py, one line per flow in port order: "SPORT SERVER", or
"SPORT -" for a flow that failed (after a comment saying why), then
"# servers NAME=COUNT ..." and "# failed N". Exits 1 if any flow failed.
"""
import argparse
import collections
import os
import resource
import selectors
import socket
import sys
import time


class Flow:
    def __init__(self, sport):
        self.sport = sport
        self.sock = None
        self.payload = os.urandom(16)
        self.tries = 0
        self.deadline = 0.0
        self.server = None
        self.error = None


def check_answer(flow, data, me):
    head, _, body = data.partition(b"\n")
    fields = head.decode(errors="replace").split()
    if len(fields) != 3:
        return None, f"bad answer {head[:60]!r}"
    name, peer, pport = fields
    if peer.startswith("::ffff:"):
        peer = peer[7:]
    if peer != me or pport != str(flow.sport):
        return None, f"server saw {peer} {pport}, not {me} {flow.sport}"
    if body != flow.payload:
        return None, f"payload corrupted ({len(body)} bytes back)"
    return name, None


def run(a):
    fam = socket.AF_INET6 if ":" in a.vip else socket.AF_INET
    flows = [Flow(a.sport_base + i) for i in range(a.n)]
    todo = collections.deque(flows)
    waiting = collections.deque()      # in order of deadline
    sel = selectors.DefaultSelector()
    busy = 0
    me = None

    def send(f):
        f.tries += 1
        f.deadline = time.monotonic() + a.timeout
        waiting.append(f)
        try:
            f.sock.send(f.payload)
        except OSError as e:       # an ICMP error from a previous try
            f.error = f"{type(e).__name__}: {e}"

    def done(f, server, error):
        nonlocal busy
        f.server, f.error = server, error
        sel.unregister(f.sock)
        f.sock.close()
        f.sock = None
        busy -= 1

    while todo or busy:
        while todo and busy < a.window:
            f = todo.popleft()
            s = socket.socket(fam, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)
            s.bind(("", f.sport))
            s.connect((a.vip, a.port))
            if me is None:      # every flow's: the route's source
                me = s.getsockname()[0]
            f.sock = s
            sel.register(s, selectors.EVENT_READ, f)
            busy += 1
            send(f)
        for key, _ in sel.select(0.05):
            f = key.data
            try:
                data = f.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                # ICMP error (e.g. port unreachable): try again later.
                f.error = f"{type(e).__name__}: {e}"
                continue
            done(f, *check_answer(f, data, me))
        now = time.monotonic()
        while waiting and (waiting[0].sock is None or
                           waiting[0].deadline <= now):
            f = waiting.popleft()
            if f.sock is None or f.deadline > now:
                continue
            if f.tries < a.tries:
                send(f)
            else:
                done(f, None, f.error or "no answer")
    return flows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("--sport-base", type=int, required=True)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("--tries", type=int, default=3)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = collections.Counter()
    failed = 0
    out = []
    for f in run(a):
        if f.server is None:
            out.append(f"# flow from port {f.sport}: {f.error}")
            out.append(f"{f.sport} -")
            failed += 1
        else:
            counts[f.server] += 1
            out.append(f"{f.sport} {f.server}")
    out.append("# servers " + " ".join(f"{k}={v}"
                                       for k, v in sorted(counts.items())))
    out.append(f"# failed {failed}")
    print("\n".join(out))
    return 1 if failed else 0


sys.exit(main())
