#!/usr/bin/env bash
# Installs the Debian packages Ouroboros needs to build, test and benchmark.
# Idempotent: packages already present are not touched, and apt is only called when something is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build git pkg-config
  libeigen3-dev libboost-dev libboost-math-dev libboost-random-dev librandom123-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libnlopt-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3-numpy
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
