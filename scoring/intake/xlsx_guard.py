"""Checks an .xlsx (a zip of XML parts) before the spreadsheet library touches it.

The reader (calamine, via fastexcel) trusts the file: a 5 KB workbook with one cell in A1 and
one in XFD1048576, or a sharedStrings part claiming two billion strings, makes it allocate
hundreds of gigabytes and abort the whole process (the dashboard with it). A zip whose headers
understate the inflated size defeats a check of the declared sizes alone. So every member is
inflated here, in bounded chunks and discarded, while counting the real bytes and scanning the
XML for the cell positions and string counts the library would size its buffers by.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from scoring.intake.xlsx_text import SharedText

CHUNK = 1 << 20
MAX_MEMBERS = 10_000  # a workbook has tens of parts, not thousands
MAX_TAG_BYTES = 1 << 20  # a single XML tag longer than this is not from any spreadsheet program
MAX_TEXT_BYTES = 100 << 20  # shared text the cells would hold once read (a 200,000-row register: ~60 MB)

_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})[\"']")
_CELL_REF_FAST = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ROW_ATTR = re.compile(rb"\br\s*=\s*[\"'](\d{1,7})[\"']")
_CELL_ATTR = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})[\"']")
_SST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*>")
_COUNT = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")


class ZipProblem(ValueError):
    """The workbook is unsafe or broken; the message is for the user (Chinese)."""


@dataclass
class _Extent:
    cells: int = 0           # <c> tags seen
    with_ref: int = 0        # … of which carry r="A1"
    max_row: int = 0
    max_col: int = 0
    sst_count: int = 0
    tail: bytes = b""
    names: list[str] = field(default_factory=list)

    def area(self) -> int:
        return self.max_row * self.max_col


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _member_chunks(data: bytes, info: zipfile.ZipInfo):
    """The member's inflated bytes in chunks of at most CHUNK, however large its headers say it is."""
    if info.flag_bits & 0x1:
        raise ZipProblem("文件设置了密码或已加密，请取消密码后另存为 .xlsx 再上传")
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise ZipProblem("不是有效的 .xlsx 文件（压缩包结构已损坏）")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i:i + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ZipProblem("不是有效的 .xlsx 文件（使用了不支持的压缩方式）")
    inflater = zlib.decompressobj(-15)
    try:
        for i in range(0, len(raw), CHUNK):
            piece = bytes(raw[i:i + CHUNK])
            while piece:
                out = inflater.decompress(piece, CHUNK)
                piece = inflater.unconsumed_tail
                if out:
                    yield out
                if inflater.eof:
                    return
        out = inflater.flush()
        if out:
            yield out
    except zlib.error:
        raise ZipProblem("不是有效的 .xlsx 文件（压缩数据已损坏）") from None


def _scan(extent: _Extent, chunk: bytes, first: bool) -> None:
    if first:
        m = _SST.search(chunk[:4096])
        if m:
            extent.sst_count = max([int(c) for c in _COUNT.findall(m.group(0))] or [0])
    text = extent.tail + chunk
    cut = text.rfind(b"<")
    if cut >= 0 and text.find(b">", cut) < 0:  # an unfinished tag: scan it with the next chunk
        text, extent.tail = text[:cut], text[cut:]
        if len(extent.tail) > MAX_TAG_BYTES:
            raise ZipProblem("文件内容异常（存在超长的 XML 标记），拒绝读取")
    else:
        extent.tail = b""
    # Fast path for the usual writer output (<c r="A1" …>, no namespace prefix); anything
    # else falls through to the general patterns, so nothing escapes the count.
    plain = not any(s in text for s in (b":c", b"<c\n", b"<c\r", b"<c\t"))
    if plain:
        cells = text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/>")
        refs = _CELL_REF_FAST.findall(text)
        if len(refs) < cells:
            refs = _CELL_REF.findall(text)
    else:
        cells = len(_CELL.findall(text))
        refs = _CELL_REF.findall(text)
    extent.cells += cells
    extent.with_ref += len(refs)
    if refs:
        extent.max_col = max(extent.max_col, max(column_number(c) for c in {c for c, _ in refs}))
        extent.max_row = max(extent.max_row, max(map(int, [r for _, r in refs])))


