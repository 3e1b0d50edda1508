#!/usr/bin/env python3
"""The revm side of `lockstep bench evm`: pyrevm 0.3.7 driven over stdin/stdout, one JSON object a line.

Requests and replies (one line each):
  {"cmd": "load", "spec": "CANCUN", "env": {...}, "accounts": [...], "txs": [...]}  -> {"ok": true}
  {"cmd": "round"}       -> {"ns": N, "gas": [...]}: every transaction in order, each on a fresh EVM (built
                            untimed), the calls' times summed (load's "clock": "cpu", the default, is
                            time.thread_time_ns around each call; "wall" is time.perf_counter_ns), less the
                            median cost of one clock read per transaction
  {"cmd": "empty", "n": N} -> {"ns": N}: median over N calls of a call to an account without code (pyrevm's
                            fixed cost per transaction: argument conversion, environment set-up, result object)
  {"cmd": "quit"}

Transactions run through EVM.message_call (EVM.deploy for creations), each on a fresh EVM whose database holds
the state the earlier transactions left (built untimed; only the call itself is timed), so every transaction starts
with cold accounts and slots, as in a block. pyrevm 0.3.7 never finalizes its journal between calls (its executor
leaves revm's finalization out, EVM.commit() only pops a checkpoint depth, and set_balance loads the account into
that journal), so one EVM for the whole block would keep every account and slot warm for later transactions. After
each transaction the peer reads the accounts and slots that transaction loaded back from the journal (its Debug
text, `journal_str`) into its own copy of the state; the state goes into the database (AccountInfo with its
balance; insert_account_storage between a snapshot and its revert), never the journal. pyrevm's message_call charges no fees and does not bump the
sender's nonce: the peer bumps it (a creation's address depends on it), and only gas is compared with Lockstep.
Gas is revm's gas used after refunds.
Errors are replied as {"error": "..."}; the Swift side treats them as a failed peer.
"""
import gc
import json
import re
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


# One account in the Debug text of pyrevm 0.3.7's JournaledState (revm 8.0.0):
#   0x<address>: Account { info: AccountInfo { balance: <dec>, nonce: <dec>, code_hash: 0x.., code: .. },
#   storage: {<dec key>: StorageSlot { previous_or_original_value: <dec>, present_value: <dec> }, ..}, status: ..
ACCOUNT = re.compile(r"(0x[0-9a-f]{40}): Account \{ info: AccountInfo \{ balance: (\d+), nonce: (\d+), "
                     r"code_hash: 0x[0-9a-f]{64}, code: .*? \}, storage: \{(.*?)\}, status: AccountStatus\(([^)]*)\)")
SLOT = re.compile(r"(\d+): StorageSlot \{ previous_or_original_value: \d+, present_value: (\d+) \}")
EMPTY_CODE_HASH = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


