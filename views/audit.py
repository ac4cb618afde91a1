"""审计日志: every login, submission, approval, rejection, report and user change — filtered, checked, exportable."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from monitoring import actions, audit
from monitoring.exports import excel_bytes
from monitoring.permissions import Action, PermissionDenied
from monitoring.store import StoreError, now
from views import state
from views.widgets import XLSX_MIME

user = state.require(Action.AUDIT)

st.title("审计日志")
st.caption("平台上的每一次登录（含失败）、提交、批准、驳回、报告生成、用户变更和备份恢复，谁、何时、做了什么、涉及哪个文件（SHA-256）。"
           "日志只追加、从不改写；每条记录都带上一条的校验值，任何删改都会在下面的完整性检查中显示出来。")

try:
    log = actions.audit_log(user)
except (StoreError, PermissionDenied, OSError) as exc:
    st.error(f"审计日志暂不能读取：{exc}")
    st.stop()

if log.problems:
    st.error(f"完整性检查发现 {len(log.problems)} 处问题，日志可能被人改动过，请联系系统管理员，并与备份中的日志核对：")
    st.dataframe(pd.DataFrame({"问题": log.problems}), hide_index=True)
elif log.events:
    st.caption(f"完整性检查通过：共 {len(log.events)} 条记录，逐条衔接，未发现删改。")

if not log.events:
    st.info("还没有任何记录。")
    st.stop()

first = audit.day_of(log.events[0].get("time")) or date.today()
today = now().date()
names = sorted({e.get("user") or "" for e in log.events} - {""})
labels = {audit.EVENT_LABELS[e]: str(e) for e in audit.Event}

f1, f2, f3, f4 = st.columns([2, 3, 3, 2])
who = f1.selectbox("用户", ["全部", *names], key="audit_user")
chosen = f2.multiselect("操作", list(labels), key="audit_events", placeholder="全部操作")
dates = f3.date_input("日期范围", value=(max(first, today - timedelta(days=90)), today), min_value=first, max_value=today, key="audit_dates")
submission = f4.text_input("报送编号", key="audit_submission", placeholder="如 S20250301T093005-1a2b3c").strip()

since, until = (dates[0], dates[-1]) if isinstance(dates, (tuple, list)) and dates else (None, None)
selected = audit.select(log.events, user=None if who == "全部" else who, events_of=[labels[c] for c in chosen] or None,
                        since=since, until=until, submission=submission or None)
rows = pd.DataFrame(audit.table_rows(selected), columns=audit.TABLE_COLUMNS)

st.markdown(f"显示 **{len(rows)}** 条 / 共 {len(log.events)} 条（最新的在前）")
if rows.empty:
    st.info("没有符合条件的记录。请调整筛选条件。")
else:
    st.dataframe(rows, hide_index=True, height=min(800, 38 + 35 * len(rows)),
                 column_config={"说明": st.column_config.TextColumn(width="large"), "SHA-256": st.column_config.TextColumn(width="small")})
    st.download_button(
        f"下载筛选结果（Excel，{len(rows)} 条）",
        excel_bytes({"审计日志": rows}, widths={"说明": 60, "SHA-256": 20}, wrap=["说明"]),
        file_name=f"审计日志-{today:%Y%m%d}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="audit_download",
    )
