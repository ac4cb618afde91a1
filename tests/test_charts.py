"""The shared figures: which traces they draw, with which names, for the kinds of results the pages and reports show."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from monitoring.charts import (
    AT_RISK_COLOUR,
    STATUS_COLOURS,
    STATUS_ORDER,
    breakdown_table,
    domain_status_figure,
    indicator_display,
    indicator_figure,
    sex_figure,
    status_options,
    status_tags,
    target_text,
    township_figure,
)
from monitoring.evaluation import STATUS_STYLE, Point, Result, Status, evaluate_series, interval_for
from monitoring.summaries import domain_status_counts
from tests.conftest import make_target


def names(fig: go.Figure) -> list[str]:
    return [trace.name for trace in fig.data]


def texts(fig: go.Figure) -> str:
    """Every piece of text a reader sees: title, annotations, trace names and bar labels."""
    parts = [fig.layout.title.text or ""]
    parts += [a.text or "" for a in fig.layout.annotations]
    parts += [t.name or "" for t in fig.data]
    parts += [str(x) for t in fig.data if getattr(t, "text", None) is not None for x in t.text]
    return " ".join(parts)


@pytest.fixture
def infant_mortality() -> Result:
    """A rare-event rate with counts, evaluated mid-term: on track, projected, with intervals."""
    target = make_target(id="C1-03b", name="婴儿死亡率", unit="‰", kind="max", target_value=5.3,
                         numerator_label="例死亡", denominator_label="名活产")
    points = [Point(2020, 7.2, 14, 1944), Point(2021, 6.2, 12, 1936), Point(2022, 3.1, 6, 1920), Point(2023, 5.87, 11, 1874)]
    return evaluate_series(target, 2023, points)


def test_indicator_figure_with_counts_has_every_layer(infant_mortality):
    fig = indicator_figure(infant_mortality)
    drawn = names(fig)
    assert drawn[0] == "报送值"
    assert "95%置信区间" in drawn
    assert "目标 ≤5.3‰" in drawn
    assert any(n.startswith("基期 2020年 7.2") for n in drawn)
    assert "序时进度（基期至目标匀速）" in drawn
    assert any(n.startswith("趋势推算 2025年约") for n in drawn)
    assert fig.layout.title.text == "C1-03b 婴儿死亡率"
    assert "状态：进度正常" in texts(fig)  # the status as text, not colour alone
    assert fig.layout.yaxis.title.text == "单位：‰"


def test_intervals_are_the_engines(infant_mortality):
    fig = indicator_figure(infant_mortality)
    ci = next(t for t in fig.data if t.name == "95%置信区间")
    low, high = interval_for(infant_mortality.target, 11, 1874)
    assert ci.error_y.array[-1] == pytest.approx(high - 5.87)
    assert ci.error_y.arrayminus[-1] == pytest.approx(5.87 - low)


def test_expected_path_runs_from_baseline_to_target_and_projection_from_the_last_point(infant_mortality):
    fig = indicator_figure(infant_mortality)
    path = next(t for t in fig.data if t.name == "序时进度（基期至目标匀速）")
    assert list(path.x) == [2020, 2025] and list(path.y) == pytest.approx([7.2, 5.3])
    assert path.line.dash == "dot"
    projection = next(t for t in fig.data if t.name.startswith("趋势推算"))
    assert list(projection.x) == [2023, 2025]
    assert projection.y[0] == pytest.approx(5.87) and projection.y[-1] == pytest.approx(infant_mortality.projected_value)
    assert projection.line.dash == "dash"


def test_years_are_whole_numbers_from_baseline_to_target(infant_mortality):
    axis = indicator_figure(infant_mortality).layout.xaxis
    assert axis.dtick == 1 and axis.tickformat == "d"
    assert list(axis.range) == [2019.5, 2025.5]


def test_no_projection_in_the_target_year():
    """At the target year the verdict rests on the values themselves: no projection trace, the badge says the verdict."""
    target = make_target(target_value=96)
    result = evaluate_series(target, 2025, [Point(y, v) for y, v in {2020: 93.1, 2022: 94.2, 2025: 95.0}.items()])
    assert result.final and result.projected_value is None and result.status == Status.NOT_ACHIEVED
    fig = indicator_figure(result)
    assert not any(name.startswith("趋势推算") for name in names(fig))
    assert "终期结论：未实现" in texts(fig)
    assert "进度正常" not in texts(fig) and "预计难以达标" not in texts(fig)
    badge = next(a for a in fig.layout.annotations if "终期结论" in a.text)
    assert badge.bgcolor == STATUS_STYLE[Status.NOT_ACHIEVED].colour


def test_no_projection_from_a_single_value():
    result = evaluate_series(make_target(), 2023, [Point(2023, 80)])
    assert result.status == Status.INSUFFICIENT and result.projected_value is None
    fig = indicator_figure(result)
    assert not any(name.startswith("趋势推算") for name in names(fig))
    assert "状态：数据不足" in texts(fig)
    assert all(not math.isnan(y) for t in fig.data for y in (t.y or []) if y is not None)


def test_no_interval_trace_without_counts():
    result = evaluate_series(make_target(), 2023, [Point(2020, 80), Point(2023, 88)])
    assert "95%置信区间" not in names(indicator_figure(result))


def test_approx_target_is_a_band():
    result = evaluate_series(make_target(kind="approx", target_value=45, tolerance=2), 2023, [Point(2020, 55), Point(2023, 48)])
    fig = indicator_figure(result)
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert len(band) == 1 and "43.0%—47.0%" in band[0].name


@pytest.mark.parametrize("kind", ["increase", "decrease"])
def test_direction_targets_use_the_baseline_as_reference(kind):
    result = evaluate_series(make_target(kind=kind, target_value=None), 2023, [Point(2020, 50), Point(2023, 52)])
    fig = indicator_figure(result)
    label = target_text(result)
    assert label.startswith("2020年基期值 50.0%") and ("逐步提高" in label or "逐步下降" in label)
    assert label in names(fig)
    assert "序时进度（基期至目标匀速）" not in names(fig)  # no path when the target is the baseline itself


def test_no_path_when_the_baseline_already_meets_the_target():
    result = evaluate_series(make_target(), 2023, [Point(2020, 96.5), Point(2023, 97)])
    assert "序时进度（基期至目标匀速）" not in names(indicator_figure(result))


@pytest.mark.parametrize(("year", "badge"), [(2023, "状态：无数据"), (2025, "终期结论：无法评估")])
def test_no_data_result_draws_the_target_and_says_so(year, badge):
    result = evaluate_series(make_target(), year, [])
    assert result.status == Status.NO_DATA
    fig = indicator_figure(result)
    assert names(fig) == ["目标 ≥90%"]
    assert "尚无报送数据" in texts(fig) and badge in texts(fig)


def test_no_data_direction_target_does_not_crash():
    result = evaluate_series(make_target(kind="increase", target_value=None), 2025, [])
    fig = indicator_figure(result, title="自定义标题")
    assert fig.layout.title.text == "自定义标题"
    assert names(fig) == []


@pytest.fixture
def vaccination() -> Result:
    target = make_target(id="C1-06", name="适龄儿童免疫规划疫苗接种率", scope="each_township")
    townships = {"古绛镇": [Point(2025, 97.6)], "冷口乡": [Point(2025, 88.6)], "横水镇": [Point(2025, 96.7)]}
    return evaluate_series(target, 2025, [Point(2020, 96.5), Point(2025, 97.0)], townships)


def test_township_figure_marks_those_below_the_target(vaccination):
    fig = township_figure(vaccination)
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    assert set(bars) == {"达标的乡（镇）", "未达标的乡（镇）"}
    below = bars["未达标的乡（镇）"]
    assert list(below.x) == ["冷口乡"] and below.marker.color == AT_RISK_COLOUR
    assert all("未达标" in text for text in below.text)
    assert not any("未达标" in text for text in bars["达标的乡（镇）"].text)
    assert [s.y0 for s in fig.layout.shapes] == [90]
    assert "目标 ≥90%" in names(fig)
    assert "2025年" in fig.layout.title.text


def test_township_figure_from_a_breakdown_table():
    target = make_target(kind="max", target_value=5.3, unit="‰")
    result = evaluate_series(target, 2024, [Point(2020, 7.0), Point(2024, 5.0)])
    table = pd.DataFrame({2023: [4.0, 6.0], 2024: [4.5, 6.5], 2025: [1.0, 1.0]}, index=["古绛镇", "冷口乡"])
    fig = township_figure(result, table)
    below = next(t for t in fig.data if t.name == "未达标的乡（镇）")
    assert list(below.x) == ["冷口乡"] and list(below.y) == [6.5]  # the evaluation year's column, not 2025


def test_township_figure_without_townships_does_not_crash():
    result = evaluate_series(make_target(), 2025, [])
    fig = township_figure(result)
    assert not fig.data and "没有分乡（镇）数据" in texts(fig)


def test_sex_figure_draws_women_men_and_total():
    target = make_target(name="高中阶段毛入学率", target_value=96)
    result = evaluate_series(target, 2023, [Point(2020, 92.1), Point(2023, 94.9)])
    table = pd.DataFrame({2020: [92.8, 91.4], 2023: [95.5, 94.3]}, index=pd.Index(["男", "女"][::-1], name="sex"))
    fig = sex_figure(table, result)
    assert names(fig) == ["女", "男", "合计"]
    assert list(fig.data[0].y) == [92.8, 95.5]
    assert "95.5%" in fig.data[0].customdata[-1]


def test_sex_figure_without_data_does_not_crash():
    fig = sex_figure(pd.DataFrame())
    assert not fig.data and "没有分性别数据" in texts(fig)


def test_status_tags_and_breakdown_table(vaccination):
    table = pd.DataFrame({"编号": ["A", "B"], "状态": ["已达标", "无数据"]})
    assert status_tags(table)["状态"].tolist() == [["已达标"], ["无数据"]]
    assert set(STATUS_ORDER) >= {"已达标", "无数据", "数据不足", "已实现", "未实现", "无法评估"}
    assert STATUS_COLOURS["数据不足"] == STATUS_STYLE[Status.INSUFFICIENT].colour
    shown = breakdown_table(pd.DataFrame({2024: [96.0], 2025: [float("nan")]}, index=["古绛镇"]), "乡（镇）", vaccination)
    assert shown.columns.tolist() == ["乡（镇）", "2024年", "2025年"]
    assert shown.iloc[0].tolist() == ["古绛镇", "96.0%", "—"]


def test_figures_carry_the_cjk_font(infant_mortality):
    from monitoring.charts import FONT

    assert indicator_figure(infant_mortality).layout.font.family == FONT


def test_indicator_display_drops_gaps_from_the_sparkline():
    table = pd.DataFrame({"状态": ["已达标", "进度正常"], "status": ["achieved", "on_track"], "趋势": [[79.6, None, 80.1], []],
                          "完成进度": [0.0, 0.4]})
    shown = indicator_display(table)
    assert shown["趋势"].tolist() == [[79.6, 80.1], []]
    assert shown["状态"].tolist() == [["已达标"], ["进度正常"]]
    assert shown["完成进度"].tolist() == [1.0, 0.4]  # achieved reads as 100%, though its baseline already met the target
    assert table["趋势"].tolist()[0] == [79.6, None, 80.1]  # the input is left alone


def test_indicator_display_reads_a_verdict_of_achievement_as_complete():
    table = pd.DataFrame({"状态": ["已实现", "未实现"], "status": ["achieved", "not_achieved"], "趋势": [[], []], "完成进度": [-0.2, 0.7]})
    assert indicator_display(table)["完成进度"].tolist() == [1.0, 0.7]


@pytest.mark.parametrize(("final", "labels"), [
    (True, ["已实现", "未实现", "无法评估"]),
    (False, ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]),
])
def test_status_options_follow_the_phase(final, labels):
    options, colours = status_options(final)
    assert options == labels
    assert colours == [STATUS_COLOURS[label] for label in labels]


def test_status_options_of_a_mix_of_phases_hold_every_label():
    options, _ = status_options(None)
    assert set(options) == set(STATUS_ORDER)


def test_domain_figure_at_the_final_year_shows_the_verdicts(catalogue):
    from monitoring.datasets import read_folder
    from monitoring.demo import DEMO_DIR
    from monitoring.evaluation import evaluate

    dataset = read_folder(DEMO_DIR, catalogue)
    final = evaluate(catalogue, dataset.rows, 2025, plan="children")
    fig = domain_status_figure(domain_status_counts(final))
    assert {t.name for t in fig.data} == {"已实现", "未实现", "无法评估"}
    assert sum(sum(t.x) for t in fig.data) == len(final.results)
    period = evaluate(catalogue, dataset.rows, 2023, plan="children")
    drawn = [t.name for t in domain_status_figure(domain_status_counts(period)).data]
    assert drawn == ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    for trace in domain_status_figure(domain_status_counts(period)).data:
        assert trace.marker.color == STATUS_COLOURS[trace.name]
