#!/usr/bin/env bash
# Prints the path of a `temporal` CLI on stdout, building it when there is none.
#  - TEMPORAL_CLI, when set, names the binary to use.
#  - Otherwise .tools/bin/temporal, built once with `go install` from the Go module proxy
#    (works without internet access beyond the proxy; takes a few minutes the first time).
# Progress goes to stderr.
set -euo pipefail

TEMPORAL_CLI_VERSION=v1.5.1   # the newest tag `go install` accepts (later ones carry a replace directive)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin/temporal"

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if [ ! -x "$TEMPORAL_CLI" ]; then
    echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2
    exit 1
  fi
  echo "$TEMPORAL_CLI"
  exit 0
fi

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin=$(command -v go || true)
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; }
if [ -z "$go_bin" ]; then
  echo "there is no Go toolchain to build the temporal CLI with: install Go 1.25 or later (https://go.dev/dl/) and run this again, or set TEMPORAL_CLI to a temporal binary (or, for npm start, TEMPORAL_ADDRESS to a running Temporal server)." >&2
  exit 1
fi

echo "Building the temporal CLI $TEMPORAL_CLI_VERSION into .tools/bin with $go_bin (first run only; this takes a few minutes)..." >&2
mkdir -p "$root/.tools/bin"
GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
echo "Built $bin" >&2
echo "$bin"
