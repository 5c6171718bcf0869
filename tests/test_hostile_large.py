"""Hostile input, the fixed large cases: 100,000 rows, zip bombs (honest and lying
headers), a 5 KB workbook whose cells span the whole sheet, a string table claiming billions of
entries, and the upload size limit. The dangerous ones run as `python -m scoring import` in a
child process: the test sees its exit code, its message and its peak memory."""
from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

import xls_build
from conftest import fast_xlsx, row
from demo.dengkou import load_units
from scoring.engine import rulebook_for
from scoring.intake.importer import check_file, import_file
from scoring.intake.reader import HEADERS, MAX_CELLS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNZIPPED_BYTES
from scoring.store import Store
from scoring.intake.xlsx_guard import ZipProblem, check_xlsx

ROOT = Path(__file__).resolve().parent.parent
# `python -m scoring import …`, reporting its own peak memory (MB) on the last line of stderr.
# (VmHWM, not ru_maxrss: a child inherits its parent's ru_maxrss across exec.)
MEASURED = """
import re, sys
from scoring.cli import main
try:
    code = main(sys.argv[1:])
finally:
    hwm = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read())
    print(f"peak {int(hwm.group(1)) // 1024}", file=sys.stderr)
sys.exit(code)
"""


def run_import(path: Path, db: Path) -> tuple[int, str, int, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", MEASURED, "import", str(path), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    peak = int(lines[-1].split()[1]) if lines and lines[-1].startswith("peak ") else -1
    return done.returncode, "\n".join(lines[:-1]), peak, time.monotonic() - started


def assert_refused(path: Path, db: Path, words: str, max_mb: int = 700) -> str:
    Store(db)
    code, err, peak, _ = run_import(path, db)
    assert code == 2, (code, err)  # an abort (the old behaviour) shows as -6 or 134
    assert err.startswith(f"文件 {path.name}: ") and words in err, err
    assert "Traceback" not in err
    assert 0 < peak < max_mb, f"peak memory {peak} MB"
    assert Store(db).event_count() == 0
    return err


def small_workbook(cells: dict[tuple[int, int], str] | None = None) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("事件登记")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["2025-01-06", "教育局", "报送"])
    for (r, c), v in (cells or {}).items():
        sheet.write_string(r, c, v)
    book.close()
    return buf.getvalue()


def rewrite(data: bytes, member_re: str, fn) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, fn(body) if re.fullmatch(member_re, info.filename) else body)
    return out.getvalue()


