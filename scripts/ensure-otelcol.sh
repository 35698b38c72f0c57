#!/usr/bin/env bash
# Prints the path of an OpenTelemetry collector on stdout, building it when there is none.
#  - OTELCOL, when set, names the binary to use (it needs the otlp receiver and the
#    prometheus exporter: otelcol-contrib has both).
#  - Otherwise .tools/otelcol/otelcol-parker, built once from scripts/otelcol-builder.yaml
#    with the collector's builder, from the Go module proxy (a few minutes the first time).
# Progress goes to stderr.
set -euo pipefail

BUILDER_VERSION=v0.165.0   # the collector release of the modules in otelcol-builder.yaml
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/otelcol/otelcol-parker"

if [ -n "${OTELCOL:-}" ]; then
  if [ ! -x "$OTELCOL" ]; then
    echo "OTELCOL=$OTELCOL is not an executable file" >&2
    exit 1
  fi
  echo "$OTELCOL"
  exit 0
fi

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin=$(command -v go || true)
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; }
if [ -z "$go_bin" ]; then
  echo "there is no Go toolchain to build the OpenTelemetry collector with: install Go 1.25 or later (https://go.dev/dl/) and run this again, or set OTELCOL to an otelcol-contrib binary." >&2
  exit 1
fi

echo "Building the OpenTelemetry collector into .tools/otelcol with $go_bin (first run only; this takes a few minutes)..." >&2
mkdir -p "$root/.tools/otelcol"
GOBIN="$root/.tools/otelcol" GOFLAGS=-mod=mod "$go_bin" install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
(cd "$root" && PATH="$(dirname "$go_bin"):$PATH" "$root/.tools/otelcol/builder" --config="$root/scripts/otelcol-builder.yaml" >&2)
echo "Built $bin" >&2
echo "$bin"
