#!/usr/bin/env bash
# Lints and checks the formatting of the whole tree (Biome), type-checks every package, runs every test (unit, integration against real
# nats-servers, end-to-end in Chromium on a fresh UI build) and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm --silent lint
pnpm -r --reporter=append-only typecheck
mkdir -p .test-results
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json "$@" || status=$?
node -e '
  const r = require("./.test-results/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
