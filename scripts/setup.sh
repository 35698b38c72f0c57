#!/usr/bin/env bash
# Installs and starts everything the test suite needs, on a Debian machine, as root:
#  - Debian packages: mariadb-server (the tests' MySQL), docker-compose (the tests
#    validate docker-compose.yml with `docker-compose config`), ffmpeg (yt-dlp merges
#    separate video and audio formats with it), python3-venv when python3 lacks venv, and
#    prometheus (the tests prove the Grafana dashboard's queries against a real Prometheus);
#  - npm packages (npm ci);
#  - the temporal CLI, built into .tools/bin from the Go module proxy when missing;
#  - yt-dlp, the pinned version from PyPI in a venv under .tools/ytdlp;
#  - MariaDB started, with the password user the tests connect as.
# Idempotent: what is already there is reused.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

npm ci --no-audit --no-fund
scripts/ensure-temporal.sh >/dev/null
scripts/ensure-ytdlp.sh >/dev/null
scripts/ensure-mariadb.sh
