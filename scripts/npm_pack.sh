# Sourced by the fetch scripts: npm_pack_verified WHO NAME VERSION INTEGRITY CACHE packs NAME@VERSION from the npm
# registry into CACHE/NAME-VERSION.tgz (kept between runs) and checks it against its pinned sha512 integrity
# (`npm view NAME@VERSION dist.integrity`); a tarball that does not match is removed and the script fails.
npm_pack_verified() {
  local who=$1 name=$2 version=$3 integrity=$4 cache=$5
  local tarball="$cache/$name-$version.tgz"
  command -v npm >/dev/null || { echo "$who: the npm client is needed (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$cache"
  if [ ! -f "$tarball" ]; then
    echo "$who: npm pack $name@$version" >&2
    npm pack "$name@$version" --pack-destination "$cache" --silent >/dev/null
  fi
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "$who: $tarball does not match the pinned sha512 integrity (removed; run again)" >&2
    rm -f "$tarball"
    exit 1
  fi
}
