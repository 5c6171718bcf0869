"""Hostile and broken input, property-based: generated spreadsheets (.xlsx and .xls) with wrong
types, huge cells, formulas, merged cells, empty sheets, duplicate headers, far cells and lying
records; csv in UTF-8 and GB18030; binary junk renamed .xlsx; truncated and corrupted zips and OLE
files; markdown and HTML payloads in every free-text column and in file names. Over 1,400
generated files per run.

For every one: check_file and import_file never raise (no traceback), a refusal comes as a Chinese
message (`文件 NAME: …` or `行 N 列 X: …`), a refused file stores nothing, and a payload in a valid
row is stored verbatim, as data.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xls_build
from demo.dengkou import load_units
from scoring.engine import rulebook_for
from scoring.intake.importer import ImportReport, check_file, import_file
from scoring.intake.reader import HEADERS
from scoring.store import Store

# Totals per run: 420 + 330 + 120 + 110 + 60 + 40 + 150 + 60 + 120 = 1,410 generated files.
N_XLSX, N_CSV, N_JUNK, N_BROKEN_ZIP, N_ZIP_PARTS, N_OLE = 420, 330, 120, 110, 60, 40
N_XLS, N_BROKEN_XLS, N_PAYLOAD = 150, 60, 120
SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
CJK = re.compile(r"[\u4e00-\u9fff]")
LIBRARY_WORDS = re.compile(r"Traceback|Error|Exception|panicked|calamine")
UNITS = [name for name, _ in load_units()]


class Target:
    """One store for the whole module (hypothesis runs many examples per test)."""

    def __init__(self):
        self.store = Store(":memory:")
        self.rules = rulebook_for(self.store)
        self.units = self.store.unit_book()
        self.tried = 0
        self.payloads = 0
        self.outcomes = {"stored": 0, "file refused": 0, "rows refused": 0}


@pytest.fixture(scope="module")
def target() -> Target:
    t = Target()
    yield t
    print(f"\n[hostile] files tried: {t.tried} {t.outcomes}")


def assert_handled(target: Target, data: bytes, name: str) -> ImportReport:
    """What must hold for any file at all."""
    target.tried += 1
    checked = check_file(data, name, target.units, target.rules, target.store.known_info_ids)
    before = target.store.event_count()
    report = import_file(target.store, data, name, "测试", target.rules)
    assert isinstance(report, ImportReport) and report.ok == checked.ok
    target.outcomes["stored" if report.ok else "file refused" if report.file_error else "rows refused"] += 1
    if report.ok:
        assert report.new + report.known == len(report.events) > 0
        assert target.store.event_count() == before + report.new
        return report
    assert target.store.event_count() == before  # nothing stored
    messages = report.messages()
    assert messages, "a refusal must say why"
    for message in messages:
        assert CJK.search(message), message
        assert not LIBRARY_WORDS.search(message), message  # no traceback, no library's English
        assert message.startswith(f"文件 {name}: ") or message.startswith("行 "), message
    return report


# -- cell values --------------------------------------------------------------------------------
TOKENS = ["报送", "采用", "批示", "约稿", "线索", "调研", "批示落实", "扣分", "市", "自治区", "国家", "市级",
          "政务要情", "《政务要情》", "决策参考", "专报信息", "每日要情", "简讯", "重要信息", "问题类", "前瞻预警",
          "市领导", "自治区领导", "国务院领导", "严重失真", "约稿逾期", "未完成报送任务", "选用", "承办",
          "2025-01-06", "2025/1/6", "2025年1月6日", "20250106", "２０２５-０１-０６", "2025-02-30", "2025-13-01",
          "1899-12-30", "9999-12-31", "0", "-1", "45678", "教育局", "发改委", "不存在的局", "\u3000教育局\u3000"]
FORMULAS = ["=1+2", "=1/0", "=A1", "=SUM(A1:A9)", '=HYPERLINK("http://example.com","点我")', "=NA()",
            "+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0", "=REPT(\"长\",32767)"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
HUGE = st.builds(lambda ch, n: ch * n, st.sampled_from(["长", "x", "\u3000", "<", "'", "\n"]),
                 st.integers(1000, 32_767))  # 32,767 characters is the most a cell holds
VALUE = st.one_of(
    st.none(), st.sampled_from(TOKENS), st.sampled_from(UNITS), TEXT, HUGE,
    st.integers(-2**53, 2**53), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)), st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    st.sampled_from(FORMULAS).map(lambda f: ("formula", f)),
)
HEADER_NAMES = st.lists(st.one_of(st.sampled_from(HEADERS), st.sampled_from(["日 期", "单位名称", "类 型", "",
                                                                               "《刊物》", "序号", "备注"]), TEXT),
                        max_size=16)


@st.composite
def header_row(draw) -> list:
    """Mostly the register's headers (so rows reach validation), shuffled, sometimes broken."""
    kind = draw(st.sampled_from(["good", "good", "good", "dup", "missing", "random"]))
    names = list(HEADERS)
    if kind == "dup":
        names.append(draw(st.sampled_from(HEADERS)))
    elif kind == "missing":
        names.remove(draw(st.sampled_from(["日期", "单位", "类型"])))
    elif kind == "random":
        return draw(HEADER_NAMES)
    return draw(st.permutations(names))


