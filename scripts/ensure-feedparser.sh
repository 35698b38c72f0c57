#!/usr/bin/env bash
# Prints the path of a Python that can `import feedparser`, installing it when there is none:
# .tools/feedparser, a virtualenv of the project's own with the versions pinned in
# scripts/feedparser-requirements.txt, installed from PyPI with pip; reinstalled when the
# pins change. For the tests of the podcast feeds. Progress goes to stderr. Needs python3
# with the venv module (Debian: python3-venv).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/scripts/feedparser-requirements.txt"
venv="$root/.tools/feedparser"
bin="$venv/bin/python"
stamp="$venv/.installed-requirements"

if [ -x "$bin" ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp" && "$bin" -c 'import feedparser' 2>/dev/null; then
  echo "$bin"
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "No python3 found: install it (Debian: apt-get install python3 python3-venv) and run this again." >&2
  exit 1
fi

echo "Installing $(grep -E '^feedparser==' "$requirements") into .tools/feedparser with $python ..." >&2
rm -rf "$venv"
mkdir -p "$root/.tools"
"$python" -m venv "$venv" >&2
"$bin" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
"$bin" -c 'import feedparser' >&2
cp "$requirements" "$stamp"
echo "Installed feedparser $("$bin" -c 'import feedparser; print(feedparser.__version__)') at $venv" >&2
echo "$bin"
