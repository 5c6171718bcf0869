#!/usr/bin/env bash
# Installs, builds the demo database if missing, and starts the dashboard on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
DB=${SCORING_DB:-data/demo.duckdb}
if [ ! -f "$DB" ]; then
  echo "生成演示数据库 $DB …"
  .venv/bin/python -m scoring demo --db "$DB"
fi
[ -f "$DB.账号.txt" ] && { echo "—— 登录信息 ——"; cat "$DB.账号.txt"; }
export SCORING_DB="$DB"
exec .venv/bin/streamlit run server.py --server.port "${PORT:-8501}" "$@"
