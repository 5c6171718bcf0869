"""`python -m scoring profile check DIR` and `init`: a broken profile is refused with every problem
as `文件 X 键 Y: 说明` in Chinese and exit 2, never a traceback; a good one starts a database."""
from __future__ import annotations

import contextlib
import io
import shutil

import pytest

from scoring.cli import main
from scoring.profile import PROFILES_DIR


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def office(tmp_path, source="示例-四组"):
    root = tmp_path / "office"
    shutil.copytree(PROFILES_DIR / source, root)
    return root


def replace(root, name, old, new):
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


RULES = "rules/2024-01-01.yaml"
BROKEN = [  # (what is wrong, change, file, key, words)
    ("profile.yaml missing", lambda r: (r / "profile.yaml").unlink(), "profile.yaml", "（整个文件）", "文件不存在"),
    ("not YAML", lambda r: replace(r, "profile.yaml", "name: 示例-四组", "name: [示例"), "profile.yaml", "第", "不是有效的 YAML"),
    ("issuer missing", lambda r: replace(r, "profile.yaml", "  issuer: 示例乙县人民政府办公室\n", ""),
     "profile.yaml", "office.issuer", "必须填写"),
    ("unknown key", lambda r: replace(r, "profile.yaml", "tiers:", "tires: []\ntiers:"), "profile.yaml", "tires", "未知的键"),
    ("group twice", lambda r: replace(r, "profile.yaml", "{code: 一类,", "{code: 乡镇,"), "profile.yaml", "groups[1].code",
     "组别 乡镇 重复"),
    ("negative quota", lambda r: replace(r, "profile.yaml", "quota: {月度报送: 6}", "quota: {月度报送: -6}"),
     "profile.yaml", "groups[0].quota.月度报送", "应不小于 0"),
    ("group without quota", lambda r: replace(r, "profile.yaml", "quota: {月度报送: 2}, ", ""),
     "profile.yaml", "groups[].quota.月度报送", "组别 三类 未写任务“月度报送”的数量"),
    ("ties unknown", lambda r: replace(r, "profile.yaml", "ties: min", "ties: 并列"), "profile.yaml", "policies.ties",
     "取值 “并列” 无效"),
    ("quota counts unknown item", lambda r: replace(r, "profile.yaml", "counts: XB_SUBMIT", "counts: XB_NOPE"),
     "profile.yaml", "policies.quota[0].counts", "计分项 XB_NOPE 不在第一个规则版本中"),
    ("number pattern without n", lambda r: replace(r, "profile.yaml", '"〔{year}〕{n}号"', '"〔{year}〕号"'),
     "profile.yaml", "office.number_pattern", "须含 {n}"),
    ("unit in unknown group", lambda r: replace(r, "units.yaml", "{name: 档案馆, group: 三类}", "{name: 档案馆, group: 四类}"),
     "units.yaml", "units[10].group", "不在 profile.yaml 的 groups 中"),
    ("unit named twice", lambda r: replace(r, "units.yaml", "{name: 司法局,", "{name: 民政局,"), "units.yaml", "units[9]",
     "“民政局”重复"),
    ("since not a date", lambda r: replace(r, "units.yaml", "since: 2024-01-01", "since: 去年"), "units.yaml", "since",
     "应为日期"),
    ("no rule files", lambda r: (r / RULES).unlink(), "rules/", "（文件夹）", "没有任何规则版本文件"),
    ("item tier unknown", lambda r: replace(r, RULES, "tier: 市级", "tier: 省级"), "rules/2024-01-01.yaml",
     "items[2] XB_CITY.tier", "“省级”不是有效分类"),
    ("derived item not marked", lambda r: replace(r, RULES, "    derived: true\n    points: -0.5", "    points: -0.5"),
     "rules/2024-01-01.yaml", "items[5] XB_SHORT.derived", "应为 true"),
    ("deduction with positive points", lambda r: replace(r, RULES, "points: -5\n", "points: 5\n"),
     "rules/2024-01-01.yaml", "items[4] XB_FALSE", "是扣分项"),
    ("items not a list", lambda r: replace(r, RULES, "items:\n", "items: 3\nold_items:\n"), "rules/2024-01-01.yaml",
     "items", "应为列表"),
    ("measure unknown", lambda r: replace(r, "profile.yaml", "improvement_measure: rank_gain_yoy",
                                          "improvement_measure: 进步"), "profile.yaml", "settings.improvement_measure",
     "无效"),
]


@pytest.mark.parametrize("what, change, file, key, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_profile_is_refused_naming_file_and_key(tmp_path, what, change, file, key, words):
    root = office(tmp_path)
    change(root)
    code, out, err = run("profile", "check", str(root))
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith(f"文件 {file} 键 {key}")]
    assert lines and words in lines[0], err


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    root = office(tmp_path)
    replace(root, "profile.yaml", "ties: min", "ties: 并列")
    replace(root, "units.yaml", "since: 2024-01-01", "since: 去年")
    code, _, err = run("profile", "check", str(root))
    assert code == 2 and "policies.ties" in err and "键 since" in err


