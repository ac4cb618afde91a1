"""数据填报: a department downloads its template, uploads the filled file, checks it and submits it for review."""

from __future__ import annotations

import hashlib

import streamlit as st

from monitoring import actions, intake
from monitoring.permissions import Action, PermissionDenied, departments_for, local_user
from monitoring.store import StoreError
from monitoring.templates import template_frame, template_xlsx
from views import state
from views.state import plain

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

user = state.require(Action.SUBMIT)
catalogue = state.catalogue()

st.title("数据填报")
st.caption("各报送单位在这里下载本单位的填报模板，上传填好的文件。系统逐行校验，通过后提交给县妇儿工委办公室审核，批准后数据生效。")
data = state.dataset()  # a damaged store stops the page with state's message
live = intake.live_rows(data)

years = intake.plan_years(catalogue)
if st.session_state.get("submit_year") not in years:
    st.session_state["submit_year"] = intake.default_year(catalogue, data.years())
c1, c2, c3 = st.columns([2, 1, 2])
units = departments_for(user, [d.name for d in catalogue.departments])  # a department user: only the units it is bound to
department = c1.selectbox("报送单位", units, index=0 if len(units) == 1 and not user.local else None, placeholder="请选择本单位",
                          key="submit_department")
year = c2.selectbox("报送年份", years, key="submit_year", format_func=lambda y: f"{y}年")
if user.local:
    person = c3.text_input("提交人姓名", key="submit_user", placeholder="提交前必须填写", max_chars=40)
else:  # logged in: the submitter is the account, not a name typed on the form
    person = c3.text_input("提交人", value=user.name, key="submit_user_login", disabled=True, help="以登录账号提交，记入审计日志")

# ---------------------------------------------------------------- step 1: the template

st.subheader("第一步：下载本单位的填报模板")
if department is None:
    st.info("请先在上方选择本单位，即可下载本单位的填报模板。")
else:
    frame = template_frame(catalogue, department, year, intake.previous_values(live, year))
    if frame.empty and catalogue.reports_everything(department):
        st.info(f"{department}可以报送全部指标，没有专门的模板。请使用各责任单位的模板，或按下方“填报格式要点”自备表格。")
    elif frame.empty:
        st.info(f"目标库中没有由{department}负责报送的指标，无需填报。如有疑问请联系县妇儿工委办公室。")
    else:
        st.markdown(
            f"模板列出了{department}负责的 **{len(frame)} 行**指标（{year}年）。请在“数据”工作表中逐行填写 **数值**"
            "（比率指标最好填 **分子、分母**，数值留空由系统计算）；没有数据的行留空即可。灰色列仅供参考，不要删除。"
        )
        st.download_button(
            f"下载 {department} {year}年填报模板（Excel）",
            template_xlsx(frame, department, year),
            file_name=f"{department}{year}年填报模板.xlsx",
            mime=XLSX_MIME,
            icon=":material/download:",
            key="submit_template",
        )
        with st.expander(f"查看模板中的 {len(frame)} 行"):
            st.dataframe(frame[["指标编号", "指标名称", "单位", "目标", "上年数值", "地区", "性别"]], hide_index=True)


@st.dialog("填报格式要点", width="large")
def show_format_guide() -> None:
    st.markdown(intake.format_guide())


g1, g2, _ = st.columns([2, 3, 2])
if g1.button("查看填报格式要点", icon=":material/menu_book:", key="submit_guide", help="单位口径（%、‰、1/10万）、未报送的写法、分子分母的填法"):
    show_format_guide()
g2.page_link("views/methodology.py", label="指标评估的方法和口径，见“方法说明”页面", icon=":material/help:")

# ---------------------------------------------------------------- step 2: upload and check

st.subheader("第二步：上传填好的文件")
upload = st.file_uploader("选择文件（Excel 工作簿 .xlsx，或 CSV、文本文件）", type=["xlsx", "csv", "txt", "xls"], key="submit_upload")
if upload is None:
    st.caption("上传后系统立即逐行校验，此时文件还不会保存；核对无误并点击“提交”后才交给办公室。")
