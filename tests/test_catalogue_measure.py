"""measure, sex and provenance: what a target measures, the series it is read on, where it comes from."""

from __future__ import annotations

import pytest

from monitoring.catalogue import (
    MEASURE_LABELS,
    PROVENANCE_LABELS,
    Catalogue,
    Measure,
    Provenance,
    catalogue_table,
    check_catalogue,
    provenance_sentence,
)
from monitoring.problems import TargetCode
from tests.conftest import TARGET_FIXTURES, make_target


def _check(targets_dir, unit: str, measure: str, sex: str | None = None, value: str = "12.5"):
    """The valid fixture with its unit, measure, sex and target value replaced."""
    text = (TARGET_FIXTURES / "valid.yaml").read_text(encoding="utf-8")
    text = text.replace("unit: 1/10万", f'unit: "{unit}"').replace("target_value: 12.5", f"target_value: {value}")
    text = text.replace("measure: rate", f"measure: {measure}" + (f"\n    sex: {sex}" if sex else ""))
    folder = targets_dir()
    (folder / "valid.yaml").write_text(text, encoding="utf-8")
    return check_catalogue(folder)


@pytest.mark.parametrize(("unit", "measure", "sex"), [
    ("%", "rate", None), ("‰", "rate", None), ("1/10万", "rate", None),
    ("%", "share", "女"), ("%", "complete_share", None),
    ("岁", "level", "女"), ("人", "level", None), ("元/月", "level", "男"),
    ("百分点", "level", "男-女"), ("小时", "level", "女-男"), ("年", "level", "男-女"), ("岁", "level", "女-男"),
])
def test_measure_and_sex_that_suit_the_unit_load(targets_dir, unit, measure, sex):
    catalogue, problems = _check(targets_dir, unit, measure, sex)
    assert problems == []
    target = catalogue.get("C1-02")
    assert (target.measure, target.sex) == (Measure(measure), sex or "合计")


@pytest.mark.parametrize(("unit", "measure", "sex", "field"), [
    ("岁", "rate", None, "measure"),
    ("人", "rate", None, "measure"),
    ("百分点", "rate", None, "measure"),
    ("‰", "share", None, "measure"),
    ("1/10万", "complete_share", None, "measure"),
    ("百分点", "share", None, "measure"),
    ("人", "complete_share", None, "measure"),
    ("%", "share", "男-女", "sex"),
    ("‰", "rate", "女-男", "sex"),
    ("1/10万", "rate", "男-女", "sex"),
])
def test_measure_or_gap_sex_against_the_unit_is_a_problem(targets_dir, unit, measure, sex, field):
    catalogue, problems = _check(targets_dir, unit, measure, sex)
    assert catalogue is None
    assert [(p.code, p.field, p.target_id) for p in problems] == [(TargetCode.MEASURE_UNIT_MISMATCH, field, "C1-02")]
    assert unit in problems[0].message and "请" in problems[0].message


def test_level_takes_any_unit_and_rate_takes_percent(targets_dir):
    for unit in ("%", "‰", "1/10万", "百分点", "个"):
        _, problems = _check(targets_dir, unit, "level")
        assert problems == [], unit


@pytest.mark.parametrize(("field", "value"), [("measure", "ratio"), ("sex", "女性"), ("provenance", "seed")])
def test_values_outside_the_lists_are_invalid(targets_dir, field, value):
    text = (TARGET_FIXTURES / "valid.yaml").read_text(encoding="utf-8")
    text = {"measure": text.replace("measure: rate", f"measure: {value}"),
            "sex": text.replace("measure: rate", f"measure: rate\n    sex: {value}"),
            "provenance": text.replace("provenance: goal", f"provenance: {value}")}[field]
    folder = targets_dir()
    (folder / "valid.yaml").write_text(text, encoding="utf-8")
    catalogue, problems = check_catalogue(folder)
    assert catalogue is None
    assert [(p.code, p.field) for p in problems] == [(TargetCode.INVALID_VALUE, field)]
    assert value in problems[0].message


def test_missing_measure_is_a_missing_field(targets_dir):
    text = (TARGET_FIXTURES / "valid.yaml").read_text(encoding="utf-8").replace("    measure: rate\n", "")
    folder = targets_dir()
    (folder / "valid.yaml").write_text(text, encoding="utf-8")
    _, problems = check_catalogue(folder)
    assert [(p.code, p.field) for p in problems] == [(TargetCode.MISSING_FIELD, "measure")]
    assert "统计类型" in problems[0].message


