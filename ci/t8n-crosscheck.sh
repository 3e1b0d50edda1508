#!/usr/bin/env bash
# Cross-checks Lockstep's t8n interface against the Python execution specification, both ways:
#  1. `lockstep blocks --executor 't8n:ethereum-spec-evm t8n'` runs the spec as an external executor on a few
#     small committed vectors and checks it like a built-in one (against Lockstep serial and expected.json);
#  2. `lockstep t8n` (serial and Block-STM) runs each vector's inputs, and `ethereum-spec-evm t8n` then runs the
#     block body Lockstep wrote (the RLP of the included transactions) on the same alloc and env: both tools must
#     give the same state root, logs, gas, receipts, roots, requests (EIP-7685, from Prague) and post-state.
# Each vector runs under its own fork (`fork` in its metadata.json; Cancun when it names none): the default set
# has Cancun vectors and the Prague, Osaka and BPO2 ones (system-* and the workloads filled at those forks).
#
#   bash ci/t8n-crosscheck.sh [VECTOR_DIR...]    (default: a few small vectors under Vectors/blocks)
#   SCRATCH_PATH=.build-x LOCKSTEP=path/to/lockstep bash ci/t8n-crosscheck.sh
# Exit status 0 when every check passed, 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_spec_evm
require_lockstep

if [ $# -gt 0 ]; then
    vectors=("$@")
else
    vectors=()
    for v in Vectors/blocks/*-n1-* Vectors/blocks/*-n20-hot0.0 Vectors/blocks/mixed-n50-* Vectors/blocks/deploy-n50-* \
             Vectors/blocks/system-*; do
        [ -d "$v" ] && vectors+=("$v")
    done
    # The workload vectors filled at a later fork (any directory whose metadata names Prague, Osaka, BPO1 or BPO2;
    # the generator's are under Vectors/blocks/<fork>/).
    for v in Vectors/blocks/*/ Vectors/blocks/*/*/; do
        v="${v%/}"
        case "$(basename "$v")" in system-*) continue ;; esac
        if grep -qE '"fork": *"(Prague|Osaka|BPO1|BPO2)"' "$v/metadata.json" 2>/dev/null; then
            case " ${vectors[*]} " in *" $v "*) ;; *) vectors+=("$v") ;; esac
        fi
    done
