"""Documents the office sends: the quarterly and annual 通报 (.docx, .pdf), the Excel and CSV
exports, the 年终考核 sheet and the monthly 提醒函; and the published snapshots of a period.

Pure functions from an Engine (and a Store for publications) to bytes; the 导出 page and the
command line both call `render` / `render_reminders` / `render_annual_assessment`.
"""
from __future__ import annotations

from datetime import date

from scoring.engine.periods import Period
from scoring.reports.attachments import ADOPTED_KEYS, Attachments, adopted_choices  # noqa: F401  (the options render takes)

FORMATS = {".docx": "Word 文档", ".pdf": "PDF", ".xlsx": "Excel 工作簿", ".csv": "CSV（逗号分隔）"}
MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}


class UnknownFormat(ValueError):
    pass


def check_format(ext: str) -> str:
    ext = ext.lower()
    if ext not in FORMATS:
        raise UnknownFormat(f"不支持的文件类型“{ext or '（无扩展名）'}”：通报可导出为 "
                            + "、".join(FORMATS) + "，按 --out 文件的扩展名选择格式")
    return ext


def report_filename(period: Period, ext: str) -> str:
    name = f"{period.start.year}年度" if period.kind == "year" else period.label
    kind = "政务信息工作通报" if ext in (".docx", ".pdf") else "政务信息考评"
    return f"{name}{kind}{ext}"


def render(engine, period: Period, ext: str, number: str | int | None = None, commendation: dict | None = None,
           measure: str | None = None, issue_date: date | None = None, attachments=None) -> bytes:
    """The report on `period` in the format of `ext` (.docx .pdf .xlsx .csv). `attachments`
    (an attachments.Attachments) chooses what follows the 通报's body; the default depends on the period."""
    ext = check_format(ext)
    from scoring.reports.common import assemble

    data = assemble(engine, period, number=number, commendation=commendation, measure=measure,
                    issue_date=issue_date)
    if ext == ".docx":
        from scoring.reports.tongbao_docx import build_docx
        return build_docx(data, attachments)
    if ext == ".pdf":
        from scoring.reports.pdf import build_pdf
        return build_pdf(data, attachments)
    if ext == ".xlsx":
        from scoring.reports.xlsx import build_xlsx
        return build_xlsx(data)
    from scoring.reports.csv_export import build_csv
    return build_csv(data)


def render_reminders(engine, year: int, month: int, number: str | None = None) -> bytes:
    from scoring.reports.reminders import build_reminders_docx
    return build_reminders_docx(engine, year, month, number=number)


def render_annual_assessment(engine, year: int) -> bytes:
    from scoring.reports.xlsx import build_annual_assessment_xlsx
    return build_annual_assessment_xlsx(engine, year)
