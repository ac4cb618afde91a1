"""Login, logout and who is at the screen: the gate dashboard.py runs before any page.

With a users file, nothing but the login form is drawn until a login
succeeds; the check itself (password, lockout, audit) is the engine's
(`monitoring.actions.login`). The session keeps only the login name and the
account's stamp, and every page run re-reads the account, so a removed user,
a changed role or a reset password ends open sessions at their next click.
"""

from __future__ import annotations

import time

import streamlit as st

from monitoring import actions, users
from monitoring.permissions import local_user
from monitoring.users import User
from views.state import plain

SESSION = "auth"
NOTICE = "auth_notice"
CURRENT = "_auth_user"
IDLE_SECONDS = 4 * 3600  # a session left open on a shared office PC ends after four idle hours


def _end_session(notice: str | None = None) -> None:
    st.session_state.pop(SESSION, None)
    st.session_state.pop(CURRENT, None)
    if notice:
        st.session_state[NOTICE] = notice


def gate() -> User | None:
    """The user at the screen: the local user without a users file, the logged-in user, or None (show the login form).

    A users file that cannot be read stops everything with the reason: the
    platform never falls back to local mode because of a damaged file.
    """
    path = users.users_path()
    if not users.login_enabled(path):
        user = local_user()
        st.session_state[CURRENT] = user
        return user
    try:
        accounts = users.load(path)
    except users.UsersError as exc:
        message = f"无法读取用户文件，平台暂停使用：{exc}"

        def closed() -> None:
            st.error(message)

        # The only page there is: no other page is registered, so no address opens anything.
        st.navigation([st.Page(closed, title="暂停使用", url_path="closed", default=True)], position="hidden").run()
        st.stop()
    info = st.session_state.get(SESSION)
    if not info:
        st.session_state.pop(CURRENT, None)
        return None
    account = accounts.get(info["name"])
    user = account.user() if account else None
    if user is None or user.stamp != info["stamp"]:
        _end_session("您的账号已被管理员修改或删除，请重新登录。")
        return None
    now = time.time()
    if now - info.get("seen", now) > IDLE_SECONDS:
        actions.logout(user, detail="长时间未操作，自动退出")
        _end_session("长时间未操作，已自动退出登录，请重新登录。")
        return None
    info["seen"] = now
    st.session_state[CURRENT] = user
    return user


def _attempt() -> None:
    """The login button's callback: check, record, and clear the password from the session whatever the outcome."""
    name = st.session_state.get("login_name", "")
    password = st.session_state.get("login_password", "")
    st.session_state["login_password"] = ""
    st.session_state.pop(NOTICE, None)
    if not name.strip() or not password:
        st.session_state["login_error"] = "请输入用户名和密码。"
        return
    try:
        user = actions.login(name, password)
    except users.LoginError as exc:
        st.session_state["login_error"] = str(exc)
        return
    except users.UsersError as exc:
        st.session_state["login_error"] = str(exc)
        return
    st.session_state.pop("login_error", None)
    st.session_state[SESSION] = {"name": user.name, "stamp": user.stamp, "seen": time.time()}


def login_page() -> None:
    """The only thing shown before login: the platform's name and the form."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("绛县妇儿规划监测平台")
        st.caption("绛县妇女儿童工作委员会办公室 · 请使用管理员分配的账号登录")
        notice = st.session_state.get(NOTICE)
        if notice:
            st.info(notice)
        with st.form("login", border=True):
            st.text_input("用户名", key="login_name", max_chars=32, autocomplete="username")
            st.text_input("密码", key="login_password", type="password", max_chars=72, autocomplete="current-password")
            st.form_submit_button("登录", type="primary", on_click=_attempt, key="login_submit", icon=":material/login:")
        error = st.session_state.get("login_error")
        if error:
            st.error(error)
        st.caption("连续输错 5 次密码，账号将锁定 15 分钟。忘记密码请联系系统管理员重设。")


def denied_page() -> None:
    """What an address of a page the role does not have shows (a bookmark from another account, a guessed URL)."""
    st.title("没有权限")
    st.error("您的账号没有打开此页面的权限。如需要，请联系系统管理员调整角色。")
    st.page_link("views/overview.py", label="返回总览", icon=":material/dashboard:")


def sidebar(user: User) -> None:
    """Who is logged in and the logout button (or the local-mode note)."""
    with st.sidebar:
        if user.local:
            st.caption("本机模式：未启用登录，使用者拥有办公室和管理员的全部权限。")
            return
        st.markdown(f"**{plain(user.name)}**")
        st.caption(user.role_label + (f" · {'、'.join(user.departments)}" if user.departments else ""))
        if st.button("退出登录", key="auth_logout", icon=":material/logout:"):
            actions.logout(user)
            _end_session("已退出登录。")
            st.rerun()


def local_banner() -> None:
    st.warning("**本机模式，未启用登录**：打开本页面的任何人都拥有办公室和管理员的全部权限。"
               "在县内网上多人使用前，请按 README“登录与权限”一节添加用户（python -m monitoring users add）。",
               icon=":material/lock_open:")
