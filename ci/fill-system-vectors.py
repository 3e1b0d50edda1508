#!/usr/bin/env python3
"""Writes the system-call block vectors (Vectors/blocks/system-*) and fills their expected values with the Python
execution specification (`ethereum-spec-evm t8n`, ethereum-execution 2.20.0).

Each vector deploys the system contracts at their final addresses, with the runtime code of their EIPs (EIP-4788,
EIP-2935, EIP-7002, EIP-7251; the same bytes as `SystemContracts` in Sources/Execution/SystemCalls.swift), and a
deposit contract at mainnet's address (0x00000000219ab540356cbb839cbe05303d7705fa). The deposit contract here is
a minimal one that emits its calldata as a DepositEvent log (`LOG1(calldata, DepositEvent topic)`): EIP-6110 reads
the log, never the contract, so the log is what the vectors exercise (the real contract's SSZ hashing is not).

    python3 ci/fill-system-vectors.py [OUT_DIR]     (default Vectors/blocks)

Vectors, each at Prague, Osaka and BPO2:
  system-requests-<fork>  withdrawal requests (EIP-7002; more than the target, from several senders, so that the
                          request contract's count and queue slots are hot), consolidation requests (EIP-7251;
                          three, one more than the per-block maximum, so one stays queued), two deposits (EIP-6110),
                          a contract that reads what the pre-block system calls stored (EIP-2935's parent hash,
                          EIP-4788's beacon root), plain transfers, and withdrawals.
  system-empty-<fork>     the system contracts and independent transfers only: no requests (requestsHash = sha256
                          of nothing hashed, 0xe3b0c442...).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import coincurve
from ethereum.crypto.hash import keccak256

FORKS = ["Prague", "Osaka", "BPO2"]

BEACON_ROOTS = "0x000f3df6d732807ef1319fb7b8bb8522d0beac02"
HISTORY = "0x0000f90827f1c53a10cb7a02335b175320002935"
WITHDRAWALS = "0x00000961ef480eb55e80d19ad83579a64c007002"
CONSOLIDATIONS = "0x0000bbddc7ce488642fb579f8b00f3a590007251"
DEPOSIT = "0x00000000219ab540356cbb839cbe05303d7705fa"
DEPOSIT_TOPIC = "649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5"

# Runtime codes: each EIP's deployment input without its constructor.
CODE_4788 = "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500"
CODE_2935 = "3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500"
CODE_7002 = "3373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f82111560685781019083028483029004916001019190604d565b909390049250505036603814608857366101f457346101f4575f5260205ff35b34106101f457600154600101600155600354806003026004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101600355005b6003546002548082038060101160df575060105b5f5b8181146101835782810160030260040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffffffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c81600301538160101c81600201538160081c81600101535360010160e1565b910180921461019557906002556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f6101e8565b01600290035b5f555f600155604c025ff35b5f5ffd"
CODE_7251 = "3373fffffffffffffffffffffffffffffffffffffffe1460d35760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1461019a57600182026001905f5b5f82111560685781019083028483029004916001019190604d565b9093900492505050366060146088573661019a573461019a575f5260205ff35b341061019a57600154600101600155600354806004026004013381556001015f358155600101602035815560010160403590553360601b5f5260605f60143760745fa0600101600355005b6003546002548082038060021160e7575060025b5f5b8181146101295782810160040260040181607402815460601b815260140181600101548152602001816002015481526020019060030154905260010160e9565b910180921461013b5790600255610146565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff141561017357505f5b6001546001828201116101885750505f61018e565b01600190035b5f555f6001556074025ff35b5f5ffd"
# CALLDATACOPY(0, 0, CALLDATASIZE); LOG1(0, CALLDATASIZE, DepositEvent); STOP
CODE_DEPOSIT = "365f5f377f" + DEPOSIT_TOPIC + "365fa100"
# Reads the history contract at number - 1 (slot 0: the hash, slot 2: success) and the beacon roots contract at
# the block's timestamp (slot 1: the root, slot 3: success).
READER = "0x00000000000000000000000000000000000c0de1"
CODE_READER = ("60014303" "5f52" "60205f60205f73" + HISTORY[2:] + "5afa" "600255" "5f515f55"
               "425f52" "60205f60205f73" + BEACON_ROOTS[2:] + "5afa" "600355" "5f51600155" "00")

NUMBER = 0x20
COINBASE = "0x4c6f636b00000000000000000000000000c0ffee"


def key(i):
    return (0x1000 + i).to_bytes(32, "big")


def address(k):
    return "0x" + keccak256(coincurve.PrivateKey(k).public_key.format(compressed=False)[1:])[12:].hex()


def word(n):
    return n.to_bytes(32, "big")


def deposit_calldata(i):
    """A DepositEvent's 576 bytes: five `bytes` fields at offsets 160, 256, 320, 384, 512."""
    pubkey = bytes([0xA0 + i]) * 48
    credentials = b"\x01" + b"\x00" * 11 + bytes([0xC0 + i]) * 20
    amount = (32_000_000_000 + i).to_bytes(8, "little")
    signature = bytes([0x50 + i]) * 96
    index = (7 + i).to_bytes(8, "little")
    data = word(160) + word(256) + word(320) + word(384) + word(512)
    for field in (pubkey, credentials, amount, signature, index):
        data += word(len(field)) + field + b"\x00" * ((32 - len(field) % 32) % 32)
    assert len(data) == 576, len(data)
    return data


def tx(k, nonce, to, data=b"", value=0, gas=300_000):
    return {"type": "0x2", "chainId": "0x1", "nonce": hex(nonce), "maxFeePerGas": "0x20",
            "maxPriorityFeePerGas": "0x2", "gas": hex(gas), "to": to, "value": hex(value),
            "input": "0x" + data.hex(), "accessList": [],
            "secretKey": "0x" + k.hex()}


