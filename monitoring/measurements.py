"""Department data in: read the files people really have, normalize, validate.

A file is read into a grid of strings with the row numbers the person sees
(header = row 1), normalized column-wise with pandas (full-width digits, %,
年, thousands separators, missing markers) and checked against the catalogue.
Every problem becomes a `Problem` with row, column, code and a Chinese message;
a file with any error is rejected whole by the callers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.catalogue import COUNTY_REGION, Catalogue
from monitoring.problems import DataCode, NoticeCode, Problem
from monitoring.units import UNITS, format_value

COLUMNS = ["indicator_id", "year", "value", "region", "sex", "numerator", "denominator", "source", "note"]
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


@dataclass
class Grid:
    """Cells as text, each row with the number the spreadsheet shows."""

    rows: list[list[str]]
    numbers: list[int]
    encoding: str | None = None
    sheet: str | None = None


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
    return _parse_text(text, encoding), []


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
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls / len(head)


def _parse_text(text: str, encoding: str | None) -> Grid:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [list(r) for r in reader]
    return _trim(Grid(rows, list(range(1, len(rows) + 1)), encoding))


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
    """Long-form cells (strings) plus where each came from."""

    cells: pd.DataFrame  # canonical columns as strings, plus _row (file row) and _col_* (header as shown)
    header_row: int
    wide: bool


def _to_table(grid: Grid, errors: list[Problem], notices: list[Problem]) -> Table | None:
    header_index = _find_header(grid.rows)
    if header_index is None:
        errors.append(Problem(DataCode.MISSING_COLUMN, "找不到“指标编号”列（也可写作 indicator_id）。表头应在第一行，或在前十行内。请使用下载的填报模板。", line=grid.numbers[0] if grid.numbers else 1, field="指标编号"))
        return None
    header_row = grid.numbers[header_index]
    if header_index > 0:
        notices.append(Problem(NoticeCode.TITLE_ROWS_SKIPPED, f"表头在第{header_row}行，前面的 {header_index} 行（标题、说明）已跳过。", line=header_row))
    header = [str(h) for h in grid.rows[header_index]]
    body = grid.rows[header_index + 1 :]
    numbers = grid.numbers[header_index + 1 :]
    width = max([len(header)] + [len(r) for r in body]) if body else len(header)
    header = header + [""] * (width - len(header))

    mapping: dict[str, int] = {}
    years: dict[int, int] = {}
    for position, raw in enumerate(header):
        key = _header_key(raw)
        if not key:
            if any(position < len(r) and str(r[position]).strip() for r in body):
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

    if not body or all(not any(str(c).strip() for c in r) for r in body):
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

    padded = [r + [""] * (width - len(r)) for r in body]
    matrix = pd.DataFrame(padded, dtype="object").astype("string") if padded else pd.DataFrame()
    columns: dict[str, Any] = {"_row": np.asarray(numbers, dtype="int64")}
    shown: dict[str, str] = {}
    for canonical in COLUMNS:
        if canonical in mapping:
            columns[canonical] = matrix[mapping[canonical]].fillna("")
            shown[canonical] = header[mapping[canonical]].strip()
        else:
            columns[canonical] = pd.Series([""] * len(padded), dtype="string")
            shown[canonical] = _DEFAULT_LABELS[canonical]
    long = pd.DataFrame(columns)
    long["_value_col"] = shown["value"]

    if wide:
        notices.append(Problem(NoticeCode.WIDE_TABLE, f"按年鉴式宽表读取：{len(years)} 个年份列（{'、'.join(str(y) for y in sorted(years))}）。", line=header_row))
        parts = []
        for year, position in sorted(years.items()):
            part = long.copy()
            part["year"] = pd.Series([str(year)] * len(part), dtype="string")
            part["value"] = matrix[position].fillna("").to_numpy()
            part["_value_col"] = header[position].strip()
            parts.append(part)
        long = pd.concat(parts, ignore_index=True).sort_values(["_row", "year"], kind="stable").reset_index(drop=True)
    shown_year = shown["year"] if not wide else "年份"
    long.attrs["shown"] = {**shown, "year": shown_year}
    return Table(long, header_row, wide)


_DEFAULT_LABELS = {"indicator_id": "指标编号", "year": "年份", "value": "数值", "region": "地区", "sex": "性别",
                   "numerator": "分子", "denominator": "分母", "source": "数据来源", "note": "备注"}


def _find_header(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:10]):
        if any(_header_key(str(c)) in ID_HEADERS for c in row):
            return index
    return None


# ---------------------------------------------------------------- validation


def validate_bytes(data: bytes, catalogue: Catalogue, filename: str = "", department: str | None = None) -> ValidationReport:
    """Validate one file's bytes; never raises on bad content."""
    errors: list[Problem] = []
    notices: list[Problem] = []
    grid, problems = read_grid(data, filename)
    if grid is None:
        return ValidationReport(empty_rows(), problems, notices)
    if grid.sheet is not None:
        notices.append(Problem(NoticeCode.SHEET_USED, f"读取了工作表“{grid.sheet}”。"))
    if grid.encoding and grid.encoding not in ("UTF-8", "UTF-8（带 BOM）"):
        notices.append(Problem(NoticeCode.ENCODING, f"文件编码为 {grid.encoding}，已自动转换。"))
    if not grid.rows:
        return ValidationReport(empty_rows(), [Problem(DataCode.EMPTY_FILE, "文件中没有任何内容。")], notices, grid.encoding)
    table = _to_table(grid, errors, notices)
    if table is None:
        return ValidationReport(empty_rows(), errors, notices, grid.encoding)
    rows = _validate_cells(table, catalogue, department, errors, notices)
    if not errors and rows.empty:
        errors.append(Problem(DataCode.NO_ROWS, "文件中没有填写任何数值（全部为空或“未统计”等），没有可导入的数据。请填写“数值”列（或分子、分母）后再提交。"))
    errors[:] = list(dict.fromkeys(errors))  # a wide row repeats its problem once per year column
    errors.sort(key=lambda p: (p.line or 0, p.field or ""))
    notices.sort(key=lambda p: p.line or 0)
    return ValidationReport(rows if not errors else rows.iloc[0:0], errors, notices, grid.encoding)


