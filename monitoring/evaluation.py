"""Evaluation: status, progress against the clock, projection and warnings per target and year.

Implements docs/methodology.md exactly; the status and warning codes are a
contract shared with the dashboard, the reports and the tests.

There is one rules engine: `evaluate_many` decides every status and warning
column-wise over every (county, target) at once. `evaluate` (one county:
pages, reports, CLI) and `evaluate_series` (one target's series: tests and
worked examples) run through it; `ManyEvaluation.result` turns one row of its
table into a `Result`, and the sentences are written from what the engine
computed — they describe decisions, they never make them. The scalar reference
the engine is checked against lives in tests/reference_engine.py.

Judgements a statistician can sign: at or after a target's year the verdict is
final (achieved / not achieved / no data) and rests on the latest value within
the plan period, without projection; a series without a baseline or with a
single value is `insufficient`, not at risk; confidence intervals and the
small-numbers rule apply only to rates and shares estimated from events in a
population, never to complete counts; 波动较大 is a break from the series'
own trend, so a steady trend never raises it.
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

from monitoring.catalogue import (
    DIRECTION_ONLY,
    GAP_SEXES,
    KIND_LABELS,
    NEEDS_BASELINE,
    SAMPLED_MEASURES,
    TOTAL_SEX,
    Catalogue,
    Kind,
    Measure,
    Scope,
    Target,
)
from monitoring.regions import COUNTY_REGION, Region
from monitoring.units import UNITS, decimals_for, format_value, plain, written_places

Z95 = 1.959963984540054


class Status(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    INSUFFICIENT = "insufficient"
    NO_DATA = "no_data"


class WarningCode(StrEnum):
    PROJECTED_MISS = "projected_miss"
    REGRESSION = "regression"
    SLIPPED = "slipped"
    STALE = "stale"
    FLUCTUATION = "fluctuation"
    SMALL_NUMBERS = "small_numbers"
    REGION_BELOW = "region_below"


class Reason(StrEnum):
    """Why a target with data cannot be judged (status insufficient, or no_data at the final year)."""

    NONE = ""
    NO_IN_PERIOD = "no_in_period"  # no value after the baseline year
    NO_BASELINE = "no_baseline"  # a target defined by its baseline has none
    SINGLE_VALUE = "single_value"  # one value that misses, no baseline: no trend to judge


@dataclass(frozen=True)
class Style:
    label: str  # during the plan period
    colour: str  # hex, for charts and Excel
    order: int
    tone: str  # a named colour for text badges (green, blue, orange, red, violet, gray)
    final_label: str  # at or after the target year (终期评估)


# The one place that defines how a status looks, for every page, chart and export.
STATUS_STYLE: dict[Status, Style] = {
    Status.ACHIEVED: Style("已达标", "#2e7d32", 0, "green", "已实现"),
    Status.NOT_ACHIEVED: Style("未实现", "#c62828", 1, "red", "未实现"),
    Status.ON_TRACK: Style("进度正常", "#1565c0", 2, "blue", "进度正常"),
    Status.AT_RISK: Style("预计难以达标", "#ef8f00", 3, "orange", "预计难以达标"),
    Status.OFF_TRACK: Style("严重滞后", "#c62828", 4, "red", "严重滞后"),
    Status.INSUFFICIENT: Style("数据不足", "#7e57c2", 5, "violet", "数据不足"),
    Status.NO_DATA: Style("无数据", "#8a8a8a", 6, "gray", "无法评估"),
}
# The statuses each phase can give, in display order: the final verdict, or monitoring during the period.
FINAL_STATUSES: tuple[Status, ...] = (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NO_DATA)
PERIOD_STATUSES: tuple[Status, ...] = (Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.INSUFFICIENT,
                                       Status.NO_DATA)
# Statuses that leave a target out of the 达标率's denominator: nothing to judge it by.
UNJUDGED: frozenset[Status] = frozenset({Status.NO_DATA, Status.INSUFFICIENT})


def status_label(status: Status | str, final: bool = False) -> str:
    """A status as people read it; at the final year 已实现 / 未实现 / 无法评估."""
    style = STATUS_STYLE[Status(status)]
    return style.final_label if final else style.label


def is_final(target: Target, year: int) -> bool:
    """Whether `year` is at or after the target's year: a verdict, not a forecast."""
    return year >= (target.target_year or year)


def phase(year: int, targets: Iterable[Target]) -> bool | None:
    """Whether every target is past its year in `year` (True), none is (False), or the plans' periods differ (None)."""
    phases = {is_final(t, year) for t in targets}
    return phases.pop() if len(phases) == 1 else (None if phases else False)


def phase_statuses(final: bool | None) -> tuple[Status, ...]:
    """The statuses a table of this phase shows (None: a mix of phases, every status)."""
    if final is None:
        return tuple(sorted(Status, key=lambda s: STATUS_STYLE[s].order))
    return FINAL_STATUSES if final else PERIOD_STATUSES


