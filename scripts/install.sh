#!/usr/bin/env bash
# Creates .venv and installs the pinned packages. Usage: scripts/install.sh [dev]
# With "dev", also the test tools and (as root, via apt) the browser, CJK fonts and pdftotext.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ "${1:-}" = "dev" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  need=""
  command -v chromium >/dev/null || need="$need chromium"
  command -v pdftoppm >/dev/null || need="$need poppler-utils"
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$need fonts-noto-cjk"
  if [ -n "$need" ]; then
    echo "安装系统软件包:$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
