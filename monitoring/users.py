"""Who may log in: the users file, bcrypt password hashes, and the lockout after repeated failures.

The users file (default `config/users.yaml`, or `$MONITORING_USERS`) decides
the mode of the whole platform:

- no file: single-user local mode (the quick start); everyone at the screen is
  the built-in local user (see `monitoring.permissions.local_user`);
- a file: login required. A file that cannot be read is an error, never a
  silent fall-back to local mode, so a damaged or emptied file cannot open the
  platform to everyone.

Layout (written only by this module; people edit it with `python -m monitoring users`)::

    users:
      张三:
        role: department          # viewer | department | office | admin
        departments: [县卫体局]   # the units a department user sends data for
        password: $2b$12$...      # bcrypt hash, never the password
        created: 2025-03-01T09:00:00+08:00
        changed: 2025-03-01T09:00:00+08:00

Why it is built this way:

- Passwords are hashed with bcrypt (salted, deliberately slow; the cost is
  `$MONITORING_BCRYPT_ROUNDS`, default 12, lowered only by the tests). The
  password itself is never written, returned or put in a message.
- Every write holds a file lock beside the users file and replaces it
  atomically, so the admin page and the command line can both change users.
- Failed logins are counted per login name in `<data root>/auth/lockout.json`
  under the name's sha256, so a password typed into the name field by mistake
  is never stored. Five failures lock the name for 15 minutes; unknown names
  are counted too and take the same time to refuse, so the form does not tell
  which names exist.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import bcrypt
import yaml
from filelock import FileLock

from monitoring.files import atomic_write, file_lock, iso, now

ROOT = Path(__file__).resolve().parent.parent
USERS_FILE = ROOT / "config" / "users.yaml"
USERS_ENV = "MONITORING_USERS"
ROUNDS_ENV = "MONITORING_BCRYPT_ROUNDS"
DEFAULT_ROUNDS = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (and bcrypt 5 refuses) anything longer
LOCKOUT_FILE = Path("auth") / "lockout.json"
LOCK_TIMEOUT = 30.0
NAME_PATTERN = re.compile(r"^[\w\u4e00-\u9fff.·\-]{1,32}$")


class Role(StrEnum):
    VIEWER = "viewer"
    DEPARTMENT = "department"
    OFFICE = "office"
    ADMIN = "admin"


ROLE_LABELS: dict[str, str] = {
    Role.VIEWER: "查看",
    Role.DEPARTMENT: "报送单位",
    Role.OFFICE: "办公室",
    Role.ADMIN: "管理员",
}


class UsersError(Exception):
    """The users file cannot be read or a change is refused; the message is Chinese, shown as is."""


class LoginError(Exception):
    """A login is refused (wrong name or password, or locked); the message is Chinese and names no secret."""

    def __init__(self, message: str, locked: bool = False, known: bool = False) -> None:
        super().__init__(message)
        self.locked = locked
        self.known = known


@dataclass(frozen=True)
class User:
    """Someone acting on the platform: a login name, roles, and the units they send data for.

    A user from the file has exactly one role; the built-in local user of
    local mode holds several (office and admin), which is why roles is a set.
    """

    name: str
    roles: frozenset[Role]
    departments: tuple[str, ...] = ()
    local: bool = False
    stamp: str = ""
    operator: bool = False  # the person at the server's command line (users, backup, restore)  # changes when password, role or units change: open sessions of the old account end

    @property
    def role(self) -> Role:
        """The main role (for display): the highest one held."""
        order = [Role.ADMIN, Role.OFFICE, Role.DEPARTMENT, Role.VIEWER]
        return next(r for r in order if r in self.roles)

    @property
    def role_label(self) -> str:
        if self.local:
            return "本机用户（办公室、管理员）"
        return ROLE_LABELS[self.role]

    def describe(self) -> str:
        """Name, role and units, as the sidebar and the audit page show a person."""
        units = f"（{'、'.join(self.departments)}）" if self.departments else ""
        return f"{self.name} · {self.role_label}{units}"


@dataclass
class Account:
    """One entry of the users file, with its hash (kept inside this module and the file)."""

    name: str
    role: Role
    departments: list[str] = field(default_factory=list)
    password: str = ""
    created: str = ""
    changed: str = ""

    def user(self) -> User:
        return User(self.name, frozenset({self.role}), tuple(self.departments), stamp=_stamp(self))

    def public(self) -> dict[str, Any]:
        """What may be listed or shown: everything but the hash."""
        return {"name": self.name, "role": str(self.role), "role_label": ROLE_LABELS[self.role],
                "departments": list(self.departments), "created": self.created, "changed": self.changed}


def _stamp(account: Account) -> str:
    text = "\n".join([account.password, account.role, *account.departments])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- the file


def users_path() -> Path:
    """$MONITORING_USERS, else config/users.yaml beside the code."""
    value = os.environ.get(USERS_ENV)
    return Path(value) if value else USERS_FILE


def login_enabled(path: Path | None = None) -> bool:
    """Login is required as soon as a users file exists (even an empty one)."""
    return (path or users_path()).exists()


_CACHE: dict[str, tuple[tuple[int, int], dict[str, Account]]] = {}


def load(path: Path | None = None) -> dict[str, Account]:
    """The accounts of the users file by name (none when it does not exist); raises UsersError when it is damaged.

    Re-read only when the file changes, so every page run can ask without cost.
    """
    path = path or users_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(str(path))
    if cached and cached[0] == key:
        return dict(cached[1])
    accounts = _parse(path)
    _CACHE[str(path)] = (key, accounts)
    return dict(accounts)


def _parse(path: Path) -> dict[str, Account]:
    hint = "请从备份恢复该文件，或联系系统管理员。"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsersError(f"用户文件 {path} 无法读取（{type(exc).__name__}）。{hint}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("users") or {}, dict):
        raise UsersError(f"用户文件 {path} 的格式不对（应有 users: 下按用户名排列的用户）。{hint}")
    accounts = {}
    for name, item in (data.get("users") or {}).items():
        if not isinstance(item, dict):
            raise UsersError(f"用户文件 {path} 中用户“{name}”的格式不对。{hint}")
        try:
            role = Role(item.get("role"))
        except ValueError as exc:
            raise UsersError(f"用户文件 {path} 中用户“{name}”的角色“{item.get('role')}”无效，可选：{'、'.join(Role)}。{hint}") from exc
        departments = item.get("departments") or []
        if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
            raise UsersError(f"用户文件 {path} 中用户“{name}”的单位应为列表。{hint}")
        password = item.get("password") or ""
        if not isinstance(password, str) or not password.startswith("$2"):
            raise UsersError(f"用户文件 {path} 中用户“{name}”没有有效的密码散列（不能手工写入明文密码）。请运行 python -m monitoring users passwd {name} 重设密码。")
        accounts[str(name)] = Account(str(name), role, list(departments), password, str(item.get("created") or ""), str(item.get("changed") or ""))
    return accounts


def _dump(accounts: dict[str, Account]) -> bytes:
    header = ("# 平台用户。由 python -m monitoring users（或管理员的“用户管理”页面）维护，请勿手工编辑。\n"
              "# password 是 bcrypt 散列，不是密码本身。\n")
    body = {"users": {a.name: {"role": str(a.role), "departments": list(a.departments), "password": a.password,
                               "created": a.created, "changed": a.changed} for a in accounts.values()}}
    return (header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)).encode("utf-8")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[dict[str, Account]]:
    """Hold the users file lock for a read-modify-write; yields the current accounts."""
    with file_lock(path.with_name(f".{path.name}.lock"), LOCK_TIMEOUT, UsersError("用户文件正被其他操作占用，请稍后重试。")):
        _CACHE.pop(str(path), None)
        yield load(path)


def _write(path: Path, accounts: dict[str, Account]) -> None:
    atomic_write(path, _dump(accounts))
    _CACHE.pop(str(path), None)


# ---------------------------------------------------------------- passwords


def rounds() -> int:
    """bcrypt cost: $MONITORING_BCRYPT_ROUNDS (4–16), default 12 (about a quarter second per check)."""
    try:
        value = int(os.environ.get(ROUNDS_ENV, DEFAULT_ROUNDS))
    except ValueError:
        value = DEFAULT_ROUNDS
    return min(max(value, 4), 16)


def password_problem(password: str, name: str = "") -> str | None:
    """Why a new password is refused, as a sentence; None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符。"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"密码太长（最多 {MAX_PASSWORD_BYTES} 个字节，约 24 个汉字或 72 个字母数字）。"
    if name and password.strip().lower() == name.strip().lower():
        return "密码不能与用户名相同。"
    if password.isdigit() and len(set(password)) <= 2:
        return "密码太简单，请混合使用字母、数字。"
    return None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds())).decode("ascii")


