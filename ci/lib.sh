# The prologue the ci/ scripts that run the Python execution specification share: sourced (`source ci/lib.sh`),
# not run. It moves to the checkout's root and defines the helpers below.
SPEC_VERSION=2.20.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Installs the execution specification (ethereum-spec-evm, version SPEC_VERSION) unless it is on PATH.
require_spec_evm() {
    if ! command -v ethereum-spec-evm >/dev/null 2>&1; then
        python3 -m pip install --quiet "ethereum-execution==$SPEC_VERSION"
    fi
}

# Sets LOCKSTEP to a debug build of lockstep (in SCRATCH_PATH, default .build), building it, unless LOCKSTEP is
# set already.
require_lockstep() {
    if [ -z "${LOCKSTEP:-}" ]; then
        local scratch="${SCRATCH_PATH:-.build}"
        swift build --scratch-path "$scratch" --product lockstep >/dev/null
        LOCKSTEP="$root/$scratch/debug/lockstep"
    fi
}

# The fork a block vector runs under: `fork` in its metadata.json, Cancun when it names none or has no metadata.
vector_fork() {
    python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get("fork", "Cancun"))
except FileNotFoundError: print("Cancun")' "$1/metadata.json"
}

# Copies a block vector's alloc, env and txs into a directory as alloc.json, env.json and txs.json (a part stored
# as .json.zst is decompressed).
copy_vector_inputs() {
    local v="$1" work="$2" part
    for part in alloc env txs; do
        if [ -f "$v/$part.json" ]; then cp "$v/$part.json" "$work/$part.json"; else zstd -q -d "$v/$part.json.zst" -o "$work/$part.json"; fi
    done
}