def test_a_good_profile_passes_and_init_makes_its_database(tmp_path):
    root = office(tmp_path)
    assert run("profile", "check", str(root))[0] == 0
    db = tmp_path / "new.duckdb"
    code, out, _ = run("init", "--profile", str(root), "--db", str(db))
    assert code == 0 and "示例乙县人民政府办公室" in out
    code, out, _ = run("rank", "--db", str(db), "--year", "2025")
    assert code == 0 and out.splitlines()[0].startswith("组别,排名,单位,报送数,得分,采用数,县级采用,市级采用,批示数,县级,市级,批示,扣分")
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {"乡镇", "一类", "二类", "三类"}


def test_init_refuses_a_broken_profile_and_an_existing_file(tmp_path):
    root = office(tmp_path)
    replace(root, "profile.yaml", "ties: min", "ties: 并列")
    db = tmp_path / "new.duckdb"
    code, _, err = run("init", "--profile", str(root), "--db", str(db))
    assert code == 2 and "policies.ties" in err and not db.exists()
    db.write_bytes(b"")
    assert run("init", "--profile", "示例-四组", "--db", str(db))[0] == 2


def test_a_command_given_a_missing_database_exits_2_and_says_how_to_make_one(tmp_path):
    """A command given a missing file does not quietly make one for another office."""
    db = tmp_path / "typo.duckdb"
    for argv in (["import", str(tmp_path / "x.csv")], ["rank", "--year", "2025"], ["user", "list"],
                 ["backup", "--out", str(tmp_path / "b.duckdb")]):
        code, out, err = run(*argv, "--db", str(db))
        assert code == 2 and "init --profile" in err and "磴口" in err and not db.exists(), (argv, err)


def test_every_profile_key_is_explained_in_the_guide():
    """docs/配置说明.md is what offices write their profiles from: every key a reader accepts is in it."""
    from pathlib import Path

    from scoring.profile import read, read_policies, read_units, rules

    guide = (Path(__file__).resolve().parent.parent / "docs" / "配置说明.md").read_text(encoding="utf-8")
    keys = {*read.TOP_KEYS, *read.POLICY_KEYS, *read.OFFICE_KEYS, *read.GROUP_KEYS, *read_policies.QUOTA_KEYS,
            *read_policies.CONDITION_KEYS, *read_policies.MEASURE_KINDS, *read_policies.SELECTOR_KEYS,
            *rules.ITEM_KEYS, *rules.VERSION_KEYS, *rules.FACTOR_KEYS, *read_units.UNIT_KEYS,
            "formula", "year", "when", "distinct", "zero_after", "share", "disqualify", "errors", "min_items",
            "praise_top", "adoption_phrases", "instruction_phrases", "solicited", "aliases", "hints", "notes",
            "since", "column", "adoptions", "undefined"}
    assert sorted(k for k in keys if not any(f in guide for f in (f"`{k}`", f"{k}:", f"### {k}"))) == []


def test_a_misspelt_key_is_refused_with_the_nearest_known_one(tmp_path):
    root = office(tmp_path)
    replace(root, "profile.yaml", "  floor: true", "  flor: false")
    code, _, err = run("profile", "check", str(root))
    assert code == 2 and "文件 profile.yaml 键 policies.flor: 未知的键，是否应为 floor？" in err
    replace(root, RULES, "    tier: 市级\n", "    teir: 市级\n")
    assert "键 items[2] XB_CITY.teir: 未知的键，是否应为 tier？" in run("profile", "check", str(root))[2]


def test_a_number_where_text_is_expected_is_taken_as_that_text(tmp_path):
    """`clause: 2` is the clause “2”, not a missing clause."""
    root = office(tmp_path)
    text = (root / RULES).read_text(encoding="utf-8")
    clause = text.split("clause: ", 1)[1].split("\n", 1)[0]
    replace(root, RULES, f"clause: {clause}\n", "clause: 2\n")
    assert run("profile", "check", str(root))[0] == 0
    from scoring.profile import load_profile

    assert "2" in {it.clause for it in load_profile(root).rulebook().versions[0].items.values()}


def test_every_broken_item_is_listed_not_only_the_first(tmp_path):
    root = office(tmp_path)
    path = root / RULES
    text = path.read_text(encoding="utf-8")
    broken = text.count("    tier: ")
    path.write_text(text.replace("    tier: ", "    tier: 无此分类_"), encoding="utf-8")
    code, _, err = run("profile", "check", str(root))
    lines = [line for line in err.splitlines() if line.startswith(f"文件 {RULES} 键 items[") and ".tier:" in line]
    assert code == 2 and len(lines) == broken > 5


def test_init_makes_a_database_for_a_list_without_aliases(tmp_path):
    """aliases are optional: a list with none used to crash init (and leave nothing behind)."""
    root = office(tmp_path)
    text = (root / "units.yaml").read_text(encoding="utf-8")
    (root / "units.yaml").write_text("\n".join(
        line.split(", aliases:")[0] + ("}" if ", aliases:" in line else "") for line in text.splitlines()) + "\n",
        encoding="utf-8")
    assert "aliases" not in (root / "units.yaml").read_text(encoding="utf-8")
    db = tmp_path / "new.duckdb"
    assert run("init", "--profile", str(root), "--db", str(db))[0] == 0 and db.exists()
    assert run("rank", "--db", str(db), "--year", "2025")[0] == 0
