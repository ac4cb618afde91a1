"""Department data in: read the files people really have, normalize, validate.

A file is read into a grid of strings with the row numbers the person sees
(header = row 1), normalized column-wise with pandas (full-width digits, %,
年, thousands separators, missing markers) and checked against the catalogue.
Every problem becomes a `Problem` with row, column, code and a Chinese message;
a file with any error is rejected whole by the callers.

Speed (docs/performance.md): a column is held as codes into its distinct texts
(`_Text`), so normalization, lookups, regular expressions and number parsing run
once per distinct text and are spread to the rows with numpy; Python loops only
over rows that have a problem. A plain CSV (no quotes, rectangular) is parsed by
pyarrow into dictionary-encoded columns; anything else goes through `csv` or
openpyxl as before. `validate_many` checks many files (one per county) in one
pass and reports each file exactly as `validate_bytes` would.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.catalogue import Catalogue
from monitoring.problems import DataCode, NoticeCode, Problem
from monitoring.regions import COUNTY_REGION
from monitoring.units import UNITS, format_value

COLUMNS = ["indicator_id", "year", "value", "region", "sex", "numerator", "denominator", "source", "note", "county"]
NUMERIC = ["year", "value", "numerator", "denominator"]
SEXES = {"合计": "合计", "总计": "合计", "全部": "合计", "女": "女", "女性": "女", "男": "男", "男性": "男"}
MISSING_MARKERS = {"", "—", "——", "-", "--", "/", "无", "未统计", "暂无", "…", "...", "–"}
VALUE_TOLERANCE = 0.01  # a given value may differ from numerator/denominator by 1%

# Header text (normalized: NFKC, no spaces, lower case) -> canonical column.
ALIASES: dict[str, str] = {
    "indicator_id": "indicator_id", "指标编号": "indicator_id", "编号": "indicator_id", "指标代码": "indicator_id", "指标id": "indicator_id",
    "year": "year", "年份": "year", "年度": "year",
    "value": "value", "数值": "value", "指标值": "value", "本年数值": "value", "数据": "value",
    "region": "region", "地区": "region", "乡镇": "region", "乡(镇)": "region",
    "sex": "sex", "性别": "sex",
    "numerator": "numerator", "分子": "numerator",
    "denominator": "denominator", "分母": "denominator",
    "source": "source", "数据来源": "source", "来源": "source",
    "note": "note", "备注": "note", "说明": "note",
    "county": "county", "区县": "county", "区县代码": "county", "区县名称": "county", "县区": "county", "所属区县": "county",
    "县(市、区)": "county", "县(市区)": "county", "县市区": "county", "县(区)": "county",
}
# Columns a template shows for reference; ignored on import without a notice.
READ_ONLY = {"指标名称", "name", "单位", "unit", "目标", "目标值", "上年数值", "基期值", "序号", "责任单位", "规划"}

ID_HEADERS = {k for k, v in ALIASES.items() if v == "indicator_id"}
YEAR_HEADER = re.compile(r"^(\d{4})(年|年度)?(数值|数据)?$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


@dataclass
class ValidationReport:
    """The outcome of validating one file: normalized rows, errors and notices."""

    rows: pd.DataFrame
    errors: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def records(self) -> list[dict[str, Any]]:
        """Normalized rows with canonical names, numbers as numbers, blanks as None."""
        out = []
        for rec in self.rows[COLUMNS].to_dict("records"):
            clean = {}
            for key, value in rec.items():
                if isinstance(value, float) and np.isnan(value):
                    value = None
                elif key in ("year", "numerator", "denominator") and value is not None and float(value).is_integer():
                    value = int(value)
                elif isinstance(value, np.generic):
                    value = value.item()
                clean[key] = value if value != "" else None
            out.append(clean)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.records(),
            "errors": [{"row": p.line, "column": p.field, "code": str(p.code), "message": p.message} for p in self.errors],
            "notices": [{"row": p.line, "column": p.field, "code": str(p.code), "message": p.message} for p in self.notices],
        }


def empty_rows() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    for c in NUMERIC:
        frame[c] = frame[c].astype("float64")
    frame["_row"] = pd.Series(dtype="int64")
    return frame


# ---------------------------------------------------------------- reading

HEADER_SEARCH = 10  # the header is looked for in the first rows
CSV_FIELD_LIMIT = 131072  # Python's csv module refuses longer cells; the column-wise reader defers to it
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_FIRST_LINE = re.compile(r"[^\r\n]*")


@dataclass
class Grid:
    """Cells as text, each row with the number the spreadsheet shows.

    Workbooks and CSVs with quotes keep their rows as lists (`rows`, trailing
    empty cells and rows trimmed). A plain CSV — no quote characters and the
    same number of cells on every line, as Excel and most programs write it —
    is parsed column-wise by pyarrow instead (`columns`, every row untrimmed);
    `rows` then holds only the first rows, where the header is looked for.
    Blank cells and rows are skipped by validation either way.
    """

    rows: list[list[str]]
    numbers: Any  # list[int] or an int64 array
    encoding: str | None = None
    sheet: str | None = None
    columns: list[Any] | None = None  # pyarrow string arrays, one per column position
    blank: bool = False  # column-wise: every cell is blank

    @property
    def count(self) -> int:
        return len(self.numbers)

    @property
    def empty(self) -> bool:
        return self.blank if self.columns is not None else not self.rows

    def width(self) -> int:
        if self.columns is not None:
            return len(self.columns)
        return max((len(r) for r in self.rows), default=0)

    def body(self, position: int, start: int) -> Any:
        """The cells of one column from row `start` on (a pyarrow array or an object array)."""
        if self.columns is not None:
            return self.columns[position].slice(start)
        return np.array([r[position] if position < len(r) else "" for r in self.rows[start:]], dtype=object)

    def filled(self, position: int, start: int) -> bool:
        """Whether a column has any non-blank cell from row `start` on."""
        if position >= self.width():
            return False
        cells = self.body(position, start)
        if self.columns is None:
            return any(str(c).strip() for c in pd.unique(cells))
        for chunk in cells.chunks:  # dictionary-encoded: look at the distinct texts the rows use
            used = np.unique(chunk.indices.to_numpy(zero_copy_only=False))
            if any(str(c).strip() for c in chunk.dictionary.take(used).to_pylist()):
                return True
        return False

    def body_blank(self, start: int) -> bool:
        if self.columns is None:
            return all(not any(str(c).strip() for c in r) for r in self.rows[start:])
        return not any(self.filled(p, start) for p in range(len(self.columns)))


def read_grid(data: bytes, filename: str = "") -> tuple[Grid | None, list[Problem]]:
    """Turn file bytes into a grid; the type is told by content, not by the name."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return None, [Problem(DataCode.EMPTY_FILE, "文件是空的，没有任何内容。请确认选择了正确的文件。")]
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        return None, [Problem(DataCode.UNSUPPORTED_FORMAT, "这是旧版 Excel（.xls）或 Word 文件，无法读取。请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV 后再上传。")]
    text, encoding, problem = _decode(data)
    if problem:
        return None, [problem]
    assert text is not None
    return _parse_text(text, encoding, data if encoding in ("UTF-8", "UTF-8（带 BOM）") else None), []


