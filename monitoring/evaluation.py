"""Evaluation: status, progress against the clock, projection and warnings per target and year.

Implements docs/methodology.md exactly; the status and warning codes are a
contract shared with the dashboard, the reports and the tests. Rates of rare
events are judged with their counts: exact intervals (Garwood for rates,
Wilson for proportions) replace point comparisons below 20 events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

from monitoring.catalogue import COUNTY_REGION, DIRECTION_ONLY, Catalogue, Kind, Scope, Target
from monitoring.units import UNITS, decimals_for, format_value

TOTAL_SEX = "合计"
Z95 = 1.959963984540054


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


class WarningCode(StrEnum):
    PROJECTED_MISS = "projected_miss"
    REGRESSION = "regression"
    SLIPPED = "slipped"
    STALE = "stale"
    FLUCTUATION = "fluctuation"
    SMALL_NUMBERS = "small_numbers"
    REGION_BELOW = "region_below"


@dataclass(frozen=True)
class Style:
    label: str
    colour: str  # hex, for charts and Excel
    order: int
    tone: str  # a named colour for text badges (green, blue, orange, red, gray)


# The one place that defines how a status looks, for every page, chart and export.
STATUS_STYLE: dict[Status, Style] = {
    Status.ACHIEVED: Style("已达标", "#2e7d32", 0, "green"),
    Status.ON_TRACK: Style("进度正常", "#1565c0", 1, "blue"),
    Status.AT_RISK: Style("预计难以达标", "#ef8f00", 2, "orange"),
    Status.OFF_TRACK: Style("严重滞后", "#c62828", 3, "red"),
    Status.NO_DATA: Style("无数据", "#8a8a8a", 4, "gray"),
}
WARNING_LABELS: dict[WarningCode, str] = {
    WarningCode.PROJECTED_MISS: "预计难以达标",
    WarningCode.REGRESSION: "较上次退步",
    WarningCode.SLIPPED: "曾达标现未达标",
    WarningCode.STALE: "数据缺报",
    WarningCode.FLUCTUATION: "波动较大",
    WarningCode.SMALL_NUMBERS: "事件数少",
    WarningCode.REGION_BELOW: "乡镇未达标",
}
# Most serious first, for "the most serious warnings".
WARNING_SEVERITY: dict[WarningCode, int] = {
    WarningCode.SLIPPED: 0, WarningCode.PROJECTED_MISS: 1, WarningCode.REGION_BELOW: 2, WarningCode.REGRESSION: 3,
    WarningCode.FLUCTUATION: 4, WarningCode.STALE: 5, WarningCode.SMALL_NUMBERS: 6,
}

OUTPUT_COLUMNS = [
    "id", "plan", "name", "year", "latest_year", "latest_value", "baseline_year", "baseline_value", "target_value",
    "status", "progress", "time_progress", "projected_value", "projected_year", "ci_low", "ci_high", "warnings", "explanation",
]


@dataclass(frozen=True)
class WarningItem:
    code: WarningCode
    message: str

    @property
    def label(self) -> str:
        return WARNING_LABELS[self.code]


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    numerator: float | None = None
    denominator: float | None = None

    @property
    def has_counts(self) -> bool:
        return self.numerator is not None and self.denominator is not None and self.denominator > 0


@dataclass
class Result:
    """The evaluation of one target in one year."""

    target: Target
    year: int
    status: Status
    points: list[Point]
    baseline_value: float | None = None
    baseline_year: int | None = None
    baseline_source: str | None = None  # reported | catalogue | earliest
    target_value: float | None = None
    direction: int = 0
    latest: Point | None = None
    progress: float | None = None
    time_progress: float | None = None
    projected_value: float | None = None
    projected_year: int | None = None
    ci: tuple[float, float] | None = None
    pooled: tuple[float, float, float, int, int] | None = None  # rate, low, high, first year, last year
    township_values: dict[str, float] = field(default_factory=dict)
    townships_below: list[str] = field(default_factory=list)
    warnings: list[WarningItem] = field(default_factory=list)
    explanation: str = ""

    @property
    def warning_codes(self) -> list[str]:
        return [w.code.value for w in self.warnings]

    def row(self) -> dict[str, Any]:
        return {
            "id": self.target.id,
            "plan": self.target.plan,
            "name": self.target.name,
            "year": self.year,
            "latest_year": self.latest.year if self.latest else None,
            "latest_value": self.latest.value if self.latest else None,
            "baseline_year": self.baseline_year,
            "baseline_value": self.baseline_value,
            "target_value": self.target_value,
            "status": self.status.value,
            "progress": self.progress,
            "time_progress": self.time_progress,
            "projected_value": self.projected_value,
            "projected_year": self.projected_year,
            "ci_low": self.ci[0] if self.ci else None,
            "ci_high": self.ci[1] if self.ci else None,
            "warnings": ";".join(self.warning_codes),
            "explanation": self.explanation,
        }


# ---------------------------------------------------------------- statistics


def poisson_interval(events: float, denominator: float, scale: float) -> tuple[float, float]:
    """Exact (Garwood) 95% interval of a rate of rare events, in the unit's scale."""
    k = float(events)
    low = 0.0 if k == 0 else chi2.ppf(0.025, 2 * k) / 2
    high = chi2.ppf(0.975, 2 * k + 2) / 2
    return low / denominator * scale, high / denominator * scale


