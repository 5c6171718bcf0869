"""通报, exports, 提醒函 and publishing, checked by opening the files the way their
readers do (python-docx, openpyxl / fastexcel, pdftotext) and comparing with the engine.

One demo database per session (conftest.demo_db); tests that write use a copy. The PDF is
rendered from a small store (its first page is saved under test-artifacts/ as a PNG) and, for the
page breaks, from the demo year (~2 s of weasyprint).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import csv
import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from docx import Document

from scoring.cli import main as cli_main
from scoring.engine import Engine, rulebook_for
from scoring.intake.importer import import_file
from scoring.engine.periods import Period
from scoring.reports import Attachments, check_format, render, report_filename
from scoring.reports.common import assemble, fmt_num, md
from scoring.reports.csv_export import build_adopted_csv, build_csv, build_events_csv, safe_cell
from scoring.reports.pdf import build_html, build_pdf
from scoring.reports.publish import (issued_table, published_changes, published_snapshot, publish,
                                     publications)
from scoring.reports.reminders import MonthNotEnded, build_reminders_docx, collect, letter_body
from scoring.reports.tongbao_docx import build_docx
from scoring.reports.xlsx import annual_assessment_frame, build_annual_assessment_xlsx, build_xlsx
from scoring.store import Store
from dashboard_fixtures import assert_clean, dashboard, demo_template  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AS_OF = date(2026, 1, 15)
Q2 = Period.quarter(2025, 2)
YEAR = Period.year(2025)
FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd"]


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_path(demo_db) -> Path:
    return demo_db


@pytest.fixture(scope="session")
def engine(demo_path) -> Engine:
    return Engine.open(Store(demo_path), as_of=AS_OF)


@pytest.fixture(scope="session")
def q2(engine):
    return assemble(engine, Q2)


@pytest.fixture(scope="session")
def annual(engine):
    return assemble(engine, YEAR)


@pytest.fixture(scope="session")
def q2_docx(q2):
    return Document(io.BytesIO(build_docx(q2)))


@pytest.fixture(scope="session")
def annual_docx(annual):
    return Document(io.BytesIO(build_docx(annual)))


@pytest.fixture(scope="session")
def q2_xlsx(q2) -> bytes:
    return build_xlsx(q2)


def _csv_bytes(rows: list[dict]) -> bytes:
    headers = ["日期", "单位", "类型", "层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({h: r.get(h, "") for h in headers})
    return buf.getvalue().encode("utf-8-sig")


SMALL_ROWS = [
    {"日期": "2025-04-03", "单位": "发改委", "类型": "采用", "层级": "市", "刊物": "政务要情", "栏目": "重要信息",
     "信息编号": "T1", "期号": "12", "标题": "=1+2", "作者": "张三"},
    {"日期": "2025-04-05", "单位": "教育局", "类型": "采用", "层级": "自治区", "刊物": "每日要情", "栏目": "简讯",
     "信息编号": "T2", "标题": "+SUM(A1:A2)", "作者": "李四"},
    {"日期": "2025-04-06", "单位": "气象局", "类型": "报送", "标题": "-2+3"},
    {"日期": "2025-04-07", "单位": "气象局", "类型": "采用", "层级": "市", "刊物": "政务要情", "栏目": "简讯",
     "信息编号": "T3", "标题": "@cmd"},
    {"日期": "2025-04-08", "单位": "教育局", "类型": "报送", "标题": "<script>alert('x')</script> & 《测试》"},
    {"日期": "2025-05-02", "单位": "教育局", "类型": "采用", "层级": "市", "刊物": "政务要情", "栏目": "部门工作",
     "信息编号": "T4", "标题": "<b>粗体</b> & 标题"},
]


@pytest.fixture(scope="session")
def small_path(tmp_path_factory) -> Path:
    """A store filled through the real import path, with formula-looking and HTML-looking titles."""
    path = tmp_path_factory.mktemp("reports-small") / "small.duckdb"
    store = Store(path)
    report = import_file(store, _csv_bytes(SMALL_ROWS), "登记表.csv", "测试", rulebook_for(store))
    assert report.ok, report.messages()
    return path


@pytest.fixture(scope="session")
def small_engine(small_path) -> Engine:
    return Engine.open(Store(small_path), as_of=date(2025, 7, 10))


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def ranking_tables(doc) -> list:
    return [t for t in doc.tables if t.rows[0].cells[0].text == "排名"]


def listed(doc, style: str = "list_item") -> list[tuple[str, str]]:
    """(the unit line above it, text) of each attachment-list paragraph of the given kind; the
    kind is told by the paragraph's look: a unit line is 黑体, an entry has a hanging indent."""
    out, unit = [], None
    for p in doc.paragraphs:
        kind = _list_kind(p)
        if kind == "list_head":
            unit = p.text
        if kind == style:
            out.append((unit, p.text))
    return out


