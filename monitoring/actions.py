"""Every action a person takes, checked and recorded: the one layer the CLI and the pages both call.

Each function takes the acting `User`, calls `permissions.authorize` before
touching anything, does the work through the store (or reports, users,
backup), and appends an event to the audit trail. A refused action is recorded
too (`denied`), so the office sees attempts, not only successes. Pages never
call the store's write methods or `authorize` themselves; hiding a button is
convenience, this layer is the rule.

`source` says where the action came from ("网页" or "命令行") for the audit log.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from monitoring import audit, users
from monitoring.audit import Event
from monitoring.catalogue import Catalogue
from monitoring.datasets import Dataset, data_root
from monitoring.measurements import ValidationReport
from monitoring.permissions import Action, PermissionDenied, authorize, can, local_user
from monitoring.store import Entry, Store, StoreError, SubmissionStatus, read_rows_csv
from monitoring.users import User

MAX_UPLOAD_MB = 20  # the same number as maxUploadSize in .streamlit/config.toml (a test keeps them equal)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
WEB, CLI = "网页", "命令行"


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else data_root()


def role_of(user: User) -> str:
    """The role written to the audit log: the user's role, or "local" for the built-in user of local mode."""
    if user.operator:
        return "cli"
    return "local" if user.local else str(user.role)


def operator() -> User:
    """The person at the server's command line (users, backup, restore): whoever can run it owns the files anyway.

    Recorded as 命令行（<system account>）, so the audit log still says which account did it.
    """
    try:
        account = getpass.getuser()
    except Exception:  # no login name in some service environments
        account = "未知账户"
    return dataclasses.replace(local_user(f"命令行（{account}）"), operator=True)


def _event(root: Path, event: Event, user: User, source: str, **fields: Any) -> dict[str, Any]:
    return audit.record(root, event, user.name, role_of(user), source=source, **fields)


def _check(user: User, action: Action, root: Path, source: str, department: str | None = None, **context: Any) -> None:
    """authorize, with a refusal written to the audit log before it is raised."""
    try:
        authorize(user, action, department)
    except PermissionDenied as exc:
        _event(root, Event.DENIED, user, source, ok=False, department=department, detail=str(exc), **context)
        raise


def require(user: User, action: Action, department: str | None = None, root: Path | None = None, source: str = WEB) -> None:
    """Refuse early (before slow work) exactly as the action itself would: PermissionDenied, recorded as denied."""
    _check(user, action, _root(root), source, department)


# ---------------------------------------------------------------- login


def login(name: str, password: str, root: Path | None = None, users_file: Path | None = None, source: str = WEB) -> User:
    """Check name and password (with lockout) and record the attempt; LoginError on refusal."""
    root = _root(root)
    try:
        user = users.authenticate(name, password, root, users_file)
    except users.LoginError as exc:
        known = users.get(name.strip(), users_file) if exc.known else None
        who = known.name if known else audit.UNKNOWN_USER
        event = Event.LOGIN_LOCKED if exc.locked else Event.LOGIN_FAILED
        audit.record(root, event, who, role_of(known) if known else "", ok=False, source=source, detail=str(exc))
        raise
    _event(root, Event.LOGIN, user, source)
    return user


def logout(user: User, root: Path | None = None, source: str = WEB, detail: str = "") -> None:
    _event(_root(root), Event.LOGOUT, user, source, detail=detail)


# ---------------------------------------------------------------- submissions


def check_upload_size(size: int) -> None:
    """Refuse a file over the limit before reading it (the web server enforces the same limit)."""
    if size > MAX_UPLOAD_BYTES:
        raise StoreError(f"文件太大（{size / 1024 / 1024:.1f} MB），超过 {MAX_UPLOAD_MB} MB 的上限。报送文件应是几十 KB 的表格；请只保留数据工作表后重新保存。")


def submit(user: User, data: bytes, filename: str, department: str, catalogue: Catalogue, *, approve: bool = False,
           root: Path | None = None, source: str = WEB) -> tuple[Entry, ValidationReport]:
    """A department's file in: checked against the user's units, kept, validated, pending review (or approved with approve=True).

    The file type is told by its content and the kept file is named by its
    submission id; the uploaded name is recorded as metadata only.
    """
    root = _root(root)
    digest = hashlib.sha256(data).hexdigest()
    name = catalogue.department_name(department or "") or (department or "")
    _check(user, Action.SUBMIT, root, source, name, file=filename, sha256=digest)
    if approve:
        _check(user, Action.APPROVE, root, source, name, file=filename, sha256=digest)
    check_upload_size(len(data))
    entry, report = Store(root).submit(data, filename, name, user.name, catalogue, approve=approve)
    detail = f"{entry['rows']} 行，{'校验通过' if report.ok else f'校验未通过（{len(report.errors)} 处错误），已自动退回'}"
    _event(root, Event.SUBMIT, user, source, ok=report.ok, submission=entry["id"], department=entry["department"],
           file=filename, sha256=digest, detail=detail)
    if approve and entry["status"] == SubmissionStatus.APPROVED:
        _event(root, Event.APPROVE, user, source, submission=entry["id"], department=entry["department"], file=filename,
               sha256=digest, detail=f"提交即批准（办公室自行导入），{entry['rows']} 行数据生效")
    return entry, report