def write_bomb(path: Path, inflated: int) -> Path:
    """A real workbook whose sheet XML is padded with `inflated` bytes of blanks, streamed so that
    nothing that size is ever held in memory (about 2 MB on disk)."""
    base = small_workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, body)
                continue
            head, tail = body.split(b"<sheetData>")
            with dst.open(info.filename, "w", force_zip64=inflated > 2**31 - 1) as f:
                f.write(head + b"<sheetData>")
                chunk = b" " * (1 << 20)
                for _ in range(inflated // len(chunk)):
                    f.write(chunk)
                f.write(tail)
    return path


def understate_sizes(path: Path, member: str, claimed: int) -> None:
    """Make the zip's headers lie: the member says it inflates to `claimed` bytes."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n, = struct.unpack_from("<H", data, i + 28)
        if bytes(data[i + 46:i + 46 + n]) == name:
            struct.pack_into("<I", data, i + 24, claimed)          # central directory
            local, = struct.unpack_from("<I", data, i + 42)
            struct.pack_into("<I", data, local + 22, claimed)      # local header
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))


# -- the cases ----------------------------------------------------------------------------------
def test_100k_rows_import_cleanly(tmp_path):
    units = [name for name, _ in load_units()]
    rows = [row(f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", units[i % len(units)], "报送", title=f"第{i}条")
            for i in range(100_000)]
    path = fast_xlsx(rows, tmp_path / "十万行.xlsx")
    store = Store(tmp_path / "s.duckdb")
    started = time.monotonic()
    report = import_file(store, path.read_bytes(), path.name, "测试", rulebook_for(store))
    assert report.ok and report.new == 100_000, report.messages()[:3]
    assert store.event_count() == 100_000
    print(f"\n[hostile] 100,000-row xlsx ({path.stat().st_size // 1024} KB) imported in "
          f"{time.monotonic() - started:.1f} s")


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = write_bomb(tmp_path / "炸弹.xlsx", MAX_UNZIPPED_BYTES + 20 * 2**20)
    assert path.stat().st_size < 5 * 2**20
    err = assert_refused(path, tmp_path / "a.duckdb", "解压后过大", max_mb=400)
    assert f"上限 {MAX_UNZIPPED_BYTES >> 20} MB" in err


def test_the_unpacked_cap_keeps_one_import_within_its_memory(tmp_path):
    # A 1 MB workbook that unpacks to 250 MB of blanks used to be read (the cap was 400 MB) and
    # took the importing process up by as much; now it is refused, and one just under the cap
    # imports within its budget: well under 300 MB above what a tiny workbook needs.
    assert_refused(write_bomb(tmp_path / "二百五十兆.xlsx", 250 << 20), tmp_path / "a.duckdb", "解压后过大")
    tiny = tmp_path / "小.xlsx"
    tiny.write_bytes(small_workbook())
    Store(tmp_path / "b.duckdb")
    code, err, base, _ = run_import(tiny, tmp_path / "b.duckdb")
    assert code == 0, err
    Store(tmp_path / "c.duckdb")
    code, err, peak, _ = run_import(write_bomb(tmp_path / "满额.xlsx", MAX_UNZIPPED_BYTES - (2 << 20)),
                                    tmp_path / "c.duckdb")
    assert code == 0, err
    assert 0 < peak - base < 220, f"{peak - base} MB above a tiny workbook's {base} MB"


def test_zip_bomb_with_lying_headers_is_refused_while_inflating(tmp_path):
    path = write_bomb(tmp_path / "说谎的炸弹.xlsx", MAX_UNZIPPED_BYTES + 20 * 2**20)
    understate_sizes(path, "xl/worksheets/sheet1.xml", 4096)
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) < 2**20  # the headers claim a small file
    assert_refused(path, tmp_path / "a.duckdb", "头部所记大小与实际不符", max_mb=400)


def test_cells_spanning_the_whole_sheet(tmp_path):
    """Two cells, A1 and XFD1048576: the reader would allocate 17 billion cells and abort."""
    path = tmp_path / "远处的单元格.xlsx"
    path.write_bytes(small_workbook({(1_048_575, 16_383): "远"}))
    assert path.stat().st_size < 10_000
    assert_refused(path, tmp_path / "a.duckdb", "数据范围过大", max_mb=400)


def test_cells_without_references_are_positioned_too(tmp_path):
    """Cells without r="…" follow one another; a row numbered 1048576 still spans the sheet."""
    def strip(body: bytes) -> bytes:
        body = re.sub(rb' r="[A-Z]+\d+"', b"", body)
        wide = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(20))
        return body.replace(b"</sheetData>", b'<row r="1048576">' + wide + b"</row></sheetData>")
    path = tmp_path / "无坐标.xlsx"
    path.write_bytes(rewrite(small_workbook(), r"xl/worksheets/sheet1\.xml", strip))
    assert_refused(path, tmp_path / "a.duckdb", "数据范围过大", max_mb=400)


def test_string_table_claiming_billions(tmp_path):
    path = tmp_path / "字符串表.xlsx"
    path.write_bytes(rewrite(small_workbook(), r"xl/sharedStrings\.xml",
                             lambda b: re.sub(rb'count="\d+" uniqueCount="\d+"',
                                              b'count="2000000000" uniqueCount="2000000000"', b)))
    assert_refused(path, tmp_path / "a.duckdb", "共享字符串表", max_mb=400)


def test_an_xls_named_xlsx_is_read_by_its_content(tmp_path):
    """An .xlsx that is really an old .xls container gets the .xls reader, not a zip error."""
    store = Store(":memory:")
    report = check_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "登记表.xlsx", store.unit_book(),
                        rulebook_for(store))
    assert report.file_error and "不是有效的 .xlsx" not in report.file_error


def test_a_password_protected_workbook_says_so():
    store = Store(":memory:")
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 500
    report = check_file(fake, "加密.xlsx", store.unit_book(), rulebook_for(store))
    assert "密码" in report.file_error


# -- limits that need no child process -----------------------------------------------------------
def check(data: bytes, name: str):
    store = Store(":memory:")
    return check_file(data, name, store.unit_book(), rulebook_for(store), store.known_info_ids)


def test_upload_size_limit_is_explained():
    report = check(b"x" * (MAX_FILE_BYTES + 1), "大文件.csv")
    assert report.file_error.startswith("文件过大") and "不超过 50 MB" in report.file_error
    assert "拆分" in report.file_error


def test_csv_with_too_many_rows_or_cells():
    head = ",".join(HEADERS).encode() + b"\r\n"
    lines = b"".join(f"2025-01-06,教育局,报送,,,,,,,,标题{i},,\r\n".encode() for i in range(MAX_ROWS + 1))
    assert "数据行过多" in check(head + lines, "多.csv").file_error
    assert "数据行过多" in check(head + b"\n" * 5_000_000, "空行.csv").file_error  # no 5M empty lists
    assert "单元格过多" in check(head + b"," * (MAX_CELLS + 1), "逗号.csv").file_error


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


FAR = [
    b'<x:c r="XFD1048576"/>',                       # a namespace prefix
    b'<c\nr="XFD1048576"/>',                       # a newline instead of a space
    b"<c r='XFD1048576'/>",                         # single quotes
    b'<c s="1" r="XFD1048576" t="s"><v>0</v></c>',  # r not first
    b'<c r="$XFD$1048576"/>',
]


def test_guard_sees_every_spelling_of_a_far_cell():
    for far in FAR:
        sheet = b'<worksheet><sheetData><row r="1"><c r="A1"/>' + far + b"</row></sheetData></worksheet>"
        with pytest.raises(ZipProblem, match="数据范围过大"):
            check_xlsx(zipped({"xl/worksheets/sheet1.xml": sheet}), MAX_UNZIPPED_BYTES, MAX_CELLS)


def test_guard_passes_ordinary_workbooks_and_counts_across_chunks():
    check_xlsx(small_workbook(), MAX_UNZIPPED_BYTES, MAX_CELLS)
    # A tag split across the 1 MB chunk boundary is still seen.
    pad = b" " * ((1 << 20) - 49)  # <c r="XFD…"/> starts 5 bytes before the first chunk ends
    sheet = b"<worksheet><sheetData>" + pad + b'<row r="1"><c r="A1"/><c r="XFD1048576"/></row></sheetData></worksheet>'
    with pytest.raises(ZipProblem, match="数据范围过大"):
        check_xlsx(zipped({"xl/worksheets/sheet1.xml": sheet}), MAX_UNZIPPED_BYTES, MAX_CELLS)


# -- .xls: an OLE container of BIFF records, checked before the reader lays out any sheet ------------
HEAD_CELLS = [(0, c, h) for c, h in enumerate(HEADERS)]
ROW_CELLS = [(1, 0, "2025-01-06"), (1, 1, "教育局"), (1, 2, "报送"), (1, HEADERS.index("标题"), "<script>alert(1)</script>")]


@pytest.mark.parametrize("mini", [False, True])
def test_an_ordinary_xls_imports(tmp_path, mini):
    """Also a small one, whose workbook sits in the container's mini stream (64-byte sectors)."""
    store = Store(tmp_path / "s.duckdb")
    data = xls_build.workbook([("说明", [(0, 0, "2025年信息登记表")]), ("事件登记", HEAD_CELLS + ROW_CELLS)], mini=mini)
    report = import_file(store, data, "登记表.xls", "测试", rulebook_for(store))
    assert report.ok and report.new == 1, report.messages()
    assert store.scalar("SELECT title FROM events") == "<script>alert(1)</script>"


@pytest.mark.parametrize("sheets, name", [(4, "远处.xls"), (20, "二十个表.xls"), (4, "其实是xls.xlsx")])
def test_xls_with_far_cells_on_many_sheets(tmp_path, sheets, name):
    """One cell at IV65536 on each sheet: 5.6 KB that the reader laid out as 4.7 GB (four sheets)."""
    cells = [[(0, 0, "说明"), (65535, 255, "远")] for _ in range(sheets - 1)] + [HEAD_CELLS + ROW_CELLS + [(65535, 255, "远")]]
    path = tmp_path / name
    path.write_bytes(xls_build.workbook([(f"表{i}", c) for i, c in enumerate(cells)]))
    assert path.stat().st_size < 20_000
    assert_refused(path, tmp_path / "a.duckdb", "数据范围过大", max_mb=300)


def test_xls_dimensions_claiming_billions_of_rows(tmp_path):
    """The reader reserves what a DIMENSIONS record claims, before any cell is read."""
    lying = xls_build.dimensions(2**32 - 1, 256)
    path = tmp_path / "尺寸.xls"
    path.write_bytes(xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)], extra_sheet_records=lying))
    assert_refused(path, tmp_path / "a.duckdb", "数据范围过大", max_mb=300)