WARNING_LABELS: dict[WarningCode, str] = {
    WarningCode.PROJECTED_MISS: "预计难以达标",
    WarningCode.REGRESSION: "较上次退步",
    WarningCode.SLIPPED: "未能保持达标",
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
    """The evaluation of one target in one year, as the engine decided it, with its sentences."""

    target: Target
    year: int
    status: Status
    points: list[Point]  # the series the judgement used: years up to the evaluation year, at most the target year
    final: bool = False  # the evaluation year is at or after the target year: a verdict, not a forecast
    reason: Reason = Reason.NONE
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
    trend: tuple[float, float, int] | None = None  # the latest value expected from the previous path: value, standard error, points
    points_meet: list[bool] = field(default_factory=list)  # per point, whether it met the target
    township_values: dict[str, float] = field(default_factory=dict)
    townships_below: list[str] = field(default_factory=list)
    warnings: list[WarningItem] = field(default_factory=list)
    explanation: str = ""

    @property
    def warning_codes(self) -> list[str]:
        return [w.code.value for w in self.warnings]

    @property
    def label(self) -> str:
        return status_label(self.status, self.final)

    @property
    def missed_years(self) -> list[int]:
        """Years within the plan period whose value did not meet the target (what `maintain` forbids)."""
        base = self.target.baseline_year or 0
        return [p.year for p, ok in zip(self.points, self.points_meet, strict=True) if p.year > base and not ok]

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
    low, high = _intervals(np.array([float(events)]), np.array([float(denominator)]), np.array([False]), np.array([float(scale)]))
    return float(low[0]), float(high[0])


def wilson_interval(successes: float, total: float, scale: float) -> tuple[float, float]:
    """Wilson 95% interval of a proportion, in the unit's scale."""
    low, high = _intervals(np.array([float(successes)]), np.array([float(total)]), np.array([True]), np.array([float(scale)]))
    return float(low[0]), float(high[0])


def interval_for(target: Target, numerator: float, denominator: float) -> tuple[float, float] | None:
    """The 95% interval of a value of this target, or None where none applies (see `_interval_kind`)."""
    kind = _interval_kind(target)
    info = UNITS.get(target.unit)
    if kind is None or info is None or info.scale is None or denominator <= 0:
        return None
    if kind == "wilson" and not 0 <= numerator <= denominator:
        return None  # a gross rate (毛入学率) above 100% is not a proportion
    low, high = _intervals(np.array([float(numerator)]), np.array([float(denominator)]), np.array([kind == "wilson"]),
                           np.array([info.scale]))
    return float(low[0]), float(high[0])


def _interval_kind(target: Target) -> str | None:
    """Rates of events get Garwood, shares of a population Wilson; complete counts and levels none."""
    if target.measure not in SAMPLED_MEASURES or UNITS.get(target.unit) is None or UNITS[target.unit].scale is None:
        return None
    return "garwood" if target.measure == Measure.RATE else "wilson"


def meets(target: Target, x: float, target_value: float | None, baseline: float | None) -> bool:
    """Whether a value satisfies the target (docs/methodology.md, meets(x)); the engine's own rule for one value."""
    kind = np.array([_KIND_CODES[target.kind]])
    upper, lower = _bounds(target)
    nan = math.nan
    return bool(_meets_many(kind, np.array([float(x)]), np.array([nan if target_value is None else target_value]),
                            np.array([nan if baseline is None else baseline]), np.array([target.tolerance or 0.0]),
                            np.array([upper]), np.array([lower]))[0])


def _bounds(target: Target) -> tuple[float, float]:
    """The natural range of the target's unit (0–100% for shares; a gross rate's own upper bound)."""
    unit = UNITS.get(target.unit)
    upper = math.nan if unit is None or unit.upper is None else unit.upper
    lower = math.nan if unit is None else unit.lower
    return upper, lower


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
    if not float(x).is_integer():
        return f"{x:g}"
    return f"{int(x):,}" if abs(x) >= 10000 else str(int(x))


def _years(years: list[int]) -> str:
    return "、".join(str(y) for y in years) + "年"


def _target_phrase(target: Target, T: float | None, fmt) -> str:
    """The target as a sentence fragment; a printed target keeps the plan's own precision (90%, 12.5/10万)."""
    if target.kind == Kind.MAX:
        return f"不高于{_plan_value(target, T)}"  # type: ignore[arg-type]
    if target.kind == Kind.MIN:
        return f"不低于{_plan_value(target, T)}"  # type: ignore[arg-type]
    if target.kind == Kind.APPROX:
        return f"{_plan_value(target, T)}左右（±{plain(target.tolerance or 0)}）"  # type: ignore[arg-type]
    if target.kind == Kind.REDUCE_FROM_BASE:
        if T is None:
            return f"较{target.baseline_year}年下降{plain(target.target_value or 0)}%"
        return f"较基期下降{plain(target.target_value or 0)}%（即不高于{fmt(T)}）"
    if target.kind == Kind.INCREASE:
        return f"高于基期值{fmt(T)}" if T is not None else "逐步提高"
    return f"低于基期值{fmt(T)}" if T is not None else "逐步下降"


def _counts_phrase(target: Target, point: Point) -> str:
    """A value's counts as people say them: (12例死亡/1300名活产), or for a complete body (9名成员中2名女性)."""
    if not point.has_counts:
        return ""
    num, den = _count(point.numerator), _count(point.denominator)
    if target.measure == Measure.COMPLETE_SHARE:
        if target.numerator_label and target.denominator_label:
            return f"（{den}{target.denominator_label}中{num}{target.numerator_label}）"
        return f"（共{den}人中{num}人）"
    return f"（{num}{target.numerator_label or ''}/{den}{target.denominator_label or ''}）"


def _explain(r: Result) -> str:
    """One Chinese sentence a report can quote: the value, the target, the verdict, and why."""
    t = r.target
    lead = t.department.lead
    period = f"{(t.baseline_year or 0) + 1}—{t.target_year}年"
    if r.latest is None:
        if r.final:
            return f"规划期（{period}）内尚无{t.name}数据{_sex_hint(t)}，无法评估；请{lead}补报。"
        return f"截至{r.year}年尚无{t.name}数据{_sex_hint(t)}，无法判断进展；请{lead}报送。"
    fmt = _formatter(t, r.points)
    latest = r.latest
    head = f"{latest.year}年{t.name}为{fmt(latest.value)}{_counts_phrase(t, latest)}"
    label = r.label
    T = r.target_value
    phrase = _target_phrase(t, T, fmt)

    if r.reason == Reason.NO_IN_PERIOD:
        what = f"{t.baseline_year}年基期值" if latest.year == t.baseline_year else f"{latest.year}年数据"
        only = f"{t.name}仅有{what}{fmt(latest.value)}"
        if r.final:
            return f"{only}，{period}期内无监测数据，无法评估；请{lead}补报。"
        return f"{only}，期内尚无监测数据，无法判断进展，{label}；请{lead}报送{(t.baseline_year or 0) + 1}年以来的数据。"
    if r.reason == Reason.NO_BASELINE:
        judged = f"无法判断是否{phrase}" if t.kind in DIRECTION_ONLY else f"无法计算{phrase}的目标值"
        return f"{head}；缺少{t.baseline_year}年基期值，{judged}，{label}；请{lead}补报{t.baseline_year}年数据。"
    if r.reason == Reason.SINGLE_VALUE:
        return f"{head}，未达到{phrase}的目标；仅有一年数据，无法判断趋势，{label}。"

    assert T is not None
    county_meets = r.points_meet[-1] if r.points_meet else False
    if t.kind in DIRECTION_ONLY:  # the plan's own words (逐步提高) and the change from the baseline, each said once
        wanted = f"“{KIND_LABELS[t.kind]}”的目标"
        verdict = f"达到{wanted}" if county_meets else f"未达到{wanted}"
        sentence = f"{head}，{_change(r, fmt)}，{verdict}，{label}"
    elif r.status == Status.ACHIEVED:
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
    elif county_meets and r.townships_below:
        sentence = f"{head}，全县达到{phrase}的目标，但{len(r.townships_below)}个乡（镇）未达标，{label}"
    elif r.status in (Status.ON_TRACK, Status.AT_RISK):
        detail = []
        if r.progress is not None and r.time_progress is not None:
            detail.append(f"目标完成进度{r.progress * 100:.0f}%，序时进度{r.time_progress * 100:.0f}%")
        if r.projected_value is not None:
            detail.append(f"按趋势推算{r.projected_year}年约为{fmt(r.projected_value)}")
        sentence = f"{head}，{_movement(r, fmt)}，尚未达到{phrase}的目标；" + "，".join(detail) + f"，{label}"
    elif r.status == Status.NOT_ACHIEVED:
        progress = f"，目标完成进度{r.progress * 100:.0f}%" if r.progress is not None and r.progress > 0 else ""
        sentence = f"{head}，未达到{phrase}的目标，{_movement(r, fmt)}{progress}，{label}"
    else:  # off_track
        if r.direction == 0:
            how = f"偏离{fmt(T)}的目标"
        elif abs(latest.value - (r.baseline_value or 0)) < 1e-12:
            how = f"与{_baseline_words(r, fmt)}持平，没有进展"
        else:
            how = f"较{_baseline_words(r, fmt)}退步，与目标方向相反"
        sentence = f"{head}，未达到{phrase}的目标，{how}，{label}"
    if t.maintain and any(w.code == WarningCode.SLIPPED for w in r.warnings) and r.missed_years != [latest.year]:
        sentence += f"；本指标须每年达到目标，{_years(r.missed_years)}未达到"
    if any(w.code == WarningCode.SMALL_NUMBERS for w in r.warnings):
        sentence += f"；事件数少于{t.thresholds.small_numbers}例，结论需结合置信区间解读"
    if r.final and latest.year < (t.target_year or latest.year):
        sentence += f"；{t.target_year}年数据缺报，结论依据{latest.year}年数据"
    elif not r.final and latest.year < r.year:
        sentence += f"；{r.year}年数据缺报"
    return sentence + "。"


def _sex_hint(target: Target) -> str:
    """What a department must send for a series of one sex or a gap (no data of that series yet)."""
    if target.sex in GAP_SEXES:
        return "（可报送差距本身，或分别报送男、女两个数值）"
    if target.sex != TOTAL_SEX and target.statistic is not None:  # a shared statistic's 合计 is everyone's, not one sex's
        return f"（须报送性别为“{target.sex}”的数值）"
    return ""


def _movement(r: Result, fmt) -> str:
    """How the latest value moved from the baseline, in the target's direction."""
    v, b = r.latest.value, r.baseline_value  # type: ignore[union-attr]
    if b is None:
        return "没有基期值可比较"
    moved = r.direction * (v - b) if r.direction else abs(b - (r.target_value or 0)) - abs(v - (r.target_value or 0))
    if abs(v - b) < 1e-12:
        return f"与{_baseline_words(r, fmt)}持平"
    return f"较{_baseline_words(r, fmt)}有所改善" if moved > 0 else f"较{_baseline_words(r, fmt)}退步"


def _change(r: Result, fmt) -> str:
    """The change from the baseline in numbers: 较2020年基期值44.0%提高9.0个百分点 (or 持平)."""
    v, b = r.latest.value, r.baseline_value  # type: ignore[union-attr]
    if b is None or abs(v - b) < 1e-12:
        return f"与{_baseline_words(r, fmt)}持平"
    up, down = ("增加", "减少") if r.target.unit in _COUNT_UNITS else ("提高", "下降")
    return f"较{_baseline_words(r, fmt)}{up if v > b else down}{fmt(abs(v - b), unit=False)}{_point_unit(r.target)}"


_COUNT_UNITS = frozenset({"人", "人次", "户", "个", "所", "名", "张", "次"})  # numbers of things grow and shrink (增加、减少)


def _baseline_words(r: Result, fmt) -> str:
    """The baseline as a sentence names it; a series without its baseline year starts from its earliest value."""
    if r.baseline_source == "earliest":
        return f"最早报送的{r.baseline_year}年数值{fmt(r.baseline_value)}"
    return f"{r.baseline_year}年基期值{fmt(r.baseline_value)}"


def _warning_items(r: Result, codes: list[WarningCode]) -> list[WarningItem]:
    """The message of each warning the engine raised, quoting the numbers it used."""
    t = r.target
    fmt = _formatter(t, r.points)
    latest = r.latest
    assert latest is not None or not codes
    items = []
    for code in codes:
        assert latest is not None
        v, y = latest.value, latest.year
        if code == WarningCode.PROJECTED_MISS:
            since = next((p.year for p in r.points if p.year >= (r.baseline_year or 0)), y)
            message = (f"按{since}—{y}年的趋势推算，{r.projected_year}年约为{fmt(r.projected_value)}，"  # type: ignore[arg-type]
                       f"达不到{_target_phrase(t, r.target_value, fmt)}的目标。")
        elif code == WarningCode.REGRESSION:
            before = r.points[-2]
            message = f"{y}年为{fmt(v)}，比{before.year}年的{fmt(before.value)}退步{fmt(abs(v - before.value), unit=False)}{_point_unit(t)}。"
        elif code == WarningCode.SLIPPED:
            if t.maintain:
                missed = set(r.missed_years)
                values = "、".join(f"{p.year}年{fmt(p.value)}" for p in r.points if p.year in missed)
                message = f"本指标须每年达到{_target_phrase(t, r.target_value, fmt)}的目标，{values}未达到。"
            else:
                met = [p for p, ok in zip(r.points[:-1], r.points_meet[:-1], strict=True) if ok]
                message = f"{met[-1].year}年曾达到目标（{fmt(met[-1].value)}），{y}年为{fmt(v)}，未达标。"
        elif code == WarningCode.STALE:
            if r.final:
                message = f"{t.target_year}年数据缺报，终期结论依据{y}年的数据（{fmt(v)}）。"
            else:
                message = f"{r.year}年数据缺报，状态依据{y}年的数据（{fmt(v)}）。"
        elif code == WarningCode.FLUCTUATION:
            message = _fluctuation_message(r, fmt)
        elif code == WarningCode.SMALL_NUMBERS:
            scale = UNITS[t.unit].scale or 1
            per_event = scale / (latest.denominator or 1)
            ci_text = f"，95%置信区间{fmt(r.ci[0])}—{fmt(r.ci[1])}" if r.ci else ""
            pooled_text = ""
            if r.pooled and r.pooled[3] != r.pooled[4]:
                pooled_text = f"；{r.pooled[3]}—{r.pooled[4]}年合并率为{fmt(r.pooled[0])}"
            message = (f"{y}年仅{_count(latest.numerator)}{t.numerator_label or '例'}（分母{_count(latest.denominator)}"
                       f"{t.denominator_label or ''}），每增减1例，率值变动约{fmt(per_event)}{ci_text}{pooled_text}，"
                       f"率值受偶然因素影响大，需结合置信区间解读。")
        else:  # region_below
            values = "、".join(f"{n}{fmt(r.township_values[n])}" for n in r.townships_below)
            message = f"{y}年未达标的乡（镇）：{values}。"
        items.append(WarningItem(code, message))
    return items


def _fluctuation_message(r: Result, fmt) -> str:
    t, latest = r.target, r.latest
    assert latest is not None
    if r.trend is None:  # few events: the intervals decided
        previous = [p for p in r.points[:-1] if p.has_counts][-3:]
        events = sum(p.numerator for p in previous)  # type: ignore[misc]
        total = sum(p.denominator for p in previous)  # type: ignore[misc]
        now = interval_for(t, latest.numerator, latest.denominator)  # type: ignore[arg-type]
        before = interval_for(t, events, total)
        rate = events / total * (UNITS[t.unit].scale or 1)
        assert now is not None and before is not None
        return (f"{latest.year}年为{fmt(latest.value)}（95%置信区间{fmt(now[0])}—{fmt(now[1])}），与前{len(previous)}年合并率"
                f"{fmt(rate)}（{fmt(before[0])}—{fmt(before[1])}）的置信区间不重叠，波动较大。")
    expected, se, k = r.trend
    previous = r.points[-1 - k:-1]
    before = previous[-1]
    off_trend, off_before = abs(latest.value - expected), abs(latest.value - before.value)
    deviation = min(off_trend, off_before)
    th = t.thresholds
    reference = max(abs(expected), abs(float(np.mean([p.value for p in previous]))))
    share = deviation / reference if reference > 0 else math.inf
    unit = _point_unit(t)
    head = (f"{latest.year}年为{fmt(latest.value)}，比{before.year}年的{fmt(before.value)}变化{fmt(off_before, unit=False)}{unit}，"
            f"与按{previous[0].year}—{before.year}年{k}个数值的趋势推算的约{fmt(expected)}相差{fmt(off_trend, unit=False)}{unit}")
    if share > th.fluctuation_share:
        return f"{head}，偏离幅度{share * 100:.0f}%，超过{th.fluctuation_share * 100:g}%，波动较大。"
    return (f"{head}，偏离幅度{share * 100:.0f}%，超过{th.fluctuation_share * 50:g}%，且超过前几年数值围绕趋势线正常波动幅度"
            f"（预测标准误{fmt(se, unit=False)}{unit}）的{th.fluctuation_residuals:g}倍，波动较大。")


# ---------------------------------------------------------------- all targets of one county


@dataclass
class Evaluation:
    """Every target's result for one year, plus the summaries the overview and reports need."""

    year: int
    results: list[Result]
    catalogue: Catalogue

    @property
    def final(self) -> bool | None:
        """Whether every result is a final verdict (True), none is (False), or the plans' periods differ (None)."""
        return phase(self.year, (r.target for r in self.results))

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([r.row() for r in self.results], columns=OUTPUT_COLUMNS)

    def get(self, target_id: str) -> Result | None:
        return next((r for r in self.results if r.target.id == target_id), None)

    def subset(self, plan: str | None) -> Evaluation:
        """The same year's results for one plan (all plans when `plan` is None)."""
        if plan is None:
            return self
        return Evaluation(self.year, [r for r in self.results if r.target.plan == plan], self.catalogue)

    def counted(self) -> list[Result]:
        """The results a combined count takes: a statistic shared by two plans once (its first target in catalogue order)."""
        return distinct_statistics(self.results)

    def summary(self, by: str = "plan") -> pd.DataFrame:
        """Counts by status and 达标率 (achieved / targets judged) per plan or per domain."""
        records = []
        keys: dict[tuple, list[Result]] = {}
        for r in self.results:
            key = (r.target.plan,) if by == "plan" else (r.target.plan, r.target.domain)
            keys.setdefault(key, []).append(r)
        for key, group in keys.items():
            record: dict[str, Any] = {"plan": key[0]}
            if by == "domain":
                record["domain"] = key[1]
            record.update(status_record(group))
            records.append(record)
        return pd.DataFrame(records)


def distinct_statistics(results: Iterable[Result]) -> list[Result]:
    """One result per shared statistic and series (the first in catalogue order); targets of their own kept as they are."""
    results = list(results)
    return [r for r, keep in zip(results, distinct_ids([r.target for r in results]), strict=True) if keep]


def status_record(results: list[Result]) -> dict[str, Any]:
    """Targets, counts per status, judged targets and 达标率 of a group of results: the one rule every summary uses."""
    counts = {s.value: sum(1 for r in results if r.status == s) for s in Status}
    judged = len(results) - sum(counts[s.value] for s in UNJUDGED)
    return {"targets": len(results), **counts, "with_data": judged,
            "attainment": counts[Status.ACHIEVED.value] / judged if judged else None}


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
    county = catalogue.regions.home_county
    if "county" in data and not data.empty:
        present = [c for c in pd.unique(data["county"].astype(object)) if isinstance(c, str) and c]  # blank: the office's own
        if len(present) > 1:
            raise ValueError(f"evaluate() takes one county's rows, got {len(present)} counties; use Dataset.for_county or evaluate_many")
        county = present[0] if present else county
    code = county if county is not None else "—"
    frame = data.assign(county=code) if not data.empty else _empty_frame(code)
    many = evaluate_many(catalogue, frame, year, plan=plan, targets=targets, counties=[code])
    return Evaluation(many.year, [many.result(code, t.id) for t in many.targets], catalogue)


def evaluate_series(target: Target, year: int, points: list[Point], townships: dict[str, list[Point]] | None = None,
                    own_baseline: bool = True, sex: str | None = None) -> Result:
    """One target's county series (and townships) through the engine: for worked examples and tests.

    `own_baseline`: whether the catalogue's baseline value describes this county (see `evaluate_many`).
    `sex`: the sex the points are reported under (default: the target's own series).
    """
    home = Region(code="000000", name="本县", full_name="本县", level="county")
    regions = [home, *(Region(code=f"000000{i:03d}", name=name, full_name=name, level="township", parent="000000")
                       for i, name in enumerate(townships or {}))]
    catalogue = Catalogue(plans={}, targets=[target], regions=regions, office="000000")
    county = "000000" if own_baseline else "其他"
    row_sex = sex or (TOTAL_SEX if target.sex in GAP_SEXES else target.sex)
    rows = [[county, target.series_key, p.year, p.value, COUNTY_REGION, row_sex, p.numerator, p.denominator] for p in points]
    for name, series in (townships or {}).items():
        rows += [[county, target.series_key, p.year, p.value, name, row_sex, p.numerator, p.denominator] for p in series]
    frame = pd.DataFrame(rows, columns=["county", "indicator_id", "year", "value", "region", "sex", "numerator", "denominator"])
    return evaluate_many(catalogue, frame, year, targets=[target], counties=[county]).result(county, target.id)


def _empty_frame(county: str) -> pd.DataFrame:
    return pd.DataFrame({"county": pd.Series([], dtype=object), "indicator_id": pd.Series([], dtype=object),
                         "year": pd.Series([], dtype=np.int64), "value": pd.Series([], dtype=float),
                         "region": pd.Series([], dtype=object), "sex": pd.Series([], dtype=object),
                         "numerator": pd.Series([], dtype=float), "denominator": pd.Series([], dtype=float)})


# ---------------------------------------------------------------- the rules, column-wise
#
# Every (county, target) at once: a target's series is (statistic, sex, last year used); least squares from
# group sums, latest and previous values from the sorted points, intervals on arrays.

_KIND_CODES = {Kind.MAX: 0, Kind.MIN: 1, Kind.APPROX: 2, Kind.REDUCE_FROM_BASE: 3, Kind.INCREASE: 4, Kind.DECREASE: 5}
_MAX, _MIN, _APPROX, _REDUCE, _INCREASE, _DECREASE = range(6)
_STATUSES = list(Status)
_REASONS = list(Reason)
_WARNING_ORDER = [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.STALE,
                  WarningCode.FLUCTUATION, WarningCode.SMALL_NUMBERS, WarningCode.REGION_BELOW]
_SOURCES = ["reported", "catalogue", "earliest"]
_REFERENCE_YEAR = 2020.0  # x of the least-squares sums is year − this (small exact numbers)
_TREND_POINTS = 4  # 波动较大 compares the latest value with the trend of at most this many previous values,
_TREND_MIN = 3  # and of at least this many: a line through two values is no path to break from
_POOLED_POINTS = 3  # with few events, with the pooled rate of at most this many previous years

MANY_COLUMNS = [
    "county", "id", "plan", "year", "status", "reason", "warnings", "points", "latest_year", "latest_value", "baseline_year",
    "baseline_value", "baseline_source", "target_value", "direction", "progress", "time_progress", "projected_value",
    "projected_year", "ci_low", "ci_high", "townships_below", "trend_value", "trend_se", "trend_points",
]


def _meets_many(kind: np.ndarray, x: np.ndarray, T: np.ndarray, b: np.ndarray, tolerance: np.ndarray,
                unit_upper: np.ndarray, unit_lower: np.ndarray) -> np.ndarray:
    """meets(x) column-wise (NaN stands for None: no target value, no baseline — never met)."""
    out = np.zeros(len(x), dtype=bool)
    with np.errstate(invalid="ignore"):
        m = (kind == _MAX) | (kind == _REDUCE)
        out[m] = x[m] <= T[m] + 1e-9
        m = kind == _MIN
        out[m] = x[m] >= T[m] - 1e-9
        m = kind == _APPROX
        out[m] = np.abs(x[m] - T[m]) <= tolerance[m] + 1e-9
        # A direction target whose baseline already sits at the end of the unit's range (100%, 0) cannot move
        # further: holding it there is attainment.
        m = kind == _INCREASE
        at_ceiling = ~np.isnan(unit_upper[m]) & ~np.isnan(b[m]) & (b[m] >= unit_upper[m])
        out[m] = ~np.isnan(b[m]) & ((x[m] > b[m]) | (at_ceiling & (x[m] >= b[m])))
        m = kind == _DECREASE
        at_floor = ~np.isnan(unit_lower[m]) & ~np.isnan(b[m]) & (b[m] <= unit_lower[m])
        out[m] = ~np.isnan(b[m]) & ((x[m] < b[m]) | (at_floor & (x[m] <= b[m])))
    return out


def _intervals(numerator: np.ndarray, denominator: np.ndarray, wilson: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% intervals column-wise: Wilson where `wilson`, exact Poisson (Garwood) otherwise; NaN where there is none."""
    n = len(numerator)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(numerator) & ~np.isnan(denominator) & (denominator > 0) & ~np.isnan(scale)
    w = ok & wilson
    if w.any():
        s, total, sc = numerator[w], denominator[w], scale[w]
        p = s / total
        z2 = Z95 * Z95
        centre = (p + z2 / (2 * total)) / (1 + z2 / total)
        with np.errstate(invalid="ignore"):
            half = Z95 * np.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
        low[w] = np.maximum(0.0, centre - half) * sc
        high[w] = np.minimum(1.0, centre + half) * sc
    g = ok & ~wilson
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


def series_of(target: Target, year: int) -> tuple[str, str, int]:
    """The series a target is judged on in `year`: its statistic, its sex, and the last year used.

    At or after the target year only values within the plan period count, so the series stops there.
    """
    return target.series_key, target.sex, min(year, target.target_year or year)


def _series_rows(catalogue: Catalogue, specs: list[tuple[str, str, int]], data: pd.DataFrame, by: str) -> dict[str, np.ndarray]:
    """The rows that feed each series (index into `specs`), with the sex rules applied once.

    A series of both sexes takes the 合计 rows. A series of one sex takes that sex's rows; an indicator defined
    for one sex and reported under its own id (女性青壮年文盲率) also takes its 合计 rows, since a women's
    indicator sent without a sex is the women's value, and a row of the sex itself wins a year. A shared
    statistic's 合计 rows are both sexes' and never stand in for one sex. A gap series (男-女) takes a reported 合计 gap, else the difference of
    the two sexes' rows of the same county, place and year.
    """
    county_codes, counties = _codes(data[by])
    key_codes, key_values = _codes(data["indicator_id"])
    sex_codes, sexes = _codes(data["sex"])
    region_codes, regions = _codes(data["region"])
    value = data["value"].to_numpy(dtype=float)
    year = data["year"].to_numpy(dtype=float)
    numerator = data["numerator"].to_numpy(dtype=float)
    denominator = data["denominator"].to_numpy(dtype=float)
    key_index = {k: i for i, k in enumerate(key_values)}
    sex_index = {s: i for i, s in enumerate(sexes)}
    both_sexes = {t.series_key for t in catalogue if t.sex == TOTAL_SEX}
    own_keys = {t.id for t in catalogue if t.statistic is None}  # an indicator defined for one sex, reported under its id
    n_sex = len(sexes) + 1
    # (row key, row sex) -> the series it feeds, with a priority (0 wins over 1 in the same year).
    feeds: dict[int, list[tuple[int, int]]] = {}

    def feed(key: str, sex: str, spec: int, priority: int) -> None:
        if key in key_index and sex in sex_index:
            feeds.setdefault(key_index[key] * n_sex + sex_index[sex], []).append((spec, priority))

    gaps: list[tuple[int, str, str, str]] = []
    for i, (key, sex, _) in enumerate(specs):
        if sex in GAP_SEXES:
            feed(key, TOTAL_SEX, i, 0)
            gaps.append((i, key, *GAP_SEXES[sex]))
        else:
            feed(key, sex, i, 0)
            if sex != TOTAL_SEX and key not in both_sexes and key in own_keys:
                feed(key, TOTAL_SEX, i, 1)
    combined = np.where((key_codes >= 0) & (sex_codes >= 0), key_codes * n_sex + sex_codes, -1)
    codes = np.array(sorted(feeds), dtype=np.int64)
    counts = np.array([len(feeds[c]) for c in codes], dtype=np.int64)
    flat_spec = np.array([s for c in codes for s, _ in feeds[c]], dtype=np.int64)
    flat_priority = np.array([p for c in codes for _, p in feeds[c]], dtype=np.int64)
    if len(codes):
        where = np.minimum(np.searchsorted(codes, combined), len(codes) - 1)
        found = (combined >= 0) & (codes[where] == combined) & ~np.isnan(value) & (county_codes >= 0)
    else:
        where, found = np.zeros(len(combined), dtype=np.int64), np.zeros(len(combined), dtype=bool)
    rows = np.flatnonzero(found)
    repeat = counts[where[rows]]
    row_of = np.repeat(rows, repeat)
    first = (np.cumsum(counts) - counts)[where[rows]]
    offset = np.arange(len(row_of)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    slot = np.repeat(first, repeat) + offset
    out = {
        "county": county_codes[row_of], "spec": flat_spec[slot], "priority": flat_priority[slot], "region": region_codes[row_of],
        "year": year[row_of], "value": value[row_of], "numerator": numerator[row_of], "denominator": denominator[row_of],
        "order": row_of.astype(np.int64),
    }
    if gaps:
        extra = [_gap_rows(spec, key, first_sex, second_sex, key_index, sex_index, county_codes, key_codes, sex_codes, region_codes, year, value)
                 for spec, key, first_sex, second_sex in gaps]
        extra = [e for e in extra if e is not None]
        if extra:
            for column in out:
                out[column] = np.concatenate([out[column], *(e[column] for e in extra)])
    out["counties"] = counties
    out["regions"] = regions
    return out


def _gap_rows(spec: int, key: str, first_sex: str, second_sex: str, key_index: dict, sex_index: dict, county_codes: np.ndarray,
              key_codes: np.ndarray, sex_codes: np.ndarray, region_codes: np.ndarray, year: np.ndarray,
              value: np.ndarray) -> dict[str, np.ndarray] | None:
    """The gap series computed from the two sexes' rows (first minus second) where both were sent."""
    if key not in key_index or first_sex not in sex_index or second_sex not in sex_index:
        return None
    mine = (key_codes == key_index[key]) & ~np.isnan(value) & (county_codes >= 0)
    frames = []
    for sex in (first_sex, second_sex):
        take = np.flatnonzero(mine & (sex_codes == sex_index[sex]))
        frames.append(pd.DataFrame({"county": county_codes[take], "region": region_codes[take], "year": year[take],
                                    "value": value[take], "order": take}).drop_duplicates(["county", "region", "year"], keep="last"))
    both = frames[0].merge(frames[1], on=["county", "region", "year"], suffixes=("_a", "_b"))
    if both.empty:
        return None
    n = len(both)
    return {"county": both["county"].to_numpy(np.int64), "spec": np.full(n, spec, dtype=np.int64), "priority": np.ones(n, dtype=np.int64),
            "region": both["region"].to_numpy(np.int64), "year": both["year"].to_numpy(float),
            "value": (both["value_a"] - both["value_b"]).to_numpy(float), "numerator": np.full(n, np.nan), "denominator": np.full(n, np.nan),
            "order": np.maximum(both["order_a"], both["order_b"]).to_numpy(np.int64)}


@dataclass
class _ManyPoints:
    """The county series (全县, year ≤ the series' last year) of every county, sorted, for results read one at a time."""

    counties: np.ndarray
    specs: list[tuple[str, str, int]]
    groups: np.ndarray  # county × len(specs) + series of each group, ascending
    starts: np.ndarray  # the group's first row
    ends: np.ndarray
    year: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    townships: pd.DataFrame  # county, series, region, year, value of each_township series

    def points(self, county: int, spec: int) -> list[Point]:
        g = county * len(self.specs) + spec
        found = int(np.searchsorted(self.groups, g))
        if found >= len(self.groups) or self.groups[found] != g:
            return []
        return [Point(int(self.year[i]), float(self.value[i]), None if np.isnan(self.numerator[i]) else float(self.numerator[i]),
                      None if np.isnan(self.denominator[i]) else float(self.denominator[i]))
                for i in range(int(self.starts[found]), int(self.ends[found]))]


@dataclass
class ManyEvaluation:
    """Every target of every county evaluated for one year (`evaluate_many`).

    `table` has one row per (county, target), columns `MANY_COLUMNS`; `status`
    and `warnings` use the codes of `Status` and `WarningCode` (warnings joined
    by ";" in a fixed order). Sentences are not written for all of them:
    `result(county, target_id)` assembles one `Result` from its row, with its
    explanation and warning messages.
    """

    year: int
    table: pd.DataFrame
    catalogue: Catalogue
    targets: list[Target]
    points: _ManyPoints

    def __post_init__(self) -> None:
        self._row_of = {t.id: j for j, t in enumerate(self.targets)}

    def result(self, county: str, target_id: str) -> Result:
        j = self._row_of[target_id]
        target = self.targets[j]
        where = np.flatnonzero(self.points.counties == county)
        if not len(where):
            raise KeyError(county)
        c = int(where[0])
        row = self.table.iloc[c * len(self.targets) + j]
        spec = self.points.specs.index(series_of(target, self.year))
        result = Result(target=target, year=self.year, status=Status(row["status"]), points=self.points.points(c, spec),
                        final=is_final(target, self.year),
                        reason=Reason(row["reason"]))
        if not result.points:
            result.explanation = _explain(result)
            return result

        def number(column: str) -> float | None:
            value = row[column]
            return None if pd.isna(value) else float(value)

        result.latest = result.points[-1]
        result.baseline_value = number("baseline_value")
        result.baseline_year = None if pd.isna(row["baseline_year"]) else int(row["baseline_year"])
        result.baseline_source = None if pd.isna(row["baseline_source"]) else str(row["baseline_source"])
        result.target_value = number("target_value")
        result.direction = int(row["direction"])
        result.progress = number("progress")
        result.time_progress = number("time_progress")
        result.projected_value = number("projected_value")
        result.projected_year = None if pd.isna(row["projected_year"]) else int(row["projected_year"])
        low, high = number("ci_low"), number("ci_high")
        result.ci = (low, high) if low is not None and high is not None else None
        result.pooled = _pooled(target, result.points)
        if not pd.isna(row["trend_value"]):
            result.trend = (float(row["trend_value"]), float(row["trend_se"]) if not pd.isna(row["trend_se"]) else math.nan,
                            int(row["trend_points"]))
        upper, lower = _bounds(target)
        xs = np.array([p.value for p in result.points])

        def meets_all(values: np.ndarray) -> list[bool]:
            n = len(values)
            T = result.target_value if result.target_value is not None else math.nan
            b = result.baseline_value if result.baseline_value is not None else math.nan
            return _meets_many(np.full(n, _KIND_CODES[target.kind]), values, np.full(n, T), np.full(n, b),
                               np.full(n, target.tolerance or 0.0), np.full(n, upper), np.full(n, lower)).tolist()

        result.points_meet = meets_all(xs)
        if target.scope == Scope.EACH_TOWNSHIP and result.target_value is not None:
            tw = self.points.townships
            local = tw[(tw["county"] == c) & (tw["series"] == spec) & (tw["year"] == result.latest.year)]
            local = local.sort_values("region", kind="stable")
            result.township_values = dict(zip(local["region"], local["value"].astype(float), strict=True))
            ok = meets_all(local["value"].to_numpy(dtype=float))
            result.townships_below = [name for name, good in zip(local["region"], ok, strict=True) if not good]
        codes = [WarningCode(code) for code in str(row["warnings"]).split(";") if code]
        result.warnings = _warning_items(result, codes)
        result.explanation = _explain(result)
        return result

    def explanation(self, county: str, target_id: str) -> str:
        return self.result(county, target_id).explanation

    @property
    def final(self) -> bool | None:
        """Whether every target is past its year (True), none is (False), or the plans' periods differ (None)."""
        return phase(self.year, self.targets)

    def status_counts(self, by: tuple[str, ...] = ("county", "plan")) -> pd.DataFrame:
        """Targets by status, with 达标率 (achieved / targets judged), per county (and plan).

        Without "plan" in `by` the count spans plans, so a statistic shared by two plans counts once.
        """
        table = self.table
        if "plan" not in by and self.targets:
            keep = np.array(distinct_ids(self.targets), dtype=bool)
            table = table[np.tile(keep, len(table) // len(self.targets))]
        counts = table.groupby([*by, "status"], observed=True).size().unstack("status", fill_value=0)
        for status in Status:
            if status.value not in counts:
                counts[status.value] = 0
        counts = counts[[s.value for s in Status]]
        counts["targets"] = counts.sum(axis=1)
        counts["with_data"] = counts["targets"] - sum(counts[s.value] for s in UNJUDGED)
        counts["attainment"] = (counts[Status.ACHIEVED.value] / counts["with_data"]).where(counts["with_data"] > 0)
        return counts.reset_index()


def distinct_ids(targets: list[Target]) -> list[bool]:
    """Per target, whether a combined count takes it (`distinct_statistics` on targets)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for t in targets:
        key = (t.series_key, t.sex)
        out.append(not (t.statistic is not None and key in seen))
        seen.add(key)
    return out


def _pooled(target: Target, points: list[Point]) -> tuple[float, float, float, int, int] | None:
    """Pooled rate of the last three reported years with counts, with its interval (for rates and shares)."""
    if target.measure not in SAMPLED_MEASURES:
        return None
    last3 = [p for p in points if p.has_counts][-_POOLED_POINTS:]
    if not last3:
        return None
    events = sum(p.numerator for p in last3)  # type: ignore[misc]
    total = sum(p.denominator for p in last3)  # type: ignore[misc]
    scale = UNITS[target.unit].scale or 1
    ci = interval_for(target, events, total) or (math.nan, math.nan)
    return events / total * scale, ci[0], ci[1], last3[0].year, last3[-1].year


def evaluate_many(catalogue: Catalogue, data: pd.DataFrame, year: int | None = None, by: str = "county",
                  plan: str | None = None, targets: Iterable[Target] | None = None,
                  counties: Iterable[str] | None = None) -> ManyEvaluation:
    """Evaluate every target (of a plan) for every county in `data` (column `by`), all in one pass.

    `data` holds the rows of many counties, each as validation gives them
    (indicator_id, year, value, region, sex, numerator, denominator), plus the
    county in column `by`; within a county a (indicator, year, region, sex) is
    expected once (the last row wins). Every county is evaluated for the same
    `year` (default: the latest year with a county-level value in any county).
    `counties` adds counties without any row (all no_data), e.g. those whose file was rejected.
    The catalogue's baseline values are the office's own county's figures: other
    counties without a reported baseline-year value take their earliest value.
    """
    chosen = list(targets) if targets is not None else catalogue.for_plan(plan)
    if year is None:
        year = latest_year(data) or max(t.target_year or 0 for t in catalogue)
    specs = list(dict.fromkeys(series_of(t, year) for t in chosen))
    spec_index = {s: i for i, s in enumerate(specs)}
    S, J = len(specs), len(chosen)
    cut_of_spec = np.array([s[2] for s in specs], dtype=float)

    rows = _series_rows(catalogue, specs, data, by)
    observed = rows["counties"]
    extra = [c for c in dict.fromkeys(counties or []) if c not in set(observed)]
    counties_all = np.concatenate([observed, np.array(extra, dtype=object)]) if extra else observed
    C = len(counties_all)
    regions = rows["regions"]
    is_county = _lookup(rows["region"], np.array([r == COUNTY_REGION for r in regions], dtype=bool), False)
    township_names = catalogue.regions.township_names()
    is_township = _lookup(rows["region"], np.array([r in township_names for r in regions], dtype=bool), False)
    in_cut = rows["year"] <= cut_of_spec[rows["spec"]] if len(rows["spec"]) else np.zeros(0, dtype=bool)

    # ---- the county series: sorted by (county, series, year); one row a year (priority, then the last sent)
    take = np.flatnonzero(is_county & in_cut)
    g = rows["county"][take] * S + rows["spec"][take]
    order = np.lexsort((-rows["order"][take], rows["priority"][take], rows["year"][take], g))
    take, g = take[order], g[order]
    years = rows["year"][take]
    if len(g):
        again = np.r_[False, (g[1:] == g[:-1]) & (years[1:] == years[:-1])]  # the same year twice: the first in this order wins
        take, g, years = take[~again], g[~again], years[~again]
    values = rows["value"][take]
    nums = rows["numerator"][take]
    dens = rows["denominator"][take]
    n_points = len(g)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n_points else np.zeros(0, dtype=np.int64)
    ends = np.append(starts[1:], n_points).astype(np.int64) if n_points else np.zeros(0, dtype=np.int64)
    count = ends - starts
    group_county, group_series = g[starts] // max(S, 1), g[starts] % max(S, 1)
    last = ends - 1

    # ---- pairs (group, target); counties without a series get no_data
    target_series = np.array([spec_index[series_of(t, year)] for t in chosen], dtype=np.int64)
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
    final = year >= target_year
    catalogue_base = per_target([np.nan if t.baseline_value is None else t.baseline_value for t in chosen])
    home = catalogue.regions.home_county
    own = np.array([str(c) == home for c in counties_all], dtype=bool) if home is not None else np.zeros(C, dtype=bool)
    catalogue_base = np.where(own[group_county[pair_group]], catalogue_base, np.nan) if P else catalogue_base
    bounds_of = [_bounds(t) for t in chosen]
    unit_upper = per_target([u for u, _ in bounds_of])
    unit_lower = per_target([lo for _, lo in bounds_of])
    projection_upper = per_target([t.upper_bound if t.upper_bound is not None else u for t, (u, _) in zip(chosen, bounds_of, strict=True)])
    scale = per_target([np.nan if UNITS.get(t.unit) is None or UNITS[t.unit].scale is None else UNITS[t.unit].scale for t in chosen])
    interval_kind = [_interval_kind(t) for t in chosen]
    sampled = per_target([k is not None for k in interval_kind], bool)
    wilson = per_target([k == "wilson" for k in interval_kind], bool)
    needs_baseline = per_target([t.kind in NEEDS_BASELINE for t in chosen], bool)
    maintain = per_target([t.maintain for t in chosen], bool)
    direction = per_target([t.direction for t in chosen], np.int64)
    noise_floor = per_target([t.thresholds.noise_floor for t in chosen])
    fluctuation_share = per_target([t.thresholds.fluctuation_share for t in chosen])
    fluctuation_residuals = per_target([t.thresholds.fluctuation_residuals for t in chosen])
    small_limit = per_target([t.thresholds.small_numbers for t in chosen])
    each_township = per_target([t.scope == Scope.EACH_TOWNSHIP for t in chosen], bool)

    pg = pair_group
    n = count[pg]
    lp = last[pg]
    v, t_year = values[lp], years[lp]
    in_period = t_year > base_year

    # Baseline: reported at the baseline year, else the catalogue's (own county), else — for a target with a
    # value to reach — the earliest; a target defined by its baseline has none then.
    reported_at = np.full(P, -1, dtype=np.int64)
    for b_year in np.unique(base_year):
        at = np.flatnonzero(years == b_year)
        where = np.full(len(starts), -1, dtype=np.int64)
        where[np.searchsorted(starts, at, side="right") - 1] = at
        mine = base_year == b_year
        reported_at[mine] = where[pg[mine]]
    source = np.where(reported_at >= 0, 0, np.where(~np.isnan(catalogue_base), 1, np.where(needs_baseline, -1, 2)))
    first = starts[pg]
    b = np.where(source == 0, values[np.maximum(reported_at, 0)],
                 np.where(source == 1, catalogue_base, np.where(source == 2, values[first], np.nan)))
    baseline_year_out = np.where(source == 2, years[first], np.where(source == -1, np.nan, base_year))
    no_baseline = source == -1
    T = np.where(kind == _REDUCE, b * (1 - np.where(np.isnan(target_value), 0.0, target_value) / 100),
                 np.where((kind == _INCREASE) | (kind == _DECREASE), b, target_value))
    with np.errstate(invalid="ignore"):
        d = np.where(kind == _APPROX, np.nan_to_num(np.sign(T - b)), direction).astype(np.int64)

    span = target_year - base_year
    with np.errstate(divide="ignore", invalid="ignore"):
        time_progress = np.where(span != 0, (t_year - base_year) / span, np.nan)
        base_meets = _meets_many(kind, b, T, b, tolerance, unit_upper, unit_lower)
        has_progress = (kind != _INCREASE) & (kind != _DECREASE) & (np.abs(T - b) > 1e-12) & ~base_meets & ~np.isnan(b)
        progress = np.where(has_progress, (v - b) / np.where(has_progress, T - b, 1.0), np.nan)

    # Projection (during the period only): least squares through the points from the baseline year on, from
    # sums, clipped to the unit's natural range.
    x = years - _REFERENCE_YEAR
    projected = np.full(P, np.nan)
    from_all = source == 2
    for cut in [None, *np.unique(base_year[~from_all]).tolist()]:
        mine = ~final & (from_all if cut is None else (~from_all & (base_year == cut)))
        if not mine.any():
            continue
        mask = np.ones(n_points, dtype=bool) if cut is None else years >= cut
        w = mask.astype(float)
        sn, sx, sy, sxx, sxy = (np.add.reduceat(a, starts) for a in (w, w * x, w * values, w * x * x, w * x * values))
        k_, xs, ys, xxs, xys = sn[pg[mine]], sx[pg[mine]], sy[pg[mine]], sxx[pg[mine]], sxy[pg[mine]]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_x, mean_y = xs / k_, ys / k_
            slope = (xys - xs * mean_y) / (xxs - xs * mean_x)
            line = mean_y + slope * (target_year[mine] - _REFERENCE_YEAR - mean_x)
        projected[mine] = np.where((k_ >= 2) & np.isfinite(line), line, np.nan)
    with np.errstate(invalid="ignore"):
        projected = np.where(np.isnan(projected), np.nan, np.fmax(np.fmin(projected, projection_upper), unit_lower))
    has_projection = ~np.isnan(projected)

    # Latest counts and intervals: only for rates and shares estimated from events in a population.
    has_counts = sampled & ~np.isnan(nums[lp]) & ~np.isnan(dens[lp]) & (dens[lp] > 0)
    proportion_ok = ~wilson | ((nums[lp] >= 0) & (nums[lp] <= dens[lp]))
    with_ci = has_counts & proportion_ok
    ci_low, ci_high = _intervals(np.where(with_ci, nums[lp], np.nan), np.where(with_ci, dens[lp], np.nan), wilson, scale)

    # Townships of each_township targets at the latest year.
    below = np.zeros(P, dtype=np.int64)
    tw_take = np.flatnonzero(is_township & in_cut & np.isin(rows["spec"], target_series[[t.scope == Scope.EACH_TOWNSHIP for t in chosen]]))
    tw_order = np.lexsort((-rows["order"][tw_take], rows["priority"][tw_take]))
    tw_take = tw_take[tw_order]
    townships = pd.DataFrame({"county": rows["county"][tw_take], "series": rows["spec"][tw_take],
                              "region": _lookup(rows["region"][tw_take], regions, None), "year": rows["year"][tw_take],
                              "value": rows["value"][tw_take]}).drop_duplicates(["county", "series", "region", "year"], keep="first")
    if each_township.any() and len(townships):
        mine = np.flatnonzero(each_township)
        key = townships["county"].to_numpy() * S + townships["series"].to_numpy()
        pair_key = g[starts[pg[mine]]]
        lookup = pd.DataFrame({"key": pair_key, "pair": mine, "t": t_year[mine]})
        joined = pd.DataFrame({"key": key, "year": townships["year"].to_numpy(), "value": townships["value"].to_numpy()}).merge(lookup, on="key")
        joined = joined[joined["year"] == joined["t"]]
        if len(joined):
            pi = joined["pair"].to_numpy()
            fails = ~_meets_many(kind[pi], joined["value"].to_numpy(), T[pi], b[pi], tolerance[pi], unit_upper[pi], unit_lower[pi]) & ~np.isnan(T[pi])
            below = np.bincount(pi[fails], minlength=P)

    # Every point against the target: the latest, the earlier ones (slipped), the years of the period (maintain).
    point_pair = np.repeat(np.arange(P), n)
    point_row = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) if P else np.zeros(0, dtype=np.int64)
    point_meets = _meets_many(kind[point_pair], values[point_row], T[point_pair], b[point_pair], tolerance[point_pair],
                              unit_upper[point_pair], unit_lower[point_pair])
    is_latest = point_row == lp[point_pair]
    in_period_point = years[point_row] > base_year[point_pair]
    met_earlier = np.bincount(point_pair[point_meets & ~is_latest], minlength=P) > 0
    met_any = np.bincount(point_pair[point_meets], minlength=P) > 0
    missed_in_period = np.bincount(point_pair[~point_meets & in_period_point], minlength=P) > 0
    county_meets = _meets_many(kind, v, T, b, tolerance, unit_upper, unit_lower)

    # ---- status
    single = (n == 1) & (source != 1)
    moved = d * (v - b)
    ahead = ~np.isnan(progress) & ~np.isnan(time_progress) & (progress >= time_progress)
    projected_meets = has_projection & _meets_many(kind, projected, T, b, tolerance, unit_upper, unit_lower)
    S_ = {s: _STATUSES.index(s) for s in Status}
    unjudged = ~in_period | no_baseline
    status = np.select(
        [final & unjudged, final & county_meets & (below == 0), final,
         unjudged, county_meets & (below == 0), county_meets, single, moved > 0],
        [S_[Status.NO_DATA], S_[Status.ACHIEVED], S_[Status.NOT_ACHIEVED],
         S_[Status.INSUFFICIENT], S_[Status.ACHIEVED], S_[Status.AT_RISK], S_[Status.INSUFFICIENT],
         np.where(ahead | projected_meets, S_[Status.ON_TRACK], S_[Status.AT_RISK])],
        default=S_[Status.OFF_TRACK],
    )
    reason = np.select([~in_period, no_baseline, ~final & ~county_meets & single], [_REASONS.index(Reason.NO_IN_PERIOD),
                       _REASONS.index(Reason.NO_BASELINE), _REASONS.index(Reason.SINGLE_VALUE)], default=_REASONS.index(Reason.NONE))

    # ---- warnings
    warn = np.zeros((P, len(_WARNING_ORDER)), dtype=bool)
    trending = np.isin(status, [S_[Status.ON_TRACK], S_[Status.AT_RISK], S_[Status.OFF_TRACK]])
    warn[:, 0] = trending & has_projection & ~projected_meets
    small = has_counts & (nums[lp] < small_limit)
    two = n >= 2
    pp = np.where(two, lp - 1, lp)
    before = values[pp]
    with np.errstate(invalid="ignore"):
        worse_by = np.where(d == 0, np.abs(v - T) - np.abs(before - T), -d * (v - before))
    prev_counts = sampled & ~np.isnan(nums[pp]) & ~np.isnan(dens[pp]) & (dens[pp] > 0) & (~wilson | (nums[pp] <= dens[pp]))
    prev_low, prev_high = _intervals(np.where(prev_counts, nums[pp], np.nan), np.where(prev_counts, dens[pp], np.nan), wilson, scale)
    overlap = (prev_low <= ci_high) & (ci_low <= prev_high)
    by_intervals = small & prev_counts
    with np.errstate(invalid="ignore"):
        regressed = np.where(by_intervals, (worse_by > 0) & ~np.isnan(prev_low) & ~np.isnan(ci_low) & ~overlap,
                             worse_by > noise_floor * np.abs(before))
    warn[:, 1] = two & regressed
    known = ~np.isnan(T)
    warn[:, 2] = known & np.where(maintain, missed_in_period & met_any, met_earlier & ~county_meets)
    warn[:, 3] = np.where(final, in_period & (t_year < target_year), t_year < year)
    fluctuation, trend_value, trend_se, trend_k = _fluctuation_many(
        pg, starts, ends, n, years, values, nums, dens, sampled, wilson, small, scale, ci_low, ci_high,
        fluctuation_share, fluctuation_residuals)
    warn[:, 4] = fluctuation
    warn[:, 5] = small
    warn[:, 6] = below > 0
    warn[~in_period] = False  # values from before the period say nothing about the plan's targets
    warn[final & no_baseline] = False  # no verdict: the explanation says what is missing

    # ---- the table: every county × target; pairs fill their rows, the rest is no_data
    rows_n = C * J
    at = group_county[pg] * J + pair_target if P else np.zeros(0, dtype=np.int64)

    def full(values_: np.ndarray, fill: Any = np.nan, dtype: Any = float) -> np.ndarray:
        out = np.full(rows_n, fill, dtype=dtype)
        out[at] = values_
        return out

    bits = (warn * (1 << np.arange(len(_WARNING_ORDER)))).sum(axis=1) if P else np.zeros(0, dtype=np.int64)
    words = [";".join(code.value for i, code in enumerate(_WARNING_ORDER) if mask >> i & 1) for mask in range(1 << len(_WARNING_ORDER))]
    target_of_row = np.tile(np.arange(J), C)
    table = pd.DataFrame({
        "county": pd.Categorical.from_codes(np.repeat(np.arange(C), J), categories=pd.Index(counties_all, dtype=object)),
        "id": pd.Categorical.from_codes(target_of_row, categories=pd.Index([t.id for t in chosen], dtype=object)),
        "plan": pd.Categorical([t.plan for t in chosen])[target_of_row] if J else pd.Categorical([]),
        "year": np.full(rows_n, year, dtype=np.int64),
        "status": pd.Categorical.from_codes(full(status, S_[Status.NO_DATA], np.int64), categories=pd.Index([s.value for s in _STATUSES], dtype=object)),
        "reason": pd.Categorical.from_codes(full(reason, 0, np.int64), categories=pd.Index([r.value for r in _REASONS], dtype=object)),
        "warnings": pd.Categorical.from_codes(full(bits, 0, np.int64), categories=pd.Index(words, dtype=object)),
        "points": full(n, 0, np.int64),
        "latest_year": full(t_year),
        "latest_value": full(v),
        "baseline_year": full(baseline_year_out),
        "baseline_value": full(b),
        "baseline_source": pd.Categorical.from_codes(full(np.where(source >= 0, source, -1), -1, np.int64),
                                                     categories=pd.Index(_SOURCES, dtype=object)),
        "target_value": full(T),
        "direction": full(d, 0, np.int64),
        "progress": full(progress),
        "time_progress": full(time_progress),
        "projected_value": full(projected),
        "projected_year": full(np.where(has_projection, target_year, np.nan)),
        "ci_low": full(ci_low),
        "ci_high": full(ci_high),
        "townships_below": full(below, 0, np.int64),
        "trend_value": full(trend_value),
        "trend_se": full(trend_se),
        "trend_points": full(trend_k, 0, np.int64),
    }, columns=MANY_COLUMNS)
    points = _ManyPoints(counties_all, specs, g[starts], starts, ends, years, values, nums, dens, townships)
    return ManyEvaluation(year, table, catalogue, chosen, points)


def _fluctuation_many(pg: np.ndarray, starts: np.ndarray, ends: np.ndarray, n: np.ndarray, years: np.ndarray, values: np.ndarray,
                      nums: np.ndarray, dens: np.ndarray, sampled: np.ndarray, wilson: np.ndarray, small: np.ndarray,
                      scale: np.ndarray, ci_low: np.ndarray, ci_high: np.ndarray, share: np.ndarray,
                      residuals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """波动较大: whether the latest value breaks from the path of the previous ones.

    The least-squares line of the previous three or four values, extended to the latest year, is what the
    series' own path expects; the previous value is where it stood. The latest value fluctuates when it is
    off both — the smaller distance counts — by more than `share` of the expected value, or (with four
    previous values, so the spread around the line means something) by more than half that share and more
    than `residuals` prediction standard errors: a break in a tight series. Previous values exactly on a
    line (a plateau after an election) have no spread to measure, and only the share applies. A smooth
    trend, even a bending one, stays within a few per cent of its line and raises nothing. A steady trend, either way, lies on its line. With few events
    the latest interval is compared with the pooled interval of up to three previous years instead.
    Returns the flag and the expected value, its standard error and how many previous values it rests on.
    """
    P = len(pg)
    last = ends[pg] - 1
    k = np.minimum(n - 1, _TREND_POINTS)
    s0, sx, sy, sxx, sxy, syy = (np.zeros(P) for _ in range(6))
    for back in range(1, _TREND_POINTS + 1):
        has = k >= back
        idx = np.where(has, last - back, last)
        xb = np.where(has, years[idx] - years[last], 0.0)
        yb = np.where(has, values[idx], 0.0)
        s0 += has
        sx += xb
        sy += yb
        sxx += xb * xb
        sxy += xb * yb
        syy += yb * yb
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x, mean_y = sx / s0, sy / s0
        cxx = sxx - s0 * mean_x * mean_x
        cxy = sxy - s0 * mean_x * mean_y
        cyy = syy - s0 * mean_y * mean_y
        slope = np.where(cxx > 0, cxy / cxx, 0.0)
        expected = mean_y - slope * mean_x  # the line at x = 0, the latest year
        ssr = np.maximum(cyy - slope * cxy, 0.0)
        sigma = np.sqrt(ssr / np.maximum(s0 - 2, 1))
        se = sigma * np.sqrt(1 + 1 / s0 + mean_x * mean_x / np.where(cxx > 0, cxx, np.inf))
        latest = values[last]
        # Off the path: neither where the trend leads nor where the series stood (a step then a plateau is steady too).
        deviation = np.fmin(np.abs(latest - expected), np.abs(latest - values[np.maximum(last - 1, 0)]))
        reference = np.fmax(np.abs(expected), np.abs(mean_y))
        meaningful = deviation > 1e-9 * np.fmax(reference, 1.0)
        by_share = (k >= _TREND_MIN) & meaningful & (deviation > share * reference)
        # The spread around the line must be measurable: previous values exactly on a line (a plateau) give none.
        spread = se > 1e-6 * np.fmax(reference, 1.0)
        by_residuals = (k >= _TREND_POINTS) & meaningful & spread & (deviation > residuals * se) & (deviation > share / 2 * reference)
    trend_ok = (k >= _TREND_MIN) & ~small
    out = trend_ok & (by_share | by_residuals)
    trend_value = np.where(trend_ok, expected, np.nan)
    trend_se = np.where(trend_ok, se, np.nan)
    trend_k = np.where(trend_ok, k, 0)

    # Few events: the latest interval against the pooled previous years' interval.
    pooled_num, pooled_den = np.zeros(P), np.zeros(P)
    kp = np.minimum(n - 1, _POOLED_POINTS)
    all_counted = kp >= 1
    for back in range(1, _POOLED_POINTS + 1):
        has = kp >= back
        idx = np.where(has, last - back, last)
        counted = sampled & ~np.isnan(nums[idx]) & ~np.isnan(dens[idx]) & (dens[idx] > 0)
        pooled_num = np.where(has, pooled_num + nums[idx], pooled_num)
        pooled_den = np.where(has, pooled_den + dens[idx], pooled_den)
        all_counted &= ~has | counted
    few = np.flatnonzero(small & all_counted)
    if len(few):
        proportion_ok = ~wilson[few] | (pooled_num[few] <= pooled_den[few])
        before_low, before_high = _intervals(np.where(proportion_ok, pooled_num[few], np.nan), pooled_den[few], wilson[few], scale[few])
        now_low, now_high = ci_low[few], ci_high[few]
        ok = ~np.isnan(before_low) & ~np.isnan(now_low)
        out[few] = ok & ~((now_low <= before_high) & (before_low <= now_high))
    return out, trend_value, trend_se, trend_k