def validate_file(path: Path | str, catalogue: Catalogue, department: str | None = None) -> ValidationReport:
    path = Path(path)
    return validate_bytes(path.read_bytes(), catalogue, path.name, department)


def _validate_cells(table: Table, catalogue: Catalogue, department: str | None, errors: list[Problem], notices: list[Problem]) -> pd.DataFrame:
    cells = table.cells
    shown: dict[str, str] = cells.attrs["shown"]
    for column in COLUMNS:
        cells[column] = _normalized(cells[column])

    def add(mask: pd.Series, code: DataCode, column: str, message: Any) -> None:
        """Record one error per masked row; `message` may be a function of the row."""
        for _, row in cells[mask.fillna(False).astype(bool)].iterrows():
            text = message(row) if callable(message) else message
            col = row["_value_col"] if column == "value" else shown[column]
            errors.append(Problem(code, text, line=int(row["_row"]), field=col))

    # Blank rows (every cell empty, or a section heading of a yearbook) are skipped silently.
    measured = cells[["value", "numerator", "denominator"]].isin(MISSING_MARKERS).all(axis=1)
    blank = (cells["indicator_id"] == "") & measured & ((cells["year"] == "") | table.wide)
    cells = cells[~blank].copy()

    # Not reported: a missing marker where the value is and no counts.
    not_reported = cells[["value", "numerator", "denominator"]].isin(MISSING_MARKERS).all(axis=1)
    for _, row in cells[not_reported & (cells["indicator_id"] != "")].iterrows():
        shown_value = row["value"] or "空白"
        notices.append(Problem(NoticeCode.NOT_REPORTED, f"{row['indicator_id']} {row['year']}年 数值为“{shown_value}”，视为未报送，该行不导入。", line=int(row["_row"]), field=row["_value_col"]))
    cells = cells[~not_reported].copy()
    for column in ("value", "numerator", "denominator"):
        cells.loc[cells[column].isin(MISSING_MARKERS), column] = ""

    # Indicator: lookups are dictionaries mapped over the column, not Python per row.
    series = catalogue.series()
    keys = cells["indicator_id"].str.upper().map(catalogue.series_keys()).astype(object)
    add(cells["indicator_id"] == "", DataCode.UNKNOWN_INDICATOR, "indicator_id", "指标编号为空。请填写目标库中的指标编号（如 W1-02），可在“目标库”页面或模板中查到。")
    add((cells["indicator_id"] != "") & keys.isna(), DataCode.UNKNOWN_INDICATOR, "indicator_id",
        lambda r: f"指标编号“{r['indicator_id']}”不在目标库中。请核对编号（如 W1-02、C1-03b），可在“目标库”页面或模板中查到。")
    cells["_key"] = keys
    units = keys.map({k: s_.unit for k, s_ in series.items()}).astype(object)

    # Year.
    year_text = cells["year"].str.replace(r"(年度|年)$", "", regex=True).str.replace(r"\.0+$", "", regex=True)
    year_ok = year_text.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    add(~year_ok, DataCode.INVALID_YEAR, "year", lambda r: f"年份“{r['year'] or '空白'}”无效，应为四位数年份，如 2024。")
    cells["year_num"] = pd.to_numeric(year_text.where(year_ok), errors="coerce")
    low = keys.map({k: s_.year_min for k, s_ in series.items()}).astype("float")
    high = keys.map({k: s_.year_max for k, s_ in series.items()}).astype("float")
    outside = year_ok & keys.notna() & ((cells["year_num"] < low) | (cells["year_num"] > high))
    add(outside, DataCode.YEAR_OUT_OF_RANGE, "year", lambda r: f"年份 {r['year']} 超出该指标可接受的范围（{series[r['_key']].year_min}—{series[r['_key']].year_max} 年）。请核对年份。")

    # Numbers: value, numerator, denominator.
    value = _parse_numbers(cells, "value", units, add)
    numerator = _parse_numbers(cells, "numerator", units, add)
    denominator = _parse_numbers(cells, "denominator", units, add)

    scale = units.map({u: info.scale for u, info in UNITS.items()}).astype("float")
    upper = keys.map({k: _upper(s_) for k, s_ in series.items()}).astype("float")
    lower = units.map({u: info.lower for u, info in UNITS.items()}).astype("float")
    has_num, has_den = numerator.notna(), denominator.notna()
    add(has_num & ~has_den & cells["denominator"].eq(""), DataCode.INCOMPLETE_COUNTS, "denominator", "分子和分母须同时填写（或都不填）。请补上分母。")
    add(has_den & ~has_num & cells["numerator"].eq(""), DataCode.INCOMPLETE_COUNTS, "numerator", "分子和分母须同时填写（或都不填）。请补上分子。")
    add((numerator < 0) | (denominator < 0), DataCode.INVALID_COUNT, "numerator", "分子、分母不能为负数。")
    add(has_den & (denominator == 0), DataCode.INVALID_COUNT, "denominator", "分母不能为 0。")
    ratio_unit = scale.notna()
    add(has_num & has_den & ~ratio_unit & keys.notna(), DataCode.INVALID_COUNT, "numerator",
        lambda r: f"该指标单位是“{series[r['_key']].unit}”，不是比率，不能用分子/分母计算，请只填数值。")
    # A proportion cannot exceed its whole; gross rates (upper_bound above the unit's range) can.
    gross = upper > units.map({u: info.upper for u, info in UNITS.items()}).astype("float").fillna(np.inf)
    too_many = has_num & has_den & ratio_unit & (numerator > denominator) & ~gross
    add(too_many, DataCode.NUMERATOR_ABOVE_DENOMINATOR, "numerator",
        lambda r: f"分子 {r['numerator']} 大于分母 {r['denominator']}，比率不可能超过全部。请核对是否填反。")
    counts = has_num & has_den & (denominator > 0) & (numerator >= 0) & ~too_many & ratio_unit
    counts_given = (cells["numerator"] != "") | (cells["denominator"] != "")
    computed = (numerator / denominator * scale).where(counts)
    # A given value may differ from the counts by 1%, or by the rounding of the digits it was written with.
    rounding = 0.5 * 10.0 ** (-cells["value"].str.extract(r"\.(\d+)", expand=False).str.len().fillna(0).astype(int))
    allowed = np.maximum(VALUE_TOLERANCE * computed.abs(), rounding.astype(float)) + 1e-9
    mismatch = computed.notna() & value.notna() & ((value - computed).abs() > allowed)
    add(mismatch, DataCode.VALUE_MISMATCH, "value",
        lambda r: f"数值 {r['value']} 与分子/分母算出的 {_fmt(computed[r.name])} 不一致（相差超过1%）。请核对数值或分子、分母。")
    fill = value.isna() & computed.notna()
    for _, row in cells[fill].iterrows():
        notices.append(Problem(NoticeCode.VALUE_COMPUTED, f"数值由分子/分母算出：{row['numerator']}/{row['denominator']} → {format_value(computed[row.name], series[row['_key']].unit, 2)}。", line=int(row["_row"]), field=row["_value_col"]))
    value = value.where(~fill, computed)
    add(value.isna() & ~counts_given & cells["value"].eq(""), DataCode.NOT_A_NUMBER, "value", "缺少数值。请填写数值，或同时填写分子和分母。")

    # Range by unit.
    out = value.notna() & ((value < lower) | (value > upper.fillna(np.inf)))
    add(out, DataCode.OUT_OF_RANGE, "value", lambda r: _range_message(series[r["_key"]], value[r.name]))

    # Region and sex.
    regions = cells["region"].map({"": COUNTY_REGION, **catalogue.data_regions()})
    add(regions.isna(), DataCode.UNKNOWN_REGION, "region",
        lambda r: f"地区“{r['region']}”无法识别。请填写“全县”或乡镇名称（如 古绛镇、横水镇），见 targets/regions.yaml。")
    sexes = cells["sex"].map({"": "合计", **SEXES})
    add(sexes.isna(), DataCode.UNKNOWN_SEX, "sex", lambda r: f"性别“{r['sex']}”无效，只能填“合计”“女”或“男”（空白视为合计）。")

    # Department scope.
    if department and not catalogue.reports_everything(department):
        allowed_keys = {k: department in s_.departments for k, s_ in series.items()}
        not_theirs = keys.notna() & ~keys.map(allowed_keys).fillna(False).astype(bool)
        add(not_theirs, DataCode.NOT_ASSIGNED, "indicator_id",
            lambda r: f"指标 {r['indicator_id']}（{series[r['_key']].name}）不属于{department}的报送范围，请删除该行或由{'、'.join(sorted(series[r['_key']].departments))}报送。")

    rows = pd.DataFrame({
        "indicator_id": keys,
        "year": cells["year_num"],
        "value": value,
        "region": regions,
        "sex": sexes,
        "numerator": numerator,
        "denominator": denominator,
        "source": cells["source"],
        "note": cells["note"],
        "_row": cells["_row"],
        "_written": cells["indicator_id"],
        "_value_col": cells["_value_col"],
    })
    if errors:
        return rows
    return _merge_duplicates(rows, errors, notices)