def test_xls_cells_far_to_the_right(tmp_path):
    """A BIFF cell's column is 16 bits: IV is the last column Excel writes, not the last one possible."""
    path = tmp_path / "右边.xls"
    path.write_bytes(xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS + [(65535, 65535, 1.0)])]))
    assert_refused(path, tmp_path / "a.duckdb", "数据范围过大", max_mb=300)


def test_xls_shared_string_copied_into_every_cell(tmp_path):
    """One shared string of 65,535 characters referred to by 60,000 cells: under 1 MB on disk, and
    4 billion characters once the reader copies it into each cell."""
    long = "长" * 65_535
    cells = HEAD_CELLS + ROW_CELLS + [(r, 10, long) for r in range(2, 60_002)]
    path = tmp_path / "字符串.xls"
    path.write_bytes(xls_build.workbook([("表", cells)]))
    assert path.stat().st_size < 2 * 2**20
    assert_refused(path, tmp_path / "a.duckdb", "文字展开后超过", max_mb=300)


def test_xls_string_table_claiming_billions_is_harmless():
    store = Store(":memory:")
    data = xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)], sst_total=2**31)
    report = import_file(store, data, "登记表.xls", "测试", rulebook_for(store))
    assert report.ok and report.new == 1, report.messages()


def broken_containers() -> dict[str, bytes]:
    good = xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)])
    n_fat, dir_start = struct.unpack_from("<II", good, 44)
    fat_at = 512 + struct.unpack_from("<I", good, 76)[0] * 512
    cases = {}
    loop = bytearray(good)  # the directory's chain points back at itself
    struct.pack_into("<I", loop, fat_at + 4 * dir_start, dir_start)
    cases["目录链成环"] = bytes(loop)
    difat = bytearray(good)  # a DIFAT chain that never ends (the reader has no loop check there)
    struct.pack_into("<II", difat, 68, dir_start, 1)
    cases["DIFAT 成环"] = bytes(difat + bytes(508) + struct.pack("<I", dir_start))
    small = bytearray(good)  # a stream "smaller than 4096 bytes" with no mini stream: the reader panicked
    entry = 512 + dir_start * 512 + 128
    struct.pack_into("<Q", small, entry + 120, 600)
    cases["迷你流"] = bytes(small)
    big = bytearray(good)  # a stream longer than the file
    struct.pack_into("<I", big, entry + 120, 2**32 - 1)
    cases["过长的流"] = bytes(big)
    fat = bytearray(good)  # a header claiming four billion FAT sectors
    struct.pack_into("<I", fat, 44, 2**32 - 1)
    cases["FAT 数量"] = bytes(fat)
    small = xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)], mini=True)
    mini_start, = struct.unpack_from("<I", small, 60)
    mini_loop = bytearray(small)  # the mini FAT sends the workbook's second mini sector back to the first
    struct.pack_into("<I", mini_loop, 512 + mini_start * 512 + 4, 0)
    cases["迷你链成环"] = bytes(mini_loop)
    return cases


