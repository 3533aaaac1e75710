#!/usr/bin/env bash
# Configures and builds Ouroboros in build/ (Release by default; BUILD_TYPE and BUILD_DIR override).
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/setup.sh"
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
# `import ouroboros` for Debian's /usr/bin/python3: a .pth file in its site directory names build/python
# (written when the Python package was built and the directory is writable; otherwise set PYTHONPATH).
if [ -d "$build_dir/python/ouroboros" ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
  package_dir=$(cd "$build_dir/python" && pwd)
  if mkdir -p "$site" 2>/dev/null && [ -w "$site" ]; then
    echo "$package_dir" > "$site/ouroboros.pth"
  else
    echo "build: $site is not writable; use PYTHONPATH=$package_dir for import ouroboros" >&2
  fi
fi