def approve(user: User, submission_id: str, root: Path | None = None, source: str = WEB) -> Entry:
    """Make a pending submission the official figures (office only)."""
    root = _root(root)
    store = Store(root)
    department = _department_of(store, submission_id)
    _check(user, Action.APPROVE, root, source, department, submission=submission_id)
    entry = store.approve(submission_id, user.name)
    superseded = [e["id"] for e in store.submissions(SubmissionStatus.SUPERSEDED) if e.get("superseded_by") == entry["id"]]
    detail = f"{entry['rows']} 行数据生效" + (f"；替代了 {'、'.join(superseded)}" if superseded else "")
    _event(root, Event.APPROVE, user, source, submission=entry["id"], department=entry["department"], file=entry["filename"],
           sha256=entry["sha256"], detail=detail)
    return entry


def reject(user: User, submission_id: str, reason: str, root: Path | None = None, source: str = WEB) -> Entry:
    """Refuse a pending submission with a reason the department reads (office only)."""
    root = _root(root)
    store = Store(root)
    department = _department_of(store, submission_id)
    _check(user, Action.REJECT, root, source, department, submission=submission_id)
    entry = store.reject(submission_id, user.name, reason)
    _event(root, Event.REJECT, user, source, submission=entry["id"], department=entry["department"], file=entry["filename"],
           sha256=entry["sha256"], detail=f"原因：{entry['reason']}")
    return entry


def _department_of(store: Store, submission_id: str) -> str | None:
    try:
        return store.get(submission_id)["department"]
    except StoreError:
        return None  # the store says "not found" after the permission check


def submissions(user: User, department: str | None = None, status: str | None = None, root: Path | None = None) -> list[Entry]:
    """The submissions a user may see: a department user only its own units' (all of them when `department` is None)."""
    entries = Store(_root(root)).submissions(status)
    if department is not None:
        authorize(user, Action.SUBMISSIONS, department)
        return [e for e in entries if e["department"] == department]
    authorize(user, Action.SUBMISSIONS)
    return [e for e in entries if can(user, Action.SUBMISSIONS, e["department"])]


@dataclass
class ReviewItem:
    """A pending submission as the office reviews it: the entry and its rows against the current values."""

    entry: Entry
    table: pd.DataFrame
    counts: dict[str, int]
    problem: str | None = None  # the rows cannot be read (the office can still reject it)


def review_queue(user: User, catalogue: Catalogue, live: pd.DataFrame, root: Path | None = None) -> list[ReviewItem]:
    """Every pending submission, oldest first, with its rows and their change against the live values (office only)."""
    from monitoring import intake

    authorize(user, Action.APPROVE)
    store = Store(_root(root))
    items = []
    for entry in store.submissions(SubmissionStatus.PENDING):
        path = store.normalized_dir / f"{entry['id']}.csv"
        try:
            rows = read_rows_csv(path)
        except (FileNotFoundError, ValueError) as exc:
            items.append(ReviewItem(entry, pd.DataFrame(), {}, f"数据文件无法读取（{type(exc).__name__}），不能批准；请驳回并请报送单位重新提交。"))
            continue
        table = intake.review_preview(rows, catalogue, live)
        items.append(ReviewItem(entry, table, intake.change_counts(table)))
    return items


# ---------------------------------------------------------------- reports


def report(user: User, catalogue: Catalogue, dataset: Dataset, kind: str, year: int | None = None, plan: str | None = None, *,
           charts: bool = True, progress: Callable[[float, str], None] | None = None, root: Path | None = None, source: str = WEB,
           county: str | None = None):
    """Generate an evaluation report (office only) and record it with the checksums of both files.

    `county` (code or name) chooses the county of the body when the data hold several (see `reports.build_report`).
    """
    from monitoring.reports import build_report

    root = _root(root)
    _check(user, Action.REPORT, root, source)
    result = build_report(catalogue, dataset, kind, year, plan, charts=charts, progress=progress, county=county)
    several, county = getattr(result, "counties", 1), getattr(result, "county", None)
    counties = f"，正文为{catalogue.regions.label(county)}，区县对比{several}个区县" if several > 1 and county else ""
    _event(root, Event.REPORT, user, source, file=result.filename, sha256=hashlib.sha256(result.docx).hexdigest(),
           target=result.title, detail=f"{result.year}年，{dataset.label}{counties}；汇总表 {result.xlsx_filename} SHA-256 {hashlib.sha256(result.xlsx).hexdigest()}")
    return result


