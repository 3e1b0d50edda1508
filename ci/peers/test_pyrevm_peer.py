#!/usr/bin/env python3
"""Checks of the revm peer (ci/peers/pyrevm_peer.py) that need pyrevm 0.3.7: run with the bench's environment,
`.bench-venv/bin/python ci/peers/test_pyrevm_peer.py` (exit 0 when every check passes).

Each transaction of a block must start with cold accounts and slots and see the pre-state's values as original
values, as in a block, although pyrevm keeps one journal open across calls."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyrevm_peer  # noqa: E402

SENDER = "0x" + "aa" * 20
CONTRACT = "0x" + "cc" * 20
FUNDED = "0x" + "dd" * 20


def block(code, storage, txs=2):
    """A block of `txs` identical calls from SENDER to CONTRACT (holding `code` and `storage`)."""
    return pyrevm_peer.Block({
        "spec": "CANCUN",
        "env": {"number": 1, "coinbase": "0x" + "00" * 20, "timestamp": 1, "prevrandao": "0x" + "00" * 32,
                "basefee": 0, "gasLimit": 30_000_000},
        "accounts": [
            {"address": SENDER, "nonce": 0, "balance": hex(10 ** 18)},
            {"address": FUNDED, "nonce": 0, "balance": hex(5)},
            {"address": CONTRACT, "nonce": 1, "balance": "0x0", "code": code,
             "storage": [[hex(k), hex(v)] for k, v in storage]},
        ],
        "txs": [{"from": SENDER, "to": CONTRACT, "data": "0x", "value": "0x0", "gas": 100_000, "gasPrice": "0x0",
                 "nonce": i} for i in range(txs)],
    })


def check(name, got, expected):
    ok = got == expected
    print("%s %s: gas %s, expected %s" % ("ok  " if ok else "FAIL", name, got, expected))
    return ok


def main():
    ok = True
    # SLOAD of the second pre-state slot: cold (2100) in every transaction: 21000 + 3 + 2100 + 2.
    ok &= check("cold slot in each transaction", block("0x6001545000", [(0, 5), (1, 6)]).round()["gas"], [23105] * 2)
    # SSTORE 7 over the pre-state's 6: cold, original == current (2100 + 2900) first, then a cold no-op the next
    # time (2100 + 100): 21000 + 3 + 3 + cost.
    ok &= check("original values", block("0x6007600155" + "00", [(0, 5), (1, 6)]).round()["gas"], [26006, 23206])
    # BALANCE of a funded account: cold (2600) in every transaction: 21000 + 3 + 2600 + 2.
    ok &= check("cold account in each transaction", block("0x73" + "dd" * 20 + "315000", []).round()["gas"], [23605] * 2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
