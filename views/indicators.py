"""指标监测: every target of the chosen year with status, warnings, trend and progress; a row opens its detail."""

from __future__ import annotations

import streamlit as st

from monitoring.charts import indicator_display, status_options
from monitoring.evaluation import WARNING_LABELS
from monitoring.summaries import filter_indicators, indicator_table, plan_short
from views import state

ALL = "全部"

catalogue = state.catalogue()
data = state.county_page(
    "指标监测",
    "三个规划全部量化目标在所选年份的状态、预警、历年走势和进度。点击表格中的一行查看该指标的详情。",
    empty="还没有任何监测数据，所有指标都无法评估。请各单位在“数据填报”页面下载模板、填写后上传；办公室审核通过后即在此显示。",
)

y1, y2 = st.columns([1, 4])
with y1:
    year = state.year_choice(data)
evaluation = state.evaluation(year)
table = indicator_table(evaluation, data.rows)
status_labels, status_colours = status_options(evaluation.final)  # at the final year 已实现 / 未实现 / 无法评估
query = y2.text_input("搜索（编号、指标名称、说明）", key="ind_query", placeholder="如 C1-03b、婴儿死亡率、退步")

plans = {plan_short(catalogue, key): key for key in catalogue.plans}
c1, c2, c3, c4, c5 = st.columns(5)
plan = c1.selectbox("规划", [ALL, *plans], key="ind_plan")
domains = list(catalogue.plans[plans[plan]].domains) if plan != ALL else list(dict.fromkeys(table["领域"]))
if st.session_state.get("ind_domain") not in (ALL, *domains):
    st.session_state["ind_domain"] = ALL
domain = c2.selectbox("领域", [ALL, *domains], key="ind_domain")
department = c3.selectbox("牵头单位", [ALL, *sorted(set(table["牵头单位"]))], key="ind_department")
if st.session_state.get("ind_status") not in (ALL, *status_labels):  # a label of the other phase (the year changed)
    st.session_state["ind_status"] = ALL
status = c4.selectbox("终期结论" if evaluation.final else "状态", [ALL, *status_labels], key="ind_status")
warning = c5.selectbox("预警", [ALL, *WARNING_LABELS.values()], key="ind_warning")

shown = filter_indicators(
    table,
    plan=None if plan == ALL else plan,
    domain=None if domain == ALL else domain,
    department=None if department == ALL else department,
    status=None if status == ALL else status,
    warning=None if warning == ALL else warning,
    query=query,
)

st.markdown(f"**{evaluation.year}年**：显示 **{len(shown)}** 项 / 共 {len(table)} 项")

if shown.empty:
    st.info("没有符合条件的指标。请放宽筛选条件（把某个筛选改回“全部”）或清空搜索框。")
    st.stop()

event = st.dataframe(
    indicator_display(shown),
    hide_index=True,
    key="ind_table",
    height=640,
    on_select="rerun",
    selection_mode="single-row",
    column_order=["编号", "指标", "状态", "预警", "最新值", "目标", "趋势", "完成进度", "序时进度", "说明", "规划", "领域", "牵头单位"],
    column_config={
        "编号": st.column_config.TextColumn(pinned=True),
        "指标": st.column_config.TextColumn(width="medium", pinned=True),
        "状态": st.column_config.MultiselectColumn("终期结论" if evaluation.final else "状态", options=status_labels, color=status_colours,
                                                  width=112),
        "预警": st.column_config.TextColumn(width="medium"),
        "趋势": st.column_config.LineChartColumn("历年走势", width="small", color="#546e7a", help="全县历年报送值（至所选年份）"),
        "完成进度": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1, color="#1565c0", width="small",
            help="目标完成进度 =（当前值−基期值）÷（目标值−基期值），按 0—100% 显示；方向性目标不计算"),
        "序时进度": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1, color="#8a8a8a", width="small",
            help="序时进度 =（当前年−基期年）÷（目标年−基期年）；完成进度不低于序时进度即进度正常"),
        "说明": st.column_config.TextColumn(width="large"),
    },
)

chosen = event.selection.rows if event is not None else []
if chosen:
    st.switch_page("views/detail.py", query_params={"id": shown.iloc[chosen[0]]["编号"]})
