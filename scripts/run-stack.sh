#!/usr/bin/env bash
# Runs the whole stack on this machine, every log line prefixed with its process.
#   scripts/run-stack.sh demo   against the built-in simulated exchange
#   scripts/run-stack.sh live   against the real Binance and CoinGecko
# Starts nats-server with nats.conf unless NATS_URL already answers. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}

export NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
# nats.conf's fsync interval (docs/reliability.md#durability).
export NATS_SYNC_INTERVAL=${NATS_SYNC_INTERVAL:-1s}
if ! [[ $NATS_SYNC_INTERVAL =~ ^(always|[0-9]+(ms|s|h))$ ]]; then
  echo "NATS_SYNC_INTERVAL=\"$NATS_SYNC_INTERVAL\" is not an fsync interval: expected always, or a number with ms, s or h such as 1s (nats-server reads 1m as the number 1,000,000)" >&2
  exit 1
fi
export LOG_FORMAT=${LOG_FORMAT:-pretty}
export UI_PORT=${UI_PORT:-3000}
export BROADCASTER_PORT=${BROADCASTER_PORT:-8080}
export HISTORY_PORT=${HISTORY_PORT:-8081}
export BROADCASTER_URL=${BROADCASTER_URL:-http://127.0.0.1:$BROADCASTER_PORT}
export HISTORY_URL=${HISTORY_URL:-http://127.0.0.1:$HISTORY_PORT}

names=()
commands=()
add() { names+=("$1"); commands+=("$2"); }

# One NATS password per user of nats-users.conf and its bcrypt hash for nats-server, made once and kept out of git.
mkdir -p .data
passwords=.data/nats-passwords.env
node scripts/nats-passwords.mjs "$passwords"
chmod 600 "$passwords"
# shellcheck disable=SC1090
source "$passwords"
as() { echo "NATS_USER=$1 NATS_PASSWORD=\$$(echo "$1" | tr a-z A-Z)_NATS_PASSWORD"; }

if node scripts/port-open.mjs "$NATS_URL"; then
  echo "Using the NATS server already answering at $NATS_URL"
else
  mkdir -p .data/nats
  # In a session of its own, so Ctrl-C reaches the services first and NATS stops
  # last, after they have drained.
  setsid nats-server -c nats.conf -sd .data/nats > >(sed -u 's/^/[nats]        /') 2>&1 &
  nats_pid=$!
  trap 'kill -TERM $nats_pid 2>/dev/null; wait $nats_pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do node scripts/port-open.mjs "$NATS_URL" && break; sleep 0.1; done
fi
# The streams and buckets, created and updated as the operator: no service may.
NATS_USER=operator NATS_PASSWORD=$OPERATOR_NATS_PASSWORD pnpm --silent provision

if [ "$mode" = demo ]; then
  export SIM_PORT=${SIM_PORT:-9100}
  export SYMBOLS=${SYMBOLS:-btc,eth,xrp,bnb,sol,usdc,trx,doge,ada,link,bch,xlm,sui,avax,ltc,hbar,shib,ton,dot,uni}
  export SIM_SYMBOLS=${SIM_SYMBOLS:-$SYMBOLS}
  export BINANCE_WS_URL=ws://127.0.0.1:$SIM_PORT
  export COINGECKO_API_URL=http://127.0.0.1:$SIM_PORT/api/v3
  export COINBASE_WS_URL=ws://127.0.0.1:$SIM_PORT/coinbase
  export KRAKEN_WS_URL=ws://127.0.0.1:$SIM_PORT/kraken/v2
  export BINANCE_REST_URL=http://127.0.0.1:$SIM_PORT
  # A restarted demo continues from the prices it stopped at.
  export SIM_STATE_FILE=${SIM_STATE_FILE:-$PWD/.data/sim-market.json}
  export SIMULATED=true
  add sim "pnpm --silent --dir sim-exchange start"
fi
# In the demo, ingest starts once the simulated exchange listens: else its first connections are refused.
wait_sim=""
if [ "$mode" = demo ]; then wait_sim="node scripts/port-open.mjs http://127.0.0.1:$SIM_PORT 60 && "; fi
add ingest "$wait_sim$(as ingest) pnpm --silent --dir ingest start"
# Browsers reach the services through the UI server, one proxy hop whose X-Forwarded-For entry
# (the browser's address) the services believe; what a browser writes there itself is ignored.
trusted="TRUST_PROXY=\${TRUST_PROXY:-1}"
add broadcaster "$(as broadcaster) $trusted pnpm --silent --dir broadcaster start"
add history "$(as history) $trusted pnpm --silent --dir history start"
add ui "pnpm --silent --dir ui start"

echo
echo "  CryptoStream ($mode) is starting; the address to open follows once every service answers."
echo "  NATS users' passwords: $passwords (the nats CLI: --user viewer --password \$VIEWER_NATS_PASSWORD)"
echo
node scripts/wait-ready.mjs "CryptoStream is ready: open http://localhost:$UI_PORT" \
  "http://127.0.0.1:${INGEST_PORT:-8082}/healthz" "http://127.0.0.1:$BROADCASTER_PORT/healthz" \
  "http://127.0.0.1:$HISTORY_PORT/healthz" "http://127.0.0.1:$UI_PORT/" &
IFS=,
pnpm exec concurrently --kill-others --names "${names[*]}" --prefix-colors "magenta,blue,cyan,green,yellow" --prefix "[{name}]" --pad-prefix "${commands[@]}"