def wilson_interval(successes: float, total: float, scale: float) -> tuple[float, float]:
    """Wilson 95% interval of a proportion, in the unit's scale."""
    p = successes / total
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = Z95 * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return max(0.0, centre - half) * scale, min(1.0, centre + half) * scale


def interval(numerator: float, denominator: float, unit: str) -> tuple[float, float] | None:
    """Proportions (%) get Wilson; rates of events per population (‰, 1/10万) get Garwood."""
    info = UNITS.get(unit)
    if info is None or info.scale is None or denominator <= 0:
        return None
    if unit == "%":
        return wilson_interval(numerator, denominator, info.scale)
    return poisson_interval(numerator, denominator, info.scale)


def least_squares(points: list[Point], at_year: int) -> float | None:
    """The least-squares line through the points, evaluated at `at_year`; none from fewer than two years."""
    if len({p.year for p in points}) < 2:
        return None
    x = np.array([p.year for p in points], dtype=float)
    y = np.array([p.value for p in points], dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope * at_year + intercept)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# ---------------------------------------------------------------- one target


def meets(target: Target, x: float, target_value: float | None, baseline: float | None) -> bool:
    """Whether a value satisfies the target (docs/methodology.md, meets(x))."""
    k = target.kind
    if k in (Kind.MAX, Kind.REDUCE_FROM_BASE):
        return target_value is not None and x <= target_value + 1e-9
    if k == Kind.MIN:
        return target_value is not None and x >= target_value - 1e-9
    if k == Kind.APPROX:
        return target_value is not None and abs(x - target_value) <= (target.tolerance or 0) + 1e-9
    # A direction target whose baseline already sits at the end of the unit's range (100%, 0) cannot move
    # further: holding it there is attainment.
    unit = UNITS.get(target.unit)
    if k == Kind.INCREASE:
        at_ceiling = unit is not None and unit.upper is not None and baseline is not None and baseline >= unit.upper
        return baseline is not None and (x > baseline or (at_ceiling and x >= baseline))
    if k == Kind.DECREASE:
        at_floor = unit is not None and baseline is not None and baseline <= unit.lower
        return baseline is not None and (x < baseline or (at_floor and x <= baseline))
    raise ValueError(k)


