#!/usr/bin/env bash
# Runs each libFuzzer target (Fuzz/, issue 12) for FUZZ_SECONDS (default 60) from its committed seed corpus
# (Tests/FuzzCorpus/<target>/, copied to a temporary directory so the committed one never changes). Builds with
# `-sanitize=fuzzer,address` in its own scratch folder (.build-fuzz); the targets exist only with LOCKSTEP_FUZZ=1
# (Package.swift). Prints, per target, the executions made and what was found; exits 1 when any target found a
# crash, a leak or a failed property (the input is kept under $FUZZ_ARTIFACTS, default .build-fuzz/artifacts).
#
#   bash ci/fuzz.sh                      # all targets, 60 s each, one per core at a time
#   FUZZ_SECONDS=10 FUZZ_JOBS=1 bash ci/fuzz.sh FuzzRLP FuzzZstd
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
SCRATCH="${FUZZ_SCRATCH:-.build-fuzz}"
ARTIFACTS="${FUZZ_ARTIFACTS:-$SCRATCH/artifacts}"
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzRLP FuzzTransaction FuzzStateTest FuzzBlockVector FuzzBlockchainTest FuzzZstd)
# lld: the system's gold linker fails on the sanitizer runtime's debug info.
FLAGS=(-c release --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address
       -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
export LOCKSTEP_FUZZ=1

mkdir -p "$ARTIFACTS"
failed=0
# Build every target first (one at a time: each build uses every core), then fuzz FUZZ_JOBS targets at a time (default:
# one per core; a libFuzzer process without -jobs uses one).
built=()
for target in "${TARGETS[@]}"; do
    if ! swift build "${FLAGS[@]}" --product "$target" > "$ARTIFACTS/$target.build.log" 2>&1; then
        echo "$target: build failed (see $ARTIFACTS/$target.build.log)"; tail -n 20 "$ARTIFACTS/$target.build.log"
        failed=1; continue
    fi
    built+=("$target")
done
bin_path="$(swift build "${FLAGS[@]}" --show-bin-path)"

# Fuzzes one target; its summary line goes to $ARTIFACTS/<target>.result, its exit status to <target>.rc.
fuzz_one() {
    local target="$1" corpus log rc runs corpus_size finding
    corpus=$(mktemp -d)
    cp Tests/FuzzCorpus/"$target"/* "$corpus"/ 2>/dev/null
    log="$ARTIFACTS/$target.log"
    # -rss_limit_mb: a run above 2 GB is a finding; -timeout: one input above 10 s is a hang.
    "$bin_path/$target" "$corpus" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$target-" > "$log" 2>&1
    rc=$?
    runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -n 1)
    [ -z "$runs" ] && runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1)
    corpus_size=$(ls "$corpus" | wc -l)
    if [ $rc -eq 0 ]; then
        echo "$target: ${runs:-?} executions in $SECONDS_EACH s, corpus $corpus_size inputs, nothing found"
    else
        finding=$(grep -E 'ERROR: |SUMMARY: |fuzz property failed|Fatal error' "$log" | head -n 3 | tr '\n' ' ')
        echo "$target: FOUND after ${runs:-?} executions (exit $rc): $finding"
        ls "$ARTIFACTS"/"$target"-* 2>/dev/null | sed 's/^/  input: /'
    fi
    rm -rf "$corpus"
    echo $rc > "$ARTIFACTS/$target.rc"
}

JOBS="${FUZZ_JOBS:-$(nproc)}"
for target in "${built[@]}"; do
    rm -f "$ARTIFACTS/$target.rc" "$ARTIFACTS/$target.result"
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    fuzz_one "$target" > "$ARTIFACTS/$target.result" &
done
wait
for target in "${built[@]}"; do
    cat "$ARTIFACTS/$target.result"
    [ "$(cat "$ARTIFACTS/$target.rc" 2>/dev/null)" = 0 ] || failed=1
done
exit $failed
