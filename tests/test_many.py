"""The rules engine against its plain reference, and `validate_many` against the one-file validation it speeds up."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitoring.catalogue import load_catalogue
from monitoring.datasets import read_folder
from monitoring.evaluation import Point, evaluate, evaluate_many, evaluate_series
from monitoring.measurements import validate_bytes, validate_many
from monitoring.regions import COUNTY_REGION
from tests import reference_engine
from tests.conftest import FIXTURES, ROOT, make_target

TOWNSHIPS = ["古绛镇", "横水镇", "郝庄乡"]
CATALOGUE = load_catalogue(ROOT / "targets")
SCALE = {"%": 100.0, "‰": 1000.0, "1/10万": 100000.0}


@st.composite
def cases(draw):
    """A target of any kind, unit and measure, a short series (often repeating values or sitting on the target), a year."""
    kind = draw(st.sampled_from(["max", "min", "approx", "reduce_from_base", "increase", "decrease"]))
    unit = draw(st.sampled_from(["%", "‰", "1/10万", "人"]))
    target_value = draw(st.sampled_from([0.0, 5.3, 12.5, 50.0, 90.0, 100.0]))
    overrides = {"kind": kind, "unit": unit, "target_value": None if kind in ("increase", "decrease") else target_value,
                 "maintain": draw(st.booleans())}
    if unit == "%":
        overrides["measure"] = draw(st.sampled_from(["share", "complete_share"]))
    if kind == "reduce_from_base":
        overrides["target_value"] = draw(st.sampled_from([10.0, 20.0]))
    if kind == "approx":
        overrides["tolerance"] = draw(st.sampled_from([0.0, 1.0, 2.5]))
    if draw(st.booleans()):
        overrides["baseline_value"] = draw(st.sampled_from([0.0, 48.0, 90.0, 100.0]))
    if draw(st.booleans()):
        overrides["thresholds"] = {"noise_floor": draw(st.sampled_from([0.0, 0.01, 0.05])),
                                   "fluctuation_share": draw(st.sampled_from([0.05, 0.1, 1.0])),
                                   "fluctuation_residuals": draw(st.sampled_from([1.0, 3.0])),
                                   "small_numbers": draw(st.sampled_from([5, 20, 100]))}
    township = draw(st.booleans())
    if township:
        overrides["scope"] = "each_township"
    target = make_target(**overrides)
    level = target_value if kind not in ("increase", "decrease") else 50.0
    value = st.one_of(st.sampled_from([0.0, level, level + 1e-9, level - 1e-9, level + 1, level - 1, 100.0]),
                      st.floats(0, 120, allow_nan=False).map(lambda x: round(x, 2)))
    years = draw(st.lists(st.integers(2018, 2026), unique=True, max_size=7))
    points = []
    for y in sorted(years):
        if unit in SCALE and draw(st.integers(0, 2)) == 0:
            denominator = draw(st.sampled_from([1, 7, 50, 1850, 45000]))
            numerator = draw(st.integers(0, min(denominator, 40)))
            computed = numerator / denominator * SCALE[unit]
            points.append(Point(y, draw(st.sampled_from([computed, round(computed, 2)])), float(numerator), float(denominator)))
        else:
            points.append(Point(y, draw(value)))
    townships = None
    if township:
        townships = {name: [Point(y, draw(value)) for y in sorted(draw(st.lists(st.integers(2018, 2026), unique=True, max_size=3)))]
                     for name in TOWNSHIPS if draw(st.booleans())}
    return target, points, townships, draw(st.integers(2019, 2026))


def _near_an_edge(target, expected) -> bool:
    """A projection within rounding of where meets() flips: two correct summations may disagree there."""
    if expected.projected is None or expected.target_value is None:
        return False
    edge = expected.baseline if target.kind in ("increase", "decrease") else expected.target_value
    if edge is None:
        return False
    gap = abs(abs(expected.projected - edge) - (target.tolerance or 0 if target.kind == "approx" else 0))
    return gap < 1e-6 * max(1.0, abs(edge))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_the_engine_agrees_with_the_plain_reference(case):
    target, points, townships, year = case
    for own in (True, False):
        expected = reference_engine.evaluate(target, year, points, townships, own_baseline=own)
        assume(not _near_an_edge(target, expected))
        result = evaluate_series(target, year, points, townships, own_baseline=own)
        assert (result.status.value, result.warning_codes) == (expected.status, expected.warnings)
        if expected.projected is None:
            assert result.projected_value is None
        else:
            assert result.projected_value == pytest.approx(expected.projected, rel=1e-9, abs=1e-9)
        assert result.explanation.endswith("。")
        assert all(any(ch.isdigit() for ch in w.message) for w in result.warnings), "every warning quotes its numbers"


def frame_of(key: str, points: list[Point], county: str) -> pd.DataFrame:
    rows = [[county, key, p.year, p.value, COUNTY_REGION, "合计", p.numerator, p.denominator] for p in points]
    return pd.DataFrame(rows, columns=["county", "indicator_id", "year", "value", "region", "sex", "numerator", "denominator"])


def test_every_county_is_judged_on_its_own_series():
    target = make_target(kind="min", target_value=90)
    frames = [frame_of(target.series_key, [Point(2020, 80), Point(2023, 92)], "甲"),
              frame_of(target.series_key, [Point(2020, 80), Point(2023, 81)], "乙")]
    many = evaluate_many(CATALOGUE, pd.concat(frames, ignore_index=True), 2023, targets=[target], counties=["甲", "乙", "丙"])
    assert list(many.table["status"]) == ["achieved", "at_risk", "no_data"]
    assert many.result("乙", target.id).latest == Point(2023, 81)


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024, 2025])
def test_evaluate_many_matches_evaluate_on_the_demo_data(catalogue, year):
    rows = read_folder(ROOT / "data" / "demo", catalogue).rows
    two = pd.concat([rows.assign(county="甲"), rows[rows["year"] < 2025].assign(county="乙")], ignore_index=True)
    many = evaluate_many(catalogue, two, year)
    table = many.table.set_index(["county", "id"])
    for county, data in (("甲", rows), ("乙", rows[rows["year"] < 2025])):
        for result in evaluate(catalogue, data, year).results:
            row = table.loc[(county, result.target.id)]
            assert (row["status"], row["warnings"]) == (result.status.value, ";".join(result.warning_codes)), result.target.id


def test_status_counts_count_a_shared_statistic_once_across_plans(catalogue):
    rows = read_folder(ROOT / "data" / "demo", catalogue).rows
    many = evaluate_many(catalogue, rows.assign(county="甲"), 2025)
    across = many.status_counts(by=("county",)).iloc[0]
    per_plan = many.status_counts(by=("county", "plan"))
    shared = len(catalogue) - len({(t.series_key, t.sex) if t.statistic else t.id for t in catalogue})
    assert shared > 0
    assert across["targets"] == len(catalogue) - shared
    assert per_plan["targets"].sum() == len(catalogue)
    evaluation = evaluate(catalogue, rows, 2025)
    assert across["achieved"] == sum(1 for r in evaluation.counted() if r.status.value == "achieved")


def test_validate_many_reports_each_file_as_validate_bytes_does(catalogue):
    files = {path.name: path.read_bytes() for path in sorted((FIXTURES / "measurements").iterdir()) if path.suffix in (".csv", ".xlsx", ".txt", ".xls")}
    batch = validate_many(files, catalogue)
    accepted = 0
    for name, data in files.items():
        alone = validate_bytes(data, catalogue, name)
        report = batch.report(name)
        assert (report.errors, report.notices, report.encoding) == (alone.errors, alone.notices, alone.encoding), name
        assert len(report.rows) == len(alone.rows)
        columns = ["indicator_id", "year", "value", "region", "sex", "numerator", "denominator", "_row"]
        pd.testing.assert_frame_equal(report.rows[columns].reset_index(drop=True).astype({"indicator_id": object, "region": object, "sex": object}),
                                      alone.rows[columns].reset_index(drop=True).astype({"indicator_id": object, "region": object, "sex": object}),
                                      check_dtype=False, obj=name)
        accepted += len(alone.rows)
    assert len(batch.rows) == accepted and set(batch.failed) == {n for n in files if not validate_bytes(files[n], catalogue, n).ok}
