"""指标详情: one target in full — status, chart, warnings, breakdowns, the plan's own sentence, departments and history.

Deep link: /detail?id=C1-03b. The selectbox and st.query_params["id"] stay in sync.
"""

from __future__ import annotations

import streamlit as st

from monitoring.catalogue import PROVENANCE_LABELS, SCOPE_LABELS
from monitoring.charts import breakdown_table, indicator_figure, sex_figure, target_text, township_figure, value_formatter
from monitoring.evaluation import SERIOUS_WARNINGS
from monitoring.summaries import breakdown, latest_text, plan_short, progress_text, status_badge
from views import state
from views.widgets import follow_address, write_address

# Warnings that call for action; the others (缺报, 事件数少) are context for reading the figures.
CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

catalogue = state.catalogue()
data = state.county_dataset()
ids = [t.id for t in catalogue]


requested = follow_address("id", "detail_id", ids, ids[0])

state.data_banner(data)
if requested and requested not in ids:
    st.error(f"没有编号为“{requested}”的指标（链接中的编号可能有误或已停用）。请在下方选择要查看的指标，或到“指标监测”页面查找。")

c1, c2 = st.columns([3, 1])
with c1:
    target_id = st.selectbox(
        "指标", ids, key="detail_id", on_change=write_address("id", "detail_id"),
        format_func=lambda i: f"{i} {catalogue.get(i).name}",  # type: ignore[union-attr]
    )
with c2:
    year = state.year_choice(data)

evaluation = state.evaluation(year)
result = evaluation.get(target_id)
assert result is not None, "every catalogue target is evaluated"
target = result.target
plan = catalogue.plans[target.plan]
fmt = value_formatter(result)

st.title(f"{target.id} {target.name}")
st.caption(f"{plan_short(catalogue, target.plan)} ｜ {target.domain} ｜ 牵头单位：{target.department.lead} ｜ 适用范围：{SCOPE_LABELS[target.scope]}")
state.county_note()
st.markdown(f"{status_badge(result.status, final=result.final)} **{evaluation.year}年{'终期评估结论' if result.final else '评估'}**："
            f"{result.explanation}")

if data.rows.empty:
    st.info("还没有任何监测数据，本指标暂无法评估。请在“数据填报”页面报送数据；下面列出指标的目标、出处和责任单位。")
    state.page_link("views/submit.py", "前往数据填报", icon=":material/upload_file:")
elif result.latest is None:
    st.info(f"截至{evaluation.year}年，{target.department.lead}还没有报送本指标的数据。请通过“数据填报”页面报送。")
    state.page_link("views/submit.py", "前往数据填报", icon=":material/upload_file:")

# Key figures.
m1, m2, m3 = st.columns(3)
m4, m5, m6 = st.columns(3)
m1.metric(f"最新值（{result.latest.year}年）" if result.latest else "最新值", fmt(result.latest.value) if result.latest else "—",
          help=latest_text(result))
m2.metric(f"目标（{target.target_year}年）", target.target_label(), help=f"评估时使用的目标值：{target_text(result)}")
base_note = {"catalogue": "目标库中的基期值", "earliest": "基期年无数据，用最早报送年份的值", "reported": "基期年的报送值"}.get(result.baseline_source or "")
m3.metric(f"基期值（{result.baseline_year}年）" if result.baseline_year else "基期值", fmt(result.baseline_value), help=base_note)
judged = ("已到目标年，终期评估结论只看目标年（缺报时为规划期内最近一年）的数值是否达到目标。" if result.final
          else "应与序时进度比较：不低于序时进度即进度正常。")
m4.metric("完成进度", progress_text(result),
          help=f"目标完成进度 =（当前值−基期值）÷（目标值−基期值）。方向性目标（逐步提高、逐步下降）不计算。{judged}")
plan = catalogue.plans[target.plan]
m5.metric("序时进度", "—" if result.time_progress is None else f"{result.time_progress * 100:.0f}%",
          help=f"序时进度 =（当前年−基期年）÷（目标年−基期年），如{plan.midterm_year}年为"
               f"{(plan.midterm_year - plan.baseline_year) / (plan.period_end - plan.baseline_year):.0%}（时间过半）。")
if result.final:
    m6.metric("趋势推算", "—", help=f"已到目标年（{target.target_year}年），终期评估依据规划期内的实际数值作结论，不作趋势推算。")
else:
    m6.metric("趋势推算", fmt(result.projected_value),
              help=f"基期以来各年报送值的最小二乘直线在目标年（{target.target_year}年）的值；少于两年数据时不推算。")