def evaluate_target(target: Target, year: int, points: list[Point], townships: dict[str, list[Point]] | None = None) -> Result:
    """Status and warnings of one target at evaluation year `year` from its county series."""
    points = sorted((p for p in points if p.year <= year), key=lambda p: p.year)
    result = Result(target=target, year=year, status=Status.NO_DATA, points=points)
    if not points:
        result.explanation = _explain(result)
        return result
    th = target.thresholds
    latest = points[-1]
    result.latest = latest
    base_year = target.baseline_year
    assert base_year is not None and target.target_year is not None

    # Baseline b: reported at baseline_year, else the catalogue's value, else the earliest reported.
    reported_base = next((p for p in points if p.year == base_year), None)
    if reported_base is not None:
        b, result.baseline_year, result.baseline_source = reported_base.value, base_year, "reported"
    elif target.baseline_value is not None:
        b, result.baseline_year, result.baseline_source = target.baseline_value, base_year, "catalogue"
    else:
        b, result.baseline_year, result.baseline_source = points[0].value, points[0].year, "earliest"
    result.baseline_value = b

    # Effective target T and direction d.
    if target.kind == Kind.REDUCE_FROM_BASE:
        T = b * (1 - (target.target_value or 0) / 100)
    elif target.kind in DIRECTION_ONLY:
        T = b
    else:
        T = target.target_value
    assert T is not None
    result.target_value = T
    d = target.direction if target.kind != Kind.APPROX else int(np.sign(T - b))
    result.direction = d

    v, t = latest.value, latest.year
    span = target.target_year - base_year
    result.time_progress = (t - base_year) / span if span else None
    # Progress towards a target the baseline already met is undefined (it would read as negative).
    if target.kind not in DIRECTION_ONLY and abs(T - b) > 1e-12 and not meets(target, b, T, b):
        result.progress = (v - b) / (T - b)

    # Projection through the reported values from the baseline on.
    from_base = [p for p in points if p.year >= (result.baseline_year or base_year)]
    projected = least_squares(from_base, target.target_year)
    if projected is not None:
        result.projected_value, result.projected_year = projected, target.target_year

    if latest.has_counts:
        result.ci = interval(latest.numerator, latest.denominator, target.unit)  # type: ignore[arg-type]
    result.pooled = _pooled(points, target.unit)

    # Townships (scope each_township): those reported for the latest year.
    if target.scope == Scope.EACH_TOWNSHIP and townships:
        for name, series in townships.items():
            value = next((p.value for p in series if p.year == t), None)
            if value is not None:
                result.township_values[name] = value
        result.townships_below = [n for n, x in result.township_values.items() if not meets(target, x, T, b)]

    # Status.
    single = len(points) == 1 and result.baseline_source != "catalogue"
    county_meets = meets(target, v, T, b)
    moved = d * (v - b)
    if county_meets and not result.townships_below:
        result.status = Status.ACHIEVED
    elif county_meets:
        result.status = Status.AT_RISK  # the county meets while a township misses
    elif single:
        result.status = Status.AT_RISK  # judged on a single value that misses
    elif moved > 0:
        ahead = result.progress is not None and result.time_progress is not None and result.progress >= result.time_progress
        projected_meets = projected is not None and meets(target, projected, T, b)
        result.status = Status.ON_TRACK if (ahead or projected_meets) else Status.AT_RISK
    else:
        result.status = Status.OFF_TRACK

    # Warnings.
    achieved = result.status == Status.ACHIEVED
    warnings: list[WarningItem] = []
    fmt = _formatter(target, points)
    if not achieved and projected is not None and not meets(target, projected, T, b):
        warnings.append(WarningItem(WarningCode.PROJECTED_MISS,
                                 f"按{from_base[0].year}—{t}年的趋势推算，{target.target_year}年约为{fmt(projected)}，达不到{_target_phrase(target, T, fmt)}的目标。"))
    small = latest.has_counts and (latest.numerator or 0) < th.small_numbers
    previous = points[-2] if len(points) >= 2 else None
    if previous is not None:
        worse_by = _worsening(target, previous.value, v, T, d)
        if small and previous.has_counts:
            prev_ci = interval(previous.numerator, previous.denominator, target.unit)  # type: ignore[arg-type]
            regressed = worse_by > 0 and prev_ci is not None and result.ci is not None and not _overlap(prev_ci, result.ci)
        else:
            regressed = worse_by > th.noise_floor * abs(previous.value)
        if regressed:
            warnings.append(WarningItem(WarningCode.REGRESSION,
                                     f"{t}年为{fmt(v)}，比{previous.year}年的{fmt(previous.value)}退步{fmt(abs(v - previous.value), unit=False)}{_point_unit(target)}。"))
    earlier_met = [p for p in points[:-1] if meets(target, p.value, T, b)]
    if earlier_met and not county_meets:
        warnings.append(WarningItem(WarningCode.SLIPPED,
                                 f"{earlier_met[-1].year}年曾达到目标（{fmt(earlier_met[-1].value)}），{t}年为{fmt(v)}，未达标。"))
    if t < year:
        warnings.append(WarningItem(WarningCode.STALE, f"{year}年数据缺报，状态依据{t}年的数据（{fmt(v)}）。"))
    fluctuation = _fluctuation(target, points, small, fmt)
    if fluctuation:
        warnings.append(WarningItem(WarningCode.FLUCTUATION, fluctuation))
    if small:
        ci_text = f"，95%置信区间{fmt(result.ci[0])}—{fmt(result.ci[1])}" if result.ci else ""
        pooled_text = ""
        if result.pooled and result.pooled[3] != result.pooled[4]:
            pooled_text = f"；{result.pooled[3]}—{result.pooled[4]}年合并率为{fmt(result.pooled[0])}"
        warnings.append(WarningItem(WarningCode.SMALL_NUMBERS,
                                 f"{t}年仅{_count(latest.numerator)}{target.numerator_label or '例'}（分母{_count(latest.denominator)}{target.denominator_label or ''}）{ci_text}{pooled_text}，率值受偶然因素影响大，需结合置信区间解读。"))
    if result.townships_below:
        values = "、".join(f"{n}{fmt(result.township_values[n])}" for n in result.townships_below)
        warnings.append(WarningItem(WarningCode.REGION_BELOW, f"{t}年未达标的乡（镇）：{values}。"))
    result.warnings = warnings
    result.explanation = _explain(result)
    return result


