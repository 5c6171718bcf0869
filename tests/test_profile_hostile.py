"""Profile and rule files as an attacker (or a slip) writes them: bombs, runaway numbers and names
that climb out of a folder are refused where they are read, quickly and in Chinese."""
from __future__ import annotations

import contextlib
import io
import shutil
import time
from datetime import date

import pytest

from scoring.cli import main
from scoring.engine import Engine
from scoring.profile import PROFILES_DIR, check_profile
from scoring.profile.overrides import parse_overrides
from scoring.profile.rules import RuleError
from scoring.profile.yamlio import MAX_BYTES, YamlError, loads
from scoring.views.rules import rule_version_yaml

RULES = "rules/2024-01-01.yaml"


def office(tmp_path):
    root = tmp_path / "office"
    shutil.copytree(PROFILES_DIR / "示例-四组", root)
    return root


def edit(root, name, old, new):
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root) -> tuple[list[str], float]:
    start = time.process_time()
    problems = check_profile(root)
    return problems, time.process_time() - start


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    """A 1 KB “billion laughs” file once kept `profile check` busy past 60 s and 2.1 GB."""
    root = office(tmp_path)
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f'{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},'
        f'*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n' for i in range(9))
    (root / "profile.yaml").write_text(bomb, encoding="utf-8")
    problems, _ = check(root)
    assert len(bomb) < 1500 and any("不能使用锚点和别名" in p for p in problems), problems


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    root = office(tmp_path)
    with open(root / "units.yaml", "a", encoding="utf-8") as f:
        f.write("#" + "x" * (MAX_BYTES + 10) + "\n")
    problems, _ = check(root)
    assert any(p.startswith("文件 units.yaml 键 （整个文件）: 文件过大") for p in problems), problems


def test_a_number_pattern_with_a_format_spec_is_refused(tmp_path):
    """`{year:>600000000}` passed the check, then a report ran out of memory formatting it."""
    root = office(tmp_path)
    edit(root, "profile.yaml", '"〔{year}〕{n}号"', '"〔{year:>600000000}〕{n}号"')
    problems, _ = check(root)
    assert any(p.startswith("文件 profile.yaml 键 office.number_pattern") for p in problems), problems


@pytest.mark.parametrize("name", ["../../../../x", "a/b", "..", "名称" * 30])
def test_a_profile_name_must_be_a_plain_file_name(tmp_path, name):
    """A `name` of ../../../../x put ../ entries into the downloaded profile zip."""
    root = office(tmp_path)
    edit(root, "profile.yaml", "name: 示例-四组", f'name: "{name}"')
    problems, _ = check(root)
    assert any(p.startswith("文件 profile.yaml 键 name:") for p in problems), problems


@pytest.mark.parametrize("points", [".inf", "-.inf", ".nan", "1e308", "1.0e+308", "100000", "0.00001"])
def test_rule_points_must_be_finite_and_within_the_documented_range(tmp_path, points):
    """`inf` once made every affected unit score inf and tie for first."""
    root = office(tmp_path)
    text = (root / RULES).read_text(encoding="utf-8")
    first = text.split("    points: ", 1)[1].split("\n", 1)[0]
    edit(root, RULES, f"    points: {first}\n", f"    points: {points}\n")
    problems, _ = check(root)
    assert any(p.startswith(f"文件 {RULES} 键 ") and ("分值" in p or "有限的数字" in p) for p in problems), problems


@pytest.mark.parametrize("text", ["CITY_ZWYQ_BRIEF=inf", "CITY_ZWYQ_BRIEF=nan", "CITY_ZWYQ_BRIEF=1e308",
                                  "CITY_ZWYQ_BRIEF=20000", "CITY_ZWYQ_BRIEF=0.00001"])
def test_what_if_points_must_be_finite_and_within_range(text):
    with pytest.raises(ValueError, match="分值"):
        parse_overrides(text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["rank", "--db", ":memory:", "--year", "2025", "--set", text]) == 2
    assert "分值" in err.getvalue()


@pytest.mark.parametrize("points", [float("inf"), float("nan"), 1e308])
def test_a_saved_rule_version_must_have_finite_points(store, points):
    engine = Engine.open(store)
    with pytest.raises(RuleError, match="分值"):
        rule_version_yaml(date(2025, 7, 1), {"CITY_ZWYQ_BRIEF": points}, "试算", engine.book)
    with pytest.raises(RuleError, match="分值"):
        engine.with_overrides({"CITY_ZWYQ_BRIEF": points})


def test_the_yaml_reader_is_strict():
    with pytest.raises(YamlError, match="重复"):
        loads("a: 1\na: 2\n")
    assert str(loads("x: 0.1\n")["x"]) == "0.1"  # a decimal from its text, never the float 0.1000000000000000055…