def _normalized(column: pd.Series) -> pd.Series:
    """NFKC and strip, computed once per distinct text (columns repeat the same few texts)."""
    column = column.fillna("").astype(object)
    mapping = {text: unicodedata.normalize("NFKC", text).strip() for text in column.unique()}
    return column.map(mapping).astype(object)


def _parse_numbers(cells: pd.DataFrame, column: str, units: pd.Series, add) -> pd.Series:
    text = cells[column]
    formula = text.str.startswith("=")
    add(formula, DataCode.FORMULA, column, lambda r: f"单元格是公式“{r[column]}”，不是数值。请把公式改为计算结果（复制后“选择性粘贴—数值”）。")
    cleaned = text.where(~text.str.fullmatch(THOUSANDS.pattern).fillna(False).astype(bool), text.str.replace(",", "", regex=False))
    symbol_error = pd.Series(False, index=text.index)
    if column == "value":
        # A trailing unit symbol is fine when it is the indicator's own (92.5%); another is a mistake (4.8% for a ‰ rate).
        symbol = cleaned.str.extract(r"(%|‰|/10万)$", expand=False)
        unit_text = units.fillna("").astype(object)
        same = (symbol == unit_text) | ((symbol == "/10万") & (unit_text == "1/10万"))
        symbol_error = symbol.notna() & ~same & unit_text.ne("")
        add(symbol_error, DataCode.UNIT_MISMATCH, column,
            lambda r: f"数值“{r[column]}”带的单位符号与指标单位“{units[r.name]}”不符。请按指标单位填写数字。")
        cleaned = cleaned.str.replace(r"(%|‰|/10万)$", "", regex=True).str.strip()
    numeric = cleaned.str.fullmatch(NUMBER.pattern).fillna(False).astype(bool)
    bad = (cleaned != "") & ~numeric & ~formula & ~symbol_error
    label = {"value": "数值", "numerator": "分子", "denominator": "分母"}[column]
    hint = "请只填写数字（可带 %），不要写文字或单位。" if column == "value" else "请只填写数字（如例数、人数），不要写文字、单位或百分号。"
    add(bad, DataCode.NOT_A_NUMBER, column, lambda r: f"{label}“{r[column]}”不是数字。{hint}")
    return pd.to_numeric(cleaned.where(numeric), errors="coerce").astype("float64")


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