@functools.cache
def _dummy_hash(cost: int) -> bytes:
    """A hash of a random password: unknown names are checked against it, so they take as long to refuse as known ones."""
    return bcrypt.hashpw(os.urandom(16).hex().encode("ascii"), bcrypt.gensalt(cost))


def _matches(password: str, hashed: str | bytes) -> bool:
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, hashed if isinstance(hashed, bytes) else hashed.encode("ascii"))
    except ValueError:
        return False


# ---------------------------------------------------------------- changes


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_PATTERN.match(name):
        raise UsersError("用户名须为 1—32 个汉字、字母、数字或 . · - _，不能有空格。")
    return name


def _check_role(role: str | Role, departments: Iterable[str]) -> tuple[Role, list[str]]:
    try:
        role = Role(role)
    except ValueError as exc:
        raise UsersError(f"角色“{role}”无效，可选：{'、'.join(f'{r}（{ROLE_LABELS[r]}）' for r in Role)}。") from exc
    departments = list(dict.fromkeys(d.strip() for d in departments if d and d.strip()))
    if role == Role.DEPARTMENT and not departments:
        raise UsersError("报送单位用户须指定所属单位（--department，可以多个）。")
    if role != Role.DEPARTMENT and departments:
        raise UsersError(f"只有报送单位用户（department）绑定单位；{ROLE_LABELS[role]}用户不需要 --department。")
    return role, departments


