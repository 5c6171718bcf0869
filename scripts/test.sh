#!/usr/bin/env bash
# Installs everything the tests need and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
exec .venv/bin/python -m pytest "$@"
