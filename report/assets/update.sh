#!/usr/bin/env bash
# Refreshes the vendored Vega, Vega-Lite and vega-embed builds that Cascade
# inlines into its offline HTML reports.
#
# To move to new versions: edit the pinned versions in package.json, run
# `npm install --package-lock-only` here to update package-lock.json, then run
# this script and update the versions in README.md. Without edits it
# reproduces the committed files byte for byte from the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error

# The minified UMD builds, copied verbatim (the report strips their
# sourceMappingURL comments when inlining them, so that nothing is fetched).
cp node_modules/vega/build/vega.min.js vega.min.js
cp node_modules/vega-lite/build/vega-lite.min.js vega-lite.min.js
cp node_modules/vega-embed/build/vega-embed.min.js vega-embed.min.js

cp node_modules/vega/LICENSE LICENSE-vega
cp node_modules/vega-lite/LICENSE LICENSE-vega-lite
cp node_modules/vega-embed/LICENSE LICENSE-vega-embed

# The builds bundle their own dependencies (d3 modules, vega-* modules,
# vega-embed's helpers); keep the license of every installed package.
{
  echo "Licenses of the npm packages installed by update.sh (npm ci in report/assets)."
  echo "vega.min.js, vega-lite.min.js and vega-embed.min.js bundle a subset of them."
  for pkg in $(cd node_modules && ls -d * @*/* 2>/dev/null | grep -v '^@[^/]*$' | sort); do
    dir="node_modules/$pkg"
    [ -f "$dir/package.json" ] || continue
    version=$(node -p "require('./$dir/package.json').version")
    license=$(node -p "JSON.stringify(require('./$dir/package.json').license || 'see text')")
    echo
    echo "================================================================"
    echo "$pkg@$version  license: $license"
    echo "================================================================"
    text=$(ls "$dir" | grep -iE '^(licen[cs]e|copying)' | head -1 || true)
    if [ -n "$text" ]; then cat "$dir/$text"; else echo "(no license file in the package)"; fi
  done
} > THIRD_PARTY_LICENSES.txt

sha256sum vega.min.js vega-lite.min.js vega-embed.min.js > SHA256SUMS
cat SHA256SUMS
