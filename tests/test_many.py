"""Many counties at once: `evaluate_many` and `validate_many` agree with the one-county engine they speed up."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.catalogue import COUNTY_REGION, load_catalogue
from monitoring.datasets import read_folder
from monitoring.evaluation import Point, evaluate, evaluate_many, evaluate_target
from monitoring.measurements import validate_bytes, validate_many
from tests.conftest import FIXTURES, ROOT, make_target

TOWNSHIPS = ["古绛镇", "横水镇", "郝庄乡"]
CATALOGUE = load_catalogue(ROOT / "targets")
SCALE = {"%": 100.0, "‰": 1000.0, "1/10万": 100000.0}


@st.composite
def cases(draw):
    """A target of any kind and unit, a short series (often repeating values or sitting on the target), an evaluation year."""
    kind = draw(st.sampled_from(["max", "min", "approx", "reduce_from_base", "increase", "decrease"]))
    unit = draw(st.sampled_from(["%", "‰", "1/10万", "人"]))
    target_value = draw(st.sampled_from([0.0, 5.3, 12.5, 50.0, 90.0, 100.0]))
    overrides = {"kind": kind, "unit": unit, "target_value": None if kind in ("increase", "decrease") else target_value}
    if kind == "reduce_from_base":
        overrides["target_value"] = draw(st.sampled_from([10.0, 20.0]))
    if kind == "approx":
        overrides["tolerance"] = draw(st.sampled_from([0.0, 1.0, 2.5]))
    if draw(st.booleans()):
        overrides["baseline_value"] = draw(st.sampled_from([0.0, 48.0, 90.0, 100.0]))
    if draw(st.booleans()):
        overrides["thresholds"] = {"noise_floor": draw(st.sampled_from([0.0, 0.01, 0.05])),
                                   "fluctuation_mean": draw(st.sampled_from([0.05, 0.1, 1.0])),
                                   "fluctuation_mad": draw(st.sampled_from([1.0, 3.0])),
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


def frame_of(key: str, points: list[Point], townships: dict[str, list[Point]] | None, county: str = "140826") -> pd.DataFrame:
    rows = [[county, key, p.year, p.value, COUNTY_REGION, "合计", p.numerator, p.denominator] for p in points]
    for name, series in (townships or {}).items():
        rows += [[county, key, p.year, p.value, name, "合计", None, None] for p in series]
    return pd.DataFrame(rows, columns=["county", "indicator_id", "year", "value", "region", "sex", "numerator", "denominator"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_vectorized_core_agrees_with_evaluate_target(case):
    target, points, townships, year = case
    expected = evaluate_target(target, year, points, townships)
    many = evaluate_many(CATALOGUE, frame_of(target.series_key, points, townships), year, targets=[target], counties=["140826"])
    row = many.table.iloc[0]
    assert (row["status"], row["warnings"]) == (expected.status.value, ";".join(expected.warning_codes))
    assert int(row["townships_below"]) == len(expected.townships_below)
    if expected.projected_value is None:
        assert pd.isna(row["projected_value"])
    else:
        assert row["projected_value"] == pytest.approx(expected.projected_value, rel=1e-9, abs=1e-9)
    assert many.result("140826", target.id).explanation == expected.explanation
    # Another county than the office's own does not take the catalogue's baseline.
    other = evaluate_target(target, year, points, townships, own_baseline=False)
    elsewhere = evaluate_many(CATALOGUE, frame_of(target.series_key, points, townships, "x"), year, targets=[target], counties=["x"])
    assert (elsewhere.table.iloc[0]["status"], elsewhere.table.iloc[0]["warnings"]) == (other.status.value, ";".join(other.warning_codes))
    assert elsewhere.result("x", target.id).explanation == other.explanation


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
            for column, value in (("progress", result.progress), ("time_progress", result.time_progress),
                                  ("projected_value", result.projected_value), ("baseline_value", result.baseline_value),
                                  ("target_value", result.target_value), ("ci_low", result.ci[0] if result.ci else None)):
                assert (pd.isna(row[column]) if value is None else row[column] == pytest.approx(value, rel=1e-9)), (result.target.id, column)
        assert many.result(county, "C1-06").explanation == evaluate(catalogue, data, year).get("C1-06").explanation


def test_status_counts(catalogue):
    rows = read_folder(ROOT / "data" / "demo", catalogue).rows
    many = evaluate_many(catalogue, rows.assign(county="甲"), 2025)
    counts = many.status_counts(by=("county",)).iloc[0]
    summary = evaluate(catalogue, rows, 2025).summary("plan")
    assert counts["targets"] == len(catalogue) and counts["achieved"] == summary["achieved"].sum()


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
