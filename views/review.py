"""审核: the office reviews each pending submission — its rows against the current values — and approves or rejects it."""

from __future__ import annotations

import streamlit as st

from monitoring import actions, intake
from monitoring.exports import excel_bytes
from monitoring.permissions import Action, PermissionDenied
from monitoring.store import StoreError, SubmissionStatus
from views import state
from views.state import plain

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGE = "review_message"

user = state.require(Action.APPROVE)
catalogue = state.catalogue()

st.title("审核")
st.caption("各单位通过“数据填报”提交的数据在这里逐份审核：核对每一行与平台现值的变化，批准后成为正式数据；"
           "驳回须写明原因，报送单位在“数据填报”页面的提交记录中可以看到。每次批准、驳回都记入审计日志。")

message = st.session_state.pop(MESSAGE, None)
if message:
    kind, text = message
    (st.success if kind == "ok" else st.error)(text)

data = state.dataset()
live = intake.live_rows(data)
try:
    items = actions.review_queue(user, catalogue, live)
except (StoreError, PermissionDenied) as exc:
    st.error(f"待审核的提交暂不能显示：{exc}")
    st.stop()


def _decide(submission_id: str, approve: bool) -> None:
    """Button callback: approve or reject through the engine, then show the outcome at the top of the page."""
    try:
        if approve:
            entry = actions.approve(user, submission_id)
            st.session_state[MESSAGE] = ("ok", f"已批准 {entry['id']}（{entry['department']}，{entry['rows']} 行），数据已生效。")
        else:
            reason = st.session_state.get(f"review_reason_{submission_id}", "")
            entry = actions.reject(user, submission_id, reason)
            st.session_state[MESSAGE] = ("ok", f"已驳回 {entry['id']}（{entry['department']}）。报送单位将看到驳回原因。")
    except (StoreError, PermissionDenied) as exc:
        st.session_state[MESSAGE] = ("error", f"{'批准' if approve else '驳回'}未成功：{exc}")


st.subheader(f"待审核（{len(items)} 份）")
if not items:
    st.success("没有待审核的提交。")
for item in items:
    entry = item.entry
    sid = entry["id"]
    with st.container(border=True):
        st.markdown(f"#### {entry['department']} · {sid}")
        when = intake.submission_time(entry["time"])
        notices = entry.get("validation", {}).get("notices", 0)
        st.caption(f"提交人：{plain(entry['user'])}　提交时间：{when}　文件：{plain(entry['filename'])}　"
                   f"{entry['rows']} 行" + (f"　校验提示 {notices} 条" if notices else ""))
        if item.problem:
            st.error(item.problem)
        else:
            counts = item.counts
            st.markdown(f"与平台现值相比：新增 **{counts['新增']}** 行，更新 **{counts['更新']}** 行，不变 **{counts['不变']}** 行。")
            st.dataframe(item.table, hide_index=True, height="auto" if len(item.table) <= 12 else 420,
                         column_config={"指标名称": st.column_config.TextColumn(width="medium"), "备注": st.column_config.TextColumn(width="medium")})
            st.download_button("下载本份数据（Excel）", excel_bytes({"待审核数据": item.table}), file_name=f"{sid}.xlsx", mime=XLSX_MIME,
                               key=f"review_download_{sid}", icon=":material/download:")
        st.text_input("驳回原因（驳回时必填，报送单位可以看到）", key=f"review_reason_{sid}", max_chars=300,
                      placeholder="如：第3行分母与卫健年报不一致，请核实后重新提交")
        b1, b2, _ = st.columns([1, 1, 8])
        b1.button("批准", type="primary", key=f"review_approve_{sid}", on_click=_decide, args=(sid, True),
                  disabled=item.problem is not None, icon=":material/check:")
        b2.button("驳回", key=f"review_reject_{sid}", on_click=_decide, args=(sid, False), icon=":material/close:")

st.subheader("最近审核过的提交")
try:
    reviewed = [e for e in actions.submissions(user) if e["status"] != SubmissionStatus.PENDING]
except (StoreError, PermissionDenied) as exc:
    st.error(str(exc))
else:
    if not reviewed:
        st.caption("还没有审核过的提交。")
    else:
        table = intake.submissions_table(reviewed, limit=30, with_department=True)
        st.dataframe(table, hide_index=True, column_config={"说明": st.column_config.TextColumn(width="large")})
