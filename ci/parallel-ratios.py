#!/usr/bin/env python3
"""Reads `lockstep blocks --json --repeat N` lines (stdin or files) and prints, per parallel executor and thread
count, every timed block's speedup over serial, the worst five, and the blocks under the issue's floors:
0.95x serial for every block, 0.97x for one-transaction blocks. Exit status 1 when a block is under its floor.

    lockstep blocks --json --executor blockstm --threads 2 --repeat 11 Vectors/blocks | ci/parallel-ratios.py
"""
import json
import sys

FLOOR, ONE_TX_FLOOR = 0.95, 0.97


def rows(stream):
    for line in stream:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if r.get("executor") == "serial" or not (r.get("timing") or {}).get("speedup"):
            continue
        yield r


def main(argv):
    streams = [open(p) for p in argv[1:]] or [sys.stdin]
    found = [r for s in streams for r in rows(s)]
    if not found:
        print("parallel-ratios: no timed parallel results in the input (run blocks with --json --repeat N)")
        return 2
    bad = 0
    groups = {}
    for r in found:
        groups.setdefault((r["executor"], r["threads"]), []).append(r)
    for (executor, threads), rs in sorted(groups.items()):
        rs.sort(key=lambda r: (r["timing"]["speedup"], r["name"]))
        print(f"{executor} at {threads} threads: {len(rs)} timed blocks, median speedup "
              f"{rs[len(rs) // 2]['timing']['speedup']:.3f}x; worst five:")
        for r in rs[:5]:
            txs = (r.get("block") or {}).get("transactions")
            serially = " (ran serially)" if (r.get("metrics") or {}).get("ranSerially") else ""
            print(f"  {r['timing']['speedup']:.3f}x  {r['name']}  ({txs} txs){serially}")
        for r in rs:
            txs = (r.get("block") or {}).get("transactions")
            floor = ONE_TX_FLOOR if txs == 1 else FLOOR
            if r["timing"]["speedup"] < floor:
                bad += 1
                print(f"  UNDER {floor:.2f}x: {r['name']} at {r['timing']['speedup']:.3f}x")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
