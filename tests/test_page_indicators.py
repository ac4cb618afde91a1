"""The 指标监测 and 指标详情 pages through Streamlit's AppTest, on a copy of the demo data, live data and no data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitoring.store import Store
from tests.conftest import ROOT

INDICATORS = "views/indicators.py"
DETAIL = "views/detail.py"


@pytest.fixture
def demo_root(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", root / "demo")
    monkeypatch.setenv("MONITORING_DATA", str(root))
    return root


@pytest.fixture
def empty_root(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "empty"
    root.mkdir()
    monkeypatch.setenv("MONITORING_DATA", str(root))
    return root


def page(path: str, target_id: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    if target_id is not None:
        app.query_params["id"] = target_id
    return app.switch_page(path).run()


def rows(app: AppTest) -> int:
    return len(app.dataframe[0].value)


def texts(app: AppTest) -> str:
    return " ".join(e.value for group in (app.title, app.markdown, app.info, app.warning, app.error, app.caption) for e in group)


# ---------------------------------------------------------------- 指标监测


def test_indicators_page_lists_every_target(demo_root, catalogue):
    app = page(INDICATORS)
    assert not app.exception
    assert app.title[0].value == "指标监测"
    assert rows(app) == len(catalogue)
    assert f"显示 **{len(catalogue)}** 项 / 共 {len(catalogue)} 项" in texts(app)
    assert any("示例数据" in w.value for w in app.warning)  # the demo banner
    table = app.dataframe[0].value
    assert {"编号", "状态", "趋势", "完成进度", "序时进度", "说明"} <= set(table.columns)


def test_status_filter_shows_fewer_rows_all_with_that_status(demo_root, catalogue):
    app = page(INDICATORS)
    app.selectbox(key="year").select(2023).run()
    assert app.selectbox(key="ind_status").options == ["全部", "已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    app.selectbox(key="ind_status").select("严重滞后").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert 0 < len(table) < len(catalogue)
    assert all(status == ["严重滞后"] for status in table["状态"])  # shown as a coloured tag with its text
    assert f"显示 **{len(table)}** 项 / 共 {len(catalogue)} 项" in texts(app)


def test_insufficient_targets_have_a_status_of_their_own(demo_root, catalogue):
    from monitoring.datasets import read_folder
    from monitoring.evaluation import Status, evaluate

    evaluation = evaluate(catalogue, read_folder(demo_root / "demo", catalogue).rows, 2023)
    insufficient = {r.target.id for r in evaluation.results if r.status == Status.INSUFFICIENT}
    assert insufficient, "the demo data has a target with too little data in 2023"
    app = page(INDICATORS)
    app.selectbox(key="year").select(2023).run()
    app.selectbox(key="ind_status").select("数据不足").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["编号"]) == insufficient and all(status == ["数据不足"] for status in table["状态"])


def test_at_the_final_year_the_filter_and_the_table_give_verdicts(demo_root, catalogue):
    app = page(INDICATORS)  # the latest year of the demo data: 2025, the target year
    assert "**2025年**" in texts(app)
    status = app.selectbox(key="ind_status")
    assert status.label == "终期结论" and status.options == ["全部", "已实现", "未实现", "无法评估"]
    shown = {label for labels in app.dataframe[0].value["状态"] for label in labels}
    assert shown <= {"已实现", "未实现", "无法评估"} and "未实现" in shown
    status.select("未实现").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert 0 < len(table) < len(catalogue) and all(labels == ["未实现"] for labels in table["状态"])
    # A label of the other phase left in the filter falls back to 全部 when the year changes.
    app.selectbox(key="year").select(2023).run()
    assert not app.exception and app.selectbox(key="ind_status").value == "全部"


def test_plan_domain_department_warning_and_search_filters(demo_root, catalogue):
    app = page(INDICATORS)
    app.selectbox(key="ind_plan").select("儿童规划").run()
    assert rows(app) == len(catalogue.for_plan("children"))
    assert app.selectbox(key="ind_domain").options[1:] == list(catalogue.plans["children"].domains)
    app.selectbox(key="ind_domain").select("儿童与健康").run()
    health = rows(app)
    assert 0 < health < len(catalogue.for_plan("children"))
    app.selectbox(key="ind_warning").select("事件数少").run()
    assert not app.exception
    assert all("事件数少" in text for text in app.dataframe[0].value["预警"])
    app.text_input(key="ind_query").input("c1-03b").run()
    assert list(app.dataframe[0].value["编号"]) == ["C1-03b"]


def test_domain_resets_when_the_plan_changes(demo_root):
    app = page(INDICATORS)
    app.selectbox(key="ind_plan").select("儿童规划").run()
    app.selectbox(key="ind_domain").select("儿童与健康").run()
    app.selectbox(key="ind_plan").select("妇女规划").run()
    assert not app.exception
    assert app.selectbox(key="ind_domain").value == "全部"
    assert rows(app) > 0


def test_empty_filter_result_says_to_relax_filters(demo_root):
    app = page(INDICATORS)
    app.text_input(key="ind_query").input("没有这个指标").run()
    assert not app.exception
    assert not app.dataframe
    assert any("放宽筛选条件" in info.value for info in app.info)


def test_year_changes_the_evaluation(demo_root):
    app = page(INDICATORS)
    app.selectbox(key="year").select(2023).run()
    assert not app.exception
    assert "**2023年**" in texts(app)
    latest = app.dataframe[0].value.set_index("编号").loc["C1-03b", "最新值"]
    assert "2023年" in latest


# ---------------------------------------------------------------- 指标详情


def test_detail_deep_link(demo_root):
    app = page(DETAIL, "C1-03b")
    assert not app.exception
    assert app.title[0].value == "C1-03b 婴儿死亡率"
    assert app.selectbox(key="detail_id").value == "C1-03b"
    assert not app.error
    labels = [m.label for m in app.metric]
    assert any(label.startswith("最新值") for label in labels) and "完成进度" in labels and "序时进度" in labels
    assert len(app.get("plotly_chart")) >= 1
    text = texts(app)
    assert "绛县儿童发展“十四五”规划" in text and "绛政办规备字〔2023〕1号" in text
    assert "出处：规划主要目标" in text and "默认分配，待核实" in text
    assert "事件数少" in text  # the warning with its sentence
    # demo data is not in the store: the history says so
    assert any("示例数据不经过报送和审核" in info.value for info in app.info)


def _spec(app: AppTest) -> str:
    """The detail chart's figure as readable text."""
    import json

    return json.dumps(json.loads(app.get("plotly_chart")[0].proto.spec), ensure_ascii=False)