def _decode(data: bytes) -> tuple[str | None, str | None, Problem | None]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16", None
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    if b"\x00" in head or _control_ratio(head) > 0.05:
        return None, None, Problem(DataCode.BINARY_FILE, "文件不是表格文本（看起来是图片、压缩包或其他二进制文件）。请上传 Excel 工作簿（.xlsx）或 CSV 文件。")
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
            label = "UTF-8（带 BOM）"
        return text, label, None
    return None, None, Problem(DataCode.UNREADABLE_FILE, "无法识别文件的文字编码（既不是 UTF-8 也不是 GBK）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再上传。")


def _control_ratio(head: bytes) -> float:
    if not head:
        return 0.0
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head)


def _parse_text(text: str, encoding: str | None, utf8: bytes | None = None) -> Grid:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    grid = _parse_plain(text, delimiter, encoding, utf8)
    if grid is not None:
        return grid
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [list(r) for r in reader]
    return _trim(Grid(rows, list(range(1, len(rows) + 1)), encoding))


def _parse_plain(text: str, delimiter: str, encoding: str | None, utf8: bytes | None) -> Grid | None:
    """A CSV without quotes and with the same number of cells on every line, read column-wise; None otherwise.

    What `csv.reader` would give, cell for cell (it splits such text the same way).
    """
    if not text or '"' in text or "\x00" in text:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = _FIRST_LINE.match(text)
    width = (first.group(0) if first else "").count(delimiter) + 1
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(utf8 if utf8 is not None else text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                                                 strings_can_be_null=False, check_utf8=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    columns = [table.column(i) for i in range(width)]
    if len(text) > CSV_FIELD_LIMIT:
        import pyarrow.compute as pc

        if any((pc.max(pc.utf8_length(chunk.dictionary)).as_py() or 0) > CSV_FIELD_LIMIT for c in columns for chunk in c.chunks):
            return None
    count = table.num_rows
    head = table.slice(0, HEADER_SEARCH).to_pylist()
    rows = [[r[n] for n in names] for r in head]
    rows = [r[: _last_filled(r)] for r in rows]
    blank = not text[:1024].replace(delimiter, "").strip() and not text.replace(delimiter, "").strip()
    return Grid(rows, np.arange(1, count + 1, dtype=np.int64), encoding, None, columns, blank)


def _read_xlsx(data: bytes) -> tuple[Grid | None, list[Problem]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [Problem(DataCode.UNREADABLE_FILE, f"Excel 文件已损坏或不是有效的 .xlsx 工作簿（{type(exc).__name__}）。请在 Excel 中重新保存后再上传。")]
    try:
        names = book.sheetnames
        sheet_name = "数据" if "数据" in names else names[0]
        sheet = book[sheet_name]
        rows: list[list[str]] = []
        for row in sheet.iter_rows():
            rows.append([_cell_text(getattr(cell, "value", None), getattr(cell, "number_format", "")) for cell in row])
    finally:
        book.close()
    grid = _trim(Grid(rows, list(range(1, len(rows) + 1)), None, sheet_name))
    return grid, []


def _cell_text(value: Any, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and "%" in (number_format or ""):
        # Excel stores a cell shown as 92.5% as 0.925: give back what the person typed.
        return _cell_text(round(value * 100, 10)) + "%"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if hasattr(value, "year") and hasattr(value, "month"):
        return str(value)
    return str(value)


def _trim(grid: Grid) -> Grid:
    """Drop trailing empty cells of each row and trailing empty rows (Excel leaves them)."""
    rows = [r[: _last_filled(r)] for r in grid.rows]
    while rows and not rows[-1]:
        rows.pop()
    return Grid(rows, grid.numbers[: len(rows)], grid.encoding, grid.sheet)


def _last_filled(row: list[str]) -> int:
    for i in range(len(row) - 1, -1, -1):
        if str(row[i]).strip():
            return i + 1
    return 0


def normalize_text(value: str) -> str:
    """Full-width to half-width (NFKC) and surrounding spaces removed; ％ becomes %."""
    return unicodedata.normalize("NFKC", value).strip()


def _header_key(value: str) -> str:
    return re.sub(r"\s+", "", normalize_text(value)).lower().replace("(", "(").replace(")", ")")


# ---------------------------------------------------------------- table shape


@dataclass
class Table:
    """Long-form cells (text) of one file plus where each came from."""

    columns: dict[str, Any]  # canonical column and "_value_col" -> cells (pyarrow array, object array, or one text for all)
    numbers: np.ndarray      # the file row of each cell row
    shown: dict[str, str]    # canonical column -> header as shown
    header_row: int
    wide: bool

    def __len__(self) -> int:
        return len(self.numbers)


def _to_table(grid: Grid, errors: list[Problem], notices: list[Problem]) -> Table | None:
    header_index = _find_header(grid.rows)
    if header_index is None:
        errors.append(Problem(DataCode.MISSING_COLUMN, "找不到“指标编号”列（也可写作 indicator_id）。表头应在第一行，或在前十行内。请使用下载的填报模板。", line=int(grid.numbers[0]) if grid.count else 1, field="指标编号"))
        return None
    header_row = int(grid.numbers[header_index])
    if header_index > 0:
        notices.append(Problem(NoticeCode.TITLE_ROWS_SKIPPED, f"表头在第{header_row}行，前面的 {header_index} 行（标题、说明）已跳过。", line=header_row))
    header = [str(h) for h in grid.rows[header_index]]
    start = header_index + 1
    width = max(len(header), grid.width())
    header = header + [""] * (width - len(header))

    mapping: dict[str, int] = {}
    years: dict[int, int] = {}
    for position, raw in enumerate(header):
        key = _header_key(raw)
        if not key:
            if grid.filled(position, start):
                notices.append(Problem(NoticeCode.IGNORED_COLUMN, f"第{position + 1}列没有表头，已忽略。", line=header_row, field=f"第{position + 1}列"))
            continue
        canonical = ALIASES.get(key)
        year_match = YEAR_HEADER.match(key)
        if canonical:
            if canonical in mapping:
                errors.append(Problem(DataCode.DUPLICATE_COLUMN, f"“{raw.strip()}”与“{header[mapping[canonical]].strip()}”是同一列（{canonical}），请删除其中一列。", line=header_row, field=raw.strip()))
                continue
            mapping[canonical] = position
        elif year_match:
            years[int(year_match.group(1))] = position
        elif key not in READ_ONLY:
            notices.append(Problem(NoticeCode.IGNORED_COLUMN, f"无法识别的列“{raw.strip()}”已忽略。", line=header_row, field=raw.strip()))
    if errors:
        return None

    if grid.count <= start or grid.body_blank(start):
        errors.append(Problem(DataCode.NO_ROWS, "只有表头，没有数据行。请在表头下方逐行填写数据。", line=header_row))
        return None

    wide = "year" not in mapping and bool(years) and "value" not in mapping
    if not wide:
        for _, position in sorted(years.items()):
            notices.append(Problem(NoticeCode.IGNORED_COLUMN, f"表中已有“年份”“数值”列，年份列“{header[position].strip()}”已忽略。", line=header_row, field=header[position].strip()))
    if not wide:
        missing = [c for c in ("indicator_id", "year") if c not in mapping]
        if "value" not in mapping and not {"numerator", "denominator"} <= set(mapping):
            missing.append("value")
        for column in missing:
            label = {"indicator_id": "指标编号", "year": "年份", "value": "数值"}[column]
            errors.append(Problem(DataCode.MISSING_COLUMN, f"缺少“{label}”列（也可写作 {column}）。请使用下载的填报模板，或在第{header_row}行补上这一列的表头。", line=header_row, field=label))
        if errors:
            return None

    numbers = np.asarray(grid.numbers[start:], dtype=np.int64)
    columns: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for canonical in COLUMNS:
        if canonical in mapping:
            columns[canonical] = grid.body(mapping[canonical], start)
            shown[canonical] = header[mapping[canonical]].strip()
        else:
            columns[canonical] = ""
            shown[canonical] = _DEFAULT_LABELS[canonical]
    columns["_value_col"] = shown["value"]

    if wide:
        # One row per (file row, year column), in file order and then year order.
        notices.append(Problem(NoticeCode.WIDE_TABLE, f"按年鉴式宽表读取：{len(years)} 个年份列（{'、'.join(str(y) for y in sorted(years))}）。", line=header_row))
        ordered = sorted(years.items())
        k = len(ordered)
        for canonical in COLUMNS:
            if not isinstance(columns[canonical], str):
                columns[canonical] = np.repeat(_as_objects(columns[canonical]), k)
        columns["year"] = np.tile(np.array([str(year) for year, _ in ordered], dtype=object), len(numbers))
        columns["value"] = np.column_stack([_as_objects(grid.body(position, start)) for _, position in ordered]).ravel()
        columns["_value_col"] = np.tile(np.array([header[position].strip() for _, position in ordered], dtype=object), len(numbers))
        numbers = np.repeat(numbers, k)
    shown_year = shown["year"] if not wide else "年份"
    return Table(columns, numbers, {**shown, "year": shown_year}, header_row, wide)


def _as_objects(cells: Any) -> np.ndarray:
    if isinstance(cells, np.ndarray):
        return cells
    import pyarrow as pa

    return np.asarray(cells.cast(pa.string()).to_pylist(), dtype=object)


_DEFAULT_LABELS = {"indicator_id": "指标编号", "year": "年份", "value": "数值", "region": "地区", "sex": "性别",
                   "numerator": "分子", "denominator": "分母", "source": "数据来源", "note": "备注", "county": "区县"}


def _find_header(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        if any(_header_key(str(c)) in ID_HEADERS for c in row):
            return index
    return None


# ---------------------------------------------------------------- columns of text


class _Text:
    """A column of texts as codes into its distinct values, so checks run once per distinct text.

    `labels` is a Series of the distinct values with the dtype the column itself
    would have (object for cell text), so every check is the very pandas
    expression that would run on the whole column, applied to fewer values.
    """

    __slots__ = ("codes", "labels")

    def __init__(self, codes: np.ndarray, labels: pd.Series):
        self.codes = codes
        self.labels = labels

    @classmethod
    def of(cls, chunks: list[Any], sizes: list[int], dtype: str = "object") -> _Text:
        """The text of several files' cells: dictionary-encoded pyarrow arrays, object arrays, or one text for a whole file."""
        import pyarrow as pa

        arrays: list[Any] = []
        constants: dict[str, int] = {}
        for chunk in chunks:
            if isinstance(chunk, str):
                constants.setdefault(chunk, len(constants))
            elif isinstance(chunk, np.ndarray):
                arrays.append(pa.array(chunk, pa.string()).dictionary_encode())
            else:
                arrays.extend(c if pa.types.is_dictionary(c.type) else c.dictionary_encode() for c in chunk.chunks)
        if arrays:
            unified = pa.chunked_array(arrays).unify_dictionaries()
            array_codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in unified.chunks]).astype(np.int32)
            labels = unified.chunk(0).dictionary.to_numpy(zero_copy_only=False).astype(object)
        else:
            array_codes, labels = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object)
        base = len(labels)
        parts, offset = [], 0
        for chunk, size in zip(chunks, sizes, strict=True):
            if isinstance(chunk, str):
                parts.append(np.full(size, base + constants[chunk], dtype=np.int32))
            else:
                parts.append(array_codes[offset:offset + size])
                offset += size
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        if constants:
            # A text may come both from cells and as a file's constant: one label each.
            every = np.concatenate([labels, np.array(list(constants), dtype=object)])
            remap, labels = pd.factorize(every)
            codes = remap.astype(np.int32)[codes]
        return cls(codes, pd.Series(np.asarray(labels, dtype=object), dtype=dtype)).compact()

    def compact(self) -> _Text:
        """Only the distinct values some row uses (checks infer their dtype from the values present)."""
        used = np.bincount(self.codes, minlength=len(self.labels)) > 0
        if used.all():
            return self
        remap = (np.cumsum(used) - 1).astype(np.int32)
        return _Text(remap[self.codes], self.labels[used].reset_index(drop=True))

    def __len__(self) -> int:
        return len(self.codes)

    def map(self, function) -> _Text:
        """A new column: `function` of the distinct values (which may merge)."""
        result = function(self.labels)
        codes, uniques = pd.factorize(result.to_numpy(dtype=object), use_na_sentinel=False)
        return _Text(codes.astype(np.int32)[self.codes], pd.Series(uniques, dtype=result.dtype))

    def spread(self, per_label: Any) -> np.ndarray:
        """Values computed per distinct text, one per row."""
        return np.asarray(per_label)[self.codes]

    def series(self, per_label: pd.Series | None = None, index: pd.Index | None = None) -> pd.Series:
        """Per-label values (default: the texts) as a row-wise Series, keeping their dtype."""
        values = (self.labels if per_label is None else per_label).take(self.codes)
        return values.set_axis(index if index is not None else pd.RangeIndex(len(self.codes)))

    def categorical(self) -> pd.Categorical:
        """The column as a categorical, categories in text order (as sorting or grouping the texts would give)."""
        labels = self.labels.astype(object).to_numpy()
        missing = pd.isna(labels)
        present = np.flatnonzero(~missing)
        order = present[np.argsort(labels[present].astype(str), kind="stable")]
        remap = np.full(len(labels) + 1, -1, dtype=np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        return pd.Categorical.from_codes(remap[self.codes], categories=pd.Index(labels[order], dtype=object))

    def isin(self, values: Iterable[str]) -> np.ndarray:
        return self.spread(self.labels.isin(values))

    def eq(self, text: str) -> np.ndarray:
        return self.spread(self.labels == text)

    def isna(self) -> np.ndarray:
        return self.spread(self.labels.isna())

    def value(self, position: int) -> Any:
        return self.labels.iloc[self.codes[position]]

    def take(self, keep: np.ndarray) -> _Text:
        """The rows where `keep`, with only the distinct values still used."""
        return _Text(self.codes[keep], self.labels).compact()


class _Cells:
    """The cells of one or more files with the same columns: texts, file rows, files and the row labels."""

    def __init__(self, text: dict[str, _Text], rows: np.ndarray, files: np.ndarray, index: pd.Index, shown: dict[str, str], wide: bool):
        self.text, self.rows, self.files, self.index, self.shown, self.wide = text, rows, files, index, shown, wide

    @classmethod
    def build(cls, tables: list[tuple[int, Table]]) -> _Cells:
        sizes = [len(t) for _, t in tables]
        text = {c: _Text.of([t.columns[c] for _, t in tables], sizes) for c in COLUMNS}
        text["_value_col"] = _Text.of([t.columns["_value_col"] for _, t in tables], sizes, dtype="str")
        rows = np.concatenate([t.numbers for _, t in tables]) if tables else np.zeros(0, dtype=np.int64)
        files = np.repeat(np.array([f for f, _ in tables], dtype=np.int64), sizes)
        first = tables[0][1]
        return cls(text, rows, files, pd.RangeIndex(len(rows)), first.shown, first.wide)

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, keep: np.ndarray) -> _Cells:
        if keep.all():
            return self
        return _Cells({k: t.take(keep) for k, t in self.text.items()}, self.rows[keep], self.files[keep], self.index[keep],
                      self.shown, self.wide)

    def row(self, position: int) -> _Row:
        return _Row(self, position)


class _Row:
    """One row of cells for a message: `row["value"]`, `row["_row"]`; `row.name` is its position."""

    __slots__ = ("cells", "name")

    def __init__(self, cells: _Cells, position: int):
        self.cells, self.name = cells, position

    def __getitem__(self, column: str) -> Any:
        if column == "_row":
            return self.cells.rows[self.name]
        return self.cells.text[column].value(self.name)


class _Sink:
    """Problems with the file they belong to (files are numbered as given)."""

    def __init__(self) -> None:
        self.items: list[tuple[int, Problem]] = []

    def add(self, file: Any, problem: Problem) -> None:
        self.items.append((int(file), problem))

    def files(self) -> set[int]:
        return {f for f, _ in self.items}

    def of(self, file: int) -> list[Problem]:
        return [p for f, p in self.items if f == file]

    def by_file(self) -> dict[int, list[Problem]]:
        out: dict[int, list[Problem]] = {}
        for f, p in self.items:
            out.setdefault(f, []).append(p)
        return out


# ---------------------------------------------------------------- validation


def validate_bytes(data: bytes, catalogue: Catalogue, filename: str = "", department: str | None = None) -> ValidationReport:
    """Validate one file's bytes; never raises on bad content."""
    errors: list[Problem] = []
    notices: list[Problem] = []
    early, table, encoding = _prepare(data, filename, errors, notices)
    if early is not None:
        return early
    assert table is not None
    found, noticed = _Sink(), _Sink()
    rows = _validate_cells(_Cells.build([(0, table)]), catalogue, department, found, noticed, legacy=True)
    return _finish(rows, errors + found.of(0), notices + noticed.of(0), encoding)


def validate_file(path: Path | str, catalogue: Catalogue, department: str | None = None) -> ValidationReport:
    path = Path(path)
    return validate_bytes(path.read_bytes(), catalogue, path.name, department)


def _prepare(data: bytes, filename: str, errors: list[Problem], notices: list[Problem]) -> tuple[ValidationReport | None, Table | None, str | None]:
    """Read a file into a table; a report instead when the file cannot get that far."""
    grid, problems = read_grid(data, filename)
    if grid is None:
        return ValidationReport(empty_rows(), problems, notices), None, None
    if grid.sheet is not None:
        notices.append(Problem(NoticeCode.SHEET_USED, f"读取了工作表“{grid.sheet}”。"))
    if grid.encoding and grid.encoding not in ("UTF-8", "UTF-8（带 BOM）"):
        notices.append(Problem(NoticeCode.ENCODING, f"文件编码为 {grid.encoding}，已自动转换。"))
    if grid.empty:
        return ValidationReport(empty_rows(), [Problem(DataCode.EMPTY_FILE, "文件中没有任何内容。")], notices, grid.encoding), None, grid.encoding
    table = _to_table(grid, errors, notices)
    if table is None:
        return ValidationReport(empty_rows(), errors, notices, grid.encoding), None, grid.encoding
    return None, table, grid.encoding


def _finish(rows: pd.DataFrame, errors: list[Problem], notices: list[Problem], encoding: str | None) -> ValidationReport:
    errors, notices = _settle(errors, notices, not rows.empty)
    return ValidationReport(rows if not errors else rows.iloc[0:0], errors, notices, encoding)


def _settle(errors: list[Problem], notices: list[Problem], has_rows: bool) -> tuple[list[Problem], list[Problem]]:
    """A file's problems in the order people read them; no rows at all is an error."""
    if not errors and not has_rows:
        errors.append(Problem(DataCode.NO_ROWS, "文件中没有填写任何数值（全部为空或“未统计”等），没有可导入的数据。请填写“数值”列（或分子、分母）后再提交。"))
    errors = list(dict.fromkeys(errors))  # a wide row repeats its problem once per year column
    errors.sort(key=lambda p: (p.line or 0, p.field or ""))
    return errors, sorted(notices, key=lambda p: p.line or 0)


@dataclass
class BatchValidation:
    """Many files validated in one pass, each judged on its own (a file with any error is left out whole).

    `rows` holds the rows of every file without errors, with the file's label in
    column `file`; text columns are categorical. `report(label)` gives one
    file's `ValidationReport` (its rows sliced from `rows`).
    """

    rows: pd.DataFrame
    labels: list[str]
    errors: dict[str, list[Problem]]
    notices: dict[str, list[Problem]]
    encodings: dict[str, str | None]

    @property
    def failed(self) -> list[str]:
        return [label for label in self.labels if self.errors[label]]

    def report(self, label: str) -> ValidationReport:
        rows = self.rows[self.rows["file"] == label].drop(columns="file")
        return ValidationReport(rows, self.errors[label], self.notices[label], self.encodings[label])


def validate_many(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], catalogue: Catalogue,
                  department: str | None = None) -> BatchValidation:
    """Validate many files (label -> bytes) as `validate_bytes` would one by one, with the checks run once for all.

    Files whose columns are the same (header texts and layout) are checked
    together; each file's problems are exactly those `validate_bytes` reports
    for it. Used for data of many counties (one file per county, labelled by
    the county's code).
    """
    items = files.items() if isinstance(files, Mapping) else files
    labels: list[str] = []
    errors: dict[int, list[Problem]] = {}
    notices: dict[int, list[Problem]] = {}
    encodings: dict[str, str | None] = {}
    groups: dict[tuple, list[tuple[int, Table]]] = {}
    for index, (label, data) in enumerate(items):  # one file's bytes at a time: an iterator need not hold them all
        if label in encodings:
            raise ValueError(f"file labels must be unique: {label}")
        labels.append(label)
        errors[index], notices[index] = [], []
        early, table, encoding = _prepare(data, label, errors[index], notices[index])
        encodings[label] = encoding
        if early is not None:
            errors[index], notices[index] = early.errors, early.notices
            continue
        assert table is not None
        groups.setdefault((tuple(table.shown.items()), table.wide), []).append((index, table))
    found, noticed = _Sink(), _Sink()
    frames = []
    for signature in list(groups):
        tables = groups.pop(signature)
        cells = _Cells.build(tables)
        del tables  # the files' own arrays are no longer needed
        frames.append(_validate_cells(cells, catalogue, department, found, noticed, legacy=False))
        del cells
    for index, problems in found.by_file().items():
        errors[index].extend(problems)
    for index, problems in noticed.by_file().items():
        notices[index].extend(problems)
    rows = _combine(frames, labels)
    counts = np.bincount(rows["_file"].to_numpy(), minlength=len(labels)) if len(rows) else np.zeros(len(labels), dtype=np.int64)
    finished_errors: dict[str, list[Problem]] = {}
    finished_notices: dict[str, list[Problem]] = {}
    for index, label in enumerate(labels):
        finished_errors[label], finished_notices[label] = _settle(errors[index], notices[index], bool(counts[index]))
    bad = np.array([bool(finished_errors[label]) for label in labels], dtype=bool)
    if len(rows) and bad.any():
        rows = rows[~bad[rows["_file"].to_numpy()]]
    rows = rows.reset_index(drop=True)
    rows["file"] = pd.Categorical.from_codes(rows.pop("_file").to_numpy(), categories=pd.Index(labels, dtype=object))
    return BatchValidation(rows, labels, finished_errors, finished_notices, encodings)


