#!/usr/bin/env bash
# Replays every reproduction of issue 12 ("hostile input never crashes, hangs, exhausts memory or passes silently")
# against the release binary: each must end with the documented exit code and a clear one-line message, within a
# time limit, and the two zstd bombs (made here, in a temporary directory) must stay under 300 MB of memory
# (/usr/bin/time -v). Prints one line per check and a tally; exits 1 when any check fails.
#
#   bash ci/hostile-input.sh            # uses .build/release/lockstep, or $LOCKSTEP
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOCKSTEP="${LOCKSTEP:-$ROOT/.build/release/lockstep}"
SHARED="${LOCKSTEP_SHARED_VECTORS:-$(cd .. && pwd)/shared/vectors}"
GOOD_ZST="$SHARED/ethereum-tests/GeneralStateTests/stSelfBalance/diffPlaces.json.zst"
BLOCK="$ROOT/Vectors/blocks/transfers-n20-hot0.0"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
passed=0; failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# run_case NAME RC PATTERN [--stdout-max BYTES] -- COMMAND...: runs COMMAND (20 s limit), expects exit status RC and,
# when PATTERN is not empty, exactly one stderr line matching it (a broken pipe must print nothing: PATTERN "-").
run_case() {
    local name="$1" want="$2" pattern="$3"; shift 3
    local stdout_max=""
    if [ "$1" = "--stdout-max" ]; then stdout_max="$2"; shift 2; fi
    shift  # --
    timeout 20 "$@" > "$T/out" 2> "$T/err"; local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, expected $want; stderr: $(head -c 300 "$T/err")"; return; fi
    if [ "$pattern" = "-" ]; then
        [ -s "$T/err" ] && { bad "$name" "expected no message, got: $(head -c 300 "$T/err")"; return; }
    elif [ -n "$pattern" ]; then
        local lines; lines=$(grep -c '' "$T/err")
        if [ "$lines" -ne 1 ] || ! grep -Eq -- "$pattern" "$T/err"; then
            bad "$name" "expected one stderr line matching /$pattern/, got $lines: $(head -c 400 "$T/err")"; return
        fi
    fi
    if [ -n "$stdout_max" ] && [ "$(wc -c < "$T/out")" -gt "$stdout_max" ]; then
        bad "$name" "stdout is $(wc -c < "$T/out") bytes, more than $stdout_max"; return
    fi
    ok "$name"
}

[ -x "$LOCKSTEP" ] || { echo "no binary at $LOCKSTEP (swift build -c release first)"; exit 1; }
zstd -dq "$GOOD_ZST" -o good.json || { echo "cannot read $GOOD_ZST"; exit 1; }
cp -r "$BLOCK" blk

# 1. Output that cannot be written.
for cmd in "statetest good.json" "blocks blk" "run -o $T/r1 --no-generated good.json"; do
    run_case "$cmd > /dev/full" 2 'cannot write to standard output: No space left on device' -- \
        sh -c "exec $LOCKSTEP $cmd > /dev/full"
    run_case "$cmd >&-" 2 'cannot write to standard output: Bad file descriptor' -- sh -c "exec $LOCKSTEP $cmd >&-"
    # `head -c 0` exits at once, so every write meets a closed pipe.
    run_case "$cmd | head -c 0 (broken pipe)" 141 - -- bash -c "$LOCKSTEP $cmd | head -c 0; exit \${PIPESTATUS[0]}"
done
"$LOCKSTEP" run -o "$T/r2" --no-generated good.json > /dev/null 2>&1
run_case "report render > /dev/full" 2 'cannot write to standard output' -- sh -c "exec $LOCKSTEP report render $T/r2/latest > /dev/full"
run_case "t8n --output.result stdout > /dev/full" 11 'cannot write to standard output' -- \
    sh -c "cd blk && exec $LOCKSTEP t8n --output.result stdout --output.alloc $T/post.json > /dev/full"

# 2. Symbolic link loops.
mkdir L; ln -s . L/a; ln -s . L/b
run_case "blocks on a link loop" 1 'no case was executed' -- "$LOCKSTEP" blocks L
run_case "run on a link loop" 1 "" -- "$LOCKSTEP" run -o "$T/r3" --no-generated L
grep -q 'no case was executed' "$T/out" && ok "run on a link loop: the gate says why" || bad "run on a link loop" "$(tail -n 3 "$T/out")"
mkdir L1; cp good.json L1/; ln -s . L1/a
"$LOCKSTEP" statetest good.json | tail -n 1 > alone.txt
run_case "statetest on a self-link counts each case once" 0 "" -- "$LOCKSTEP" statetest L1
cmp -s <(tail -n 1 "$T/out") alone.txt && ok "self-link: same tally as the file alone ($(cat alone.txt))" \
    || bad "self-link tally" "$(tail -n 1 "$T/out") vs $(cat alone.txt)"