def test_detail_at_the_final_year_gives_the_verdict_without_projection(demo_root):
    from monitoring.catalogue import load_catalogue
    from monitoring.datasets import read_folder
    from monitoring.evaluation import evaluate

    catalogue = load_catalogue()
    result = evaluate(catalogue, read_folder(demo_root / "demo", catalogue).rows, 2025).get("C1-03b")
    app = page(DETAIL, "C1-03b")
    assert not app.exception
    text = texts(app)
    assert f"[{result.label}]" in text and "2025年终期评估结论" in text
    assert result.label in ("已实现", "未实现", "无法评估")
    assert next(m for m in app.metric if m.label == "趋势推算").value == "—"
    chart = _spec(app)
    assert "趋势推算" not in chart and "终期结论" in chart
    app.selectbox(key="year").select(2023).run()
    assert not app.exception
    assert "2023年评估" in texts(app) and "趋势推算 2025年约" in _spec(app)


def test_detail_shows_township_and_sex_breakdowns(demo_root):
    township = page(DETAIL, "C1-06")
    assert not township.exception
    assert "分乡（镇）" in [s.value for s in township.subheader]
    assert any("冷口乡" in w.value for w in township.warning)
    assert any("乡（镇）" in d.value.columns for d in township.dataframe)
    sexes = page(DETAIL, "C3-04a")
    assert not sexes.exception
    assert "分性别" in [s.value for s in sexes.subheader]
    assert any(list(d.value.get("性别", [])) == ["女", "男"] for d in sexes.dataframe)


def test_choosing_another_target_updates_the_link(demo_root):
    app = page(DETAIL, "C1-03b")
    app.selectbox(key="detail_id").select("C2-03").run()
    assert not app.exception
    assert app.title[0].value == "C2-03 儿童伤害死亡率"
    assert app.query_params["id"] == "C2-03"


def test_unknown_id_is_an_error_and_the_selectbox_still_works(demo_root):
    app = page(DETAIL, "X9-99")
    assert not app.exception
    assert "X9-99" in app.error[0].value
    app.selectbox(key="detail_id").select("C1-03b").run()
    assert not app.exception
    assert app.title[0].value == "C1-03b 婴儿死亡率"


def test_no_data_target_says_what_to_do(demo_root):
    app = page(DETAIL, "C1-S11")
    assert not app.exception
    assert any("数据填报" in info.value for info in app.info)
    assert app.get("page_link")


def test_history_of_approved_submissions(tmp_path, monkeypatch, catalogue):
    root = tmp_path / "live"
    monkeypatch.setenv("MONITORING_DATA", str(root))
    store = Store(root)
    first = "指标编号,年份,数值,分子,分母,地区,性别\nC1-03b,2023,5.9,11,1874,全县,合计\n".encode()
    second = "指标编号,年份,数值,分子,分母,地区,性别\nC1-03b,2023,5.3,10,1874,全县,合计\n".encode()
    store.submit(first, "一.csv", "县卫体局", "张三", catalogue, approve=True)
    store.submit(second, "二.csv", "县卫体局", "李四", catalogue, approve=True)
    app = page(DETAIL, "C1-03b")
    assert not app.exception
    assert not any("示例数据" in w.value for w in app.warning)
    history = app.dataframe[-1].value
    assert list(history["user"]) == ["李四", "张三"]
    assert list(history["effective"]) == [True, False]


# ---------------------------------------------------------------- no data at all


def test_indicators_page_without_data(empty_root):
    app = page(INDICATORS)
    assert not app.exception
    assert any("数据填报" in info.value for info in app.info)
    assert app.get("page_link")
    assert not app.dataframe


def test_detail_page_without_data(empty_root):
    app = page(DETAIL, "C1-03b")
    assert not app.exception
    assert app.title[0].value == "C1-03b 婴儿死亡率"
    assert any("还没有任何监测数据" in info.value for info in app.info)
    assert any("还没有审核通过的报送" in info.value for info in app.info)
    assert not any("示例数据不经过" in info.value for info in app.info)  # there is no demo data either
    assert app.get("page_link")


def test_the_chosen_year_follows_to_the_detail_page(demo_root):
    app = page(INDICATORS)
    app.selectbox(key="year").select(2023).run()
    app.query_params["id"] = "C1-03b"
    app.switch_page(DETAIL).run()
    assert not app.exception
    assert app.selectbox(key="year").value == 2023
    assert any("2023年评估" in m.value for m in app.markdown)
