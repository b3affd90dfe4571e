#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layering of libscaler-core, measured with nm on its object files.

Fails (TAP) when the files of the core depend on each other in a cycle, or
when a lower layer calls up into one built on it: the config layer into the
bootstrap, the engine into the simulator or the real clients (only the
composition root, scaler-engine-registry, puts those together).

Usage: check-core-layers.py NM OBJECT_DIR
"""
import collections
import glob
import os
import subprocess
import sys

# (file, files it must never call), by object-file stem.
FORBIDDEN = [
    ("scaler-config", ["scaler-config-json", "scaler-config-validate", "scaler-bootstrap"]),
    ("scaler-config-json", ["scaler-config-validate", "scaler-bootstrap"]),
    ("scaler-config-validate", ["scaler-bootstrap", "scaler-clearml", "scaler-ec2"]),
    ("scaler-engine", ["scaler-sim", "scaler-ec2-cloud", "scaler-clearml-source",
                       "scaler-bootstrap", "scaler-engine-registry"]),
    ("scaler-sim", ["scaler-policy", "scaler-engine", "scaler-engine-registry"]),
    ("scaler-cycle", ["scaler-sim", "scaler-engine-registry"]),
]


def stem(path):
    name = os.path.basename(path)
    return name[:-len(".c.o")] if name.endswith(".c.o") else name


def graph_of(nm, objdir):
    defined, undefined = {}, collections.defaultdict(set)
    for obj in sorted(glob.glob(os.path.join(objdir, "*.o"))):
        out = subprocess.run([nm, obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBRC":
                defined[parts[2]] = stem(obj)
            elif len(parts) == 2 and parts[0] == "U":
                undefined[stem(obj)].add(parts[1])
    graph = collections.defaultdict(set)
    for node, symbols in undefined.items():
        for symbol in symbols:
            owner = defined.get(symbol)
            if owner is not None and owner != node:
                graph[node].add(owner)
    return graph


def cycles_of(graph):
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def main():
    nm, objdir = sys.argv[1], sys.argv[2]
    graph = graph_of(nm, objdir)
    if not graph:
        print("1..1\nnot ok 1 - no object files in %s" % objdir)
        return 1
    n, failed = 0, False
    n += 1
    cycles = cycles_of(graph)
    if cycles:
        failed = True
        print("not ok %d - no dependency cycles: %s" % (n, "; ".join(" <-> ".join(c) for c in cycles)))
    else:
        print("ok %d - no dependency cycles among %d files" % (n, len(graph)))
    for node, never in FORBIDDEN:
        n += 1
        bad = sorted(set(never) & graph.get(node, set()))
        if bad:
            failed = True
            print("not ok %d - %s does not call %s" % (n, node, ", ".join(bad)))
        else:
            print("ok %d - %s calls none of %s" % (n, node, ", ".join(never)))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
