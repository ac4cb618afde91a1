"""Evaluation: status, progress against the clock, projection and warnings per target and year.

Implements docs/methodology.md exactly; the status and warning codes are a
contract shared with the dashboard, the reports and the tests. Rates of rare
events are judged with their counts: exact intervals (Garwood for rates,
Wilson for proportions) replace point comparisons below 20 events.

`evaluate` (one county: pages, reports, CLI) runs `evaluate_target` per target
on points read column-wise once. `evaluate_many` applies the same rules to
every (county, target) at once with numpy — least squares from group sums,
latest and previous values from sorted groups, intervals on arrays — and agrees
with `evaluate_target` on every status and warning (tests/test_many.py).
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
from monitoring.units import UNITS, decimals_for, format_value, plain, written_places

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
# Warnings about the target itself (shown as warnings); the rest are about the data (missing, small numbers: notes).
SERIOUS_WARNINGS: frozenset[WarningCode] = frozenset(code for code, rank in WARNING_SEVERITY.items() if rank <= WARNING_SEVERITY[WarningCode.FLUCTUATION])

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
        # A gross rate (毛入学率) may exceed 100%: it is not a proportion and has no Wilson interval.
        return wilson_interval(numerator, denominator, info.scale) if 0 <= numerator <= denominator else None
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


def evaluate_target(target: Target, year: int, points: list[Point], townships: dict[str, list[Point]] | None = None,
                    own_baseline: bool = True) -> Result:
    """Status and warnings of one target at evaluation year `year` from its county series.

    `own_baseline`: whether the catalogue's baseline value describes this county. It is the
    office's own county's figure, so another county (a neighbour, or any county of a city
    office) without a reported baseline-year value takes its earliest reported value instead.
    """
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
    elif target.baseline_value is not None and own_baseline:
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
    return format_value(value, target.unit, written_places(value))


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
        return f"{_plan_value(target, T)}左右（±{plain(target.tolerance or 0)}）"
    if target.kind == Kind.REDUCE_FROM_BASE:
        return f"较基期下降{plain(target.target_value or 0)}%（即不高于{fmt(T)}）"
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
            middle = f"低于{fmt(T)}（较{r.baseline_year}年下降{plain(t.target_value or 0)}%）的目标" if latest.value < T else f"达到{phrase}的目标"
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
    """Evaluate every target (of a plan) of one county in `year` (default: the latest year with data).

    `data` is one county's rows (`Dataset.for_county`); many counties go to `evaluate_many`.
    """
    county = catalogue.home_county
    if "county" in data and not data.empty:
        present = [c for c in pd.unique(data["county"].astype(object)) if isinstance(c, str) and c]  # blank: the office's own
        if len(present) > 1:
            raise ValueError(f"evaluate() takes one county's rows, got {len(present)} counties; use Dataset.for_county or evaluate_many")
        county = present[0] if present else county
    if year is None:
        year = latest_year(data) or max(t.target_year or 0 for t in catalogue)
    chosen = list(targets) if targets is not None else catalogue.for_plan(plan)
    data = data[data["value"].notna()] if not data.empty else data
    township_names = {r.name for r in catalogue.townships(county)}
    series = _SeriesPoints(data)
    results = []
    own_baseline = county is not None and county == catalogue.home_county
    for target in chosen:
        county_points = series.points(target.series_key, COUNTY_REGION)
        townships = series.townships(target.series_key, township_names) if target.scope == Scope.EACH_TOWNSHIP else None
        results.append(evaluate_target(target, year, county_points, townships, own_baseline))
    return Evaluation(year, results, catalogue)


class _SeriesPoints:
    """The points of every series of one county's rows, read column-wise once (what `_points` gives per series)."""

    def __init__(self, data: pd.DataFrame):
        if data.empty:
            self.rows: dict[Any, np.ndarray] = {}
            return
        codes, keys = pd.factorize(data["indicator_id"].to_numpy(dtype=object))
        order = np.argsort(codes, kind="stable")  # each series' rows in their original order
        bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
        self.rows = {key: order[bounds[i]:bounds[i + 1]] for i, key in enumerate(keys)}
        self.region = data["region"].to_numpy(dtype=object)
        region = data["region"]
        # Townships in the order groupby(sort=True) gives: a categorical's own order, else by name.
        self.region_rank = ({name: i for i, name in enumerate(region.cat.categories)} if isinstance(region.dtype, pd.CategoricalDtype)
                            else None)
        self.total = data["sex"].to_numpy(dtype=object) == TOTAL_SEX
        self.year = data["year"].to_numpy()
        self.value = data["value"].to_numpy()
        self.numerator = data["numerator"].to_numpy(dtype=float)
        self.denominator = data["denominator"].to_numpy(dtype=float)

    def _points(self, rows: np.ndarray) -> list[Point]:
        rows = rows[np.argsort(self.year[rows], kind="quicksort")]  # as DataFrame.sort_values("year") orders them
        out = []
        for i in rows:
            num, den = self.numerator[i], self.denominator[i]
            out.append(Point(int(self.year[i]), float(self.value[i]), None if np.isnan(num) else float(num), None if np.isnan(den) else float(den)))
        return out

    def points(self, key: str, region: str) -> list[Point]:
        rows = self.rows.get(key)
        if rows is None:
            return []
        return self._points(rows[(self.region[rows] == region) & self.total[rows]])

    def townships(self, key: str, names: set[str]) -> dict[str, list[Point]] | None:
        rows = self.rows.get(key)
        if rows is None:
            return None
        local = rows[np.isin(self.region[rows], list(names)) & self.total[rows]]
        names = set(self.region[local])
        ordered = sorted(names, key=self.region_rank.__getitem__) if self.region_rank is not None else sorted(names)
        return {name: self._points(local[self.region[local] == name]) for name in ordered}


