#!/usr/bin/env bash
# Builds the pinned prometheus-adapter (sigs.k8s.io/prometheus-adapter,
# cmd/adapter) from its Go module into bin/prometheus-adapter-<version> (no
# prebuilt downloads): the external-metrics API server that feeds a
# Kubernetes HPA from a Prometheus query, the baseline beside Frontline.
# Idempotent: a binary that exists is not rebuilt. Prints its path.
#
#   hack/build-adapter.sh
#
# `go install ...@version` does not work here: it asks the module proxy for
# the module's version list (deprecation check), which the proxy refuses
# (403) for this module. So the release's source is fetched with
# `go mod download` and built inside a temporary copy, with its own go.mod
# and go.sum (it has no replace directives). First build ~12 min on 2 cores
# from a cold module cache.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ADAPTER_VERSION=${ADAPTER_VERSION:-v0.12.0}
out="$root/bin/prometheus-adapter-$ADAPTER_VERSION"

if [[ ! -x "$out" ]]; then
  echo ">> building prometheus-adapter $ADAPTER_VERSION (first time only; ~12 min on 2 cores)" >&2
  start=$SECONDS
  src=$(cd "${TMPDIR:-/tmp}" && go mod download -json "sigs.k8s.io/prometheus-adapter@$ADAPTER_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [[ -n "$src" && -f "$src/go.mod" ]] || { echo ">> no module source for prometheus-adapter@$ADAPTER_VERSION" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$src/." "$tmp/" && chmod -R u+w "$tmp"
  mkdir -p "$root/bin"
  (cd "$tmp" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$out.tmp" ./cmd/adapter)
  mv "$out.tmp" "$out"
  echo ">> built prometheus-adapter in $((SECONDS - start))s" >&2
fi
echo "$out"
