"""Login and roles through AppTest: the login form alone before login, lockout, each role's pages, review, logout."""

from __future__ import annotations

import pytest

from monitoring import audit, users
from monitoring.permissions import PAGES, pages_for
from tests.conftest import PASSWORDS

ALL_PAGES = [p.path for p in PAGES]


def login(at, name: str, password: str | None = None):
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORDS[name] if password is None else password)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def registered(at) -> set[str]:
    """The pages the navigation offers this session (a page not offered cannot be switched to, nor opened by URL)."""
    offered = set()
    for path in ALL_PAGES:
        try:
            at.switch_page(path)
        except ValueError:
            continue
        offered.add(path)
    return offered


def test_with_a_users_file_only_the_login_form_shows(users_file, app_on):
    at = app_on()
    assert not at.exception
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]
    assert [b.key for b in at.button] == ["login_submit"]
    assert not at.dataframe and not at.metric and not at.warning and not at.selectbox and not at.get("plotly_chart")
    assert len(at.sidebar) == 0
    assert registered(at) == set()
    with pytest.raises(ValueError):
        at.switch_page("views/overview.py")


def test_a_wrong_password_is_refused_in_chinese_and_cleared(users_file, app_on, data_root):
    at = login(app_on(), "张三", "not-the-password")
    assert "用户名或密码不正确" in texts(at.error)
    assert at.text_input(key="login_password").value == ""
    assert at.text_input(key="login_name").value == "张三"
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]


def test_lockout_after_repeated_failures(users_file, app_on):
    at = app_on()
    for _ in range(users.MAX_FAILURES):
        login(at, "张三", "not-the-password")
    assert "已暂时锁定，请 15 分钟后再试" in texts(at.error)
    login(at, "张三")  # the right password, too late
    assert "已暂时锁定" in texts(at.error)
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]
    from monitoring.datasets import data_root

    events = [e["event"] for e in audit.read(data_root()).events]
    assert events == ["login_failed"] * (users.MAX_FAILURES - 1) + ["login_locked", "login_locked"]


@pytest.mark.parametrize("name", ["访客", "张三", "王五", "管理员"])
def test_each_role_sees_exactly_its_pages(users_file, app_on, name):
    at = login(app_on(), name)
    user = users.get(name)
    expected = {p.path for section in pages_for(user).values() for p in section}
    assert registered(at) == expected
    for path in sorted(expected):
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        assert not any("没有权限" in e.value for e in at.error), path
    assert name in texts(at.sidebar.markdown)
    assert any(b.key == "auth_logout" for b in at.sidebar.button)
    assert not any("本机模式" in w.value for w in at.warning)


def test_logout_returns_to_the_login_form(users_file, app_on):
    at = login(app_on(), "王五")
    assert [t.value for t in at.title] == ["总览"]
    at.sidebar.button(key="auth_logout").click().run()
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]
    assert "已退出登录" in texts(at.info)
    assert registered(at) == set()
    from monitoring.datasets import data_root

    assert [e["event"] for e in audit.read(data_root()).events] == ["login", "logout"]


def test_a_changed_account_ends_the_open_session(users_file, app_on):
    at = login(app_on(), "张三")
    users.set_password("张三", "Changed-pass-88", users_file)
    at.run()
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]
    assert "请重新登录" in texts(at.info)


def test_without_a_users_file_the_quick_start_works_with_a_banner(app_on):
    at = app_on()
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    assert any("本机模式，未启用登录" in w.value for w in at.warning)
    assert registered(at) == set(ALL_PAGES)


FILE = "指标编号,年份,数值,备注\nC1-03b,2023,3.1,按卫健年报\n".encode()


def test_department_submits_office_approves_department_sees_the_outcome(users_file, app_on):
    at = login(app_on(), "张三")
    at.switch_page("views/submit.py").run()
    department = at.selectbox(key="submit_department")
    assert department.options == ["县卫体局"] and department.value == "县卫体局"
    assert at.text_input(key="submit_user_login").value == "张三" and at.text_input(key="submit_user_login").disabled
    at.file_uploader(key="submit_upload").upload("卫体局.csv", FILE).run()
    at.button(key="submit_button").click().run()
    assert "待办公室审核" in texts(at.success)
    with pytest.raises(ValueError):
        at.switch_page("views/review.py")  # the department has no review page at all

    office = login(app_on(), "王五")
    office.switch_page("views/review.py").run()
    assert not office.exception
    assert "待审核（1 份）" in texts(office.subheader)
    table = office.dataframe[0].value
    assert list(table["指标编号"]) == ["C1-03b"] and list(table["变化"]) == ["新增"] and list(table["备注"]) == ["按卫健年报"]
    approve = next(b for b in office.button if b.key.startswith("review_approve_"))
    approve.click().run()
    assert "数据已生效" in texts(office.success)
    assert "没有待审核的提交" in texts(office.success)

    again = login(app_on(), "张三")
    again.switch_page("views/submit.py").run()
    history = again.dataframe[-1].value
    assert list(history["状态"]) == ["已批准"] and "王五" in history["说明"][0]