def _list_kind(p) -> str | None:
    pf = p.paragraph_format
    size = p.runs[0].font.size.pt if p.runs and p.runs[0].font.size else None
    if size != 12:
        return None
    font = p.runs[0]._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    if font == "黑体":
        return "list_head"
    if pf.first_line_indent is not None and pf.first_line_indent < 0:
        return "list_item"
    return "list_text" if pf.first_line_indent else None


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += ["\t".join(r) for r in table_rows(t)]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# 通报 (.docx)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["q2", "annual"])
def test_docx_table_has_every_unit_with_the_engines_scores(which, request, engine):
    doc = request.getfixturevalue(f"{which}_docx")
    period = Q2 if which == "q2" else YEAR
    ranking = engine.ranking(period)
    rows = {}
    for t in ranking_tables(doc):
        for cells in table_rows(t)[2:]:
            rows[cells[1]] = cells
    assert set(rows) == set(ranking["单位"].to_list())
    for r in ranking.iter_rows(named=True):
        cells = rows[r["单位"]]
        assert cells[0] == str(r["排名"])
        assert cells[2] == str(r["报送数"])
        assert cells[3:9] == [str(r["市级采用"]), fmt_num(r["市级"]), str(r["自治区级采用"]), fmt_num(r["自治区级"]),
                              str(r["国家级采用"]), fmt_num(r["国家级"])]
        assert cells[9:12] == [fmt_num(r["批示加分"]), fmt_num(r["约稿·线索·调研"]), fmt_num(r["扣分"])]
        assert cells[12] == fmt_num(r["得分"])
        if which == "q2":
            assert cells[13] == fmt_num(r["累计得分"])
    # one table per group, in group order, each with exactly that group's units
    assert [len(t.rows) - 2 for t in ranking_tables(doc)] == [
        ranking.filter(pl.col("组别") == g).height for g in ("A", "B", "C")]


def test_docx_cumulative_is_the_floored_year_to_date_sum_and_says_so(q2_docx, engine):
    ytd = engine.ranking(Period.ytd(2025, Q2.end))
    q1 = engine.ranking(Period.quarter(2025, 1))
    q2r = engine.ranking(Q2)
    for name, cum in zip(q2r["单位"].to_list(), q2r["累计得分"].to_list()):
        assert cum == ytd.filter(pl.col("单位") == name)["得分"][0]
    # the demo has a unit whose floored quarters do not add up to its year-to-date score, or not;
    # either way the note must be there
    assert q1.height == q2r.height
    text = all_text(q2_docx)
    assert "累计得分为当年1月1日至本季度末各项得分之和，合计低于0分的按0分计。" in text
    assert "简单相加" not in text and "保底" not in text  # plain words, no explanation of the arithmetic


def test_docx_narrative_totals_equal_the_engines_sums(q2_docx, engine):
    ranking = engine.ranking(Q2)
    events = engine.scored_events(Q2)
    text = all_text(q2_docx)
    overview = next(p.text for p in q2_docx.paragraphs if "共报送政务信息" in p.text)
    assert f"共报送政务信息{ranking['报送数'].sum()}条" in overview
    assert f"采用{ranking['采用数'].sum()}条（次）" in overview
    assert f"被国务院办公厅采用{ranking['国家级采用'].sum()}条" in overview
    assert f"被自治区政府办公厅采用{ranking['自治区级采用'].sum()}条" in overview
    assert f"被市政府办公室采用{ranking['市级采用'].sum()}条" in overview
    assert f"批示{ranking['批示数'].sum()}次" in overview
    assert f"完成约稿{events.filter(pl.col('kind') == '约稿').height}篇" in overview
    assert ranking["采用数"].sum() == events.filter(pl.col("kind") == "采用").height
    assert "〔2025〕第 X 期" in text


def test_docx_praise_and_criticism(q2_docx, q2, engine):
    text = all_text(q2_docx)
    ranking = engine.ranking(Q2)
    for g in ("A", "B", "C"):
        top = ranking.filter(pl.col("组别") == g).row(0, named=True)
        para = next(p.text for p in q2_docx.paragraphs if p.text.startswith(f"（") and f"{g}类单位。" in p.text)
        assert f"{top['单位']}（{fmt_num(top['得分'])}分）" in para
    short = engine.quota_status(Q2.end).filter(
        pl.col("code").is_not_null() & (pl.col("month") >= Q2.start) & (pl.col("month") <= Q2.end))
    assert short.height > 0  # the demo has 政务服务局 at zero in 2025-06
    problems = next(p.text for p in q2_docx.paragraphs if "报送任务完成情况" in p.text)
    for r in short.iter_rows(named=True):
        unit = engine.units.get(r["unit_id"]).name
        assert f"{unit}{r['month'].month}月（报送{r['n']}条/任务{r['quota']}条）" in problems
    for name in ranking.filter(pl.col("采用数") == 0)["单位"].to_list():
        assert name in next(p.text for p in q2_docx.paragraphs if "信息采用情况" in p.text)


