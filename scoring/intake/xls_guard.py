"""Checks an .xls (an OLE compound file holding a BIFF "Workbook" stream) before the reader opens it.

The reader (calamine, via fastexcel) parses every sheet of an .xls as soon as the file is opened
and lays each one out as a full grid: a 5 KB file with one cell at IV65536 on each of four sheets
took 4.7 GB. It also trusts the container: sector chains that loop, sizes larger than the file,
a dimensions record claiming four billion rows, and a shared string of 65,535 characters copied
into every cell that refers to it. So the container is walked here with every chain bounded and
checked for loops, and the BIFF records are scanned — without building any cell — for what the
reader would allocate: each sheet's extent (as written and as its cells reach), the text its cells
would hold once shared strings are copied, and what its formulas would expand to.
"""
from __future__ import annotations

import struct

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FATSECT, _DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
_WORKBOOK_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")  # the order the reader tries them
MAX_SHEETS = 1_000
MAX_TEXT_CHARS = 32_000_000  # characters the cells would hold: ~100 MB read, as xlsx_guard.MAX_TEXT_BYTES
_FORMULA_EXPANSION = 16      # a formula token of a few bytes can print a name or a reference

# BIFF record types the reader turns into cells (blank cells it skips).
_CELL = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_MULRK, _LABELSST, _FORMULA, _STRING, _DIMENSIONS = 0x00BD, 0x00FD, 0x0006, 0x0207, 0x0200
_CELL_OR_MULRK = frozenset(_CELL | {_MULRK})
_LABELS = (0x0204, 0x00D6)  # LABEL, RSTRING: their own text
_PAIR, _WORD, _DWORD = struct.Struct("<HH").unpack_from, struct.Struct("<H").unpack_from, struct.Struct("<I").unpack_from
_BOF, _EOF, _CONTINUE, _SST, _BOUNDSHEET, _NAME = 0x0809, 0x000A, 0x003C, 0x00FC, 0x0085, 0x0018


class XlsProblem(ValueError):
    """The workbook is unsafe or broken; the message is for the user (Chinese)."""


_BROKEN = "不是有效的 .xls 文件（文件结构已损坏）"


