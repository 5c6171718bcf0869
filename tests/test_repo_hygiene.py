"""The code stands on its own: no comment, docstring or message cites a document that is not in
the repository (a team spec, an issue number, a section sign). A reader of a clone has only the
clone, so each such note must state the fact itself or name a file that ships (README.md, docs/).
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("scoring", "pages", "web", "tests", "bench", "scripts", "deploy", ".ci", "docs", "data", "demo", "app.py",
           "server.py", "README.md", "pytest.ini")
SUFFIXES = {".py", ".md", ".sh", ".bat", ".ps1", ".conf", ".service", ".timer", ".toml", ".ini", ".yaml", ".yml",
            ".txt", ""}

# Written in pieces so that this file does not match itself.
CITATIONS = re.compile("|".join([
    r"contract" + r"\.md",
    r"(?<![\w/])rules" + r"\.md",
    "\u00a7",                                  # the section sign
    r"\bissue" + r"\s*#?\d+",
    r"\bthe contract" + r"\b",
    r"engineering" + r"-notes",
    r"shared" + r"/spec",
    "考评办法" + "-原文",
]), re.IGNORECASE)


def _files():
    for name in SCANNED:
        path = ROOT / name
        found = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for p in found:
            if p.suffix in SUFFIXES and "__pycache__" not in p.parts and p != Path(__file__).resolve():
                yield p


def test_nothing_cites_a_document_outside_the_repository():
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if CITATIONS.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []


def test_the_check_catches_a_citation():
    # Guards the pattern itself: a regex typo would otherwise make the test above pass on anything.
    for line in ("# see contract" ".md 1", "(issue" " 5 \u00a74)", "per rules" ".md", "as the contract" " says"):
        assert CITATIONS.search(line), line
    for line in ("docs/规则说明.md", "issue, title = row", "the 期号 (issue) column"):
        assert not CITATIONS.search(line), line