def test_office_rejects_with_a_reason_the_department_reads(users_file, app_on):
    at = login(app_on(), "张三")
    at.switch_page("views/submit.py").run()
    at.file_uploader(key="submit_upload").upload("卫体局.csv", FILE).run()
    at.button(key="submit_button").click().run()

    office = login(app_on(), "王五")
    office.switch_page("views/review.py").run()
    reject = next(b for b in office.button if b.key.startswith("review_reject_"))
    reject.click().run()
    assert "驳回须填写原因" in texts(office.error)
    reason = next(t for t in office.text_input if t.key.startswith("review_reason_"))
    reason.input("分母与年报不一致，请核实").run()
    next(b for b in office.button if b.key.startswith("review_reject_")).click().run()
    assert "已驳回" in texts(office.success)

    again = login(app_on(), "张三")
    again.switch_page("views/submit.py").run()
    history = again.dataframe[-1].value
    assert list(history["状态"]) == ["已驳回"] and history["说明"][0] == "分母与年报不一致，请核实"


def test_audit_page_filters_and_exports(users_file, app_on):
    at = login(app_on(), "王五")
    at.switch_page("views/audit.py").run()
    assert not at.exception
    assert "完整性检查通过" in texts(at.caption)
    table = at.dataframe[0].value
    assert list(table["操作"]) == ["登录"] and list(table["用户"]) == ["王五"]
    at.multiselect(key="audit_events").select("提交数据").run()
    assert "没有符合条件的记录" in texts(at.info)
    at.multiselect(key="audit_events").unselect("提交数据").select("登录").run()
    assert len(at.get("download_button")) == 1


def test_admin_adds_a_user_on_the_page_and_the_password_is_nowhere(users_file, app_on):
    at = login(app_on(), "管理员")
    at.switch_page("views/users.py").run()
    assert not at.exception
    secret = "Page-Secret-口令-31"
    at.text_input(key="users_add_name").input("新同事")
    at.selectbox(key="users_add_role").select("viewer")
    at.text_input(key="users_add_password").input(secret)
    at.text_input(key="users_add_password2").input(secret)
    at.button(key="users_add_submit").click().run()
    assert not at.exception, at.exception
    assert "已添加用户 新同事" in texts(at.success)
    assert users.get("新同事", users_file) is not None
    assert at.text_input(key="users_add_password").value == ""  # the form is cleared
    shown = "\n".join(str(e.value) for e in [*at.markdown, *at.success, *at.error, *at.caption, *at.info])
    shown += "".join(str(t.value) for t in at.dataframe)
    from monitoring.datasets import data_root

    assert secret not in shown
    assert secret not in users_file.read_text(encoding="utf-8")
    assert secret not in audit.audit_path(data_root()).read_text(encoding="utf-8")


@pytest.mark.parametrize(("form", "fields"), [
    ("add", {"users_add_name": "新同事", "users_add_password": "Page-Secret-口令-31", "users_add_password2": "Page-Secret-口令-32"}),
    ("password", {"users_password_new": "Page-Secret-口令-31", "users_password_new2": "Page-Secret-口令-32"}),
])
def test_two_different_passwords_are_refused_and_cleared(users_file, app_on, form, fields):
    at = login(app_on(), "管理员")
    at.switch_page("views/users.py").run()
    before = users_file.read_bytes()
    if form == "password":
        at.selectbox(key="users_password_name").select("张三")
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.button(key=f"users_{form}_submit").click().run()
    assert not at.exception, at.exception
    assert "两次输入的密码不一致" in texts(at.error)
    assert all(at.text_input(key=key).value == "" for key in fields if "password" in key)
    assert users_file.read_bytes() == before


def test_an_idle_session_ends(users_file, app_on):
    from views import auth

    at = login(app_on(), "张三")
    at.session_state[auth.SESSION] = {**at.session_state[auth.SESSION], "seen": 0.0}
    at.run()
    assert [t.value for t in at.title] == ["绛县妇儿规划监测平台"]
    assert "长时间未操作" in texts(at.info)
    from monitoring.datasets import data_root

    last = audit.read(data_root()).events[-1]
    assert (last["event"], last["user"]) == ("logout", "张三") and "自动退出" in last["detail"]


def test_a_damaged_users_file_closes_the_platform_instead_of_opening_it(no_users_file, app_on):
    no_users_file.write_text("users: [broken", encoding="utf-8")
    at = app_on()
    assert not at.exception
    assert "无法读取用户文件" in texts(at.error)
    assert not at.title and not at.text_input and registered(at) == set()
