#!/usr/bin/env bash
# 在内网（不能上网的）机器上运行：只用 wheelhouse/ 里的文件建立 .venv，不访问任何软件源。
#
#   bash deploy/install-offline.sh [wheelhouse 目录，默认 wheelhouse] [venv 目录，默认 .venv]
#
# 需要 Python 3.11（python3 -m venv 可用；Debian/Ubuntu 上是 python3-venv 包）。
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=${1:-wheelhouse}
VENV=${2:-.venv}
PYTHON=${PYTHON:-python3}
if [ ! -d "$WHEELS" ]; then
  echo "找不到软件包目录 $WHEELS：请先在能上网的机器上运行 deploy/build-wheelhouse.sh，再把它拷过来" >&2
  exit 2
fi
if [ -f "$WHEELS/SHA256SUMS" ]; then
  (cd "$WHEELS" && sha256sum --quiet -c SHA256SUMS) || { echo "软件包校验失败：拷贝可能不完整" >&2; exit 2; }
fi
# Only the wheelhouse counts: no index, no extra find-links from the environment or pip.conf.
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_CONSTRAINT
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP_CONFIG_FILE=/dev/null "$VENV/bin/python" -m pip install --disable-pip-version-check --no-index \
  --find-links "$WHEELS" -r requirements.txt
"$VENV/bin/python" -m scoring --help >/dev/null
echo "安装完成：$VENV。首次使用请创建管理员：$VENV/bin/python -m scoring user add 用户名 --role 管理 --db 数据库文件"