def add(name: str, role: str | Role, departments: Iterable[str], password: str, path: Path | None = None) -> Account:
    """Create a user; the file is created if it does not exist (which turns login on)."""
    path = path or users_path()
    name = check_name(name)
    role, departments = _check_role(role, departments)
    problem = password_problem(password, name)
    if problem:
        raise UsersError(problem)
    hashed = hash_password(password)
    with _locked(path) as accounts:
        if name in accounts:
            raise UsersError(f"用户“{name}”已存在。修改角色或单位用 users edit，重设密码用 users passwd。")
        when = iso(now())
        accounts[name] = Account(name, role, departments, hashed, when, when)
        _write(path, accounts)
        return accounts[name]


def edit(name: str, role: str | Role | None = None, departments: Iterable[str] | None = None, path: Path | None = None) -> Account:
    """Change a user's role and/or units; their open sessions end (the stamp changes)."""
    path = path or users_path()
    with _locked(path) as accounts:
        account = _existing(accounts, name)
        new_role = role if role is not None else account.role
        new_departments = list(departments) if departments is not None else (account.departments if Role(new_role) == Role.DEPARTMENT else [])
        account.role, account.departments = _check_role(new_role, new_departments)
        _keep_an_admin(accounts, path)
        account.changed = iso(now())
        _write(path, accounts)
        return account


def remove(name: str, path: Path | None = None) -> Account:
    """Delete a user; the last admin cannot be removed (nobody could manage users in the dashboard then)."""
    path = path or users_path()
    with _locked(path) as accounts:
        account = _existing(accounts, name)
        del accounts[account.name]
        if account.role == Role.ADMIN:
            _keep_an_admin(accounts, path)
        _write(path, accounts)
        return account


def set_password(name: str, password: str, path: Path | None = None) -> Account:
    path = path or users_path()
    problem = password_problem(password, name)
    if problem:
        raise UsersError(problem)
    hashed = hash_password(password)
    with _locked(path) as accounts:
        account = _existing(accounts, name)
        account.password = hashed
        account.changed = iso(now())
        _write(path, accounts)
        return account


def _existing(accounts: dict[str, Account], name: str) -> Account:
    account = accounts.get((name or "").strip())
    if account is None:
        raise UsersError(f"没有用户“{name}”。用 python -m monitoring users list 查看全部用户。")
    return account


