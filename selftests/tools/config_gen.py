#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Configuration generator and checker for the control-plane tests.

    config_gen.py batch SEED              a batch of hlb commands (stdout)
    config_gen.py check SEED SVC SRV      compare `hlb -j service show` and
                                          `hlb -j server show` output (files)
                                          with what the batch configured
    config_gen.py scale NSVC NSRV OFF     NSVC services with NSRV servers
                                          each, numbered from OFF (batch)
    config_gen.py count SRV NSVC NSRV     check a server dump holds every
                                          server of `scale NSVC NSRV 0`
                                          exactly once (extra ones allowed)
"""
import ipaddress
import json
import random
import sys

DEFAULTS = {
    "mode": "stateful", "hash": "src-port", "table_size": 65537, "seed": 0,
    "sched": "hash", "strict": False, "pin": "none", "transition_ms": 60000,
}
TIMEOUTS = ["syn", "est", "fin", "close", "udp"]
HYBRID = ["sessions", "newflow", "pps"]


def services(seed):
    """A varied configuration: IPv4 and IPv6, TCP and UDP, options set
    or left at their defaults, up to 40 servers each."""
    rnd = random.Random(seed)
    out = []
    for i in range(12):
        v6 = i % 2 == 1
        vip = f"2001:db8:{i}::1" if v6 else f"10.200.{i}.1"
        svc = {
            "family": "inet6" if v6 else "inet",
            "proto": "tcp" if i % 3 else "udp",
            "vip": vip, "port": 1000 + i, "opts": {}, "servers": [],
        }
        o = svc["opts"]
        if rnd.random() < 0.7:
            o["mode"] = rnd.choice(["stateless", "stateful", "hybrid"])
        if rnd.random() < 0.5:
            o["hash"] = rnd.choice(["src", "src-port"])
        if rnd.random() < 0.5:
            o["table_size"] = rnd.choice([251, 1009, 4099, 65537])
        if rnd.random() < 0.5:
            o["seed"] = rnd.randrange(1 << 32)
        if rnd.random() < 0.3:
            o["sched"] = "wlc"
        if rnd.random() < 0.3:
            o["strict"] = True
        if rnd.random() < 0.3:
            o["transition_ms"] = rnd.choice([0, 1500, 120000])
        for t in TIMEOUTS:
            if rnd.random() < 0.2:
                o["to_" + t] = rnd.randrange(1, 3600)
        for h in HYBRID:
            if rnd.random() < 0.3:
                hi = rnd.randrange(1, 100000)
                o[h + "_high"] = hi
                o[h + "_low"] = rnd.randrange(0, hi)
        for j in range(rnd.randrange(0, 41)):
            addr = (f"2001:db8:{i}:1::{j + 1:x}" if v6
                    else f"10.201.{i}.{j + 1}")
            svc["servers"].append({
                "addr": addr, "port": 8000 + j,
                "weight": rnd.choice([0, 1, 1, 2, 5, 100, 65535]),
                "max_conns": rnd.choice([0, 0, 10, 1000000]),
            })
        out.append(svc)
    return out


def ep(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def batch(seed):
    for s in services(seed):
        o = s["opts"]
        args = [f"service add {s['proto']} {ep(s['vip'], s['port'])}"]
        for k in ["mode", "hash", "table_size", "seed", "sched"]:
            if k in o:
                args.append(f"{k.replace('_', '-')} {o[k]}")
        if "strict" in o:
            args.append("strict on")
        if "transition_ms" in o:
            args.append(f"transition {o['transition_ms']}ms")
        for t in TIMEOUTS:
            if "to_" + t in o:
                args.append(f"{t}-timeout {o['to_' + t]}")
        for h in HYBRID:
            if h + "_high" in o:
                args.append(f"{h}-high {o[h + '_high']} {h}-low {o[h + '_low']}")
        print(" ".join(args))
        for r in s["servers"]:
            print(f"server add {s['proto']} {ep(s['vip'], s['port'])} "
                  f"{ep(r['addr'], r['port'])} weight {r['weight']} "
                  f"max-conns {r['max_conns']}")


def fail(msg):
    print(f"# {msg}")
    sys.exit(1)


def check(seed, svc_file, srv_file):
    got_svc = {(s["proto"], s["vip"], s["port"]): s
               for s in json.load(open(svc_file))}
    got_srv = {}
    for r in json.load(open(srv_file)):
        k = (r["service"]["proto"], r["service"]["vip"], r["service"]["port"])
        got_srv.setdefault(k, {})[(r["addr"], r["port"])] = r
    want = services(seed)
    if len(got_svc) != len(want):
        fail(f"{len(got_svc)} services, want {len(want)}")
    for s in want:
        k = (s["proto"], s["vip"], s["port"])
        g = got_svc.get(k)
        if not g:
            fail(f"service {k} missing")
        o = s["opts"]
        for f, d in DEFAULTS.items():
            if g[f] != o.get(f, d):
                fail(f"{k} {f}: {g[f]} != {o.get(f, d)}")
        for t in TIMEOUTS:
            if g["timeouts"][t] != o.get("to_" + t, 0):
                fail(f"{k} timeout {t}: {g['timeouts'][t]}")
        for h in HYBRID:
            for side in ["high", "low"]:
                name = f"{h}_{side}"
                if g["hybrid"][name] != o.get(name, 0):
                    fail(f"{k} {name}: {g['hybrid'][name]}")
        if g["servers"] != len(s["servers"]):
            fail(f"{k} server count {g['servers']}")
        srvs = got_srv.get(k, {})
        if len(srvs) != len(s["servers"]):
            fail(f"{k}: {len(srvs)} servers in the dump")
        for r in s["servers"]:
            gr = srvs.get((r["addr"], r["port"]))
            if not gr:
                fail(f"{k} server {r['addr']} missing")
            state = "active" if r["weight"] else "draining"
            if (gr["weight"], gr["max_conns"], gr["state"]) != \
                    (r["weight"], r["max_conns"], state):
                fail(f"{k} server {r['addr']}: {gr}")
    print(f"# {len(want)} services and "
          f"{sum(len(s['servers']) for s in want)} servers as configured")


def scale(nsvc, nsrv, off):
    for i in range(off, off + nsvc):
        vip = ipaddress.IPv4Address("10.64.0.0") + i
        print(f"service add tcp {vip}:80 mode stateless table-size 101")
        for j in range(nsrv):
            srv = ipaddress.IPv4Address("10.128.0.0") + i * nsrv + j
            print(f"server add tcp {vip}:80 {srv}:80")


def count(srv_file, nsvc, nsrv):
    seen = {}
    for r in json.load(open(srv_file)):
        seen[r["addr"]] = seen.get(r["addr"], 0) + 1
    dup = [a for a, c in seen.items() if c > 1]
    if dup:
        fail(f"{len(dup)} servers reported twice, e.g. {dup[0]}")
    for i in range(nsvc * nsrv):
        a = str(ipaddress.IPv4Address("10.128.0.0") + i)
        if a not in seen:
            fail(f"server {a} missing from the dump")
    print(f"# all {nsvc * nsrv} servers once; {len(seen)} in the dump")


cmd = sys.argv[1]
if cmd == "batch":
    batch(int(sys.argv[2]))
elif cmd == "check":
    check(int(sys.argv[2]), sys.argv[3], sys.argv[4])
elif cmd == "scale":
    scale(*map(int, sys.argv[2:5]))
elif cmd == "count":
    count(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
