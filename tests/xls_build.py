"""A minimal .xls writer for tests: an OLE compound file holding one BIFF8 "Workbook" stream.

Enough for the reader (calamine) and xlrd to open, and low-level enough to write what no
spreadsheet program would: cells at IV65536, lying DIMENSIONS records, huge shared strings.
"""
from __future__ import annotations

import struct

MAX_RECORD = 8224
END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def record(typ: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(body)) + body


def bof(kind: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0x41, 0x06))


def _encoded(text: str) -> tuple[bool, bytes, int]:
    """(wide, bytes, length in characters as BIFF counts them: UTF-16 code units when wide)."""
    if all(ord(ch) <= 0xFF for ch in text):
        return False, text.encode("latin-1"), len(text)
    raw = text.encode("utf-16-le", "surrogatepass")
    return True, raw, len(raw) // 2


def _unicode(text: str, length_bytes: int = 2) -> bytes:
    wide, raw, n = _encoded(text)
    return struct.pack("<H" if length_bytes == 2 else "<B", n) + bytes([wide]) + raw


def sst(strings: list[str], total: int | None = None) -> bytes:
    """An SST record and its CONTINUE records; long strings are split across them as Excel does."""
    records, body = [], bytearray(struct.pack("<II", total if total is not None else len(strings), len(strings)))
    for text in strings:
        wide, raw, n = _encoded(text)
        width = 2 if wide else 1
        if len(body) + 3 + width > MAX_RECORD:  # the header never splits
            records.append(bytes(body))
            body = bytearray()
        body += struct.pack("<HB", n, wide)
        while raw:
            room = (MAX_RECORD - len(body)) // width * width
            if room <= 0:
                records.append(bytes(body))
                body = bytearray([wide])  # the rest of a split string: its width again
                continue
            body += raw[:room]
            raw = raw[room:]
    records.append(bytes(body))
    return record(0x00FC, records[0]) + b"".join(record(0x003C, r) for r in records[1:])


def cell(row: int, col: int, value: str | float, strings: dict[str, int] | None = None) -> bytes:
    if isinstance(value, (int, float)):
        return record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))
    if strings is not None:
        return record(0x00FD, struct.pack("<HHHI", row, col, 0, strings.setdefault(value, len(strings))))
    return record(0x0204, struct.pack("<HHH", row, col, 0) + _unicode(value))


def dimensions(rows: int, cols: int, first_row: int = 0) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, rows, 0, min(cols, 0xFFFF), 0))


def workbook(sheets: list[tuple[str, list[tuple[int, int, object]]]], shared: bool = True,
             extra_sheet_records: bytes = b"", sst_total: int | None = None,
             extra_strings: list[str] | None = None, mini: bool = False) -> bytes:
    """An .xls whose sheets hold the given (row, col, value) cells (strings shared when `shared`)."""
    strings: dict[str, int] = {s: i for i, s in enumerate(extra_strings or [])}
    bodies = []
    for _name, cells in sheets:
        rows = max((r for r, _, _ in cells), default=-1) + 1
        cols = max((c for _, c, _ in cells), default=-1) + 1
        body = bof(0x0010) + dimensions(rows, cols) + extra_sheet_records
        body += b"".join(cell(r, c, v, strings if shared else None) for r, c, v in cells)
        bodies.append(body + record(0x000A))
    table = sst(list(strings), sst_total) if strings else b""
    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200))
    sheet_records = [(name, len(record(0x0085, struct.pack("<IBB", 0, 0, 0) + _unicode(name, 1))))
                     for name, _ in sheets]
    pos = len(head) + sum(n for _, n in sheet_records) + len(table) + len(record(0x000A))
    boundsheets = b""
    for (name, _), body in zip(sheets, bodies):
        boundsheets += record(0x0085, struct.pack("<IBB", pos, 0, 0) + _unicode(name, 1))
        pos += len(body)
    return ole(head + boundsheets + table + record(0x000A) + b"".join(bodies), mini)


def ole(stream: bytes, mini: bool = False) -> bytes:
    """A version-3 compound file (512-byte sectors) with one stream named Workbook.

    With `mini` a stream under 4096 bytes is stored as such files store small streams: in 64-byte
    sectors of the mini stream (kept in the root entry's chain), chained by the mini FAT. Otherwise
    the stream is padded (after its last EOF record, where no reader looks) to at least 4096 bytes."""
    if mini and len(stream) < 4096:
        length = len(stream)
        container = stream.ljust(-(-len(stream) // 512) * 512, b"\0")
        n_mini = -(-len(stream) // 64)
        minifat = [i + 1 for i in range(n_mini - 1)] + [END]
        extra = [struct.pack("<128I", *(minifat + [FREE] * (128 - len(minifat))))]
        root_size, wb_start = n_mini * 64, 0
    else:
        container = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
        length, extra, root_size, wb_start = len(container), [], 0, 0
    n_data = len(container) // 512
    n_extra = len(extra)                      # the mini FAT sector, if any
    dir_sector = n_data + n_extra
    n_fat = 1
    while n_fat * 128 < dir_sector + 1 + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("stream too large for this writer")
    fat = [i + 1 for i in range(n_data - 1)] + [END] + [END] * n_extra + [END] + [FATSECT] * n_fat
    fat += [FREE] * (n_fat * 128 - len(fat))
    header = _header(n_fat, dir_sector, list(range(dir_sector + 1, dir_sector + 1 + n_fat)),
                     mini_start=n_data if extra else END, n_mini=n_extra)
    root = _entry("Root Entry", 5, child=1, start=0 if extra else END, size=root_size)
    directory = (root + _entry("Workbook", 2, start=wb_start, size=length)).ljust(512, b"\0")
    return header + container + b"".join(extra) + directory + struct.pack(f"<{len(fat)}I", *fat)


def _header(n_fat: int, dir_start: int, fat_sectors: list[int], mini_start: int = END, n_mini: int = 0) -> bytes:
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    head += struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    head += struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, mini_start, n_mini, END, 0)
    difat = fat_sectors + [FREE] * (109 - len(fat_sectors))
    return head + struct.pack("<109I", *difat)


def _entry(name: str, kind: int, child: int = NOSTREAM, start: int = END, size: int = 0) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    out = raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
    out += struct.pack("<III", NOSTREAM, NOSTREAM, child) + b"\0" * 36
    return out + struct.pack("<IQ", start, size)
