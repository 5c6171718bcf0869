"""Reading an event spreadsheet (.xlsx, .xls, .csv) into raw rows with their sheet row numbers.

The header row is the first row, among the first ten, that holds the required headers; the sheet
read is the first sheet that has one (contract.md §1). Nothing here judges values: that is
validate.py. File-level problems raise FileError with a Chinese message.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .normalize import clean_key

REQUIRED = ("日期", "单位", "类型")
OPTIONAL = ("层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注")
HEADERS = REQUIRED + OPTIONAL
HEADER_SEARCH_ROWS = 10
MAX_FILE_BYTES = 50 * 1024 * 1024       # an upload larger than this is surely not a register
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # xlsx is a zip: refuse bombs before inflating them
MAX_ROWS = 200_000


class FileError(ValueError):
    """The whole file cannot be used (not a spreadsheet, no header row, empty …)."""


@dataclass
class RawTable:
    sheet: str
    header_row: int                      # 1-based row number of the header row
    columns: dict[str, int]              # contract header -> column index
    rows: list[tuple[int, list[object]]]  # (1-based sheet row number, cell values)

    def value(self, cells: list[object], header: str) -> object:
        i = self.columns.get(header)
        return cells[i] if i is not None and i < len(cells) else None


def read_table(data: bytes, file_name: str) -> RawTable:
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"文件过大（{len(data) / 1048576:.0f} MB），单个文件不超过 {MAX_FILE_BYTES // 1048576} MB，请按月或按季度拆分")
    if not data.strip():
        raise FileError("文件为空")
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        grids = _excel_grids(data, suffix)
    elif suffix in (".csv", ".txt"):
        grids = [("CSV", _csv_grid(data))]
    else:
        raise FileError(f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .xlsx、.xls 或 .csv 文件")
    for sheet, grid in grids:
        table = _find_header(sheet, grid)
        if table is not None:
            if len(table.rows) > MAX_ROWS:
                raise FileError(f"数据行过多（{len(table.rows)} 行），单个文件不超过 {MAX_ROWS} 行")
            return table
    names = "、".join(REQUIRED)
    raise FileError(f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头（须包含 {names} 列），请使用导入模板")


def _excel_grids(data: bytes, suffix: str) -> list[tuple[str, list[list[object]]]]:
    if suffix != ".xls":
        _check_zip(data)
    import fastexcel  # imported here: start-up of the CLI's other commands stays light

    try:
        reader = fastexcel.read_excel(data)
        grids = []
        for name in reader.sheet_names:
            # skip_rows=0 keeps leading blank rows, so list index + 1 is the sheet's row number;
            # every cell as text keeps mixed columns intact (dates arrive as ISO text).
            sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            frame = sheet.to_polars()
            grids.append((name, [list(r) for r in frame.iter_rows()]))
        return grids
    except FileError:
        raise
    except Exception as e:  # calamine's errors are many and English; the user needs one sentence
        raise FileError(f"无法读取 Excel 文件（文件可能已损坏或并非 Excel 格式：{type(e).__name__}）") from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(info.file_size for info in z.infolist())
    except zipfile.BadZipFile:
        raise FileError("不是有效的 .xlsx 文件（文件可能已损坏，或是改了扩展名的其他文件）") from None
    if total > MAX_UNZIPPED_BYTES:
        raise FileError(f"文件解压后过大（{total / 1048576:.0f} MB），拒绝读取")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise FileError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    return str(best)


def _csv_grid(data: bytes) -> list[list[object]]:
    text = _decode(data)
    if "\x00" in text:
        raise FileError("不是文本格式的 CSV 文件")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as e:
        raise FileError(f"CSV 格式有误：{e}") from None


def _find_header(sheet: str, grid: list[list[object]]) -> RawTable | None:
    for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        names = [clean_key("", c) for c in cells]
        if not all(h in names for h in REQUIRED):
            continue
        columns: dict[str, int] = {}
        for j, name in enumerate(names):
            if name in HEADERS:
                if name in columns:
                    raise FileError(f"工作表“{sheet}”第 {i + 1} 行表头“{name}”出现了两次，请删除多余的列")
                columns[name] = j
        rows = [(i + 1 + k + 1, cells) for k, cells in enumerate(grid[i + 1:])]
        return RawTable(sheet=sheet, header_row=i + 1, columns=columns, rows=rows)
    return None
