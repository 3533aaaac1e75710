#!/usr/bin/env bash
# Installs and verifies Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) for the kernel_ridge, vae and diffusion families, from the Debian
# package dataset-fashion-mnist. Idempotent: apt is only called when the package is missing. Verifies each of
# the four gzip-compressed IDX files (after dpkg --verify against the package checksums): the magic number (unsigned bytes, 3 or 1 dimensions), the counts (60000
# training and 10000 test items), the 28x28 image size, and that the data length matches the header.
# Prints the directory to pass as data=DIR (it is also the family's default).
set -euo pipefail
package=dataset-fashion-mnist
dir=/usr/share/datasets/fashion-mnist
if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  echo "fetch_fashion_mnist: installing $package" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$package" >/dev/null
fi

# The installed files must match the package's own checksums (dpkg prints nothing when they do).
if [ -n "$(dpkg --verify "$package" 2>&1)" ]; then
  echo "fetch_fashion_mnist: files of $package differ from the package checksums; reinstall with" >&2
  echo "  apt-get install --reinstall $package" >&2
  exit 1
fi

# verify FILE RANK COUNT: reads the header with od and the decompressed length with gzip.
verify() {
  local file="$dir/$1" rank=$2 count=$3
  [ -f "$file" ] || { echo "fetch_fashion_mnist: missing $file" >&2; exit 1; }
  local header
  # head closes the pipe early, so gzip's SIGPIPE status is ignored here; the checks below catch bad data.
  header=$(gzip -dc "$file" 2>/dev/null | head -c $((4 + 4 * rank)) | od -An -tu1 -v | tr -s ' \n' ' ') || true
  read -r -a b <<<"$header"
  local expected_magic="0 0 8 $rank"
  [ "${b[*]:0:4}" = "$expected_magic" ] || { echo "fetch_fashion_mnist: $file: bad IDX magic '${b[*]:0:4}'" >&2; exit 1; }
  local dims=() size=1 d
  for ((d = 0; d < rank; d++)); do
    local i=$((4 + 4 * d))
    dims+=($(((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3])))
    size=$((size * dims[d]))
  done
  [ "${dims[0]}" -eq "$count" ] || { echo "fetch_fashion_mnist: $file: ${dims[0]} items, expected $count" >&2; exit 1; }
  if ((rank == 3)) && [ "${dims[1]}x${dims[2]}" != "28x28" ]; then
    echo "fetch_fashion_mnist: $file: images are ${dims[1]}x${dims[2]}, expected 28x28" >&2
    exit 1
  fi
  local bytes
  bytes=$(gzip -dc "$file" | wc -c)
  [ "$bytes" -eq $((4 + 4 * rank + size)) ] || { echo "fetch_fashion_mnist: $file: $bytes bytes, header promises $((4 + 4 * rank + size))" >&2; exit 1; }
  echo "fetch_fashion_mnist: ok $file (${dims[*]})" >&2
}
verify train-images-idx3-ubyte.gz 3 60000
verify train-labels-idx1-ubyte.gz 1 60000
verify t10k-images-idx3-ubyte.gz 3 10000
verify t10k-labels-idx1-ubyte.gz 1 10000
echo "$dir"