@st.composite
def sheet_spec(draw) -> dict:
    return {
        "name": draw(st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="[]:*?/\\'"),
                             min_size=1, max_size=20)),
        # Title rows above the header: usually a few; sometimes so many that the header is hidden.
        "above": draw(st.integers(0, 9).flatmap(
            lambda k: st.lists(st.lists(VALUE, max_size=4), min_size=10, max_size=12) if k == 0
            else st.lists(st.lists(VALUE, max_size=4), max_size=2))),
        "header": draw(st.integers(0, 9).flatmap(lambda k: st.none() if k == 0 else header_row())),
        "rows": draw(st.lists(st.lists(VALUE, max_size=16), max_size=8)),
        "merges": draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 14), st.integers(0, 3),
                                          st.integers(0, 3)), max_size=3)),
    }


def write_cell(sheet, r: int, c: int, value) -> None:
    if value is None:
        sheet.write_blank(r, c, None)
    elif isinstance(value, tuple):
        sheet.write_formula(r, c, value[1])
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(r, c, value)
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()))
    else:
        sheet.write_string(r, c, value[:32_767])


def build_xlsx(sheets: list[dict]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "nan_inf_to_errors": True})
    used = set()
    for spec in sheets:
        name = spec["name"][:31]
        while name.lower() in used or not name.strip():
            name = f"表{len(used)}"
        used.add(name.lower())
        sheet = book.add_worksheet(name)
        r = 0
        for cells in spec["above"]:
            for c, v in enumerate(cells):
                write_cell(sheet, r, c, v)
            r += 1
        if spec["header"] is not None:
            for c, v in enumerate(spec["header"]):
                write_cell(sheet, r, c, v)
            r += 1
        for cells in spec["rows"]:
            for c, v in enumerate(cells):
                write_cell(sheet, r, c, v)
            r += 1
        for top, left, h, w in spec["merges"]:
            if h or w:
                try:
                    sheet.merge_range(top, left, top + h, left + w, "合并")
                except xlsxwriter.exceptions.OverlappingRange:
                    pass
    book.close()
    return buf.getvalue()


@settings(max_examples=N_XLSX, **SETTINGS)
@given(sheets=st.lists(sheet_spec(), min_size=1, max_size=3), empty_first=st.booleans())
def test_generated_workbooks(target, sheets, empty_first):
    if empty_first:  # an empty sheet before the real one
        sheets = [{"name": "空白", "above": [], "header": None, "rows": [], "merges": []}, *sheets]
    assert_handled(target, build_xlsx(sheets), "登记表.xlsx")


# -- csv ----------------------------------------------------------------------------------------
CSV_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@st.composite
def csv_file(draw) -> tuple[bytes, str]:
    header = draw(header_row())
    rows = draw(st.lists(st.lists(st.one_of(st.sampled_from(TOKENS), st.sampled_from(UNITS), CSV_TEXT,
                                            st.sampled_from(FORMULAS)), max_size=14), max_size=10))
    delimiter = draw(st.sampled_from([",", ",", "\t", ";"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])))
    for line in draw(st.lists(CSV_TEXT, max_size=3)):  # title lines above the header
        writer.writerow([line])
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):  # hand-broken: stray quotes, NULs, cut in the middle
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', '\x00', '"\n"', "\ufeff", "\r"])) + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gb18030", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # a few random bytes in the middle (a damaged file)
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=8)) + data[cut:]
    return data, draw(st.sampled_from(["登记表.csv", "REGISTER.CSV", "登记表.txt"]))


@settings(max_examples=N_CSV, **SETTINGS)
@given(file=csv_file())
def test_generated_csv(target, file):
    assert_handled(target, *file)


