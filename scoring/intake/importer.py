"""Import of event spreadsheets: read, validate every row, then store all or nothing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from scoring.intake.normalize import clean_text
from scoring.intake.reader import READ, FileError, read_table
from scoring.profile.rules import RuleBook
from scoring.profile.units import UnitBook
from scoring.intake.validate import RowError, validate_columns, validate_rows


@dataclass
class ImportReport:
    file_name: str
    file_error: str | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    rows_read: int = 0
    import_id: int | None = None
    new: int = 0
    known: int = 0

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors

    def messages(self) -> list[str]:
        """Errors as the importer prints them: `行 N 列 X: …`, or `文件 NAME: …`."""
        if self.file_error:
            return [f"文件 {self.file_name}: {self.file_error}"]
        return [str(e) for e in self.errors]


def check_rows(rows: list[tuple[int, dict[str, object]]], file_name: str, units: UnitBook,
               rules: RuleBook, known_info_ids=None) -> ImportReport:
    """Validate (row number, {header: value}) pairs; blank rows are skipped."""
    rows = [(number, values) for number, values in rows if any(map(_has_text, values.values()))]
    checked = validate_rows([values for _, values in rows], units, rules)
    return _report(file_name, [number for number, _ in rows], checked, known_info_ids)


def _has_text(value: object) -> bool:
    """clean_text(value) != "", quickly for the usual cells (text or empty)."""
    if value is None:
        return False
    if value.__class__ is str:
        return bool(value.strip())  # strip() drops exactly what clean_text treats as space
    return bool(clean_text(value))


def _report(file_name: str, numbers: list[int], checked: list, known_info_ids) -> ImportReport:
    report = ImportReport(file_name, rows_read=len(numbers))
    for number, (event, problems) in zip(numbers, checked):
        if problems:
            report.errors.extend(RowError(number, col, msg) for col, msg in problems)
        else:
            event["src_row"] = number
            report.events.append(event)
    if report.rows_read == 0 and not report.errors:
        report.file_error = "没有数据行"
    if report.ok:
        report.warnings = sorted(_repeated_adoptions(report.events) + _unmatched_instructions(report.events, known_info_ids),
                                 key=lambda w: w.row)
    return report


def _repeated_adoptions(events: list[dict]) -> list[RowError]:
    """Two 采用 rows with one 信息编号 and 刊物 in one file both count (each row is an event), but
    are more likely one adoption typed twice."""
    first: dict[tuple[str, str], int] = {}
    warnings = []
    for e in events:
        if e["type"] != "采用" or not e["info_id"]:
            continue
        key = (e["info_id"], e["publication"])
        if key in first:
            warnings.append(RowError(e["src_row"], "信息编号",
                                     f"与第 {first[key]} 行的信息编号“{e['info_id']}”和刊物相同，两行都计分"
                                     "（已接受；如为重复录入，请删去一行后重新上传）"))
        else:
            first[key] = e["src_row"]
    return warnings


def _unmatched_instructions(events: list[dict], known_info_ids) -> list[RowError]:
    """A 批示 needs no stored 采用 (it may come later), but staff should hear about it, and about
    a 采用 found only at another level than the 批示's."""
    levels: dict[str, set[str]] = {}
    for e in events:
        if e["type"] == "采用" and e["info_id"]:
            levels.setdefault(e["info_id"], set()).add(e["level"])
    asked = [e["info_id"] for e in events if e["type"] == "批示" and e["info_id"]]
    stored = known_info_ids(asked) if known_info_ids and asked else {}
    for info_id in set(asked) & set(stored):
        # a store may answer with the levels of each adoption, or just with the ids it knows
        levels.setdefault(info_id, set()).update(stored[info_id] if isinstance(stored, dict) else ())
    warnings = []
    for e in events:
        if e["type"] != "批示":
            continue
        info_id = e["info_id"]
        if not info_id:
            warnings.append(RowError(e["src_row"], "信息编号", "批示行未填信息编号，无法核对对应的采用记录（已接受）"))
        elif info_id not in levels and info_id not in stored:
            warnings.append(RowError(e["src_row"], "信息编号",
                                     f"库中尚无信息编号为“{info_id}”的采用记录（已接受，请补录采用记录）"))
        elif levels.get(info_id) and e["level"] not in levels[info_id]:
            found = "、".join(sorted(levels[info_id]))
            warnings.append(RowError(e["src_row"], "层级",
                                     f"信息编号“{info_id}”的采用记录是{found}级，本行批示是{e['level']}级"
                                     "（已接受，批示照常计分；请核对层级或信息编号）"))
    return warnings


def check_file(data: bytes, file_name: str, units: UnitBook, rules: RuleBook,
               known_info_ids=None) -> ImportReport:
    """Everything an import does except storing: the upload page's preview."""
    try:
        table = read_table(data, file_name)
    except FileError as e:
        return ImportReport(file_name, file_error=str(e))
    # Column by column (what check_rows does with {header: value} rows, without building them).
    columns = {h: table.column(h) for h in READ}
    numbers = table.numbers
    kept = _rows_with_text(columns.values(), table.height)
    if len(kept) < len(numbers):
        columns = {h: [cells[i] for i in kept] for h, cells in columns.items()}
        numbers = [numbers[i] for i in kept]
    return _report(file_name, numbers, validate_columns(columns, units, rules), known_info_ids)


def _rows_with_text(columns, height: int) -> list[int]:
    """Indexes of the rows where some cell has text (blank rows are skipped, not errors)."""
    has = [False] * height
    for cells in columns:
        for i, value in enumerate(cells):
            if not has[i] and value is not None and _has_text(value):
                has[i] = True
    return [i for i, found in enumerate(has) if found]


def store_report(store, report: ImportReport, data: bytes, who: str) -> ImportReport:
    """Store a checked report's events (one transaction)."""
    if not report.ok:
        return report
    result = store.store_import(report.file_name, hashlib.sha256(data).hexdigest(), report.events, who)
    report.import_id, report.new, report.known = result["import_id"], result["new"], result["known"]
    return report


def import_file(store, data: bytes, file_name: str, who: str, rules: RuleBook) -> ImportReport:
    report = check_file(data, file_name, store.unit_book(), rules, store.known_info_ids)
    return store_report(store, report, data, who)
