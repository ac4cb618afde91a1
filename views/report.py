"""评估报告: the annual monitoring, mid-term and final evaluation reports, generated for download."""

from __future__ import annotations

import streamlit as st

from monitoring import actions
from monitoring.permissions import Action, PermissionDenied
from monitoring.reports import KINDS, ReportError, check_arguments, default_year
from monitoring.store import StoreError
from monitoring.summaries import plan_short
from views import state
from views.widgets import DOCX_MIME, XLSX_MIME, first_plan

user = state.require(Action.REPORT)
catalogue = state.catalogue()
period = first_plan(catalogue)
data = state.county_page(
    "评估报告",
    f"按公文格式生成年度监测报告、中期评估报告（{period.midterm_year}年）和终期评估报告（{period.period_end}年）的监测数据部分（Word），"
    "以及监测指标汇总表（Excel）。生成后请通读核对再行文。",
    empty="还没有任何监测数据，无法生成报告。请先在“数据填报”页面报送数据。",
)

c1, c2, c3 = st.columns([2, 1, 2])
kind = c1.radio("报告类型", list(KINDS), format_func=KINDS.get, index=2, key="report_kind", horizontal=True)
suggested = default_year(catalogue, data, kind)
years = sorted(set(data.years()) | {suggested})
year = c2.selectbox("评估年份", years, index=years.index(suggested), key=f"report_year_{kind}", format_func=lambda y: f"{y}年")
plans = {"三个规划合编": None} | {plan_short(catalogue, key): key for key in catalogue.plans}
plan = plans[c3.selectbox("规划", list(plans), key="report_plan")]
county = state.county()
if county is not None:
    st.caption(f"数据含 {len(state.dataset().counties())} 个区县：报告正文为{catalogue.regions.label(county)}（在左侧栏“区县”中切换），"
               "并附各区县对比。")
charts = st.checkbox("包含图表（各规划领域状态图和每项预警指标的趋势图，生成较慢）", value=True, key="report_charts")

try:
    check_arguments(catalogue, kind, year, plan)
except ReportError as exc:
    st.warning(str(exc))
    st.stop()

if st.button("生成报告", type="primary", key="report_generate"):
    bar = st.progress(0.0, text="正在准备…")
    try:
        # The whole data set: the body is the chosen county's, the 区县对比 appendix covers every county.
        result = actions.report(user, catalogue, state.dataset(), kind, year, plan, charts=charts, county=county,
                                progress=lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text))
    except (ReportError, PermissionDenied, StoreError) as exc:
        bar.empty()
        st.error(str(exc))
        st.stop()
    bar.empty()
    st.session_state["report_result"] = result
    st.session_state["report_county"] = county

# A report made for another county (chosen in the sidebar since) is not offered for this one.
result = st.session_state.get("report_result") if st.session_state.get("report_county") == county else None
if result is not None:
    st.success(f"已生成：{result.title}（用时 {result.seconds:.0f} 秒，图表 {result.charts} 幅）。")
    if result.chart_note:
        st.warning(result.chart_note)
    d1, d2, _ = st.columns([1, 1, 2])
    d1.download_button("下载报告（Word）", result.docx, file_name=result.filename, key="report_docx",
                       mime=DOCX_MIME)
    d2.download_button("下载监测指标汇总表（Excel）", result.xlsx, file_name=result.xlsx_filename, key="report_xlsx",
                       mime=XLSX_MIME)
