"""The rule files, the project's rules document and the engine's vocabulary agree, and the
loader refuses bad rule files with a message naming file and key."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.profile import default_profile
from scoring.profile import default_profile
from scoring.profile.rules import RuleError, build_rulebook
from scoring.profile.units import load_default_units

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "规则说明.md").read_text(encoding="utf-8")
FIRST = default_profile().rule_files()[0][1]
CODES = tuple(default_profile().rulebook().versions[0].items)
DERIVED = default_profile().derived_codes


def doc_table() -> dict[str, tuple[float, str]]:
    """代码 -> (分值, 条款) from the rules document's tables."""
    out = {}
    for line in DOC.splitlines():
        m = re.match(r"^\|\s*`([A-Z_]+)`\s*\|[^|]*\|\s*(-?[\d.]+)\s*\|\s*([^|]+?)\s*\|", line)
        if m:
            assert m.group(1) not in out, f"{m.group(1)} 在规则说明中出现两次"
            out[m.group(1)] = (float(m.group(2)), m.group(3))
    return out


def test_first_version_is_complete_and_uses_exactly_the_engine_codes():
    version = default_profile().rulebook().versions[0]
    assert version.effective.isoformat() == "2024-02-23"
    assert set(version.items) == set(CODES)


def test_rules_document_lists_every_code_with_the_rule_files_points_and_clause():
    items = default_profile().rulebook().versions[0].items
    table = doc_table()
    assert set(table) == set(CODES)
    for code, (points, clause) in table.items():
        assert (points, clause) == (items[code].points, items[code].clause), code


def test_every_matchable_item_has_a_clause_test_case():
    from test_clauses_earning import EARNING_CODES

    tested_elsewhere = {"DED_SOLICITED_LATE", "DED_ERROR_CITY", "DED_ERROR_REGION"}  # test_clauses_deductions
    assert set(CODES) - DERIVED == EARNING_CODES | tested_elsewhere


def test_units_file_has_the_54_units_of_the_annex():
    data = load_default_units()
    groups = [u["group"] for u in data["units"]]
    assert (groups.count("A"), groups.count("B"), groups.count("C")) == (31, 12, 11)
    assert data["units"][0]["name"] == "巴彦高勒镇" and data["units"][-1]["name"] == "乐享百湖电子商务有限责任公司"
    finance = next(u for u in data["units"] if u["name"] == "财政局")
    assert {"国资中心", "金融办"} <= set(finance["aliases"])
    hr = next(u for u in data["units"] if u["name"] == "人力资源和社会保障局")
    assert {"社保中心", "就业服务中心"} <= set(hr["aliases"])


BAD_FILES = [
    (FIRST.replace("tier: 市级\n", "tier: 省级\n", 1), "tier: “省级”不是有效分类"),
    (FIRST.replace("code: DED_QUOTA\n", "code: DED_QUOTA_X\n", 1), "derived: 应为 false"),
    (FIRST.replace("code: CITY_JCCK\n", "code: 'CITY JCCK'\n", 1), "代码 'CITY JCCK' 无效"),
    (FIRST.replace("effective: 2024-02-23", "effective: 2024-02-30"), "无效的日期"),
    (FIRST.replace("effective: 2024-02-23", "effective: 2024-02-23\neffective: 2024-03-01"), "键 effective 重复"),
    (FIRST.replace("points: -100", "points: 100"), "DED_ERROR_CITY 是扣分项"),
    (FIRST.replace("points: 18\n", "points: -18\n"), "CITY_JCCK 是计分项"),
    (FIRST + "  - code: CITY_JCCK\n    points: 19\n", "代码 CITY_JCCK 重复"),
    (FIRST.replace("points: 18\n", "points: 十八\n"), "points: 分值“十八”不是数字"),
]


@pytest.mark.parametrize("text, words", BAD_FILES, ids=[b[1] for b in BAD_FILES])
def test_loader_rejects_bad_rule_files_naming_file_and_key(text, words):
    with pytest.raises(RuleError) as info:
        build_rulebook([("2024-02-23.yaml", text)], default_profile().vocabulary)
    assert "2024-02-23.yaml" in str(info.value) and words in str(info.value)


def test_a_later_version_inherits_what_it_does_not_change():
    later = "effective: 2025-01-01\nitems:\n  - code: CITY_ZWYQ_BRIEF\n    points: 4\n"
    book = build_rulebook([("2024-02-23.yaml", FIRST), ("2025-01-01.yaml", later)], default_profile().vocabulary)
    first, second = book.versions
    assert second.items["CITY_ZWYQ_BRIEF"].points == 4 and first.items["CITY_ZWYQ_BRIEF"].points == 3
    assert second.items["CITY_JCCK"] == first.items["CITY_JCCK"]
    assert second.items["CITY_ZWYQ_BRIEF"].accepts == first.items["CITY_ZWYQ_BRIEF"].accepts


def test_overlapping_match_keys_are_rejected():
    text = FIRST.replace("column: 简讯\n", "column: 重要信息\n", 1)
    with pytest.raises(RuleError, match="重叠"):
        build_rulebook([("2024-02-23.yaml", text)], default_profile().vocabulary)
