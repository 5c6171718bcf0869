"""Units, aliases, dated groups, waivers, settings and saved rule versions."""
from __future__ import annotations

import json
from datetime import date

import polars as pl

from scoring.profile.names import check_name
from scoring.profile.units import UnitBook
from scoring.store.events import _now
from scoring.store.queries import _version_index_sql


class AdminMixin:
    # -- units ------------------------------------------------------------------------------
    def seed_units(self, con, data: dict) -> None:
        since = data["since"]
        units = list(enumerate(data["units"], start=1))
        con.executemany("INSERT INTO units (id, name, sort_order, active_from) VALUES (?, ?, ?, ?)",
                        [[i, u["name"], i * 10, since] for i, u in units])
        con.executemany("INSERT INTO unit_groups VALUES (?, ?, ?)", [[i, u["group"], since] for i, u in units])
        aliases = [[str(a), i] for i, u in units for a in u.get("aliases") or []]
        if aliases:  # DuckDB refuses executemany with no rows (a list without any alias crashed init)
            con.executemany("INSERT INTO unit_aliases VALUES (?, ?)", aliases)

    def unit_book(self) -> UnitBook:
        with self.session() as con:
            table = con.sql("""SELECT id AS unit_id, name AS 单位, sort_order AS 序号, active_from AS _from,
                active_to AS _to, contact, phone, head FROM units""").pl()
            aliases = dict(con.execute("SELECT alias, unit_id FROM unit_aliases").fetchall())
            spans = con.sql("SELECT unit_id, valid_from AS _since, grp AS _group FROM unit_groups").pl()
        profile = self.profile
        quotas = profile.quota_numbers(profile.quotas[0]) if profile.quotas else {}
        return UnitBook(aliases=aliases, quotas=quotas, table=table, spans=spans)

    def add_unit(self, name: str, group: str, active_from: date, who: str, after: str | None = None) -> int:
        """A new unit, listed after `after` in the official order (or at the end)."""
        name = check_name(name)
        if group not in self.profile.group_codes:
            raise ValueError(f"组别应为 {'、'.join(self.profile.group_codes)}")
        with self.transaction() as con:
            if con.execute("SELECT 1 FROM units WHERE name = ? UNION ALL SELECT 1 FROM unit_aliases WHERE alias = ?",
                           [name, name]).fetchall():
                raise ValueError(f"单位名称“{name}”已存在")
            unit_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM units").fetchone()[0]
            order = con.execute("SELECT coalesce(max(sort_order), 0) + 10 FROM units").fetchone()[0]
            if after:
                found = con.execute("SELECT sort_order FROM units WHERE name = ?", [after]).fetchall()
                if not found:
                    raise ValueError(f"没有单位“{after}”")
                con.execute("UPDATE units SET sort_order = sort_order + 10 WHERE sort_order > ?", [found[0][0]])
                order = found[0][0] + 10
            con.execute("INSERT INTO units (id, name, sort_order, active_from) VALUES (?, ?, ?, ?)",
                        [unit_id, name, order, active_from])
            con.execute("INSERT INTO unit_groups VALUES (?, ?, ?)", [unit_id, group, active_from])
            self.audit(con, who, "新增单位", name, {"组别": group, "启用": active_from.isoformat()})
            self._bump(con)
        return unit_id

    def rename_unit(self, unit_id: int, new_name: str, who: str, keep_alias: bool = True) -> None:
        """Rename; the old name stays an alias so older registers still import."""
        new_name = check_name(new_name)
        with self.transaction() as con:
            old = con.execute("SELECT name FROM units WHERE id = ?", [unit_id]).fetchone()[0]
            if con.execute("SELECT 1 FROM units WHERE name = ? AND id <> ?", [new_name, unit_id]).fetchall():
                raise ValueError(f"单位名称“{new_name}”已存在")
            con.execute("DELETE FROM unit_aliases WHERE alias = ?", [new_name])
            con.execute("UPDATE units SET name = ? WHERE id = ?", [new_name, unit_id])
            if keep_alias:
                con.execute("INSERT OR REPLACE INTO unit_aliases VALUES (?, ?)", [old, unit_id])
            self.audit(con, who, "单位更名", old, {"新名称": new_name})
            self._bump(con)

    def set_alias(self, alias: str, unit_id: int | None, who: str) -> None:
        """Add an alias for a unit, or remove it (unit_id None)."""
        alias = alias.strip() if unit_id is None else check_name(alias)
        with self.transaction() as con:
            if unit_id is None:
                con.execute("DELETE FROM unit_aliases WHERE alias = ?", [alias])
            else:
                if con.execute("SELECT 1 FROM units WHERE name = ?", [alias]).fetchall():
                    raise ValueError(f"“{alias}”是单位的正式名称，不能作为简称")
                con.execute("INSERT OR REPLACE INTO unit_aliases VALUES (?, ?)", [alias, unit_id])
            self.audit(con, who, "删除简称" if unit_id is None else "设置简称", alias, {"单位编号": unit_id})
            self._bump(con)

    def move_unit(self, unit_id: int, group: str, valid_from: date, who: str, reason: str = "") -> None:
        if group not in self.profile.group_codes:
            raise ValueError(f"组别应为 {'、'.join(self.profile.group_codes)}")
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO unit_groups VALUES (?, ?, ?)", [unit_id, group, valid_from])
            self.audit(con, who, "调整组别", f"单位 {unit_id}", {"组别": group, "起始": valid_from.isoformat()}, reason)
            self._bump(con)

    def retire_unit(self, unit_id: int, last_day: date | None, who: str, reason: str = "") -> None:
        """Retire from a date (its last active day), or reactivate with None."""
        with self.transaction() as con:
            con.execute("UPDATE units SET active_to = ? WHERE id = ?", [last_day, unit_id])
            self.audit(con, who, "停用单位" if last_day else "恢复单位", f"单位 {unit_id}",
                       {"停用日期": last_day.isoformat() if last_day else None}, reason)
            self._bump(con)

    def set_unit_contact(self, unit_id: int, head: str, contact: str, phone: str, who: str) -> None:
        with self.transaction() as con:
            con.execute("UPDATE units SET head = ?, contact = ?, phone = ? WHERE id = ?",
                        [head.strip(), contact.strip(), phone.strip(), unit_id])
            self.audit(con, who, "修改联系人", f"单位 {unit_id}", {"负责人": head, "联系人": contact, "电话": phone})
            self._bump(con)

    # -- waivers ----------------------------------------------------------------------------
    def add_waiver(self, unit_id: int, month: date, reason: str, who: str) -> None:
        """豁免: the unit-month is skipped by the quota ladder (no deduction, no letter)."""
        if not reason.strip():
            raise ValueError("豁免须填写原因")
        month = month.replace(day=1)
        with self.transaction() as con:
            if con.execute("SELECT 1 FROM waivers WHERE unit_id = ? AND month = ? AND revoked_at IS NULL",
                           [unit_id, month]).fetchall():
                raise ValueError("该单位该月已豁免")
            con.execute("INSERT INTO waivers VALUES (?, ?, ?, ?, ?, NULL, NULL)", [unit_id, month, reason, who, _now()])
            self.audit(con, who, "豁免", f"单位 {unit_id}", {"月份": month.strftime("%Y-%m")}, reason)
            self._bump(con)

    def revoke_waiver(self, unit_id: int, month: date, who: str, reason: str = "") -> None:
        month = month.replace(day=1)
        with self.transaction() as con:
            con.execute("UPDATE waivers SET revoked_at = ?, revoked_by = ? WHERE unit_id = ? AND month = ? "
                        "AND revoked_at IS NULL", [_now(), who, unit_id, month])
            self.audit(con, who, "取消豁免", f"单位 {unit_id}", {"月份": month.strftime("%Y-%m")}, reason)
            self._bump(con)

    def waivers(self, include_revoked: bool = False):
        where = "" if include_revoked else "WHERE revoked_at IS NULL"
        return self.frame(f"SELECT unit_id, month, reason, who, made_at, revoked_at, revoked_by FROM waivers {where} "
                          "ORDER BY month, unit_id")

    # -- settings ---------------------------------------------------------------------------
    def settings(self) -> dict:
        """Every named setting in force: the office profile's defaults overlaid with the stored
        values, each of the right kind and within its range (scoring/profile/settings.merged).
        Read and bounded again only after the file has changed (every page run's session check
        asks); each caller gets its own copy."""
        from scoring.profile.settings import merged

        kept = self.unchanged("settings", lambda: merged(self.stored_settings(), self.profile))
        return {name: dict(value) if isinstance(value, dict) else value for name, value in kept.items()}

    def stored_settings(self) -> dict:
        """Stored values as they are (settings.merged bounds them); one that is no JSON is left out."""
        out = {}
        for name, text in self.rows("SELECT name, value FROM settings"):
            try:
                out[name] = json.loads(text)
            except ValueError:
                continue
        return out

    def set_setting(self, name: str, value, who: str) -> None:
        """Store a setting after checking its kind and range (ValueError in Chinese otherwise)."""
        from scoring.profile.settings import clean

        value = clean(name, value, self.profile.group_codes)
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [name, json.dumps(value, ensure_ascii=False)])
            self.audit(con, who, "修改设置", name, {"值": value})
            self._bump(con)

    def reset_setting(self, name: str, who: str) -> None:
        """Forget a stored setting: the profile's default applies again."""
        from scoring.profile.settings import BY_NAME

        if name not in BY_NAME:
            raise ValueError(f"未知设置 {name}")
        with self.transaction() as con:
            con.execute("DELETE FROM settings WHERE name = ?", [name])
            self.audit(con, who, "恢复默认设置", name)
            self._bump(con)

    # -- rule versions saved from the dashboard --------------------------------------------
    def saved_rule_sources(self) -> list[tuple[str, str]]:
        return [(f"数据库:{eff.isoformat()}", body) for eff, body in
                self.rows("SELECT effective, body FROM rule_versions ORDER BY effective")]

    def save_rule_version(self, effective: date, body: str, reason: str, who: str) -> None:
        if not reason.strip():
            raise ValueError("保存规则版本须填写原因")
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO rule_versions VALUES (?, ?, ?, ?, ?)",
                        [effective, body, reason, who, _now()])
            self.audit(con, who, "保存规则版本", effective.isoformat(), body, reason)
            self._bump(con)

    # -- re-matching stored events when the rule set changes ----------------------------------
    def rules_fingerprint(self) -> str:
        return self.scalar("SELECT value FROM meta WHERE key = 'rules_fingerprint'") or ""

    def match_keys(self, boundaries: list[date]) -> pl.DataFrame:
        """The distinct matching fields of every stored row (live, withdrawn and raw import rows)
        per rule version index, with the code each was given and how many rows carry it."""
        vidx, params = _version_index_sql(boundaries)
        return self.frame(f"""SELECT CAST({vidx} AS INTEGER) AS vidx, kind, level, publication, col, leader, code,
                   weight, count(*) AS n
            FROM (SELECT day, kind, level, publication, col, leader, code, weight FROM events
                  UNION ALL SELECT day, kind, level, publication, col, leader, code, weight FROM import_rows)
            GROUP BY ALL ORDER BY ALL""", params)

    def recode(self, changes: list[tuple], fingerprint: str, who: str = "系统") -> None:
        """Give stored rows the item codes (and weights) a changed rule set matches them to, and
        remember which rule set the codes now follow. changes: (first day, last day, 类型, 层级, 刊物,
        栏目, 批示人, old code, old weight, new code, new weight)."""
        with self.transaction() as con:
            for table in ("events", "import_rows") if changes else ():
                con.executemany(f"""UPDATE {table} SET code = ?, weight = ? WHERE day BETWEEN ? AND ? AND kind = ?
                    AND level = ? AND publication = ? AND col = ? AND leader = ? AND code = ? AND weight = ?""",
                                [[c[9], c[10], *c[:9]] for c in changes])
            con.execute("INSERT OR REPLACE INTO meta VALUES ('rules_fingerprint', ?)", [fingerprint])
            if changes:
                self.audit(con, who, "按新规则重新匹配", f"{len(changes)} 组记录",
                           {"变更": [f"{c[7]} → {c[9]}" + (f"（倍数 {c[10]}）" if c[10] != 1 else "")
                                   for c in changes][:50]})
                self._bump(con)

    # -- bulk --------------------------------------------------------------------------------
    def bulk_add_units(self, rows, who: str = "系统") -> list[int]:
        """Many new units in one transaction (benchmarks, a province's lists), appended to the
        official order. rows: (name, group, active_from) each; returns the new ids in order."""
        import polars as pl

        rows = [(check_name(str(name)), group, active_from) for name, group, active_from in rows]
        if not rows:
            return []
        bad = sorted({g for _, g, _ in rows if g not in self.profile.group_codes})
        if bad:
            raise ValueError(f"组别应为 {'、'.join(self.profile.group_codes)}，现有 {'、'.join(map(str, bad))}")
        names = [name for name, _, _ in rows]
        if len(set(names)) != len(names):
            raise ValueError("新增单位名单中有重复名称")
        with self.transaction() as con:
            taken = con.execute("""SELECT name FROM units WHERE list_contains(?, name)
                UNION ALL SELECT alias FROM unit_aliases WHERE list_contains(?, alias)""",
                                [names, names]).fetchall()
            if taken:
                raise ValueError(f"单位名称“{taken[0][0]}”已存在")
            first_id, first_order = con.execute(
                "SELECT coalesce(max(id), 0) + 1, coalesce(max(sort_order), 0) + 10 FROM units").fetchall()[0]
            ids = list(range(first_id, first_id + len(rows)))
            batch = pl.DataFrame({"id": ids, "name": names, "grp": [g for _, g, _ in rows],
                                  "sort_order": [first_order + 10 * i for i in range(len(rows))],
                                  "active_from": [d for _, _, d in rows]},
                                 schema={"id": pl.Int32, "name": pl.Utf8, "grp": pl.Utf8,
                                         "sort_order": pl.Int32, "active_from": pl.Date})
            con.register("new_units", batch)
            try:
                con.execute("""INSERT INTO units (id, name, sort_order, active_from)
                    SELECT id, name, sort_order, active_from FROM new_units""")
                con.execute("INSERT INTO unit_groups SELECT id, grp, active_from FROM new_units")
            finally:
                con.unregister("new_units")
            self.audit(con, who, "批量新增单位", f"{len(rows)} 个单位",
                       {"首个": names[0], "末个": names[-1], "编号": f"{ids[0]}–{ids[-1]}"})
            self._bump(con)
        return ids
