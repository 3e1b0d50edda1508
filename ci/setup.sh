#!/usr/bin/env bash
# Installs the system libraries Lockstep links against (Debian packages) and the tools CI uses.
set -euo pipefail
packages=(libzstd-dev libsecp256k1-dev libmimalloc-dev pkg-config zstd libxml2-utils)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}"
fi
# The Python execution specification: the independent oracle the t8n cross-check runs against.
# Vyper compiles the workload contracts (checked against the committed bytecode).
source "$(dirname "$0")/lib.sh"
require_spec_evm
if ! command -v vyper >/dev/null 2>&1; then
    python3 -m pip install --quiet "vyper==0.4.3"
fi
swift --version
