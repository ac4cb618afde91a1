"""The users file, password hashing, lockout, and `python -m monitoring users` (password from stdin, never echoed)."""

from __future__ import annotations

import io
import json

import pytest

from monitoring import users
from monitoring.cli import main
from monitoring.users import LoginError, Role, UsersError
from tests.conftest import ACCOUNTS, PASSWORDS


def test_users_file_holds_hashes_not_passwords(users_file):
    text = users_file.read_text(encoding="utf-8")
    for password in PASSWORDS.values():
        assert password not in text
    accounts = users.load(users_file)
    assert set(accounts) == set(ACCOUNTS)
    assert all(a.password.startswith("$2b$04$") for a in accounts.values())
    assert accounts["张三"].departments == ["县卫体局"] and accounts["张三"].role == Role.DEPARTMENT


def test_no_file_means_local_mode_and_an_empty_file_still_means_login(no_users_file):
    assert not users.login_enabled(no_users_file)
    no_users_file.write_text("", encoding="utf-8")
    assert users.login_enabled(no_users_file)
    assert users.load(no_users_file) == {}


@pytest.mark.parametrize("content", ["users: [1, 2", "users: [a, b]\n", "users:\n  张三: {role: boss, password: $2b$04$x}\n",
                                     "users:\n  张三: {role: office, password: 明文密码}\n"])
def test_a_damaged_users_file_is_an_error_never_local_mode(no_users_file, content):
    no_users_file.write_text(content, encoding="utf-8")
    with pytest.raises(UsersError):
        users.load(no_users_file)


