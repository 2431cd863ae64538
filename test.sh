#!/usr/bin/env bash
# Runs every check CI runs, from a fresh machine: formatting, go vet, the
# tests (exact protocol vectors, statistical checks, determinism, the
# malformed-scenario table), a bounded fuzz of the scenario loader, and the
# Parquet interoperability check with DuckDB and polars (installed from npm).
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

echo "== all checks passed"