# -- not spreadsheets at all --------------------------------------------------------------------
@settings(max_examples=N_JUNK, **SETTINGS)
@given(data=st.binary(max_size=4096), name=st.sampled_from(["登记表.xlsx", "登记表.xls", "登记表.csv", "登记表.xlsm",
                                                              "登记表", "登记表.docx", "登记表.XLSX"]))
def test_random_bytes_with_a_spreadsheet_name(target, data, name):
    assert_handled(target, data, name)


@pytest.fixture(scope="module")
def good_xlsx() -> bytes:
    rows = [["2025-01-06", "教育局", "报送", "", "", "", "", "", "", f"标题{i}", "", ""] for i in range(30)]
    spec = {"name": "事件登记", "above": [["2025年信息登记表"]], "header": list(HEADERS),
            "rows": rows, "merges": []}
    return build_xlsx([spec])


@settings(max_examples=N_BROKEN_ZIP, **SETTINGS)
@given(how=st.sampled_from(["truncate", "flip", "splice"]), where=st.floats(0, 1), junk=st.binary(min_size=1, max_size=64))
def test_truncated_and_corrupted_workbooks(target, good_xlsx, how, where, junk):
    assert_handled(target, damaged(good_xlsx, how, where, junk), "登记表.xlsx")


def damaged(good: bytes, how: str, where: float, junk: bytes) -> bytes:
    """A good file cut short, with bytes flipped, or with junk spliced in at `where` (0..1)."""
    cut = int(where * len(good))
    if how == "truncate":
        return good[:cut]
    if how == "flip":
        return good[:cut] + bytes(b ^ 0xFF for b in junk) + good[cut + len(junk):]
    return good[:cut] + junk + good[cut:]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(max_examples=N_ZIP_PARTS, **SETTINGS)
@given(parts=st.lists(st.tuples(st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml",
                                                 "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "other.bin"]),
                                st.one_of(st.binary(max_size=300),
                                          st.sampled_from([b"<worksheet/>", b"<?xml version='1.0'?><sst count='9'/>",
                                                           b"<sheetData><row r='1'><c r='A1'/></row></sheetData>"]))),
                      max_size=6),
       stored=st.booleans())
def test_zips_that_are_not_workbooks(target, parts, stored):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, body in parts:
            z.writestr(name, body)
    assert_handled(target, buf.getvalue(), "登记表.xlsx")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@settings(max_examples=N_OLE, **SETTINGS)
@given(body=st.binary(max_size=2048), name=st.sampled_from(["登记表.xls", "登记表.xlsx"]))
def test_old_excel_junk(target, body, name):
    """The .xls container signature (also what a password-protected .xlsx looks like), then junk."""
    assert_handled(target, OLE + body, name)


# -- what a valid file with hostile text does ----------------------------------------------------
def test_hostile_text_is_stored_as_text(target):
    titles = ["=HYPERLINK(\"http://x\",\"点我\")", "<script>alert(1)</script>", "+1+1", "@SUM(A1)", "-2", "'引号"]
    rows = [["2025-03-03", "教育局", "报送", "", "", "", "", "", "", t, "<b>作者</b>", "=1+2"] for t in titles]
    report = assert_handled(target, build_xlsx([{"name": "表", "above": [], "header": list(HEADERS),
                                                 "rows": rows, "merges": []}]), "文本.xlsx")
    assert report.ok
    stored = target.store.frame("SELECT title, author, note FROM events WHERE import_id = ?", [report.import_id])
    assert sorted(stored["title"]) == sorted(titles)
    assert set(stored["author"]) == {"<b>作者</b>"} and set(stored["note"]) == {"=1+2"}