fi
[ ${#vectors[@]} -gt 0 ] || { echo "t8n-crosscheck: no vectors" >&2; exit 2; }

status=0
echo "== lockstep blocks --executor 't8n:ethereum-spec-evm t8n' (${#vectors[@]} vectors)"
"$LOCKSTEP" blocks --executor 't8n:ethereum-spec-evm t8n' "${vectors[@]}" || status=1

echo "== ethereum-spec-evm t8n on the output of lockstep t8n (${JOBS:-$(nproc)} jobs)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The comparison of lockstep's result and alloc with the spec's, one vector's work directory as its argument.
cat > "$tmp/compare.py" <<'PY'
import json, sys
w = sys.argv[1]
def load(n): return json.load(open(f"{w}/{n}"))
l, s = load("lockstep-serial-result.json"), load("spec-result.json")
la, sa = load("lockstep-serial-alloc.json"), load("spec-alloc.json")
problems = []
# The spec ran the body (included transactions only), so it rejects none and its tries hold the same transactions.
if s["rejected"]:
    problems.append(f"spec rejected transactions of lockstep's body: {s['rejected']}")
for k in ["stateRoot", "txRoot", "receiptsRoot", "logsHash", "logsBloom", "withdrawalsRoot", "currentBaseFee", "currentExcessBlobGas",
          "requestsHash"]:
    if int(l.get(k) or "0x0", 16) != int(s.get(k) or "0x0", 16):
        problems.append(f"{k}: lockstep {l.get(k)}, spec {s.get(k)}")
if [r.lower() for r in l.get("requests") or []] != [r.lower() for r in s.get("requests") or []]:
    problems.append(f"requests: lockstep {l.get('requests')}, spec {s.get('requests')}")
if l.get("blockException") or s.get("blockException"):
    problems.append(f"block exception: lockstep {l.get('blockException')}, spec {s.get('blockException')}")
if int(l["gasUsed"], 16) != int(s["gasUsed"], 16):
    problems.append(f"gasUsed: lockstep {l['gasUsed']}, spec {s['gasUsed']}")
if len(l["receipts"]) != len(s["receipts"]):
    problems.append(f"receipts: lockstep {len(l['receipts'])}, spec {len(s['receipts'])}")
for i, (a, b) in enumerate(zip(l["receipts"], s["receipts"])):
    mine = (a["transactionHash"], a["status"] == "0x1", int(a["cumulativeGasUsed"], 16), a["logsBloom"], [(x["address"], x["topics"], x["data"]) for x in a["logs"]])
    theirs = (b["transactionHash"], b["succeeded"], int(b["cumulativeGasUsed"], 16), b["bloom"], [(x["address"], x["topics"], x["data"]) for x in b["logs"]])
    if mine != theirs:
        problems.append(f"receipt {i}: lockstep {mine[:3]}, spec {theirs[:3]}")
def norm(alloc):
    out = {}
    for addr, a in alloc.items():
        out[addr.lower()] = (int(a.get("balance") or "0x0", 16), int(a.get("nonce") or "0x0", 16), (a.get("code") or "0x").lower(),
                             {int(k, 16): int(v, 16) for k, v in (a.get("storage") or {}).items() if int(v, 16) != 0})
    return out
na, ns = norm(la), norm(sa)
if na != ns:
    diff = sorted(k for k in set(na) | set(ns) if na.get(k) != ns.get(k))
    problems.append(f"post-state differs at {len(diff)} accounts, e.g. {diff[:3]}")
for p in problems:
    print("   ", p)
sys.exit(1 if problems else 0)
PY
export LOCKSTEP tmp

# Runs lockstep t8n (serial and Block-STM) on one vector, the spec on lockstep's body, and compares: prints PASS or
# FAIL with the vector's name.
one() {
    local v="$1" name work fork ok=1 executor
    name="${v%/}"; name="${name#Vectors/blocks/}"
    work="$tmp/${name//\//_}"  # one directory per vector: names repeat across fork directories
    mkdir -p "$work"
    fork="$(vector_fork "$v")"
    copy_vector_inputs "$v" "$work"
    for executor in serial blockstm; do
        "$LOCKSTEP" t8n --input.alloc "$work/alloc.json" --input.env "$work/env.json" --input.txs "$work/txs.json" \
            --state.fork "$fork" --executor "$executor" --threads 2 --output.basedir "$work" \
            --output.result "lockstep-$executor-result.json" --output.alloc "lockstep-$executor-alloc.json" \
            --output.body "lockstep-$executor-body.json" || ok=0
    done
    cmp -s "$work/lockstep-serial-result.json" "$work/lockstep-blockstm-result.json" \
        && cmp -s "$work/lockstep-serial-alloc.json" "$work/lockstep-blockstm-alloc.json" \
        || { echo "FAIL $name: lockstep t8n serial and blockstm outputs differ"; ok=0; }
    ethereum-spec-evm t8n --state.fork "$fork" --input.alloc "$work/alloc.json" --input.env "$work/env.json" \
        --input.txs "$work/lockstep-serial-body.json" --output.basedir "$work" \
        --output.result spec-result.json --output.alloc spec-alloc.json 2>/dev/null || ok=0
    if [ $ok = 1 ] && python3 "$tmp/compare.py" "$work"; then
        echo "PASS $name ($fork)"
    else
        echo "FAIL $name ($fork)"
    fi
}
export -f one vector_fork copy_vector_inputs
printf '%s\n' "${vectors[@]}" | xargs -P "${JOBS:-$(nproc)}" -I{} bash -c 'one "$1" > "$tmp/log.$(echo "$1" | tr / _)" 2>&1' _ {}
cat "$tmp"/log.*  # glob order: sorted by vector, each vector's lines together
passed=$(cat "$tmp"/log.* | grep -c '^PASS' || true)
failed=$(( ${#vectors[@]} - passed ))
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
