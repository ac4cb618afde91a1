"""The 报送情况 page through Streamlit's AppTest: by department, by indicator, by year, and the 催报清单."""

from __future__ import annotations

import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from monitoring.store import Store
from tests.conftest import FIXTURES, ROOT

APP = str(ROOT / "dashboard.py")


def open_page(year: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("views/reporting.py").run()
    assert not at.exception, at.exception
    if year is not None:
        at.selectbox(key="rep_year").select(year).run()
        assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_demo_data_page_shows_summary_detail_and_years(demo_root, catalogue):
    at = open_page()
    assert at.title[0].value == "报送情况"
    assert any("示例数据" in w.value for w in at.warning)  # the demo banner
    assert at.selectbox(key="rep_year").value == 2025
    summary = table_with(at, "应报")
    assert list(summary.columns) == ["单位", "应报", "已报送", "待审核", "未报送", "报送率"]
    assert summary["应报"].sum() == len(catalogue.series())
    assert metric(at, "应报指标") == f"{len(catalogue.series())} 项"
    detail = table_with(at, "编号")
    assert set(detail["报送情况"]) <= {"● 已报送", "● 待审核", "● 未报送"}
    assert "● 未报送" in set(detail["报送情况"])  # the demo leaves some 2025 values out
    overview = table_with(at, "2020年")
    assert list(overview.columns) == ["单位", *[f"{y}年" for y in range(2020, 2026)]]
    assert overview["单位"].iloc[0] == "全部单位"


def test_filters_by_department_and_state(demo_root):
    at = open_page()
    at.selectbox(key="rep_department").select("县卫体局").run()
    at.selectbox(key="rep_state").select("未报送").run()
    assert not at.exception
    detail = table_with(at, "编号")
    assert set(detail["单位"]) == {"县卫体局"}
    assert set(detail["报送情况"]) == {"● 未报送"}
    assert "W1-01a" in set(detail["编号"])  # no 2025 value in the demo data


def test_missing_list_downloads_as_excel(demo_root):
    at = open_page()
    button = next(b for b in at.get("download_button") if "催报清单" in b.proto.label)
    assert "2025年催报清单" in button.proto.label
    at.selectbox(key="rep_department").select("县卫体局").run()
    button = next(b for b in at.get("download_button") if "催报清单" in b.proto.label)
    assert "县卫体局" in button.proto.label


def test_empty_data_root_shows_everything_missing(empty_root, catalogue):
    at = open_page()
    assert not at.exception
    assert metric(at, "已报送") == "0 项"
    assert metric(at, "未报送") == f"{len(catalogue.series())} 项"
    overview = table_with(at, "2020年")
    assert (overview.drop(columns="单位") == 0).all().all()
    assert not (empty_root / "submissions").exists()  # reading creates nothing


def test_pending_submission_shows_as_awaiting_review(empty_root, catalogue):
    # C1-06 only for a township: not a county total, so still 未报送.
    rows = "指标编号,年份,数值,地区,分子,分母\nW1-02,2024,53.8,全县,1,1859\nC1-06,2024,96.5,古绛镇,,\n"
    Store(empty_root).submit(rows.encode(), "卫体局.csv", "县卫体局", "张三", catalogue)
    at = open_page(2024)
    detail = table_with(at, "编号")
    state = dict(zip(detail["编号"], detail["报送情况"], strict=True))
    assert state["W1-02"] == "● 待审核"
    assert state["C1-06"] == "● 未报送"
    assert metric(at, "待审核") == "1 项"
    summary = table_with(at, "应报").set_index("单位")
    assert summary.loc["县卫体局", "待审核"] == 1
    at.selectbox(key="rep_state").select("待审核").run()
    assert list(table_with(at, "编号")["编号"]) == ["W1-02"]
    # Another year is not affected.
    at.selectbox(key="rep_year").select(2025).run()
    assert metric(at, "待审核") == "0 项"


def test_approved_submission_counts_as_reported(empty_root, catalogue):
    data = (FIXTURES / "measurements" / "gbk-excel-export.csv").read_bytes()
    Store(empty_root).submit(data, "卫体局.csv", "县卫体局", "张三", catalogue, approve=True)
    at = open_page(2024)
    detail = table_with(at, "编号")
    state = dict(zip(detail["编号"], detail["报送情况"], strict=True))
    assert state["W1-02"] == "● 已报送" and state["C1-03a"] == "● 已报送"
    assert not any("示例数据" in w.value for w in at.warning)  # live data now


def test_broken_manifest_gives_a_chinese_message(empty_root):
    (empty_root / "submissions").mkdir(parents=True)
    (empty_root / "submissions" / "manifest.json").write_text("{broken", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("views/reporting.py").run()
    assert not at.exception, at.exception
    assert any("提交清单" in e.value for e in at.error)


def test_excel_of_the_missing_list_opens(demo_root):
    from monitoring import datasets, intake
    from monitoring.catalogue import load_catalogue
    from monitoring.exports import excel_bytes

    catalogue = load_catalogue()
    data = datasets.load(catalogue, demo_root)
    table = intake.reporting_table(catalogue, data.rows, 2025)
    sheets = pd.read_excel(io.BytesIO(excel_bytes({"催报清单": intake.chase_list(table)})), sheet_name=None)
    assert list(sheets["催报清单"].columns) == ["单位", "编号", "指标", "年份", "报送情况"]
    assert set(sheets["催报清单"]["报送情况"]) == {"未报送"}