# 3. zstd bombs: memory stays under 300 MB.
head -c 4G /dev/zero | zstd -3 -q -T0 -o bomb.json.zst
python3 -c "import struct,sys;sys.stdout.buffer.write(b'\x28\xb5\x2f\xfd\xa0'+struct.pack('<I',0xFFFFFFF0)+b'\x11\x00\x00{}')" > liar.json.zst
for bomb in bomb.json.zst liar.json.zst; do
    /usr/bin/time -v -o time.txt "$LOCKSTEP" statetest "$bomb" > out.txt 2> err.txt; rc=$?
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
    if [ "$rc" -eq 2 ] && [ "$rss" -lt 300000 ] && grep -q "$bomb: " out.txt; then
        ok "statetest $bomb: exit 2, max RSS $((rss / 1024)) MB: $(grep "$bomb: " out.txt | head -c 160)"
    else
        bad "statetest $bomb" "exit $rc, max RSS ${rss} kB: $(cat out.txt err.txt | head -c 300)"
    fi
done
run_case "--max-input-size below a file" 2 'could not be read' -- "$LOCKSTEP" statetest --max-input-size 1K good.json
# t8n's stdin has the files' cap: a pipe longer than --max-input-size is refused at the cap, not read whole.
T8N_STDIN="--input.alloc stdin --input.env stdin --input.txs stdin --output.result $T/r.json --output.alloc $T/a.json"
run_case "t8n: stdin above --max-input-size" 11 'cannot read stdin: holds more than 1024 bytes' -- \
    sh -c "head -c 100000 /dev/zero | exec $LOCKSTEP t8n $T8N_STDIN --max-input-size 1K"
python3 -c 'import json; print(json.dumps({k: json.load(open(f"blk/{k}.json")) for k in ("alloc", "env", "txs")}))' > stdin.json
run_case "t8n: stdin within --max-input-size" 0 "" -- sh -c "exec $LOCKSTEP t8n $T8N_STDIN --max-input-size 1M < stdin.json"

# 4. Silent passes.
ln -s "$(dirname "$GOOD_ZST")" lnk
run_case "statetest through a link to a directory runs its tests" 0 "" -- "$LOCKSTEP" statetest lnk
grep -Eq '^[1-9][0-9]* passed, 0 failed' "$T/out" && ok "link to a directory: $(tail -n 1 "$T/out")" || bad "link to a directory" "$(tail -n 1 "$T/out")"
mkdir empty
run_case "statetest on an empty directory" 1 'no case was executed' -- "$LOCKSTEP" statetest empty
run_case "statetest --allow-empty on an empty directory" 0 "" -- "$LOCKSTEP" statetest --allow-empty empty
run_case "blocks on an empty directory" 1 'no case was executed' -- "$LOCKSTEP" blocks empty
echo '{}' > empty.json
run_case "statetest on {}" 2 'could not be read or loaded' -- "$LOCKSTEP" statetest empty.json
python3 - good.json > nopost.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = d[next(iter(d))]; t["post"] = {}; print(json.dumps({"t": t}))
PY
run_case "statetest on a test with an empty post" 2 'could not be read or loaded' -- "$LOCKSTEP" statetest nopost.json
run_case "run on an empty directory (gate)" 1 "" -- "$LOCKSTEP" run -o "$T/r4" --no-generated empty
grep -q 'gate: FAIL' "$T/out" && grep -q 'no case was executed' "$T/out" && ok "run on nothing: gate FAIL, no case was executed" \
    || bad "run on nothing" "$(tail -n 3 "$T/out")"

# 5. Unbounded echoes and control characters.
cp -r blk hk
python3 - hk/alloc.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); a["0x" + "ab" * 10_000_000] = a[next(iter(a))]; json.dump(a, open(sys.argv[1], "w"))
PY
run_case "blocks with a 20 MB alloc key" 2 'could not be read or loaded' --stdout-max 2000 -- "$LOCKSTEP" blocks hk
run_case "run with a 20 MB alloc key" 2 'could not run' --stdout-max 20000 -- "$LOCKSTEP" run -o "$T/r5" --no-generated hk
size=$(du -sk "$T/r5" | cut -f1)
[ "$size" -lt 1024 ] && ok "run with a 20 MB alloc key: report $size kB" || bad "report size" "$size kB"
python3 - good.json > ctl.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); print(json.dumps({"evil\u001b[2J\u0007name": d[next(iter(d))]}))
PY
"$LOCKSTEP" statetest --json ctl.json > out.txt 2>&1
if grep -q $'\x1b' out.txt || grep -q $'\x07' out.txt; then bad "control characters" "raw ESC/BEL reached stdout"
else ok "control characters in a test name are escaped: $(grep -o 'evil[^:]*' out.txt | head -n 1)"; fi

# 6. Invalid signatures: the transaction is rejected, as t8n tools do.
T8N="ethereum-spec-evm t8n"; command -v ethereum-spec-evm > /dev/null || T8N="$LOCKSTEP t8n"
for change in 'r=0x0' 'v=0x63' 's=high'; do
    rm -rf sig; cp -r blk sig; rm -f sig/expected.json
    python3 - sig/txs.json "$change" <<'PY'
