#!/usr/bin/env bash
# Regenerates the committed block vectors in Vectors/blocks/ and refills their expected.json from the Python
# execution specification (ethereum-spec-evm t8n, not Lockstep), then rewrites Vectors/blocks/WORKLOADS.md.
#
#   bash ci/fill-vectors.sh            # everything (about 5 minutes of spec time on 2 cores)
#   JOBS=4 bash ci/fill-vectors.sh     # more spec processes at once
#   SKIP_TABLE=1 bash ci/fill-vectors.sh
#   SCRATCH_PATH=.build-x bash ci/fill-vectors.sh   # build directory (default .build)
#
# The vector set is GeneratorSuite.committed (Sources/Workloads/Generator/GeneratorSuite.swift): the Cancun set
# directly under Vectors/blocks/, and the later-fork vectors under Vectors/blocks/<fork>/ (osaka/, bpo2/), each
# filled by the spec at its own fork (`--state.fork` from its metadata.json). Part files over 16 KiB are stored
# zstd-compressed (.json.zst); the loader reads both forms. Vector directories not written by the generator
# (e.g. the system-* blocks) are left alone. Needs: swift, python3 with pip, zstd.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_spec_evm
command -v zstd >/dev/null 2>&1 || { echo "fill-vectors: zstd is needed (apt-get install zstd)" >&2; exit 2; }

scratch="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product lockstep >/dev/null
lockstep="$root/$scratch/release/lockstep"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$lockstep" generate --suite -o "$tmp" --fill 'ethereum-spec-evm t8n' --jobs "${JOBS:-2}"

# Compress the large part files; -19 with no checksum or size varies least between zstd versions.
find "$tmp" -name '*.json' -size +16k -print0 | while IFS= read -r -d '' f; do
    zstd -q -19 --no-check --rm "$f" -o "$f.zst"
done

# Replace the generator's vector directories (those whose metadata.json says "generator": "lockstep generate");
# WORKLOADS.md, README.md and other vectors in Vectors/blocks stay.
mkdir -p Vectors/blocks
find Vectors/blocks -mindepth 2 -maxdepth 3 -name metadata.json -print0 \
    | xargs -0 -r grep -l '"generator": *"lockstep generate"' \
    | while IFS= read -r m; do rm -rf "$(dirname "$m")"; done
find Vectors/blocks -mindepth 1 -maxdepth 1 -type d -empty -delete
cp -R "$tmp"/. Vectors/blocks/
echo "fill-vectors: $(find "$tmp" -name metadata.json | wc -l) generated vectors, $(du -sh Vectors/blocks | cut -f1) in Vectors/blocks"

if [ -z "${SKIP_TABLE:-}" ]; then
    shared="${LOCKSTEP_SHARED_VECTORS:-$root/../shared/vectors}"
    extra=()
    [ -f "$shared/contracts/UniswapV3Pool.hex" ] && extra=(--contracts "$shared/contracts")
    "$lockstep" generate --table -o Vectors/blocks/WORKLOADS.md "${extra[@]}" \
        --machine "${MACHINE:-$(nproc) cores, $(uname -m) $(uname -s)}"
    echo "fill-vectors: wrote Vectors/blocks/WORKLOADS.md"
fi
