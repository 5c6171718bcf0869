#!/usr/bin/env bash
# Installs the faces the PDF 通报 is set in: the Fandol fonts (仿宋 for the body, 黑体 for headings,
# 楷体, and 宋体 for tables and the bold 宋 of titles). They are free (GPL with the font-embedding
# exception: a PDF that embeds them may carry any licence) and cover GB2312; Debian ships them in
# texlive-lang-chinese, whose other ~250 MB of TeX the dashboard does not need, so only the font
# files are taken from that package.
#
#   bash scripts/install-fonts.sh                      # fetch the package with apt-get download
#   bash scripts/install-fonts.sh texlive-lang-chinese_*.deb   # offline: a .deb copied in
#
# As root the fonts go to /usr/local/share/fonts/fandol (every account, the service's included),
# otherwise to the user's own font folder. Without apt or dpkg it says so and leaves the PDF to
# the other CJK fonts of the machine.
set -euo pipefail
FILES="FandolFang-Regular.otf FandolHei-Regular.otf FandolKai-Regular.otf FandolSong-Regular.otf FandolSong-Bold.otf"
if fc-list : family 2>/dev/null | grep -q "^FandolFang"; then
  echo "仿宋、黑体字体（Fandol）已安装"
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  DEST=/usr/local/share/fonts/fandol
else
  DEST="${XDG_DATA_HOME:-$HOME/.local/share}/fonts/fandol"
fi
deb=${1:-}
if ! command -v dpkg-deb >/dev/null || { [ -z "$deb" ] && ! command -v apt-get >/dev/null; }; then
  echo "提示：本机没有 apt-get/dpkg，未安装 PDF 通报所用的仿宋、黑体字体（Fandol），PDF 将使用本机其他中文字体。" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$deb" ]; then
  echo "下载字体软件包 texlive-lang-chinese（约 50 MB，只取其中的字体文件）…"
  if ! (cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null); then
    [ "$(id -u)" = "0" ] && apt-get update -qq
    (cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null)
  fi
  deb=$(ls "$tmp"/texlive-lang-chinese_*.deb)
fi
FONTDIR=./usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
DOCDIR=./usr/share/doc/texlive-doc/fonts/fandol
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$FONTDIR" "$DOCDIR"
install -d -m 0755 "$DEST"
for f in $FILES; do install -m 0644 "$tmp/$FONTDIR/$f" "$DEST/"; done
install -m 0644 "$tmp/$DOCDIR/README" "$DEST/README"
install -m 0644 "$tmp/$DOCDIR/COPYING.gz" "$DEST/COPYING.gz"  # GPL 3; the font exception is in README
fc-cache -f "$DEST" >/dev/null
echo "已安装仿宋、黑体、楷体、宋体字体（Fandol）到 $DEST"
