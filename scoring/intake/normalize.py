"""Tolerant reading of the values staff type into a register (the 12 columns of reader.HEADERS).

Chinese Excel registers carry full-width spaces and digits, 《》 around publication names and
long forms such as 问题类 or 自治区级. All of that is normalised here, once, before matching; which
long forms mean which value is the office's (profile.yaml `matching.aliases`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {
    "\u3000": " ", "／": "/", "－": "-", "．": ".", "：": ":"})
_MARKS = "《》〈〉“”‘’\"'「」『』【】"
_SPACES = re.compile(r"\s+")



def clean_text(value: object) -> str:
    """Trim ordinary and full-width spaces; None and NaN become blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 期号 12 read from Excel as 12.0
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


def clean_key(column: str, value: object, aliases: dict[str, dict[str, str]] | None = None) -> str:
    """A matching field (类型, 层级, 刊物, 栏目, 批示人): no spaces, no quote marks, and the short
    form when `aliases` ({column: {long form: value}}) names one."""
    text = _SPACES.sub("", clean_text(value))
    text = "".join(ch for ch in text if ch not in _MARKS)
    return aliases.get(column, {}).get(text, text) if aliases else text


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> date:
    """A date as registers hold it; raises ValueError with a Chinese message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial number that reached us as a number (numeric cell without date format).
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"“{clean_text(value)}”不是有效日期")
    text = _SPACES.sub(" ", clean_text(value).translate(_FULLWIDTH)).strip()
    if not text:
        raise ValueError("日期为空")
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                raise ValueError(f"“{text}”不是有效日期") from None
    raise ValueError(f"“{text}”不是可识别的日期，请写成 2024-03-05、2024/3/5 或 2024年3月5日")
