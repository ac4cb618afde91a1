"""区县对比 and the county choice through AppTest: on 运城市's 13 counties' demo data and on one county's."""

from __future__ import annotations

import pytest
import streamlit as st

COUNTY_PAGES = ["views/overview.py", "views/indicators.py", "views/detail.py", "views/alerts.py", "views/report.py", "views/reporting.py"]


@pytest.fixture
def navigation(monkeypatch):
    """The pages dashboard.py hands to st.navigation at its last run: {title: visibility}."""
    seen: dict[str, str] = {}
    original = st.navigation

    def recording(pages, *args, **kwargs):
        seen.clear()
        for page in (p for section in pages.values() for p in section) if isinstance(pages, dict) else pages:
            seen.setdefault(page.title, page.visibility)
        return original(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return seen


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def counts(at) -> list[int]:
    return [int(m.value.split()[0]) for m in at.metric]


def test_compare_page_on_counties_data(app_on, navigation):
    at = app_on(demo="counties")
    assert navigation["区县对比"] == "visible"
    at.switch_page("views/compare.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "区县对比"
    table = at.dataframe[0].value
    assert len(table) == 13 and table["区县"].is_unique
    assert "绛县" in set(table["区县"]) and "value" not in table and "status" not in table
    # 2025, the target year: one tile per verdict.
    assert sum(counts(at)) == 13 and [m.label for m in at.metric] == [":green-badge[已实现]", ":red-badge[未实现]", ":gray-badge[无法评估]"]
    assert {label for labels in table["状态"] for label in labels} <= {"已实现", "未实现", "无法评估"}
    assert at.get("plotly_chart")
    first = at.selectbox(key="compare_id").value
    assert first == "W1-02"  # data in all 13 counties
    at.selectbox(key="compare_id").select("W1-01a").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("W1-01a")
    changed = at.dataframe[0].value
    assert len(changed) == 13 and list(changed["数值"]) != list(table["数值"])
    assert sum(counts(at)) == 13
    assert any("各区县总体情况" in s.value for s in at.subheader)
    counties = next(d.value for d in at.dataframe if "达标率" in d.value)
    assert len(counties) == 13
    assert len(at.get("download_button")) == 1
    assert "county" not in [s.key for s in at.selectbox]  # the comparison shows every county


def test_compare_page_filters_by_plan_and_year(app_on):
    at = app_on("views/compare.py", demo="counties")
    at.selectbox(key="compare_plan").select("儿童规划").run()
    assert not at.exception
    assert at.selectbox(key="compare_id").value.startswith("C")
    at.selectbox(key="year").select(2023).run()
    assert not at.exception
    assert "2023年" in at.subheader[0].value and sum(counts(at)) == 13
    assert [m.label.split("[")[1].rstrip("]") for m in at.metric] == ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    counties = next(d.value for d in at.dataframe if "达标率" in d.value)
    assert "数据不足" in counties and "已实现" not in counties


def test_compare_page_opens_an_indicator_by_address(app_on):
    at = app_on("views/compare.py", demo="counties", query={"id": "W1-01a"})
    assert not at.exception
    assert at.selectbox(key="compare_id").value == "W1-01a"


def test_one_county_has_no_compare_page_in_the_navigation(app_on, navigation):
    at = app_on()
    assert navigation["区县对比"] == "hidden"
    at.switch_page("views/compare.py").run()  # reached by its address
    assert not at.exception
    assert any("“区县”列" in i.value and "监测数据填报格式说明" in i.value for i in at.info)
    assert not at.dataframe and not at.metric


def test_county_choice_on_the_overview(app_on):
    at = app_on(demo="counties")
    assert not at.exception, at.exception
    choice = at.sidebar.selectbox(key="county")
    assert choice.value == "140826" and len(choice.options) == 13  # the office's own county first
    assert "当前区县：绛县" in texts(at.markdown)
    before = [m.value for m in at.metric]
    choice.select("140823").run()
    assert not at.exception
    assert "当前区县：闻喜县" in texts(at.markdown)
    assert [m.value for m in at.metric] != before
    # The choice follows the user to the other county pages.
    at.switch_page("views/alerts.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="county").value == "140823"
    assert "当前区县：闻喜县" in texts(at.markdown)


def test_county_chosen_by_address(app_on):
    at = app_on(demo="counties", query={"county": "闻喜县"})
    assert not at.exception
    assert at.sidebar.selectbox(key="county").value == "140823"
    at = app_on(demo="counties", query={"county": "999999"})
    assert not at.exception
    assert "链接中的区县有误：区县“999999”无法识别。数据中的区县：" in texts(at.warning)
    assert at.sidebar.selectbox(key="county").value == "140826"


@pytest.mark.parametrize("page", COUNTY_PAGES)
def test_county_pages_show_one_county(app_on, page):
    at = app_on(page, demo="counties", query={"county": "140823"})
    assert not at.exception, (page, at.exception)
    assert not any("出错" in e.value for e in at.error)
    assert "当前区县：闻喜县" in texts(at.markdown)


@pytest.mark.parametrize("page", COUNTY_PAGES)
def test_single_county_pages_have_no_county_choice(app_on, page):
    at = app_on(page)
    assert not at.exception
    assert "county" not in [s.key for s in at.selectbox]
    assert "当前区县" not in texts(at.markdown)


@pytest.fixture
def province_app(tmp_path, catalogue, monkeypatch, data_root):
    """The app as a province office would run it: the benchmark's 山西省 hierarchy (11 cities, 117 counties) as
    targets/regions.yaml, and its generated data as the demo data."""
    import views.state
    from monitoring import bench
    from monitoring.catalogue import load_catalogue

    hierarchy = bench.write_targets("province", tmp_path / "targets")
    root = data_root(demo=False)
    bench.generate(catalogue, len(hierarchy.codes), root / "demo", codes=hierarchy.codes, hierarchy=load_catalogue(hierarchy.folder))
    monkeypatch.setattr(views.state, "TARGETS_DIR", hierarchy.folder)
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    return at.switch_page("views/compare.py").run()


def test_a_province_compares_all_counties_or_one_city_s(province_app):
    at = province_app
    assert not at.exception
    scope = at.selectbox(key="compare_within")
    assert scope.options[0] == "全部（117个区县）" and len(scope.options) == 12
    assert "山西省运城市（13个区县）" in scope.options
    assert sum(counts(at)) == 117
    assert "所属市" in at.dataframe[0].value.columns
    scope.select("140800").run()
    assert not at.exception
    assert sum(counts(at)) == 13
    assert "绛县" in set(at.dataframe[0].value["区县"]) and "所属市" not in at.dataframe[0].value.columns
