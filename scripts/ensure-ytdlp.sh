#!/usr/bin/env bash
# Prints the path of a yt-dlp executable on stdout, installing it when there is none.
#  - YTDLP_PATH, when set, names the executable to use (checked, not installed).
#  - Otherwise .tools/ytdlp/bin/yt-dlp: a Python virtualenv of the project's own with the
#    versions pinned in scripts/ytdlp-requirements.txt (yt-dlp with its default extras,
#    yt-dlp-ejs among them), installed from PyPI with pip. An existing venv is upgraded in
#    place when the pins change or when it lacks the extras (one built before they were
#    pinned); it is rebuilt only when its Python no longer runs.
#  - PARKER_YTDLP_OPTIONAL, comma-separated, adds optional parts from
#    scripts/ytdlp-optional/<name>.txt: `pot-provider` (the bgutil PO-token plugin) and
#    `curl-cffi` (browser impersonation). None by default.
# Progress goes to stderr. Needs python3 with the venv module (Debian: python3-venv).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/scripts/ytdlp-requirements.txt"
venv="$root/.tools/ytdlp"
bin="$venv/bin/yt-dlp"
stamp="$venv/.installed-requirements"

# Every requirements file this install is made of: the base, then each optional part asked for.
files=("$requirements")
IFS=',' read -r -a optional <<< "${PARKER_YTDLP_OPTIONAL:-}"
for name in "${optional[@]}"; do
  name=$(echo "$name" | tr -d '[:space:]')
  [ -z "$name" ] && continue
  if [ ! -f "$root/scripts/ytdlp-optional/$name.txt" ]; then
    echo "PARKER_YTDLP_OPTIONAL: no optional part \"$name\" (there are: $(cd "$root/scripts/ytdlp-optional" && ls | sed 's/\.txt$//' | tr '\n' ' '))" >&2
    exit 1
  fi
  files+=("$root/scripts/ytdlp-optional/$name.txt")
done
wanted=$(cat "${files[@]}")

if [ -n "${YTDLP_PATH:-}" ]; then
  if [ ! -x "$YTDLP_PATH" ]; then
    echo "YTDLP_PATH=$YTDLP_PATH is not an executable file" >&2
    exit 1
  fi
  echo "$YTDLP_PATH"
  exit 0
fi

# Up to date when the venv was built from exactly this requirements file and still has
# the extras yt-dlp needs for YouTube (yt_dlp_ejs: the JavaScript challenge solver).
has_extras() {
  "$venv/bin/python" -c 'import yt_dlp, yt_dlp_ejs, brotli, websockets' 2>/dev/null
}
if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && has_extras; then
  echo "$bin"
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "No python3 found: install it (Debian: apt-get install python3 python3-venv) and run this again, or set YTDLP_PATH." >&2
  exit 1
fi

pin=$(grep -E '^yt-dlp(\[[a-z,-]+\])?==' "$requirements")
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys' 2>/dev/null; then
  echo "Upgrading .tools/ytdlp to $pin and its pinned extras ..." >&2
else
  echo "Installing $pin into .tools/ytdlp with $python ..." >&2
  rm -rf "$venv"
  mkdir -p "$root/.tools"
  "$python" -m venv "$venv" >&2
fi
for file in "${files[@]}"; do
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$file" >&2
done
# An optional part no longer asked for goes (its main package; what it pulled in is harmless).
for file in "$root"/scripts/ytdlp-optional/*.txt; do
  case " ${files[*]} " in *" $file "*) continue ;; esac
  package=$(grep -m1 -E '^[A-Za-z0-9._-]+==' "$file" | cut -d= -f1)
  if "$venv/bin/python" -m pip show --quiet "$package" >/dev/null 2>&1; then
    echo "Removing $package (not in PARKER_YTDLP_OPTIONAL) ..." >&2
    "$venv/bin/python" -m pip uninstall --quiet --yes "$package" >&2
  fi
done
# pip leaves the plugins' namespace folder behind, which yt-dlp would still list.
find "$venv/lib" -depth -type d -path '*/yt_dlp_plugins*' -empty -delete
if ! has_extras; then
  echo "pip installed $pin but yt-dlp's extras do not import in .tools/ytdlp (see the output above)" >&2
  exit 1
fi
printf '%s' "$wanted" > "$stamp"
echo "Installed $("$bin" --version) at $bin" >&2
echo "$bin"