# ---------------------------------------------------------------- many counties at once
#
# The same rules as `evaluate_target`, column-wise over every (county, target): least squares from group
# sums, latest and previous values from the sorted points, intervals on arrays. Statuses and warning codes
# agree with `evaluate_target` (a property test checks it); sentences are written only when a result is
# looked at (`ManyEvaluation.result`), by `evaluate_target` itself.

_KIND_CODES = {Kind.MAX: 0, Kind.MIN: 1, Kind.APPROX: 2, Kind.REDUCE_FROM_BASE: 3, Kind.INCREASE: 4, Kind.DECREASE: 5}
_MAX, _MIN, _APPROX, _REDUCE, _INCREASE, _DECREASE = range(6)
_STATUSES = list(Status)
_WARNING_ORDER = [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.STALE,
                  WarningCode.FLUCTUATION, WarningCode.SMALL_NUMBERS, WarningCode.REGION_BELOW]
_SOURCES = ["reported", "catalogue", "earliest"]
_REFERENCE_YEAR = 2020.0  # x of the least-squares sums is year − this (small exact numbers)
_AMBIGUOUS = 1e-9  # a projection this close (relative) to where meets() flips is recomputed exactly as least_squares does

MANY_COLUMNS = [
    "county", "id", "plan", "year", "status", "warnings", "points", "latest_year", "latest_value", "baseline_year",
    "baseline_value", "baseline_source", "target_value", "direction", "progress", "time_progress", "projected_value",
    "projected_year", "ci_low", "ci_high", "townships_below",
]


def _meets_many(kind: np.ndarray, x: np.ndarray, T: np.ndarray, b: np.ndarray, tolerance: np.ndarray,
                unit_upper: np.ndarray, unit_lower: np.ndarray) -> np.ndarray:
    """`meets` column-wise (NaN stands for None)."""
    out = np.zeros(len(x), dtype=bool)
    with np.errstate(invalid="ignore"):
        m = (kind == _MAX) | (kind == _REDUCE)
        out[m] = x[m] <= T[m] + 1e-9
        m = kind == _MIN
        out[m] = x[m] >= T[m] - 1e-9
        m = kind == _APPROX
        out[m] = np.abs(x[m] - T[m]) <= tolerance[m] + 1e-9
        m = kind == _INCREASE
        at_ceiling = ~np.isnan(unit_upper[m]) & ~np.isnan(b[m]) & (b[m] >= unit_upper[m])
        out[m] = ~np.isnan(b[m]) & ((x[m] > b[m]) | (at_ceiling & (x[m] >= b[m])))
        m = kind == _DECREASE
        at_floor = ~np.isnan(unit_lower[m]) & ~np.isnan(b[m]) & (b[m] <= unit_lower[m])
        out[m] = ~np.isnan(b[m]) & ((x[m] < b[m]) | (at_floor & (x[m] <= b[m])))
    return out


