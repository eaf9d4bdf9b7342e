# Sourced by scripts/demo and scripts/test: system packages, virtualenv, Python
# packages and compiled translations. Safe to run again; it only does what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1;31m[智学]\033[0m %s\n' "$*"; }

# Debian packages the product needs: gettext (translations), ffmpeg (video pipeline),
# CJK fonts (Chinese in the browser and in PDFs), chromium (browser tests).
SYSTEM_PACKAGES=(gettext ffmpeg fonts-wqy-zenhei chromium)

ensure_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    say "Missing system packages: ${missing[*]}"
    say "Install them with:  sudo apt-get install ${missing[*]}"
    command -v msgfmt >/dev/null || { say "gettext is required."; exit 1; }
  fi
}

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  say "Python 3.11 is required (Django 5.2 LTS + Wagtail 8.0)."; exit 1
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    say "Creating the virtualenv in .venv"
    "$(find_python)" -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip
  fi
  local stamp="$VENV/.zhixue-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing Python packages (pyproject.toml)"
    "$PY" -m pip install -q -e ".[test]"
    echo "$want" > "$stamp"
  fi
}

# Front-end packages (hls.js for the lesson player) from the npm registry, pinned by
# package-lock.json and served from node_modules/ as static files.
ensure_node_packages() {
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      say "Installing system packages: nodejs npm"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nodejs npm >/dev/null
    else
      say "npm is required for the video player. Install it with:  sudo apt-get install nodejs npm"
      exit 1
    fi
  fi
  local stamp="node_modules/.zhixue-installed"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing front-end packages (package-lock.json)"
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

compile_translations() {
  "$PY" manage.py compilemessages -l zh_Hans --ignore=.venv -v 0
}

bootstrap() {
  ensure_system_packages
  ensure_venv
  ensure_node_packages
  compile_translations
  mkdir -p var
}
