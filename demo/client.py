#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The demo's HTTP client: new connections to a VIP at a set rate.

    client.py HOST[:PORT] --count N [--rate R] [OPTIONS]
    client.py HOST[:PORT] --phase R:SECONDS [--phase R:SECONDS ...] [OPTIONS]
    OPTIONS := [--workers N] [--sport-base PORT] [--log FILE] [--syn-only]

GETs / on HOST, one new TCP connection per request. With --count: N
requests, paced to R per second (0: one after the other). With --phase:
R requests per second for SECONDS, phase after phase; a request that
would find every worker (default 16) busy is skipped rather than queued,
so the rate never exceeds R and a slow phase ends on time. Falling
behind never causes a catch-up burst. --sport-base sends request I from
source port PORT + I instead of one the kernel picks; --log writes
"TIME SPORT SERVER" per request. --syn-only makes each request half an
opening (a SYN, and the socket closed at once): a cheap SYN flood.

Prints one line, "srv1=N srv2=N ... failed=N [skipped=N]", counting the
servers by the name they answered with. Exits 1 if any request failed.
"""
import argparse
import collections
import http.client
import socket
import sys
import threading
import time


def get(host, port, log, sport=0):
    c = http.client.HTTPConnection(host, port, timeout=10,
                                   source_address=("", sport) if sport else None)
    try:
        c.connect()
        sport = c.sock.getsockname()[1]
        c.request("GET", "/")
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"HTTP {r.status}")
        name = body.decode().strip()
        if log:
            print(f"{time.time():.3f} {sport} {name}", file=log, flush=True)
        return name
    finally:
        c.close()


def schedule(a):
    """Start time (seconds from the start) of every request."""
    if a.phase:
        t0, times = 0.0, []
        for ph in a.phase:
            rate, secs = (float(x) for x in ph.split(":"))
            times += [t0 + i / rate for i in range(int(rate * secs))]
            t0 += secs
        return times
    step = 1 / a.rate if a.rate else 0
    return [i * step for i in range(a.count)]


def syn(host, port):
    """Half-open: the SYN goes out, the socket is gone before the answer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex((host, port))
    s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--phase", action="append", default=[])
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--sport-base", type=int, default=0,
                    help="request I from source port SPORT_BASE + I")
    ap.add_argument("--syn-only", action="store_true",
                    help="send only a SYN per request (a SYN flood)")
    ap.add_argument("--log", type=argparse.FileType("w"),
                    help='one line per request: "TIME SPORT SERVER"')
    a = ap.parse_args()
    host, _, port = a.host.partition(":")
    port = int(port or 80)
    counts = collections.Counter()
    errors = []
    skipped = 0
    lock = threading.Lock()
    workers = threading.BoundedSemaphore(a.workers)

    def one(i):
        try:
            sport = a.sport_base + i if a.sport_base else 0
            name = get(host, port, a.log, sport)
            with lock:
                counts[name] += 1
        except (OSError, RuntimeError, http.client.HTTPException) as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        finally:
            workers.release()

    threads = []
    start = time.monotonic()
    for i, t in enumerate(schedule(a)):
        late = time.monotonic() - (start + t)
        if late < 0:
            time.sleep(-late)
        elif late > 0.2:
            start += late           # no catch-up burst
        if a.syn_only:
            syn(host, port)
            counts["syn"] += 1
            continue
        if not workers.acquire(blocking=not a.phase):
            skipped += 1
            continue
        th = threading.Thread(target=one, args=(i,))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    out = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    out += f" failed={len(errors)}"
    if a.phase and not a.syn_only:
        out += f" skipped={skipped}"
    print(out.strip())
    if errors:
        print(f"first error: {errors[0]}", file=sys.stderr)
    return 1 if errors else 0


sys.exit(main())
