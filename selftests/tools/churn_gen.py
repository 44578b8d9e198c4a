#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A batch of configuration churn for one service (hlb -b input).

    churn_gen.py PROTO VIP:PORT COUNT [SEED]

COUNT commands that add, reweight, drain and delete servers 10.1.9.1 to
10.1.9.40 (port 8080) and switch the service between its modes; servers
of other services are never named.
"""
import random
import sys

proto, vip, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
present = set()
n = 0
while n < count:
    i = rnd.randrange(1, 41)
    srv = f"10.1.9.{i}:8080"
    op = rnd.random()
    if op < 0.1:
        mode = rnd.choice(["stateless", "stateful", "hybrid"])
        print(f"service set {proto} {vip} mode {mode}")
    elif op < 0.12:
        print(f"service set {proto} {vip} seed {rnd.randrange(1 << 32)}")
    elif i not in present:
        print(f"server add {proto} {vip} {srv} weight {rnd.randrange(0, 5)}")
        present.add(i)
    elif op < 0.6:
        print(f"server set {proto} {vip} {srv} weight {rnd.randrange(0, 5)}")
    else:
        print(f"server del {proto} {vip} {srv}")
        present.discard(i)
    n += 1
