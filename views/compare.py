"""区县对比: one target in every county of the data set, and every county's overall picture, for the chosen year.

Listed in the navigation only when the data set holds several counties (a city
office's data, or a county office's data with its neighbours'); every county is
measured against the same targets with the same rules (`monitoring.comparison`).
"""

from __future__ import annotations

import streamlit as st

from monitoring.charts import county_display, county_figure, status_options
from monitoring.exports import excel_bytes
from monitoring.summaries import attainment_help, comparison_sheets, most_compared, plan_short, ranking_rule, status_badge
from views import state
from views.widgets import XLSX_MIME, follow_address, write_address

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
ALL_PLANS = "全部规划"

catalogue = state.catalogue()
data = state.dataset()

st.title("区县对比")
home = catalogue.regions.home_county
st.caption("数据中的各区县按" + (f"{catalogue.regions.label(home)}规划的" if home else "") +
           "同一套目标、同一评估规则比较：某项指标各区县的数值、排名和状态，以及各区县的总体达标情况。")
state.data_banner(data)

if not data.several_counties:
    shown = f"（当前只有{catalogue.regions.label(data.counties()[0])}的数据）" if data.counties() else ""
    st.info(f"区县对比需要多个区县的监测数据{shown}。数据中需含“区县”列（区县代码或名称），"
            "各区县的数据一同报送或放入数据文件夹后，本页即列出各区县的比较，见《监测数据填报格式说明》。",
            icon=":material/info:")
    st.stop()

c1, c2, c3 = st.columns([1, 1, 3])
with c1:
    year = state.year_choice(data)
plans = {ALL_PLANS: None} | {plan_short(catalogue, key): key for key in catalogue.plans}
plan = plans[c2.selectbox("规划", list(plans), key="compare_plan")]
comparison = state.comparison(year, plan)
cities = comparison.cities()
if len(cities) > 1:  # a province's counties: compare all of them, or one city's
    scopes = {None: f"全部（{len(comparison.counties)}个区县）"} | {
        code: f"{catalogue.regions.get(code).full_name if code and catalogue.regions.get(code) else '未列明所属市'}（{len(counties)}个区县）"  # type: ignore[union-attr]
        for code, counties in cities.items() if code is not None}
    within = st.selectbox("范围", list(scopes), format_func=scopes.__getitem__, key="compare_within",
                          help="各区县所属的市来自 targets/regions.yaml。")
    if within is not None:
        comparison = state.comparison(year, plan, within)
with_city = comparison.several_cities
overview = comparison.indicator_overview()
ids = list(overview["编号"])
follow_address("id", "compare_id", ids, most_compared(overview))  # deep link: /compare?id=W1-01a

target_id = c3.selectbox(
    "指标", ids, key="compare_id", on_change=write_address("id", "compare_id"),
    format_func=lambda i: f"{i} {catalogue.get(i).name}",  # type: ignore[union-attr]
)
indicator = comparison.indicator(target_id, with_city=with_city)
target = indicator.target

st.subheader(f"{target.id} {target.name}（{comparison.year}年）")
st.caption(f"{plan_short(catalogue, target.plan)} ｜ {target.domain} ｜ 目标：{target.target_label()}（{target.target_year}年） ｜ "
           f"牵头单位：{target.department.lead} ｜ 排名：{ranking_rule(target)}，按各区县截至{comparison.year}年的最新值；无数据的区县列在最后。")

total = len(indicator.table)
for column, status in zip(st.columns(len(indicator.statuses)), indicator.statuses, strict=True):
    with column.container(border=True):
        st.metric(status_badge(status, final=indicator.final), f"{indicator.counts[status]} 个",
                  help=f"{indicator.status_label(status)}的区县数（共 {total} 个区县）")
status_labels, status_colours = status_options(indicator.final)

left, right = st.columns([1, 1])
with left:
    highlight = catalogue.regions.label(home) if home else None
    st.plotly_chart(county_figure(indicator, title="", highlight=highlight), config=CHART_CONFIG, theme=None, key="compare_chart")
with right:
    # 区县代码 is in the download; 目标 only where it differs between counties (set from each one's baseline).
    shared_target = indicator.table["目标"].nunique() <= 1
    st.dataframe(
        county_display(indicator.table),
        hide_index=True,
        key="compare_table",
        height="content",
        column_order=["排名", "区县", *(["所属市"] if with_city else []), "数值", "数据年份", *([] if shared_target else ["目标"]), "状态", "预警"],
        column_config={
            "排名": st.column_config.TextColumn(width=48),
            "区县": st.column_config.TextColumn(width=72),
            "数据年份": st.column_config.TextColumn("年份", width=56, help="该区县截至评估年份的最新数据所属年份"),
            "状态": st.column_config.MultiselectColumn("终期结论" if indicator.final else "状态", options=status_labels,
                                                      color=status_colours, width=112),
            "预警": st.column_config.TextColumn(width="large"),
        },
    )

st.markdown("**预警区县**")
if indicator.warnings.empty:
    st.success(f"{comparison.year}年各区县本指标均没有预警。")
else:
    warned = indicator.warnings["区县"].nunique()
    st.caption(f"{warned} 个区县有预警，共 {len(indicator.warnings)} 条，最需关注的在前。")
    st.dataframe(indicator.warnings, hide_index=True, height="content" if len(indicator.warnings) <= 12 else 460,
                 column_config={"区县": st.column_config.TextColumn(width=80), "预警": st.column_config.TextColumn(width=120),
                                "说明": st.column_config.TextColumn(width="large")})

st.subheader(f"各区县总体情况（{comparison.year}年" + ("" if plan is None else f"，{plan_short(catalogue, plan)}") + "）")
shared = "；规划间共用的统计指标只计一次" if comparison.shared else ""
st.caption(f"达标率 = {attainment_help(comparison.final)}；排名按达标率，相同的并列{shared}。")
st.dataframe(
    county_display(comparison.county_table(with_city=with_city)),
    hide_index=True,
    height="content",
    column_config={
        "排名": st.column_config.TextColumn(width=48),
        "区县代码": st.column_config.TextColumn("代码"),
        "达标率": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1, width=130),
    },
)
st.markdown("**有预警的区县**")
warned_counties = comparison.warning_counties(with_city=with_city)
if warned_counties.empty:
    st.success("各区县都没有预警。")
else:
    st.caption("每个区县有预警的指标数，以及各类预警的条数。")
    st.dataframe(warned_counties, hide_index=True, height="content",
                 column_config={"区县": st.column_config.TextColumn(width=80), "区县代码": st.column_config.TextColumn("代码", width=80),
                                "有预警的指标": st.column_config.NumberColumn(width=100), "预警": st.column_config.TextColumn(width="large")})

with st.expander(f"各指标的区县分布（{len(overview)} 项指标）"):
    st.dataframe(overview, hide_index=True, height=520,
                 column_config={"指标": st.column_config.TextColumn(width="medium"), "有预警的区县": st.column_config.TextColumn(width="large")})

st.download_button(
    "下载区县对比表（Excel）",
    # Built when clicked, not on every run of the page (a province's workbook takes a while).
    lambda: excel_bytes(comparison_sheets(comparison, indicator), widths={"说明": 70, "预警": 50, "有预警的区县": 60}, wrap=["说明"]),
    file_name=f"{comparison.year}年区县对比（{target.id}）.xlsx",
    mime=XLSX_MIME,
    icon=":material/download:",
    key="compare_download",
)
