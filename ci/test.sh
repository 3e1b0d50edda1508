#!/usr/bin/env bash
# The project's test command (README): unit tests, the parallel tests under Thread Sanitizer, and the
# shared conformance suites through the release CLI. Each step is reported; the last line is the tally.
set -uo pipefail
cd "$(dirname "$0")/.."

SHARED="${LOCKSTEP_SHARED_VECTORS:-$(cd .. && pwd)/shared/vectors}"
GST="$SHARED/ethereum-tests/GeneralStateTests"
LOCKSTEP=.build/release/lockstep
passed=0
failed=0
failures=()

# Under CI (CI=true: a fresh 2-core machine and a 40-minute budget) three things run a sample; without CI they run
# whole, as they should before a release:
# - the fuzzers run 15 s each, two at a time (60 s each otherwise; FUZZ_SECONDS and FUZZ_JOBS override);
# - the parallel tests' seeded stress schedules: 8 per check instead of 20 (LOCKSTEP_STRESS_REPS overrides; the
#   stress steps through the CLI below keep their 100 and 20 schedules);
# - stTimeConsuming/CALLBlake2f_MaxRounds, whose 4,294,967,295 Blake2 rounds take about 32 s a case, runs once, in
#   the serial GeneralStateTests step (its Cancun case); the Block-STM, BAL and legacy steps leave it out (six more
#   cases in the legacy suite, at Istanbul to Cancun, and two one-transaction blocks: 4 to 5 minutes of one core).
slow_case='CALLBlake2f_MaxRounds'
if [ "${CI:-}" = true ]; then
    export FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
    stress_reps="${LOCKSTEP_STRESS_REPS:-8}"
    not_slow=(--filter "^(?!.*$slow_case)")
    bal_sample="^(?!.*$slow_case).*:d0g0v0\$"
else
    export FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
    stress_reps="${LOCKSTEP_STRESS_REPS:-20}"
    not_slow=()
    bal_sample=':d0g0v0$'
fi

step() {
    local name="$1"; shift
    echo "::: $name"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "::: $name: ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1)); failures+=("$name"); echo "::: $name: FAILED ($((SECONDS - start)) s)"
    fi
}

# A step that must print a summary line `N passed, 0 failed[, K skipped]` and exit 0 (expect_clean), or the same
# with nothing skipped (expect_complete: the suites every fork must pass whole).
expect_summary() {
    local pattern="$1"; shift
    local out; out=$(mktemp)
    "$@" > "$out"; local rc=$?
    tail -n 3 "$out"
    grep -E "$pattern" "$out" > /dev/null || rc=1
    rm -f "$out"
    return $rc
}
expect_clean() { expect_summary '^[0-9]+ passed, 0 failed' "$@"; }
expect_complete() { expect_summary '^[0-9]+ passed, 0 failed(, 0 skipped)?$' "$@"; }

step "release build" swift build -c release --product lockstep
step "unit and conformance tests" swift test --skip ParallelTests
step "parallel tests under Thread Sanitizer ($stress_reps stress schedules per check)" \
    env LOCKSTEP_STRESS_REPS="$stress_reps" swift test --scratch-path .build-tsan --sanitize=thread --filter ParallelTests
step "GeneralStateTests (serial)" expect_complete "$LOCKSTEP" statetest "$GST"
step "GeneralStateTests (Block-STM, one-transaction blocks)" expect_complete "$LOCKSTEP" statetest --executor blockstm ${not_slow[@]+"${not_slow[@]}"} "$GST"
# Issue 14: execution-spec-tests state tests for Prague and Osaka (and a few Cancun cases).
step "eest state tests, Prague and Osaka (serial)" expect_complete "$LOCKSTEP" statetest "$SHARED/eest"
step "eest state tests, Prague and Osaka (Block-STM)" expect_complete "$LOCKSTEP" statetest --executor blockstm "$SHARED/eest"
# Issue 13: the legacy suite (113,669 cases, Frontier to Cancun) serially in full; through Block-STM on a deterministic
# share, its Constantinople half (every case of Frontier to ConstantinopleFix). Locally: the whole suite both ways.
step "legacy state tests, every fork (serial)" expect_complete "$LOCKSTEP" statetest ${not_slow[@]+"${not_slow[@]}"} "$SHARED/legacy-tests"
step "legacy state tests, Frontier to ConstantinopleFix (Block-STM)" \
    expect_complete "$LOCKSTEP" statetest --executor blockstm "$SHARED/legacy-tests/Constantinople"
# BAL over the state tests is sampled in CI (the first case, d0g0v0, of every test and fork: about a sixth of the
# cases, every file); run it whole locally without --filter.
step "GeneralStateTests (BAL executor, one-transaction blocks, first case of every test)" \
    expect_complete "$LOCKSTEP" statetest --executor bal --filter "$bal_sample" "$GST"
