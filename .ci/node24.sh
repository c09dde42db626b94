#!/usr/bin/env bash
# Prints the bin directory of a Node.js 24, the runtime the functions deploy to.
# It comes from the npm registry (node-linux-<arch>, the release binary packed
# as an npm package), the one place CI may download from, and is kept in .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node24: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
dir=.cache/node24
if ! [[ -x $dir/package/bin/node && $("$dir/package/bin/node" -v) == v24.* ]]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(npm pack "node-linux-$arch@24" --pack-destination "$dir" --silent --no-audit --no-fund)
  tar -xzf "$dir/$tarball" -C "$dir"
  rm "$dir/$tarball"
fi
echo "$PWD/$dir/package/bin"
