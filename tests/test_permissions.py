"""Who may do what, at the engine: every role against every action, through the same service layer the CLI and pages call."""

from __future__ import annotations

import json

import pytest

from monitoring import actions, audit, users
from monitoring.permissions import PAGES, Action, PermissionDenied, authorize, can, departments_for, local_user, pages_for
from monitoring.store import Store
from monitoring.users import Role

OWN = "县卫体局"  # 张三's unit
OTHER = "县教育局"
FILES = {OWN: "指标编号,年份,数值\nC1-03b,2023,3.1\n".encode(), OTHER: "指标编号,年份,数值\nW2-04a,2023,99.6\n".encode()}

ROLES = ["viewer", "department", "office", "admin", "local"]
USER_OF = {"viewer": "访客", "department": "张三", "office": "王五", "admin": "管理员"}
ACTIONS = ["submit_own", "submit_other", "approve", "reject", "report", "manage_users"]
ALLOWED = {
    "viewer": set(),
    "department": {"submit_own"},
    "office": {"submit_own", "submit_other", "approve", "reject", "report"},
    "admin": {"manage_users"},
    "local": set(ACTIONS),
}


def acting(role: str):
    if role == "local":
        return local_user("本机的人")
    user = users.get(USER_OF[role])
    assert user is not None
    return user


@pytest.fixture
def world(users_file, tmp_path, catalogue, monkeypatch):
    """Login on, a data root holding one pending submission, and report building stubbed (the matrix is about permission)."""
    root = tmp_path / "data"
    monkeypatch.setenv("MONITORING_DATA", str(root))
    pending, _ = actions.submit(local_user("种子"), FILES[OWN], "种子.csv", OWN, catalogue, root=root)

    class Result:
        filename, title, year, docx, xlsx, xlsx_filename = "报告.docx", "终期评估报告", 2025, b"docx", b"xlsx", "汇总表.xlsx"
        county, counties = "140826", 1

    monkeypatch.setattr("monitoring.reports.build_report", lambda *a, **k: Result())
    return root, pending["id"]


def attempt(action: str, user, root, submission_id, catalogue):
    if action == "submit_own":
        return actions.submit(user, FILES[OWN], "本单位.csv", OWN, catalogue, root=root)
    if action == "submit_other":
        return actions.submit(user, FILES[OTHER], "别的单位.csv", OTHER, catalogue, root=root)
    if action == "approve":
        return actions.approve(user, submission_id, root=root)
    if action == "reject":
        return actions.reject(user, submission_id, "数据有误", root=root)
    if action == "report":
        from monitoring.datasets import Dataset

        return actions.report(user, catalogue, Dataset(None, "demo", root), "final", root=root)  # type: ignore[arg-type]
    if action == "manage_users":
        return actions.add_user(user, "新同事", "viewer", [], "New-colleague-1", root=root)
    raise AssertionError(action)


