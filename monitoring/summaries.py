"""Tables the dashboard pages and the reports share: built here so pages only draw them.

Every table uses Chinese column names as people read them; status and warning
labels come from `monitoring.evaluation` (the one place that defines them): at or
after a target's year a status reads as the final verdict (已实现 / 未实现 / 无法评估),
and a table of one phase lists only that phase's statuses (`phase_statuses`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import pandas as pd

from monitoring.catalogue import DIRECTION_ONLY, KIND_LABELS, TOTAL_SEX, Catalogue, Kind, Target
from monitoring.evaluation import (
    STATUS_STYLE,
    WARNING_LABELS,
    WARNING_SEVERITY,
    Evaluation,
    Result,
    Status,
    phase_statuses,
    status_label,
    status_record,
)
from monitoring.rows import reported_keys, sex_rows, township_rows
from monitoring.units import decimals_for, format_value

# The 报送情况 of a reporting key in a year (`completeness`).
REPORTED, PENDING, MISSING = "已报送", "待审核", "未报送"
DEPARTMENT_COMPLETENESS = ["单位", "应报", REPORTED, PENDING, MISSING, "报送率"]  # `completeness_by_department` columns
# Targets on which the lower value is the better one (the 区县对比 ranks them lowest first).
LOWER_IS_BETTER = {Kind.MAX, Kind.DECREASE, Kind.REDUCE_FROM_BASE}


def status_badge(status: Status | str, text: str | None = None, final: bool = False) -> str:
    """Markdown for a coloured badge that carries the status as text (never colour alone); `final`: the verdict's label."""
    style = STATUS_STYLE[Status(status)]
    return f":{style.tone}-badge[{text or status_label(status, final)}]"


def phase_labels(final: bool | None) -> list[tuple[Status, str]]:
    """(status, label) of every status a table of this phase can show, in display order.

    A mix of phases (None: plans whose periods differ) shows each status under its period label, plus the
    verdict's own labels (已实现, 无法评估) where they differ, so every row's label is among them.
    """
    if final is not None:
        return [(s, status_label(s, final)) for s in phase_statuses(final)]
    out = [(s, status_label(s)) for s in phase_statuses(None)]
    for s in phase_statuses(True):
        if status_label(s, True) not in {label for _, label in out}:
            out.append((s, status_label(s, True)))
    return sorted(out, key=lambda item: STATUS_STYLE[item[0]].order)


def attainment_help(final: bool | None) -> str:
    """How the 达标率 is computed, in the phase's words (no brackets: callers put it in theirs)."""
    if final:
        return "已实现指标数 ÷ 有数据的指标数，无法评估的指标不计入分母"
    if final is None:
        return "已达标（已实现）指标数 ÷ 有数据的指标数，无数据、数据不足和无法评估的指标不计入分母"
    return "已达标指标数 ÷ 有数据的指标数，无数据、数据不足的指标不计入分母"


def detail_link(target_id: str) -> str:
    """The URL of a target's detail page (deep link)."""
    return f"/detail?id={target_id}"


def plan_title(catalogue: Catalogue, plan: str) -> str:
    return catalogue.plans[plan].title


def plan_short(catalogue: Catalogue, plan: str) -> str:
    """妇女规划 / 儿童规划 / 残疾人规划 — short names for tiles and legends."""
    title = catalogue.plans[plan].title
    for word, short in (("妇女", "妇女规划"), ("儿童", "儿童规划"), ("残疾人", "残疾人规划")):
        if word in title:
            return short
    return title


def latest_text(result: Result) -> str:
    if result.latest is None:
        return "—"
    return f"{format_value(result.latest.value, result.target.unit, display_places(result))}（{result.latest.year}年）"


def display_places(result: Result) -> int:
    """Decimals to show a result's values with: the unit's, widened for the target and latest value, at most 2."""
    return min(2, decimals_for(result.target.unit, result.target.target_value, result.latest.value if result.latest else None))


def value_formatter(result: Result) -> Callable[[float | None], str]:
    """Values of a target as its sentences print them: the unit, the plan's precision, at most 2 decimals."""
    t = result.target
    latest = result.latest.value if result.latest else None
    places = min(2, decimals_for(t.unit, t.target_value, latest))

    def fmt(value: float | None) -> str:
        if value is None or value != value:
            return "—"
        return format_value(float(value), t.unit, places)

    return fmt


