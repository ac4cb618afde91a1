"""Evaluation: a table of small series per kind and status, per warning and its absence."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.evaluation import Point, Status, WarningCode, evaluate, evaluate_target, poisson_interval, wilson_interval
from tests.conftest import make_target


def series(values: dict[int, float], counts: dict[int, tuple[int, int]] | None = None) -> list[Point]:
    counts = counts or {}
    return [Point(y, v, *counts.get(y, (None, None))) for y, v in values.items()]


# (case, target overrides, series, evaluation year, expected status)
STATUS_CASES = [
    ("min achieved", {}, {2020: 85, 2023: 91}, 2023, Status.ACHIEVED),
    ("min on track ahead of the clock", {}, {2020: 80, 2023: 88}, 2023, Status.ON_TRACK),
    ("min on track by projection though behind", {}, {2020: 80, 2021: 80.5, 2022: 81, 2023: 86}, 2023, Status.ON_TRACK),
    ("min at risk: behind and projected to miss", {}, {2020: 80, 2021: 81, 2022: 82, 2023: 83}, 2023, Status.AT_RISK),
    ("min off track: no progress", {}, {2020: 80, 2023: 80}, 2023, Status.OFF_TRACK),
    ("min off track: moving away", {}, {2020: 80, 2023: 78}, 2023, Status.OFF_TRACK),
    ("max achieved", {"kind": "max", "target_value": 12.5, "unit": "1/10万"}, {2020: 30, 2023: 10}, 2023, Status.ACHIEVED),
    ("max achieved at the target exactly", {"kind": "max", "target_value": 12.5, "unit": "1/10万"}, {2020: 30, 2023: 12.5}, 2023, Status.ACHIEVED),
    ("max off track", {"kind": "max", "target_value": 5.3, "unit": "‰"}, {2020: 6, 2023: 6.4}, 2023, Status.OFF_TRACK),
    ("approx achieved within tolerance", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 41, 2023: 43.5}, 2023, Status.ACHIEVED),
    ("approx from above, on track", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 55, 2023: 48}, 2023, Status.ON_TRACK),
    ("approx off track moving away", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 40, 2023: 38}, 2023, Status.OFF_TRACK),
    ("reduce_from_base achieved", {"kind": "reduce_from_base", "target_value": 20, "unit": "1/10万"}, {2020: 20, 2023: 15.5}, 2023, Status.ACHIEVED),
    ("reduce_from_base at risk", {"kind": "reduce_from_base", "target_value": 20, "unit": "1/10万"}, {2020: 20, 2021: 19.9, 2022: 19.8, 2023: 19.7}, 2023, Status.AT_RISK),
    ("increase achieved", {"kind": "increase", "target_value": None}, {2020: 50, 2023: 52}, 2023, Status.ACHIEVED),
    ("increase off track", {"kind": "increase", "target_value": None}, {2020: 50, 2023: 49}, 2023, Status.OFF_TRACK),
    ("increase held at 100% is achieved", {"kind": "increase", "target_value": None}, {2020: 100, 2023: 100}, 2023, Status.ACHIEVED),
    ("decrease held at 0 is achieved", {"kind": "decrease", "target_value": None, "unit": "‰"}, {2020: 0, 2023: 0}, 2023, Status.ACHIEVED),
    ("decrease achieved", {"kind": "decrease", "target_value": None, "unit": "‰"}, {2020: 5, 2023: 4}, 2023, Status.ACHIEVED),
    ("single value that misses is at risk", {}, {2023: 85}, 2023, Status.AT_RISK),
    ("single value that meets is achieved", {}, {2023: 95}, 2023, Status.ACHIEVED),
    ("catalogue baseline makes one value a trend", {"baseline_value": 80}, {2023: 88}, 2023, Status.ON_TRACK),
    ("no value at or before the year", {}, {2024: 95}, 2023, Status.NO_DATA),
    ("no data at all", {}, {}, 2025, Status.NO_DATA),
    ("earliest value is the baseline when 2020 is missing", {}, {2021: 80, 2023: 88}, 2023, Status.ON_TRACK),
]


@pytest.mark.parametrize(("case", "overrides", "values", "year", "status"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_status(case, overrides, values, year, status):
    result = evaluate_target(make_target(**overrides), year, series(values))
    assert result.status == status, result.explanation
    assert result.explanation.endswith("。")


def test_each_township_achieved_only_when_every_township_meets():
    target = make_target(scope="each_township")
    townships = {"古绛镇": series({2023: 95}), "郝庄乡": series({2023: 88.6}), "冷口乡": series({2022: 80})}
    result = evaluate_target(target, 2023, series({2020: 92, 2023: 94.6}), townships)
    assert result.status == Status.AT_RISK
    assert result.townships_below == ["郝庄乡"]  # 冷口乡 did not report for 2023
    assert [w.code for w in result.warnings] == [WarningCode.REGION_BELOW]
    assert "郝庄乡88.6%" in result.warnings[0].message
    townships["郝庄乡"] = series({2023: 91})
    assert evaluate_target(target, 2023, series({2020: 92, 2023: 94.6}), townships).status == Status.ACHIEVED


# (case, target overrides, series, counts, year, warnings expected exactly)
WARNING_CASES = [
    ("projected miss", {}, {2020: 80, 2021: 81, 2022: 82, 2023: 83}, None, 2023, [WarningCode.PROJECTED_MISS]),
    ("no projected miss when achieved", {}, {2020: 80, 2021: 85, 2022: 90, 2023: 91}, None, 2023, []),
    ("regression beyond the noise floor", {}, {2020: 80, 2022: 92, 2023: 90}, None, 2023, [WarningCode.REGRESSION]),
    ("no regression within the 1% noise floor", {}, {2020: 80, 2022: 88, 2023: 87.2}, None, 2023, []),
    ("regression for a max target is a rise", {"kind": "max", "target_value": 12, "unit": "‰"}, {2020: 12.5, 2022: 11, 2023: 11.5}, None, 2023,
     [WarningCode.REGRESSION]),
    ("slipped", {}, {2020: 85, 2022: 91, 2023: 89}, None, 2023, [WarningCode.REGRESSION, WarningCode.SLIPPED]),
    ("stale", {}, {2020: 85, 2022: 91}, None, 2023, [WarningCode.STALE]),
    ("fluctuation against the mean of three previous", {}, {2020: 80, 2021: 82, 2022: 81, 2023: 95}, None, 2023, [WarningCode.FLUCTUATION]),
    ("no fluctuation within 10% of the mean", {}, {2020: 80, 2021: 82, 2022: 84, 2023: 86}, None, 2023, []),
    ("fluctuation by median absolute change", {"fluctuation_mean_off": True, "target_value": 80}, {2020: 80, 2021: 80.5, 2022: 81, 2023: 81.5, 2024: 86.5}, None, 2024,
     [WarningCode.FLUCTUATION]),
    ("small numbers: no regression when intervals overlap", {"kind": "max", "target_value": 12.5, "unit": "1/10万"},
     {2020: 52.6, 2022: 0.0, 2023: 54.1}, {2020: (1, 1900), 2022: (0, 1850), 2023: (1, 1850)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("small numbers: no fluctuation when intervals overlap", {"kind": "max", "target_value": 5.3, "unit": "‰"},
     {2020: 5.3, 2021: 4.2, 2022: 4.3, 2023: 6.5}, {2020: (10, 1900), 2021: (8, 1880), 2022: (8, 1850), 2023: (12, 1850)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("many events: point rules apply", {"kind": "max", "target_value": 30, "unit": "‰"},
     {2020: 35, 2022: 25, 2023: 32}, {2020: (70, 2000), 2022: (50, 2000), 2023: (64, 2000)}, 2023,
     [WarningCode.REGRESSION, WarningCode.SLIPPED]),
]


@pytest.mark.parametrize(("case", "overrides", "values", "counts", "year", "expected"), WARNING_CASES, ids=[c[0] for c in WARNING_CASES])
def test_warnings(case, overrides, values, counts, year, expected):
    if overrides.pop("fluctuation_mean_off", False):
        overrides["thresholds"] = {"fluctuation_mean": 1.0}
    result = evaluate_target(make_target(**overrides), year, series(values, counts))
    assert sorted(w.code for w in result.warnings) == sorted(expected), [w.message for w in result.warnings]
    for warning in result.warnings:
        assert any(ch.isdigit() for ch in warning.message), "every warning quotes its numbers"


def test_every_warning_code_is_covered():
    covered = {code for case in WARNING_CASES for code in case[5]} | {WarningCode.REGION_BELOW}
    assert covered == set(WarningCode)
    assert {case[4] for case in STATUS_CASES} == set(Status)


def test_small_numbers_sentence_quotes_interval_and_pooled_rate():
    target = make_target(name="孕产妇死亡率", kind="max", target_value=12.5, unit="1/10万", numerator_label="例孕产妇死亡", denominator_label="名活产")
    result = evaluate_target(target, 2023, series({2021: 53.2, 2022: 0.0, 2023: 0.0}, {2021: (1, 1880), 2022: (0, 1850), 2023: (0, 1850)}))
    assert result.status == Status.ACHIEVED
    assert result.explanation == "2023年孕产妇死亡率为0.0/10万（0例孕产妇死亡/1850名活产），低于12.5/10万的目标，已达标；事件数少于20例，结论需结合置信区间解读。"
    small = next(w for w in result.warnings if w.code == WarningCode.SMALL_NUMBERS)
    assert "95%置信区间0.0/10万—199.4/10万" in small.message
    assert "2021—2023年合并率为17.9/10万" in small.message


def test_progress_time_progress_and_projection():
    result = evaluate_target(make_target(), 2023, series({2020: 80, 2021: 81, 2022: 82, 2023: 83}))
    assert result.progress == pytest.approx(0.3)
    assert result.time_progress == pytest.approx(0.6)
    assert (result.projected_value, result.projected_year) == (pytest.approx(85.0), 2025)
    assert result.target_value == 90


def test_reduce_from_base_effective_target():
    target = make_target(kind="reduce_from_base", target_value=20, unit="1/10万")
    result = evaluate_target(target, 2023, series({2020: 20, 2023: 15.5}))
    assert result.target_value == pytest.approx(16.0)


@pytest.mark.parametrize(("events", "total", "low", "high"), [(0, 1850, 0.0, 199.4), (1, 1850, 1.37, 301.2), (9, 1900, 2.166, 8.99)])
def test_exact_poisson_interval(events, total, low, high):
    scale = 100000 if total == 1850 else 1000
    lo, hi = poisson_interval(events, total, scale)
    assert lo == pytest.approx(low, rel=0.01, abs=0.01)
    assert hi == pytest.approx(high, rel=0.01)


def test_wilson_interval():
    lo, hi = wilson_interval(90, 100, 100)
    assert (round(lo, 1), round(hi, 1)) == (82.6, 94.5)


def _frame(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "year", "value", "region", "sex", "numerator", "denominator", "source", "note"])


def test_evaluate_uses_county_total_and_shared_statistics(catalogue):
    data = _frame([
        ["rural_tap_water", 2020, 90.0, "全县", "合计", None, None, "", ""],
        ["rural_tap_water", 2025, 93.0, "全县", "合计", None, None, "", ""],
        ["rural_tap_water", 2025, 80.0, "古绛镇", "合计", None, None, "", ""],
        ["rural_tap_water", 2025, 70.0, "全县", "女", None, None, "", ""],
    ])
    evaluation = evaluate(catalogue, data)
    assert evaluation.year == 2025
    for target_id in ("W7-07a", "C6-08b"):
        assert evaluation.get(target_id).status == Status.ACHIEVED
    table = evaluation.table()
    assert len(table) == len(catalogue)
    assert list(table.columns)[:3] == ["id", "plan", "name"]
    summary = evaluation.summary("plan").set_index("plan")
    assert summary.loc["women", "achieved"] >= 1
    assert summary.loc["disability", "attainment"] is None or pd.isna(summary.loc["disability", "attainment"])


rows_strategy = st.lists(
    st.tuples(st.sampled_from(["W2-06", "C1-03b", "W5-03", "maternal_mortality"]), st.integers(2018, 2026), st.floats(0, 100)),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(noise=rows_strategy)
def test_status_is_invariant_to_other_targets_rows(catalogue, noise):
    base = [["rural_tap_water", y, v, "全县", "合计", None, None, "", ""] for y, v in [(2020, 88.0), (2022, 90.5), (2024, 91.0)]]
    clean = evaluate(catalogue, _frame(base), year=2024).get("W7-07a")
    noisy_rows = base + [[k, y, v, "全县", "合计", None, None, "", ""] for k, y, v in noise]
    noisy = evaluate(catalogue, _frame(noisy_rows), year=2024).get("W7-07a")
    assert (noisy.status, noisy.warning_codes, noisy.explanation) == (clean.status, clean.warning_codes, clean.explanation)


def test_reduce_from_base_achieved_sentence_formats_the_computed_target():
    target = make_target(name="儿童伤害死亡率", kind="reduce_from_base", target_value=20, unit="1/10万")
    result = evaluate_target(target, 2025, series({2020: 17.53, 2025: 12.0}))
    assert result.status == Status.ACHIEVED
    assert "低于14.0/10万（较2020年下降20%）的目标" in result.explanation


def test_no_progress_ratio_when_the_baseline_already_met_the_target():
    result = evaluate_target(make_target(), 2023, series({2020: 93, 2023: 94.6}))
    assert result.status == Status.ACHIEVED
    assert result.progress is None


def test_gross_rate_above_100_percent_with_counts_has_no_interval():
    target = make_target(name="义务教育阶段毛入学率", target_value=99, upper_bound=150, maintain=True)
    result = evaluate_target(target, 2023, series({2020: 101.0, 2023: 105.0}, {2020: (1010, 1000), 2023: (1050, 1000)}))
    assert result.status == Status.ACHIEVED
    assert result.ci is None
