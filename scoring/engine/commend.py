"""Commendation (the shipped 办法: 六): eligibility, 先进单位, 进步较大单位, 先进个人, 优秀信息, 书面检查.

Which items disqualify a unit is the profile's (`commendation`); how many units get a title per
group and what “进步较大” means are settings (settings.py) whose defaults the profile gives.
"""
from __future__ import annotations


import polars as pl

from scoring.engine import Engine
from scoring.engine.exact import POINTS, ratio
from scoring.engine.periods import Period

MEASURES = {
    "rank_gain_yoy": "组内名次较上年提升",
    "growth_yoy": "得分较上年增长（分）",
    "growth_pct_yoy": "得分较上年增长率",
    "rank_gain_qoq": "第四季度较第一季度名次提升",
    "growth_qoq": "第四季度较第一季度得分增长（分）",
    "growth_pct_qoq": "第四季度较第一季度得分增长率",
}
# per kind of measure: the two figures compared (earlier, later) and the difference that ranks
_BASIS = {"rank_gain": ("上期排名", "本期排名", "名次提升"), "growth": ("上期得分", "本期得分", "得分增长"),
          "growth_pct": ("上期得分", "本期得分", "增长率")}


def measure_column(measure: str) -> str:
    """The column of improvement() a measure ranks by: 名次提升, 得分增长 or 增长率."""
    return _BASIS[measure.rsplit("_", 1)[0]][2]


def compared_periods(measure: str, year: int) -> tuple[str, str]:
    """The two periods a measure compares, as a sentence names them: (earlier, later)."""
    return (f"{year - 1}年", f"{year}年") if measure.endswith("_yoy") else ("第一季度", "第四季度")


def basis_labels(measure: str, year: int) -> dict[str, str]:
    """The columns a measure compares, named by their periods: {上期排名: 第一季度排名, 本期排名:
    第四季度排名, 名次提升: 名次提升} — so a Q4-vs-Q1 gain never sits beside the annual rank."""
    before, now = compared_periods(measure, year)
    earlier, later, column = _BASIS[measure.rsplit("_", 1)[0]]
    return {earlier: before + earlier[2:], later: now + later[2:], column: column}


def _disqualifying(engine: Engine) -> dict[str, str]:
    """Item code -> reason, for the items that bar a unit that year: the profile's `disqualify`,
    and its `errors` when the setting error_disqualifies is on."""
    codes = dict(engine.profile.disqualify)
    if engine.settings.get("error_disqualifies"):
        codes.update(engine.profile.error_items)
    return codes


def eligibility(engine: Engine, year: int) -> pl.DataFrame:
    """Per unit: may it be commended this year, and if not, every reason (六)."""
    period = Period.year(year)
    reasons: dict[int, list[str]] = {}
    ladder = engine.quota_status(period.end).filter(
        pl.col("code").is_not_null() & (pl.col("month") >= period.start))
    for unit_id, month, code, n, quota in ladder.select("unit_id", "month", "code", "n", "quota").iter_rows():
        repeat = engine.profile.first_repeat.get(code) == "repeat"
        what = "被提醒后仍未完成" if repeat else "未完成报送任务，被通报提醒"
        reasons.setdefault(unit_id, []).append(f"{month.month}月报送 {n} 条，低于任务数 {quota} 条（{what}）")
    codes = _disqualifying(engine)
    marks = engine.store.code_days(period.start, period.end, list(codes))
    for unit_id, day, code in marks.select("unit_id", "day", "code").iter_rows():
        reasons.setdefault(unit_id, []).append(f"{day.month}月{day.day}日{codes[code]}")
    units = engine.unit_frame(period)
    least = engine.profile.min_items
    if least:  # the profile's minimum of counted items (报送) before a unit may be commended
        counted = dict(engine.totals(period).select("unit_id", "报送数").iter_rows())
        for unit_id in units["unit_id"].to_list():
            n = int(counted.get(unit_id) or 0)
            if n < least:
                reasons.setdefault(unit_id, []).append(f"全年报送 {n} 条，少于评先所需的 {least} 条")
    return units.with_columns(
        pl.col("unit_id").map_elements(lambda u: not reasons.get(u), return_dtype=pl.Boolean).alias("合格"),
        pl.col("unit_id").map_elements(lambda u: "；".join(reasons.get(u, [])), return_dtype=pl.Utf8).alias("原因"),
    ).select("unit_id", "单位", "组别", "合格", "原因")