# ---------------------------------------------------------------- the audit trail


def audit_log(user: User, root: Path | None = None) -> audit.AuditLog:
    """The whole audit trail (office and admin only)."""
    authorize(user, Action.AUDIT)
    return audit.read(_root(root))


# ---------------------------------------------------------------- users


def list_users(actor: User, users_file: Path | None = None) -> list[dict[str, Any]]:
    authorize(actor, Action.MANAGE_USERS)
    return [a.public() for a in users.load(users_file or users.users_path()).values()]


def add_user(actor: User, name: str, role: str, departments: list[str], password: str, *, users_file: Path | None = None,
             root: Path | None = None, source: str = WEB) -> dict[str, Any]:
    root = _root(root)
    _check(actor, Action.MANAGE_USERS, root, source, target=name)
    account = users.add(name, role, departments, password, users_file)
    _event(root, Event.USER_ADD, actor, source, target=account.name,
           detail=f"角色：{users.ROLE_LABELS[account.role]}" + (f"；单位：{'、'.join(account.departments)}" if account.departments else ""))
    return account.public()


def edit_user(actor: User, name: str, role: str | None = None, departments: list[str] | None = None, *,
              users_file: Path | None = None, root: Path | None = None, source: str = WEB) -> dict[str, Any]:
    root = _root(root)
    _check(actor, Action.MANAGE_USERS, root, source, target=name)
    account = users.edit(name, role, departments, users_file)
    _event(root, Event.USER_EDIT, actor, source, target=account.name,
           detail=f"角色：{users.ROLE_LABELS[account.role]}" + (f"；单位：{'、'.join(account.departments)}" if account.departments else ""))
    return account.public()


def remove_user(actor: User, name: str, *, users_file: Path | None = None, root: Path | None = None, source: str = WEB) -> dict[str, Any]:
    root = _root(root)
    _check(actor, Action.MANAGE_USERS, root, source, target=name)
    if not actor.local and name.strip() == actor.name:
        raise users.UsersError("不能删除自己正在使用的账号。请由另一位管理员删除，或在服务器上用命令行删除。")
    account = users.remove(name, users_file)
    _event(root, Event.USER_REMOVE, actor, source, target=account.name, detail=f"角色：{users.ROLE_LABELS[account.role]}")
    return account.public()


def set_password(actor: User, name: str, password: str, *, users_file: Path | None = None, root: Path | None = None,
                 source: str = WEB) -> dict[str, Any]:
    """An admin sets a password (and clears any lockout of the name); the password itself is never recorded."""
    root = _root(root)
    _check(actor, Action.MANAGE_USERS, root, source, target=name)
    account = users.set_password(name, password, users_file)
    users.unlock(account.name, root)
    _event(root, Event.USER_PASSWORD, actor, source, target=account.name, detail="密码已重设（不记录密码）")
    return account.public()


def unlock_user(actor: User, name: str, *, root: Path | None = None, source: str = WEB) -> bool:
    root = _root(root)
    _check(actor, Action.MANAGE_USERS, root, source, target=name)
    cleared = users.unlock(name, root)
    _event(root, Event.USER_UNLOCK, actor, source, target=name.strip(), detail="已解除锁定" if cleared else "该用户未被锁定")
    return cleared


# ---------------------------------------------------------------- backup and restore


def backup(actor: User, out: Path, root: Path | None = None, users_file: Path | None = None, source: str = CLI) -> int:
    """Pack the data root and the users file (admin or office, i.e. the operator); recorded after the archive is written."""
    from monitoring.backup import create_backup, sha256_file

    root = _root(root)
    users_file = users_file or users.users_path()
    count = create_backup(root, out, users_file)
    _event(root, Event.BACKUP, actor, source, file=str(out), sha256=sha256_file(out), detail=f"{count} 个文件")
    return count


def restore(actor: User, archive: Path, root: Path | None = None, users_file: Path | None = None, source: str = CLI):
    """Verify and restore an archive; the event is appended to the restored audit log (with where the old state went)."""
    from monitoring.backup import restore as restore_archive

    root = _root(root)
    users_file = users_file or users.users_path()
    result = restore_archive(archive, root, users_file)
    before = f"；恢复前的数据已另存为 {result.before}" if result.before else ""
    _event(root, Event.RESTORE, actor, source, file=str(archive), sha256=result.archive.sha256,
           detail=f"恢复了 {result.files} 个文件（备份时间 {result.archive.meta.get('created', '未知')}）{before}")
    return result
