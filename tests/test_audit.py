"""The audit trail: append-only, chained, every action recorded — also when departments and the office act at the same moment."""

from __future__ import annotations

import json
import multiprocessing
from datetime import date
from pathlib import Path

import pytest

from monitoring import actions, audit, users
from monitoring.audit import Event
from monitoring.permissions import local_user
from monitoring.store import Store
from tests.conftest import PASSWORDS

WORKERS_TIMEOUT = 90


def csv_bytes(*rows: str) -> bytes:
    return "\n".join(["指标编号,年份,数值", *rows, ""]).encode("utf-8")


def test_events_are_appended_and_chained(tmp_path):
    for index in range(3):
        audit.record(tmp_path, Event.SUBMIT, f"用户{index}", "department", submission=f"S{index}", sha256="ab" * 32)
    path = audit.audit_path(tmp_path)
    first = path.read_bytes()
    audit.record(tmp_path, Event.APPROVE, "王五", "office")
    assert path.read_bytes().startswith(first)  # appended, the earlier bytes untouched
    log = audit.read(tmp_path)
    assert log.problems == []
    assert [e["seq"] for e in log.events] == [1, 2, 3, 4]
    assert [e["event"] for e in log.events] == ["submit"] * 3 + ["approve"]
    assert all(set(audit.FIELDS) <= set(e) for e in log.events)


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap"])
def test_tampering_is_detected(tmp_path, tamper):
    for index in range(4):
        audit.record(tmp_path, Event.LOGIN, f"用户{index}")
    path = audit.audit_path(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if tamper == "edit":
        lines[1] = lines[1].replace("用户1", "别人")
    elif tamper == "delete":
        del lines[2]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    problems = audit.read(tmp_path).problems
    assert problems and all("行" in p for p in problems)


def test_a_torn_line_is_reported_not_fatal(tmp_path):
    audit.record(tmp_path, Event.LOGIN, "张三")
    with audit.audit_path(tmp_path).open("ab") as handle:
        handle.write(b'{"seq": 2, "user": "\xe5')
    audit.record(tmp_path, Event.LOGOUT, "张三")
    log = audit.read(tmp_path)
    assert [e["event"] for e in log.events] == ["login", "logout"]
    assert any("无法读取" in p for p in log.problems)


def test_select_filters_by_user_event_date_and_submission(tmp_path):
    audit.record(tmp_path, Event.SUBMIT, "张三", submission="S1")
    audit.record(tmp_path, Event.APPROVE, "王五", submission="S1")
    audit.record(tmp_path, Event.LOGIN, "张三")
    events = audit.read(tmp_path).events
    assert [e["event"] for e in audit.select(events, user="张三")] == ["submit", "login"]
    assert [e["user"] for e in audit.select(events, events_of=["approve", "login"])] == ["王五", "张三"]
    assert len(audit.select(events, submission="S1")) == 2
    assert audit.select(events, since=date(2000, 1, 1), until=date(2000, 12, 31)) == []
    assert len(audit.select(events, since=date.today(), until=date.today())) == 3
    rows = audit.table_rows(events)
    assert rows[0]["操作"] == "登录" and rows[-1]["操作"] == "提交数据"  # newest first, in Chinese


def test_every_kind_of_action_is_recorded_and_no_password_anywhere(users_file, tmp_path, catalogue, monkeypatch, capsys):
    root = tmp_path / "data"
    monkeypatch.setenv("MONITORING_DATA", str(root))
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")
    with pytest.raises(users.LoginError):
        actions.login("张三", "a-wrong-guess", root)
    with pytest.raises(users.LoginError):
        actions.login(PASSWORDS["王五"], PASSWORDS["王五"], root)  # a password typed into the name field
    zhang = actions.login("张三", PASSWORDS["张三"], root)
    wang = actions.login("王五", PASSWORDS["王五"], root)
    admin = actions.login("管理员", PASSWORDS["管理员"], root)
    first, _ = actions.submit(zhang, csv_bytes("C1-03b,2023,3.1"), "卫体局.csv", "县卫体局", catalogue, root=root)
    second, _ = actions.submit(zhang, csv_bytes("C1-03a,2023,1.1"), "卫体局2.csv", "县卫体局", catalogue, root=root)
    actions.approve(wang, first["id"], root=root)
    actions.reject(wang, second["id"], "分母缺失", root=root)
    from monitoring import datasets

    actions.report(wang, catalogue, datasets.load(catalogue, root), "annual", root=root)
    new_password = "Reset-新密码-2025"
    actions.add_user(admin, "新同事", "viewer", [], "Colleague-pw-1", root=root)
    actions.set_password(admin, "新同事", new_password, root=root)
    actions.edit_user(admin, "新同事", "department", ["县教育局"], root=root)
    actions.remove_user(admin, "新同事", root=root)
    actions.logout(zhang, root=root)

    log = audit.read(root)
    assert log.problems == []
    kinds = [(e["event"], e["user"]) for e in log.events]
    assert kinds == [
        ("login_failed", "张三"), ("login_failed", audit.UNKNOWN_USER), ("login", "张三"), ("login", "王五"), ("login", "管理员"),
        ("submit", "张三"), ("submit", "张三"), ("approve", "王五"), ("reject", "王五"), ("report", "王五"),
        ("user_add", "管理员"), ("user_password", "管理员"), ("user_edit", "管理员"), ("user_remove", "管理员"), ("logout", "张三"),
    ]
    submit = log.events[5]
    assert submit["sha256"] == first["sha256"] and submit["submission"] == first["id"] and submit["file"] == "卫体局.csv"
    assert log.events[8]["detail"] == "原因：分母缺失"
    assert len(log.events[9]["sha256"]) == 64  # the report's checksum
    text = audit.audit_path(root).read_text(encoding="utf-8")
    out, err = capsys.readouterr()
    for secret in [*PASSWORDS.values(), new_password, "Colleague-pw-1"]:
        assert secret not in text and secret not in out + err


# ---------------------------------------------------------------- at the same moment, in real processes


@pytest.fixture(scope="module")
def processes():
    """Fresh interpreters from a forkserver (as tests/test_store_concurrency.py does), spawn where there is none."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def act(role: str, root: str, users_path: str, payload, catalogue, barrier) -> None:
    """Runs in a worker: log in, wait for the others, then submit (a department) or approve (the office)."""
    import os

    os.environ["MONITORING_USERS"] = users_path
    name, password = payload["name"], payload["password"]
    user = actions.login(name, password, Path(root))
    barrier.wait(timeout=WORKERS_TIMEOUT)
    if role == "department":
        entry, report = actions.submit(user, payload["data"], payload["file"], payload["department"], catalogue, root=Path(root))
        assert report.ok and entry["status"] == "pending", entry
    else:
        entry = actions.approve(user, payload["submission"], root=Path(root))
        assert entry["status"] == "approved", entry


def test_two_departments_submit_while_the_office_approves(users_file, tmp_path, catalogue, processes):
    root = tmp_path / "data"
    seeded, _ = actions.submit(local_user("种子"), csv_bytes("C1-03c,2023,4.0"), "先前.csv", "县卫体局", catalogue, root=root)
    jobs = [
        ("department", {"name": "张三", "password": PASSWORDS["张三"], "data": csv_bytes("C1-03b,2023,3.1"), "file": "卫体局.csv",
                        "department": "县卫体局"}),
        ("department", {"name": "李四", "password": PASSWORDS["李四"], "data": csv_bytes("W2-04a,2023,99.6"), "file": "教育局.csv",
                        "department": "县教育局"}),
        ("office", {"name": "王五", "password": PASSWORDS["王五"], "submission": seeded["id"]}),
    ]
    barrier = processes.Barrier(len(jobs))
    workers = [processes.Process(target=act, args=(role, str(root), str(users_file), payload, catalogue, barrier)) for role, payload in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=WORKERS_TIMEOUT)
    assert [w.exitcode for w in workers] == [0, 0, 0]

    entries = Store(root).submissions()
    assert [e["status"] for e in entries] == ["approved", "pending", "pending"] or sorted(e["status"] for e in entries) == ["approved", "pending", "pending"]
    assert {e["department"] for e in entries if e["status"] == "pending"} == {"县卫体局", "县教育局"}

    log = audit.read(root)
    assert log.problems == [], log.problems  # every line whole, the chain unbroken, numbers consecutive
    lines = audit.audit_path(root).read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)
    events = [(e["event"], e["user"]) for e in log.events]
    assert events[0] == ("submit", "种子")
    assert sorted(events[1:]) == sorted([("login", "张三"), ("login", "李四"), ("login", "王五"),
                                         ("submit", "张三"), ("submit", "李四"), ("approve", "王五")])
    submitted = {e["submission"] for e in log.events if e["event"] == "submit"}
    assert submitted == {e["id"] for e in entries}
    approved = [e for e in log.events if e["event"] == "approve"]
    assert [e["submission"] for e in approved] == [seeded["id"]] and approved[0]["sha256"] == seeded["sha256"]