def _merge_duplicates(rows: pd.DataFrame, errors: list[Problem], notices: list[Problem]) -> pd.DataFrame:
    """Same indicator, year, region and sex twice: the same value merges (keeping the row with counts); another value is an error."""
    key = ["indicator_id", "year", "region", "sex"]
    duplicated = rows.duplicated(key, keep=False)
    if not duplicated.any():
        return rows
    keep = pd.Series(True, index=rows.index)
    for _, group in rows[duplicated].groupby(key, sort=False):
        first = group.iloc[0]
        kept_index = group.index[0]
        for index, row in group.iloc[1:].iterrows():
            where = f"{row['_written']} {int(row['year'])}年 {row['region']} {row['sex']}"
            if _same(first["value"], row["value"]):
                notices.append(Problem(NoticeCode.EXACT_DUPLICATE, f"{where} 与第{int(first['_row'])}行相同，已合并为一行。", line=int(row["_row"])))
                if pd.isna(rows.at[kept_index, "numerator"]) and not pd.isna(row["numerator"]):
                    keep[kept_index] = False
                    kept_index = index
                else:
                    keep[index] = False
            else:
                errors.append(Problem(DataCode.CONFLICTING_DUPLICATE, f"{where} 在第{int(first['_row'])}行已是 {_fmt(first['value'])}，这里又填 {_fmt(row['value'])}。同一指标、年份、地区、性别只能有一个数值，请保留正确的一行。",
                                      line=int(row["_row"]), field=row["_value_col"]))
    return rows[keep]


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))


def problems_table(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Rows for a UI or Excel table: 行, 列, 代码, 说明."""
    return [{"行": p.line, "列": p.field, "代码": str(p.code), "说明": p.message} for p in problems]
