#!/usr/bin/env python3
"""Compares two directories of EIP-3155 traces (trace-<i>-<hash>.jsonl, as `t8n --trace` writes them) step for step
on pc, op, gas, depth and stack (issue 15). The summary lines (no "pc") are not compared.

    python3 ci/trace_compare.py NAME OURS_DIR THEIRS_DIR

Exit status 0 when both wrote the same files with the same steps; 1 otherwise, after printing the vector, the
transaction and the first differing step with two steps of context.
"""
import json
import os
import sys

# TRACE_FIELDS (comma-separated) widens the comparison, e.g. pc,op,gas,depth,stack,gasCost,memSize,refund.
FIELDS = tuple(os.environ.get("TRACE_FIELDS", "pc,op,gas,depth,stack").split(","))
HEX = {"gas", "gasCost"}


def files(d):
    return sorted(f for f in os.listdir(d) if f.startswith("trace-") and f.endswith(".jsonl"))


def steps(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            if "pc" in obj:
                out.append((n, obj))
    return out


def key(obj):
    return tuple(int(obj[k], 16) if k in HEX and k in obj else obj.get(k) for k in FIELDS)


def short(obj):
    return json.dumps({k: obj.get(k) for k in FIELDS + ("opName", "error") if k in obj}, separators=(",", ":"))


def main():
    name, ours, theirs = sys.argv[1:4]
    a, b = files(ours), files(theirs)
    if a != b:
        print(f"FAIL {name}: trace files differ: lockstep {sorted(set(a) - set(b))[:3]}, spec {sorted(set(b) - set(a))[:3]}")
        return 1
    total = 0
    for f in a:
        x, y = steps(os.path.join(ours, f)), steps(os.path.join(theirs, f))
        total += len(x)
        for i in range(max(len(x), len(y))):
            if i < len(x) and i < len(y) and key(x[i][1]) == key(y[i][1]):
                continue
            print(f"FAIL {name}: {f}: first differing step {i} (line {x[i][0] if i < len(x) else '-'})")
            for j in range(max(0, i - 2), i + 1):
                print(f"    lockstep [{j}] {short(x[j][1]) if j < len(x) else '(no step)'}")
                print(f"    spec     [{j}] {short(y[j][1]) if j < len(y) else '(no step)'}")
            return 1
    print(f"PASS {name}: {len(a)} traces, {total} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
