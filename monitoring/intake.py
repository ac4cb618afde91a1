"""Tables for the 数据填报 and 报送情况 pages: what a file would change, who has reported what.

Pure functions over the catalogue, validation reports, the live data and the
submission store, so the pages only draw what these return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from monitoring.catalogue import Catalogue
from monitoring.datasets import Dataset
from monitoring.docs import DOCS
from monitoring.measurements import ValidationReport, empty_rows, problems_table, validate_bytes
from monitoring.problems import DataCode, Problem
from monitoring.rows import headline_rows
from monitoring.store import SUBMISSION_STATUS_LABELS, Entry, Store, SubmissionStatus, read_rows_csv
from monitoring.summaries import MISSING, PENDING, REPORTED, completeness, completeness_by_department
from monitoring.units import decimals_for, format_value

STATE_MARKERS = {state: f"● {state}" for state in (REPORTED, PENDING, MISSING)}
STATE_COLORS = {REPORTED: "#2e7d32", PENDING: "#1565c0", MISSING: "#c62828"}  # green, blue, red
NEW = "新增"
UNCHANGED = "不变"
PREVIEW_COLUMNS = ["行", "指标编号", "指标名称", "年份", "地区", "性别", "数值", "分子", "分母", "现值", "变化"]
COUNTY_COLUMN = "区县"  # added before 地区 only when a file holds another county's rows (or several counties')
SUBMISSION_COLUMNS = ["提交编号", "提交时间", "提交人", "文件名", "行数", "状态", "说明"]
CHASE_COLUMNS = ["单位", "编号", "指标", "年份", "报送情况"]
GUIDE_SECTIONS = ("二", "五", "六")


# ---------------------------------------------------------------- years


def plan_years(catalogue: Catalogue) -> list[int]:
    """The base year and the plan period: 2020—2025 for the current plans."""
    if not catalogue.plans:
        return []
    first = min(p.baseline_year for p in catalogue.plans.values())
    last = max(p.period_end for p in catalogue.plans.values())
    return list(range(first, last + 1))


def default_year(catalogue: Catalogue, data_years: Iterable[int], today: date | None = None) -> int:
    """The year departments are reporting now: the year after the latest data, at most the last year
    that has passed, kept within the plan years."""
    years = plan_years(catalogue)
    today = today or date.today()
    passed = today.year - 1
    known = [int(y) for y in data_years]
    year = max(known) + 1 if known else passed
    year = min(year, passed)
    if years:
        year = max(years[0], min(year, years[-1]))
    return year


# ---------------------------------------------------------------- the live data


def live_rows(data: Dataset) -> pd.DataFrame:
    """The approved (live) rows of a data set; none while the demo data is shown."""
    if data.source == "live":
        return data.rows
    return data.rows.iloc[0:0]


def previous_values(live: pd.DataFrame, year: int, county: str | None = None) -> dict[tuple[str, str, str, str], float]:
    """Live values of `year` - 1 by (reporting key, county, region, sex): the template's 上年数值 column.

    The template takes the values of its own rows' county (a county office's:
    its own), so another county's value never shows as 上年数值. With
    `county`, only that county's values. Every live row carries its county
    (`Store.live` gives rows kept before the 区县 column the office's own).
    """
    if live.empty:
        return {}
    rows = live[(live["year"] == year - 1) & live["value"].notna()]
    if county is not None:
        rows = rows[rows["county"] == county]
    return {(k, c, r, s): float(v) for k, c, r, s, v in rows[["indicator_id", "county", "region", "sex", "value"]].itertuples(index=False)}


def _live_counties(live: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """The county of each live row; a row without one (kept before the 区县 column existed) is the office's own."""
    home = catalogue.regions.home_county or ""
    if "county" not in live:
        return pd.Series(home, index=live.index, dtype=object)
    return live["county"].fillna("").astype(str).replace("", home)


def county_summary(report: ValidationReport, catalogue: Catalogue) -> str | None:
    """A sentence naming the counties of a valid file's rows when it holds another county than the office's own, or several:
    "文件含 2 个区县的数据：绛县 2 行、闻喜县 2 行。" (None for a county office's usual file)."""
    if report.rows.empty or "county" not in report.rows:
        return None
    home = catalogue.regions.home_county or ""
    counts = report.rows["county"].astype(object).fillna("").replace("", home).value_counts()
    if not shows_county(counts.index, catalogue):
        return None
    order = catalogue.regions.in_file_order(counts.index)
    parts = "、".join(f"{catalogue.regions.label(c)} {counts[c]} 行" for c in order)
    return f"文件含 {len(order)} 个区县的数据：{parts}。"


def shows_county(counties: Iterable[str], catalogue: Catalogue) -> bool:
    """Whether a table of these rows needs a 区县 column: they hold another county than the office's own, or several."""
    present = set(counties)
    return len(present) > 1 or bool(present - {catalogue.regions.home_county or ""})


# ---------------------------------------------------------------- a file in


def check_file(data: bytes, filename: str, catalogue: Catalogue, department: str | None) -> ValidationReport:
    """validate_bytes, with any unexpected failure turned into an error a person can act on."""
    try:
        return validate_bytes(data, catalogue, filename, department)
    except Exception as exc:  # a page must show a message, never a traceback
        problem = Problem(DataCode.UNREADABLE_FILE,
                          f"文件无法读取（{type(exc).__name__}）。请在 Excel 中重新保存为 .xlsx 或“CSV UTF-8（逗号分隔）”后再上传；仍不行请把文件交县妇儿工委办公室。")
        return ValidationReport(empty_rows(), [problem], [])


def problems_frame(problems: Iterable[Problem], code: bool = True) -> pd.DataFrame:
    """measurements.problems_table as a table to show: 行, 列, 说明 (and 代码), blanks where a problem has no place."""
    columns = ["行", "列", "说明", *(["代码"] if code else [])]
    frame = pd.DataFrame(problems_table(problems), columns=["行", "列", "代码", "说明"])
    frame["行"] = frame["行"].map(lambda n: "" if n is None or pd.isna(n) else str(int(n)))
    frame["列"] = frame["列"].fillna("")
    return frame[columns]


def _places(unit: str, value: float) -> int:
    return min(2, decimals_for(unit, value))


def _count(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.6f}".rstrip("0").rstrip(".")


def change_text(new: float, old: float | None, unit: str) -> str:
    """新增, 不变, or the signed difference in the unit (percentages change by 百分点)."""
    if old is None or pd.isna(old):
        return NEW
    places = max(_places(unit, new), _places(unit, old))
    diff = round(float(new) - float(old), places)
    if diff == 0:
        return UNCHANGED
    sign = "+" if diff > 0 else "-"
    if unit == "%":
        return f"{sign}{abs(diff):.{places}f}个百分点"
    return sign + format_value(abs(diff), unit, places)


def preview(report: ValidationReport, catalogue: Catalogue, live: pd.DataFrame) -> pd.DataFrame:
    """The rows a valid file would bring in, as people read them, against the current live values."""
    series = catalogue.series()
    home = catalogue.regions.home_county or ""
    current: dict[tuple, float] = {}
    if not live.empty:
        columns = live[["indicator_id", "year", "region", "sex", "value"]].itertuples(index=False)
        for (key, year, region, sex, value), county in zip(columns, _live_counties(live, catalogue), strict=True):
            if not pd.isna(year):
                current[(key, int(year), county, region, sex)] = value
    records = report.rows.to_dict("records")
    counties = [str(r.get("county") or "") or home for r in records]
    with_county = shows_county(counties, catalogue)
    rows = []
    for record, county in zip(records, counties, strict=True):
        key = record["indicator_id"]
        info = series.get(key)
        unit = info.unit if info else ""
        year = int(record["year"])
        value = float(record["value"])
        old = current.get((key, year, county, record["region"], record["sex"]))
        old = None if old is None or pd.isna(old) else float(old)
        rows.append({
            "行": int(record["_row"]),
            "指标编号": "、".join(info.target_ids) if info else str(key),
            "指标名称": info.name if info else "",
            "年份": year,
            COUNTY_COLUMN: catalogue.regions.label(county) if county else "",
            "地区": record["region"],
            "性别": record["sex"],
            "数值": format_value(value, unit, _places(unit, value)),
            "分子": _count(record["numerator"]),
            "分母": _count(record["denominator"]),
            "现值": format_value(old, unit, _places(unit, old)) if old is not None else "—",
            "变化": change_text(value, old, unit),
        })
    return pd.DataFrame(rows, columns=_with_county(PREVIEW_COLUMNS) if with_county else PREVIEW_COLUMNS)


def _with_county(columns: list[str]) -> list[str]:
    at = columns.index("地区")
    return [*columns[:at], COUNTY_COLUMN, *columns[at:]]


def change_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many preview rows are new, unchanged, or change a live value."""
    if table.empty:
        return {NEW: 0, "更新": 0, UNCHANGED: 0}
    new = int((table["变化"] == NEW).sum())
    same = int((table["变化"] == UNCHANGED).sum())
    return {NEW: new, "更新": len(table) - new - same, UNCHANGED: same}


def submit_missing(department: str | None, user: str | None) -> str | None:
    """What must still be filled in before a file can be submitted, as a sentence; None when nothing."""
    missing = [label for label, value in (("报送单位", department), ("提交人姓名", user)) if not (value or "").strip()]
    if not missing:
        return None
    return f"请先在页面上方{'和'.join(('选择' if m == '报送单位' else '填写') + m for m in missing)}。"


def other_years(report: ValidationReport, year: int) -> list[int]:
    """Years in a file other than the one being reported (corrections of earlier years are allowed, but worth a look)."""
    if report.rows.empty:
        return []
    return sorted({int(y) for y in report.rows["year"].dropna()} - {year})


# ---------------------------------------------------------------- submissions


def _when(text: str | None) -> str:
    if not text:
        return ""
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def _explanation(entry: Entry) -> str:
    status = entry["status"]
    if status == SubmissionStatus.PENDING:
        return "待办公室审核"
    if status == SubmissionStatus.APPROVED:
        return f"{entry.get('reviewed_by') or '办公室'}于 {_when(entry.get('reviewed_at'))} 批准，数据已生效"
    if status == SubmissionStatus.SUPERSEDED:
        return f"已被后来的提交 {entry.get('superseded_by')} 替代"
    return entry.get("reason") or ""


def submission_time(text: str | None) -> str:
    """A stored ISO time as people read it: 2025-03-01 09:30."""
    return _when(text)


def submissions_table(entries: Iterable[Entry], department: str | None = None, limit: int | None = 20,
                      with_department: bool = False) -> pd.DataFrame:
    """Submissions (of one department), newest first, with status labels and the office's reasons."""
    chosen = [e for e in entries if department is None or e["department"] == department]
    chosen = list(reversed(chosen))[:limit] if limit else list(reversed(chosen))
    rows = [{
        **({"单位": e["department"]} if with_department else {}),
        "提交编号": e["id"],
        "提交时间": _when(e["time"]),
        "提交人": e["user"],
        "文件名": e["filename"],
        "行数": e["rows"],
        "状态": SUBMISSION_STATUS_LABELS.get(e["status"], e["status"]),
        "说明": _explanation(e),
    } for e in chosen]
    return pd.DataFrame(rows, columns=(["单位"] if with_department else []) + SUBMISSION_COLUMNS)


def pending_keys(store: Store, catalogue: Catalogue) -> set[tuple[str, int, str]]:
    """(reporting key, year, county) of every headline value in a pending submission (`rows.headline_rows`);
    raises StoreError on a broken manifest.

    The county is "" for a file kept before the 区县 column existed (the office's
    own county); the 报送情况 functions take the keys of the county they count.
    """
    keys: set[tuple[str, int, str]] = set()
    for entry in store.submissions(SubmissionStatus.PENDING):
        path = store.normalized_dir / f"{entry['id']}.csv"
        try:
            rows = read_rows_csv(path, ["indicator_id", "year", "county", "region", "sex"])
        except (FileNotFoundError, ValueError):
            continue  # the store cannot approve it either; the office sees it in the list
        totals = headline_rows(rows[rows["year"].notna()], catalogue)
        keys.update((str(k), int(y), str(c)) for k, y, c in totals[["indicator_id", "year", "county"]].itertuples(index=False))
    return keys


# ---------------------------------------------------------------- reporting


def reporting_county(catalogue: Catalogue, data: pd.DataFrame, county: str | None = None) -> str | None:
    """The county whose 报送情况 is counted: the one given (code or name); else the only county the rows hold
    (a county page passes the chosen county's rows); else the office's own county; else the county with the
    most rows. None when nothing tells (a city or province office without data): every county counts.

    Other counties' rows, which a city office or a county comparing with its neighbours brings in, must not
    count as the county's own: a key is 已报送 only when this county's total has a value.
    """
    if county is not None:
        return catalogue.regions.resolve(county)
    counts = data["county"].fillna("").astype(str).value_counts() if not data.empty and "county" in data else pd.Series(dtype=int)
    present = sorted((c for c in counts.index if c), key=lambda c: (-counts[c], c))
    if len(present) == 1:
        return present[0]
    return catalogue.regions.default_county(present)


def _counted(catalogue: Catalogue, code: str | None) -> set[str] | None:
    """The county values that belong to the counted county: its code, and "" (kept before the 区县 column
    existed) when it is the office's own; None for every county."""
    if code is None:
        return None
    return {code, ""} if code == catalogue.regions.home_county or catalogue.regions.home_county is None else {code}


def county_rows(catalogue: Catalogue, data: pd.DataFrame, county: str | None = None) -> pd.DataFrame:
    """The rows of the county whose 报送情况 is counted (`reporting_county`)."""
    counted = _counted(catalogue, reporting_county(catalogue, data, county))
    if counted is None or data.empty or "county" not in data:
        return data
    return data[data["county"].fillna("").astype(str).isin(counted)]


def county_pending(catalogue: Catalogue, data: pd.DataFrame, pending: Iterable[tuple], county: str | None = None) -> set[tuple[str, int]]:
    """(reporting key, year) of the pending keys of the counted county (`reporting_county`); takes `pending_keys`'
    (key, year, county) or plain (key, year) pairs (taken as the counted county's)."""
    counted = _counted(catalogue, reporting_county(catalogue, data, county))
    out: set[tuple[str, int]] = set()
    for item in pending:
        key, year, *rest = item
        if counted is None or not rest or rest[0] in counted:
            out.add((key, year))
    return out


def reporting_table(catalogue: Catalogue, data: pd.DataFrame, year: int, pending: Iterable[tuple] = (),
                    county: str | None = None) -> pd.DataFrame:
    """summaries.completeness with the 报送情况 marked (● 已报送), 未报送 first, then 待审核;
    the plain state is kept in 状态 for filters and colours. Only one county's rows count
    (`county`, else the county the rows are of; see `reporting_county`)."""
    table = completeness(catalogue, county_rows(catalogue, data, county), year, county_pending(catalogue, data, pending, county))
    if table.empty:
        return table.assign(报送情况=pd.Series(dtype=str))
    table["状态"] = table["报送情况"]
    table["报送情况"] = table["报送情况"].map(STATE_MARKERS)
    rank = table["状态"].map({MISSING: 0, PENDING: 1, REPORTED: 2})
    return table.iloc[rank.argsort(kind="stable")].reset_index(drop=True)  # what needs chasing first


def state_style(marked: str) -> str:
    """CSS for a marked 报送情况 cell: green 已报送, blue 待审核, red 未报送."""
    for state, color in STATE_COLORS.items():
        if str(marked).endswith(state):
            weight = "font-weight: 600; " if state == MISSING else ""
            return f"{weight}color: {color}"
    return ""


def department_summary(table: pd.DataFrame) -> pd.DataFrame:
    """单位 × (应报, 已报送, 待审核, 未报送, 报送率 in %), worst first."""
    plain = table.assign(报送情况=table["状态"]) if "状态" in table else table
    summary = completeness_by_department(plain)
    summary["报送率"] = (summary["报送率"].astype(float) * 100).round(1)
    summary.columns.name = None
    return summary


def reporting_totals(table: pd.DataFrame) -> dict[str, float | int | None]:
    """应报, 已报送, 待审核, 未报送 over all departments, and 报送率 in %."""
    states = table["状态"] if "状态" in table else table["报送情况"]
    total = len(table)
    reported = int((states == REPORTED).sum())
    return {
        "应报": total,
        REPORTED: reported,
        PENDING: int((states == PENDING).sum()),
        MISSING: int((states == MISSING).sum()),
        "报送率": round(100 * reported / total, 1) if total else None,
    }


def reporting_departments(catalogue: Catalogue, table: pd.DataFrame) -> list[str]:
    """The departments that lead a reporting key, in the order of targets/departments.yaml."""
    present = set(table["单位"]) if "单位" in table else set()
    return [d.name for d in catalogue.departments if d.name in present] + sorted(present - {d.name for d in catalogue.departments})


def filter_reporting(table: pd.DataFrame, department: str | None = None, state: str | None = None) -> pd.DataFrame:
    """Rows of one department and/or one state (已报送 / 待审核 / 未报送)."""
    mask = pd.Series(True, index=table.index)
    if department:
        mask &= table["单位"] == department
    if state:
        mask &= table["状态"] == state
    return table[mask].reset_index(drop=True)


def rate_overview(catalogue: Catalogue, data: pd.DataFrame, years: Iterable[int], pending: Iterable[tuple] = (),
                  county: str | None = None) -> pd.DataFrame:
    """单位 × 年份: 报送率 in % of the keys each department leads, with a 全部单位 row first (one county's, as `reporting_table`)."""
    pending = county_pending(catalogue, data, pending, county)
    data = county_rows(catalogue, data, county)
    years = list(years)
    columns = {}
    totals = {}
    for year in years:
        table = completeness(catalogue, data, year, pending)
        summary = completeness_by_department(table).set_index("单位")
        columns[f"{year}年"] = (summary["报送率"].astype(float) * 100).round(1)
        totals[f"{year}年"] = round(100 * (table["报送情况"] == REPORTED).mean(), 1) if len(table) else float("nan")
    if not columns:
        return pd.DataFrame(columns=["单位"])
    frame = pd.DataFrame(columns)
    order = {d.name: i for i, d in enumerate(catalogue.departments)}
    frame = frame.loc[sorted(frame.index, key=lambda name: (order.get(name, len(order)), name))]
    total = pd.DataFrame([totals], index=["全部单位"])
    return pd.concat([total, frame]).rename_axis("单位").reset_index()


def chase_list(table: pd.DataFrame) -> pd.DataFrame:
    """催报清单: the keys not yet reported (nor pending), by department."""
    plain = table.assign(报送情况=table["状态"]) if "状态" in table else table
    missing = plain[plain["报送情况"] == MISSING]
    return missing.sort_values(["单位", "编号"], kind="stable")[CHASE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- guide


def format_guide(sections: Iterable[str] = GUIDE_SECTIONS, docs: Path = DOCS) -> str:
    """Sections of docs/data-format.md (by their Chinese numeral), headings one level smaller for a dialog."""
    text = (docs / "data-format.md").read_text(encoding="utf-8")
    parts = re.split(r"\n(?=## )", text)
    wanted = []
    for number in sections:
        for part in parts:
            if part.startswith(f"## {number}、"):
                wanted.append(re.sub(r"^(#{2,5}) ", lambda m: "#" * (len(m.group(1)) + 1) + " ", part, flags=re.MULTILINE))
    return "\n\n".join(wanted)


# ---------------------------------------------------------------- review


REVIEW_COLUMNS = ["序号", "指标编号", "指标名称", "年份", "地区", "性别", "数值", "分子", "分母", "现值", "变化", "数据来源", "备注"]


def review_preview(rows: pd.DataFrame, catalogue: Catalogue, live: pd.DataFrame) -> pd.DataFrame:
    """A pending submission's stored rows (what approving makes live) against the current values, for the office.

    The same table as the department's preview, numbered in file order, with
    the department's source and note added (shown as plain text, never as markup).
    """
    numbered = rows.reset_index(drop=True).assign(_row=lambda f: range(1, len(f) + 1))
    table = preview(ValidationReport(numbered, [], []), catalogue, live).rename(columns={"行": "序号"})
    table["数据来源"] = numbered["source"].fillna("").astype(str).to_numpy() if len(numbered) else []
    table["备注"] = numbered["note"].fillna("").astype(str).to_numpy() if len(numbered) else []
    return table[_with_county(REVIEW_COLUMNS) if COUNTY_COLUMN in table else REVIEW_COLUMNS]
