#!/usr/bin/env bash
# Makes a real Prometheus available as bin/prometheus (and its promtool as
# bin/promtool, for the alert rules' unit tests) for integration and
# end-to-end tests: the Debian package (a few seconds as root), linked into
# bin/. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/bin"
if [[ -x "$root/bin/prometheus" && -x "$root/bin/promtool" ]]; then
  exit 0
fi
if ! command -v prometheus >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "prometheus is not installed and cannot be installed here (needs root and apt-get)." >&2
    echo "Install Prometheus 2.x and put it on PATH, or link it to bin/prometheus." >&2
    exit 1
  fi
  echo ">> installing prometheus (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package enables a system service; tests run their own instances.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
ln -sf "$(command -v prometheus)" "$root/bin/prometheus"
ln -sf "$(command -v promtool)" "$root/bin/promtool"
"$root/bin/prometheus" --version 2>&1 | head -1 >&2