def _flip_distance(kind: np.ndarray, x: np.ndarray, T: np.ndarray, b: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """How far x is from where `meets` changes its answer."""
    edge = np.where((kind == _MAX) | (kind == _REDUCE), T + 1e-9, np.where(kind == _MIN, T - 1e-9, b))
    distance = np.abs(x - edge)
    approx = kind == _APPROX
    distance[approx] = np.abs(np.abs(x[approx] - T[approx]) - (tolerance[approx] + 1e-9))
    return distance


def _intervals(numerator: np.ndarray, denominator: np.ndarray, percent: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`interval` column-wise: Wilson for %, Garwood otherwise; NaN where there is none (no counts, no ratio unit)."""
    n = len(numerator)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    ok = ~np.isnan(numerator) & ~np.isnan(denominator) & (denominator > 0) & ~np.isnan(scale)
    w = ok & percent
    if w.any():
        s, total, sc = numerator[w], denominator[w], scale[w]
        p = s / total
        z2 = Z95 * Z95
        centre = (p + z2 / (2 * total)) / (1 + z2 / total)
        with np.errstate(invalid="ignore"):
            half = Z95 * np.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
        low[w] = np.maximum(0.0, centre - half) * sc
        high[w] = np.minimum(1.0, centre + half) * sc
    g = ok & ~percent
    if g.any():
        k, total, sc = numerator[g], denominator[g], scale[g]
        lo = np.zeros(len(k))
        positive = k != 0
        lo[positive] = chi2.ppf(0.025, 2 * k[positive]) / 2
        hi = chi2.ppf(0.975, 2 * k + 2) / 2
        low[g] = lo / total * sc
        high[g] = hi / total * sc
    return low, high


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 = missing) and the distinct values of a column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), np.asarray(column.cat.categories, dtype=object)
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _lookup(codes: np.ndarray, per_value: np.ndarray, missing: Any) -> np.ndarray:
    """per_value[codes], with `missing` where the code is -1."""
    return np.append(per_value, np.array([missing], dtype=per_value.dtype))[codes]


@dataclass
class _ManyPoints:
    """The county series (全县, 合计, year ≤ Y) of every county, sorted, for results read one at a time."""

    counties: np.ndarray
    keys: list[str]
    groups: np.ndarray  # county × len(keys) + series of each group, ascending
    starts: np.ndarray  # the group's first row
    ends: np.ndarray
    year: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    townships: pd.DataFrame  # county, series, region, year, value of each_township series (合计)


@dataclass
class ManyEvaluation:
    """Every target of every county evaluated for one year (`evaluate_many`).

    `table` has one row per (county, target), columns `MANY_COLUMNS`; `status`
    and `warnings` use the codes of `Status` and `WarningCode` (warnings joined
    by ";", in the order `evaluate_target` gives them). Sentences are not
    written for all of them: `result(county, target_id)` evaluates one with
    `evaluate_target`, explanation and messages included.
    """

    year: int
    table: pd.DataFrame
    catalogue: Catalogue
    targets: list[Target]
    points: _ManyPoints

    def result(self, county: str, target_id: str) -> Result:
        target = next(t for t in self.targets if t.id == target_id)
        where = np.flatnonzero(self.points.counties == county)
        if not len(where):
            raise KeyError(county)
        c = int(where[0])
        p = self.points
        s = p.keys.index(target.series_key)
        found = int(np.searchsorted(p.groups, c * len(p.keys) + s))
        start, end = (int(p.starts[found]), int(p.ends[found])) if found < len(p.groups) and p.groups[found] == c * len(p.keys) + s else (0, 0)
        county_points = [Point(int(p.year[i]), float(p.value[i]), None if np.isnan(p.numerator[i]) else float(p.numerator[i]),
                               None if np.isnan(p.denominator[i]) else float(p.denominator[i])) for i in range(start, end)]
        townships = None
        if target.scope == Scope.EACH_TOWNSHIP:
            local = p.townships[(p.townships["county"] == c) & (p.townships["series"] == s)]
            townships = {name: [Point(int(y), float(v)) for y, v in zip(frame["year"], frame["value"], strict=True)]
                         for name, frame in local.sort_values("year").groupby("region", sort=True)}
        return evaluate_target(target, self.year, county_points, townships, own_baseline=county == self.catalogue.home_county)

    def explanation(self, county: str, target_id: str) -> str:
        return self.result(county, target_id).explanation

    def status_counts(self, by: tuple[str, ...] = ("county", "plan")) -> pd.DataFrame:
        """Targets by status, with 达标率 (achieved / targets with data), per county (and plan)."""
        counts = self.table.groupby([*by, "status"], observed=True).size().unstack("status", fill_value=0)
        for status in Status:
            if status.value not in counts:
                counts[status.value] = 0
        counts = counts[[s.value for s in Status]]
        counts["targets"] = counts.sum(axis=1)
        counts["with_data"] = counts["targets"] - counts[Status.NO_DATA.value]
        counts["attainment"] = (counts[Status.ACHIEVED.value] / counts["with_data"]).where(counts["with_data"] > 0)
        return counts.reset_index()


def evaluate_many(catalogue: Catalogue, data: pd.DataFrame, year: int | None = None, by: str = "county",
                  plan: str | None = None, targets: Iterable[Target] | None = None,
                  counties: Iterable[str] | None = None) -> ManyEvaluation:
    """Evaluate every target (of a plan) for every county in `data` (column `by`), all in one pass.

    `data` holds the rows of many counties, each as validation gives them
    (indicator_id, year, value, region, sex, numerator, denominator), plus the
    county in column `by`; within a county a (indicator, year, region, sex) is
    expected once (the last row wins). Every county is evaluated for the same
    `year` (default: the latest year with a county-level value in any county).
    Statuses and warnings are those of `evaluate_target` for each county's series.
    `counties` adds counties without any row (all no_data), e.g. those whose file was rejected.
    """
    chosen = list(targets) if targets is not None else catalogue.for_plan(plan)
    if year is None:
        year = latest_year(data) or max(t.target_year or 0 for t in catalogue)
    keys = list(dict.fromkeys(t.series_key for t in chosen))
    key_index = {k: i for i, k in enumerate(keys)}
    S, J = len(keys), len(chosen)

    # ---- the county series: 全县, 合计, a value, year ≤ Y; sorted by (county, series, year)
    county_codes, observed = _codes(data[by])
    extra = [c for c in dict.fromkeys(counties or []) if c not in set(observed)]
    counties = np.concatenate([observed, np.array(extra, dtype=object)]) if extra else observed
    key_codes, key_values = _codes(data["indicator_id"])
    series_all = _lookup(key_codes, np.array([key_index.get(k, -1) for k in key_values], dtype=np.int64), -1)
    region_codes, regions = _codes(data["region"])
    sex_codes, sexes = _codes(data["sex"])
    total = _lookup(sex_codes, np.array([x == TOTAL_SEX for x in sexes], dtype=bool), False)
    value_all = data["value"].to_numpy(dtype=float)
    year_all = data["year"].to_numpy(dtype=float)
    usable = ~np.isnan(value_all) & (series_all >= 0) & (county_codes >= 0) & total
    township_names = catalogue.township_names()  # validation has checked each township lies in its row's county
    is_county = _lookup(region_codes, np.array([r == COUNTY_REGION for r in regions], dtype=bool), False)
    is_township = _lookup(region_codes, np.array([r in township_names for r in regions], dtype=bool), False)
    take = np.flatnonzero(usable & is_county & (year_all <= year))
    C = len(counties)
    g_all = county_codes[take] * S + series_all[take]
    years = year_all[take]
    order = np.lexsort((years, g_all))
    take, g, years = take[order], g_all[order], years[order]
    if len(g):
        again = np.r_[(g[1:] == g[:-1]) & (years[1:] == years[:-1]), False]  # the same year twice: the last row wins
        if again.any():
            take, g, years = take[~again], g[~again], years[~again]
    values = value_all[take]
    nums = data["numerator"].to_numpy(dtype=float)[take]
    dens = data["denominator"].to_numpy(dtype=float)[take]
    counted = ~np.isnan(nums) & ~np.isnan(dens) & (dens > 0)
    n_points = len(g)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n_points else np.zeros(0, dtype=np.int64)
    ends = np.append(starts[1:], n_points).astype(np.int64) if n_points else np.zeros(0, dtype=np.int64)
    count = ends - starts
    group_county, group_series = g[starts] // max(S, 1), g[starts] % max(S, 1)
    last = ends - 1
    prev = np.where(count >= 2, last - 1, last)

    # ---- pairs (group, target); counties without a series get no_data
    target_series = np.array([key_index[t.series_key] for t in chosen], dtype=np.int64)
    by_series = np.argsort(group_series, kind="stable")
    bounds = np.searchsorted(group_series[by_series], np.arange(S + 1))
    pair_group = np.concatenate([by_series[bounds[s]:bounds[s + 1]] for s in target_series]) if J else np.zeros(0, dtype=np.int64)
    pair_target = np.repeat(np.arange(J), [bounds[s + 1] - bounds[s] for s in target_series]) if J else np.zeros(0, dtype=np.int64)
    P = len(pair_group)

    def per_target(values_: list, dtype=float) -> np.ndarray:
        return np.asarray(values_, dtype=dtype)[pair_target]

    kind = per_target([_KIND_CODES[t.kind] for t in chosen], np.int64)
    target_value = per_target([np.nan if t.target_value is None else t.target_value for t in chosen])
    tolerance = per_target([t.tolerance or 0 for t in chosen])
    base_year = per_target([t.baseline_year for t in chosen])
    target_year = per_target([t.target_year for t in chosen])
    catalogue_base = per_target([np.nan if t.baseline_value is None else t.baseline_value for t in chosen])
    # The catalogue's baselines are the office's own county's figures (see evaluate_target's own_baseline).
    home = catalogue.home_county
    own = np.array([str(c) == home for c in counties], dtype=bool) if home is not None else np.zeros(len(counties), dtype=bool)
    catalogue_base = np.where(own[group_county[pair_group]], catalogue_base, np.nan) if P else catalogue_base
    unit_info = [UNITS.get(t.unit) for t in chosen]
    unit_upper = per_target([np.nan if u is None or u.upper is None else u.upper for u in unit_info])
    unit_lower = per_target([np.nan if u is None else u.lower for u in unit_info])
    scale = per_target([np.nan if u is None or u.scale is None else u.scale for u in unit_info])
    percent = per_target([t.unit == "%" for t in chosen], bool)
    direction = per_target([t.direction for t in chosen], np.int64)
    noise_floor = per_target([t.thresholds.noise_floor for t in chosen])
    fluctuation_mean = per_target([t.thresholds.fluctuation_mean for t in chosen])
    fluctuation_mad = per_target([t.thresholds.fluctuation_mad for t in chosen])
    small_limit = per_target([t.thresholds.small_numbers for t in chosen])
    each_township = per_target([t.scope == Scope.EACH_TOWNSHIP for t in chosen], bool)

    pg = pair_group
    n = count[pg]
    lp = last[pg]
    v, t_year = values[lp], years[lp]

    # Baseline: reported at the baseline year, else the catalogue's, else the earliest.
    reported_at = np.full(P, -1, dtype=np.int64)
    for b_year in np.unique(base_year):
        at = np.flatnonzero(years == b_year)
        where = np.full(len(starts), -1, dtype=np.int64)
        where[np.searchsorted(starts, at, side="right") - 1] = at
        mine = base_year == b_year
        reported_at[mine] = where[pg[mine]]
    source = np.where(reported_at >= 0, 0, np.where(~np.isnan(catalogue_base), 1, 2))
    first = starts[pg]
    b = np.where(source == 0, values[np.maximum(reported_at, 0)], np.where(source == 1, catalogue_base, values[first]))
    baseline_year_out = np.where(source == 2, years[first], base_year)
    T = np.where(kind == _REDUCE, b * (1 - np.where(np.isnan(target_value), 0.0, target_value) / 100),
                 np.where((kind == _INCREASE) | (kind == _DECREASE), b, target_value))
    d = np.where(kind == _APPROX, np.sign(T - b), direction).astype(np.int64)

    span = target_year - base_year
    with np.errstate(divide="ignore", invalid="ignore"):
        time_progress = np.where(span != 0, (t_year - base_year) / span, np.nan)
        base_meets = _meets_many(kind, b, T, b, tolerance, unit_upper, unit_lower)
        has_progress = (kind != _INCREASE) & (kind != _DECREASE) & (np.abs(T - b) > 1e-12) & ~base_meets
        progress = np.where(has_progress, (v - b) / np.where(has_progress, T - b, 1.0), np.nan)

    # Projection: least squares through the points from the baseline year on, from sums.
    x = years - _REFERENCE_YEAR
    projected = np.full(P, np.nan)
    from_all = source == 2
    sums = {}
    for cut in [None, *np.unique(base_year[~from_all]).tolist()]:
        mask = np.ones(n_points, dtype=bool) if cut is None else years >= cut
        w = mask.astype(float)
        sums[cut] = [np.add.reduceat(a, starts) if n_points else np.zeros(0) for a in (w, w * x, w * values, w * x * x, w * x * values)]
    for cut, (sn, sx, sy, sxx, sxy) in sums.items():
        mine = from_all if cut is None else (~from_all & (base_year == cut))
        k_, xs, ys, xxs, xys = sn[pg[mine]], sx[pg[mine]], sy[pg[mine]], sxx[pg[mine]], sxy[pg[mine]]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_x, mean_y = xs / k_, ys / k_
            slope = (xys - xs * mean_y) / (xxs - xs * mean_x)
            line = mean_y + slope * (target_year[mine] - _REFERENCE_YEAR - mean_x)
        projected[mine] = np.where(k_ >= 2, line, np.nan)
    has_projection = ~np.isnan(projected)

    # Latest counts and intervals.
    has_counts = counted[lp]
    ci_low, ci_high = _intervals(np.where(has_counts, nums[lp], np.nan), np.where(has_counts, dens[lp], np.nan), percent, scale)

    # Townships of each_township targets at the latest year.
    below = np.zeros(P, dtype=np.int64)
    township_rows = usable & is_township & np.isin(series_all, np.unique(target_series[[t.scope == Scope.EACH_TOWNSHIP for t in chosen]]))
    tw_take = np.flatnonzero(township_rows)
    townships = pd.DataFrame({"county": county_codes[tw_take], "series": series_all[tw_take],
                              "region": _lookup(region_codes[tw_take], regions, None), "year": year_all[tw_take],
                              "value": value_all[tw_take]})
    if each_township.any() and len(townships):
        mine = np.flatnonzero(each_township)
        key = townships["county"].to_numpy() * S + townships["series"].to_numpy()
        pair_key = g[starts[pg[mine]]]
        lookup = pd.DataFrame({"key": pair_key, "pair": mine, "t": t_year[mine]})
        joined = pd.DataFrame({"key": key, "year": townships["year"].to_numpy(), "value": townships["value"].to_numpy()}).merge(lookup, on="key")
        joined = joined[joined["year"] == joined["t"]]
        if len(joined):
            pi = joined["pair"].to_numpy()
            fails = ~_meets_many(kind[pi], joined["value"].to_numpy(), T[pi], b[pi], tolerance[pi], unit_upper[pi], unit_lower[pi])
            below = np.bincount(pi[fails], minlength=P)

    # Status, as evaluate_target decides it.
    single = (n == 1) & (source != 1)
    county_meets = _meets_many(kind, v, T, b, tolerance, unit_upper, unit_lower)
    moved = d * (v - b)
    ahead = ~np.isnan(progress) & ~np.isnan(time_progress) & (progress >= time_progress)
    projected_meets = has_projection & _meets_many(kind, projected, T, b, tolerance, unit_upper, unit_lower)
    # A projection that sits on the edge of meets() is recomputed exactly as least_squares does.
    needed = has_projection & ~(county_meets & (below == 0))
    with np.errstate(invalid="ignore"):
        scale_y = np.maximum(1.0, np.maximum(np.abs(T), np.abs(b)))
        edge = needed & (_flip_distance(kind, projected, T, b, tolerance) <= _AMBIGUOUS * np.maximum(scale_y, np.abs(projected)))
    for i in np.flatnonzero(edge):
        start, end = starts[pg[i]], ends[pg[i]]
        cut = years[start] if source[i] == 2 else base_year[i]
        from_base = [Point(int(years[r]), float(values[r])) for r in range(start, end) if years[r] >= cut]
        exact = least_squares(from_base, int(target_year[i]))
        projected[i] = np.nan if exact is None else exact
    if edge.any():
        projected_meets[edge] = ~np.isnan(projected[edge]) & _meets_many(kind[edge], projected[edge], T[edge], b[edge], tolerance[edge],
                                                                           unit_upper[edge], unit_lower[edge])
    status = np.select(
        [county_meets & (below == 0), county_meets, single, moved > 0],
        [0, 2, 2, np.where(ahead | projected_meets, 1, 2)],
        default=3,
    )  # indexes of _STATUSES: achieved, on_track, at_risk, off_track

    # Warnings.
    warn = np.zeros((P, len(_WARNING_ORDER)), dtype=bool)
    warn[:, 0] = (status != 0) & has_projection & ~projected_meets
    small = has_counts & (nums[lp] < small_limit)
    two = n >= 2
    pp = prev[pg]
    before = values[pp]
    with np.errstate(invalid="ignore"):
        worse_by = np.where(d == 0, np.abs(v - T) - np.abs(before - T), -d * (v - before))
    prev_counts = counted[pp]
    prev_low, prev_high = _intervals(np.where(prev_counts, nums[pp], np.nan), np.where(prev_counts, dens[pp], np.nan), percent, scale)
    overlap = (prev_low <= ci_high) & (ci_low <= prev_high)
    by_intervals = small & prev_counts
    regressed = np.where(by_intervals, (worse_by > 0) & ~np.isnan(prev_low) & ~np.isnan(ci_low) & ~overlap,
                         worse_by > noise_floor * np.abs(before))
    warn[:, 1] = two & regressed
    # Slipped: an earlier value met the target. meets() is monotone in x for every kind but approx, so the
    # highest (lowest) earlier value decides; approx looks at the earlier value closest to the target.
    earlier = np.ones(n_points, dtype=bool)
    earlier[last] = False
    with np.errstate(invalid="ignore"):
        hi_earlier = np.maximum.reduceat(np.where(earlier, values, -np.inf), starts)[pg] if n_points else np.zeros(0)
        lo_earlier = np.minimum.reduceat(np.where(earlier, values, np.inf), starts)[pg] if n_points else np.zeros(0)
    upward = (kind == _MIN) | (kind == _INCREASE)
    probe = np.where(upward, hi_earlier, lo_earlier)
    met_before = two & _meets_many(kind, np.where(np.isfinite(probe), probe, 0.0), T, b, tolerance, unit_upper, unit_lower) & np.isfinite(probe)
    approx_pairs = np.flatnonzero(two & (kind == _APPROX))
    for i in approx_pairs:
        earlier_values = values[starts[pg[i]]:ends[pg[i]] - 1]
        met_before[i] = bool(np.any(np.abs(earlier_values - T[i]) <= tolerance[i] + 1e-9))
    warn[:, 2] = met_before & ~county_meets
    warn[:, 3] = t_year < year
    warn[:, 4] = _fluctuation_many(pg, starts, ends, n, values, nums, dens, counted, small, percent, scale, ci_low, ci_high,
                                   fluctuation_mean, fluctuation_mad)
    warn[:, 5] = small
    warn[:, 6] = below > 0

    # ---- the table: every county × target; pairs fill their rows, the rest is no_data
    rows = C * J
    at = group_county[pg] * J + pair_target if P else np.zeros(0, dtype=np.int64)

    def full(values_: np.ndarray, fill: Any = np.nan, dtype: Any = float) -> np.ndarray:
        out = np.full(rows, fill, dtype=dtype)
        out[at] = values_
        return out

    bits = (warn * (1 << np.arange(len(_WARNING_ORDER)))).sum(axis=1) if P else np.zeros(0, dtype=np.int64)
    words = [";".join(code.value for i, code in enumerate(_WARNING_ORDER) if mask >> i & 1) for mask in range(1 << len(_WARNING_ORDER))]
    warning_codes = full(bits, 0, np.int64)
    status_codes = full(status, _STATUSES.index(Status.NO_DATA), np.int64)
    target_of_row = np.tile(np.arange(J), C)
    table = pd.DataFrame({
        "county": pd.Categorical.from_codes(np.repeat(np.arange(C), J), categories=pd.Index(counties, dtype=object)),
        "id": pd.Categorical.from_codes(target_of_row, categories=pd.Index([t.id for t in chosen], dtype=object)),
        "plan": pd.Categorical([t.plan for t in chosen])[target_of_row] if J else pd.Categorical([]),
        "year": np.full(rows, year, dtype=np.int64),
        "status": pd.Categorical.from_codes(status_codes, categories=pd.Index([s.value for s in _STATUSES], dtype=object)),
        "warnings": pd.Categorical.from_codes(warning_codes, categories=pd.Index(words, dtype=object)),
        "points": full(n, 0, np.int64),
        "latest_year": full(t_year),
        "latest_value": full(v),
        "baseline_year": full(baseline_year_out),
        "baseline_value": full(b),
        "baseline_source": pd.Categorical.from_codes(full(source, -1, np.int64), categories=pd.Index(_SOURCES, dtype=object)),
        "target_value": full(T),
        "direction": full(d, 0, np.int64),
        "progress": full(progress),
        "time_progress": full(time_progress),
        "projected_value": full(projected),
        "projected_year": full(np.where(has_projection, target_year, np.nan)),
        "ci_low": full(ci_low),
        "ci_high": full(ci_high),
        "townships_below": full(below, 0, np.int64),
    }, columns=MANY_COLUMNS)
    points = _ManyPoints(counties, keys, g[starts], starts, ends, years, values, nums, dens, townships)
    return ManyEvaluation(year, table, catalogue, chosen, points)


def _fluctuation_many(pg: np.ndarray, starts: np.ndarray, ends: np.ndarray, n: np.ndarray, values: np.ndarray, nums: np.ndarray,
                      dens: np.ndarray, counted: np.ndarray, small: np.ndarray, percent: np.ndarray, scale: np.ndarray,
                      ci_low: np.ndarray, ci_high: np.ndarray, fluctuation_mean: np.ndarray, fluctuation_mad: np.ndarray) -> np.ndarray:
    """`_fluctuation` column-wise: up to three previous values (pooled counts when events are few), then the median rule."""
    P = len(pg)
    out = np.zeros(P, dtype=bool)
    two = n >= 2
    last = ends[pg] - 1
    k = np.minimum(n - 1, 3)
    # Previous values, oldest first: the mean adds them in that order, as np.mean does.
    total = np.zeros(P)
    pooled_num, pooled_den = np.zeros(P), np.zeros(P)
    all_counted = two.copy()
    for back in (3, 2, 1):
        has = k >= back
        idx = np.where(has, last - back, last)
        total = np.where(has, np.where(k == back, values[idx], total + values[idx]), total)
        pooled_num = np.where(has, pooled_num + nums[idx], pooled_num)
        pooled_den = np.where(has, pooled_den + dens[idx], pooled_den)
        all_counted &= ~has | counted[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / np.maximum(k, 1)
        latest = values[last]
        deviation = np.abs(latest - mean)
        by_mean = two & (deviation > fluctuation_mean * np.abs(mean)) & (deviation > 1e-12)
    # The median of all year-on-year absolute changes (four or more values).
    by_median = np.zeros(P, dtype=bool)
    candidates = two & ~small & ~by_mean & (n >= 4)
    if candidates.any():
        groups = np.unique(pg[candidates])
        g_start, g_end = starts[groups], ends[groups]
        lengths = g_end - g_start - 1
        owner = np.repeat(np.arange(len(groups)), lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        position = np.repeat(g_start, lengths) + offsets
        changes = np.abs(values[position + 1] - values[position])
        order = np.lexsort((changes, owner))
        ordered = changes[order]
        first = np.cumsum(lengths) - lengths
        middle = first + lengths // 2
        median = np.where(lengths % 2 == 1, ordered[middle], (ordered[np.maximum(middle - 1, first)] + ordered[middle]) / 2)
        last_change = changes[first + lengths - 1]
        where = np.searchsorted(groups, pg[candidates])
        med, lc = median[where], last_change[where]
        by_median[candidates] = (med > 0) & (lc > fluctuation_mad[candidates] * med)
    out[~small] = (by_mean | by_median)[~small]
    # Few events: the latest interval against the pooled previous years' interval.
    few = np.flatnonzero(two & small & all_counted)
    if len(few):
        before_low, before_high = _intervals(pooled_num[few], pooled_den[few], percent[few], scale[few])
        now_low, now_high = ci_low[few], ci_high[few]
        ok = ~np.isnan(before_low) & ~np.isnan(now_low)
        out[few] = ok & ~((now_low <= before_high) & (before_low <= now_high))
    return out
