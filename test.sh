#!/usr/bin/env bash
# Runs every check CI runs, from a fresh machine: formatting, go vet, the
# tests (exact protocol vectors, statistical checks, determinism, the
# malformed-scenario table), the Beam pipeline module's tests (beam/, on
# Prism in-process), a bounded fuzz of the scenario loader, the
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

echo "== go test (in a copy holding only the repository's files, with no ../shared beside it)"
# A user's clone has only what the repository carries: tests read their data
# from testdata/, never from a sibling folder. The copy is of the files a
# commit would hold (tracked, or new and not ignored), as they are now.
if refs=$(grep -rlE 'shared/reference|"shared", "reference"' --include='*.go' .); then
  echo "these files read ../shared, which a clone does not have; copy the data into testdata/:"
  echo "$refs"; exit 1
fi
clone=$(mktemp -d)
trap 'rm -rf "$clone"' EXIT
mkdir "$clone/cascade"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$clone/cascade"
else
  tar --exclude=./.git -cf - . | tar -xf - -C "$clone/cascade"
fi
(cd "$clone/cascade" && go test -count=1 -timeout 40m ./...)

echo "== Beam pipeline (beam/, its own Go module: the Apache Beam Go SDK, run on Prism in-process)"
# A separate module, so the main one stays light; Go's build cache makes
# the SDK's build a one-time cost. -mod=mod lets a dependency added to the
# main module since beam/go.sum was last tidied resolve here too (in the copy).
(cd "$clone/cascade/beam" && go vet -mod=mod ./... && go test -mod=mod -count=1 ./...)
rm -rf "$clone"

echo "== fuzz the scenario loader (bounded)"
go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime "${CASCADE_FUZZTIME:-30s}" ./world

echo "== results interoperability (DuckDB, polars)"
(cd results/testdata && npm ci --no-audit --no-fund --loglevel=error)
CASCADE_INTEROP=1 go test -count=1 -run '^TestInterop$' ./results
CASCADE_INTEROP=1 go test -count=1 -run '^TestInteropTrace$' ./experiment

echo "== report in headless Chromium (charts render, no console errors, no requests)"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
CASCADE_BROWSER=1 go test -count=1 -v -run '^TestBrowser$' ./report

echo "== all checks passed"