def effective_target(result: Result) -> float | None:
    """T as evaluated; for a target without data, the plan's own value where it does not depend on a baseline."""
    if result.target_value is not None:
        return result.target_value
    if result.target.kind in (Kind.MAX, Kind.MIN, Kind.APPROX):
        return result.target.target_value
    return None


def target_text(result: Result) -> str:
    """The target line's label: 目标 ≤12.5/10万; 目标 ≤14.0/10万（较2020年下降20%）; 基期值 7.2%（目标：逐步提高）."""
    t = result.target
    fmt = value_formatter(result)
    T = effective_target(result)
    if t.kind == Kind.REDUCE_FROM_BASE:
        return f"目标 ≤{fmt(T)}（{t.target_label()}）" if T is not None else f"目标 {t.target_label()}"
    if t.kind in DIRECTION_ONLY:
        base = f"{result.baseline_year}年基期值 {fmt(result.baseline_value)}" if result.baseline_value is not None else "基期值"
        return f"{base}（目标：{KIND_LABELS[t.kind]}）"
    return f"目标 {t.target_label()}"


def plan_tiles(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Per plan: targets, 达标率 and counts by status, for the overview tiles.

    `counts` holds the statuses of the plan's phase in display order (at the final year 已实现 / 未实现 / 无法评估),
    `labels` their labels, `final` the phase (see `Evaluation.final`).
    """
    tiles = []
    summary = evaluation.summary("plan")
    for record in summary.to_dict("records"):
        plan = record["plan"]
        rate = record["attainment"]
        final = evaluation.subset(plan).final
        tiles.append({
            "plan": plan,
            "title": plan_title(evaluation.catalogue, plan),
            "short": plan_short(evaluation.catalogue, plan),
            "targets": record["targets"],
            "with_data": record["with_data"],
            "attainment": None if rate is None or rate != rate else rate,
            "final": final,
            "counts": {s: record[s.value] for s in phase_statuses(final)},
            "labels": {s: status_label(s, bool(final)) for s in phase_statuses(final)},
        })
    return tiles


def combined_record(evaluation: Evaluation) -> dict[str, Any]:
    """Targets by status and 达标率 over every plan of the evaluation, a statistic shared by two plans counted once
    (`Evaluation.counted`); `shared` is how many targets that leaves out."""
    counted = evaluation.counted()
    record = status_record(counted)
    record["shared"] = len(evaluation.results) - len(counted)
    return record


def domain_status_counts(evaluation: Evaluation) -> pd.DataFrame:
    """Long table (规划, 领域, 状态, 指标数) in the plans' own domain order, for the stacked bar chart."""
    rows = []
    for plan_key, plan in evaluation.catalogue.plans.items():
        for domain in plan.domains:
            group = [r for r in evaluation.results if r.target.plan == plan_key and r.target.domain == domain]
            if not group:
                continue
            final = evaluation.subset(plan_key).final
            for status, label in phase_labels(final):
                if final is None:  # a mix of phases: each result under its own label
                    count = sum(1 for r in group if r.status == status and r.label == label)
                else:
                    count = sum(1 for r in group if r.status == status)
                rows.append({"规划": plan_short(evaluation.catalogue, plan_key), "领域": domain, "状态": label,
                             "status": status.value, "指标数": count})
    return pd.DataFrame(rows, columns=["规划", "领域", "状态", "status", "指标数"])


def completeness_overview(evaluation: Evaluation, data: pd.DataFrame) -> dict[str, Any]:
    """How complete the evaluation year's data is: keys reported for the county, out of all keys."""
    plans = {r.target.plan for r in evaluation.results}
    plan = next(iter(plans)) if len(plans) == 1 else None
    table = completeness(evaluation.catalogue, data, evaluation.year, plan=plan)
    reported = int((table["报送情况"] == REPORTED).sum()) if not table.empty else 0
    total = len(table)
    return {"reported": reported, "total": total, "rate": reported / total if total else None,
            "by_department": completeness_by_department(table)}


def warnings_table(evaluation: Evaluation) -> pd.DataFrame:
    """One row per warning, most serious first: 预警, 编号, 指标, 规划, 领域, 牵头单位, 状态, 说明."""
    rows = []
    for r in evaluation.results:
        for w in r.warnings:
            rows.append({
                "预警": WARNING_LABELS[w.code],
                "code": w.code.value,
                "编号": r.target.id,
                "指标": r.target.name,
                "规划": plan_short(evaluation.catalogue, r.target.plan),
                "领域": r.target.domain,
                "牵头单位": r.target.department.lead,
                "状态": r.label,
                "说明": w.message,
                "_severity": WARNING_SEVERITY[w.code],
                "_status_order": STATUS_STYLE[r.status].order,
            })
    frame = pd.DataFrame(rows, columns=["预警", "code", "编号", "指标", "规划", "领域", "牵头单位", "状态", "说明", "_severity", "_status_order"])
    if frame.empty:
        return frame.drop(columns=["_severity", "_status_order"])
    frame = frame.sort_values(["_severity", "_status_order", "编号"], ascending=[True, False, True], kind="stable")
    return frame.drop(columns=["_severity", "_status_order"]).reset_index(drop=True)


def top_warnings(evaluation: Evaluation, limit: int = 8) -> pd.DataFrame:
    """The most serious warnings, at most one per target, for the overview."""
    table = warnings_table(evaluation)
    if table.empty:
        return table
    return table.drop_duplicates("编号").head(limit).reset_index(drop=True)


def indicator_table(evaluation: Evaluation, data: pd.DataFrame, years: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per target for the 指标监测 page: status, warnings, values, progress and the series for a sparkline."""
    catalogue = evaluation.catalogue
    years = list(years) if years is not None else _years(data, evaluation.year)
    rows = []
    for r in evaluation.results:
        t = r.target
        values = {p.year: p.value for p in r.points}  # the series the engine judged (a women's target: the 女 values)
        rows.append({
            "编号": t.id,
            "规划": plan_short(catalogue, t.plan),
            "领域": t.domain,
            "指标": t.name,
            "牵头单位": t.department.lead,
            "目标": t.target_label(),
            "最新值": latest_text(r),
            "状态": r.label,
            "status": r.status.value,
            "预警": "、".join(w.label for w in r.warnings),
            "warnings": [w.code.value for w in r.warnings],
            "趋势": [values.get(y) for y in years] if values else [],
            "完成进度": _clip(r.progress),
            "序时进度": r.time_progress,
            "说明": r.explanation,
        })
    return pd.DataFrame(rows)


def progress_text(result: Result) -> str:
    """目标完成进度 as a figure people read: past 100% the target is reached, not "571%"."""
    if result.progress is None:
        return "—"
    if result.progress >= 1:
        return "已达到目标"
    return f"{result.progress * 100:.0f}%"


def _clip(value: float | None) -> float | None:
    if value is None:
        return None
    return max(0.0, min(1.0, value))


def _years(data: pd.DataFrame, up_to: int) -> list[int]:
    if data.empty:
        return []
    return sorted(int(y) for y in data["year"].dropna().unique() if y <= up_to)


def filter_indicators(table: pd.DataFrame, plan: str | None = None, domain: str | None = None, department: str | None = None,
                      status: str | None = None, warning: str | None = None, query: str = "") -> pd.DataFrame:
    """Rows matching every given filter (labels as shown in the table); the query searches id, name and explanation."""
    mask = pd.Series(True, index=table.index)
    if plan:
        mask &= table["规划"] == plan
    if domain:
        mask &= table["领域"] == domain
    if department:
        mask &= table["牵头单位"] == department
    if status:
        mask &= table["状态"] == status
    if warning:
        mask &= table["预警"].str.contains(warning, regex=False)
    query = query.strip()
    if query:
        text = table["编号"] + " " + table["指标"] + " " + table["说明"]
        mask &= text.str.contains(query, case=False, regex=False)
    return table[mask].reset_index(drop=True)


def breakdown(data: pd.DataFrame, target: Target, year: int) -> dict[str, pd.DataFrame]:
    """Township and 女/男 values of a target's series up to `year`, as year × region and year × sex tables."""
    rows = data[(data["indicator_id"] == target.series_key) & (data["year"] <= year)] if not data.empty else data
    out: dict[str, pd.DataFrame] = {}
    if rows.empty:
        return out
    regions = township_rows(rows)
    if not regions.empty:
        out["region"] = regions.pivot_table(index="region", columns="year", values="value", aggfunc="last")
    sexes = sex_rows(rows, both_sexes_target=target.sex == TOTAL_SEX)
    if not sexes.empty:
        out["sex"] = sexes.pivot_table(index="sex", columns="year", values="value", aggfunc="last")
    return out


def completeness(catalogue: Catalogue, data: pd.DataFrame, year: int, pending_keys: Iterable[tuple[str, int]] = (),
                 plan: str | None = None) -> pd.DataFrame:
    """Per reporting key and year: 已报送 / 待审核 / 未报送, with the responsible department.

    A key counts as reported for the year when the county has a value of a series its targets read
    (`rows.reported_keys`: 合计, or 女 for a women's indicator). With `plan`, only the keys that plan's targets use.
    """
    reported = reported_keys(data, catalogue, year)
    pending = {key for key, y in pending_keys if y == year}
    rows = []
    wanted = {t.series_key for t in catalogue.for_plan(plan)}
    for key, series in catalogue.series().items():
        if key not in wanted:
            continue
        first = catalogue.get(series.target_ids[0])
        assert first is not None
        state = REPORTED if key in reported else (PENDING if key in pending else MISSING)
        rows.append({"单位": first.department.lead, "编号": "、".join(series.target_ids), "指标": series.name,
                     "年份": year, "报送情况": state, "key": key})
    return pd.DataFrame(rows)


def completeness_by_department(table: pd.DataFrame) -> pd.DataFrame:
    """单位 × (应报, 已报送, 待审核, 未报送, 报送率), worst first."""
    if table.empty:
        return pd.DataFrame(columns=DEPARTMENT_COMPLETENESS)
    counts = table.pivot_table(index="单位", columns="报送情况", values="key", aggfunc="count", fill_value=0)
    for column in (REPORTED, PENDING, MISSING):
        if column not in counts:
            counts[column] = 0
    counts["应报"] = counts[[REPORTED, PENDING, MISSING]].sum(axis=1)
    counts["报送率"] = counts[REPORTED] / counts["应报"]
    counts = counts.reset_index()[DEPARTMENT_COMPLETENESS]
    return counts.sort_values(["报送率", "应报"], ascending=[True, False]).reset_index(drop=True)


# ---------------------------------------------------------------- 区县对比


def most_compared(overview: pd.DataFrame, preferred: str = "W1-02") -> str | None:
    """The target the 区县对比 opens with: `preferred` when no target has data in more counties, else the first
    (in catalogue order) with data in the most counties. `overview` is `CountyComparison.indicator_overview()`."""
    if overview.empty:
        return None
    most = overview["有数据的区县"].max()
    if preferred in set(overview.loc[overview["有数据的区县"] == most, "编号"]):
        return preferred
    return str(overview.loc[overview["有数据的区县"] == most, "编号"].iloc[0])


class _IndicatorTables(Protocol):
    """What `comparison_sheets` reads of a `comparison.IndicatorComparison` (comparison imports this module)."""

    target: Target
    table: pd.DataFrame
    warnings: pd.DataFrame


class _CountyTables(Protocol):
    """What `comparison_sheets` reads of a `comparison.CountyComparison`."""

    year: int

    @property
    def several_cities(self) -> bool: ...

    def county_table(self, with_city: bool = False) -> pd.DataFrame: ...

    def warning_counties(self, with_city: bool = False) -> pd.DataFrame: ...

    def indicator_overview(self) -> pd.DataFrame: ...


def comparison_sheets(comparison: _CountyTables, indicator: _IndicatorTables) -> dict[str, pd.DataFrame]:
    """The 区县对比 tables as Excel sheets: the chosen target's ranking and warnings, the counties' 达标率 (as 75.2%),
    the counties with warnings, and every target's counties by status."""
    year = comparison.year
    with_city = comparison.several_cities
    counties = comparison.county_table(with_city=with_city)
    counties["达标率"] = [None if pd.isna(v) else f"{v * 100:.1f}%" for v in counties["达标率"]]
    return {
        f"{indicator.target.id}各区县{year}年": indicator.table.drop(columns=["value", "status"]),
        f"{indicator.target.id}预警区县": indicator.warnings,
        f"各区县{year}年总体情况": counties,
        "有预警的区县": comparison.warning_counties(with_city=with_city),
        "各指标区县分布": comparison.indicator_overview(),
    }


def ranking_rule(target: Target) -> str:
    """How the 区县对比 ranks counties on a target, in words (the rule is `comparison._ranking`'s)."""
    if target.kind in LOWER_IS_BETTER:
        return "数值越低越好"
    if target.kind == Kind.APPROX:
        return "越接近目标越好"
    return "数值越高越好"