def _sequential_extent(chunks) -> tuple[int, int]:
    """Rows × columns when some cells carry no r="…": positions follow one another (slow path)."""
    row, col, max_row, max_col, tail = 0, 0, 0, 0, b""
    for chunk in chunks:
        text = tail + chunk
        cut = text.rfind(b"<")
        if cut >= 0 and text.find(b">", cut) < 0:
            text, tail = text[:cut], text[cut:]
        else:
            tail = b""
        for m in _ROW_OR_CELL.finditer(text):
            if m.group(1) == b"row":
                r = _ROW_ATTR.search(m.group(2))
                row, col = (int(r.group(1)) if r else row + 1), 0
            else:
                r = _CELL_ATTR.search(m.group(2))
                if r:
                    col, row_of_cell = column_number(r.group(1)), int(r.group(2))
                    row = row_of_cell
                else:
                    col += 1
                max_row, max_col = max(max_row, max(row, 1)), max(max_col, col)
    return max_row, max_col


def check_xlsx(data: bytes, max_unzipped: int, max_cells: int, max_text: int = MAX_TEXT_BYTES) -> None:
    """Raise ZipProblem unless the workbook is a sound zip of a sane size and extent."""
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise ZipProblem("不是有效的 .xlsx 文件（压缩包内文件数量异常），拒绝读取")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except Exception:  # BadZipFile, NotImplementedError (odd versions), struct and OS errors …
        raise ZipProblem("不是有效的 .xlsx 文件（文件可能已损坏，或是改了扩展名的其他文件）") from None
    declared = sum(info.file_size for info in infos)
    if declared > max_unzipped:  # refused before inflating anything
        raise ZipProblem(f"文件解压后过大（{declared / 1048576:.0f} MB，上限 {max_unzipped // 1048576} MB），"
                         "拒绝读取；请检查文件来源，或按月拆分后再上传")
    try:
        _check_members(data, infos, max_unzipped, max_cells, max_text)
    except ZipProblem:
        raise
    except Exception:  # a header that points nowhere, a size field that lies in another way …
        raise ZipProblem("不是有效的 .xlsx 文件（压缩包结构已损坏）") from None


def _check_members(data: bytes, infos: list[zipfile.ZipInfo], max_unzipped: int, max_cells: int,
                   max_text: int) -> None:
    total, cells = 0, 0
    shared = SharedText()
    for info in infos:
        extent = _Extent()
        offset, tail, strings = 0, b"", False
        for i, chunk in enumerate(_member_chunks(data, info)):
            total += len(chunk)
            if total > max_unzipped:
                raise ZipProblem(f"文件解压后超过 {max_unzipped // 1048576} MB（压缩包头部所记大小与实际不符），拒绝读取")
            _scan(extent, chunk, first=(i == 0))
            strings = strings or (i == 0 and _SST.search(chunk[:4096]) is not None)
            if strings:
                tail = shared.feed_strings(chunk, offset, tail)
            else:
                shared.count_refs(info.filename, chunk)
            offset += len(chunk)
        if extent.sst_count > max_cells:
            raise ZipProblem(f"文件内容异常（共享字符串表声明了 {extent.sst_count} 项），拒绝读取")
        if extent.cells == 0:
            continue
        rows, cols = extent.max_row, extent.max_col
        if extent.with_ref < extent.cells:
            rows, cols = _sequential_extent(_member_chunks(data, info))
        cells += rows * cols
        if cells > max_cells:
            raise ZipProblem(f"工作表的数据范围过大（约 {rows} 行 × {cols} 列），"
                             "请删除表格中多余的行和列（或远处误填的单元格）后再上传")
    by_name = {info.filename: info for info in infos}
    if shared.too_much(max_text, lambda name: _member_chunks(data, by_name[name])):
        raise ZipProblem(f"文件内容异常（共享的单元格文字展开后超过 {max_text // 1048576} MB），拒绝读取")

