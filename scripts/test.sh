#!/usr/bin/env bash
# Installs everything the tests need and runs every test (slow, browser and subprocess ones too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
# -m "": every test, whatever its marker (a bare `pytest` runs only the fast set)
exec .venv/bin/python -m pytest -m "" "$@"
