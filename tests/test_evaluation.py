"""Evaluation: tables of small series per kind and status, per warning and its absence, run through the one rules engine."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.catalogue import Catalogue
from monitoring.evaluation import (
    FINAL_STATUSES,
    PERIOD_STATUSES,
    Point,
    Reason,
    Status,
    WarningCode,
    evaluate,
    evaluate_series,
    poisson_interval,
    status_label,
    wilson_interval,
)
from monitoring.regions import Region
from tests.conftest import make_target


def series(values: dict[int, float], counts: dict[int, tuple[int, int]] | None = None) -> list[Point]:
    counts = counts or {}
    return [Point(y, v, *counts.get(y, (None, None))) for y, v in values.items()]


MAX_MMR = {"kind": "max", "target_value": 12.5, "unit": "1/10万"}
DIRECTION = {"kind": "increase", "target_value": None}

# (case, target overrides, series, evaluation year, expected status)
STATUS_CASES = [
    # during the period
    ("min achieved", {}, {2020: 85, 2023: 91}, 2023, Status.ACHIEVED),
    ("min on track ahead of the clock", {}, {2020: 80, 2023: 88}, 2023, Status.ON_TRACK),
    ("min on track by projection though behind", {}, {2020: 80, 2021: 80.5, 2022: 81, 2023: 86}, 2023, Status.ON_TRACK),
    ("min at risk: behind and projected to miss", {}, {2020: 80, 2021: 81, 2022: 82, 2023: 83}, 2023, Status.AT_RISK),
    ("min off track: no progress", {}, {2020: 80, 2023: 80}, 2023, Status.OFF_TRACK),
    ("min off track: moving away", {}, {2020: 80, 2023: 78}, 2023, Status.OFF_TRACK),
    ("max achieved", MAX_MMR, {2020: 30, 2023: 10}, 2023, Status.ACHIEVED),
    ("max achieved at the target exactly", MAX_MMR, {2020: 30, 2023: 12.5}, 2023, Status.ACHIEVED),
    ("max off track", {"kind": "max", "target_value": 5.3, "unit": "‰"}, {2020: 6, 2023: 6.4}, 2023, Status.OFF_TRACK),
    ("approx achieved within tolerance", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 41, 2023: 43.5}, 2023, Status.ACHIEVED),
    ("approx from above, on track", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 55, 2023: 48}, 2023, Status.ON_TRACK),
    ("approx off track moving away", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 40, 2023: 38}, 2023, Status.OFF_TRACK),
    ("reduce_from_base achieved", {"kind": "reduce_from_base", "target_value": 20, "unit": "1/10万"}, {2020: 20, 2023: 15.5}, 2023, Status.ACHIEVED),
    ("reduce_from_base at risk", {"kind": "reduce_from_base", "target_value": 20, "unit": "1/10万"}, {2020: 20, 2021: 19.9, 2022: 19.8, 2023: 19.7}, 2023,
     Status.AT_RISK),
    ("increase achieved", DIRECTION, {2020: 50, 2023: 52}, 2023, Status.ACHIEVED),
    ("increase off track", DIRECTION, {2020: 50, 2023: 49}, 2023, Status.OFF_TRACK),
    ("increase held at 100% is achieved", DIRECTION, {2020: 100, 2023: 100}, 2023, Status.ACHIEVED),
    ("decrease held at 0 is achieved", {"kind": "decrease", "target_value": None, "unit": "‰"}, {2020: 0, 2023: 0}, 2023, Status.ACHIEVED),
    ("decrease achieved", {"kind": "decrease", "target_value": None, "unit": "‰"}, {2020: 5, 2023: 4}, 2023, Status.ACHIEVED),
    ("single value that meets is achieved", {}, {2023: 95}, 2023, Status.ACHIEVED),
    ("catalogue baseline makes one value a trend", {"baseline_value": 80}, {2023: 88}, 2023, Status.ON_TRACK),
    ("earliest value is the baseline of a fixed target when 2020 is missing", {}, {2021: 80, 2023: 88}, 2023, Status.ON_TRACK),
    ("no value at or before the year", {}, {2024: 95}, 2023, Status.NO_DATA),
    ("no data at all", {}, {}, 2025, Status.NO_DATA),
    # insufficient evidence during the period
    ("single value that misses is insufficient, not at risk", {}, {2023: 85}, 2023, Status.INSUFFICIENT),
    ("baseline only is insufficient", {}, {2020: 80}, 2023, Status.INSUFFICIENT),
    ("baseline only, even when it meets the target", {}, {2019: 91, 2020: 92}, 2023, Status.INSUFFICIENT),
    ("direction target without a baseline is insufficient", DIRECTION, {2022: 50, 2023: 52}, 2023, Status.INSUFFICIENT),
    ("reduce_from_base without a baseline is insufficient", {"kind": "reduce_from_base", "target_value": 20, "unit": "1/10万"},
     {2021: 20, 2023: 15}, 2023, Status.INSUFFICIENT),
    ("direction target with the catalogue's baseline is judged", {**DIRECTION, "baseline_value": 48}, {2023: 52}, 2023, Status.ACHIEVED),
    # the final verdict: at or after the target year
    ("final: met", {}, {2020: 80, 2025: 91}, 2025, Status.ACHIEVED),
    ("final: missed, whatever the trend", {}, {2020: 80, 2023: 86, 2024: 88, 2025: 89.5}, 2025, Status.NOT_ACHIEVED),
    ("final: missed while moving away", {}, {2020: 80, 2025: 78}, 2025, Status.NOT_ACHIEVED),
    ("final: the latest in-period year decides when 2025 is missing", {}, {2020: 80, 2024: 91}, 2025, Status.ACHIEVED),
    ("final: a value after the target year is not used", {}, {2020: 80, 2025: 85, 2026: 95}, 2026, Status.NOT_ACHIEVED),
    ("final: one in-period value that meets", {}, {2025: 95}, 2025, Status.ACHIEVED),
    ("final: one in-period value that misses", {}, {2025: 85}, 2025, Status.NOT_ACHIEVED),
    ("final: baseline only cannot be evaluated", {}, {2020: 92}, 2025, Status.NO_DATA),
    ("final: direction target without a baseline cannot be evaluated", DIRECTION, {2023: 50, 2025: 52}, 2025, Status.NO_DATA),
    ("final: direction target achieved", DIRECTION, {2020: 50, 2025: 52}, 2025, Status.ACHIEVED),
    ("final: approx missed", {"kind": "approx", "target_value": 45, "tolerance": 2}, {2020: 55, 2025: 48}, 2025, Status.NOT_ACHIEVED),
]


@pytest.mark.parametrize(("case", "overrides", "values", "year", "status"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_status(case, overrides, values, year, status):
    result = evaluate_series(make_target(**overrides), year, series(values))
    assert result.status == status, result.explanation
    assert result.status in (FINAL_STATUSES if year >= 2025 else PERIOD_STATUSES)
    assert result.explanation.endswith("。")


# (case, target overrides, series, year, reason, words the explanation must contain)
UNJUDGED_CASES = [
    ("single value", {}, {2023: 85}, 2023, Reason.SINGLE_VALUE, ["仅有一年数据，无法判断趋势，数据不足"]),
    ("baseline only", {}, {2020: 80}, 2023, Reason.NO_IN_PERIOD, ["仅有2020年基期值80.0%", "期内尚无监测数据", "数据不足"]),
    ("no baseline", DIRECTION, {2022: 50, 2023: 52}, 2023, Reason.NO_BASELINE, ["缺少2020年基期值", "数据不足", "补报2020年数据"]),
    ("final, baseline only", {}, {2020: 92}, 2025, Reason.NO_IN_PERIOD, ["期内无监测数据，无法评估"]),
    ("final, no baseline", DIRECTION, {2023: 50, 2025: 52}, 2025, Reason.NO_BASELINE, ["缺少2020年基期值", "无法评估"]),
    ("final, nothing at all", {}, {}, 2025, Reason.NONE, ["规划期（2021—2025年）内尚无示例指标数据，无法评估"]),
]


@pytest.mark.parametrize(("case", "overrides", "values", "year", "reason", "words"), UNJUDGED_CASES, ids=[c[0] for c in UNJUDGED_CASES])
def test_missing_evidence_is_said_as_such(case, overrides, values, year, reason, words):
    result = evaluate_series(make_target(**overrides), year, series(values))
    assert result.reason == reason
    for word in words:
        assert word in result.explanation, result.explanation
    assert "预计" not in result.explanation and "推算" not in result.explanation
    assert not result.warnings


@pytest.mark.parametrize("values", [
    {2020: 80, 2021: 81, 2022: 82, 2023: 83, 2024: 84, 2025: 85},
    {2020: 80, 2021: 86, 2022: 89, 2023: 89.5, 2024: 89.8},
    {2020: 93, 2022: 88, 2024: 95},
    {2025: 85},
])
@pytest.mark.parametrize("year", [2025, 2026])
def test_the_final_year_never_projects(values, year):
    result = evaluate_series(make_target(), year, series(values))
    assert result.final and result.status in FINAL_STATUSES
    assert result.projected_value is None and WarningCode.PROJECTED_MISS.value not in result.warning_codes
    assert "推算" not in result.explanation and "进度正常" not in result.explanation
    assert result.label in ("已实现", "未实现", "无法评估")


def test_final_verdict_sentence_names_the_verdict_and_the_year_used():
    result = evaluate_series(make_target(), 2025, series({2020: 80, 2023: 86, 2024: 88}))
    assert result.status == Status.NOT_ACHIEVED
    assert result.explanation == ("2024年示例指标为88.0%，未达到不低于90%的目标，较2020年基期值80.0%有所改善，目标完成进度80%，未实现；"
                                  "2025年数据缺报，结论依据2024年数据。")
    assert [w.code for w in result.warnings] == [WarningCode.STALE]
    assert result.warnings[0].message == "2025年数据缺报，终期结论依据2024年的数据（88.0%）。"


@pytest.mark.parametrize(("status", "final", "label"), [
    (Status.ACHIEVED, False, "已达标"), (Status.ACHIEVED, True, "已实现"), (Status.NOT_ACHIEVED, True, "未实现"),
    (Status.NO_DATA, False, "无数据"), (Status.NO_DATA, True, "无法评估"), (Status.INSUFFICIENT, False, "数据不足"),
])
def test_status_labels_by_phase(status, final, label):
    assert status_label(status, final) == label


def test_projection_is_clipped_to_the_units_range():
    result = evaluate_series(make_target(target_value=99), 2023, series({2020: 90, 2021: 94, 2022: 97, 2023: 99.5}))
    assert result.projected_value == 100.0
    gross = evaluate_series(make_target(target_value=99, upper_bound=150), 2023, series({2020: 90, 2021: 94, 2022: 97, 2023: 98.5}))
    assert gross.projected_value > 100
    falling = evaluate_series(make_target(kind="max", target_value=5, unit="‰"), 2022, series({2020: 6.0, 2021: 3.0, 2022: 0.5}))
    assert falling.projected_value == 0.0


def test_each_township_achieved_only_when_every_township_meets():
    target = make_target(scope="each_township")
    townships = {"古绛镇": series({2023: 95}), "郝庄乡": series({2023: 88.6}), "冷口乡": series({2022: 80})}
    result = evaluate_series(target, 2023, series({2020: 92, 2023: 94.6}), townships)
    assert result.status == Status.AT_RISK
    assert result.townships_below == ["郝庄乡"]  # 冷口乡 did not report for 2023
    assert [w.code for w in result.warnings] == [WarningCode.REGION_BELOW]
    assert "郝庄乡88.6%" in result.warnings[0].message
    townships["郝庄乡"] = series({2023: 91})
    assert evaluate_series(target, 2023, series({2020: 92, 2023: 94.6}), townships).status == Status.ACHIEVED
    final = evaluate_series(target, 2025, series({2020: 92, 2025: 94.6}), {"古绛镇": series({2025: 95}), "郝庄乡": series({2025: 88.6})})
    assert final.status == Status.NOT_ACHIEVED
    assert "全县达到不低于90%的目标，但1个乡（镇）未达标，未实现" in final.explanation


MAINTAIN = {"maintain": True}
RATE_MAX = {"kind": "max", "target_value": 5.3, "unit": "‰"}

# (case, target overrides, series, counts, year, warnings expected exactly)
WARNING_CASES = [
    ("projected miss", {}, {2020: 80, 2021: 81, 2022: 82, 2023: 83}, None, 2023, [WarningCode.PROJECTED_MISS]),
    ("no projected miss when achieved", {}, {2020: 80, 2021: 84, 2022: 87, 2023: 91}, None, 2023, []),
    ("no projected miss at the final year", {}, {2020: 80, 2021: 81, 2022: 82, 2023: 83, 2024: 84, 2025: 85}, None, 2025, []),
    ("regression beyond the noise floor", {}, {2020: 80, 2022: 92, 2023: 90}, None, 2023, [WarningCode.REGRESSION]),
    ("no regression within the 1% noise floor", {}, {2020: 80, 2022: 88, 2023: 87.2}, None, 2023, []),
    ("regression for a max target is a rise", {"kind": "max", "target_value": 12, "unit": "‰"}, {2020: 12.5, 2022: 11, 2023: 11.5}, None, 2023,
     [WarningCode.REGRESSION]),
    ("slipped", {}, {2020: 85, 2022: 91, 2023: 89}, None, 2023, [WarningCode.REGRESSION, WarningCode.SLIPPED]),
    ("maintain: a year below the target is a slip, though the latest meets", MAINTAIN,
     {2020: 93, 2021: 92, 2022: 89.5, 2023: 91, 2024: 92}, None, 2024, [WarningCode.SLIPPED]),
    ("maintain: never reached is not a slip", MAINTAIN, {2020: 85, 2022: 86, 2023: 87}, None, 2023, [WarningCode.PROJECTED_MISS]),
    ("maintain: held every year", MAINTAIN, {2020: 91, 2021: 92, 2022: 92.5, 2023: 93}, None, 2023, []),
    ("without maintain a dip that recovered is no warning", {}, {2020: 93, 2021: 92, 2022: 89.5, 2023: 91, 2024: 92}, None, 2024, []),
    ("stale", {}, {2020: 85, 2022: 91}, None, 2023, [WarningCode.STALE]),
    ("stale at the final year", {}, {2020: 85, 2022: 88, 2024: 89}, None, 2025, [WarningCode.STALE]),
    ("not stale after the target year when 2025 was sent", {}, {2020: 80, 2025: 91}, None, 2026, []),
    ("fluctuation: off its own trend by more than 10%", {}, {2020: 80, 2021: 82, 2022: 81, 2023: 95}, None, 2023, [WarningCode.FLUCTUATION]),
    ("fluctuation: a break from a tight path", {"target_value": 90}, {2020: 99.1, 2021: 99.3, 2022: 99.2, 2023: 99.4, 2024: 93.0}, None, 2024,
     [WarningCode.REGRESSION, WarningCode.FLUCTUATION]),
    ("a smaller drop in a tight path is a regression, not a fluctuation", {}, {2020: 99.1, 2021: 99.3, 2022: 99.2, 2023: 99.4, 2024: 95.0},
     None, 2024, [WarningCode.REGRESSION]),
    ("no fluctuation on a smooth, slightly bending rise", {"target_value": 92},
     {2020: 76.5, 2021: 80.2, 2022: 84.1, 2023: 87.6, 2024: 90.3}, None, 2024, []),
    ("no fluctuation on a plateau after an election", {"kind": "increase", "target_value": None, "measure": "complete_share"},
     {2020: 6.5, 2021: 9.4, 2022: 9.4, 2023: 9.4, 2024: 9.4, 2025: 10.0}, None, 2025, []),
    ("fluctuation either way: a jump in a falling series", RATE_MAX, {2020: 5.4, 2021: 5.0, 2022: 4.9, 2023: 4.5, 2024: 5.6}, None, 2024,
     [WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.FLUCTUATION]),
    ("no fluctuation on a steady rise", {}, {2020: 80, 2021: 82, 2022: 84, 2023: 86, 2024: 88}, None, 2024, []),
    ("no fluctuation on a steady fall, however unfavourable", {}, {2020: 88, 2021: 86, 2022: 84, 2023: 82, 2024: 80}, None, 2024,
     [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION]),
    ("no fluctuation on a smooth favourable trend (national infant mortality)", RATE_MAX,
     {2020: 5.4, 2021: 5.0, 2022: 4.9, 2023: 4.5, 2024: 4.0}, None, 2024, []),
    ("no fluctuation on steady compound growth", {"kind": "increase", "target_value": None, "unit": "人"},
     {2020: 100, 2021: 110, 2022: 121, 2023: 133.1, 2024: 146.4}, None, 2024, []),
    ("no fluctuation from two previous values", {}, {2021: 80, 2022: 80.5, 2023: 95}, None, 2023, []),
    ("small numbers: no regression when intervals overlap", MAX_MMR,
     {2020: 88.9, 2022: 0.0, 2023: 76.9}, {2020: (1, 1125), 2022: (0, 1489), 2023: (1, 1300)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("small numbers: no fluctuation when intervals overlap", RATE_MAX,
     {2020: 5.3, 2021: 4.2, 2022: 4.3, 2023: 6.5}, {2020: (7, 1320), 2021: (5, 1190), 2022: (6, 1400), 2023: (9, 1385)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("small numbers: fluctuation when intervals part", RATE_MAX,
     {2020: 1.0, 2021: 0.8, 2022: 0.9, 2023: 13.0}, {2020: (1, 1000), 2021: (1, 1250), 2022: (1, 1111), 2023: (13, 1000)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.FLUCTUATION, WarningCode.SMALL_NUMBERS]),
    ("small numbers after a year without counts: the point rule for regression", RATE_MAX,
     {2021: 4.2, 2022: 4.3, 2023: 6.5}, {2023: (9, 1385)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("small numbers after years without counts: no fluctuation judged", RATE_MAX,
     {2020: 1.0, 2021: 0.8, 2022: 0.9, 2023: 13.0}, {2021: (1, 1250), 2022: (1, 1111), 2023: (13, 1000)}, 2023,
     [WarningCode.PROJECTED_MISS, WarningCode.REGRESSION, WarningCode.SLIPPED, WarningCode.SMALL_NUMBERS]),
    ("many events: point rules apply", {"kind": "max", "target_value": 30, "unit": "‰"},
     {2020: 35, 2022: 25, 2023: 32}, {2020: (70, 2000), 2022: (50, 2000), 2023: (64, 2000)}, 2023,
     [WarningCode.REGRESSION, WarningCode.SLIPPED]),
    ("complete count: no small numbers, no interval", {"kind": "increase", "target_value": None, "measure": "complete_share"},
     {2020: 11.1, 2023: 22.2}, {2020: (1, 9), 2023: (2, 9)}, 2023, []),
    ("the same counts as a sampled share: small numbers", {"kind": "increase", "target_value": None, "measure": "share"},
     {2020: 11.1, 2023: 22.2}, {2020: (1, 9), 2023: (2, 9)}, 2023, [WarningCode.SMALL_NUMBERS]),
    ("values before the period raise nothing", {}, {2018: 95, 2019: 80, 2020: 70}, None, 2023, []),
]


@pytest.mark.parametrize(("case", "overrides", "values", "counts", "year", "expected"), WARNING_CASES, ids=[c[0] for c in WARNING_CASES])
def test_warnings(case, overrides, values, counts, year, expected):
    result = evaluate_series(make_target(**overrides), year, series(values, counts))
    assert [w.code for w in result.warnings] == expected, [w.message for w in result.warnings]
    for warning in result.warnings:
        assert any(ch.isdigit() for ch in warning.message), "every warning quotes its numbers"


def test_every_code_is_covered_by_a_case():
    covered = {code for case in WARNING_CASES for code in case[5]} | {WarningCode.REGION_BELOW}
    assert covered == set(WarningCode)
    assert {case[4] for case in STATUS_CASES} == set(Status)
    assert {case[4] for case in UNJUDGED_CASES} == set(Reason)


def test_maintain_names_the_years_it_slipped():
    target = make_target(maintain=True, target_value=92, name="农村自来水普及率")
    result = evaluate_series(target, 2025, series({2020: 90.0, 2021: 92.5, 2022: 91.0, 2023: 91.5, 2024: 93.0, 2025: 94.0}))
    assert result.status == Status.ACHIEVED
    assert result.missed_years == [2022, 2023]
    assert result.explanation == "2025年农村自来水普及率为94.0%，高于92%的目标，已实现；本指标须每年达到目标，2022、2023年未达到。"
    slip = next(w for w in result.warnings if w.code == WarningCode.SLIPPED)
    assert slip.message == "本指标须每年达到不低于92%的目标，2022年91.0%、2023年91.5%未达到。"


def test_fluctuation_sentence_quotes_the_expected_value():
    result = evaluate_series(make_target(), 2023, series({2020: 80, 2021: 82, 2022: 81, 2023: 95}))
    message = next(w.message for w in result.warnings if w.code == WarningCode.FLUCTUATION)
    assert message == ("2023年为95.0%，比2022年的81.0%变化14.0个百分点，与按2020—2022年3个数值的趋势推算的约82.0%相差13.0个百分点，"
                       "偏离幅度16%，超过10%，波动较大。")


def test_small_numbers_sentence_quotes_interval_pooled_rate_and_one_event():
    target = make_target(name="孕产妇死亡率", kind="max", target_value=12.5, unit="1/10万", numerator_label="例孕产妇死亡", denominator_label="名活产")
    result = evaluate_series(target, 2023, series({2021: 88.9, 2022: 0.0, 2023: 0.0}, {2021: (1, 1125), 2022: (0, 1489), 2023: (0, 1300)}))
    assert result.status == Status.ACHIEVED
    assert result.explanation == "2023年孕产妇死亡率为0.0/10万（0例孕产妇死亡/1300名活产），低于12.5/10万的目标，已达标；事件数少于20例，结论需结合置信区间解读。"
    small = next(w for w in result.warnings if w.code == WarningCode.SMALL_NUMBERS)
    assert "每增减1例，率值变动约76.9/10万" in small.message  # from the denominator reported, not a constant
    assert "95%置信区间0.0/10万—283.8/10万" in small.message
    assert "2021—2023年合并率为25.5/10万" in small.message


def test_a_complete_count_is_stated_plainly():
    target = make_target(name="县级政府领导班子中的女性比例", kind="increase", target_value=None, measure="complete_share",
                         numerator_label="名女性", denominator_label="名成员")
    result = evaluate_series(target, 2023, series({2020: 11.1, 2023: 22.2}, {2020: (1, 9), 2023: (2, 9)}))
    assert result.ci is None and result.pooled is None
    assert "（9名成员中2名女性）" in result.explanation
    assert "置信区间" not in result.explanation


def test_progress_time_progress_and_projection():
    result = evaluate_series(make_target(), 2023, series({2020: 80, 2021: 81, 2022: 82, 2023: 83}))
    assert result.progress == pytest.approx(0.3)
    assert result.time_progress == pytest.approx(0.6)
    assert (result.projected_value, result.projected_year) == (pytest.approx(85.0), 2025)
    assert result.target_value == 90


def test_reduce_from_base_effective_target():
    target = make_target(kind="reduce_from_base", target_value=20, unit="1/10万")
    result = evaluate_series(target, 2023, series({2020: 20, 2023: 15.5}))
    assert result.target_value == pytest.approx(16.0)


# ---------------------------------------------------------------- the series of one sex, and gaps


def _catalogue(*targets) -> Catalogue:
    return Catalogue(plans={}, targets=list(targets), regions=[Region(code="140826", name="绛县", full_name="绛县", level="county")], office="140826")


def _rows(*rows) -> pd.DataFrame:
    return pd.DataFrame([[key, year, value, "全县", sex, None, None] for key, year, value, sex in rows],
                        columns=["indicator_id", "year", "value", "region", "sex", "numerator", "denominator"])


WOMEN = make_target(id="W2-09b", name="劳动年龄女性平均受教育年限", unit="年", kind="min", target_value=11.6, sex="女")


@pytest.mark.parametrize(("case", "targets", "rows", "target_id", "status", "latest"), [
    ("a women's target reads the 女 rows", [WOMEN], [("W2-09b", 2020, 11.0, "女"), ("W2-09b", 2023, 11.7, "女")], "W2-09b", Status.ACHIEVED, 11.7),
    ("a women's indicator sent without a sex is the women's value", [WOMEN], [("W2-09b", 2020, 11.0, "合计"), ("W2-09b", 2023, 11.4, "合计")],
     "W2-09b", Status.ON_TRACK, 11.4),
    ("the 女 row wins a year over a 合计 row", [WOMEN], [("W2-09b", 2020, 11.0, "女"), ("W2-09b", 2023, 11.7, "女"), ("W2-09b", 2023, 11.2, "合计")],
     "W2-09b", Status.ACHIEVED, 11.7),
    ("a statistic measured for both sexes keeps its 合计 rows apart",
     [make_target(id="A1-01", statistic="schooling", unit="年", kind="min", target_value=11.0),
      make_target(id="A1-02", statistic="schooling", unit="年", kind="min", target_value=11.6, sex="女")],
     [("schooling", 2020, 11.3, "合计"), ("schooling", 2023, 11.5, "合计")], "A1-02", Status.NO_DATA, None),
    ("a shared statistic's 合计 rows are both sexes even when only a women's target uses it",
     [make_target(id="W2-04a", statistic="primary_net_enrollment", target_value=99.95, sex="女")],
     [("primary_net_enrollment", 2020, 99.9, "合计"), ("primary_net_enrollment", 2023, 99.96, "合计")], "W2-04a", Status.NO_DATA, None),
    ("a gap computed from the two sexes", [make_target(id="W2-08b", unit="百分点", kind="decrease", target_value=None, sex="男-女", measure="level")],
     [("W2-08b", 2020, 12.0, "男"), ("W2-08b", 2020, 9.0, "女"), ("W2-08b", 2023, 12.5, "男"), ("W2-08b", 2023, 10.5, "女")],
     "W2-08b", Status.ACHIEVED, 2.0),
    ("a gap reported as such wins over the computed one", [make_target(id="W2-08b", unit="百分点", kind="decrease", target_value=None, sex="男-女", measure="level")],
     [("W2-08b", 2020, 3.0, "合计"), ("W2-08b", 2023, 12.5, "男"), ("W2-08b", 2023, 10.5, "女"), ("W2-08b", 2023, 3.5, "合计")],
     "W2-08b", Status.OFF_TRACK, 3.5),
    ("a housework gap is women minus men", [make_target(id="W6-08", unit="小时", kind="decrease", target_value=None, sex="女-男", measure="level")],
     [("W6-08", 2020, 2.0, "男"), ("W6-08", 2020, 4.5, "女"), ("W6-08", 2023, 2.2, "男"), ("W6-08", 2023, 4.0, "女")],
     "W6-08", Status.ACHIEVED, 1.8),
], ids=lambda x: x if isinstance(x, str) else None)
def test_sex_series(case, targets, rows, target_id, status, latest):
    result = evaluate(_catalogue(*targets), _rows(*rows), 2023).get(target_id)
    assert result.status == status, result.explanation
    assert (result.latest.value if result.latest else None) == (pytest.approx(latest) if latest is not None else None)


# ---------------------------------------------------------------- statistics and whole evaluations
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
    assert evaluation.final
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
    result = evaluate_series(target, 2025, series({2020: 17.53, 2025: 12.0}))
    assert result.status == Status.ACHIEVED
    assert "低于14.0/10万（较2020年下降20%）的目标" in result.explanation


def test_no_progress_ratio_when_the_baseline_already_met_the_target():
    result = evaluate_series(make_target(), 2023, series({2020: 93, 2023: 94.6}))
    assert result.status == Status.ACHIEVED
    assert result.progress is None


def test_gross_rate_above_100_percent_with_counts_has_no_interval():
    target = make_target(name="义务教育阶段毛入学率", target_value=99, upper_bound=150, maintain=True)
    result = evaluate_series(target, 2023, series({2020: 101.0, 2023: 105.0}, {2020: (1010, 1000), 2023: (1050, 1000)}))
    assert result.status == Status.ACHIEVED
    assert result.ci is None


@pytest.mark.parametrize(("overrides", "hint"), [
    ({"sex": "女", "statistic": "primary_net_enrollment"}, "（须报送性别为“女”的数值）"),  # the statistic's 合计 is all pupils
    ({"sex": "女"}, ""),  # an indicator defined for women: sent without a sex it is the women's value
    ({"sex": "男-女", "unit": "百分点", "kind": "decrease", "target_value": None, "measure": "level"}, "（可报送差距本身，或分别报送男、女两个数值）"),
])
def test_a_missing_series_says_what_to_send(overrides, hint):
    result = evaluate_series(make_target(name="示例指标", **overrides), 2023, [])
    assert result.explanation == f"截至2023年尚无示例指标数据{hint}，无法判断进展；请县卫体局报送。"