def _worsening(target: Target, before: float, after: float, T: float, d: int) -> float:
    """How much worse `after` is than `before` (positive = worse); approx with T = b uses distance to T."""
    if d == 0:
        return abs(after - T) - abs(before - T)
    return -d * (after - before)


def _fluctuation(target: Target, points: list[Point], small: bool, fmt) -> str | None:
    th = target.thresholds
    if len(points) < 2:
        return None
    latest = points[-1]
    previous = points[-4:-1]
    if small:
        pooled = _pool(previous)
        if pooled is None or not latest.has_counts:
            return None
        now = interval(latest.numerator, latest.denominator, target.unit)  # type: ignore[arg-type]
        before = interval(pooled[0], pooled[1], target.unit)
        if now and before and not _overlap(now, before):
            rate = pooled[0] / pooled[1] * (UNITS[target.unit].scale or 1)
            return (f"{latest.year}年为{fmt(latest.value)}（95%置信区间{fmt(now[0])}—{fmt(now[1])}），与前{len(previous)}年合并率"
                    f"{fmt(rate)}（{fmt(before[0])}—{fmt(before[1])}）的置信区间不重叠，波动较大。")
        return None
    mean = float(np.mean([p.value for p in previous]))
    deviation = abs(latest.value - mean)
    if deviation > th.fluctuation_mean * abs(mean) and deviation > 1e-12:
        share = f"{deviation / abs(mean) * 100:.0f}%" if mean else "—"
        return (f"{latest.year}年为{fmt(latest.value)}，与前{len(previous)}年均值{fmt(mean)}相差{share}，"
                f"超过{th.fluctuation_mean * 100:.0f}%，波动较大。")
    if len(points) >= 4:
        changes = np.abs(np.diff([p.value for p in points]))
        median = float(np.median(changes))
        last = float(changes[-1])
        if median > 0 and last > th.fluctuation_mad * median:
            return (f"{latest.year}年较{points[-2].year}年变化{fmt(last, unit=False)}{_point_unit(target)}，"
                    f"超过历年变化幅度中位数（{fmt(median, unit=False)}）的{th.fluctuation_mad:g}倍，波动较大。")
    return None


def _pool(points: list[Point]) -> tuple[float, float] | None:
    counted = [p for p in points if p.has_counts]
    if not counted or len(counted) != len(points):
        return None
    return sum(p.numerator for p in counted), sum(p.denominator for p in counted)  # type: ignore[misc]


def _pooled(points: list[Point], unit: str) -> tuple[float, float, float, int, int] | None:
    """Pooled rate of the last three reported years with counts, with its interval."""
    last3 = [p for p in points if p.has_counts][-3:]
    if not last3:
        return None
    events = sum(p.numerator for p in last3)  # type: ignore[misc]
    total = sum(p.denominator for p in last3)  # type: ignore[misc]
    scale = UNITS[unit].scale or 1
    ci = interval(events, total, unit) or (math.nan, math.nan)
    return events / total * scale, ci[0], ci[1], last3[0].year, last3[-1].year


# ---------------------------------------------------------------- sentences


def _formatter(target: Target, points: list[Point]):
    places = decimals_for(target.unit, target.target_value, *(p.value for p in points[-1:]))
    places = min(places, 2)

    def fmt(value: float, unit: bool = True) -> str:
        if unit:
            return format_value(value, target.unit, places)
        return f"{value:.{places}f}"

    return fmt