def eligibility_rule(engine: Engine) -> str:
    """What bars a unit from 先进单位 and 进步较大单位 under this profile, in one sentence: the
    same cases `eligibility` finds (the 评先资格 tab says it under the table)."""
    cases = ["未完成报送任务被通报提醒"] if engine.profile.quotas else []
    cases += list(dict.fromkeys(_disqualifying(engine).values()))
    if engine.profile.min_items:
        cases.append(f"全年报送少于 {engine.profile.min_items} 条")
    if not cases:
        return "考评办法没有规定不得评先的情形。"
    waived = "豁免的月份不计。" if engine.profile.quotas else ""
    return f"年内{'、'.join(cases)}的单位，不得评为先进单位和进步较大单位。{waived}"


def _has_data(engine: Engine, period: Period) -> bool:
    return engine.store.code_counts(period.start, period.end, [], engine.profile.submission_code).height > 0


def improvement(engine: Engine, year: int, measure: str = "rank_gain_yoy") -> pl.DataFrame:
    """Score and rank now vs before: year-on-year (this year vs last) or Q4 vs Q1 of the year."""
    if measure not in MEASURES:
        raise ValueError(f"未知的进步衡量方法 {measure}，可选：{'、'.join(MEASURES)}")
    if measure.endswith("_yoy"):
        now, before = Period.year(year), Period.year(year - 1)
    else:
        now, before = Period.quarter(year, 4), Period.quarter(year, 1)
    cur = engine.ranking(now, cumulative=False).select("unit_id", "单位", "组别", "序号",
                                                       pl.col("得分").alias("本期得分"), pl.col("排名").alias("本期排名"))
    has_prev = _has_data(engine, before)
    prev = engine.ranking(before, cumulative=False).select("unit_id", pl.col("得分").alias("上期得分"),
                                                           pl.col("排名").alias("上期排名"))
    if not has_prev:  # units on the list with nothing recorded: no baseline, not a score of zero
        prev = prev.with_columns(pl.lit(None, POINTS).alias("上期得分"), pl.lit(None, pl.Int64).alias("上期排名"))
    return (cur.join(prev, on="unit_id", how="left")
            .with_columns((pl.col("上期排名") - pl.col("本期排名")).alias("名次提升"),
                          (pl.col("本期得分") - pl.col("上期得分")).alias("得分增长"))
            .with_columns(pl.when(pl.col("上期得分") > 0)
                          .then(ratio(pl.col("得分增长"), pl.col("上期得分"))).otherwise(None).alias("增长率"),
                          pl.lit(has_prev).alias("有上期数据"))
            .sort(["组别", "本期排名", "序号"]))


def _top_with_ties(frame: pl.DataFrame, by: str, count: int, descending: bool = True) -> pl.DataFrame:
    """The first `count` rows by `by`, plus every row tied with the last one (ties all included)."""
    if count <= 0 or frame.height == 0:
        return frame.head(0)
    ordered = frame.sort([by, "序号"], descending=[descending, False])
    cutoff = ordered[by][min(count, ordered.height) - 1]
    keep = pl.col(by) >= cutoff if descending else pl.col(by) <= cutoff
    return ordered.filter(keep)


def top_authors(engine: Engine, year: int, unit_ids: list[int]) -> pl.DataFrame:
    """Each unit's most productive author by points of adopted items (先进个人 suggestion)."""
    period = Period.year(year)
    found = engine.store.author_points(period.start, period.end, unit_ids, *engine.event_points(period))
    if found.height == 0:
        return pl.DataFrame(schema={"unit_id": pl.Int32, "单位": pl.Utf8, "先进个人": pl.Utf8, "得分": POINTS, "条数": pl.UInt32})
    per_author = (found.with_columns(pl.col("author").str.split("、").alias("作者")).explode("作者")
                  .group_by("unit_id", "作者").agg(pl.col("points").sum().alias("得分"),
                                                 pl.col("n").sum().cast(pl.UInt32).alias("条数"))
                  .join(_names(engine), on="unit_id", how="left")
                  .sort(["unit_id", "得分", "条数", "作者"], descending=[False, True, True, False]))
    return (per_author.group_by("unit_id", maintain_order=True).first().rename({"作者": "先进个人"})
            .select("unit_id", "单位", "先进个人", "得分", "条数"))


