"""报送情况: which department has reported which indicator for a year, what awaits review, and who to chase."""

from __future__ import annotations

import streamlit as st

from monitoring import intake
from monitoring.exports import excel_bytes
from monitoring.store import StoreError
from views import state
from views.widgets import XLSX_MIME

catalogue = state.catalogue()

data = state.county_page("报送情况", "各单位负责的指标当年是否已报送：有全县数值的为“已报送”，已提交但办公室尚未审核的为“待审核”，其余为“未报送”。")

years = intake.plan_years(catalogue)
if st.session_state.get("rep_year") not in years:
    st.session_state["rep_year"] = intake.default_year(catalogue, data.years())
year = st.columns([1, 4])[0].selectbox("报送年份", years, key="rep_year", format_func=lambda y: f"{y}年")

try:
    pending = intake.pending_keys(state.store(), catalogue)
except StoreError as exc:
    st.error(f"读取待审核的提交时出错，待审核情况暂不显示：{exc}")
    pending = set()

table = intake.reporting_table(catalogue, data.rows, year, pending)
summary = intake.department_summary(table)
totals = intake.reporting_totals(table)

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("应报指标", f"{totals['应报']} 项")
m2.metric("已报送", f"{totals['已报送']} 项")
m3.metric("待审核", f"{totals['待审核']} 项")
m4.metric("未报送", f"{totals['未报送']} 项")
m5.metric("报送率", "—" if totals["报送率"] is None else f"{totals['报送率']:.1f}%")

st.subheader(f"{year}年各单位报送情况")
st.dataframe(
    summary,
    hide_index=True,
    height="content",
    column_config={"报送率": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%")},
)

st.subheader("逐项报送情况")
f1, f2, _ = st.columns([2, 2, 3])
department = f1.selectbox("单位", ["全部", *intake.reporting_departments(catalogue, table)], key="rep_department")
status = f2.selectbox("报送情况", ["全部", *intake.STATE_MARKERS], key="rep_state")
shown = intake.filter_reporting(table, None if department == "全部" else department, None if status == "全部" else status)
if shown.empty:
    st.info("没有符合条件的指标。请调整筛选条件。")
else:
    st.dataframe(
        shown.style.map(intake.state_style, subset=["报送情况"]),
        hide_index=True,
        height="content" if len(shown) <= 15 else 560,
        column_order=["单位", "编号", "指标", "报送情况"],
        column_config={"指标": st.column_config.TextColumn(width="large")},
    )

chase = intake.chase_list(intake.filter_reporting(table, None if department == "全部" else department))
label = "" if department == "全部" else department
if chase.empty:
    st.success(f"{label}{year}年应报指标已全部报送或已提交待审核，无需催报。")
else:
    st.download_button(
        f"下载{label}{year}年催报清单（Excel，{len(chase)} 项未报送）",
        excel_bytes({"催报清单": chase, "各单位报送情况": summary}, widths={"指标": 50}),
        file_name=f"{year}年{label}催报清单.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="rep_download",
    )

st.subheader(f"历年报送率（{years[0]}—{years[-1]}年）" if years else "历年报送率")
st.caption("各单位负责的指标中，当年已有全县合计数值的比例。")
overview = intake.rate_overview(catalogue, data.rows, years, pending)
st.dataframe(
    overview,
    hide_index=True,
    height="content",
    column_config={column: st.column_config.NumberColumn(format="%.0f%%") for column in overview.columns if column != "单位"},
)
