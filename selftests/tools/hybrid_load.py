#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A controlled load on a VIP, for the hybrid mode tests: the test sets
the level by writing a number to a control file and reads what was done
from a status file.

    hybrid_load.py conn|hold|pkt VIP PORT CONTROL STATUS [--bind ADDR]

CONTROL holds the level, a number (0 = idle), re-read every 50 ms; the
tool stops when it holds "stop" or on SIGTERM. The modes:

  conn  opens LEVEL short TCP connections per second, each its own
        source port: connect, send 16 bytes, read the echo, close. Slots
        missed while the machine was busy are skipped, not made up in a
        burst, so the rate never exceeds LEVEL.
  hold  keeps LEVEL idle TCP connections open: opens more or closes
        some (cleanly, FIN) whenever LEVEL changes.
  pkt   sends LEVEL 32-byte messages per second on one TCP connection
        (TCP_NODELAY) and reads their echoes: a packet rate with no new
        flows. (About three packets cross the balancer per message: the
        message, its echo and an ACK.)

Talks to echo_ns.py. STATUS is rewritten (atomically) every 200 ms
and at exit, as JSON: {"level", "started", "ok", "failed", "open",
"errors": [first few error messages]}. Exits 0 when stopped, whatever
failed: the test decides what counts.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import time


class Load:
    def __init__(self, a):
        self.a = a
        self.level = 0
        self.stop = False
        self.started = self.ok = self.failed = 0
        self.errors = []
        self.held = []
        self.pkt_open = 0

    def error(self, msg):
        self.failed += 1
        if len(self.errors) < 10:
            self.errors.append(msg)

    def write_status(self):
        st = {"level": self.level, "started": self.started, "ok": self.ok,
              "failed": self.failed,
              "open": len(self.held) + self.pkt_open,
              "errors": self.errors}
        tmp = self.a.status + ".tmp"
        try:
            with open(tmp, "w") as f:
                json.dump(st, f)
            os.replace(tmp, self.a.status)
        except OSError:
            pass    # the test is over and has removed the directory

    def read_control(self):
        try:
            with open(self.a.control) as f:
                word = f.read().strip()
        except OSError:
            return
        if word == "stop":
            self.stop = True
        elif word:
            try:
                self.level = max(0, int(word))
            except ValueError:
                pass

    async def connect(self):
        loop = asyncio.get_running_loop()
        s = socket.socket(socket.AF_INET6 if ":" in self.a.vip
                          else socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if self.a.bind:
            s.bind((self.a.bind, 0))
        try:
            await asyncio.wait_for(loop.sock_connect(s, (self.a.vip,
                                                         self.a.port)), 10)
            # The server's greeting, "NAME PEER_ADDR PEER_PORT\n".
            head = b""
            while not head.endswith(b"\n"):
                chunk = await asyncio.wait_for(loop.sock_recv(s, 256), 10)
                if not chunk:
                    raise ConnectionError("closed before the greeting")
                head += chunk
        except BaseException:
            s.close()
            raise
        return s

    async def short_conn(self):
        loop = asyncio.get_running_loop()
        self.started += 1
        try:
            s = await self.connect()
            with s:
                msg = os.urandom(16)
                await loop.sock_sendall(s, msg)
                s.shutdown(socket.SHUT_WR)
                got = b""
                while True:
                    chunk = await asyncio.wait_for(loop.sock_recv(s, 256), 10)
                    if not chunk:
                        break
                    got += chunk
            if got != msg:
                raise RuntimeError("echo corrupted")
            self.ok += 1
        except (OSError, RuntimeError, asyncio.TimeoutError) as e:
            self.error(f"conn: {e!r}")

    async def conn_mode(self):
        tasks = set()
        nxt = time.monotonic()
        while not self.stop:
            now = time.monotonic()
            if self.level <= 0:
                nxt = now
                await asyncio.sleep(0.05)
                continue
            if now >= nxt:
                t = asyncio.ensure_future(self.short_conn())
                tasks.add(t)
                t.add_done_callback(tasks.discard)
                # Skip what was missed rather than catch up in a burst.
                nxt = max(nxt + 1.0 / self.level, now)
            await asyncio.sleep(max(0, min(nxt - time.monotonic(), 0.05)))
        if tasks:
            await asyncio.wait(tasks, timeout=15)

    async def hold_one(self):
        self.started += 1
        try:
            s = await self.connect()
        except (OSError, RuntimeError, asyncio.TimeoutError) as e:
            self.error(f"hold: {e!r}")
            return
        self.held.append(s)
        self.ok += 1

    def release(self, s):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    async def hold_mode(self):
        while not self.stop:
            want = self.level
            if len(self.held) < want:
                await asyncio.gather(*(self.hold_one() for _ in
                                       range(min(want - len(self.held), 50))))
                continue
            while len(self.held) > want:
                self.release(self.held.pop())
            await asyncio.sleep(0.05)
        while self.held:
            self.release(self.held.pop())

    async def pkt_mode(self):
        s = None
        pending = bytearray()
        due = 0.0
        last = time.monotonic()
        while not self.stop:
            now = time.monotonic()
            # Messages due since the last round, at most 100 ms' worth:
            # what a busy machine missed is skipped, not sent in a burst.
            due = min(due + (now - last) * self.level, self.level / 10 + 1)
            last = now
            if self.level <= 0:
                due = 0.0
                await asyncio.sleep(0.05)
                continue
            try:
                if s is None:
                    self.started += 1
                    s = await self.connect()
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.pkt_open = 1
                while due >= 1 and len(pending) < 1 << 16:
                    msg = os.urandom(32)
                    try:
                        if s.send(msg) != len(msg):
                            raise RuntimeError("short send")
                    except BlockingIOError:
                        break
                    pending += msg
                    due -= 1
                # Read whatever echo has arrived, without blocking.
                while pending:
                    try:
                        chunk = s.recv(65536)
                    except BlockingIOError:
                        break
                    if not chunk:
                        raise ConnectionError("closed by the peer")
                    if pending[:len(chunk)] != chunk:
                        raise RuntimeError("echo corrupted")
                    del pending[:len(chunk)]
                    self.ok += len(chunk) // 32
            except (OSError, RuntimeError, asyncio.TimeoutError) as e:
                self.error(f"pkt: {e!r}")
                if s is not None:
                    s.close()
                s, pending, self.pkt_open = None, bytearray(), 0
                await asyncio.sleep(0.1)
                continue
            await asyncio.sleep(0.01)
        if s is not None:
            s.close()

    async def control(self):
        while not self.stop:
            self.read_control()
            await asyncio.sleep(0.05)

    async def status(self):
        while not self.stop:
            self.write_status()
            await asyncio.sleep(0.2)

    async def main(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.halt)
        loop.add_signal_handler(signal.SIGINT, self.halt)
        self.read_control()
        work = {"conn": self.conn_mode, "hold": self.hold_mode,
                "pkt": self.pkt_mode}[self.a.mode]
        await asyncio.gather(self.control(), self.status(), work())
        self.write_status()

    def halt(self):
        self.stop = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["conn", "hold", "pkt"])
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("control")
    ap.add_argument("status")
    ap.add_argument("--bind", default="")
    a = ap.parse_args()
    asyncio.run(Load(a).main())


main()