def _check_adopted_list(doc, adopted: pl.DataFrame) -> None:
    """Every adoption listed once under its unit's line, numbered 1…n: title, date and points."""
    items = listed(doc)
    assert [int(t.split(".")[0]) for _, t in items] == list(range(1, adopted.height + 1))
    expected = [(x["单位"], x["title"], md(x["day"]), fmt_num(x["points"])) for x in adopted.iter_rows(named=True)]
    for unit_line, text in items:
        n, rest = text.split(".", 1)
        match = next(e for e in expected if unit_line.startswith(e[0] + "（") and rest.startswith(e[1])
                     and text.endswith(f"，{e[2]}，{e[3]}分）"))
        expected.remove(match)
    assert expected == []
    heads = [h for _, h in listed(doc, "list_head") if re.search(r"）：\d+条，计[-\d.]+分$", h)]
    assert len(heads) == adopted["单位"].n_unique()


def test_docx_adopted_item_list_is_complete(q2_docx, engine):
    adopted = engine.scored_events(Q2).filter(pl.col("kind") == "采用")
    _check_adopted_list(q2_docx, adopted)
    assert any("《政务要情》" in t and "·" in t for _, t in listed(q2_docx))


def test_annual_attachments_as_chosen(engine, annual):
    """The annual 通报 lists adoptions above the city by default; all, none and the per-unit
    breakdown are choices, and the attachments are numbered as they come."""
    events = engine.scored_events(YEAR).filter(pl.col("kind") == "采用")
    default = Document(io.BytesIO(build_docx(annual)))
    _check_adopted_list(default, events.filter(pl.col("level").is_in(["自治区", "国家"])))
    assert "市级采用的" in all_text(default) and "条不逐条列出" in all_text(default)

    everything = Document(io.BytesIO(build_docx(annual, Attachments(breakdown=True, adopted="all"))))
    _check_adopted_list(everything, events)
    text = all_text(everything)
    assert "附件：1.2025年度各单位政务信息工作得分排名表" in text
    assert "3.2025年度各单位得分明细" in text and "4.2025年度各单位信息采用情况" in text

    bare = Document(io.BytesIO(build_docx(annual, Attachments(scores=False, adopted="none"))))
    text = all_text(bare)
    assert not ranking_tables(bare) and not listed(bare) and "单位信息采用情况" not in text
    assert "附件：1.2025年度政务信息工作表彰名单" in text and "名单见附件1" in text
    assert "详见附件" not in text
    with pytest.raises(ValueError):
        Attachments(adopted="some")


def test_higher_adoptions_follow_the_profiles_tiers(tmp_path):
    """Another office's tiers (示例-四组: 县级 below 市级): the annual default lists the 市级
    adoptions and counts the 县级 ones; with a single tier (示例-基础分) every item is listed."""
    from demo.generic import build_demo

    store = build_demo(tmp_path / "four.duckdb", "示例-四组")
    engine = Engine.open(store, as_of=AS_OF)
    lowest, higher = list(engine.profile.adoption_tiers)[:2]
    events = engine.scored_events(YEAR).filter(pl.col("kind") == "采用")
    doc = Document(io.BytesIO(build_docx(assemble(engine, YEAR))))
    _check_adopted_list(doc, events.filter(pl.col("tier") != lowest))
    low = events.filter(pl.col("tier") == lowest).height
    assert low and f"{lowest}采用的{low}条不逐条列出" in all_text(doc)
    assert f"各单位信息被{higher}及以上采用情况" in all_text(doc)

    single = build_demo(tmp_path / "base.duckdb", "示例-基础分")
    engine = Engine.open(single, as_of=AS_OF)
    doc = Document(io.BytesIO(build_docx(assemble(engine, YEAR))))
    _check_adopted_list(doc, engine.scored_events(YEAR).filter(pl.col("kind") == "采用"))


def test_breakdown_adds_up_to_each_units_points(engine, annual):
    """附件 各单位得分明细: each unit's items in words; what they add up to is the unit's points
    before the floor at 0 (三（二）3), and its 报送 count is the ranking's."""
    doc = Document(io.BytesIO(build_docx(annual, Attachments(breakdown=True, adopted="none"))))
    ranking = engine.ranking(YEAR)
    texts = listed(doc, "list_text")
    assert len(texts) == ranking.height
    tiers = ["市级", "自治区级", "国家级", "批示加分", "约稿·线索·调研", "扣分"]
    for head, text in texts:
        name = re.match(r"\d+\.(.+)（第", head).group(1)
        r = ranking.filter(pl.col("单位") == name).row(0, named=True)
        assert head.endswith(f"（第{r['排名']}名，年度得分{fmt_num(r['得分'])}分）")
        assert text.startswith(f"报送信息{r['报送数']}条。")
        total = sum(float(x) for x in re.findall(r"计(-?[\d.]+)分", text)) - sum(
            float(x) for x in re.findall(r"扣([\d.]+)分", text))
        assert total == pytest.approx(sum(r[t] for t in tiers)), name


