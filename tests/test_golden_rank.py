"""`rank` on the demo database gives, byte for byte, the output kept in tests/golden/ (made before
the scoring rules moved into profiles): moving a county's 办法 into data must not move a number."""
from __future__ import annotations

import pytest

from tests.golden_runs import GOLDEN, build, rank_output, runs


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("golden") / "demo.duckdb"
    build(db)
    return db


@pytest.mark.parametrize("name,args", runs(), ids=[n for n, _ in runs()])
def test_rank_output_is_unchanged(demo_db, name, args):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert rank_output(demo_db, args) == expected