# -- the container ------------------------------------------------------------------------------
def workbook_stream(data: bytes) -> bytes:
    """The BIFF stream of an OLE file, every chain followed at most once and within the file."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise XlsProblem(_BROKEN)
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise XlsProblem(_BROKEN)
    size = 1 << shift
    n_sectors = max(0, (len(data) - size) // size)  # the header fills the first sector's place
    n_fat, dir_start = struct.unpack_from("<II", data, 44)
    mini_start, n_mini, difat_start, n_difat = struct.unpack_from("<IIII", data, 60)
    # The reader sizes a buffer by bytes 62..65 (half of two fields): keep that sane too.
    odd_len, = struct.unpack_from("<I", data, 62)
    if n_fat > n_sectors or n_difat > n_sectors or n_mini > n_sectors or odd_len > 1 << 24:
        raise XlsProblem(_BROKEN)

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise XlsProblem(_BROKEN)
        return data[size + i * size: 2 * size + i * size]

    difat = list(struct.unpack_from("<109I", data, 76))
    seen: set[int] = set()
    i = difat_start
    while i < _DIFSECT:  # the reader follows this chain with no loop check: it must end
        if i in seen or len(seen) > n_sectors:
            raise XlsProblem(_BROKEN)
        seen.add(i)
        entries = struct.unpack(f"<{size // 4}I", sector(i))
        difat.extend(entries[:-1])
        i = entries[-1]
    fat: list[int] = []
    for i in difat:
        if i < _DIFSECT:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(i)))

    def chain(start: int) -> list[int]:
        ids, seen_ids = [], set()
        i = start
        while i != _END:
            if i >= len(fat) or i >= n_sectors or i in seen_ids:
                raise XlsProblem(_BROKEN)
            seen_ids.add(i)
            ids.append(i)
            i = fat[i]
        return ids

    directory = b"".join(sector(i) for i in chain(dir_start))
    entries = {}
    for off in range(0, len(directory) - 127, 128):
        name_len, = struct.unpack_from("<H", directory, off + 64)
        name = directory[off:off + min(name_len, 64)].decode("utf-16-le", "replace").split("\0")[0]
        start, length = struct.unpack_from("<IQ", directory, off + 116)
        if size == 512:
            length &= 0xFFFFFFFF
        entries.setdefault(name, (start, length))
    if not entries:
        raise XlsProblem(_BROKEN)
    root_start, root_len = next(iter(entries.values()))
    if n_mini:  # the reader loads the mini stream and its table whenever the header has one
        if len(chain(mini_start)) < n_mini or root_len > len(chain(root_start)) * size:
            raise XlsProblem(_BROKEN)
    name = next((n for n in _WORKBOOK_NAMES if n in entries), None)
    if name is None:
        raise XlsProblem("不是有效的 .xls 文件（其中没有工作簿内容），请用 Excel 另存为 .xlsx 后再上传")
    start, length = entries[name]
    if length < 4096:  # a small stream lives in the mini stream (64-byte sectors)
        return _mini_stream(data, sector, chain, entries, mini_start, n_mini, start, length, size)
    ids = chain(start)
    if length > len(ids) * size:
        raise XlsProblem(_BROKEN)
    return b"".join(sector(i) for i in ids)[:length]


def _mini_stream(data, sector, chain, entries, mini_start, n_mini, start, length, size) -> bytes:
    root_start, root_len = next(iter(entries.values()))
    mini = b"".join(sector(i) for i in chain(root_start))[:root_len]
    table_bytes = b"".join(sector(i) for i in chain(mini_start))[:n_mini * size]
    table = struct.unpack(f"<{len(table_bytes) // 4}I", table_bytes[:len(table_bytes) // 4 * 4])
    out, seen, i = [], set(), start
    while i != _END and len(out) * 64 < length:
        if i >= len(table) or i in seen or (i + 1) * 64 > len(mini):
            raise XlsProblem(_BROKEN)
        seen.add(i)
        out.append(mini[i * 64:(i + 1) * 64])
        i = table[i]
    stream = b"".join(out)
    if len(stream) < length:
        raise XlsProblem(_BROKEN)
    return stream[:length]


# -- the records --------------------------------------------------------------------------------
def _records(stream: bytes, pos: int):
    """(type, body offset, body length) from `pos` to the end of the stream."""
    end = len(stream)
    while pos + 4 <= end:
        typ, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            raise XlsProblem(_BROKEN)
        yield typ, pos + 4, length
        pos += 4 + length


def _sst_lengths(stream: bytes, first: tuple[int, int], continues: list[tuple[int, int]]) -> list[int]:
    """Characters of each shared string (the reader copies the whole string into every cell using it)."""
    segments = [first, *continues]
    seg, off, (start, length) = 0, 8, first
    lengths = []

    def take(n: int) -> bytes:
        nonlocal off
        piece = stream[start + off:start + min(off + n, length)]
        off += len(piece)
        return piece

    def next_segment() -> bool:
        nonlocal seg, off, start, length
        seg += 1
        if seg >= len(segments):
            return False
        (start, length), off = segments[seg], 0
        return True

    while True:
        if off >= length and not next_segment():
            return lengths
        head = take(3)
        if len(head) < 3:
            raise XlsProblem(_BROKEN)
        cch, flags = struct.unpack("<HB", head)
        skip = 0
        if flags & 0x8:
            skip += 4 * struct.unpack("<H", take(2).ljust(2, b"\0"))[0]
        if flags & 0x4:
            skip += struct.unpack("<I", take(4).ljust(4, b"\0"))[0]
        wide, left = flags & 0x1, cch
        while left:
            got = len(take(left * 2 if wide else left)) // (2 if wide else 1)
            left -= got
            if left:
                if not next_segment():
                    raise XlsProblem(_BROKEN)
                flag = take(1)  # a string split across records: its rest says again how wide it is
                if not flag:
                    raise XlsProblem(_BROKEN)
                wide = flag[0] & 0x1
        while skip:
            if off >= length and not next_segment():
                raise XlsProblem(_BROKEN)
            skip -= len(take(skip))
        lengths.append(cch)


def check_xls(data: bytes, max_cells: int, max_text: int = MAX_TEXT_CHARS) -> None:
    """Raise XlsProblem unless the .xls would be read within the cell and text limits."""
    try:
        stream = workbook_stream(data)
        _check_stream(stream, max_cells, max_text)
    except XlsProblem:
        raise
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError):
        raise XlsProblem(_BROKEN) from None


def _check_stream(stream: bytes, max_cells: int, max_text: int) -> None:
    sheets, sst, names = [], [], [0]
    records = list(_records_until_eof(stream, 0))
    for k, (typ, off, length) in enumerate(records):
        if typ == 0x002F and length >= 2 and struct.unpack_from("<H", stream, off)[0]:
            raise XlsProblem("文件设置了打开密码，请在 Excel 中取消密码后另存为 .xlsx 再上传")
        if typ == _BOUNDSHEET:
            pos, = struct.unpack_from("<I", stream, off)
            if pos >= len(stream) or len(sheets) >= MAX_SHEETS:
                raise XlsProblem(_BROKEN if pos >= len(stream) else f"工作表过多（超过 {MAX_SHEETS} 个），拒绝读取")
            sheets.append(pos)
            names.append(stream[off + 6] if length > 6 else 0)
        elif typ == _NAME and length >= 4:
            names.append(stream[off + 3])
        elif typ == _SST and length >= 8:
            continues = []
            for typ2, off2, length2 in records[k + 1:]:
                if typ2 != _CONTINUE:
                    break
                continues.append((off2, length2))
            sst = _sst_lengths(stream, (off, length), continues)
    expansion = max(names) + _FORMULA_EXPANSION
    cells = text = 0
    for pos in sheets:
        extent = _sheet_extent(stream, pos, sst, expansion)
        cells += extent[0]
        text += extent[1]
        if cells > max_cells:
            raise XlsProblem("工作表的数据范围过大（存在远处误填的单元格或过多的行列），"
                             "请删除多余的行和列后另存为 .xlsx 再上传")
        if text > max_text:
            raise XlsProblem(f"文件内容异常（单元格文字展开后超过 {max_text // 10_000} 万字），拒绝读取")


def _records_until_eof(stream: bytes, pos: int):
    for typ, off, length in _records(stream, pos):
        yield typ, off, length
        if typ == _EOF:
            return


def _sheet_extent(stream: bytes, pos: int, sst: list[int], expansion: int) -> tuple[int, int]:
    """(cells the reader would lay out, characters it would copy into them) for one sheet.

    The record loop is written out (no generator, no max()): a sheet has up to millions of records."""
    max_row = max_col = f_row = f_col = -1
    declared = text = 0
    pair, word, dword = _PAIR, _WORD, _DWORD
    cells, end, n_sst = _CELL_OR_MULRK, len(stream), len(sst)
    while pos + 4 <= end:
        typ, length = pair(stream, pos)
        off, pos = pos + 4, pos + 4 + length
        if pos > end:
            raise XlsProblem(_BROKEN)
        if typ in cells:
            if length < 6:
                continue
            row, col = pair(stream, off)
            if typ == _MULRK:
                last, = word(stream, off + length - 2)
                col = last if last > col else col
            if row > max_row:
                max_row = row
            if col > max_col:
                max_col = col
            if typ == _LABELSST:
                if length >= 10:
                    i, = dword(stream, off + 6)
                    text += sst[i] if i < n_sst else 0
            elif typ == _FORMULA:
                f_row, f_col = max(f_row, row), max(f_col, col)
                text += max(0, length - 20) * expansion
            elif typ in _LABELS and length >= 8:
                text += word(stream, off + 6)[0]
        elif typ == _STRING and length >= 2:
            text += word(stream, off)[0]
        elif typ == _DIMENSIONS and length in (10, 14):
            declared = max(declared, _declared_area(stream[off:off + length]))
        elif typ == _EOF:
            break
    laid_out = (max_row + 1) * (max_col + 1) + (f_row + 1) * (f_col + 1)
    return max(laid_out, declared), text


def _declared_area(body: bytes) -> int:
    """What the reader reserves for a DIMENSIONS record (its unsigned arithmetic wraps around)."""
    if len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    else:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl < 1 or cl < 1:
        return 1
    return ((rl - 1 - rf + 1) % 2**32) * ((cl - 1 - cf + 1) % 2**32)