def test_yaml_tags_are_not_executed(no_users_file):
    no_users_file.write_text("users: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(UsersError):
        users.load(no_users_file)


@pytest.mark.parametrize(("name", "role", "departments", "password", "message"), [
    ("新用户", "office", [], "short", "至少"),
    ("新用户", "office", [], "字" * 30, "太长"),
    ("新用户", "office", [], "新用户", "至少"),
    ("abcdefgh", "office", [], "abcdefgh", "不能与用户名相同"),
    ("新用户", "department", [], "Good-pass-1", "须指定所属单位"),
    ("新用户", "office", ["县卫体局"], "Good-pass-1", "只有报送单位用户"),
    ("新用户", "boss", [], "Good-pass-1", "角色“boss”无效"),
    ("a b", "office", [], "Good-pass-1", "用户名"),
    ("../x", "office", [], "Good-pass-1", "用户名"),
    ("张三", "office", [], "Good-pass-1", "已存在"),
])
def test_bad_additions_are_refused_in_chinese(users_file, name, role, departments, password, message):
    before = users_file.read_bytes()
    with pytest.raises(UsersError, match=message):
        users.add(name, role, departments, password, users_file)
    assert users_file.read_bytes() == before


def test_the_last_admin_stays(users_file):
    with pytest.raises(UsersError, match="至少要保留一个管理员"):
        users.remove("管理员", users_file)
    with pytest.raises(UsersError, match="至少要保留一个管理员"):
        users.edit("管理员", "office", None, users_file)
    users.add("管理员2", "admin", [], "Another-pass-9", users_file)
    users.remove("管理员", users_file)
    assert "管理员" not in users.load(users_file)


def test_changes_end_open_sessions_through_the_stamp(users_file):
    before = users.get("张三", users_file)
    users.set_password("张三", "A-new-pass-77", users_file)
    after = users.get("张三", users_file)
    assert before is not None and after is not None and before.stamp != after.stamp
    users.edit("张三", "department", ["县卫体局", "县教育局"], users_file)
    edited = users.get("张三", users_file)
    assert edited is not None and edited.departments == ("县卫体局", "县教育局") and edited.stamp != after.stamp


# ---------------------------------------------------------------- login and lockout


def test_login_with_the_right_password(users_file, tmp_path):
    user = users.authenticate("张三", PASSWORDS["张三"], tmp_path, users_file)
    assert user.name == "张三" and user.roles == {Role.DEPARTMENT} and user.departments == ("县卫体局",)


def test_lockout_after_five_failures_for_fifteen_minutes(users_file, tmp_path):
    start = 1_000_000.0
    for attempt in range(1, users.MAX_FAILURES):
        with pytest.raises(LoginError, match=f"再错 {users.MAX_FAILURES - attempt} 次") as info:
            users.authenticate("张三", "wrong-password", tmp_path, users_file, moment=start + attempt)
        assert not info.value.locked
    with pytest.raises(LoginError, match="已暂时锁定，请 15 分钟后再试") as info:
        users.authenticate("张三", "wrong-password", tmp_path, users_file, moment=start + 10)
    assert info.value.locked
    # Locked: even the right password is refused, and the message says how long.
    with pytest.raises(LoginError, match="请 10 分钟后再试"):
        users.authenticate("张三", PASSWORDS["张三"], tmp_path, users_file, moment=start + 10 + 5 * 60)
    assert users.lock_status("张三", tmp_path, moment=start + 20)[1] > 0
    # Other users are not affected.
    assert users.authenticate("王五", PASSWORDS["王五"], tmp_path, users_file, moment=start + 20).name == "王五"
    # After fifteen minutes the right password works and the count starts again.
    assert users.authenticate("张三", PASSWORDS["张三"], tmp_path, users_file, moment=start + 10 + 15 * 60 + 1).name == "张三"
    assert users.lock_status("张三", tmp_path, moment=start + 2000) == (0, 0.0)


def test_unlock_clears_a_lockout(users_file, tmp_path):
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(LoginError):
            users.authenticate("张三", "nope-nope", tmp_path, users_file)
    assert users.unlock("张三", tmp_path)
    assert users.authenticate("张三", PASSWORDS["张三"], tmp_path, users_file).name == "张三"


def test_unknown_names_get_the_same_answer_and_are_never_stored(users_file, tmp_path):
    typed = "我把密码输进了用户名框"
    with pytest.raises(LoginError, match="用户名或密码不正确") as unknown:
        users.authenticate(typed, "whatever-1", tmp_path, users_file)
    with pytest.raises(LoginError, match="用户名或密码不正确") as known:
        users.authenticate("张三", "whatever-1", tmp_path, users_file)
    assert str(unknown.value) == str(known.value)
    lockout = (tmp_path / users.LOCKOUT_FILE).read_text(encoding="utf-8")
    assert typed not in lockout and "张三" not in lockout
    assert len(json.loads(lockout)) == 2


def test_rounds_are_configurable(monkeypatch):
    monkeypatch.setenv(users.ROUNDS_ENV, "5")
    assert users.hash_password("A-good-pass-1").startswith("$2b$05$")
    monkeypatch.delenv(users.ROUNDS_ENV)
    assert users.rounds() == users.DEFAULT_ROUNDS


# ---------------------------------------------------------------- the command line


def cli(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_manages_users_and_never_shows_a_password(no_users_file, tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    secret = "Cli-Secret-密码-42"
    code, out, err = cli(capsys, monkeypatch, "users", "add", "赵六", "--role", "department", "--department", "卫体局", "--root", str(root),
                         stdin=secret + "\n")
    assert code == 0, err
    assert "已添加用户 赵六（报送单位，单位：县卫体局）" in out and "平台从现在起需要登录" in out and "还没有管理员" in out
    code, out, err = cli(capsys, monkeypatch, "users", "add", "管理员", "--role", "admin", "--root", str(root), stdin="Admin-pass-99\n")
    assert code == 0, err
    code, listing, _ = cli(capsys, monkeypatch, "users", "list", "--root", str(root))
    assert code == 0 and "赵六" in listing and "县卫体局" in listing and "$2b$" not in listing
    new = "Cli-New-口令-77"
    code, out, err = cli(capsys, monkeypatch, "users", "passwd", "赵六", "--root", str(root), stdin=new + "\n")
    assert code == 0 and "已重设" in out
    assert users.authenticate("赵六", new, root, no_users_file).name == "赵六"
    code, out, err = cli(capsys, monkeypatch, "users", "edit", "赵六", "--department", "县教育局", "--root", str(root))
    assert code == 0 and "县教育局" in out
    code, out, err = cli(capsys, monkeypatch, "users", "remove", "赵六", "--root", str(root))
    assert code == 0 and "已删除用户 赵六" in out
    code, out, err = cli(capsys, monkeypatch, "users", "remove", "管理员", "--root", str(root))
    assert code == 0, err  # the last user may go (nothing is left to manage); the file stays, so login stays on
    assert users.login_enabled(no_users_file) and users.load(no_users_file) == {}
    everything = listing + out + err + no_users_file.read_text(encoding="utf-8")
    for path in root.rglob("*"):
        if path.is_file():
            everything += path.read_text(encoding="utf-8", errors="replace")
    for password in (secret, new, "Admin-pass-99"):
        assert password not in everything


def test_cli_refuses_a_password_on_the_command_line(no_users_file, capsys, monkeypatch):
    with pytest.raises(SystemExit) as info:
        cli(capsys, monkeypatch, "users", "add", "赵六", "--role", "office", "--password", "Secret-1234")
    assert info.value.code == 2 and "无法识别的参数" in capsys.readouterr().err
    assert not no_users_file.exists()


def test_cli_without_a_password_changes_nothing(no_users_file, capsys, monkeypatch):
    code, _, err = cli(capsys, monkeypatch, "users", "add", "赵六", "--role", "office", stdin="")
    assert code == 2 and "没有读到密码" in err
    assert not no_users_file.exists()


def test_cli_unlock(users_file, tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(LoginError):
            users.authenticate("张三", "nope-nope", root, users_file)
    code, out, _ = cli(capsys, monkeypatch, "users", "list", "--root", str(root))
    assert "锁定中" in out
    code, out, _ = cli(capsys, monkeypatch, "users", "unlock", "张三", "--root", str(root))
    assert code == 0 and "已解除" in out
    assert users.lock_status("张三", root) == (0, 0.0)
