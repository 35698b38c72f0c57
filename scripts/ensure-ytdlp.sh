#!/usr/bin/env bash
# Prints the path of a yt-dlp executable on stdout, installing it when there is none.
#  - YTDLP_PATH, when set, names the executable to use (checked, not installed).
#  - Otherwise .tools/ytdlp/bin/yt-dlp: a Python virtualenv of the project's own with the
#    version pinned in scripts/ytdlp-requirements.txt, installed from PyPI with pip.
#    Reinstalled when the pin changes.
# Progress goes to stderr. Needs python3 with the venv module (Debian: python3-venv).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/scripts/ytdlp-requirements.txt"
venv="$root/.tools/ytdlp"
bin="$venv/bin/yt-dlp"
stamp="$venv/.installed-requirements"

if [ -n "${YTDLP_PATH:-}" ]; then
  if [ ! -x "$YTDLP_PATH" ]; then
    echo "YTDLP_PATH=$YTDLP_PATH is not an executable file" >&2
    exit 1
  fi
  echo "$YTDLP_PATH"
  exit 0
fi

# Up to date when the venv was built from exactly this requirements file.
if [ -x "$bin" ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
  echo "$bin"
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "No python3 found: install it (Debian: apt-get install python3 python3-venv) and run this again, or set YTDLP_PATH." >&2
  exit 1
fi

pin=$(grep -E '^yt-dlp==' "$requirements")
echo "Installing $pin into .tools/ytdlp with $python ..." >&2
rm -rf "$venv"
mkdir -p "$root/.tools"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
cp "$requirements" "$stamp"
echo "Installed $("$bin" --version) at $bin" >&2
echo "$bin"