step "block vectors vs the Python spec (serial, Block-STM, BAL, partition bound; 1/2/4 threads)" \
    expect_clean "$LOCKSTEP" blocks --executor all --policy parallel --threads 1,2,4 Vectors/blocks
step "stress: conflict-heavy blocks, 100 randomised schedules at 2/4/8/16 threads" \
    expect_clean "$LOCKSTEP" blocks --executor blockstm --policy parallel --threads 2,4,8,16 --stress 100 --seed 7 \
        $(ls -d Vectors/blocks/*-hot1.0 Vectors/blocks/*hot0.9* Vectors/blocks/*hot0.8* \
              Vectors/blocks/*/*-hot1.0* Vectors/blocks/*/*hot0.8* | grep -v -- '-n1-')
# Issue 14: every Prague, Osaka and BPO2 vector (the workloads filled at those forks and the system-call blocks)
# through Block-STM at 1 to 16 threads under 100 randomised schedules each.
step "Prague/Osaka/BPO2 block vectors: Block-STM at 1/2/4/8/16 threads, 100 randomised schedules" \
    expect_clean "$LOCKSTEP" blocks --executor blockstm --policy parallel --threads 1,2,4,8,16 --stress 100 --seed 7 \
        Vectors/blocks/bpo2 Vectors/blocks/osaka Vectors/blocks/system-*
step "BAL: every block vector, 100 randomised schedules at 2/4/8/16 threads" \
    expect_clean "$LOCKSTEP" blocks --executor bal --threads 2,4,8,16 --stress 100 --seed 7 Vectors/blocks
step "adaptive policy: block vectors equal serial under stress (hot blocks finished serially mid-run)" \
    expect_clean "$LOCKSTEP" blocks --executor blockstm --threads 2,4 --stress 20 --seed 7 Vectors/blocks
# Issue 13: blockchain tests (every block decoded, validated, executed serially and by Block-STM at 2 threads) and
# the shared mainnet blocks against their headers, at 1/2/4/8 threads with 20 randomised schedules each. The two
# blocks Vectors/mainnet-skip.txt lists are left out, for the reason given there.
step "BlockchainTests (serial and Block-STM x2)" \
    expect_clean "$LOCKSTEP" blocktest --threads 2 "$SHARED/ethereum-tests/BlockchainTests"
mainnet_skipped=$(grep -oE '^\^[0-9]+' Vectors/mainnet-skip.txt | tr -d '^')
mainnet_blocks=$(ls "$SHARED"/mainnet/*.json.zst | grep -v -F "$mainnet_skipped")
step "mainnet blocks: headers, serial and Block-STM at 1/2/4/8 threads, 20 randomised schedules each" \
    expect_clean "$LOCKSTEP" blocks --executor blockstm --policy parallel --threads 1,2,4,8 --stress 20 --seed 7 $mainnet_blocks
step "workload contracts recompile to the committed bytecode" bash ci/contracts/build.sh --check
step "t8n both ways against ethereum-spec-evm" env LOCKSTEP="$PWD/$LOCKSTEP" bash ci/t8n-crosscheck.sh
step "EIP-3155 traces: lockstep t8n --trace equals ethereum-spec-evm t8n --trace step for step on every block vector" \
    env LOCKSTEP="$PWD/$LOCKSTEP" bash ci/trace-crosscheck.sh
step "hostile input: every reproduction of issue 12 against the release binary (exit status, message, memory)" \
    env LOCKSTEP="$PWD/$LOCKSTEP" LOCKSTEP_SHARED_VECTORS="$SHARED" bash ci/hostile-input.sh
step "fuzzers: RLP, transactions, state-test/block-vector/blockchain-test loaders, zstd ($FUZZ_SECONDS s each)" \
    bash ci/fuzz.sh
# The gate judges each speedup and throughput by the 95 % bootstrap interval of its change against the baseline's
# samples; a figure whose interval is too wide is reported as not measurable instead of passing or failing. The
# floors are this host's, not reth's defaults (1.2 % / 0.7 %): on this shared 2-core VM, six back-to-back default runs
# of one binary on a quiet machine moved parallel speedups and Mgas/s by up to 40 % between runs while each run's own
# rounds agreed within a few percent, so at the default floors every pair of them "regressed" (6 to 50 figures each);
# at 40/40/2 none of the 30 ordered pairs did (Reports/README.md, "Noise on this host"). The floors below leave margin.
report_dir=$(mktemp -d)
step "lockstep run (default suite, gated against Reports/baseline.json)" \
    "$LOCKSTEP" run --baseline Reports/baseline.json --noise-floor speedup=50,mgas=50,wall=10 -o "$report_dir"
step "JUnit is valid XML" xmllint --noout "$report_dir/latest/junit.xml"
step "HTML report renders in headless Chromium" bash ci/render-report.sh "$report_dir"

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