else:
    try:
        actions.check_upload_size(upload.size)
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    content = upload.getvalue()
    report = intake.check_file(content, upload.name, catalogue, department)
    if not report.ok:
        st.error(f"校验未通过：{plain(upload.name)} 有 {len(report.errors)} 处错误，整个文件不会导入。请按下表逐条修改后重新上传。")
        st.table(intake.problems_frame(report.errors), hide_index=True, height="content" if len(report.errors) <= 30 else 800)
    else:
        table = intake.preview(report, catalogue, live)
        counts = intake.change_counts(table)
        st.success(f"校验通过：{plain(upload.name)} 有 {len(table)} 行数据可以导入（新增 {counts['新增']} 行，更新 {counts['更新']} 行，不变 {counts['不变']} 行）。")
        counties = intake.county_summary(report, catalogue)
        if counties:
            st.info(counties, icon=":material/location_on:")
        if department is None:
            st.warning("尚未选择报送单位：以上按目标库校验；选择单位后还会检查这些指标是否属于本单位的报送范围。")
        others = intake.other_years(report, year)
        if others:
            st.info(f"文件中含有 {'、'.join(f'{y}年' for y in others)} 的数据（所选报送年份为 {year}年）。如是更正往年数据可以提交，否则请核对“年份”列。")
    if report.notices:
        with st.expander(f"提示（{len(report.notices)} 条，不影响导入）", expanded=report.ok):
            st.table(intake.problems_frame(report.notices, code=False), hide_index=True)

    if report.ok:
        st.subheader("第三步：核对并提交")
        st.caption("“现值”是平台当前生效的数值；“变化”是提交并经批准后的变化。")
        st.table(table, hide_index=True, height="content" if len(table) <= 30 else 800)

        fingerprint = (hashlib.sha256(content).hexdigest(), department)
        done = st.session_state.get("submit_done")
        if done and done["key"] == fingerprint:
            st.success(f"该文件已提交，提交编号 **{done['id']}**，待办公室审核。如需更正，请修改文件后重新上传。")
        else:
            missing = intake.submit_missing(department, person)
            clicked = st.button("提交给县妇儿工委办公室", type="primary", key="submit_button", disabled=bool(missing), icon=":material/send:")
            if missing:
                st.caption(missing)
            if clicked and not missing:
                try:
                    actor = local_user(person) if user.local else user
                    entry, _ = actions.submit(actor, content, upload.name, department, catalogue)
                except PermissionDenied as exc:
                    st.error(f"提交未成功：{exc}")
                except StoreError as exc:
                    st.error(f"提交未成功：{exc}")
                except OSError as exc:
                    st.error(f"提交未成功：无法写入数据文件夹（{exc.strerror or type(exc).__name__}）。文件没有保存，请稍后重试或联系技术人员。")
                else:
                    if entry["status"] == "rejected":
                        st.error(f"提交未通过校验（提交编号 {entry['id']}）：{plain(entry['reason'])}")
                    else:
                        st.session_state["submit_done"] = {"key": fingerprint, "id": entry["id"]}
                        st.success(f"已提交，提交编号 **{entry['id']}**（{entry['rows']} 行），待办公室审核。原文件已原样保存，审核结果见下方“本单位的提交记录”。")

# ---------------------------------------------------------------- the department's submissions

st.subheader("本单位的提交记录")
if department is None:
    st.caption("选择本单位后，这里列出本单位最近的提交和办公室的审核结果。")
else:
    try:
        history = intake.submissions_table(actions.submissions(user, department), department)
    except (StoreError, PermissionDenied) as exc:
        st.error(str(exc))
    else:
        if history.empty:
            st.caption(f"{department}还没有通过平台提交过文件。")
        else:
            st.dataframe(history, hide_index=True, column_config={"说明": st.column_config.TextColumn(width="large")})
