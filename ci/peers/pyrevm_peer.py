#!/usr/bin/env python3
"""The revm side of `lockstep bench evm`: pyrevm 0.3.7 driven over stdin/stdout, one JSON object a line.

Requests and replies (one line each):
  {"cmd": "load", "spec": "CANCUN", "env": {...}, "accounts": [...], "txs": [...]}  -> {"ok": true}
  {"cmd": "round"}       -> {"ns": N, "gas": [...]}: a fresh EVM holding the pre-state (built untimed), then
                            every transaction in order, timed together (load's "clock": "cpu", the default, is
                            time.thread_time_ns around the loop; "wall" is time.perf_counter_ns)
  {"cmd": "empty", "n": N} -> {"ns": N}: median over N calls of a call to an account without code (pyrevm's
                            fixed cost per transaction: argument conversion, environment set-up, result object)
  {"cmd": "quit"}

Transactions run through EVM.message_call (EVM.deploy for creations). pyrevm's message_call charges no fees and
does not bump the sender's nonce, so only gas is compared with Lockstep, and a creation first sets its sender's
nonce to the transaction's (that is what decides the new address). Gas is revm's gas used after refunds.
pyrevm 0.3.7 never finalizes its journal between calls and insert_account_storage writes into that journal, so
pre-state slots start warm and a slot stays warm for later transactions: where transactions share storage, revm's
gas is lower than a block's, and the driver reports the mismatch.
Errors are replied as {"error": "..."}; the Swift side treats them as a failed peer.
"""
import json
import sys
import time

try:
    from pyrevm import EVM, Env, BlockEnv, TxEnv, AccountInfo
except ImportError as e:  # reported by the Swift side as a peer that cannot start
    sys.stdout.write(json.dumps({"error": "cannot import pyrevm: %s" % e}) + "\n")
    sys.stdout.flush()
    sys.exit(3)


def num(x):
    """A JSON number, or a hex quantity string ("0x...") for values that may exceed 64 bits."""
    return int(x, 16) if isinstance(x, str) else x


def hexbytes(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


class Block:
    def __init__(self, req):
        self.spec = req.get("spec", "CANCUN")
        self.clock = clock_of(req)
        e = req["env"]
        self.block_env = dict(number=e["number"], coinbase=e["coinbase"], timestamp=e["timestamp"],
                              difficulty=num(e.get("difficulty", 0)), prevrandao=hexbytes(e["prevrandao"]),
                              basefee=num(e["basefee"]), gas_limit=e["gasLimit"],
                              excess_blob_gas=e.get("excessBlobGas", 0))
        self.accounts = []
        for a in req["accounts"]:
            code = hexbytes(a["code"]) if a.get("code") else None
            storage = [(int(k, 16), int(v, 16)) for k, v in a.get("storage", [])]
            self.accounts.append((a["address"], a["nonce"], int(a["balance"], 16), code, storage))
        # (caller, to or None, data, value, gas, gas price, access list or None, nonce)
        self.txs = []
        for t in req["txs"]:
            al = [(x["address"], [int(k, 16) for k in x["keys"]]) for x in t.get("accessList", [])] or None
            self.txs.append((t["from"], t.get("to"), hexbytes(t["data"]), int(t["value"], 16), t["gas"],
                             int(t["gasPrice"], 16), al, t["nonce"]))

    def fresh_evm(self):
        evm = EVM(env=Env(block=BlockEnv(**self.block_env)), spec_id=self.spec)
        for address, nonce, balance, code, storage in self.accounts:
            evm.insert_account_info(address, AccountInfo(nonce=nonce, code=code) if code else AccountInfo(nonce=nonce))
            for k, v in storage:
                evm.insert_account_storage(address, k, v)
            if balance:
                evm.set_balance(address, balance)
        return evm

    def round(self):
        evm = self.fresh_evm()
        gas = [0] * len(self.txs)
        empty_tx = TxEnv()
        call = evm.message_call
        clock = self.clock
        start = clock()
        for i, (caller, to, data, value, limit, price, al, nonce) in enumerate(self.txs):
            if al is not None:
                evm.set_tx_env(TxEnv(access_list=al))
            try:
                if to is None:
                    info = evm.basic(caller)
                    if info.nonce != nonce:
                        balance = info.balance
                        evm.insert_account_info(caller, AccountInfo(nonce=nonce))
                        evm.set_balance(caller, balance)
                    evm.deploy(caller, data, value=value, gas=limit)
                else:
                    call(caller, to, calldata=data, value=value, gas=limit, gas_price=price)
            except RuntimeError:
                pass  # a revert or halt: included, gas charged, as in a block
            result = evm.result
            gas[i] = result.gas_used if result is not None else 0
            if al is not None:
                evm.set_tx_env(empty_tx)
        elapsed = clock() - start
        return {"ns": elapsed, "gas": gas}


def clock_of(req):
    """time.thread_time_ns (this thread's CPU time) for "cpu", the default; time.perf_counter_ns for "wall"."""
    return time.perf_counter_ns if req.get("clock") == "wall" else time.thread_time_ns


def empty_call_ns(n, clock):
    evm = EVM(env=Env(block=BlockEnv(number=1, timestamp=1, basefee=0, gas_limit=30_000_000)), spec_id="CANCUN")
    caller, callee = "0x" + "aa" * 20, "0x" + "bb" * 20
    evm.set_balance(caller, 10 ** 18)
    samples = []
    for _ in range(n):
        start = clock()
        evm.message_call(caller, callee, calldata=b"", value=0, gas=30_000, gas_price=0)
        samples.append(clock() - start)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    block = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "load":
                block = Block(req)
                reply = {"ok": True}
            elif cmd == "round":
                reply = block.round() if block else {"error": "round before load"}
            elif cmd == "empty":
                reply = {"ns": empty_call_ns(int(req.get("n", 1000)), clock_of(req))}
            elif cmd == "quit":
                return
            else:
                reply = {"error": "unknown command %r" % cmd}
        except Exception as e:  # noqa: BLE001 - every failure goes back to the driver
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