st.plotly_chart(indicator_figure(result), config=CHART_CONFIG, theme=None, key="detail_chart")

# Warnings, each with its sentence.
st.subheader("预警")
if not result.warnings and result.latest is not None:
    st.success("本指标没有预警。")
elif not result.warnings:
    st.info("没有数据，无法判断是否需要预警。")
for item in result.warnings:
    if item.code in SERIOUS_WARNINGS:
        st.warning(f"**{item.label}**：{item.message}", icon="⚠️")
    else:
        st.info(f"**{item.label}**：{item.message}", icon="ℹ️")
if result.ci is not None:
    st.caption(f"最新值的95%置信区间：{fmt(result.ci[0])}—{fmt(result.ci[1])}（计算方法见“方法说明”）。")

# Breakdowns by town/township and by sex, where reported.
parts = breakdown(data.rows, target, evaluation.year) if not data.rows.empty else {}
regions = parts.get("region")
if result.township_values or regions is not None:
    st.subheader("分乡（镇）")
    st.plotly_chart(township_figure(result, regions), config=CHART_CONFIG, theme=None, key="detail_township")
    if regions is not None:
        st.dataframe(breakdown_table(regions, "乡（镇）", result), hide_index=True)
sexes = parts.get("sex")
if sexes is not None:
    st.subheader("分性别")
    st.plotly_chart(sex_figure(sexes, result), config=CHART_CONFIG, theme=None, key="detail_sex")
    st.dataframe(breakdown_table(sexes, "性别", result), hide_index=True)

# Where the target comes from, and who answers for it.
st.subheader("规划原文与责任单位")
st.markdown(f"**《{plan.title}》**（{plan.document}）")
if target.source_text:
    st.markdown(f"> {target.source_text}")
else:
    st.caption("目标库中没有抄录本指标的规划原文。")
provenance = PROVENANCE_LABELS.get(target.provenance, target.provenance)
assigned = "规划明确" if target.department.assigned == "plan" else "默认分配，待核实"
supporting = "、".join(target.department.supporting) or "无"
st.markdown(
    f"- 出处：{provenance}\n"
    f"- 牵头单位：{target.department.lead}（{assigned}）\n"
    f"- 配合单位：{supporting}\n"
    f"- 目标：{target.target_label()}，目标年份 {target.target_year}年，基期 {target.baseline_year}年"
    + ("，规划期内每年须保持" if target.maintain else "")
)
if target.department.assigned != "plan":
    st.caption("规划原文没有点名责任单位，平台按统计口径默认分配，请妇儿工委办公室核实。")
shared = catalogue.series()[target.series_key].target_ids
if len(shared) > 1:
    st.caption(f"本指标与 {'、'.join(i for i in shared if i != target.id)} 共用同一项统计数据，只需报送一次。")
if target.note:
    st.markdown(f"**备注**：{target.note}")

# Every value ever approved for the statistic, newest first.
st.subheader("报送记录")
history = state.store().history(target.series_key, None, catalogue)
if state.county() is not None:  # several counties: the chosen one's submissions
    history = history[history["county"] == state.county()]
if history.empty:
    if data.is_demo and not data.rows.empty:
        st.info("当前显示的是示例数据，示例数据不经过报送和审核，因此没有报送记录。正式数据经“数据填报”提交、办公室审核通过后，每一次报送都会列在这里。")
    else:
        st.info("本指标还没有审核通过的报送。")
    state.page_link("views/submit.py", "前往数据填报", icon=":material/upload_file:")
else:
    st.dataframe(
        history,
        hide_index=True,
        column_order=["year", "region", "sex", "value", "numerator", "denominator", "effective", "department", "user", "time",
                      "approved_by", "approved_at", "submission_id", "file", "source", "note"],
        column_config={
            "year": st.column_config.NumberColumn("年份", format="%d"),
            "region": "地区",
            "sex": "性别",
            "value": st.column_config.NumberColumn(f"数值（{target.unit}）"),
            "numerator": "分子",
            "denominator": "分母",
            "effective": st.column_config.CheckboxColumn("当前使用", help="同一年份、地区、性别有多次报送时，以最后审核通过的为准"),
            "department": "报送单位",
            "user": "报送人",
            "time": "报送时间",
            "approved_by": "审核人",
            "approved_at": "审核时间",
            "submission_id": "报送编号",
            "file": "文件",
            "source": "数据来源",
            "note": "备注",
        },
    )

st.page_link("views/indicators.py", label="返回指标监测", icon=":material/table_chart:")
