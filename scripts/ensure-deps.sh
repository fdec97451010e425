#!/usr/bin/env bash
# Installs what CryptoStream needs and a fresh Debian machine lacks: pnpm, the
# workspace's packages and nats-server 2.10 or later; with --test also Chromium and
# docker-compose. As root it uses apt-get; otherwise it says how to install what is missing.
# Debian bookworm's nats-server is 2.9.10, so nats-server alone comes from Debian's trixie
# suite (2.10.27), pinned by an apt preferences file: bookworm stays the default for
# everything else (docs/running.md, "nats-server").
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

NATS_SERVER_FLOOR=2.10
TRIXIE_SOURCE=/etc/apt/sources.list.d/cryptostream-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/cryptostream-nats-server

nats_server_version() {
  "${NATS_SERVER_BIN:-nats-server}" --version 2>/dev/null | sed -n 's/^nats-server: v\([0-9.]*\).*/\1/p'
}

nats_server_ok() {
  local version
  version=$(nats_server_version)
  [ -n "$version" ] && [ "$(printf '%s\n%s\n' "$NATS_SERVER_FLOOR" "$version" | sort -V | head -1)" = "$NATS_SERVER_FLOOR" ]
}

# Debian's trixie suite as a source whose packages apt never picks, but nats-server.
add_trixie_nats_server() {
  [ -f "$TRIXIE_SOURCE" ] && [ -f "$TRIXIE_PIN" ] && return
  echo "Adding Debian trixie as the source of nats-server alone ($TRIXIE_SOURCE, $TRIXIE_PIN)..."
  cat >"$TRIXIE_SOURCE" <<SOURCE
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCE
  cat >"$TRIXIE_PIN" <<PIN
# CryptoStream needs nats-server 2.10 or later; bookworm has 2.9.10. Nothing else from trixie.
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: nats-server
Pin: release n=trixie
Pin-Priority: 990
PIN
}

missing=()
nats_server_ok || missing+=(nats-server)
if $want_test; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
fi
NATS_SERVER_VERSION_SEEN=$(nats_server_version)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    if [[ " ${missing[*]} " == *" nats-server "* ]] && grep -qs bookworm /etc/os-release; then add_trixie_nats_server; fi
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    cat >&2 <<MSG
Missing: ${missing[*]} (nats-server ${NATS_SERVER_FLOOR} or later; this one is ${NATS_SERVER_VERSION_SEEN:-none}). Install it, then run this again:
  Debian trixie or later: sudo apt-get install ${missing[*]}
  Debian bookworm: run this script as root; it takes nats-server alone from trixie
  macOS:         brew install ${missing[*]/chromium/--cask chromium}
  Docker:        docker run -p 4222:4222 -p 8222:8222 nats:2.10-alpine -js   (nats-server only; then set NATS_URL)
MSG
    exit 1
  fi
fi

if ! nats_server_ok; then
  echo "nats-server ${NATS_SERVER_FLOOR} or later is needed; ${NATS_SERVER_BIN:-nats-server} is $(nats_server_version || true)." >&2
  exit 1
fi

pnpm install --frozen-lockfile --prefer-offline --reporter=silent
