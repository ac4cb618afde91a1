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