import json, sys
n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
txs = json.load(open(sys.argv[1])); key, value = sys.argv[2].split("=")
txs[3][key] = hex(n - int(txs[3]["s"], 16)) if value == "high" else value
txs[3].pop("hash", None); json.dump(txs, open(sys.argv[1], "w"))
PY
    (cd sig && $T8N --input.alloc alloc.json --input.env env.json --input.txs txs.json --output.basedir "$T" \
        --output.result oracle.json --output.alloc oracle-alloc.json --state.fork Cancun --state.chainid 1 > /dev/null 2>&1)
    python3 - "$T/oracle.json" sig/expected.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
json.dump({"stateRoot": r["stateRoot"], "rejected": r["rejected"], "gasUsed": r["gasUsed"]}, open(sys.argv[2], "w"))
PY
    rejected=$(python3 -c "import json;print([x['index'] for x in json.load(open('$T/oracle.json'))['rejected']])")
    run_case "blocks: $change on txs[3] is rejected as by ${T8N%% *} (rejected $rejected)" 0 "" -- "$LOCKSTEP" blocks --threads 2 sig
done

# 7. Odd-length hex.
python3 - good.json > odd.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = d[next(iter(d))]; a = next(iter(t["pre"])); t["pre"][a]["code"] = "0x600"
print(json.dumps({"t": t}))
PY
run_case "odd-length code" 2 'could not be read or loaded' -- "$LOCKSTEP" statetest odd.json
grep -q 'odd number of hex digits (3)' "$T/out" && ok "odd-length code: $(grep -o 'pre.*' "$T/out" | head -c 120)" || bad "odd-length message" "$(cat "$T/out")"

# 8. Duplicate JSON keys.
python3 - good.json > dup.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = json.dumps(d[next(iter(d))]); print('{"a": %s, "a": %s}' % (t, t))
PY
run_case "two tests of one name" 2 'could not be read or loaded' -- "$LOCKSTEP" statetest dup.json
grep -q 'duplicate key "a"' "$T/out" && ok "duplicate test names named" || bad "duplicate message" "$(cat "$T/out")"
cp -r blk dupalloc
python3 - dupalloc/alloc.json <<'PY'
import sys
s = open(sys.argv[1]).read(); k = s[s.index('"0x'):s.index('"0x') + 44]; open(sys.argv[1], "w").write("{" + k + ': {"balance": "0x1"},' + s.lstrip()[1:])
PY
run_case "duplicated alloc address" 2 'could not be read or loaded' -- "$LOCKSTEP" blocks dupalloc

# 9. The smaller ones.
start=$SECONDS
run_case "t8n: executor that never answers" 1 "" -- "$LOCKSTEP" blocks --executor 't8n:sleep 25 #' --executor-timeout 2 blk
grep -q 'executor timeout' "$T/out" && [ $((SECONDS - start)) -lt 15 ] && ok "executor timeout after $((SECONDS - start)) s" || bad "executor timeout" "$(cat "$T/out")"
mkfifo fifo.json
run_case "a FIFO" 2 'could not be read' -- "$LOCKSTEP" statetest fifo.json
grep -q 'is a FIFO (named pipe), not a regular file' "$T/out" && ok "FIFO named as such" || bad "FIFO message" "$(cat "$T/out")"
run_case "a device" 2 'could not be read' -- "$LOCKSTEP" statetest /dev/zero
printf '{"a":1}' | zstd -q -c > f1.zst; head -c 5000 /dev/urandom > junk; cat f1.zst junk > corrupt.json.zst
run_case "corrupt zstd" 2 'could not be read' -- "$LOCKSTEP" statetest corrupt.json.zst
grep -q "in the frame starting at input byte $(wc -c < f1.zst)" "$T/out" && ok "zstd error names the frame: $(head -n 1 "$T/out" | head -c 160)" || bad "zstd position" "$(cat "$T/out")"
mkdir t8nbad; cp blk/env.json blk/txs.json t8nbad/; echo '{"0x12": {"balance": "0x1"}}' > t8nbad/alloc.json
run_case "t8n field error names the file" 10 'alloc.json: alloc.0x12: ' -- sh -c "cd t8nbad && exec $LOCKSTEP t8n --output.result r.json"
python3 - good.json > key.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = d[next(iter(d))]; t["transaction"]["secretKey"] = "0x" + "00" * 32; print(json.dumps({"t": t}))
PY
run_case "invalid secretKey beside sender" 2 'could not be read or loaded' -- "$LOCKSTEP" statetest key.json
grep -q 'not a valid secp256k1 secret key' "$T/out" && ok "invalid secretKey named" || bad "secretKey message" "$(cat "$T/out")"
run_case "run with unreadable input" 2 'could not run' -- "$LOCKSTEP" run -o "$T/r6" --no-generated corrupt.json.zst
run_case "usage error" 2 "" -- "$LOCKSTEP" statetest --threads 0 good.json

echo "hostile-input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
