"""The rules of docs/methodology.md for one target, written plainly, one value at a time.

Not used by the product: `monitoring.evaluation.evaluate_many` is the one rules
engine. This is the reference it is checked against (tests/test_many.py): the same
rules read straight from the methodology, so a slip in the column-wise code shows
up as a disagreement. It decides statuses and warning codes only; sentences are the
engine's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitoring.catalogue import NEEDS_BASELINE, SAMPLED_MEASURES, Kind, Measure, Scope, Target
from monitoring.evaluation import Point, poisson_interval, wilson_interval
from monitoring.units import UNITS

WARNING_ORDER = ["projected_miss", "regression", "slipped", "stale", "fluctuation", "small_numbers", "region_below"]


@dataclass
class Reference:
    status: str
    warnings: list[str]
    projected: float | None = None
    baseline: float | None = None
    target_value: float | None = None


def meets(target: Target, x: float, T: float | None, b: float | None) -> bool:
    k = target.kind
    if k in (Kind.MAX, Kind.REDUCE_FROM_BASE):
        return T is not None and x <= T + 1e-9
    if k == Kind.MIN:
        return T is not None and x >= T - 1e-9
    if k == Kind.APPROX:
        return T is not None and abs(x - T) <= (target.tolerance or 0) + 1e-9
    unit = UNITS.get(target.unit)
    if b is None:
        return False
    if k == Kind.INCREASE:
        return x > b or (unit is not None and unit.upper is not None and b >= unit.upper and x >= b)
    return x < b or (unit is not None and b <= unit.lower and x <= b)


def interval(target: Target, numerator: float, denominator: float) -> tuple[float, float] | None:
    unit = UNITS.get(target.unit)
    if target.measure not in SAMPLED_MEASURES or unit is None or unit.scale is None or denominator <= 0:
        return None
    if target.measure == Measure.RATE:
        return poisson_interval(numerator, denominator, unit.scale)
    return wilson_interval(numerator, denominator, unit.scale) if 0 <= numerator <= denominator else None


def line_at(points: list[Point], year: float) -> float | None:
    """The least-squares line through the points at `year` (None from fewer than two distinct years)."""
    if len({p.year for p in points}) < 2:
        return None
    n = len(points)
    mx = sum(p.year for p in points) / n
    my = sum(p.value for p in points) / n
    sxy = sum((p.year - mx) * (p.value - my) for p in points)
    sxx = sum((p.year - mx) ** 2 for p in points)
    return my + sxy / sxx * (year - mx)


def evaluate(target: Target, year: int, points: list[Point], townships: dict[str, list[Point]] | None = None,
             own_baseline: bool = True) -> Reference:
    assert target.target_year is not None and target.baseline_year is not None
    final = year >= target.target_year
    cut = min(year, target.target_year)
    by_year = {p.year: p for p in points if p.year <= cut}  # the last sent of a year wins
    pts = [by_year[y] for y in sorted(by_year)]
    if not pts:
        return Reference("no_data", [])
    latest = pts[-1]
    v, t = latest.value, latest.year
    base_year = target.baseline_year
    in_period = t > base_year

    # Baseline b and the effective target T.
    reported = by_year.get(base_year)
    earliest = False
    if reported is not None:
        b: float | None = reported.value
    elif target.baseline_value is not None and own_baseline:
        b = target.baseline_value
    elif target.kind in NEEDS_BASELINE:
        b = None
    else:
        b, earliest = pts[0].value, True
    if target.kind == Kind.REDUCE_FROM_BASE:
        T = None if b is None else b * (1 - (target.target_value or 0) / 100)
    elif target.kind in (Kind.INCREASE, Kind.DECREASE):
        T = b
    else:
        T = target.target_value
    d = target.direction if target.kind != Kind.APPROX else (0 if b == T else (1 if b < T else -1))  # type: ignore[operator]

    # Progress, time progress and (during the period) the projection, within the unit's range.
    progress = None
    if T is not None and b is not None and target.kind not in (Kind.INCREASE, Kind.DECREASE) and abs(T - b) > 1e-12 and not meets(target, b, T, b):
        progress = (v - b) / (T - b)
    time_progress = (t - base_year) / (target.target_year - base_year)
    projected = None
    if not final:
        since = pts[0].year if earliest else base_year
        projected = line_at([p for p in pts if p.year >= since], target.target_year)
        if projected is not None:
            unit = UNITS.get(target.unit)
            upper = target.upper_bound if target.upper_bound is not None else (unit.upper if unit else None)
            if upper is not None:
                projected = min(projected, upper)
            if unit is not None:
                projected = max(projected, unit.lower)

    sampled = target.measure in SAMPLED_MEASURES and UNITS.get(target.unit) is not None and UNITS[target.unit].scale is not None
    counted = sampled and latest.has_counts
    ci = interval(target, latest.numerator, latest.denominator) if counted else None  # type: ignore[arg-type]
    small = counted and latest.numerator < target.thresholds.small_numbers  # type: ignore[operator]

    below = []
    if target.scope == Scope.EACH_TOWNSHIP and townships and T is not None:
        for series in townships.values():
            values = {p.year: p.value for p in series if p.year <= cut}
            if t in values and not meets(target, values[t], T, b):
                below.append(values[t])
    county_meets = meets(target, v, T, b)

    # Status.
    unjudged = not in_period or (target.kind in NEEDS_BASELINE and b is None)
    single = len(pts) == 1 and not (reported is None and target.baseline_value is not None and own_baseline)
    if final:
        status = "no_data" if unjudged else ("achieved" if county_meets and not below else "not_achieved")
    elif unjudged:
        status = "insufficient"
    elif county_meets:
        status = "achieved" if not below else "at_risk"
    elif single:
        status = "insufficient"
    elif d * (v - b) > 0:  # type: ignore[operator]
        ahead = progress is not None and progress >= time_progress
        status = "on_track" if ahead or (projected is not None and meets(target, projected, T, b)) else "at_risk"
    else:
        status = "off_track"

    # Warnings.
    warnings = set()
    if status in ("on_track", "at_risk", "off_track") and projected is not None and not meets(target, projected, T, b):
        warnings.add("projected_miss")
    if len(pts) >= 2:
        previous = pts[-2]
        worse_by = (abs(v - T) - abs(previous.value - T)) if d == 0 else -d * (v - previous.value)  # type: ignore[operator]
        before_ci = interval(target, previous.numerator, previous.denominator) if sampled and previous.has_counts else None  # type: ignore[arg-type]
        if small and sampled and previous.has_counts and (previous.numerator <= previous.denominator or target.measure == Measure.RATE):  # type: ignore[operator]
            regressed = worse_by > 0 and before_ci is not None and ci is not None and not (before_ci[0] <= ci[1] and ci[0] <= before_ci[1])
        else:
            regressed = worse_by > target.thresholds.noise_floor * abs(previous.value)
        if regressed:
            warnings.add("regression")
    if T is not None:
        met = [meets(target, p.value, T, b) for p in pts]
        if target.maintain:
            if any(not ok for p, ok in zip(pts, met, strict=True) if p.year > base_year) and any(met):
                warnings.add("slipped")
        elif any(met[:-1]) and not county_meets:
            warnings.add("slipped")
    if (final and in_period and t < target.target_year) or (not final and t < year):
        warnings.add("stale")
    if _fluctuates(target, pts, small, sampled, ci):
        warnings.add("fluctuation")
    if small:
        warnings.add("small_numbers")
    if below:
        warnings.add("region_below")
    if not in_period or (final and unjudged):
        warnings = set()
    return Reference(status, [w for w in WARNING_ORDER if w in warnings], projected, b, T)


def _fluctuates(target: Target, pts: list[Point], small: bool, sampled: bool, ci: tuple[float, float] | None) -> bool:
    latest = pts[-1]
    if small:
        previous = pts[-4:-1]
        if not previous or not all(sampled and p.has_counts for p in previous):
            return False
        events = sum(p.numerator for p in previous)  # type: ignore[misc]
        total = sum(p.denominator for p in previous)  # type: ignore[misc]
        before = interval(target, events, total) if (target.measure == Measure.RATE or events <= total) else None
        return before is not None and ci is not None and not (ci[0] <= before[1] and before[0] <= ci[1])
    previous = pts[-5:-1]
    k = len(previous)
    if k < 3:
        return False
    # The previous values' least-squares line at the latest year (x = years before the latest).
    xs = [p.year - latest.year for p in reversed(previous)]
    ys = [p.value for p in reversed(previous)]
    s0, sx, sy, sxx, sxy, syy = float(k), 0.0, 0.0, 0.0, 0.0, 0.0
    for x, y in zip(xs, ys, strict=True):
        sx += x
        sy += y
        sxx += x * x
        sxy += x * y
        syy += y * y
    mean_x, mean_y = sx / s0, sy / s0
    cxx = sxx - s0 * mean_x * mean_x
    cxy = sxy - s0 * mean_x * mean_y
    cyy = syy - s0 * mean_y * mean_y
    slope = cxy / cxx if cxx > 0 else 0.0
    expected = mean_y - slope * mean_x
    deviation = min(abs(latest.value - expected), abs(latest.value - previous[-1].value))
    reference = max(abs(expected), abs(mean_y))
    if deviation <= 1e-9 * max(reference, 1.0):
        return False
    th = target.thresholds
    if deviation > th.fluctuation_share * reference:
        return True
    if k < 4:
        return False
    sigma = math.sqrt(max(cyy - slope * cxy, 0.0) / max(s0 - 2, 1))
    se = sigma * math.sqrt(1 + 1 / s0 + mean_x * mean_x / (cxx if cxx > 0 else math.inf))
    if se <= 1e-6 * max(reference, 1.0):
        return False  # previous values exactly on a line: no spread to measure
    return deviation > th.fluctuation_residuals * se and deviation > th.fluctuation_share / 2 * reference
