#!/usr/bin/env bash
# Issue 15's done-means: on every committed block vector (Vectors/blocks/**, every fork), `lockstep t8n --trace` and
# `ethereum-spec-evm t8n --trace` must agree step for step on pc, op, gas, depth and stack (ci/trace_compare.py; on a
# mismatch it prints the vector, the transaction's trace file and the first differing step with context). Both
# tools read the same alloc, env and txs and name each trace trace-<txindex>-<txhash>.jsonl, so the sets of files
# must match too. Lockstep's Block-STM trace (t8n --executor blockstm: each transaction's final incarnation) must
# equal its serial trace byte for byte.
#
# The vectors run in parallel (JOBS, default one per processor): the Python spec is most of the time, and runs through
# ci/spec_evm_fast_trace.py (see there: byte-identical traces, 4x less CPU).
#
#   bash ci/trace-crosscheck.sh [VECTOR_DIR...]    (default: every vector under Vectors/blocks)
#   SCRATCH_PATH=.build-x LOCKSTEP=path/to/lockstep JOBS=2 bash ci/trace-crosscheck.sh
# Exit status 0 when every vector agreed, 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_spec_evm
require_lockstep

if [ $# -gt 0 ]; then
    vectors=("$@")
else
    mapfile -t vectors < <(find Vectors/blocks -name 'txs.json' -o -name 'txs.json.zst' | xargs -n1 dirname | sort -u)
fi
[ ${#vectors[@]} -gt 0 ] || { echo "trace-crosscheck: no vectors" >&2; exit 2; }
jobs="${JOBS:-$(nproc)}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export LOCKSTEP tmp root

one() {
    local v="${1%/}" name work fork
    name="${v#Vectors/blocks/}"
    work="$tmp/${name//\//_}"  # one directory per vector: names repeat across fork directories
    mkdir -p "$work/lockstep" "$work/blockstm" "$work/spec"
    fork="$(vector_fork "$v")"
    copy_vector_inputs "$v" "$work"
    local inputs=(--input.alloc "$work/alloc.json" --input.env "$work/env.json" --input.txs "$work/txs.json" --state.fork "$fork")
    local executor
    for executor in serial blockstm; do
        local out="$work/lockstep"; [ "$executor" = blockstm ] && out="$work/blockstm"
        if ! "$LOCKSTEP" t8n "${inputs[@]}" --executor "$executor" --threads 2 --trace --output.basedir "$out" \
                --output.result result.json --output.alloc alloc.json 2>"$work/$executor.err"; then
            echo "FAIL $name ($fork): lockstep t8n --executor $executor failed: $(tail -c 300 "$work/$executor.err")"
            return 1
        fi
    done
    # The spec through ci/spec_evm_fast_trace.py: the same output, its tracer's two hot spots (a typing protocol
    # check per event, a deep copy per line) out; `t8n --trace` on compute blocks is ten times slower without it.
    if ! python3 "$root/ci/spec_evm_fast_trace.py" t8n "${inputs[@]}" --trace --output.basedir "$work/spec" \
            --output.result result.json --output.alloc alloc.json 2>"$work/spec.err"; then
        echo "FAIL $name ($fork): ethereum-spec-evm t8n failed: $(tail -c 300 "$work/spec.err")"
        return 1
    fi
    if ! diff -rq -x 'result.json' -x 'alloc.json' "$work/lockstep" "$work/blockstm" >/dev/null; then
        echo "FAIL $name ($fork): lockstep's Block-STM traces differ from its serial traces:"
        diff -rq -x 'result.json' -x 'alloc.json' "$work/lockstep" "$work/blockstm" | head -3 | sed 's/^/    /'
        return 1
    fi
    python3 "$root/ci/trace_compare.py" "$name ($fork)" "$work/lockstep" "$work/spec" || return 1
    rm -rf "$work"
}
export -f one vector_fork copy_vector_inputs

start=$SECONDS
status=0
printf '%s\n' "${vectors[@]}" | xargs -P "$jobs" -I{} bash -c 'one "$1" > "$tmp/log.$(echo "$1" | tr / _)" 2>&1' _ {} || status=1
cat "$tmp"/log.*  # glob order: sorted by vector, each vector's lines together
passed=$(cat "$tmp"/log.* | grep -c '^PASS' || true)
failed=$(( ${#vectors[@]} - passed ))
[ "$failed" -eq 0 ] || status=1
echo "trace-crosscheck: $passed passed, $failed failed (${#vectors[@]} vectors, $jobs jobs, $((SECONDS - start)) s)"
exit $status
