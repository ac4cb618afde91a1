"""The tables pages and reports share (monitoring/summaries.py): status labels and counts by phase, from the engine."""

from __future__ import annotations

import pytest

from monitoring.datasets import read_folder
from monitoring.evaluation import FINAL_STATUSES, PERIOD_STATUSES, Status, evaluate, status_record
from monitoring.summaries import (
    attainment_help,
    combined_record,
    domain_status_counts,
    indicator_table,
    phase_labels,
    plan_tiles,
    progress_text,
    status_badge,
    warnings_table,
)
from tests.conftest import ROOT

VERDICTS = {"已实现", "未实现", "无法评估"}
PERIOD = {"已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"}


@pytest.fixture(scope="module")
def demo(catalogue):
    return read_folder(ROOT / "data" / "demo", catalogue)


@pytest.fixture(scope="module")
def final(catalogue, demo):
    return evaluate(catalogue, demo.rows, 2025)


@pytest.fixture(scope="module")
def midterm(catalogue, demo):
    return evaluate(catalogue, demo.rows, 2023)


def test_phase_labels():
    assert phase_labels(True) == [(Status.ACHIEVED, "已实现"), (Status.NOT_ACHIEVED, "未实现"), (Status.NO_DATA, "无法评估")]
    assert [label for _, label in phase_labels(False)] == ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    assert {label for _, label in phase_labels(None)} == VERDICTS | PERIOD


def test_badges_carry_the_phase_label_and_tone():
    assert status_badge(Status.NO_DATA) == ":gray-badge[无数据]"
    assert status_badge(Status.NO_DATA, final=True) == ":gray-badge[无法评估]"
    assert status_badge(Status.INSUFFICIENT) == ":violet-badge[数据不足]"
    assert status_badge(Status.NOT_ACHIEVED, "未实现 3", final=True) == ":red-badge[未实现 3]"


def test_attainment_help_speaks_the_phase():
    assert attainment_help(True).startswith("已实现指标数") and "数据不足" not in attainment_help(True)
    assert attainment_help(False).startswith("已达标指标数") and "数据不足" in attainment_help(False)


@pytest.mark.parametrize(("which", "statuses"), [("final", FINAL_STATUSES), ("midterm", PERIOD_STATUSES)])
def test_plan_tiles_count_the_phase_statuses(request, which, statuses):
    evaluation = request.getfixturevalue(which)
    for tile in plan_tiles(evaluation):
        record = status_record(evaluation.subset(tile["plan"]).results)
        assert tile["final"] is (which == "final")
        assert list(tile["counts"]) == list(statuses)
        assert tile["counts"] == {s: record[s.value] for s in statuses}
        assert sum(tile["counts"].values()) == tile["targets"] == record["targets"]
        assert tile["with_data"] == record["with_data"] and tile["attainment"] == pytest.approx(record["attainment"])
        assert set(tile["labels"].values()) == (VERDICTS if which == "final" else PERIOD)


def test_combined_record_counts_a_shared_statistic_once(final):
    record = combined_record(final)
    counted = final.counted()
    assert record["targets"] == len(counted) < len(final.results)
    assert record["shared"] == len(final.results) - len(counted)
    assert record["attainment"] == pytest.approx(status_record(counted)["attainment"])


def test_domain_counts_of_the_final_year_are_verdicts(final, midterm):
    counts = domain_status_counts(final)
    assert set(counts["状态"]) == VERDICTS
    assert counts["指标数"].sum() == len(final.results)
    period = domain_status_counts(midterm)
    assert set(period["状态"]) == PERIOD
    assert period["指标数"].sum() == len(midterm.results)
    insufficient = sum(r.status == Status.INSUFFICIENT for r in midterm.results)
    assert period.loc[period["状态"] == "数据不足", "指标数"].sum() == insufficient


def test_indicator_and_warning_tables_use_each_result_s_label(final, midterm, demo):
    table = indicator_table(final, demo.rows)
    assert set(table["状态"]) <= VERDICTS and "未实现" in set(table["状态"])
    assert list(table["状态"]) == [r.label for r in final.results]
    period = indicator_table(midterm, demo.rows)
    assert set(period["状态"]) <= PERIOD and "数据不足" in set(period["状态"])
    warnings = warnings_table(final)
    assert set(warnings["状态"]) <= VERDICTS
    assert "预计难以达标" not in set(warnings["预警"])  # no projection at the final year, so no projected miss


@pytest.mark.parametrize(("values", "text"), [
    ({2020: 80, 2023: 86}, "60%"),
    ({2020: 80, 2023: 95}, "已达到目标"),  # (95−80)/(90−80) = 150%: the target is reached, not "150%"
    ({2020: 80, 2023: 78}, "-20%"),
])
def test_progress_text(values, text):
    from monitoring.evaluation import Point, evaluate_series
    from tests.conftest import make_target

    result = evaluate_series(make_target(), 2023, [Point(y, v) for y, v in values.items()])
    assert progress_text(result) == text


def test_no_progress_is_a_dash(final):
    assert progress_text(next(r for r in final.results if r.progress is None)) == "—"


def test_a_womens_target_shows_its_sex_lines_and_the_total_as_they_are(catalogue, demo):
    """W2-04a is judged on the girls' rows: the 分性别 table and figure keep 合计 as the total, not the girls' series."""
    from monitoring.charts import sex_figure
    from monitoring.summaries import breakdown

    target = catalogue.get("W2-04a")
    result = evaluate(catalogue, demo.rows, 2025).get("W2-04a")
    table = breakdown(demo.rows, target, 2025)["sex"]
    assert {"女", "男", "合计"} <= set(table.index)
    girls = {p.year: p.value for p in result.points}
    assert girls == {int(y): v for y, v in table.loc["女"].dropna().items()}
    figure = sex_figure(table, result)
    total = next(trace for trace in figure.data if trace.name == "合计")
    assert list(total.y) == list(table.loc["合计"].dropna())


def test_a_womens_indicator_sent_as_女_counts_as_reported(catalogue):
    """No false 未报送: W2-09a (女性青壮年文盲率) sent with 性别 女 is reported; C1-03b sent only as 女 is not (its targets read 合计)."""
    import pandas as pd

    from monitoring.summaries import REPORTED, completeness

    rows = pd.DataFrame([["W2-09a", 2024, 0.36, "全县", "女", None, None], ["C1-03b", 2024, 4.1, "全县", "女", None, None]],
                        columns=["indicator_id", "year", "value", "region", "sex", "numerator", "denominator"])
    table = completeness(catalogue, rows, 2024).set_index("编号")
    assert table.loc["W2-09a", "报送情况"] == REPORTED
    assert table.loc["C1-03b", "报送情况"] != REPORTED
