"""总览, 预警 and 方法说明 through AppTest, on the demo data and on an empty data root."""

from __future__ import annotations

import pytest


def test_overview_on_demo_data(app_on, catalogue):
    at = app_on()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert any("示例数据（非真实统计）" in w.value for w in at.warning), "demo banner"
    metrics = {m.label: m.value for m in at.metric}
    assert "达标率" in metrics
    assert len(at.metric) == 2 * len(catalogue.plans)


def test_overview_plan_filter_and_year(app_on, catalogue):
    at = app_on()
    at.selectbox(key="year").select(2023).run()
    assert not at.exception
    assert any("时间过半" in c.value for c in at.caption)
    at.segmented_control(key="overview_plan").set_value("妇女规划").run()
    assert not at.exception
    assert len(at.metric) == 2
    assert at.metric[0].value == f"{len(catalogue.for_plan('women'))} 项"


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _evaluation(catalogue, year: int):
    from monitoring.datasets import read_folder
    from monitoring.evaluation import evaluate
    from tests.conftest import ROOT

    return evaluate(catalogue, read_folder(ROOT / "data" / "demo", catalogue).rows, year)


def test_overview_at_the_final_year_shows_verdicts(app_on, catalogue):
    from monitoring.evaluation import status_record

    at = app_on()  # the latest year of the demo data: 2025, the plans' target year
    assert not at.exception
    badges = _markdown(at)
    evaluation = _evaluation(catalogue, 2025)
    for plan in catalogue.plans:
        record = status_record(evaluation.subset(plan).results)
        assert (f":green-badge[已实现 {record['achieved']}] :red-badge[未实现 {record['not_achieved']}] "
                f":gray-badge[无法评估 {record['no_data']}]") in badges
    for word in ("进度正常", "预计难以达标", "严重滞后", "数据不足", "已达标", "无数据"):
        assert word not in badges, word
    assert any("终期评估结论" in c.value and "已实现、未实现或无法评估" in c.value for c in at.caption)
    assert {m.help for m in at.metric if m.label == "达标率"} == {"已实现指标数 ÷ 有数据的指标数，无法评估的指标不计入分母"}
    chart = at.get("plotly_chart")[0].proto.spec
    import json

    names = {trace["name"] for trace in json.loads(chart)["data"]}
    assert names == {"已实现", "未实现", "无法评估"}


def test_overview_during_the_period_counts_insufficient_apart(app_on, catalogue):
    from monitoring.evaluation import status_record

    at = app_on()
    at.selectbox(key="year").select(2023).run()
    assert not at.exception
    badges = _markdown(at)
    evaluation = _evaluation(catalogue, 2023)
    for plan in catalogue.plans:
        record = status_record(evaluation.subset(plan).results)
        assert f":violet-badge[数据不足 {record['insufficient']}] :gray-badge[无数据 {record['no_data']}]" in badges
    assert "已实现" not in badges and "无法评估" not in badges and "未实现" not in badges


def test_overview_combined_attainment_counts_a_shared_statistic_once(app_on, catalogue):
    from monitoring.evaluation import status_record

    at = app_on()
    evaluation = _evaluation(catalogue, 2025)
    counted = evaluation.counted()
    record = status_record(counted)
    assert len(counted) < len(evaluation.results)
    line = next(c.value for c in at.caption if c.value.startswith("全部规划合计"))
    assert f"{len(counted)} 项指标" in line and f"达标率 {record['attainment'] * 100:.1f}%" in line
    assert f"两个规划共用的统计指标只计一次（{len(evaluation.results) - len(counted)}项）" in line


@pytest.mark.parametrize("page", ["views/overview.py", "views/alerts.py", "views/methodology.py", "views/catalogue.py"])
def test_pages_on_an_empty_data_root(app_on, page):
    at = app_on(page, demo=False)
    assert not at.exception
    if page in ("views/overview.py", "views/alerts.py"):
        assert any("还没有任何监测数据" in i.value for i in at.info)


def test_alerts_filters(app_on):
    at = app_on("views/alerts.py")
    assert not at.exception
    total = int(at.metric[0].value.split()[0])
    assert total > 0
    at.multiselect(key="alerts_kinds").select("数据缺报").run()
    assert not at.exception
    stale = int(at.metric[0].value.split()[0])
    assert 0 < stale < total
    assert at.get("download_button")


def test_methodology_page_renders_the_document(app_on):
    at = app_on("views/methodology.py")
    assert not at.exception
    assert "监测评估方法说明" in at.markdown[0].value