def _point_unit(target: Target) -> str:
    if target.unit == "%":
        return "个百分点"
    if target.unit == "1/10万":
        return "/10万"
    return target.unit


def _plan_value(target: Target, value: float) -> str:
    """A target value printed as the plan prints it: 90%, 12.5/10万, 99.95%."""
    text = _plain(value)
    return format_value(value, target.unit, len(text.split(".")[1]) if "." in text else 0)


def _plain(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _count(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _target_phrase(target: Target, T: float, fmt) -> str:
    """The target as a sentence fragment; a printed target keeps the plan's own precision (90%, 12.5/10万)."""
    if target.kind == Kind.MAX:
        return f"不高于{_plan_value(target, T)}"
    if target.kind == Kind.MIN:
        return f"不低于{_plan_value(target, T)}"
    if target.kind == Kind.APPROX:
        return f"{_plan_value(target, T)}左右（±{_plain(target.tolerance or 0)}）"
    if target.kind == Kind.REDUCE_FROM_BASE:
        return f"较基期下降{_plain(target.target_value or 0)}%（即不高于{fmt(T)}）"
    if target.kind == Kind.INCREASE:
        return f"高于基期值{fmt(T)}"
    return f"低于基期值{fmt(T)}"


def _explain(r: Result) -> str:
    """One Chinese sentence a report can quote: the value, the target, the status, and why."""
    t = r.target
    if r.latest is None:
        return f"截至{r.year}年尚无{t.name}数据，无法评估；请{t.department.lead}报送。"
    fmt = _formatter(t, r.points)
    latest = r.latest
    counts = ""
    if latest.has_counts:
        counts = f"（{_count(latest.numerator)}{t.numerator_label or ''}/{_count(latest.denominator)}{t.denominator_label or ''}）"
    head = f"{latest.year}年{t.name}为{fmt(latest.value)}{counts}"
    T = r.target_value
    assert T is not None
    phrase = _target_phrase(t, T, fmt)
    label = STATUS_STYLE[r.status].label
    if r.status == Status.ACHIEVED:
        if t.kind == Kind.REDUCE_FROM_BASE:
            middle = f"低于{fmt(T)}（较{r.baseline_year}年下降{_plain(t.target_value or 0)}%）的目标" if latest.value < T else f"达到{phrase}的目标"
        elif t.kind == Kind.MAX:
            middle = f"低于{_plan_value(t, T)}的目标" if latest.value < T else f"达到{phrase}的目标"
        elif t.kind == Kind.MIN:
            middle = f"高于{_plan_value(t, T)}的目标" if latest.value > T else f"达到{phrase}的目标"
        else:
            middle = f"符合{phrase}的目标"
        sentence = f"{head}，{middle}，{label}"
        if t.scope == Scope.EACH_TOWNSHIP and r.township_values:
            sentence += f"（{len(r.township_values)}个乡（镇）均达标）"
    elif r.status == Status.AT_RISK and not r.townships_below and len(r.points) == 1 and r.baseline_source != "catalogue":
        sentence = f"{head}，未达到{phrase}的目标；仅有一年数据，无法判断趋势，{label}"
    elif r.status == Status.AT_RISK and r.townships_below and meets(t, latest.value, T, r.baseline_value):
        sentence = f"{head}，全县达到{phrase}的目标，但{len(r.townships_below)}个乡（镇）未达标，{label}"
    elif r.status in (Status.ON_TRACK, Status.AT_RISK):
        detail = []
        if r.progress is not None and r.time_progress is not None:
            detail.append(f"目标完成进度{r.progress * 100:.0f}%，序时进度{r.time_progress * 100:.0f}%")
        if r.projected_value is not None:
            detail.append(f"按趋势推算{r.projected_year}年约为{fmt(r.projected_value)}")
        base = f"较{r.baseline_year}年基期值{fmt(r.baseline_value)}有所改善" if r.baseline_value is not None else "有所改善"
        sentence = f"{head}，{base}，尚未达到{phrase}的目标；" + "，".join(detail) + f"，{label}"
    else:  # off_track
        if r.direction == 0:
            how = f"偏离{fmt(T)}的目标"
        elif abs(latest.value - (r.baseline_value or 0)) < 1e-12:
            how = f"与{r.baseline_year}年基期值{fmt(r.baseline_value)}持平，没有进展"
        else:
            how = f"较{r.baseline_year}年基期值{fmt(r.baseline_value)}退步，与目标方向相反"
        sentence = f"{head}，未达到{phrase}的目标，{how}，{label}"
    if any(w.code == WarningCode.SMALL_NUMBERS for w in r.warnings):
        sentence += f"；事件数少于{t.thresholds.small_numbers}例，结论需结合置信区间解读"
    if latest.year < r.year:
        sentence += f"；{r.year}年数据缺报"
    return sentence + "。"


# ---------------------------------------------------------------- all targets


@dataclass
class Evaluation:
    """Every target's result for one year, plus the summaries the overview and reports need."""

    year: int
    results: list[Result]
    catalogue: Catalogue

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([r.row() for r in self.results], columns=OUTPUT_COLUMNS)

    def get(self, target_id: str) -> Result | None:
        return next((r for r in self.results if r.target.id == target_id), None)

    def subset(self, plan: str | None) -> Evaluation:
        """The same year's results for one plan (all plans when `plan` is None)."""
        if plan is None:
            return self
        return Evaluation(self.year, [r for r in self.results if r.target.plan == plan], self.catalogue)

    def summary(self, by: str = "plan") -> pd.DataFrame:
        """Counts by status and 达标率 (achieved / targets with data) per plan or per domain."""
        records = []
        keys: dict[tuple, list[Result]] = {}
        for r in self.results:
            key = (r.target.plan,) if by == "plan" else (r.target.plan, r.target.domain)
            keys.setdefault(key, []).append(r)
        for key, group in keys.items():
            counts = {s.value: sum(1 for r in group if r.status == s) for s in Status}
            with_data = len(group) - counts[Status.NO_DATA.value]
            record = {"plan": key[0]}
            if by == "domain":
                record["domain"] = key[1]
            record.update({"targets": len(group), **counts, "with_data": with_data,
                           "attainment": counts[Status.ACHIEVED.value] / with_data if with_data else None})
            records.append(record)
        return pd.DataFrame(records)


def county_points(data: pd.DataFrame, key: str, region: str = COUNTY_REGION, sex: str = TOTAL_SEX) -> list[Point]:
    rows = data[(data["indicator_id"] == key) & (data["region"] == region) & (data["sex"] == sex)]
    return _points(rows)


def _points(rows: pd.DataFrame) -> list[Point]:
    out = []
    for r in rows.sort_values("year").itertuples(index=False):
        num = None if pd.isna(r.numerator) else float(r.numerator)
        den = None if pd.isna(r.denominator) else float(r.denominator)
        out.append(Point(int(r.year), float(r.value), num, den))
    return out


def latest_year(data: pd.DataFrame) -> int | None:
    """The latest year with any county-level value: the default evaluation year."""
    if data.empty:
        return None
    county = data[data["region"] == COUNTY_REGION]
    frame = county if not county.empty else data
    return int(frame["year"].max())


def evaluate(catalogue: Catalogue, data: pd.DataFrame, year: int | None = None, plan: str | None = None,
             targets: Iterable[Target] | None = None) -> Evaluation:
    """Evaluate every target (of a plan) in `year` (default: the latest year with data)."""
    if year is None:
        year = latest_year(data) or max(t.target_year or 0 for t in catalogue)
    chosen = list(targets) if targets is not None else catalogue.for_plan(plan)
    data = data[data["value"].notna()] if not data.empty else data
    groups = {key: frame for key, frame in data.groupby("indicator_id", sort=False)} if not data.empty else {}
    township_names = {r.name for r in catalogue.townships()}
    results = []
    for target in chosen:
        rows = groups.get(target.series_key)
        if rows is None:
            results.append(evaluate_target(target, year, []))
            continue
        county = _points(rows[(rows["region"] == COUNTY_REGION) & (rows["sex"] == TOTAL_SEX)])
        townships = None
        if target.scope == Scope.EACH_TOWNSHIP:
            local = rows[rows["region"].isin(township_names) & (rows["sex"] == TOTAL_SEX)]
            townships = {name: _points(frame) for name, frame in local.groupby("region", sort=True)}
        results.append(evaluate_target(target, year, county, townships))
    return Evaluation(year, results, catalogue)
