"""The 区县对比 figure and display helpers: one bar per county with data, the target, 无数据 written, not drawn."""

from __future__ import annotations

import pandas as pd
import pytest

from monitoring.charts import STATUS_ORDER, county_display, county_figure
from monitoring.comparison import compare
from monitoring.evaluation import STATUS_STYLE, Status
from monitoring.measurements import COLUMNS
from monitoring.regions import COUNTY_REGION
from monitoring.summaries import comparison_sheets, most_compared, ranking_rule


def rows(series: str, values: dict[str, dict[int, float]]) -> pd.DataFrame:
    """County-total rows of one series: {county code: {year: value}}."""
    records = [{"indicator_id": series, "year": year, "value": value, "region": COUNTY_REGION, "sex": "合计",
                "numerator": None, "denominator": None, "source": "", "note": "", "county": county}
               for county, by_year in values.items() for year, value in by_year.items()]
    return pd.DataFrame(records, columns=COLUMNS)


@pytest.fixture
def life_expectancy(catalogue):
    """W1-01a (≥78.1岁) in three counties with data and one listed without (平陆县 140829)."""
    data = rows(catalogue.get("W1-01a").series_key, {
        "140826": {2020: 77.0, 2022: 77.8, 2024: 78.4},  # 绛县: met
        "140823": {2020: 76.0, 2022: 76.2, 2024: 76.3},  # 闻喜县: behind
        "140828": {2020: 75.0, 2024: 78.9},  # 夏县: met, best
    })
    return compare(catalogue, data, 2024, counties=["140829"]).indicator("W1-01a")


def bars(fig) -> list:
    return [t for t in fig.data if t.type == "bar"]


def test_one_bar_per_county_with_data_in_ranking_order(life_expectancy):
    fig = county_figure(life_expectancy, highlight="绛县")
    drawn = [county for trace in bars(fig) for county in trace.y]
    assert sorted(drawn) == ["夏县", "绛县", "闻喜县"]
    assert sum(len(t.x) for t in bars(fig)) == life_expectancy.with_data == 3
    assert list(fig.layout.yaxis.categoryarray) == ["夏县", "绛县", "闻喜县", "平陆县"]  # best first, no data last
    assert fig.layout.yaxis.autorange == "reversed"
    assert "<b>绛县</b>" in fig.layout.yaxis.ticktext
    # Bars are named and coloured by status, and the status is also written beside every bar.
    for trace in bars(fig):
        assert trace.name in STATUS_ORDER
        assert trace.marker.color == next(s.colour for s in STATUS_STYLE.values() if s.label == trace.name)
    labels = next(t for t in fig.data if t.name == "数值").text
    assert any("78.9岁" in text and "已达标" in text for text in labels)


def test_bars_at_the_final_year_are_named_by_the_verdict(catalogue):
    data = rows(catalogue.get("W1-01a").series_key, {
        "140826": {2020: 77.0, 2025: 78.4},  # met
        "140823": {2020: 76.0, 2025: 76.3},  # missed
    })
    indicator = compare(catalogue, data, 2025, counties=["140829"]).indicator("W1-01a")
    fig = county_figure(indicator)
    assert {t.name: t.marker.color for t in bars(fig)} == {
        "已实现": STATUS_STYLE[Status.ACHIEVED].colour, "未实现": STATUS_STYLE[Status.NOT_ACHIEVED].colour}
    labels = " ".join(next(t for t in fig.data if t.name == "数值").text)
    assert "已实现" in labels and "未实现" in labels and "进度正常" not in labels and "预计难以达标" not in labels
    assert county_display(indicator.table)["状态"].tolist()[-1] == ["无法评估"]


def test_target_line_and_no_data_written(life_expectancy):
    fig = county_figure(life_expectancy)
    assert [shape.x0 for shape in fig.layout.shapes] == [78.1]
    assert any(t.name == "目标 ≥78.1岁" for t in fig.data)
    no_data = [a for a in fig.layout.annotations if a.text == "无数据"]
    assert [a.y for a in no_data] == ["平陆县"]
    assert "平陆县" not in [county for trace in bars(fig) for county in trace.y]
    assert "W1-01a" in fig.layout.title.text
    assert county_figure(life_expectancy, title="").layout.title.text in ("", None)


def test_targets_from_each_countys_baseline_are_marks(catalogue):
    """较2020年下降20%: every county has its own target, so there is no single line."""
    target = catalogue.get("C2-03")
    data = rows(target.series_key, {"140826": {2020: 20.0, 2024: 15.0}, "140823": {2020: 10.0, 2024: 9.5}})
    indicator = compare(catalogue, data, 2024).indicator("C2-03")
    fig = county_figure(indicator)
    assert not fig.layout.shapes
    marks = next(t for t in fig.data if t.name.startswith("各区县目标"))
    assert dict(zip(marks.y, marks.x, strict=True)) == pytest.approx({"绛县": 16.0, "闻喜县": 8.0})


def test_no_county_has_data(catalogue):
    indicator = compare(catalogue, rows("none", {}), 2024, counties=["140826", "140823"]).indicator("W1-02")
    fig = county_figure(indicator)
    assert not bars(fig)
    assert len([a for a in fig.layout.annotations if a.text == "无数据"]) == 2


def test_display_helpers(life_expectancy, catalogue):
    shown = county_display(life_expectancy.table)
    assert "value" not in shown and "status" not in shown
    assert shown["排名"].tolist() == ["1", "2", "3", "—"]
    assert shown["数据年份"].tolist()[-1] == "—"
    assert shown["状态"].tolist()[-1] == [STATUS_STYLE[Status.NO_DATA].label]
    assert ranking_rule(catalogue.get("W1-01a")) == "数值越高越好"
    assert ranking_rule(catalogue.get("W1-02")) == "数值越低越好"


def test_default_indicator_and_sheets(catalogue):
    overview = pd.DataFrame({"编号": ["A", "B", "W1-02"], "有数据的区县": [3, 5, 5]})
    assert most_compared(overview) == "W1-02"
    assert most_compared(overview.iloc[:2]) == "B"
    assert most_compared(overview.iloc[:0]) is None
    data = rows(catalogue.get("W1-01a").series_key, {"140826": {2024: 78.4}, "140823": {2020: 76.0, 2024: 76.3},
                                                     "140828": {2024: 76.3}})
    comparison = compare(catalogue, data, 2024, plan="women")
    sheets = comparison_sheets(comparison, comparison.indicator("W1-01a"))
    assert all(len(name) <= 31 for name in sheets)
    counties = sheets["各区县2024年总体情况"].set_index("区县")
    assert counties.loc["绛县", "达标率"] == "100.0%" and counties.loc["闻喜县", "达标率"] == "0.0%"
    # 夏县's single value misses and has no baseline: 数据不足, nothing judged, no 达标率.
    assert counties.loc["夏县", "数据不足"] == 1 and counties.loc["夏县", "有数据"] == 0 and pd.isna(counties.loc["夏县", "达标率"])
