#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Long-lived TCP streams through a VIP that must survive whatever the
balancer does meanwhile (method switches, mapping changes).

    hybrid_streams.py VIP PORT N STATUS [--interval S] [--chunk BYTES]
                      [--timeout S]

Opens N connections to echo_ns.py, each from its own source port, and
on each one sends CHUNK bytes of pseudo-random data every INTERVAL seconds
and checks that exactly those bytes come back, in order. Only the server
that accepted a connection has a socket for it: a packet of the stream
that reaches another server is answered with a reset. A stream is broken
when it is reset or closed, when its echo differs from what it sent, or
when an echo is more than TIMEOUT seconds late.

STATUS is rewritten (atomically) every 200 ms, as JSON:

    {"streams": N, "connected": C, "broken": B, "min_rounds": R,
     "rounds": TOTAL, "stopped": false,
     "list": [{"sport": P, "server": NAME, "rounds": R, "error": MSG}]}

where a round is one chunk echoed intact, and min_rounds is the least
rounds of any stream not broken (0 until they are all connected). On SIGTERM every
stream half-closes, checks the rest of its echo up to the server's close,
and the tool writes STATUS with "stopped": true, prints a summary and
exits 0 if no stream broke, 1 otherwise.
"""
import argparse
import asyncio
import hashlib
import json
import os
import signal
import socket
import time


class Stream:
    def __init__(self, idx):
        self.idx = idx
        self.sport = 0
        self.server = ""
        self.rounds = 0
        self.error = ""
        self.connected = False
        self.sock = None
        self.sent = 0

    def data(self, n):
        """The next n bytes of this stream's pseudo-random data."""
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{self.idx}:{self.sent}".encode()).digest()
            self.sent += 1
        return out[:n]


class Streams:
    def __init__(self, a):
        self.a = a
        self.streams = [Stream(i) for i in range(a.n)]
        self.stop = asyncio.Event()

    def write_status(self, stopped=False):
        conn = [s for s in self.streams if s.connected]
        alive = [s for s in self.streams if not s.error]
        ready = alive and all(s.connected for s in alive)
        st = {
            "streams": len(self.streams),
            "connected": len(conn),
            "broken": len(self.streams) - len(alive),
            "min_rounds": min(s.rounds for s in alive) if ready else 0,
            "rounds": sum(s.rounds for s in self.streams),
            "stopped": stopped,
            "list": [{"sport": s.sport, "server": s.server,
                      "rounds": s.rounds, "error": s.error}
                     for s in self.streams],
        }
        tmp = self.a.status + ".tmp"
        try:
            with open(tmp, "w") as f:
                json.dump(st, f)
            os.replace(tmp, self.a.status)
        except OSError:
            pass    # the test is over and has removed the directory

    async def recv_exact(self, s, want, deadline):
        loop = asyncio.get_running_loop()
        got = b""
        while len(got) < len(want):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"echo {left + self.a.timeout:.1f}s late")
            chunk = await asyncio.wait_for(
                loop.sock_recv(s.sock, len(want) - len(got)), left)
            if not chunk:
                raise ConnectionError("closed by the peer")
            got += chunk
            if not want.startswith(got):
                raise RuntimeError("echo corrupted")
        return got

    async def run_one(self, s):
        loop = asyncio.get_running_loop()
        fam = socket.AF_INET6 if ":" in self.a.vip else socket.AF_INET
        s.sock = socket.socket(fam, socket.SOCK_STREAM)
        s.sock.setblocking(False)
        s.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await asyncio.wait_for(
                loop.sock_connect(s.sock, (self.a.vip, self.a.port)), 20)
            s.sport = s.sock.getsockname()[1]
            head = b""
            while not head.endswith(b"\n"):
                chunk = await asyncio.wait_for(loop.sock_recv(s.sock, 1), 20)
                if not chunk:
                    raise ConnectionError("closed before the greeting")
                head += chunk
            s.server = head.split()[0].decode()
            s.connected = True
            # Spread the streams over the interval.
            await asyncio.sleep(self.a.interval * s.idx / len(self.streams))
            while not self.stop.is_set():
                t0 = time.monotonic()
                want = s.data(self.a.chunk)
                await loop.sock_sendall(s.sock, want)
                await self.recv_exact(s, want, t0 + self.a.timeout)
                s.rounds += 1
                left = self.a.interval - (time.monotonic() - t0)
                if left > 0:
                    try:
                        await asyncio.wait_for(self.stop.wait(), left)
                    except asyncio.TimeoutError:
                        pass
            # A clean end: the server closes after our half-close.
            s.sock.shutdown(socket.SHUT_WR)
            rest = await asyncio.wait_for(loop.sock_recv(s.sock, 4096),
                                          self.a.timeout)
            if rest:
                raise RuntimeError(f"{len(rest)} unexpected bytes at the end")
        except (OSError, RuntimeError, asyncio.TimeoutError) as e:
            s.error = repr(e) if str(e) else type(e).__name__
        finally:
            s.sock.close()

    async def status_loop(self):
        while not self.stop.is_set():
            self.write_status()
            try:
                await asyncio.wait_for(self.stop.wait(), 0.2)
            except asyncio.TimeoutError:
                pass

    async def main(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        loop.add_signal_handler(signal.SIGINT, self.stop.set)
        await asyncio.gather(self.status_loop(),
                             *(self.run_one(s) for s in self.streams))
        self.write_status(stopped=True)
        broken = [s for s in self.streams if s.error]
        for s in broken:
            print(f"# stream {s.idx} sport {s.sport} server {s.server} "
                  f"rounds {s.rounds}: {s.error}")
        print(f"# streams {len(self.streams)} broken {len(broken)} rounds "
              f"{sum(s.rounds for s in self.streams)}")
        return 1 if broken else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("status")
    ap.add_argument("--interval", type=float, default=0.15)
    ap.add_argument("--chunk", type=int, default=256)
    ap.add_argument("--timeout", type=float, default=15)
    a = ap.parse_args()
    raise SystemExit(asyncio.run(Streams(a).main()))


main()