# -- .xls: generated workbooks, and broken containers ----------------------------------------------
def xls_value(value) -> object:
    """A generated cell value as the .xls writer takes it (text or a number; None for no cell)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return value[1]
    if isinstance(value, (bool, int, float)):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value[:8000]  # a LABEL record holds at most 65,535 bytes


def build_xls(sheets: list[dict], shared: bool, far: bool, mini: bool = False) -> bytes:
    built = []
    for k, spec in enumerate(sheets):
        lines = [*spec["above"], *([spec["header"]] if spec["header"] is not None else []), *spec["rows"]]
        cells = [(r, c, xls_value(v)) for r, line in enumerate(lines) for c, v in enumerate(line)
                 if xls_value(v) is not None]
        if far:  # one cell far away, as a careless edit leaves it
            cells.append((65_535, 255, "远"))
        built.append((spec["name"][:31] or f"表{k}", cells))
    return xls_build.workbook(built, shared=shared, mini=mini)


@settings(max_examples=N_XLS, **SETTINGS)
@given(sheets=st.lists(sheet_spec(), min_size=1, max_size=3), shared=st.booleans(),
       far=st.integers(0, 9).map(lambda k: k == 0), mini=st.booleans(),
       name=st.sampled_from(["登记表.xls", "登记表.xlsx"]))
def test_generated_xls(target, sheets, shared, far, mini, name):
    report = assert_handled(target, build_xls(sheets, shared, far, mini), name)
    if far:
        assert "数据范围过大" in report.file_error


@pytest.fixture(scope="module")
def good_xls() -> bytes:
    rows = [["2025-01-06", "教育局", "报送", "", "", "", "", "", "", f"标题{i}", "", ""] for i in range(30)]
    return build_xls([{"name": "事件登记", "above": [["2025年信息登记表"]], "header": list(HEADERS),
                       "rows": rows, "merges": []}], shared=True, far=False)


@settings(max_examples=N_BROKEN_XLS, **SETTINGS)
@given(how=st.sampled_from(["truncate", "flip", "splice"]), where=st.floats(0, 1), junk=st.binary(min_size=1, max_size=64))
def test_truncated_and_corrupted_xls(target, good_xls, how, where, junk):
    assert_handled(target, damaged(good_xls, how, where, junk), "登记表.xls")


# -- markdown and HTML in every free-text column and in file names ---------------------------------
PAYLOADS = ["[x](http://evil.example/)", "![i](http://127.0.0.1:8999/i.png)", "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>", "[点此查看通知](http://evil.example/)", "**粗体** _斜体_ `代码`",
            '<a href="javascript:alert(1)">点我</a>', ":red[红字] :material/warning:", "$x^2$ <b>加粗</b>",
            "<iframe src=http://evil.example/></iframe>", "&lt;转义&gt; &#60;"]
FREE_TEXT = ("信息编号", "期号", "标题", "作者", "备注")
STORED_AS = {"信息编号": "info_id", "期号": "issue", "标题": "title", "作者": "author", "备注": "note"}


def write_register(fmt: str, table: list[list[object]]) -> bytes:
    if fmt == "xlsx":
        return build_xlsx([{"name": "事件登记", "above": [], "header": table[0], "rows": table[1:], "merges": []}])
    if fmt == "xls":
        cells = [(r, c, v) for r, line in enumerate(table) for c, v in enumerate(line) if v != ""]
        return xls_build.workbook([("事件登记", cells)])
    buf = io.StringIO()
    csv.writer(buf).writerows(table)
    return buf.getvalue().encode("utf-8-sig")


@settings(max_examples=N_PAYLOAD, **SETTINGS)
@given(fmt=st.sampled_from(["xlsx", "xls", "csv"]), texts=st.lists(st.sampled_from(PAYLOADS), min_size=5, max_size=5),
       in_name=st.sampled_from(PAYLOADS), bad_row=st.integers(0, 4).map(lambda k: k == 0))
def test_markdown_and_html_payloads_are_data(target, fmt, texts, in_name, bad_row):
    target.payloads += 1
    n = target.payloads
    values = {h: f"{t}{n}" for h, t in zip(FREE_TEXT, texts)}  # unique: each example stores new events
    row = {"日期": "2025-03-03", "单位": "教育局", "类型": "报送", **values}
    table = [list(HEADERS), [row.get(h, "") for h in HEADERS]]
    if bad_row:  # one invalid row refuses the whole file: the payloads must not be stored at all
        table.append([{"日期": "2025-03-03", "单位": f"{in_name}局", "类型": "报送"}.get(h, "") for h in HEADERS])
    name = f"{in_name}登记表{n}.{fmt}"
    report = assert_handled(target, write_register(fmt, table), name)
    stored = target.store.frame("SELECT i.file_name, e.* FROM events e JOIN imports i ON i.id = e.import_id "
                                "WHERE i.file_name = ?", [name])
    if bad_row:
        assert not report.ok and stored.height == 0
        assert any(f"{in_name}局" in m for m in report.messages())  # named in the message, as text
        return
    assert report.ok and report.new == 1, report.messages()
    assert stored.height == 1 and stored["file_name"][0] == name
    for header, value in values.items():
        assert stored[STORED_AS[header]][0] == value, header
