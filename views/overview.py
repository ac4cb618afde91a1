"""总览: which targets will we miss, and why — at a glance, for the chosen year and plan."""

from __future__ import annotations

import streamlit as st

from monitoring.charts import domain_status_figure
from monitoring.summaries import (
    attainment_help,
    combined_record,
    completeness_overview,
    detail_link,
    domain_status_counts,
    plan_short,
    plan_tiles,
    status_badge,
    top_warnings,
)
from views import state
from views.widgets import first_plan

catalogue = state.catalogue()
period = first_plan(catalogue)
office = catalogue.regions.office_region
data = state.county_page(
    "总览",
    f"{office.full_name if office else ''}妇女、儿童发展规划和残疾人保障发展规划（{period.period_text}）全部量化目标的监测情况。",
    empty="还没有任何监测数据。请各单位在“数据填报”页面下载模板、填写后上传；办公室审核通过后即在此显示。",
)

c1, c2 = st.columns([1, 3])
with c1:
    year = state.year_choice(data)
with c2:
    plan_names = {"全部规划": None} | {plan_short(catalogue, key): key for key in catalogue.plans}
    chosen = st.segmented_control("规划", list(plan_names), default="全部规划", key="overview_plan")
    plan = plan_names.get(chosen or "全部规划")

evaluation = state.evaluation(year).subset(plan)
if evaluation.final:
    st.caption(f"{evaluation.year}年已到规划目标年，以下为终期评估结论：每项指标依据规划期内的数据判定为已实现、未实现或无法评估"
               "（规划期内没有可用于评估的数据），不再作趋势推算。")
elif evaluation.year == period.midterm_year:
    clock = (period.midterm_year - period.baseline_year) / (period.period_end - period.baseline_year)
    st.caption(f"{period.midterm_year}年为规划期中点（时间过半），“序时进度”为{clock:.0%}。")

# Per plan: targets, 达标率 and counts by status.
tiles = plan_tiles(evaluation)
for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
    with column.container(border=True):
        st.markdown(f"**{tile['title']}**")
        rate = "—" if tile["attainment"] is None else f"{tile['attainment'] * 100:.1f}%"
        m1, m2 = st.columns(2)
        unjudged = "无法评估" if tile["final"] else "无数据、数据不足"
        m1.metric("指标", f"{tile['targets']} 项", help=f"有数据的 {tile['with_data']} 项（不含{unjudged}的）")
        m2.metric("达标率", rate, help=attainment_help(tile["final"]))
        st.markdown(" ".join(status_badge(s, f"{tile['labels'][s]} {n}") for s, n in tile["counts"].items()))
if len(tiles) > 1:
    total = combined_record(evaluation)
    rate = "—" if total["attainment"] is None else f"{total['attainment'] * 100:.1f}%"
    shared = f"，两个规划共用的统计指标只计一次（{total['shared']}项）" if total["shared"] else ""
    st.caption(f"全部规划合计：{total['targets']} 项指标，有数据的 {total['with_data']} 项，达标率 {rate}{shared}。")

left, right = st.columns([3, 2])
with left:
    st.subheader("各领域指标状态")
    st.plotly_chart(domain_status_figure(domain_status_counts(evaluation)), config={"displayModeBar": False})
with right:
    st.subheader(f"{evaluation.year}年数据报送")
    completeness = completeness_overview(evaluation, data.rows)
    if completeness["total"]:
        st.progress(completeness["rate"], text=f"已报送 {completeness['reported']} / {completeness['total']} 项统计数据（{completeness['rate'] * 100:.0f}%）")
        missing = completeness["by_department"]
        missing = missing[missing["未报送"] > 0]
        if missing.empty:
            st.success("各单位本年度数据均已报送。")
        else:
            st.caption("尚有数据未报送的单位：")
            st.dataframe(
                missing[["单位", "应报", "已报送", "未报送", "报送率"]].head(10),
                hide_index=True,
                column_config={"报送率": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
            )
        st.page_link("views/reporting.py", label="查看报送情况与催报清单", icon=":material/fact_check:")

st.subheader("最需关注的预警")
warnings = top_warnings(evaluation, limit=10)
if warnings.empty:
    st.success(f"{evaluation.year}年没有预警。")
else:
    warnings["详情"] = warnings["编号"].map(detail_link)
    st.dataframe(
        warnings[["预警", "编号", "指标", "规划", "牵头单位", "状态", "说明", "详情"]],
        hide_index=True,
        column_config={
            "说明": st.column_config.TextColumn(width="large"),
            "指标": st.column_config.TextColumn(width="medium"),
            "详情": st.column_config.LinkColumn(display_text="查看"),
        },
    )
    st.page_link("views/alerts.py", label="查看全部预警", icon=":material/warning:")