def _combine(frames: list[pd.DataFrame], labels: list[str]) -> pd.DataFrame:
    if not frames:
        frame = empty_rows()
        for column in ("_written", "_value_col"):
            frame[column] = pd.Series(dtype=object)
        frame["_file"] = pd.Series(dtype=np.int64)
        return frame
    if len(frames) == 1:
        return frames[0]
    text = ["indicator_id", "region", "sex", "source", "note", "county", "_written", "_value_col"]
    for column in text:
        categories = pd.Index(sorted({c for f in frames for c in f[column].cat.categories}), dtype=object)
        for f in frames:
            f[column] = f[column].cat.set_categories(categories)
    return pd.concat(frames, ignore_index=True).sort_values("_file", kind="stable")


def _validate_cells(cells: _Cells, catalogue: Catalogue, department: str | None, errors: _Sink, notices: _Sink,
                    legacy: bool) -> pd.DataFrame:
    """Every check on every row, column-wise; `legacy` gives rows with the dtypes `validate_bytes` has always given."""
    shown = cells.shown
    for column in COLUMNS:
        cells.text[column] = cells.text[column].map(_normalized)

    def add(mask: np.ndarray, code: DataCode, column: str, message: Any) -> None:
        """Record one error per masked row; `message` may be a function of the row."""
        for position in np.flatnonzero(mask):
            row = cells.row(position)
            text = message(row) if callable(message) else message
            col = row["_value_col"] if column == "value" else shown[column]
            errors.add(cells.files[position], Problem(code, text, line=int(row["_row"]), field=col))

    # Rows without any value that are not an indicator's row are skipped silently: blank rows, and the section
    # headings ("一、妇女与健康") and footnotes ("注：……") of a yearbook, written where the indicator is.
    t = cells.text
    measured = t["value"].isin(MISSING_MARKERS) & t["numerator"].isin(MISSING_MARKERS) & t["denominator"].isin(MISSING_MARKERS)
    indicator = t["indicator_id"].spread(t["indicator_id"].labels.str.upper().isin(catalogue.series_keys().keys()))
    blank = ~indicator & measured & (t["year"].eq("") | cells.wide)
    cells = cells.take(~blank)

    # Not reported: a missing marker where the value is and no counts.
    t = cells.text
    not_reported = t["value"].isin(MISSING_MARKERS) & t["numerator"].isin(MISSING_MARKERS) & t["denominator"].isin(MISSING_MARKERS)
    for position in np.flatnonzero(not_reported & ~t["indicator_id"].eq("")):
        row = cells.row(position)
        shown_value = row["value"] or "空白"
        notices.add(cells.files[position], Problem(NoticeCode.NOT_REPORTED, f"{row['indicator_id']} {row['year']}年 数值为“{shown_value}”，视为未报送，该行不导入。",
                                                   line=int(row["_row"]), field=row["_value_col"]))
    cells = cells.take(~not_reported)
    t = cells.text
    for column in ("value", "numerator", "denominator"):
        t[column] = t[column].map(lambda s: s.mask(s.isin(MISSING_MARKERS), ""))
    index = cells.index

    # Indicator: lookups are dictionaries applied once per distinct text, not Python per row.
    series = catalogue.series()
    keys = t["indicator_id"].map(lambda s: s.str.upper().map(catalogue.series_keys()).astype(object))
    add(t["indicator_id"].eq(""), DataCode.UNKNOWN_INDICATOR, "indicator_id", "指标编号为空。请填写目标库中的指标编号（如 W1-02），可在“目标库”页面或模板中查到。")
    add(~t["indicator_id"].eq("") & keys.isna(), DataCode.UNKNOWN_INDICATOR, "indicator_id",
        lambda r: f"指标编号“{r['indicator_id']}”不在目标库中。请核对编号（如 W1-02、C1-03b），可在“目标库”页面或模板中查到。")
    t["_key"] = keys
    known = ~keys.isna()
    units = keys.map(lambda s: s.map({k: s_.unit for k, s_ in series.items()}).astype(object))

    # Year.
    year_text = t["year"].labels.str.replace(r"(年度|年)$", "", regex=True).str.replace(r"\.0+$", "", regex=True)
    year_ok_labels = year_text.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    year_ok = t["year"].spread(year_ok_labels)
    add(~year_ok, DataCode.INVALID_YEAR, "year", lambda r: f"年份“{r['year'] or '空白'}”无效，应为四位数年份，如 2024。")
    year_labels = pd.to_numeric(year_text.where(year_ok_labels), errors="coerce")
    year_num = t["year"].spread(year_labels.astype("float"))
    low = keys.spread(keys.labels.map({k: s_.year_min for k, s_ in series.items()}).astype("float"))
    high = keys.spread(keys.labels.map({k: s_.year_max for k, s_ in series.items()}).astype("float"))
    outside = year_ok & known & ((year_num < low) | (year_num > high))
    del low, high
    add(outside, DataCode.YEAR_OUT_OF_RANGE, "year", lambda r: f"年份 {r['year']} 超出该指标可接受的范围（{series[r['_key']].year_min}—{series[r['_key']].year_max} 年）。请核对年份。")

    # Numbers: value, numerator, denominator.
    value = _parse_numbers(cells, "value", units, add)
    numerator = _parse_numbers(cells, "numerator", units, add)
    denominator = _parse_numbers(cells, "denominator", units, add)

    scale_labels = units.labels.map({u: info.scale for u, info in UNITS.items()}).astype("float")
    upper_labels = keys.labels.map({k: _upper(s_) for k, s_ in series.items()}).astype("float")
    has_num, has_den = ~np.isnan(numerator), ~np.isnan(denominator)
    add(has_num & ~has_den & t["denominator"].eq(""), DataCode.INCOMPLETE_COUNTS, "denominator", "分子和分母须同时填写（或都不填）。请补上分母。")
    add(has_den & ~has_num & t["numerator"].eq(""), DataCode.INCOMPLETE_COUNTS, "numerator", "分子和分母须同时填写（或都不填）。请补上分子。")
    add((numerator < 0) | (denominator < 0), DataCode.INVALID_COUNT, "numerator", "分子、分母不能为负数。")
    add(has_den & (denominator == 0), DataCode.INVALID_COUNT, "denominator", "分母不能为 0。")
    ratio_unit = units.spread(scale_labels.notna())
    add(has_num & has_den & ~ratio_unit & known, DataCode.INVALID_COUNT, "numerator",
        lambda r: f"该指标单位是“{series[r['_key']].unit}”，不是比率，不能用分子/分母计算，请只填数值。")
    # A proportion cannot exceed its whole; gross rates (upper_bound above the unit's range) can.
    unit_upper = keys.labels.map({k: UNITS[s_.unit].upper for k, s_ in series.items()}).astype("float").fillna(np.inf)
    gross = keys.spread(upper_labels > unit_upper)
    too_many = has_num & has_den & ratio_unit & (numerator > denominator) & ~gross
    add(too_many, DataCode.NUMERATOR_ABOVE_DENOMINATOR, "numerator",
        lambda r: f"分子 {r['numerator']} 大于分母 {r['denominator']}，比率不可能超过全部。请核对是否填反。")
    counts = has_num & has_den & (denominator > 0) & (numerator >= 0) & ~too_many & ratio_unit
    del gross, too_many, ratio_unit
    counted = np.flatnonzero(counts)  # the rows with counts (few): the value from them, and the given value checked against it
    computed = np.full(len(value), np.nan)
    computed[counted] = numerator[counted] / denominator[counted] * scale_labels.to_numpy()[units.codes[counted]]
    counts_given = ~t["numerator"].eq("") | ~t["denominator"].eq("")
    # A given value may differ from the counts by 1%, or by the rounding of the digits it was written with.
    places = t["value"].labels.str.extract(r"\.(\d+)", expand=False).str.len().fillna(0).astype(int)
    both = counted[~np.isnan(value[counted])]
    rounding = 0.5 * 10.0 ** (-places.to_numpy()[t["value"].codes[both]])
    allowed = np.maximum(VALUE_TOLERANCE * np.abs(computed[both]), rounding.astype(float)) + 1e-9
    mismatch = np.zeros(len(value), dtype=bool)
    mismatch[both] = np.abs(value[both] - computed[both]) > allowed
    add(mismatch, DataCode.VALUE_MISMATCH, "value",
        lambda r: f"数值 {r['value']} 与分子/分母算出的 {_fmt(computed[r.name])} 不一致（相差超过1%）。请核对数值或分子、分母。")
    fill = np.isnan(value) & ~np.isnan(computed)
    for position in np.flatnonzero(fill):
        row = cells.row(position)
        notices.add(cells.files[position], Problem(NoticeCode.VALUE_COMPUTED, f"数值由分子/分母算出：{row['numerator']}/{row['denominator']} → {format_value(computed[position], series[row['_key']].unit, 2)}。",
                                                   line=int(row["_row"]), field=row["_value_col"]))
    value = np.where(fill, computed, value)
    add(np.isnan(value) & ~counts_given & t["value"].eq(""), DataCode.NOT_A_NUMBER, "value", "缺少数值。请填写数值，或同时填写分子和分母。")
    del fill, counts_given, mismatch

    # Range by unit.
    lower = units.spread(units.labels.map({u: info.lower for u, info in UNITS.items()}).astype("float"))
    out = ~np.isnan(value) & (value < lower)
    del lower
    upper = keys.spread(upper_labels.fillna(np.inf))
    out |= ~np.isnan(value) & (value > upper)
    del upper
    add(out, DataCode.OUT_OF_RANGE, "value", lambda r: _range_message(series[r["_key"]], value[r.name]))

    # County and region, then sex.
    regions, counties = _regions(t, catalogue, add)
    sexes = t["sex"].map(lambda s: s.map({"": "合计", **SEXES}))
    add(sexes.isna(), DataCode.UNKNOWN_SEX, "sex", lambda r: f"性别“{r['sex']}”无效，只能填“合计”“女”或“男”（空白视为合计）。")
    sexes = _sex_of_one_sex_targets(sexes, t["sex"], t["indicator_id"], catalogue)

    # Department scope.
    if department and not catalogue.reports_everything(department):
        allowed_keys = {k: department in s_.departments for k, s_ in series.items()}
        not_theirs = known & ~keys.spread(keys.labels.map(allowed_keys).fillna(False).astype(bool))
        add(not_theirs, DataCode.NOT_ASSIGNED, "indicator_id",
            lambda r: f"指标 {r['indicator_id']}（{series[r['_key']].name}）不属于{department}的报送范围，请删除该行或由{'、'.join(sorted(series[r['_key']].departments))}报送。")

    if legacy:
        rows = pd.DataFrame({
            "indicator_id": keys.series(index=index),
            "year": t["year"].series(year_labels, index),
            "value": pd.Series(value, index=index),
            "region": regions.series(index=index),
            "sex": sexes.series(index=index),
            "numerator": pd.Series(numerator, index=index),
            "denominator": pd.Series(denominator, index=index),
            "source": t["source"].series(index=index),
            "note": t["note"].series(index=index),
            "county": counties.series(index=index),
            "_row": pd.Series(cells.rows, index=index),
            "_written": t["indicator_id"].series(index=index),
            "_value_col": t["_value_col"].series(index=index),
        })
        if errors.items:
            return rows
        return _merge_duplicates(rows, errors, notices)

    rows = pd.DataFrame({
        "indicator_id": keys.categorical(),
        "year": year_num,
        "value": value,
        "region": regions.categorical(),
        "sex": sexes.categorical(),
        "numerator": numerator,
        "denominator": denominator,
        "source": t["source"].categorical(),
        "note": t["note"].categorical(),
        "county": counties.categorical(),
        "_row": cells.rows,
        "_written": t["indicator_id"].categorical(),
        "_value_col": t["_value_col"].categorical(),
        "_file": cells.files.astype(np.int32),
    }, index=index)
    failed = errors.files()
    clean = ~np.isin(cells.files, list(failed)) if failed else np.ones(len(cells), dtype=bool)
    if clean.all():
        return _merge_duplicates(rows, errors, notices)
    if clean.any():
        rows = pd.concat([_merge_duplicates(rows[clean], errors, notices), rows[~clean]])
    return rows


