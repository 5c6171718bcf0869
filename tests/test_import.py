"""Importing registers: reading, normalising, every error kind, all-or-nothing,
idempotence and growing registers."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import xlsxwriter

from scoring.engine import Engine, rulebook_for
from scoring.intake.importer import check_file, import_file
from scoring.engine.periods import Period

from conftest import AS_OF, load, row, unit_row

HEAD = ["日期", "单位", "类型", "层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注"]


def xlsx(rows: list[list], title: str | None = "磴口县政务信息登记表", header=HEAD, extra_sheets=0) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    for i in range(extra_sheets):
        wb.add_worksheet(f"说明{i}").write(0, 0, "这里没有表头")
    ws = wb.add_worksheet("登记")
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r0 = 0
    if title:
        ws.write(0, 0, title)
        r0 = 1
    ws.write_row(r0, 0, header)
    for i, values in enumerate(rows, start=r0 + 1):
        for j, v in enumerate(values):
            if isinstance(v, (date, datetime)):
                ws.write_datetime(i, j, datetime(v.year, v.month, v.day), datefmt)
            elif v is not None:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def csv_bytes(lines: list[str], encoding="utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def check(store, data: bytes, name: str):
    return check_file(data, name, store.unit_book(), rulebook_for(store), store.known_info_ids)


def test_title_row_above_headers_and_excel_date_cells(store):
    data = xlsx([[date(2025, 3, 5), "发改委", "采用", "市", "政务要情", "简讯", "", "DK-1", 12, "标题", "张三", ""]],
                extra_sheets=1)
    report = import_file(store, data, "登记.xlsx", "测试", rulebook_for(store))
    assert report.ok, report.messages()
    ev = report.events[0]
    assert (ev["day"], ev["unit"], ev["code"], ev["issue"], ev["src_row"]) == (
        date(2025, 3, 5), "发展和改革委员会", "CITY_ZWYQ_BRIEF", "12", 3)


def test_free_column_order_extra_columns_and_blank_rows(store):
    header = ["序号", "类型", "单位", "日期", "刊物", "层级", "栏目", "备注"]
    data = xlsx([[1, "采用", "教育局", "2025/3/5", "决策参考", "市", "", "x"], [None] * 8,
                 [2, "报送", "教育局", "2025年3月6日", "", "", "", ""]], title=None, header=header)
    report = check(store, data, "乱序.xlsx")
    assert report.ok, report.messages()
    assert [e["code"] for e in report.events] == ["CITY_JCCK", "SUBMISSION"]
    assert [e["src_row"] for e in report.events] == [2, 4]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk"])
def test_csv_in_the_encodings_chinese_excel_saves(store, encoding):
    data = csv_bytes([",".join(HEAD), "2025-03-05,人社局,采用,市级,《专报信息》,问题类,,,,标题,李四,"], encoding)
    report = check(store, data, "登记.csv")
    assert report.ok, report.messages()
    assert (report.events[0]["unit"], report.events[0]["code"]) == ("人力资源和社会保障局", "CITY_ZBXX_PROBLEM")


def test_values_are_normalised(store):
    """Full-width spaces and digits, 《》 and quote marks, long forms."""
    data = csv_bytes([",".join(HEAD),
                      "\u3000２０２５年３月５日\u3000,\u3000社保中心 ,采用,自治区级,“每日要情”,\u3000盟市前沿,,,,,,",
                      "2025-3-6,财政局,采用,市,专报信息,前瞻性预警性,,,,,王五，赵六,",
                      "2025.03.07,国资中心,采用,国务院,国务院办公厅,,,,,,,"])
    report = check(store, data, "x.csv")
    assert report.ok, report.messages()
    assert [(e["day"], e["unit"], e["code"]) for e in report.events] == [
        (date(2025, 3, 5), "人力资源和社会保障局", "REGION_MRYQ_FRONT"),
        (date(2025, 3, 6), "财政局", "CITY_ZBXX_WARNING"),
        (date(2025, 3, 7), "财政局", "STATE_ADOPTED")]
    assert report.events[1]["author"] == "王五、赵六"


def test_unknown_unit_suggests_the_closest_names(store):
    data = csv_bytes([",".join(HEAD), "2025-03-05,发改办,报送,,,,,,,,,"])
    report = check(store, data, "x.csv")
    assert [str(e) for e in report.errors] == [
        "行 2 列 单位: 未知单位“发改办”，是否为：发展和改革委员会？"]


ERROR_CASES = [
    # (row cells after 日期/单位, expected column, words in the message)
    (["2025-13-05", "教育局", "报送"], "日期", "不是有效日期"),
    (["下周一", "教育局", "报送"], "日期", "不是可识别的日期"),
    (["", "教育局", "报送"], "日期", "日期为空"),
    (["2025-03-05", "", "报送"], "单位", "单位为空"),
    (["2025-03-05", "教育局", "发表"], "类型", "类型“发表”无效"),
    (["2025-03-05", "教育局", ""], "类型", "缺少类型"),
    (["2025-03-05", "教育局", "采用"], "层级", "须填写层级"),
    (["2025-03-05", "教育局", "采用", "市", "人民日报"], "刊物", "刊物“人民日报”无效"),
    (["2025-03-05", "教育局", "采用", "市", "政务要情", "头条"], "栏目", "栏目“头条”无效"),
    (["2025-03-05", "教育局", "采用", "市", "政务要情"], "栏目", "须填写栏目"),
    (["2025-03-05", "教育局", "报送", "市"], "层级", "不填写层级，请留空"),
    (["2025-03-05", "教育局", "采用", "市", "决策参考", "简讯"], "栏目", "请留空"),
    (["2025-03-05", "教育局", "采用", "市", "决策参考", "", "市领导"], "批示人", "请留空"),
    (["2025-03-05", "教育局", "批示", "市", "政务要情", "", ""], "批示人", "须填写批示人"),
    (["2025-03-05", "教育局", "扣分", "", "", "未完成报送任务"], "栏目", "自动计算"),
]


@pytest.mark.parametrize("cells, column, words", ERROR_CASES, ids=[c[2] for c in ERROR_CASES])
def test_every_row_error_names_row_and_column_and_nothing_is_stored(store, cells, column, words):
    good = "2025-03-01,教育局,报送,,,,,,,,,"
    bad = ",".join(cells + [""] * (12 - len(cells)))
    data = csv_bytes(["登记表", ",".join(HEAD), good, bad])
    report = import_file(store, data, "x.csv", "测试", rulebook_for(store))
    assert not report.ok
    assert len(report.errors) == 1
    err = report.errors[0]
    assert (err.row, err.column) == (4, column)
    assert words in err.message
    assert str(err).startswith(f"行 4 列 {column}: ")
    assert store.event_count() == 0  # all-or-nothing: the good row was not stored either


def test_all_errors_of_a_file_are_reported_together(store):
    data = csv_bytes([",".join(HEAD), "2025-02-30,不存在局,采用,市,政务要情,头条,,,,,,", "x,教育局,报送,,,,,,,,,"])
    report = check(store, data, "x.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "日期"), (2, "单位"), (3, "日期")]


FILE_CASES = [
    (b"", "x.csv", "文件为空"),
    (b"just,some,text\r\n1,2,3\r\n", "x.csv", "没有找到表头"),
    (b"PK\x03\x04 not really a zip", "x.xlsx", "不是有效的 .xlsx"),
    (b"%PDF-1.4", "x.pdf", "不支持的文件类型"),
    ("日期,单位,类型,单位\r\n".encode(), "x.csv", "出现了两次"),
    (",".join(HEAD).encode() + b"\r\n", "x.csv", "没有数据行"),
    # 繁体 Big5 decodes as gb18030 without error, into nonsense: refused for its encoding (it was
    # refused as 没有找到表头, which sends a user looking for a header that is there)
    ("日期,單位,類型,層級,刊物,欄目,批示人,標題\r\n2025-01-05,發展和改革委員會,採用,市級,政務信息,,,經濟運行情況\r\n"
     .encode("big5"), "繁体.csv", "无法识别 CSV 文件的编码"),
]


@pytest.mark.parametrize("data, name, words", FILE_CASES, ids=[c[2] for c in FILE_CASES])
def test_file_level_errors(store, data, name, words):
    report = import_file(store, data, name, "测试", rulebook_for(store))
    assert not report.ok and words in report.file_error
    assert report.messages()[0].startswith(f"文件 {name}: ")
    assert store.event_count() == 0


JAN = [row("2025-01-06", "教育局", "采用", "市", "政务要情", "简讯", title="一月简讯"),
       row("2025-01-07", "教育局", "线索", "市", title="一月线索")]
FEB = [row("2025-02-06", "教育局", "采用", "市", "决策参考", title="二月参考")]
MAR = [row("2025-03-06", "教育局", "采用", "市", "专报信息", "问题", title="三月专报")]


def test_importing_the_same_file_again_stores_nothing_new(store):
    first = load(store, JAN + FEB)
    again = load(store, JAN + FEB)
    assert (first.new, first.known, again.new, again.known) == (3, 0, 0, 3)
    assert store.event_count() == 3


def test_a_growing_register_adds_only_its_new_rows(store):
    load(store, JAN + FEB)
    grown = load(store, JAN + FEB + MAR)
    assert (grown.new, grown.known) == (1, 3)
    assert unit_row(store, "教育局", Period.quarter(2025, 1))["得分"] == 3 + 15 + 18 + 16


def test_identical_rows_in_one_file_are_separate_events(store):
    """Two equal rows in one register are two events (e.g. two 简讯 of a day with no title)."""
    twice = [row("2025-01-06", "教育局", "采用", "市", "政务要情", "简讯")] * 2
    assert load(store, twice).new == 2
    assert load(store, twice).new == 0
    assert load(store, twice * 2).new == 2  # a register that now holds four
    assert unit_row(store, "教育局", Period.year(2025))["得分"] == 12


def test_corrections_and_withdrawals_survive_a_reimport(store):
    load(store, JAN + FEB)
    engine = Engine.open(store, as_of=AS_OF)
    events = store.event_rows(date(2025, 1, 1), date(2025, 12, 31))
    brief = events.filter(events["title"] == "一月简讯")["id"][0]
    jcck = events.filter(events["title"] == "二月参考")["id"][0]
    from scoring.intake.validate import validate_row

    fixed, problems = validate_row(row("2025-01-06", "财政局", "采用", "市", "政务要情", "简讯", title="一月简讯"),
                                   store.unit_book(), engine.book)
    assert not problems
    store.correct_event(brief, fixed, "测试", "单位填错")
    store.set_withdrawn(jcck, True, "测试", "采用被撤销")
    assert unit_row(store, "教育局", Period.year(2025))["得分"] == 15
    assert unit_row(store, "财政局", Period.year(2025))["得分"] == 3
    load(store, JAN + FEB + MAR)  # the growing register holds the original rows again
    assert unit_row(store, "教育局", Period.year(2025))["得分"] == 15 + 16
    assert unit_row(store, "财政局", Period.year(2025))["得分"] == 3
    audit = store.audit_log()
    assert {"更正事件", "撤回事件"} <= set(audit["action"])


def test_undo_of_an_import_and_its_reversal(store):
    first = load(store, JAN)
    second = load(store, JAN + FEB)
    store.undo_import(second.import_id, "测试", "文件有误")
    assert store.event_count() == 2  # January stays: the first import holds it too
    store.undo_import(first.import_id, "测试", "重新整理")
    assert store.event_count() == 0
    store.redo_import(second.import_id, "测试", "恢复")
    assert store.event_count() == 3
    assert unit_row(store, "教育局", Period.year(2025))["得分"] == 3 + 15 + 18
    assert store.frame("SELECT count(*) AS n FROM import_rows")["n"][0] == 5  # nothing physically lost