@pytest.mark.parametrize("case", list(broken_containers()))
def test_xls_broken_containers_are_refused(tmp_path, case):
    path = tmp_path / f"{case}.xls"
    path.write_bytes(broken_containers()[case])
    assert_refused(path, tmp_path / "a.duckdb", "不是有效的 .xls 文件", max_mb=300)


# -- shared strings: copied into every cell that names them ----------------------------------------
def test_xlsx_shared_string_copied_into_every_cell(tmp_path):
    """One shared string of 32,767 characters named by 5,000 cells: a 32 KB file that took 1.9 GB."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("事件登记")
    sheet.write_row(0, 0, HEADERS)
    for r in range(1, 5_001):
        sheet.write_string(r, 10, "长" * 32_767)
    book.close()
    path = tmp_path / "共享文字.xlsx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 100_000
    assert_refused(path, tmp_path / "a.duckdb", "展开后超过", max_mb=300)


def shared_strings_workbook(strings: list[bytes], refs: list[int], pad: int = 0) -> bytes:
    sst = (b'<?xml version="1.0"?><sst count="%d">' % len(refs) + b" " * pad
           + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    cells = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (k + 1, k + 1, i) for k, i in enumerate(refs))
    return zipped({"xl/sharedStrings.xml": sst,
                   "xl/worksheets/sheet1.xml": b"<worksheet><sheetData>" + cells + b"</sheetData></worksheet>"})


def test_guard_adds_up_shared_text_by_what_cells_name():
    long, short = b"x" * 200_000, b"y"
    # Many cells, one long string: refused only when the cells name the long one.
    check_xlsx(shared_strings_workbook([long, short], [1] * 1_000), MAX_UNZIPPED_BYTES, MAX_CELLS, max_text=10**6)
    with pytest.raises(ZipProblem, match="展开后超过"):
        check_xlsx(shared_strings_workbook([short, long], [1] * 10), MAX_UNZIPPED_BYTES, MAX_CELLS, max_text=10**6)
    # A string that begins across the 1 MB chunk boundary is still measured as its own.
    for pad in range((1 << 20) - 60, (1 << 20) - 30, 3):
        with pytest.raises(ZipProblem, match="展开后超过"):
            check_xlsx(shared_strings_workbook([short, long], [1] * 10, pad), MAX_UNZIPPED_BYTES, MAX_CELLS,
                       max_text=10**6)


def test_xls_guard_counts_what_formulas_print():
    """A formula token of five bytes can print a whole defined name: formulas count as text too."""
    from scoring.intake.xls_guard import XlsProblem, check_xls

    def formulas(n: int) -> bytes:
        rgce = b"\x23\x01\x00\x00\x00" * 20  # PtgName, twenty times
        return b"".join(xls_build.record(0x0006, struct.pack("<HHHdHIH", 2 + r, 12, 0, 0.0, 0, 0, len(rgce)) + rgce)
                        for r in range(n))

    few = xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)], extra_sheet_records=formulas(10))
    many = xls_build.workbook([("表", HEAD_CELLS + ROW_CELLS)], extra_sheet_records=formulas(1_000))
    check_xls(few, MAX_CELLS, max_text=100_000)
    with pytest.raises(XlsProblem, match="展开后超过"):
        check_xls(many, MAX_CELLS, max_text=100_000)
