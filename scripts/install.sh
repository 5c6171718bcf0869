#!/usr/bin/env bash
# Creates .venv and installs the pinned packages, and the fonts the PDF 通报 is set in
# (scripts/install-fonts.sh). Usage: scripts/install.sh [dev]
# With "dev", also the test tools and (as root, via apt) the browser, CJK fonts, pdftotext and nginx
# (the deployment test starts its own nginx on a free port; Debian's default site is switched off).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ "${1:-}" = "dev" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  need=""
  command -v chromium >/dev/null || need="$need chromium"
  command -v pdftoppm >/dev/null || need="$need poppler-utils"
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$need fonts-noto-cjk"
  PATH="$PATH:/usr/sbin" command -v nginx >/dev/null || need="$need nginx"
  if [ -n "$need" ]; then
    echo "安装系统软件包:$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
    case "$need" in *nginx*)
      command -v systemctl >/dev/null && systemctl disable --now nginx >/dev/null 2>&1 || true ;;
    esac
  fi
fi
# PDF export is a product feature: its 仿宋/黑体 faces are installed for the app too
bash scripts/install-fonts.sh || echo "提示：未能安装 PDF 通报所用的仿宋、黑体字体，PDF 将使用本机其他中文字体" >&2
[ -x .venv/bin/python ] || { echo "创建 Python 虚拟环境 .venv …"; "$PYTHON" -m venv .venv; }
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
total=$(grep -cE '^[A-Za-z0-9]' requirements.txt)
[ "$req" = requirements-dev.txt ] && total=$((total + $(grep -cE '^[A-Za-z0-9]' requirements-dev.txt)))
echo "检查并安装 Python 依赖（$req，直接依赖 $total 个；首次安装需下载约 200 MB，约 3 分钟）…"
# pip's own lines, thinned to one per package so a newcomer sees it move (pip -q said nothing
# for minutes); errors still come through on stderr and fail the script.
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r "$req" \
  | awk '/^Collecting /{n++; printf "  [%d] 获取 %s\n", n, $2; fflush()}
         /^Installing collected packages/{print "  正在安装…"; fflush()}
         /^Successfully installed/{print "  安装完成"; fflush()}
         END{if (n == 0) print "  依赖均已安装"}'
