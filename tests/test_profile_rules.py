"""Items are profile data: a later dated version adds, drops or changes items with no code change,
versions pair by the date they state, and stored events follow the rule set when it changes."""
from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

from conftest import AS_OF, load, row, unit_row
from scoring.engine import Engine
from scoring.intake.importer import check_rows
from scoring.engine.periods import Period
from scoring.profile import PROFILES_DIR
from scoring.intake.reader import HEADERS
from scoring.engine import rulebook_for
from scoring.store import Store

VIDEO = """effective: 2025-07-01
reason: 增设市政府办公室视频号
items:
  - code: CITY_VIDEO
    name: 市政府办公室视频号采用
    type: 采用
    level: 市
    publication: 视频号
    points: 2.5
    tier: 市级
    clause: 七
    text: "视频号每采用1条计2.5分"
"""


def profile_copy(tmp_path, **extra_rules: str):
    root = tmp_path / "office"
    shutil.copytree(PROFILES_DIR / "磴口", root)
    for name, text in extra_rules.items():
        (root / "rules" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def rejected(store, rows) -> list[str]:
    numbered = [(i + 2, {h: r.get(h, "") for h in HEADERS}) for i, r in enumerate(rows)]
    return check_rows(numbered, "x.csv", store.unit_book(), rulebook_for(store)).messages()


def adoption(day, publication, column="", n=0):
    return row(day, "财政局", "采用", "市", publication, column, info_id=f"V{day}{n}", title=f"信息{day}{n}")


def test_a_new_item_in_a_later_version_is_scored_from_its_date(tmp_path):
    store = Store(tmp_path / "x.duckdb", profile=profile_copy(tmp_path, **{"2025-07-01-视频号": VIDEO}))
    load(store, [adoption("2025-08-05", "视频号", n=i) for i in range(3)])
    assert unit_row(store, "财政局", Period.quarter(2025, 3))["市级"] == 7.5  # 3 × 2.5, a fractional point
    # before the version takes effect the value is unknown, and the message says what would fit
    assert any("视频号" in m for m in rejected(store, [adoption("2025-06-05", "视频号")]))


def test_a_later_version_can_drop_an_item(tmp_path):
    drop = "effective: 2025-07-01\nreason: 停办\ndrop: [CITY_WECHAT_BRIEF]\n"
    store = Store(tmp_path / "x.duckdb", profile=profile_copy(tmp_path, **{"2025-07-01": drop}))
    load(store, [adoption("2025-06-05", "微信公众号", "简讯")])
    assert unit_row(store, "财政局", Period.quarter(2025, 2))["市级"] > 0
    assert rejected(store, [adoption("2025-08-05", "微信公众号", "简讯")])


BRIEF_4 = "effective: 2025-07-01\nreason: 文件\nitems:\n  - code: CITY_ZWYQ_BRIEF\n    points: 4\n"
BRIEF_5 = "effective: 2025-07-01\nreason: 看板\nitems:\n  - code: CITY_ZWYQ_BRIEF\n    points: 5\n"


def test_a_file_and_a_saved_version_of_one_date_pair_by_date_whatever_the_file_name(tmp_path):
    """The file 2025-07-01-简讯调整.yaml and a version saved in the dashboard for 2025-07-01 are the
    same version: the saved one wins, and opening the engine does not fail."""
    store = Store(tmp_path / "x.duckdb", profile=profile_copy(tmp_path, **{"2025-07-01-简讯调整": BRIEF_4}))
    assert Engine.open(store, as_of=AS_OF).book.version_for(date(2025, 8, 1)).items["CITY_ZWYQ_BRIEF"].points == 4
    store.save_rule_version(date(2025, 7, 1), BRIEF_5, "看板修改", "测试")
    book = Engine.open(store, as_of=AS_OF).book
    assert [v.effective for v in book.versions] == [date(2024, 2, 23), date(2025, 7, 1)]
    assert book.version_for(date(2025, 8, 1)).items["CITY_ZWYQ_BRIEF"].points == 5


SPLIT = """effective: 2025-07-01
reason: 简讯单列
drop: [CITY_ZWYQ_BRIEF]
items:
  - code: CITY_ZWYQ_SHORT
    name: 《政务要情》简讯（新）
    type: 采用
    level: 市
    publication: 政务要情
    column: 简讯
    points: 2
    tier: 市级
    clause: 三(一)1
    text: "简讯栏目每采用1条信息计2分"
"""


def test_stored_events_are_matched_again_when_the_rule_set_changes(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    load(store, [adoption("2025-06-05", "政务要情", "简讯"), adoption("2025-08-05", "政务要情", "简讯")])
    store.save_rule_version(date(2025, 7, 1), SPLIT, "简讯单列", "测试")
    engine = Engine.open(store, as_of=AS_OF)
    codes = dict(store.event_rows(date(2025, 1, 1), date(2025, 12, 31)).select("day", "code").iter_rows())
    assert codes == {date(2025, 6, 5): "CITY_ZWYQ_BRIEF", date(2025, 8, 5): "CITY_ZWYQ_SHORT"}
    assert engine.ranking(Period.year(2025)).filter(pl.col("单位") == "财政局")["市级"][0] == 3 + 2
    assert store.rules_fingerprint() == engine.book.fingerprint


@pytest.mark.parametrize("points", [0.5, 1.5])
def test_fractional_points_are_kept(tmp_path, points):
    brief = f"effective: 2025-01-01\nreason: 调整\nitems:\n  - code: CITY_ZWYQ_BRIEF\n    points: {points}\n"
    store = Store(tmp_path / "x.duckdb", profile=profile_copy(tmp_path, **{"2025-01-01": brief}))
    load(store, [adoption("2025-02-05", "政务要情", "简讯", n=i) for i in range(3)])
    assert unit_row(store, "财政局", Period.quarter(2025, 1))["市级"] == 3 * points


def test_the_profile_downloads_as_a_zip_with_the_dashboards_versions(tmp_path):
    """管理 → 设置: the profile as a zip; a version saved in the dashboard becomes a rule file of it
    (replacing a file of the same date), and the unpacked folder is a valid profile with that rule set."""
    import io
    import zipfile

    from scoring.profile import check_profile, load_profile
    from scoring.views.admin import profile_table, profile_zip

    store = Store(tmp_path / "x.duckdb", profile=profile_copy(tmp_path, **{"2025-07-01-简讯调整": BRIEF_4}))
    store.save_rule_version(date(2025, 7, 1), BRIEF_5, "看板修改", "测试")
    engine = Engine.open(store, as_of=AS_OF)
    assert "看板保存" in profile_table(engine).filter(pl.col("项目") == "规则版本")["内容"][0]
    with zipfile.ZipFile(io.BytesIO(profile_zip(engine))) as z:
        names = z.namelist()
        z.extractall(tmp_path / "unpacked")
    assert "磴口/rules/2025-07-01-看板保存.yaml" in names and "磴口/rules/2025-07-01-简讯调整.yaml" not in names
    unpacked = tmp_path / "unpacked" / "磴口"
    assert check_profile(unpacked) == []
    assert load_profile(unpacked).rulebook().version_for(date(2025, 8, 1)).items["CITY_ZWYQ_BRIEF"].points == 5
