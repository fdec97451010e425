#!/usr/bin/env bash
# Installs what CryptoStream needs and a fresh Debian machine lacks: pnpm, the
# workspace's packages and nats-server; with --test also Chromium and docker-compose.
# As root it uses apt-get; otherwise it says how to install what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?"yes":"no")')
if [ "$node_ok" != yes ]; then
  echo "CryptoStream needs Node.js 20.19 or later; this is $(node --version)." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  echo "Installing pnpm $version with npm..."
  npm install --global --no-fund --no-audit "pnpm@$version" >/dev/null
fi

missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
if $want_test; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    cat >&2 <<MSG
Missing: ${missing[*]}. Install it, then run this again:
  Debian/Ubuntu: sudo apt-get install ${missing[*]}
  macOS:         brew install ${missing[*]/chromium/--cask chromium}
  Docker:        docker run -p 4222:4222 -p 8222:8222 nats:2.10-alpine -js   (nats-server only; then set NATS_URL)
MSG
    exit 1
  fi
fi

pnpm install --frozen-lockfile --prefer-offline --reporter=silent