EXPECTED_EVENT = {"submit_own": "submit", "submit_other": "submit", "approve": "approve", "reject": "reject", "report": "report",
                  "manage_users": "user_add"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(world, catalogue, users_file, role, action):
    root, submission_id = world
    user = acting(role)
    manifest = Store(root).manifest_path
    before = (manifest.read_bytes(), users_file.read_bytes())
    if action in ALLOWED[role]:
        attempt(action, user, root, submission_id, catalogue)
        last = audit.read(root).events[-1]
        assert (last["event"], last["user"], last["ok"]) == (EXPECTED_EVENT[action], user.name, True)
    else:
        with pytest.raises(PermissionDenied) as info:
            attempt(action, user, root, submission_id, catalogue)
        assert "不能" in str(info.value) or "只能" in str(info.value)
        assert (manifest.read_bytes(), users_file.read_bytes()) == before  # nothing changed
        last = audit.read(root).events[-1]
        assert (last["event"], last["user"], last["ok"]) == ("denied", user.name, False)  # and the attempt is on record


def test_the_matrix_is_the_documented_one():
    """ROLE_ACTIONS says the same as the test matrix above (one source for both the code and this table)."""
    table = {
        Role.VIEWER: {Action.VIEW},
        Role.DEPARTMENT: {Action.VIEW, Action.SUBMIT, Action.SUBMISSIONS},
        Role.OFFICE: {Action.VIEW, Action.SUBMIT, Action.SUBMISSIONS, Action.APPROVE, Action.REJECT, Action.REPORT, Action.AUDIT},
        Role.ADMIN: {Action.VIEW, Action.AUDIT, Action.MANAGE_USERS},
    }
    for role, allowed in table.items():
        user = users.User("x", frozenset({role}), ("县卫体局",) if role == Role.DEPARTMENT else ())
        assert {a for a in Action if can(user, a)} == allowed, role


def test_a_department_sees_only_its_own_submissions(world, catalogue):
    root, _ = world
    actions.submit(acting("office"), FILES[OTHER], "教育.csv", OTHER, catalogue, root=root)
    zhang = acting("department")
    assert {e["department"] for e in actions.submissions(zhang, root=root)} == {OWN}
    assert {e["department"] for e in actions.submissions(acting("office"), root=root)} == {OWN, OTHER}
    with pytest.raises(PermissionDenied, match="只能为本单位"):
        actions.submissions(zhang, OTHER, root=root)
    with pytest.raises(PermissionDenied):
        actions.submissions(acting("viewer"), root=root)


def test_a_department_cannot_send_another_units_indicators_under_its_own_name(world, catalogue):
    root, _ = world
    entry, report = actions.submit(acting("department"), FILES[OTHER], "冒报.csv", OWN, catalogue, root=root)
    assert not report.ok and entry["status"] == "rejected"
    assert "W2-04a" in entry["reason"] or "不属于" in entry["reason"] or "负责" in entry["reason"]


def test_only_the_office_may_submit_and_approve_at_once(world, catalogue):
    root, _ = world
    with pytest.raises(PermissionDenied, match="只有县妇儿工委办公室可以批准"):
        actions.submit(acting("department"), FILES[OWN], "x.csv", OWN, catalogue, approve=True, root=root)
    entry, _ = actions.submit(acting("office"), FILES[OWN], "x.csv", OWN, catalogue, approve=True, root=root)
    assert entry["status"] == "approved"
    assert [e["event"] for e in audit.read(root).events[-2:]] == ["submit", "approve"]


def test_review_queue_and_audit_are_refused_to_departments(world, catalogue):
    root, _ = world
    import pandas as pd

    with pytest.raises(PermissionDenied):
        actions.review_queue(acting("department"), catalogue, pd.DataFrame(), root=root)
    with pytest.raises(PermissionDenied, match="审计日志"):
        actions.audit_log(acting("department"), root=root)
    assert actions.audit_log(acting("admin"), root=root).events
    items = actions.review_queue(acting("office"), catalogue, pd.DataFrame(), root=root)
    assert len(items) == 1 and items[0].counts["新增"] == 1


def test_nobody_is_authorized_before_login():
    with pytest.raises(PermissionDenied, match="请先登录"):
        authorize(None, Action.VIEW)
    assert pages_for(None) == {}


@pytest.mark.parametrize(("role", "titles"), [
    ("viewer", ["总览", "指标监测", "指标详情", "预警", "区县对比", "报送情况", "目标库", "方法说明"]),
    ("department", ["总览", "指标监测", "指标详情", "预警", "区县对比", "数据填报", "报送情况", "目标库", "方法说明"]),
    ("office", ["总览", "指标监测", "指标详情", "预警", "区县对比", "评估报告", "数据填报", "审核", "报送情况", "审计日志", "目标库", "方法说明"]),
    ("admin", ["总览", "指标监测", "指标详情", "预警", "区县对比", "报送情况", "审计日志", "用户管理", "目标库", "方法说明"]),
    ("local", [p.title for p in PAGES]),
])
def test_pages_by_role(users_file, role, titles):
    pages = pages_for(acting(role))
    assert [p.title for section in pages.values() for p in section] == titles


def test_departments_a_user_may_send_for(users_file, catalogue):
    names = [d.name for d in catalogue.departments]
    assert departments_for(acting("department"), names) == [OWN]
    assert departments_for(acting("office"), names) == names
    assert departments_for(acting("viewer"), names) == []


def test_denials_are_recorded_without_secrets(world, catalogue):
    root, _ = world
    with pytest.raises(PermissionDenied):
        actions.approve(acting("viewer"), "S20250101T000000-abcdef", root=root)
    text = (root / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    last = json.loads(text.splitlines()[-1])
    assert last["event"] == "denied" and last["submission"] == "S20250101T000000-abcdef"


# ---------------------------------------------------------------- the command line acts as --user


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    from monitoring.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_checks_the_user_given_with_user(world, tmp_path, capsys):
    root, submission_id = world
    data = tmp_path / "卫体局.csv"
    data.write_bytes(FILES[OWN])
    code, _, err = run_cli(capsys, "submit", str(data), "--department", OTHER, "--user", "张三", "--root", str(root))
    assert code == 1 and "只能为本单位" in err
    code, out, _ = run_cli(capsys, "submit", str(data), "--department", OWN, "--user", "张三", "--root", str(root))
    assert code == 0 and "待办公室审核" in out
    code, _, err = run_cli(capsys, "approve", submission_id, "--user", "张三", "--root", str(root))
    assert code == 1 and "只有县妇儿工委办公室可以批准" in err
    code, _, err = run_cli(capsys, "approve", submission_id, "--root", str(root))
    assert code == 2 and "--user" in err  # login is on: the default office name is not an account
    code, _, err = run_cli(capsys, "approve", submission_id, "--user", "不存在的人", "--root", str(root))
    assert code == 2 and "没有用户“不存在的人”" in err
    code, _, err = run_cli(capsys, "reject", submission_id, "--reason", "不对", "--user", "访客", "--root", str(root))
    assert code == 1 and "驳回" in err
    code, out, _ = run_cli(capsys, "approve", submission_id, "--user", "王五", "--root", str(root))
    assert code == 0 and "已审核通过" in out
    code, _, err = run_cli(capsys, "report", "--kind", "final", "--out", str(tmp_path / "r.docx"), "--no-charts", "--user", "张三")
    assert code == 1 and "只有县妇儿工委办公室可以生成评估报告" in err and not (tmp_path / "r.docx").exists()
    events = [(e["event"], e["user"], e["source"]) for e in audit.read(root).events]
    assert events[-1] == ("denied", "张三", "命令行") and ("approve", "王五", "命令行") in events


def test_cli_keeps_the_local_mode_behaviour(tmp_path, capsys, catalogue):
    root = tmp_path / "data"
    data = tmp_path / "卫体局.csv"
    data.write_bytes(FILES[OWN])
    code, out, _ = run_cli(capsys, "submit", str(data), "--department", OWN, "--user", "随便谁", "--root", str(root))
    assert code == 0 and "待办公室审核" in out
    entry = Store(root).submissions()[0]
    assert entry["user"] == "随便谁"
    code, out, _ = run_cli(capsys, "approve", entry["id"], "--root", str(root))
    assert code == 0 and "已审核通过" in out and Store(root).get(entry["id"])["reviewed_by"] == "县妇儿工委办公室"
    assert [(e["event"], e["user"], e["role"]) for e in audit.read(root).events] == [
        ("submit", "随便谁", "local"), ("approve", "县妇儿工委办公室", "local")]
