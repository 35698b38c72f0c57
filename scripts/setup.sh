#!/usr/bin/env bash
# Installs and starts everything the test suite needs, on a Debian machine, as root:
#  - Debian packages: mariadb-server (the tests' MySQL), docker-compose (the tests
#    validate docker-compose.yml with `docker-compose config`) and prometheus (the tests
#    prove the Grafana dashboard's queries against a real Prometheus);
#  - npm packages (npm ci);
#  - the temporal CLI, built into .tools/bin from the Go module proxy when missing;
#  - MariaDB started, with the password user the tests connect as.
# Idempotent: what is already there is reused.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

npm ci --no-audit --no-fund
scripts/ensure-temporal.sh >/dev/null
scripts/ensure-mariadb.sh