def _keep_an_admin(accounts: dict[str, Account], path: Path) -> None:
    if accounts and not any(a.role == Role.ADMIN for a in accounts.values()):
        raise UsersError("至少要保留一个管理员（admin）用户，否则无人能在网页上管理用户。请先添加另一个管理员。")


def get(name: str, path: Path | None = None) -> User | None:
    """The current User for a login name, or None when there is no such user (any more)."""
    account = load(path).get(name)
    return account.user() if account else None


# ---------------------------------------------------------------- login and lockout


def _key(name: str) -> str:
    return hashlib.sha256(name.strip().encode("utf-8")).hexdigest()


def _lockout_path(root: Path) -> Path:
    return root / LOCKOUT_FILE


def _read_lockout(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _lockout_lock(root: Path) -> FileLock:
    (root / LOCKOUT_FILE).parent.mkdir(parents=True, exist_ok=True)
    return FileLock(root / LOCKOUT_FILE.parent / ".lockout.lock", timeout=LOCK_TIMEOUT)


def _remaining(entry: dict[str, float] | None, moment: float) -> float:
    if not entry:
        return 0.0
    return max(0.0, float(entry.get("locked_until", 0.0)) - moment)


def _locked_message(seconds: float) -> str:
    minutes = max(1, int(-(-seconds // 60)))
    return f"登录失败次数过多，该账号已暂时锁定，请 {minutes} 分钟后再试。如忘记密码，请联系系统管理员重设。"


def authenticate(name: str, password: str, root: Path, path: Path | None = None, moment: float | None = None) -> User:
    """The User when name and password match and the name is not locked; else LoginError (Chinese, no secret in it).

    The lockout file is read and written under its own lock, so simultaneous
    wrong guesses from several browsers all count.
    """
    moment = time.time() if moment is None else moment
    name = (name or "").strip()
    accounts = load(path or users_path())
    account = accounts.get(name)
    key = _key(name)
    lockout = _lockout_path(root)
    with _lockout_lock(root):
        state = _read_lockout(lockout)
        entry = state.get(key)
        left = _remaining(entry, moment)
        if left > 0:
            raise LoginError(_locked_message(left), locked=True, known=account is not None)
        ok = _matches(password or "", account.password if account else _dummy_hash(rounds())) and account is not None
        if ok:
            if key in state:
                del state[key]
                atomic_write(lockout, json.dumps(state).encode("utf-8"))
            assert account is not None
            return account.user()
        failures = (int(entry.get("failures", 0)) if entry and not entry.get("locked_until") else 0) + 1
        record: dict[str, float] = {"failures": failures, "last": moment}
        if failures >= MAX_FAILURES:
            record["locked_until"] = moment + LOCK_MINUTES * 60
        state[key] = record
        state = {k: v for k, v in state.items() if moment - float(v.get("last", 0)) < 86400 or _remaining(v, moment) > 0}
        atomic_write(lockout, json.dumps(state).encode("utf-8"))
    if failures >= MAX_FAILURES:
        raise LoginError(_locked_message(LOCK_MINUTES * 60), locked=True, known=account is not None)
    left_tries = MAX_FAILURES - failures
    raise LoginError(f"用户名或密码不正确。再错 {left_tries} 次，账号将锁定 {LOCK_MINUTES} 分钟。", known=account is not None)


def lock_status(name: str, root: Path, moment: float | None = None) -> tuple[int, float]:
    """(failures so far, seconds still locked) for a login name."""
    moment = time.time() if moment is None else moment
    entry = _read_lockout(_lockout_path(root)).get(_key(name))
    if not entry:
        return 0, 0.0
    return int(entry.get("failures", 0)), _remaining(entry, moment)


def unlock(name: str, root: Path) -> bool:
    """Clear the failures of a login name (the admin's answer to a locked-out colleague); True if it was counted."""
    lockout = _lockout_path(root)
    with _lockout_lock(root):
        state = _read_lockout(lockout)
        if state.pop(_key(name), None) is None:
            return False
        atomic_write(lockout, json.dumps(state).encode("utf-8"))
        return True
