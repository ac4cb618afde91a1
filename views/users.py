"""用户管理 (admin): add users, change their role or units, reset passwords, unlock, remove.

Everything goes through monitoring.actions (which checks the admin right and
records each change); passwords are typed into password fields, cleared with
the form, and never shown or recorded.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from monitoring import actions, users
from monitoring.permissions import Action, PermissionDenied
from monitoring.store import StoreError
from monitoring.users import ROLE_LABELS, Role
from views import state

MESSAGE = "users_message"

admin = state.require(Action.MANAGE_USERS)
catalogue = state.catalogue()
units = [d.name for d in catalogue.departments]
roles = [str(r) for r in Role]

st.title("用户管理")
path = users.users_path()
if users.login_enabled(path):
    st.caption(f"用户文件：{path}。密码只保存 bcrypt 散列；连续输错 5 次密码锁定 15 分钟。每项修改都记入审计日志。")
else:
    st.warning(f"当前为本机模式（用户文件 {path} 不存在）。在这里添加第一个用户后，平台立即启用登录，本页面也要登录后才能打开："
               "请先添加一个管理员（admin）账号并记住密码。")

message = st.session_state.pop(MESSAGE, None)
if message:
    kind, text = message
    (st.success if kind == "ok" else st.error)(text)

try:
    accounts = actions.list_users(admin)
except (users.UsersError, PermissionDenied) as exc:
    st.error(str(exc))
    st.stop()

root = state.store().root
rows = []
for account in accounts:
    failures, locked = users.lock_status(account["name"], root)
    rows.append({"用户名": account["name"], "角色": account["role_label"], "单位": "、".join(account["departments"]),
                 "创建时间": account["created"][:16].replace("T", " "), "修改时间": account["changed"][:16].replace("T", " "),
                 "登录状态": f"锁定中（约 {int(locked // 60) + 1} 分钟后解除）" if locked else (f"已失败 {failures} 次" if failures else "正常")})
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True)
else:
    st.info("还没有用户。")
names = [a["name"] for a in accounts]


def _done(text: str) -> None:
    st.session_state[MESSAGE] = ("ok", text)
    st.rerun()


def _failed(exc: Exception) -> None:
    st.session_state[MESSAGE] = ("error", f"未成功：{exc}")
    st.rerun()


def _role_label(role: str) -> str:
    return f"{ROLE_LABELS[role]}（{role}）"


add, edit, password, other = st.tabs(["添加用户", "修改角色或单位", "重设密码", "解锁或删除"])

def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def _clear(*keys: str) -> None:
    for key in keys:
        st.session_state[key] = ""


def _new_password(key: str) -> str | None:
    """The password typed twice in fields `key` and `key`2, read once and cleared before anything can draw them;
    None (and the message said) when the two differ."""
    first, second = st.session_state.get(key, ""), st.session_state.get(key + "2", "")
    _clear(key, key + "2")
    if first != second:
        _say("error", "未成功：两次输入的密码不一致。")
        return None
    return first


def _add() -> None:
    """Form callback."""
    get = st.session_state.get
    first = _new_password("users_add_password")
    if first is None:
        return
    role = get("users_add_role")
    try:
        account = actions.add_user(admin, get("users_add_name", ""), role, get("users_add_units", []) if role == Role.DEPARTMENT else [], first)
    except (users.UsersError, PermissionDenied, StoreError) as exc:
        _say("error", f"未成功：{exc}")
        return
    _clear("users_add_name")
    st.session_state["users_add_units"] = []
    _say("ok", f"已添加用户 {account['name']}（{account['role_label']}）。")


def _password() -> None:
    """Form callback."""
    first = _new_password("users_password_new")
    if first is None:
        return
    try:
        account = actions.set_password(admin, st.session_state.get("users_password_name", ""), first)
    except (users.UsersError, PermissionDenied, StoreError) as exc:
        _say("error", f"未成功：{exc}")
        return
    _say("ok", f"已重设 {account['name']} 的密码并解除锁定。请当面或电话告知本人，不要用微信、邮件发送密码。")


with add, st.form("users_add"):
    c1, c2 = st.columns(2)
    c1.text_input("用户名", max_chars=32, key="users_add_name", help="1—32 个汉字、字母或数字，如 卫体局-张三")
    c2.selectbox("角色", roles, format_func=_role_label, index=roles.index(Role.DEPARTMENT), key="users_add_role")
    st.multiselect("所属单位（仅报送单位用户）", units, key="users_add_units", placeholder="选择单位，可多选")
    p1, p2 = st.columns(2)
    p1.text_input("密码", type="password", max_chars=72, key="users_add_password", help=f"至少 {users.MIN_PASSWORD} 个字符")
    p2.text_input("再输入一次", type="password", max_chars=72, key="users_add_password2")
    st.form_submit_button("添加用户", type="primary", key="users_add_submit", on_click=_add)

with edit:
    if not names:
        st.caption("还没有用户。")
    else:
        who = st.selectbox("用户", names, key="users_edit_name")
        current = next(a for a in accounts if a["name"] == who)
        with st.form("users_edit"):
            role = st.selectbox("新的角色", roles, format_func=_role_label, index=roles.index(current["role"]), key=f"users_edit_role_{who}")
            bound = st.multiselect("所属单位（仅报送单位用户）", units, default=[u for u in current["departments"] if u in units],
                                   key=f"users_edit_units_{who}", help="报送单位用户须至少选一个单位", placeholder="选择单位，可多选")
            if st.form_submit_button("保存修改", key="users_edit_submit"):
                try:
                    account = actions.edit_user(admin, who, role, bound if role == Role.DEPARTMENT else [])
                except (users.UsersError, PermissionDenied, StoreError) as exc:
                    _failed(exc)
                else:
                    units_text = f"，单位：{'、'.join(account['departments'])}" if account["departments"] else ""
                    _done(f"已修改 {account['name']}：{account['role_label']}{units_text}。该用户需重新登录。")

with password:
    if not names:
        st.caption("还没有用户。")
    else:
        with st.form("users_password"):
            st.selectbox("用户", names, key="users_password_name")
            p1, p2 = st.columns(2)
            p1.text_input("新密码", type="password", max_chars=72, key="users_password_new")
            p2.text_input("再输入一次", type="password", max_chars=72, key="users_password_new2")
            st.form_submit_button("重设密码", key="users_password_submit", on_click=_password)

with other:
    if not names:
        st.caption("还没有用户。")
    else:
        who = st.selectbox("用户", names, key="users_other_name")
        c1, c2, _ = st.columns([1, 1, 3])
        if c1.button("解除锁定", key="users_unlock", icon=":material/lock_open:"):
            try:
                cleared = actions.unlock_user(admin, who)
            except (PermissionDenied, StoreError) as exc:
                _failed(exc)
            else:
                _done(f"已解除 {who} 的锁定。" if cleared else f"{who} 没有被锁定。")
        confirm = st.checkbox(f"确认删除用户 {who}（其报送、审核记录和审计日志保留）", key="users_remove_confirm")
        if c2.button("删除用户", key="users_remove", disabled=not confirm, icon=":material/person_remove:"):
            try:
                account = actions.remove_user(admin, who)
            except (users.UsersError, PermissionDenied, StoreError) as exc:
                _failed(exc)
            else:
                _done(f"已删除用户 {account['name']}。")
