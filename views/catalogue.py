"""目标库: the whole catalogue with filters and the plans' own sentences; downloads."""

from __future__ import annotations

import streamlit as st

from monitoring.catalogue import PROVENANCE_LABELS, Provenance, catalogue_table, filter_table, provenance_sentence
from monitoring.exports import csv_bytes, excel_bytes
from views import state
from views.widgets import CSV_MIME, XLSX_MIME

catalogue = state.catalogue()
table = catalogue_table(catalogue)

st.title("目标库")
st.caption("三个规划的全部量化目标，每项都注明出处（规划主要目标、规划重点任务，或参照国家规划补充、待与县指标表核对）。"
           "目标以 targets/ 文件夹中的 YAML 文件为准，修改方法见 docs/targets.md。")

plans = {plan.title: key for key, plan in catalogue.plans.items()}
c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
plan_title = c1.selectbox("规划", ["全部", *plans], key="catalogue_plan")
domains = [] if plan_title == "全部" else list(catalogue.plans[plans[plan_title]].domains)
domain = c2.selectbox("领域", ["全部", *domains], key="catalogue_domain")
department = c3.selectbox("责任单位", ["全部", *[d.name for d in catalogue.departments]], key="catalogue_department")
query = c4.text_input("搜索（编号、名称、原文、备注）", key="catalogue_query")

shown = filter_table(
    table,
    plan_title=None if plan_title == "全部" else plan_title,
    domain=None if domain == "全部" else domain,
    department=None if department == "全部" else department,
    query=query,
)
m1, m2, m3 = st.columns(3)
m1.metric("显示指标", f"{len(shown)} 项", help=f"目标库共 {len(table)} 项：{provenance_sentence(catalogue.provenance_counts())}")
m2.metric("默认分配责任单位", f"{(shown['单位来源'] != '规划明确').sum()} 项", help="规划未点名责任单位、按统计口径默认分配的指标，请办公室核实")
m3.metric("参照国家规划补充（待核对）", f"{(shown['出处'] == PROVENANCE_LABELS[Provenance.NATIONAL_PLAN]).sum()} 项",
          help="县规划文本未列出指标表、参照国家规划主要指标补充的目标，待与县指标表核对")

st.caption(f"{plan_title if plan_title != '全部' else '三个规划'}：{provenance_sentence(catalogue.provenance_counts(plans.get(plan_title)))}。")

if shown.empty:
    st.info("没有符合条件的指标。请放宽筛选条件或清空搜索框。")
else:
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["编号", "规划", "领域", "指标名称", "目标", "单位", "目标年份", "每年须保持", "适用范围", "统计类型", "性别", "牵头单位", "配合单位", "单位来源", "出处", "规划原文", "备注"],
        column_config={
            "规划原文": st.column_config.TextColumn(width="large"),
            "备注": st.column_config.TextColumn(width="large"),
            "指标名称": st.column_config.TextColumn(width="medium"),
        },
    )

d1, d2, _ = st.columns([1, 1, 4])
d1.download_button("下载 CSV", csv_bytes(shown), file_name="目标库.csv", mime=CSV_MIME)
d2.download_button(
    "下载 Excel",
    excel_bytes({"目标库": shown}, widths={"规划原文": 60, "备注": 60}, wrap=["规划原文", "备注"]),
    file_name="目标库.xlsx",
    mime=XLSX_MIME,
)
