"""Reading an event spreadsheet (.xlsx, .xls, .csv) into raw rows with their sheet row numbers.

The header row is the first row, among the first ten, that holds the required headers; the sheet
read is the first sheet that has one. Nothing here judges values: that is
validate.py. File-level problems raise FileError with a Chinese message.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scoring.intake.normalize import clean_key

REQUIRED = ("日期", "单位", "类型")
OPTIONAL = ("层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注")
HEADERS = REQUIRED + OPTIONAL
PICK = "分值"  # read too: the points an editor chose, for the items of a profile that lets them choose
READ = HEADERS + (PICK,)
HEADER_SEARCH_ROWS = 10
MAX_FILE_BYTES = 50 * 1024 * 1024       # an upload larger than this is surely not a register
# xlsx is a zip: bombs are refused before they are inflated. The reader holds a sheet's whole XML
# while parsing it, so one import costs about as much memory as the workbook unpacks to: measured
# (peak RSS of `python -m scoring import` in a child, less the 178 MB of importing a tiny
# workbook), a file padded with blanks to 160 MB took 152 MB more, to 380 MB 374 MB more. 160 MB
# keeps one import well under 300 MB of extra memory and still takes the largest register allowed
# (200,000 rows with long text in every column, as xlsxwriter writes them: 134 MB unpacked).
MAX_UNZIPPED_BYTES = 160 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELLS = 4_000_000                   # rows × columns a sheet may span (the reader allocates that grid)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .xls (and password-protected .xlsx) container


class FileError(ValueError):
    """The whole file cannot be used (not a spreadsheet, no header row, empty …)."""


@dataclass
class RawTable:
    sheet: str
    header_row: int                      # 1-based row number of the header row
    columns: dict[str, int]              # contract header -> column index
    data: dict[str, list[object]]        # contract header -> its cells, one per row below the header
    height: int                          # rows below the header (blank ones included)

    @property
    def numbers(self) -> list[int]:
        """The sheet row number of each data row."""
        return list(range(self.header_row + 1, self.header_row + 1 + self.height))

    def column(self, header: str) -> list[object]:
        """One contract column's cells (None throughout where the column is missing)."""
        found = self.data.get(header)
        return found if found is not None else [None] * self.height

    @property
    def rows(self) -> list[tuple[int, list[object]]]:
        """(sheet row number, cells by column index) per row: the row-wise view, for value()."""
        width = max(self.columns.values(), default=-1) + 1
        where = [(i, self.data[h]) for h, i in self.columns.items()]
        out = []
        for k, number in enumerate(self.numbers):
            cells: list[object] = [None] * width
            for i, values in where:
                cells[i] = values[k]
            out.append((number, cells))
        return out

    def value(self, cells: list[object], header: str) -> object:
        """One cell of a row by its header (None where the column is missing)."""
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
        grids = [_csv_grid(data)]
    else:
        raise FileError(f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .xlsx、.xls 或 .csv 文件")
    for grid in grids:
        table = _find_header(grid)
        if table is not None:
            if table.height > MAX_ROWS:
                raise FileError(f"数据行过多（{table.height} 行），单个文件不超过 {MAX_ROWS} 行")
            return table
    names = "、".join(REQUIRED)
    raise FileError(f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头（须包含 {names} 列），请使用导入模板")


class _Grid:
    """A sheet's cells: its first rows row by row (to find the header), any column whole."""

    def __init__(self, sheet: str, head: list[list[object]], column, height: int):
        self.sheet, self.head, self.column, self.height = sheet, head, column, height


def _excel_grids(data: bytes, suffix: str) -> list[_Grid]:
    # By content, not by name: an .xls saved as .xlsx is common, and a zip named .xls must
    # still pass the zip checks before the reader sees it.
    if data[:4] == b"PK\x03\x04" or (suffix != ".xls" and not data.startswith(_OLE)):
        _check_zip(data)
    elif "EncryptedPackage".encode("utf-16-le") in data:  # an .xlsx saved with a password
        raise FileError("文件设置了打开密码，请在 Excel 中取消密码后另存为 .xlsx 再上传")
    elif data.startswith(_OLE):
        _check_ole(data)
    else:
        raise FileError("不是有效的 Excel 文件（文件可能已损坏，或是改了扩展名的其他文件）")
    import fastexcel  # imported here: start-up of the CLI's other commands stays light

    try:
        reader = fastexcel.read_excel(data)
        grids = []
        for name in reader.sheet_names:
            # skip_rows=0 keeps leading blank rows, so list index + 1 is the sheet's row number;
            # every cell as text keeps mixed columns intact (dates arrive as ISO text).
            sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            frame = sheet.to_polars()
            # Cells stay in the sheet's columns: only the register's columns are ever turned
            # into Python values, never the rows.
            grids.append(_Grid(name, [list(r) for r in frame.head(HEADER_SEARCH_ROWS).iter_rows()],
                               lambda j, start, frame=frame: frame.to_series(j).slice(start).to_list(),
                               frame.height))
        return grids
    except FileError:
        raise
    except BaseException as e:  # calamine's errors are many and English; the user needs one sentence
        if not isinstance(e, Exception) and type(e).__name__ != "PanicException":  # a Rust panic is no Exception
            raise
        raise FileError("无法读取 Excel 文件（文件可能已损坏，或并非 Excel 格式）") from None


def _check_zip(data: bytes) -> None:
    """Sizes and extents checked by inflating in bounded chunks: see xlsx_guard."""
    from scoring.intake.xlsx_guard import ZipProblem, check_xlsx

    try:
        check_xlsx(data, MAX_UNZIPPED_BYTES, MAX_CELLS)
    except ZipProblem as e:
        raise FileError(str(e)) from None


def _check_ole(data: bytes) -> None:
    """Extent, text and container of an .xls checked before the reader lays out any sheet: see xls_guard."""
    from scoring.intake.xls_guard import XlsProblem, check_xls

    try:
        check_xls(data, MAX_CELLS)
    except XlsProblem as e:
        raise FileError(str(e)) from None


UNKNOWN_ENCODING = "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # gb18030 accepts nearly any bytes: a file in another encoding (繁体 Big5, say) would
        # otherwise be read as nonsense and refused for a missing header
        if encoding == "gb18030" and not _reads_as_gbk(text):
            raise FileError(UNKNOWN_ENCODING)
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise FileError(UNKNOWN_ENCODING)
    return str(best)


def _reads_as_gbk(text: str, sample: int = 20_000) -> bool:
    """Whether a gb18030 reading is GBK text and not another encoding misread: a Big5 file (say)
    decodes without error but mostly into characters outside GB2312's 6,763 common ones, where a
    real register's words all are."""
    wide = [ch for ch in text[:sample] if ord(ch) > 0x7F]
    if len(wide) < 8:
        return True
    rare = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return rare <= len(wide) // 4


def _csv_grid(data: bytes) -> _Grid:
    text = _decode(data)
    if "\x00" in text:
        raise FileError("不是文本格式的 CSV 文件")
    # Only the delimiter is guessed. Quoting is what Excel writes (a quote doubled inside quotes):
    # the sniffer's guesses there misread cells that contain quotes, such as HTML.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    # Bounded like a sheet: a 50 MB file of commas or of blank lines must not become a
    # grid of tens of millions of Python objects.
    if text.count(delimiter) > MAX_CELLS:
        raise FileError(f"CSV 文件的单元格过多（超过 {MAX_CELLS} 个），请检查分隔符或删除多余的列")
    grid: list[list[object]] = []
    try:
        for r in csv.reader(io.StringIO(text), delimiter=delimiter):
            grid.append(r)
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise FileError(f"数据行过多（超过 {MAX_ROWS} 行），单个文件不超过 {MAX_ROWS} 行")
    except csv.Error:
        raise FileError("CSV 格式有误（引号不成对或单元格过长），请用 Excel 另存为 CSV 后再上传") from None
    return _Grid("CSV", grid[:HEADER_SEARCH_ROWS],
                 lambda j, start: [r[j] if j < len(r) else None for r in grid[start:]], len(grid))


def _find_header(grid: _Grid) -> RawTable | None:
    for i, cells in enumerate(grid.head):
        names = [clean_key("", c) for c in cells]
        if not all(h in names for h in REQUIRED):
            continue
        columns: dict[str, int] = {}
        for j, name in enumerate(names):
            if name in READ:
                if name in columns:
                    raise FileError(f"工作表“{grid.sheet}”第 {i + 1} 行表头“{name}”出现了两次，请删除多余的列")
                columns[name] = j
        data = {h: grid.column(j, i + 1) for h, j in columns.items()}
        return RawTable(sheet=grid.sheet, header_row=i + 1, columns=columns, data=data, height=grid.height - i - 1)
    return None
