#!/usr/bin/env bash
# Runs every fuzz target in the pure packages for the given time each.
#   hack/fuzz.sh 60s
set -euo pipefail
fuzztime=${1:-60s}
cd "$(dirname "$0")/.."
for pkg in $(go list ./internal/...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo ">> $pkg $target ($fuzztime)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
  done
done
