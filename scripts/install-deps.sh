#!/usr/bin/env bash
# Installs the Debian packages nsim needs to build, test and fuzz, if any is missing.
# Runs apt-get (as root, or through sudo) only when something is missing.
set -euo pipefail

packages=(cmake g++ make clang clang-format libclang-rt-14-dev libsystemc-dev libeigen3-dev libfmt-dev
          nlohmann-json3-dev catch2 libcli11-dev libjemalloc-dev python3-matplotlib python3-numpy
          pybind11-dev python3-pytest slurm-wlm munge)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
