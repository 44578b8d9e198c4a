#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Open N flows to a VIP, many at a time, and report which server answered
each: flows.py's job, but concurrent, so that hundreds of flows take a
second or two even under TCG.

    burst.py tcp|udp VIP PORT N [--sport-base P] [--payload BYTES]
             [--concurrency C] [--timeout S] [--tries T]
    burst.py --agent FIFO_IN FIFO_OUT

The second form runs one burst per line of FIFO_IN (the arguments of the
first form, shell-quoted) and writes each one's output to FIFO_OUT,
followed by "## rc STATUS": a test then pays Python's start-up (seconds
under TCG) once, not once per burst (see burst_agent in lib_dp.sh).

Each flow is its own connection (TCP) or socket (UDP) from its own source
port: SPORT-BASE + i when given (so that a flow is the same 5-tuple every
run), an ephemeral one otherwise. Talks to echo_ns.py, which answers
"NAME PEER_ADDR PEER_PORT\\n" and echoes the payload.

Prints one line per flow, in source port order: "SPORT SERVER", or
"SPORT -" for a flow that failed (and a comment saying why), then
"# servers NAME=COUNT ..." and "# failed N". A flow fails when it gets no
answer, when the answer comes from anything but the VIP and its port
(the client must only ever see the VIP), when the server saw another
client address or port than ours (hlb must not touch the client's side)
or when the payload does not come back intact. Exits 1 if any flow
failed, 0 otherwise.
"""
import argparse
import asyncio
import collections
import hashlib
import os
import resource
import shlex
import socket
import sys


def check_answer(data, payload, me, sport):
    """Split an echo_ns.py answer, check it; returns the server name."""
    head, _, body = data.partition(b"\n")
    fields = head.decode(errors="replace").split()
    if len(fields) != 3:
        raise RuntimeError(f"bad answer {head[:60]!r}")
    name, peer, pport = fields
    if peer.startswith("::ffff:"):
        peer = peer[7:]
    if peer != me or int(pport) != sport:
        raise RuntimeError(f"server saw {peer} {pport}, not {me} {sport}")
    if hashlib.sha256(body).digest() != hashlib.sha256(payload).digest():
        raise RuntimeError(f"payload corrupted ({len(body)} bytes back)")
    return name


def new_socket(fam, kind, sport):
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sport))
    s.setblocking(False)
    return s


async def udp_flow(a, fam, payload, sport):
    loop = asyncio.get_running_loop()
    s = new_socket(fam, socket.SOCK_DGRAM, sport)
    try:
        sport = s.getsockname()[1]
        # Connected: the kernel itself drops answers from anything but
        # the VIP, so a wrong source shows up as "no answer".
        await loop.sock_connect(s, (a.vip, a.port))
        me = s.getsockname()[0]
        for _ in range(a.tries):
            await loop.sock_sendall(s, payload)
            try:
                data = await asyncio.wait_for(loop.sock_recv(s, 65536),
                                              a.timeout)
                break
            except asyncio.TimeoutError:
                continue
        else:
            raise RuntimeError("no answer")
        return sport, check_answer(data, payload, me, sport)
    finally:
        s.close()


async def send_all(writer, payload):
    writer.write(payload)
    await writer.drain()
    writer.write_eof()


async def tcp_flow(a, fam, payload, sport):
    loop = asyncio.get_running_loop()
    s = new_socket(fam, socket.SOCK_STREAM, sport)
    sport = s.getsockname()[1]
    writer = None
    try:
        # The whole exchange within the timeout: a stalled transfer
        # (say, packets dropped for a bad checksum) fails, not hangs.
        async with asyncio.timeout(a.timeout):
            await loop.sock_connect(s, (a.vip, a.port))
            if s.getpeername()[0] != a.vip:
                raise RuntimeError(f"peer {s.getpeername()[0]} is not the VIP")
            me = s.getsockname()[0]
            reader, writer = await asyncio.open_connection(sock=s)
            # Send and receive at once: the server echoes as it reads,
            # and stops reading while its answer waits to be read.
            send = asyncio.create_task(send_all(writer, payload))
            data = await reader.read()
            await send
    finally:
        if writer:
            writer.close()
        else:
            s.close()
    return sport, check_answer(data, payload, me, sport)


async def one(a, fam, i, sem, results):
    sport = a.sport_base + i if a.sport_base else 0
    payload = os.urandom(a.payload)
    flow = tcp_flow if a.proto == "tcp" else udp_flow
    async with sem:
        try:
            sp, name = await flow(a, fam, payload, sport)
            results.append((sp, name, None))
        except (OSError, RuntimeError, asyncio.TimeoutError) as e:
            results.append((sport, None, f"{type(e).__name__}: {e}"))


async def main_async(a):
    fam = socket.AF_INET6 if ":" in a.vip else socket.AF_INET
    sem = asyncio.Semaphore(a.concurrency)
    results = []
    await asyncio.gather(*(one(a, fam, i, sem, results)
                           for i in range(a.n)))
    return results


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["tcp", "udp"])
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("--payload", type=int, default=64)
    ap.add_argument("--sport-base", type=int, default=0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=10,
                    help="UDP: per try; TCP: the whole flow")
    ap.add_argument("--tries", type=int, default=3)
    return ap


def run(argv, out):
    a = parser().parse_args(argv)
    results = asyncio.run(main_async(a))
    counts = collections.Counter()
    failed = 0
    for sport, name, err in sorted(results, key=lambda r: r[0]):
        if err:
            print(f"# flow from port {sport}: {err}", file=out)
            print(f"{sport} -", file=out)
            failed += 1
        else:
            counts[name] += 1
            print(f"{sport} {name}", file=out)
    print("# servers " + " ".join(f"{k}={v}"
                                  for k, v in sorted(counts.items())),
          file=out)
    print(f"# failed {failed}", file=out)
    out.flush()
    return 1 if failed else 0


def agent(fifo_in, fifo_out):
    """Run one burst per line read from fifo_in (its arguments, shell
    quoted), answering on fifo_out with its output and "## rc STATUS"."""
    with open(fifo_in) as rf, open(fifo_out, "w") as wf:
        for line in rf:
            try:
                rc = run(shlex.split(line), wf)
            except SystemExit as e:  # usage error, already printed
                rc = e.code
            except Exception as e:  # noqa: BLE001 -- report, go on
                print(f"# burst.py: {type(e).__name__}: {e}", file=wf)
                rc = 2
            print(f"## rc {rc}", file=wf)
            wf.flush()
    return 0


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if sys.argv[1:2] == ["--agent"]:
        return agent(sys.argv[2], sys.argv[3])
    return run(sys.argv[1:], sys.stdout)


sys.exit(main())
