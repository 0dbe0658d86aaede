#!/usr/bin/env bash
# Installs the Debian 12 packages tfport needs to build, test and benchmark.
# Idempotent: when every package is already present it only runs dpkg-query.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libprotobuf-dev protobuf-compiler
  libleveldb-dev libsnappy-dev libdnnl-dev
  rapidjson-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-opencv
)
# `--bench`: also the references the benchmarks compare against.
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js runs TensorFlow.js, the independent reference of the kernel tests.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# TensorFlow.js CPU backend, pinned by tests/tfjs/package-lock.json.
root=$(cd "$(dirname "$0")/.." && pwd)
tfjs="$root/tests/tfjs"
if [ ! -d "$tfjs/node_modules/@tensorflow/tfjs-backend-cpu" ] ||
   [ "$tfjs/package-lock.json" -nt "$tfjs/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in tests/tfjs"
  (cd "$tfjs" && npm ci --no-audit --no-fund --loglevel=error)
fi
