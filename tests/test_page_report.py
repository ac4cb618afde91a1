"""评估报告 page through AppTest: choices, generation (without charts, for speed) and downloads."""

from __future__ import annotations


def test_report_page_generates_documents(app_on, monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")
    at = app_on("views/report.py")
    assert not at.exception
    at.radio(key="report_kind").set_value("midterm").run()
    assert at.selectbox(key="report_year_midterm").value == 2023
    at.selectbox(key="report_plan").select("儿童规划").run()
    at.checkbox(key="report_charts").uncheck().run()
    at.button(key="report_generate").click().run()
    assert not at.exception
    assert any("已生成" in s.value and "中期评估报告" in s.value for s in at.success)
    assert len(at.get("download_button")) == 2


def test_report_page_explains_a_wrong_year(app_on):
    at = app_on("views/report.py")
    at.radio(key="report_kind").set_value("final").run()
    assert at.selectbox(key="report_year_final").value == 2025
    at.selectbox(key="report_year_final").select(2024).run()
    assert not at.exception
    assert any("终期评估的年份" in w.value for w in at.warning)


def test_report_page_on_empty_data(app_on):
    at = app_on("views/report.py", demo=False)
    assert not at.exception
    assert any("无法生成报告" in i.value for i in at.info)


def test_report_page_on_several_counties_reports_the_chosen_one(app_on, monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")
    at = app_on("views/report.py", demo="counties", query={"county": "140823"})
    assert not at.exception
    assert any("报告正文为闻喜县" in c.value for c in at.caption)
    at.radio(key="report_kind").set_value("annual").run()
    at.checkbox(key="report_charts").uncheck().run()
    at.button(key="report_generate").click().run()
    assert not at.exception, at.exception
    assert any("已生成" in s.value for s in at.success), [e.value for e in at.error]
    assert at.session_state["report_result"].county == "140823"
    at.sidebar.selectbox(key="county").select("140826").run()  # another county: the other county's files are not offered
    assert not any("已生成" in s.value for s in at.success)
