#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The demo's HTTP client: new connections to a URL at a set rate.

    client.py HOST[:PORT] [--count N] [--rate R] [--phase R:SECONDS ...]

GETs / on HOST, one new TCP connection per request, paced to R requests
per second (0: as fast as it can), either N requests or through each
phase in turn. Prints one line, "srv1=N srv2=N ... failed=N", counting
the servers by the name they answered with. Exits 1 if any request
failed.
"""
import argparse
import collections
import concurrent.futures
import http.client
import sys
import threading
import time


def get(host, port):
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        c.request("GET", "/")
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"HTTP {r.status}")
        return body.decode().strip()
    finally:
        c.close()


def schedule(a):
    """Start times (seconds from now) of every request."""
    if a.phase:
        t0, times = 0.0, []
        for ph in a.phase:
            rate, secs = (float(x) for x in ph.split(":"))
            n = int(rate * secs)
            times += [t0 + i / rate for i in range(n)]
            t0 += secs
        return times
    if a.rate:
        return [i / a.rate for i in range(a.count)]
    return [0.0] * a.count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--phase", action="append", default=[])
    ap.add_argument("--workers", type=int, default=8)
    a = ap.parse_args()
    host, _, port = a.host.partition(":")
    port = int(port or 80)
    counts = collections.Counter()
    errors = []
    lock = threading.Lock()

    def one():
        try:
            name = get(host, port)
        except (OSError, RuntimeError, http.client.HTTPException) as e:
            with lock:
                errors.append(str(e) or type(e).__name__)
            return
        with lock:
            counts[name] += 1

    times = schedule(a)
    start = time.monotonic()
    if not a.rate and not a.phase:
        for _ in times:
            one()
    else:
        with concurrent.futures.ThreadPoolExecutor(a.workers) as pool:
            for t in times:
                delay = start + t - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one)
    out = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"{out} failed={len(errors)}".strip())
    if errors:
        print(f"first error: {errors[0]}", file=sys.stderr)
    return 1 if errors else 0


sys.exit(main())
