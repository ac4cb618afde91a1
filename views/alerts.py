"""预警: every warning of the chosen year, by kind and by department, each with its sentence; Excel download."""

from __future__ import annotations

import streamlit as st

from monitoring.evaluation import WARNING_LABELS
from monitoring.exports import excel_bytes
from monitoring.summaries import detail_link, warnings_table
from views import state
from views.widgets import XLSX_MIME

catalogue = state.catalogue()
data = state.county_page(
    "预警",
    "规划要求“对预计达标困难、波动较大的监测指标及时进行预警”。每条预警都附计算依据，判定规则见“方法说明”。",
    empty="还没有任何监测数据，因此没有预警。请先在“数据填报”页面报送数据。",
)

c1, c2, c3 = st.columns([1, 2, 2])
with c1:
    year = state.year_choice(data)
evaluation = state.evaluation(year)
table = warnings_table(evaluation)
kinds = [label for label in WARNING_LABELS.values() if label in set(table["预警"])]
chosen_kinds = c2.multiselect("预警类型", kinds, key="alerts_kinds", placeholder="全部类型")
departments = sorted(set(table["牵头单位"]))
chosen_departments = c3.multiselect("牵头单位", departments, key="alerts_departments", placeholder="全部单位")

shown = table
if chosen_kinds:
    shown = shown[shown["预警"].isin(chosen_kinds)]
if chosen_departments:
    shown = shown[shown["牵头单位"].isin(chosen_departments)]

m1, m2, m3 = st.columns(3)
m1.metric("预警", f"{len(shown)} 条")
m2.metric("涉及指标", f"{shown['编号'].nunique()} 项")
m3.metric("涉及单位", f"{shown['牵头单位'].nunique()} 个")

if shown.empty:
    st.success(f"{evaluation.year}年没有符合条件的预警。")
    st.stop()

shown = shown.assign(详情=shown["编号"].map(detail_link))
columns = {"说明": st.column_config.TextColumn(width="large"), "详情": st.column_config.LinkColumn(display_text="查看")}
by_kind, by_department = st.tabs(["按预警类型", "按牵头单位"])
with by_kind:
    for index, (kind, group) in enumerate(shown.groupby("预警", sort=False)):
        with st.expander(f"{kind}（{len(group)} 条）", expanded=index == 0 or len(shown) <= 30):
            st.dataframe(group[["编号", "指标", "规划", "牵头单位", "状态", "说明", "详情"]], hide_index=True, column_config=columns)
with by_department:
    for department, group in shown.sort_values("牵头单位").groupby("牵头单位", sort=False):
        with st.expander(f"{department}（{len(group)} 条）"):
            st.dataframe(group[["预警", "编号", "指标", "状态", "说明", "详情"]], hide_index=True, column_config=columns)

st.download_button(
    "下载预警清单（Excel）",
    excel_bytes({f"{evaluation.year}年预警": shown.drop(columns=["code", "详情"])}, widths={"说明": 70}, wrap=["说明"]),
    file_name=f"{evaluation.year}年监测预警清单.xlsx",
    mime=XLSX_MIME,
)
