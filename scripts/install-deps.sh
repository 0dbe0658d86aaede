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
  python3 python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