def test_task_without_source_text_is_a_problem_and_national_plan_is_not(targets_dir):
    base = (TARGET_FIXTURES / "goal-without-source.yaml").read_text(encoding="utf-8")
    folder = targets_dir()
    (folder / "a.yaml").write_text(base.replace("provenance: goal", "provenance: task"), encoding="utf-8")
    _, problems = check_catalogue(folder)
    assert [p.code for p in problems] == [TargetCode.SOURCE_TEXT_MISSING]
    (folder / "a.yaml").write_text(base.replace("provenance: goal", "provenance: national_plan"), encoding="utf-8")
    catalogue, problems = check_catalogue(folder)
    assert problems == [] and catalogue.get("C1-02").provenance == Provenance.NATIONAL_PLAN


def test_make_target_measure_follows_the_unit():
    assert make_target().measure == Measure.SHARE
    assert make_target(unit="‰", target_value=5.3, kind="max").measure == Measure.RATE
    assert make_target(unit="1/10万", target_value=12.5, kind="max").measure == Measure.RATE
    assert make_target(unit="岁", target_value=78.1).measure == Measure.LEVEL
    assert make_target(measure="complete_share").measure == Measure.COMPLETE_SHARE
    assert make_target().provenance == Provenance.GOAL and make_target().sex == "合计"


def _catalogue(*provenances: Provenance) -> Catalogue:
    targets = [make_target(id=f"X1-{i:02d}", plan="a" if i % 2 else "b", provenance=p) for i, p in enumerate(provenances, 1)]
    return Catalogue({}, targets)


def test_provenance_counts_in_enum_order_with_zeros():
    catalogue = _catalogue(Provenance.TASK, Provenance.GOAL, Provenance.TASK, Provenance.TASK)
    counts = catalogue.provenance_counts()
    assert list(counts) == list(Provenance)
    assert counts == {Provenance.GOAL: 1, Provenance.TASK: 3, Provenance.NATIONAL_PLAN: 0}
    assert catalogue.provenance_counts("a") == {Provenance.GOAL: 0, Provenance.TASK: 2, Provenance.NATIONAL_PLAN: 0}
    assert catalogue.provenance_counts("b") == {Provenance.GOAL: 1, Provenance.TASK: 1, Provenance.NATIONAL_PLAN: 0}
    assert catalogue.provenance_counts("nobody") == dict.fromkeys(Provenance, 0)


@pytest.mark.parametrize(("counts", "sentence"), [
    ({Provenance.GOAL: 68, Provenance.TASK: 0, Provenance.NATIONAL_PLAN: 0}, "规划主要目标确定的指标68项"),
    ({Provenance.GOAL: 1, Provenance.TASK: 26, Provenance.NATIONAL_PLAN: 9},
     "规划主要目标确定的指标1项，规划重点任务中的量化要求26项，参照国家规划补充的指标9项（待与县指标表核对）"),
    ({Provenance.GOAL: 62, Provenance.TASK: 6, Provenance.NATIONAL_PLAN: 0}, "规划主要目标确定的指标62项，规划重点任务中的量化要求6项"),
    ({Provenance.NATIONAL_PLAN: 2}, "参照国家规划补充的指标2项（待与县指标表核对）"),
    ({Provenance.NATIONAL_PLAN: 1, Provenance.GOAL: 3}, "规划主要目标确定的指标3项，参照国家规划补充的指标1项（待与县指标表核对）"),
    (dict.fromkeys(Provenance, 0), ""),
    ({}, ""),
])
def test_provenance_sentence(counts, sentence):
    assert provenance_sentence(counts) == sentence


def test_provenance_sentence_of_a_catalogue():
    catalogue = _catalogue(Provenance.GOAL, Provenance.NATIONAL_PLAN, Provenance.GOAL)
    assert provenance_sentence(catalogue.provenance_counts()) == "规划主要目标确定的指标2项，参照国家规划补充的指标1项（待与县指标表核对）"


def test_catalogue_table_shows_measure_sex_and_provenance(catalogue):
    table = catalogue_table(catalogue).set_index("编号")
    assert {"统计类型", "性别", "出处"} <= set(table.columns)
    assert list(table.columns).index("统计类型") < list(table.columns).index("性别")
    assert table.loc["W1-02", "统计类型"] == MEASURE_LABELS[Measure.RATE]
    assert table.loc["W4-07c", "统计类型"] == MEASURE_LABELS[Measure.COMPLETE_SHARE]
    assert table.loc["W1-01a", "性别"] == "女"
    assert table.loc["W6-08", "性别"] == "女-男"
    assert table.loc["W3-02", "性别"] == "合计"
    assert table.loc["W1-02", "出处"] == PROVENANCE_LABELS[Provenance.GOAL]
    assert table.loc["C1-S02", "出处"] == PROVENANCE_LABELS[Provenance.TASK]
    assert table.loc["D0-01", "出处"] == PROVENANCE_LABELS[Provenance.NATIONAL_PLAN]
    assert set(table["统计类型"]) == set(MEASURE_LABELS.values())