def test_docx_names_east_asian_fonts(q2_docx):
    body = q2_docx.element.xml
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "宋体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in body, font
    buf = io.BytesIO()
    q2_docx.save(buf)
    with zipfile.ZipFile(buf) as z:
        fonts = z.read("word/fontTable.xml").decode()
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="黑体"/>', fonts)
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)
    assert " PAGE " in q2_docx.sections[0].footer._element.xml  # — 1 — page numbers
    section = q2_docx.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert any(s.orientation == 1 for s in q2_docx.sections)  # attachments on landscape pages


def test_annual_docx_commendations_and_written_reviews(annual_docx, annual):
    chosen = annual.commend  # commend.select(engine, 2025), as assemble() called it
    assert set(chosen) >= {"先进单位", "进步较大单位", "先进个人", "优秀信息", "书面检查"}
    text = all_text(annual_docx)
    assert "关于2025年度全县政务信息工作情况的通报" in text
    for key, column in (("先进单位", "单位"), ("进步较大单位", "单位"), ("先进个人", "先进个人"), ("优秀信息", "标题")):
        for name in chosen[key][column].to_list():
            assert name in text, (key, name)
    review = next(p.text for p in annual_docx.paragraphs if "书面检查" in p.text and "排名靠后" in p.text)
    for name in chosen["书面检查"]["单位"].to_list():
        assert name in review
    assert "附件2" in text and "表彰名单" in text
    # the annual table shows the year's score, and no separate 累计得分 column
    header = table_rows(ranking_tables(annual_docx)[0])[0]
    assert "年度得分" in header and "累计得分" not in header


def test_growth_rate_is_a_percentage_in_the_commendation_list(engine):
    """With 得分增长率 as the measure, the 表彰名单 shows each unit's growth as a percentage of
    its earlier score (not the bare ratio, and not multiplied twice), rounded half up to the places
    of the setting rate_decimals (2 by default)."""
    data = assemble(engine, YEAR, measure="growth_pct_yoy")
    improved = data.commend["进步较大单位"]
    assert improved.height
    doc = Document(io.BytesIO(build_docx(data)))
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "增长率")
    shown = {row.cells[2].text: row.cells[-1].text for row in table.rows[1:]}
    from scoring.engine.commend import improvement

    before = dict(improvement(engine, 2025, "growth_pct_yoy").select("单位", "上期得分").iter_rows())
    for r in improved.iter_rows(named=True):
        growth = (r["得分"] - before[r["单位"]]) / before[r["单位"]]
        assert shown[r["单位"]] == f"{(growth * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def test_annual_commendation_can_be_given(engine, annual):
    """The lists chosen on the commendation page can be passed in instead of recomputed."""
    chosen = dict(annual.commend)
    chosen["先进单位"] = chosen["先进单位"].head(1)
    data = assemble(engine, YEAR, commendation=chosen, number=7)
    assert data.commend["先进单位"].height == 1
    assert data.number == "〔2026〕第 7 期"


# --------------------------------------------------------------------------------------------
# PDF (same blocks as the docx), HTML escaping
# --------------------------------------------------------------------------------------------
def test_html_escapes_every_name_and_title(small_engine):
    html = build_html(assemble(small_engine, Q2))
    assert "<script>" not in html and "<b>粗体</b>" not in html
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; 标题" in html  # the adopted item's title, escaped