def excellent_items(engine: Engine, year: int, limit: int = 10) -> pl.DataFrame:
    """优秀信息: the items that earned most (adoptions at every level plus instructions)."""
    period = Period.year(year)
    best = engine.store.best_items(period.start, period.end, "采用", "批示", limit, *engine.event_points(period))
    return (best.cast({"unit_id": pl.Int32}).join(_names(engine), on="unit_id", how="left", maintain_order="left")
            .select("单位", pl.col("title").alias("标题"), pl.col("author").alias("作者"), pl.col("points").alias("得分"),
                    pl.col("adopted").cast(pl.UInt32).alias("采用次数"),
                    pl.col("instructed").cast(pl.UInt32).alias("批示次数"), pl.col("info_id").alias("信息编号")))


def _names(engine: Engine) -> pl.DataFrame:
    return engine.units.table.select("unit_id", "单位")


def select(engine: Engine, year: int, measure: str | None = None) -> dict:
    """The commendation proposal for a year, per group, with eligibility explained; worked out
    once per engine (the page and each group's progress table ask for it). Not to be changed."""
    measure = measure or engine.settings["improvement_measure"]
    return engine._memo(("commend", year, measure, engine.as_of, engine.rules_key),
                        lambda: _select(engine, year, measure))


def _select(engine: Engine, year: int, measure: str) -> dict:
    conf = engine.settings
    ranking = engine.ranking(Period.year(year), cumulative=False)
    eligible = eligibility(engine, year).select("unit_id", "合格", "原因")
    board = ranking.join(eligible, on="unit_id", how="left")
    growth = improvement(engine, year, measure)
    column = measure_column(measure)
    basis = list(basis_labels(measure, year))
    advanced, improved, review = [], [], []
    for group in engine.profile.group_codes:
        in_group = board.filter(pl.col("组别") == group)
        candidates = in_group.filter(pl.col("合格") & (pl.col("得分") > 0))
        adv = _top_with_ties(candidates, "得分", int(conf["advanced_count"].get(group, 0)))
        advanced.append(adv)
        if growth["有上期数据"].any():
            rest = (candidates.filter(~pl.col("unit_id").is_in(adv["unit_id"].implode()))
                    .join(growth.select("unit_id", *basis), on="unit_id", how="left")
                    .filter(pl.col(column).is_not_null() & (pl.col(column) > 0)))
            improved.append(_top_with_ties(rest, column, int(conf["improved_count"].get(group, 0))))
        review.append(_top_with_ties(in_group, "得分", int(conf["review_count"].get(group, 0)), descending=False))
    advanced_f = pl.concat(advanced).select("组别", "排名", "单位", "得分", "unit_id", "序号")
    improved_f = (pl.concat(improved, how="diagonal_relaxed").select("组别", "排名", "单位", "得分", *basis, "unit_id", "序号")
                  if improved else pl.DataFrame(schema={"组别": pl.Utf8, "排名": pl.Int64, "单位": pl.Utf8, "得分": POINTS,
                                                        **{c: growth.schema[c] for c in basis},
                                                        "unit_id": pl.Int32, "序号": pl.Int64}))
    review_f = pl.concat(review).sort(["组别", "排名", "序号"]).select("组别", "排名", "单位", "得分", "unit_id")
    named = pl.concat([advanced_f["unit_id"], improved_f["unit_id"]]).to_list()
    note = ""
    if not growth["有上期数据"].any():
        before = "上年" if measure.endswith("_yoy") else "第一季度"
        note = f"{before}没有考评数据（系统启用的第一个考评期），无法按“{MEASURES[measure]}”评出进步较大单位。"
    return {
        "year": year,
        "measure": measure,
        "measure_label": MEASURES[measure],
        "measure_basis": basis_labels(measure, year),
        "先进单位": advanced_f,
        "进步较大单位": improved_f,
        "书面检查": review_f,
        "先进个人": top_authors(engine, year, named),
        "优秀信息": excellent_items(engine, year),
        "资格": board.select("组别", "排名", "单位", "得分", "合格", "原因", "unit_id"),
        "note": note,
    }