class Block:
    def __init__(self, req):
        self.spec = req.get("spec", "CANCUN")
        self.clock = clock_of(req)
        e = req["env"]
        self.block_env = dict(number=e["number"], coinbase=e["coinbase"], timestamp=e["timestamp"],
                              difficulty=num(e.get("difficulty", 0)), prevrandao=hexbytes(e["prevrandao"]),
                              basefee=num(e["basefee"]), gas_limit=e["gasLimit"],
                              excess_blob_gas=e.get("excessBlobGas", 0))
        self.clock_cost = clock_cost(self.clock)
        # address (lower-case hex) -> [nonce, balance, code or None, {slot: value}]
        self.pre = {}
        for a in req["accounts"]:
            code = hexbytes(a["code"]) if a.get("code") else None
            storage = {int(k, 16): int(v, 16) for k, v in a.get("storage", [])}
            self.pre[a["address"].lower()] = [a["nonce"], int(a["balance"], 16), code, storage]
        # (caller, to or None, data, value, gas, gas price, access list or None, nonce)
        self.txs = []
        for t in req["txs"]:
            al = [(x["address"], [int(k, 16) for k in x["keys"]]) for x in t.get("accessList", [])] or None
            self.txs.append((t["from"].lower(), t.get("to"), hexbytes(t["data"]), int(t["value"], 16), t["gas"],
                             int(t["gasPrice"], 16), al, t["nonce"]))

    def evm_for(self, state, access_list):
        """A fresh EVM whose database (not journal) holds `state`: every account and slot starts cold."""
        env = Env(block=BlockEnv(**self.block_env), tx=TxEnv(access_list=access_list) if access_list else None)
        evm = EVM(env=env, spec_id=self.spec)
        for address, (nonce, balance, code, storage) in state.items():
            evm.insert_account_info(address, AccountInfo(nonce=nonce, balance=balance, code=code))
            for k, v in storage.items():
                # insert_account_storage writes the database only while the account is not in the journal, and
                # puts it there (the next slot would become a warm, dirty journal write with original value 0):
                # undo the journal part each time.
                checkpoint = evm.snapshot()
                evm.insert_account_storage(address, k, v)
                evm.revert(checkpoint)
        if not evm.journal_str.startswith("JournaledState { state: {}"):
            raise RuntimeError("pyrevm's journal is not empty after loading the state")
        return evm

    @staticmethod
    def read_back(evm, state):
        """Copies what the last transaction left in the journal (loaded accounts and slots) into `state`."""
        journal = evm.journal_str
        loaded = 0
        for m in ACCOUNT.finditer(journal):
            loaded += 1
            address, balance, nonce, slots, status = m.groups()
            if "LoadedAsNotExisting" in status and "Touched" not in status and "Created" not in status:
                continue  # looked at but never made to exist
            entry = state.get(address)
            if entry is None:
                code = evm.get_code(address)
                entry = state[address] = [0, 0, code or None, {}]
            elif "Created" in status:
                entry[2] = evm.get_code(address) or None
            entry[0] = int(nonce)
            entry[1] = int(balance)
            storage = entry[3]
            for k, v in SLOT.findall(slots):
                if int(v):
                    storage[int(k)] = int(v)
                else:
                    storage.pop(int(k), None)
        if loaded != len(evm.journal_state):
            raise RuntimeError("could not read pyrevm's journal (%d of %d accounts)" % (loaded, len(evm.journal_state)))

    def round(self):
        # Python's cycle collector would otherwise run, now and then, inside a timed call (set-up allocates
        # thousands of objects per transaction); it is no part of revm's cost. It runs once after the round.
        gc.disable()
        try:
            return self.timed_round()
        finally:
            gc.enable()
            gc.collect()

    def timed_round(self):
        state = {a: [n, b, c, dict(s)] for a, (n, b, c, s) in self.pre.items()}
        gas = [0] * len(self.txs)
        clock = self.clock
        elapsed = 0
        for i, (caller, to, data, value, limit, price, al, nonce) in enumerate(self.txs):
            sender = state.setdefault(caller, [0, 0, None, {}])
            sender[0] = nonce  # what a creation's address is derived from
            evm = self.evm_for(state, al)
            start = clock()
            try:
                if to is None:
                    evm.deploy(caller, data, value=value, gas=limit)
                else:
                    evm.message_call(caller, to, calldata=data, value=value, gas=limit, gas_price=price)
            except RuntimeError:
                pass  # a revert or halt: included, gas charged, as in a block
            elapsed += clock() - start - self.clock_cost
            result = evm.result
            gas[i] = result.gas_used if result is not None else 0
            self.read_back(evm, state)
            state[caller][0] = nonce + 1  # message_call bumps no nonce; a block does
        return {"ns": elapsed, "gas": gas}


def clock_cost(clock, n=2001):
    """The median time one clock read adds to an interval (subtracted from each transaction's)."""
    samples = []
    for _ in range(n):
        start = clock()
        samples.append(clock() - start)
    samples.sort()
    return samples[n // 2]


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
