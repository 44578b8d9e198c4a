#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that kmod/ calls only downwards, as Documentation/design.rst says.

The layers are read from the literal block under "Layering" in
design.rst: one layer a line, files named there (``core/`` stands for
every file in kmod/core). A call is an undefined hlb_* symbol of one
object that another object defines (nm). It is allowed from a file to a
file of a lower layer, and for the symbols the document names as the
exceptions (written there as ``hlb_...``, in the list after the block).

    layering.py DESIGN_RST OBJDIR     exit 0 if the tree matches, 1 if not
"""
import os
import re
import subprocess
import sys


def layers_of(rst):
    text = open(rst, encoding="utf-8").read()
    m = re.search(r"\nLayering\n-+\n(.*?)\n\S[^\n]*\n[=-]+\n", text, re.S)
    if not m:
        sys.exit(f"{rst}: no Layering section")
    section = m.group(1)
    block = re.search(r"::\n\n((?:    .*\n|\n)+)", section)
    rank = {}
    for i, line in enumerate(l for l in block.group(1).splitlines() if l):
        for name in re.findall(r"\b([a-z_]+\.c|core/)", line):
            rank[name] = i
    exceptions = set(re.findall(r"``(hlb_\w+)(?:\(\))?``",
                                section[block.end():]))
    return rank, exceptions


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
        elif len(f) == 3 and f[1] in "TDRB":
            defined.add(f[2])
    return defined, undefined


def main():
    rst, objdir = sys.argv[1], sys.argv[2]
    rank, exceptions = layers_of(rst)
    objs = {}
    for sub in ("", "core/"):
        d = os.path.join(objdir, sub)
        for f in sorted(os.listdir(d)):
            if f.endswith(".o") and f not in ("hlb.o", "hlb.mod.o"):
                objs[sub + f[:-2] + ".c"] = symbols(os.path.join(d, f))
    owner = {s: f for f, (defs, _) in objs.items() for s in defs}
    bad = 0
    for f, (_, undef) in objs.items():
        key = "core/" if f.startswith("core/") else f
        if key not in rank:
            print(f"{f}: not in design.rst's layering")
            bad = 1
            continue
        for sym in sorted(undef):
            to = owner.get(sym)
            if not to or to == f or sym in exceptions:
                continue
            tkey = "core/" if to.startswith("core/") else to
            if key == "core/" and tkey == "core/":
                continue
            if rank.get(tkey, -1) <= rank[key]:
                print(f"{f} calls {sym}() of {to}: not a lower layer")
                bad = 1
    print(f"layering: {len(objs)} files, {'not ' if bad else ''}as design.rst says")
    return bad


if __name__ == "__main__":
    sys.exit(main())
