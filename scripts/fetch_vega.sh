#!/usr/bin/env bash
# Fetches the charting scripts the HTML report inlines (npm: vega, vega-lite, vega-embed, pinned), verifies each
# package against its pinned sha512 integrity, and keeps the three browser builds in data/cache/vega-<versions>/.
# Idempotent: a verified copy is left as it is. Prints the directory. Needs the npm client.
set -euo pipefail
cd "$(dirname "$0")/.."
# name version integrity (from `npm view NAME@VERSION dist.integrity`) file-in-package
packages=(
  "vega 5.33.1 sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw== build/vega.min.js"
  "vega-lite 5.23.0 sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA== build/vega-lite.min.js"
  "vega-embed 6.29.0 sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q== build/vega-embed.min.js"
)
cache=data/cache
target="$cache/vega-5.33.1-lite-5.23.0-embed-6.29.0"
stamp=$(printf '%s\n' "${packages[@]}" | openssl dgst -sha256 | awk '{print $NF}')
if [ -f "$target/.verified" ] && [ "$(cat "$target/.verified")" = "$stamp" ]; then
  echo "$target"
  exit 0
fi
source scripts/npm_pack.sh
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.vega.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
for entry in "${packages[@]}"; do
  read -r name version integrity file <<<"$entry"
  npm_pack_verified fetch_vega "$name" "$version" "$integrity" "$cache"
  tarball="$cache/$name-$version.tgz"
  tar -xzf "$tarball" -C "$tmp" "package/$file"
  mv "$tmp/package/$file" "$tmp/$(basename "$file")"
  rm -rf "$tmp/package"
done
echo "$stamp" > "$tmp/.verified"
rm -rf "$target"
mv "$tmp" "$target"
trap - EXIT
echo "$target"