def system_alloc():
    alloc = {}
    for a, code in ((BEACON_ROOTS, CODE_4788), (HISTORY, CODE_2935), (WITHDRAWALS, CODE_7002),
                    (CONSOLIDATIONS, CODE_7251)):
        alloc[a] = {"balance": "0x0", "nonce": "0x1", "code": "0x" + code, "storage": {}}
    alloc[DEPOSIT] = {"balance": "0x0", "nonce": "0x1", "code": "0x" + CODE_DEPOSIT, "storage": {}}
    return alloc


def env():
    return {
        "currentCoinbase": COINBASE, "currentGasLimit": hex(30_000_000), "currentNumber": hex(NUMBER),
        "currentTimestamp": hex(0x6800_0000), "currentRandom": "0x" + "5a" * 32, "currentBaseFee": "0x7",
        "currentExcessBlobGas": "0x0", "currentDifficulty": "0x0",
        "parentBeaconBlockRoot": "0x" + "be" * 32,
        "blockHashes": {hex(NUMBER - 1): "0x" + "a1" * 32, hex(NUMBER - 2): "0x" + "a2" * 32},
        "withdrawals": [{"index": "0x0", "validatorIndex": "0x5", "address": "0x" + "77" * 20, "amount": "0x3b9aca00"},
                        {"index": "0x1", "validatorIndex": "0x6", "address": WITHDRAWALS, "amount": "0x1"}],
    }


def requests_block():
    alloc = system_alloc()
    alloc[READER] = {"balance": "0x0", "nonce": "0x1", "code": "0x" + CODE_READER, "storage": {}}
    txs = []
    keys = [key(i) for i in range(12)]
    for k in keys:
        alloc[address(k)] = {"balance": hex(10**20), "nonce": "0x0", "code": "0x", "storage": {}}
    # Five withdrawal requests (target 2 per block), two from one sender.
    for i in range(5):
        k = keys[i if i < 4 else 0]
        nonce = 0 if i < 4 else 1
        txs.append(tx(k, nonce, WITHDRAWALS, bytes([0xB0 + i]) * 48 + (1000 + i).to_bytes(8, "big"), value=2))
    # Three consolidation requests (at most two are dequeued per block).
    for i in range(3):
        txs.append(tx(keys[4 + i], 0, CONSOLIDATIONS, bytes([0xD0 + i]) * 48 + bytes([0xE0 + i]) * 48, value=2))
    # Two deposits.
    for i in range(2):
        txs.append(tx(keys[7 + i], 0, DEPOSIT, deposit_calldata(i)))
    # The reader of the pre-block system calls' storage, then transfers.
    txs.append(tx(keys[9], 0, READER))
    txs.append(tx(keys[10], 0, "0x" + "77" * 20, value=5, gas=21_000))
    txs.append(tx(keys[11], 0, WITHDRAWALS, b"", gas=100_000))  # the fee getter (input empty)
    return alloc, txs


def empty_block():
    alloc = system_alloc()
    txs = []
    for i in range(3):
        k = key(100 + i)
        alloc[address(k)] = {"balance": hex(10**20), "nonce": "0x0", "code": "0x", "storage": {}}
        # Distinct senders and recipients: no dependencies, so the partition bound runs it too.
        txs.append(tx(k, 0, "0x" + "8%d" % i * 20, value=i + 1, gas=21_000))
    return alloc, txs


def fill(out, name, fork, alloc, txs, description):
    directory = os.path.join(out, f"{name}-{fork.lower()}")
    with tempfile.TemporaryDirectory() as tmp:
        for part, value in (("alloc", alloc), ("env", env()), ("txs", txs)):
            with open(os.path.join(tmp, part + ".json"), "w") as f:
                json.dump(value, f)
        subprocess.run(["ethereum-spec-evm", "t8n", "--input.alloc", "alloc.json", "--input.env", "env.json",
                        "--input.txs", "txs.json", "--output.basedir", tmp, "--output.result", "result.json",
                        "--output.alloc", "post.json", "--state.fork", fork, "--state.chainid", "1"],
                       cwd=tmp, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(tmp, "result.json")) as f:
            result = json.load(f)
    if result.get("blockException"):
        sys.exit(f"{name} {fork}: the specification rejects the block: {result['blockException']}")
    if result["rejected"]:
        sys.exit(f"{name} {fork}: the specification rejects transactions: {result['rejected']}")
    expected = {k: result[k] for k in ("stateRoot", "receiptsRoot", "logsHash", "gasUsed", "rejected",
                                       "requestsHash")}
    metadata = {"fork": fork, "expectedFrom": "ethereum-spec-evm t8n", "generator": "ci/fill-system-vectors.py",
                "description": description, "requests": str(len(result.get("requests", []))),
                "txs": str(len(txs))}
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for part, value in (("alloc", alloc), ("env", env()), ("txs", txs), ("expected", expected),
                        ("metadata", metadata)):
        with open(os.path.join(directory, part + ".json"), "w") as f:
            json.dump(value, f, indent=2, sort_keys=True)
            f.write("\n")
    print(f"{directory}: requestsHash {result['requestsHash']}, {len(result.get('requests', []))} request types, "
          f"gas {int(result['gasUsed'], 16)}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Vectors/blocks"
    for fork in FORKS:
        alloc, txs = requests_block()
        fill(out, "system-requests", fork, alloc, txs,
             "EIP-2935/4788 pre-block calls read back, EIP-7002 and EIP-7251 requests, EIP-6110 deposits, withdrawals")
        alloc, txs = empty_block()
        fill(out, "system-empty", fork, alloc, txs, "system contracts deployed, no requests (empty requestsHash)")


if __name__ == "__main__":
    main()
