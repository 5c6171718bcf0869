#!/usr/bin/env bash
# 多进程仪表盘：N 个仪表盘进程（默认每个 CPU 核一个，只监听 127.0.0.1）在 nginx 反向代理之后。
#   bash deploy/serve.sh start  [--processes N] [--port 8080] [--db 库文件] [--run-dir 目录]
#   bash deploy/serve.sh stop | status
#   bash deploy/serve.sh run    # 前台运行（systemd 用），停止时一并停止全部进程
# nginx 配置、访问日志和各进程日志在运行目录（默认 run/）中，每次启动重新生成；不使用 /etc/nginx。
set -euo pipefail
cd "$(dirname "$0")/.."
export SCORING_DB="${SCORING_DB:-data/demo.duckdb}"
exec .venv/bin/python -m web.deployment "$@"