def _sex_of_one_sex_targets(sexes: _Text, written: _Text, indicator: _Text, catalogue: Catalogue) -> _Text:
    """A row filed under a women's (or men's) target's own id on a shared statistic, with 性别 blank, is that sex's value.

    W2-04a (女童小学阶段净入学率) shares the statistic of all pupils: a yearbook table listing “W2-04a” without a
    性别 column means the girls' rate, not the total the statistic's 合计 row would be.
    """
    one_sex = {t.id.upper(): t.sex for t in catalogue if t.sex in ("女", "男") and t.statistic is not None}
    if not one_sex or not len(sexes):
        return sexes
    row_sex = indicator.labels.str.upper().map(one_sex).to_numpy(dtype=object)[indicator.codes]
    blank = (written.labels == "").to_numpy()[written.codes]
    chosen = blank & pd.notna(row_sex)
    if not chosen.any():
        return sexes
    labels = list(sexes.labels)
    codes = sexes.codes.copy()
    for sex in ("女", "男"):
        rows = chosen & (row_sex == sex)
        if rows.any():
            if sex not in labels:
                labels.append(sex)
            codes[rows] = labels.index(sex)
    return _Text(codes, pd.Series(labels, dtype=sexes.labels.dtype)).compact()


def _regions(t: dict[str, _Text], catalogue: Catalogue, add) -> tuple[_Text, _Text]:
    """Each row's 地区 value and county code, and the errors of both columns.

    The county comes from the 区县 column, else from a county named in the 地区
    column, else from the office's own county (a county office's files need no
    区县 column). A township is looked up within the row's county, since names
    repeat across counties. Decided once per distinct (区县, 地区) pair.
    """
    county_lookup = catalogue.regions.county_codes()
    county_text = t["county"]
    named = county_text.labels.map(lambda text: "" if text == "" else county_lookup.get(text, np.nan)).astype(object)
    def unknown_county(r: Any) -> str:
        return catalogue.regions.unknown_county(r["county"])

    add(county_text.spread(named.isna()), DataCode.UNKNOWN_COUNTY, "county", unknown_county)
    choices = catalogue.regions.data_regions()
    home = catalogue.regions.home_county
    region_text = t["region"]
    width = max(len(region_text.labels), 1)
    pairs = county_text.codes.astype(np.int64) * width + region_text.codes
    unique, inverse = np.unique(pairs, return_inverse=True)
    values, codes, problem = _decide_pairs(named.to_numpy(dtype=object)[unique // width], unique % width,
                                           region_text.labels.to_numpy(dtype=object), choices, home)
    row_problem = problem[inverse]
    add(row_problem == 1, DataCode.UNKNOWN_REGION, "region",
        lambda r: f"地区“{r['region']}”无法识别。请填写“全县”或乡镇名称（如 古绛镇、横水镇），见 targets/regions.yaml。")
    office = catalogue.regions.office_region

    def missing(r: Any) -> str:
        if r["region"] in ("", COUNTY_REGION):
            return (f"缺少区县。本平台汇总{office.full_name if office else '多个区县'}各区县的数据，每一行都要在“区县”列填写区县的"
                    "区划代码或名称（如 140826 或 绛县）。")
        return f"地区“{r['region']}”在多个区县都有，请在“区县”列写明是哪个区县的。"

    add(row_problem == 2, DataCode.MISSING_COUNTY, "county", missing)

    def elsewhere(r: Any) -> str:
        owners = "、".join(catalogue.regions.label(m[1]) for m in choices.get(r["region"], []) if m[1])
        label = catalogue.regions.label(county_lookup[r["county"]])
        written = f"“{r['county']}”" + (f"（{label}）" if label != r["county"] else "")
        return f"地区“{r['region']}”属于{owners}，与本行的区县{written}不符。请核对“区县”或“地区”。"

    add(row_problem == 3, DataCode.REGION_NOT_IN_COUNTY, "region", elsewhere)
    return _per_pair(values, inverse), _per_pair(codes, inverse)


def _decide_pairs(given: np.ndarray, region: np.ndarray, texts: np.ndarray, choices: dict[str, list[tuple[str, str | None]]],
                  home: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (地区 value, county code, problem) of each distinct (区县, 地区) pair, with array lookups.

    `given` is the county the 区县 column names (NaN: unknown, already an error; "": none),
    `region` the pair's index into the distinct 地区 `texts`. Problems: 0 none, 1 unknown
    region, 2 missing county, 3 region elsewhere. For each pair, as a loop over the pairs would decide:

    - a named county: the first meaning of the text that is that county's or any county's
      (in `choices` order); none: region elsewhere (or unknown when the text has no meaning);
    - no county: the text's first meaning in the home county, else its first meaning in any
      county when there is a home county (the row is the home county's), else its only
      meaning when that lies in a county, else the county is missing.

    The meanings of the texts present are listed once (a township name repeated in every
    county has thousands), then every pair is decided by searching sorted integer keys.
    """
    P = len(given)
    values = np.full(P, None, dtype=object)
    codes = np.full(P, None, dtype=object)
    problem = np.zeros(P, dtype=np.int8)
    # Every meaning of every text present, in `choices` order: text index, value, owner (a county code, or None: any county).
    m_text: list[int] = []
    m_value: list[str] = []
    m_owner: list[str | None] = []
    for j, text in enumerate(texts):
        for value, owner in choices.get(text, []):
            m_text.append(j)
            m_value.append(value)
            m_owner.append(owner)
    J = max(len(texts), 1)
    meaning_text = np.asarray(m_text, dtype=np.int64)
    meaning_value = np.asarray(m_value, dtype=object)
    meaning_owner = np.asarray(m_owner, dtype=object)
    count = np.bincount(meaning_text, minlength=J)
    first = np.full(J, -1, dtype=np.int64)  # each text's first meaning (rows are in text order)
    present, at = np.unique(meaning_text, return_index=True)
    first[present] = at
    anywhere_row = np.full(J, -1, dtype=np.int64)  # each text's first meaning for any county
    is_anywhere = np.array([o is None for o in m_owner], dtype=bool)
    present, at = np.unique(meaning_text[is_anywhere], return_index=True)
    anywhere_row[present] = np.flatnonzero(is_anywhere)[at]
    # Counties as integers: each text's first meaning per county, under the key text × county.
    owners = {code: i for i, code in enumerate(dict.fromkeys(o for o in m_owner if o is not None))}
    K = len(owners) + 1
    owner_id = np.array([owners.get(o, -1) if o is not None else -1 for o in m_owner], dtype=np.int64)
    owned = np.flatnonzero(owner_id >= 0)
    keys, at = np.unique(meaning_text[owned] * K + owner_id[owned], return_index=True)
    key_row = owned[at]

    def row_of(text_index: np.ndarray, county_id: np.ndarray) -> np.ndarray:
        """The first meaning of each text in each county (-1: none)."""
        out = np.full(len(text_index), -1, dtype=np.int64)
        valid = county_id >= 0
        if not valid.any() or not len(keys):
            return out
        wanted = text_index[valid] * K + county_id[valid]
        found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        out[valid] = np.where(keys[found] == wanted, key_row[found], -1)
        return out

    unknown_county = pd.isna(given)
    named = ~unknown_county & (given != "")
    blank = ~unknown_county & ~named
    meanings = count[region]
    # The 区县 error is already recorded where the county is unknown; a text without meaning is an unknown region.
    problem[~unknown_county & (meanings == 0)] = 1
    # A named county.
    chosen = np.flatnonzero(named & (meanings > 0))
    given_id = np.array([owners.get(g, -1) for g in given[chosen]], dtype=np.int64)
    own = row_of(region[chosen], given_id)
    anywhere = anywhere_row[region[chosen]]
    row = np.where((own >= 0) & ((anywhere < 0) | (own < anywhere)), own, anywhere)
    hit = row >= 0
    values[chosen[hit]] = meaning_value[row[hit]]
    codes[chosen[hit]] = given[chosen[hit]]
    problem[chosen[~hit]] = 3
    # No county: the home county's meaning, else any county's (the home county's), else the only meaning.
    chosen = np.flatnonzero(blank & (meanings > 0))
    local = row_of(region[chosen], np.full(len(chosen), owners.get(home, -1) if home else -1, dtype=np.int64))
    anywhere = anywhere_row[region[chosen]] if home else np.full(len(chosen), -1, dtype=np.int64)
    row = np.where(local >= 0, local, anywhere)
    hit = row >= 0
    values[chosen[hit]] = meaning_value[row[hit]]
    codes[chosen[hit]] = home
    only = first[region[chosen]]
    single = ~hit & (meanings[chosen] == 1) & (owner_id[only] >= 0)  # its only meaning lies in a county
    values[chosen[single]] = meaning_value[only[single]]
    codes[chosen[single]] = meaning_owner[only[single]]
    problem[chosen[~hit & ~single]] = 2
    return values, codes, problem


def _per_pair(values: np.ndarray, inverse: np.ndarray) -> _Text:
    """A column from one value per distinct pair (pairs may share a value: labels stay distinct)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return _Text(codes.astype(np.int32)[inverse], pd.Series(np.asarray(uniques, dtype=object), dtype=object))


def _normalized(labels: pd.Series) -> pd.Series:
    """NFKC and strip, once per distinct text."""
    return labels.map(lambda text: unicodedata.normalize("NFKC", text).strip()).astype(object)


def _parse_numbers(cells: _Cells, column: str, units: _Text, add) -> np.ndarray:
    text = cells.text[column]
    labels = text.labels
    formula = text.spread(labels.str.startswith("="))
    add(formula, DataCode.FORMULA, column, lambda r: f"单元格是公式“{r[column]}”，不是数值。请把公式改为计算结果（复制后“选择性粘贴—数值”）。")
    cleaned = labels.where(~labels.str.fullmatch(THOUSANDS.pattern).fillna(False).astype(bool), labels.str.replace(",", "", regex=False))
    symbol_error = np.zeros(len(text), dtype=bool)
    if column == "value":
        # A trailing unit symbol is fine when it is the indicator's own (92.5%); another is a mistake (4.8% for a ‰ rate).
        symbols = {"%": 1, "‰": 2, "/10万": 3}
        symbol = text.spread(cleaned.str.extract(r"(%|‰|/10万)$", expand=False).map(symbols).fillna(0).astype(int))
        unit_symbol = units.spread(units.labels.map({**symbols, "1/10万": 3}).fillna(0).astype(int))
        same = (symbol != 0) & (symbol == unit_symbol)
        symbol_error = (symbol != 0) & ~same & ~units.isna()
        add(symbol_error, DataCode.UNIT_MISMATCH, column,
            lambda r: f"数值“{r[column]}”带的单位符号与指标单位“{units.value(r.name)}”不符。请按指标单位填写数字。")
        cleaned = cleaned.str.replace(r"(%|‰|/10万)$", "", regex=True).str.strip()
    numeric_labels = cleaned.str.fullmatch(NUMBER.pattern).fillna(False).astype(bool)
    bad = text.spread(cleaned != "") & ~text.spread(numeric_labels) & ~formula & ~symbol_error
    label = {"value": "数值", "numerator": "分子", "denominator": "分母"}[column]
    hint = "请只填写数字（可带 %），不要写文字或单位。" if column == "value" else "请只填写数字（如例数、人数），不要写文字、单位或百分号。"
    add(bad, DataCode.NOT_A_NUMBER, column, lambda r: f"{label}“{r[column]}”不是数字。{hint}")
    return text.spread(pd.to_numeric(cleaned.where(numeric_labels), errors="coerce").astype("float64"))


def _upper(series) -> float:
    unit = UNITS[series.unit]
    if series.upper_bound is not None:
        return series.upper_bound
    return unit.upper if unit.upper is not None else np.inf


def _range_message(series, value: float) -> str:
    unit = UNITS[series.unit]
    upper = _upper(series)
    span = f"{_fmt(unit.lower)}—{_fmt(upper)}" if np.isfinite(upper) else f"不小于 {_fmt(unit.lower)}"
    return f"数值 {_fmt(value)} 超出“{series.unit}”的合理范围（{span}）。请核对数值和单位（例如 ‰ 与 % 是否混淆）。"


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _merge_duplicates(rows: pd.DataFrame, errors: _Sink, notices: _Sink) -> pd.DataFrame:
    """Same indicator, year, county, region and sex twice: the same value merges (keeping the row with counts); another value is an error.

    With many files (column `_file`), only rows of the same file are compared.
    """
    key = ["indicator_id", "year", "county", "region", "sex"]
    if "_file" in rows:
        key = ["_file", *key]
        duplicated = pd.Series(_duplicated_codes(rows), index=rows.index)
    else:
        duplicated = rows.duplicated(key, keep=False)
    if not duplicated.any():
        return rows
    files = rows["_file"] if "_file" in rows else pd.Series(0, index=rows.index)
    keep = pd.Series(True, index=rows.index)
    for _, group in rows[duplicated].groupby(key, sort=False, observed=True):
        first = group.iloc[0]
        kept_index = group.index[0]
        for index, row in group.iloc[1:].iterrows():
            where = f"{row['_written']} {int(row['year'])}年 {row['region']} {row['sex']}"
            if _same(first["value"], row["value"]):
                notices.add(files[index], Problem(NoticeCode.EXACT_DUPLICATE, f"{where} 与第{int(first['_row'])}行相同，已合并为一行。", line=int(row["_row"])))
                if pd.isna(rows.at[kept_index, "numerator"]) and not pd.isna(row["numerator"]):
                    keep[kept_index] = False
                    kept_index = index
                else:
                    keep[index] = False
            else:
                errors.add(files[index], Problem(DataCode.CONFLICTING_DUPLICATE, f"{where} 在第{int(first['_row'])}行已是 {_fmt(first['value'])}，这里又填 {_fmt(row['value'])}。同一指标、年份、地区、性别只能有一个数值，请保留正确的一行。",
                                                 line=int(row["_row"]), field=row["_value_col"]))
    return rows[keep]


def _duplicated_codes(rows: pd.DataFrame) -> np.ndarray:
    """`rows.duplicated([_file, indicator_id, year, county, region, sex], keep=False)` for categorical rows, from one integer per row."""
    key = np.zeros(len(rows), dtype=np.int64)
    span = 1
    for column in ("_file", "indicator_id", "year", "county", "region", "sex"):
        values = rows[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            part = values.cat.codes.to_numpy().astype(np.int64) + 1  # missing (-1) becomes 0
        else:
            part = pd.factorize(values.to_numpy(), use_na_sentinel=False)[0].astype(np.int64)
        size = int(part.max()) + 1 if len(part) else 1
        span *= size
        if span >= 2**62:
            return rows.duplicated(["_file", "indicator_id", "year", "county", "region", "sex"], keep=False).to_numpy()
        key *= size
        key += part
        del part
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    del key
    same = ordered[1:] == ordered[:-1]
    del ordered
    repeated = np.zeros(len(rows), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    out = np.empty(len(rows), dtype=bool)
    out[order] = repeated
    return out


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))


def problems_table(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Rows for a UI or Excel table: 行, 列, 代码, 说明."""
    return [{"行": p.line, "列": p.field, "代码": str(p.code), "说明": p.message} for p in problems]
