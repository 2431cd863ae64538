#!/usr/bin/env bash
# Runs every check CI runs, from a fresh machine: formatting, go vet, the
# tests (exact protocol vectors, statistical checks, determinism, the
# malformed-scenario table), a bounded fuzz of the scenario loader, the
# Parquet interoperability check with DuckDB and polars (installed from npm),
# and the report opened in headless Chromium (Debian's chromium package,
# installed when missing and running as root; screenshots go to
# $CASCADE_ARTIFACTS when set).
set -euo pipefail
cd "$(dirname "$0")"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...

echo "== fuzz the scenario loader (bounded)"
go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime "${CASCADE_FUZZTIME:-30s}" ./world

echo "== results interoperability (DuckDB, polars)"
(cd results/testdata && npm ci --no-audit --no-fund --loglevel=error)
CASCADE_INTEROP=1 go test -count=1 -run '^TestInterop$' ./results

echo "== report in headless Chromium (charts render, no console errors, no requests)"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
CASCADE_BROWSER=1 go test -count=1 -v -run '^TestBrowser$' ./report

echo "== all checks passed"