@pytest.mark.slow
def test_pdf_has_the_same_content(small_path, tmp_path, small_engine):
    out = tmp_path / "通报.pdf"
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--quarter", "2", "--out", str(out),
                     "--as-of", "2025-07-10"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    ranking = small_engine.ranking(Q2)
    for name in ranking["单位"].to_list():
        assert name in flat, name
    assert "关于2025年第二季度全县政务信息工作情况的通报" in flat
    assert f"共报送政务信息{ranking['报送数'].sum()}条" in flat
    for title in ("=1+2", "+SUM(A1:A2)", "@cmd", "<b>粗体</b>&标题"):
        assert title in flat
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(out),
                    str(ARTIFACTS / "tongbao-page1")], check=True)
    assert (ARTIFACTS / "tongbao-page1.png").stat().st_size > 10_000


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[dict]:
    """Per page: its height and its text lines as (top, bottom, text), the page number left out."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for page in re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S):
        lines = []
        for top, bottom, body in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>',
                                            page[1], re.S):
            text = "".join(re.findall(r">([^<]*)</word>", body))
            if not re.fullmatch(r"—\d+—", text):
                lines.append((float(top), float(bottom), text))
        pages.append({"height": float(page[0]), "lines": sorted(lines)})
    return pages


HEADING = re.compile(r"^[一二三四五六七八九十]、|^（[一二三四五六七八九十]）[^。]*$|^[ABC]类单位（|（[ABC]类）：\d+条，计")


@pytest.mark.slow
def test_pdf_pages_break_tidily(annual, tmp_path):
    """The annual PDF: a page ends with a heading's text only if that heading's content follows on
    the same page; a page is full unless the next page starts an attachment (附件N) or it is the
    last; every page of the score table repeats its header row."""
    pages = pdf_pages(build_pdf(annual), tmp_path)
    assert len(pages) > 10
    for i, page in enumerate(pages, start=1):
        lowest = max(top for top, _, _ in page["lines"])
        last = "".join(text for top, _, text in page["lines"] if abs(top - lowest) < 2)
        assert not HEADING.search(last), (i, last)
        ends_part = i == len(pages) or pages[i]["lines"][0][2].startswith("附件")
        blank = 1 - max(bottom for _, bottom, _ in page["lines"]) / page["height"]
        if not ends_part:
            assert blank < 0.25, (i, round(blank, 2))
        texts = [t for _, _, t in page["lines"]]
        if page["height"] < 600 and any(t in ("采用", "得分") for t in texts):  # a landscape score page
            assert "报送数" in texts and "年度得分" in texts, i


# --------------------------------------------------------------------------------------------
# Excel and CSV
# --------------------------------------------------------------------------------------------
def test_xlsx_ranking_sheets_one_row_per_unit(q2_xlsx, engine):
    ranking = engine.ranking(Q2)
    for g in ("A", "B", "C"):
        sheet = pl.read_excel(io.BytesIO(q2_xlsx), sheet_name=f"{g}类排名")
        expected = ranking.filter(pl.col("组别") == g)
        assert sheet["单位"].to_list() == expected["单位"].to_list()
        assert sheet["本期得分"].cast(pl.Float64).to_list() == expected["得分"].to_list()
        assert sheet["累计得分"].cast(pl.Float64).to_list() == expected["累计得分"].to_list()
        assert sheet["排名"].to_list() == expected["排名"].to_list()
        assert sheet["报送数"].to_list() == expected["报送数"].to_list()


def test_xlsx_events_breakdown_versions_and_layout(q2_xlsx, engine):
    events = engine.scored_events(Q2)
    sheet = pl.read_excel(io.BytesIO(q2_xlsx), sheet_name="计分事件")
    assert sheet.height == events.height
    assert sorted(sheet["标题"].drop_nulls().to_list()) == sorted(events["title"].drop_nulls().to_list())
    assert sheet["分值"].sum() == events["points"].sum()
    breakdown = pl.read_excel(io.BytesIO(q2_xlsx), sheet_name="得分明细")
    raw = engine.ranking(Q2).select("单位", "原始得分")
    per_unit = breakdown.group_by("单位").agg(pl.col("得分").sum())
    joined = raw.join(per_unit, on="单位", how="left").with_columns(pl.col("得分").fill_null(0))
    assert (joined["原始得分"] == joined["得分"]).all()
    versions = pl.read_excel(io.BytesIO(q2_xlsx), sheet_name="规则版本")
    assert set(versions["规则版本"].to_list()) == {"2024-02-23"}
    with zipfile.ZipFile(io.BytesIO(q2_xlsx)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook)[:3] == ["A类排名", "B类排名", "C类排名"]
    assert 'topLeftCell="A2"' in sheet1 and 'state="frozen"' in sheet1          # frozen header row
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', sheet1)]
    assert len(widths) >= 10 and max(widths) >= 30                             # set column widths


def _formula_cells(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and "<f>" in z.read(n).decode()]


def test_formula_looking_titles_stay_text_in_xlsx(small_engine):
    data = assemble(small_engine, Q2)
    xlsx = build_xlsx(data)
    assert _formula_cells(xlsx) == []
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    ws = wb["计分事件"]
    header = [c.value for c in ws[1]]
    col = header.index("标题")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    by_value = {c.value: c for c in cells}
    for title in FORMULAS:
        assert by_value[title].data_type == "s", title
    adopted = wb["采用信息"]
    header = [c.value for c in adopted[1]]
    titles = [row[header.index("标题")].value for row in adopted.iter_rows(min_row=2)]
    assert "=1+2" in titles


def test_formula_looking_titles_are_defused_in_csv(small_engine):
    data = assemble(small_engine, Q2)
    for blob in (build_events_csv(data), build_adopted_csv(data)):
        assert blob.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
        cells = [c for r in rows for c in r]
        assert "'=1+2" in cells and "=1+2" not in cells
        assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
        assert not any(c.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", c) for c in cells)
    for value in ("=1", "+1", "-a", "@x", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert safe_cell(-30.0) == -30 and safe_cell("正常") == "正常"


def test_csv_report_lists_every_unit_with_its_score(q2, engine):
    blob = build_csv(q2)
    assert blob.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(io.BytesIO(blob))
    ranking = engine.ranking(Q2)
    assert frame.columns[:5] == ["组别", "排名", "单位", "报送数", "本期得分"]
    assert frame["单位"].to_list() == ranking["单位"].to_list()
    assert frame["本期得分"].cast(pl.Float64).to_list() == ranking["得分"].to_list()


def test_annual_assessment_one_row_per_unit(engine):
    blob = build_annual_assessment_xlsx(engine, 2025)
    sheet = pl.read_excel(io.BytesIO(blob), sheet_name="年终考核")
    ranking = engine.ranking(YEAR)
    assert sheet.height == ranking.height == len(engine.units.units)
    expected = {r["单位"]: r for r in ranking.iter_rows(named=True)}
    for r in sheet.iter_rows(named=True):
        e = expected[r["单位"]]
        assert float(r["年度得分"]) == e["得分"] and r["组内排名"] == e["排名"] and r["组别"] == e["组别"]
    assert annual_assessment_frame(engine, 2025)["单位"].to_list() == [u.name for u in engine.units.units]


# --------------------------------------------------------------------------------------------
# 提醒函
# --------------------------------------------------------------------------------------------
def test_reminders_for_a_known_short_run(engine, tmp_path):
    """The demo has 气象局 short in 2024-07/08/09: a first letter (−30), then two sterner ones (−50)."""
    expected = {7: ("quota", -30.0), 8: ("quota_repeat", -50.0), 9: ("quota_repeat", -50.0)}
    status = engine.quota_status(date(2024, 9, 30))
    unit = engine.units.by_name("气象局")
    for month, (kind, points) in expected.items():
        result = collect(engine, 2024, month)
        letter = next(x for x in result.letters if x.unit == "气象局")
        row = status.filter((pl.col("unit_id") == unit.id) & (pl.col("month") == date(2024, month, 1))).row(0, named=True)
        assert (letter.kind, letter.points, letter.n, letter.quota) == (kind, points, row["n"], row["quota"])
        if month == 8:  # through the command line once
            out = tmp_path / f"提醒函{month}.docx"
            assert cli_main(["reminders", "--db", str(engine.store.path), "--year", "2024", "--month", str(month),
                             "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
            doc = Document(str(out))
        else:
            doc = Document(io.BytesIO(build_reminders_docx(engine, 2024, month, result=result)))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "气象局：" in text
        assert f"2024年{month}月你单位共报送政务信息{row['n']}条" in text
        assert f"得分{fmt_num(-points)}分" in text
        titles = [p for p in doc.paragraphs if p.text in ("政务信息报送提醒函", "政务信息报送督促函", "约稿逾期提醒函", "约稿逾期督促函")]
        assert len(titles) == len(result.letters)
        assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False] + [True] * (len(titles) - 1)
        assert "信息工作负责人" in text
    sterner = letter_body(next(x for x in collect(engine, 2024, 9).letters if x.unit == "气象局"))
    assert "2024年7月（报送3条）、8月（报送2条）均未完成" in sterner[0] and "连续3个月" in sterner[0]


def test_reminders_name_the_units_contact(engine):
    result = collect(engine, 2024, 9)
    letter = next(x for x in result.letters if x.unit == "沙金苏木")
    assert letter.kind == "quota"
    from scoring.reports.reminders import contact_line

    line = contact_line(letter)
    unit = engine.units.by_name("沙金苏木")
    assert unit.head and unit.head in line and unit.contact in line and unit.phone in line


def test_reminders_for_late_solicited_drafts(engine):
    late = engine.store.event_rows(date(2024, 1, 1), date(2025, 12, 31), codes=["DED_SOLICITED_LATE"])
    assert late.height
    for day in sorted(set(late["day"].to_list())):
        result = collect(engine, day.year, day.month)
        letters = [x for x in result.letters if x.kind.startswith("late")]
        in_month = late.filter((pl.col("day").dt.year() == day.year) & (pl.col("day").dt.month() == day.month))
        assert len(letters) == in_month.height
    # the second late draft of a unit in one year gets the sterner letter (−50)
    twice = late.group_by("unit_id", pl.col("day").dt.year().alias("y")).agg(pl.col("day").sort()).filter(
        pl.col("day").list.len() >= 2)
    if twice.height:
        second = twice["day"][0][1]
        letter = next(x for x in collect(engine, second.year, second.month).letters
                      if x.kind.startswith("late") and x.unit_id == twice["unit_id"][0])
        assert letter.kind == "late_repeat" and letter.points == -50 and letter.nth == 2
        doc = Document(io.BytesIO(build_reminders_docx(engine, second.year, second.month)))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "约稿逾期督促函" in text and "第2次约稿逾期" in text and "得分50分" in text


def test_reminders_month_without_shortfall_and_month_not_ended(engine, tmp_path, capsys):
    out = tmp_path / "无.docx"
    assert cli_main(["reminders", "--db", str(engine.store.path), "--year", "2025", "--month", "3",
                     "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    assert "无需下发提醒函" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    late = tmp_path / "未结束.docx"
    assert cli_main(["reminders", "--db", str(engine.store.path), "--year", "2025", "--month", "12",
                     "--out", str(late), "--as-of", "2025-12-20"]) == 2
    assert "尚未结束" in capsys.readouterr().err and not late.exists()
    with pytest.raises(MonthNotEnded):
        collect(Engine.open(engine.store, as_of=date(2025, 12, 31)), 2025, 12)
    assert cli_main(["reminders", "--db", str(engine.store.path), "--year", "2025", "--month", "3",
                     "--out", str(tmp_path / "x.pdf")]) == 2


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def test_cli_report_formats_and_exit_codes(small_path, tmp_path, capsys):
    out = tmp_path / "q1.csv"
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--quarter", "1", "--out", str(out),
                     "--as-of", AS_OF.isoformat()]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pl.read_csv(out).height == 54
    out = tmp_path / "q2.xlsx"
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--quarter", "2", "--out", str(out)]) == 0
    assert pl.read_excel(out, sheet_name="A类排名").height == 31
    capsys.readouterr()
    bad = tmp_path / "new.duckdb"
    assert cli_main(["report", "--db", str(bad), "--year", "2025", "--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "不支持的文件类型" in err and not bad.exists()
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--out", str(tmp_path / "x.docx"),
                     "--as-of", "2025-02-30"]) == 2
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--out",
                     str(tmp_path / "missing-dir" / "x.docx")]) == 2
    with pytest.raises(SystemExit) as e:
        cli_main(["report", "--db", str(small_path), "--year", "2025", "--quarter", "5", "--out", "x.docx"])
    assert e.value.code == 2
    fresh = tmp_path / "fresh.duckdb"  # a missing database is an error, not a new 磴口 one
    assert cli_main(["report", "--db", str(fresh), "--year", "2025", "--out", str(tmp_path / "empty.csv")]) == 2
    assert "init --profile" in capsys.readouterr().err and not fresh.exists()
    assert cli_main(["init", "--profile", "磴口", "--db", str(fresh)]) == 0
    assert cli_main(["report", "--db", str(fresh), "--year", "2025", "--out", str(tmp_path / "empty.csv")]) == 0
    assert pl.read_csv(tmp_path / "empty.csv").height == 54
    assert check_format(".DOCX") == ".docx"
    assert report_filename(YEAR, ".pdf") == "2025年度政务信息工作通报.pdf"


def test_cli_report_attachments_and_measure(demo_path, tmp_path, capsys):
    """`report` takes the attachments and the 进步较大 measure the 导出 page offers."""
    from scoring.engine.commend import select

    out = tmp_path / "年度.docx"
    assert cli_main(["report", "--db", str(demo_path), "--year", "2025", "--out", str(out), "--as-of", "2026-01-15",
                     "--no-scores", "--breakdown", "--adopted", "none", "--measure", "growth_yoy"]) == 0
    doc = Document(out)
    text = all_text(doc)
    assert not ranking_tables(doc) and not listed(doc) and listed(doc, "list_text")
    assert "附件：1.2025年度政务信息工作表彰名单" in text and "2.2025年度各单位得分明细" in text
    improved = select(Engine.open(Store(demo_path), as_of=AS_OF), 2025, "growth_yoy")["进步较大单位"]
    assert improved.height and all(name in text for name in improved["单位"].to_list())
    assert "按“得分较上年增长（分）”评定" in text
    assert cli_main(["report", "--db", str(demo_path), "--year", "2025", "--out", str(out), "--measure", "best"]) == 2
    assert "未知的进步衡量方法" in capsys.readouterr().err


def test_cli_report_docx_with_number(small_path, tmp_path):
    out = tmp_path / "通报.docx"
    assert cli_main(["report", "--db", str(small_path), "--year", "2025", "--quarter", "2", "--out", str(out),
                     "--as-of", "2025-07-10", "--number", "3"]) == 0
    text = all_text(Document(str(out)))
    assert "〔2025〕第 3 期" in text and "附件1" in text and "=1+2" in text


# --------------------------------------------------------------------------------------------
# Publishing freezes a period
# --------------------------------------------------------------------------------------------
def test_publish_snapshot_and_changes(demo_path, tmp_path):
    path = tmp_path / "pub.duckdb"
    shutil.copy(demo_path, path)
    store = Store(path)
    engine = Engine.open(store, as_of=AS_OF)
    assert published_changes(store, engine, Q2) is None          # never published
    pub_id = publish(store, engine, Q2, "测试员", 3)
    issued = published_snapshot(store, Q2.key)
    assert issued.id == pub_id and issued.number == "〔2025〕第 3 期" and issued.issued_by == "测试员"
    ranking = engine.ranking(Q2)
    assert issued_table(issued)["单位"].to_list() == ranking["单位"].to_list()
    assert issued.frame["得分"].to_list() == ranking["得分"].to_list()
    assert published_changes(store, engine, Q2) is None          # unchanged
    assert store.audit_log().filter(pl.col("action") == "发布通报").height == 1

    # withdraw the leader's best adoption: the leader drops, the snapshot stays as issued
    leader = ranking.row(0, named=True)
    events = engine.scored_events(Q2, [leader["unit_id"]]).filter(pl.col("kind") == "采用").sort("points", descending=True)
    event = events.row(0, named=True)
    store.set_withdrawn(event["id"], True, "测试员", "采用记录有误")
    later = Engine.open(store, as_of=AS_OF)
    changes = published_changes(store, later, Q2)
    assert changes is not None
    moved = changes.filter(pl.col("单位") == leader["单位"]).row(0, named=True)
    assert moved["通报得分"] == leader["得分"] and moved["得分变化"] == -event["points"]
    assert moved["现得分"] == later.ranking(Q2).filter(pl.col("单位") == leader["单位"])["得分"][0]
    assert published_snapshot(store, Q2.key).frame["得分"].to_list() == ranking["得分"].to_list()
    # the year-to-date of later quarters is not a published period: no changes reported there
    assert published_changes(store, later, Period.quarter(2025, 3)) is None
    # issuing again makes the new figures the reference
    publish(store, later, Q2, "测试员", 4)
    assert published_changes(store, later, Q2) is None
    assert publications(store, Q2.key).height == 2
    with pytest.raises(ValueError):
        publish(store, later, Q2, " ", None)


# --------------------------------------------------------------------------------------------
# The 导出 page
# --------------------------------------------------------------------------------------------
def test_export_page_runs(demo_path, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from scoring.accounts import auth

    db = tmp_path / "export.duckdb"
    shutil.copy(demo_path, db)
    viewer = auth.add_user(Store(db), "命令行:测试", "导出测试员", "password-123", "查看")
    monkeypatch.setenv("SCORING_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "export.py"), default_timeout=60)
    at.session_state["user"] = viewer  # the page is for signed-in users (查看 may export)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    for label in ("通报（Word）", "通报（PDF）", "考评数据（Excel）", "排名（CSV）", "提醒函（Word）"):
        assert label in labels
    assert [s.value for s in at.subheader] == ["通报与数据导出", "提醒函", "发布（冻结本期数据）"]


def test_render_dispatches_by_extension(small_engine):
    assert render(small_engine, Q2, ".docx")[:2] == b"PK"
    assert render(small_engine, Q2, ".xlsx")[:2] == b"PK"
    assert render(small_engine, Q2, ".csv")[:3] == b"\xef\xbb\xbf"
    with pytest.raises(ValueError):
        render(small_engine, Q2, ".odt")


def test_choices_carry_between_commend_and_export(dashboard, demo_template):
    """The 进步较大 measure picked on 评先评优 is the annual 通报's on 导出 (and back), the export
    page opens on that year, and the 通报期号 survives leaving the page."""
    from scoring.engine import commend

    at = dashboard(demo_template, "commend")
    assert_clean(at)

    def measure_box():
        return next(s for s in at.selectbox if s.label == "进步较大的衡量方法")

    other = next(m for m in commend.MEASURES if m != measure_box().value)
    measure_box().set_value(other).run()
    year = next(s for s in at.selectbox if s.label == "年度").value
    at.switch_page("pages/export.py").run()
    assert_clean(at)
    assert next(s for s in at.get("button_group") if s.label == "期间").value == "年度"
    assert next(s for s in at.selectbox if s.label == "年度").value == year
    assert measure_box().value == other
    assert any(f"按“{commend.MEASURES[other]}”评定" in c.value for c in at.caption)
    next(t for t in at.text_input if t.label == "通报期号").set_value("5").run()
    at.switch_page("pages/commend.py").run()
    assert measure_box().value == other
    at.switch_page("pages/export.py").run()
    assert next(t for t in at.text_input if t.label == "通报期号").value == "5"

