#!/usr/bin/env bash
# 在可以上网的机器上运行：把 requirements.txt 中锁定版本的全部软件包（含依赖）下载为 wheel，
# 放进 wheelhouse/，再连同项目一起拷到内网机器，用 deploy/install-offline.sh 安装。
#
#   bash deploy/build-wheelhouse.sh [目标目录，默认 wheelhouse]
#
# 内网机器的操作系统、CPU 架构和 Python 版本须与这里一致；不一致时用环境变量指定目标平台，例如
# 为 Windows 10/11 64 位、Python 3.11 准备：
#   PLATFORM=win_amd64 PYVER=3.11 bash deploy/build-wheelhouse.sh wheelhouse-windows
# 为 Linux x86_64（麒麟、统信 UOS 等）准备：PLATFORM=manylinux2014_x86_64 PYVER=3.11
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-wheelhouse}
PYTHON=${PYTHON:-python3}
REQ=${REQUIREMENTS:-requirements.txt}
mkdir -p "$OUT"
args=(download --disable-pip-version-check --only-binary=:all: -r "$REQ" -d "$OUT")
if [ -n "${PLATFORM:-}" ]; then
  args+=(--platform "$PLATFORM" --implementation cp)
  [ -n "${PYVER:-}" ] && args+=(--python-version "$PYVER")
fi
"$PYTHON" -m pip "${args[@]}"
cp "$REQ" "$OUT/requirements.txt"
# A checksum list, so the copy on the intranet machine can be verified (sha256sum -c SHA256SUMS).
(cd "$OUT" && sha256sum ./*.whl > SHA256SUMS)
count=$(ls "$OUT"/*.whl | wc -l)
size=$(du -sh "$OUT" | cut -f1)
echo "已下载 $count 个软件包到 $OUT（共 $size）。把整个项目目录连同 $OUT 拷到内网机器，运行 deploy/install-offline.sh。"
