"""The audit trail: who did what and when, one JSON line per event, appended and never rewritten.

File: `<data root>/audit/audit.jsonl` (UTF-8). Each line is an object::

    {"seq": 12, "time": "2025-03-01T09:30:05+08:00", "user": "张三", "role": "department",
     "event": "submit", "ok": true, "submission": "S20250301T093005-1a2b3c",
     "department": "县卫体局", "file": "卫体局2024.xlsx", "sha256": "…", "detail": "…", "prev": "…"}

Why it is built this way:

- Append-only: the file is opened for appending and nothing in the platform
  ever opens it otherwise. Each write holds a file lock (so simultaneous
  events from several processes land whole and in order), is flushed and
  fsynced before the action reports success to the person.
- Tamper-evident: every line carries `prev`, the sha256 of the line before,
  and `seq`, its number. `verify` walks the chain, so an edited, removed or
  reordered line is found and reported with its line number.
- Nothing secret is ever written: the record function takes no password, and
  a failed login for an unknown name records "（未知用户名）", not what was typed
  (people type their password into the name field by mistake).
- Reading tolerates a damaged line (reported, not fatal), so the office can
  still see the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from monitoring.files import StoreError, file_lock, iso, now

AUDIT_DIR = "audit"
AUDIT_FILE = "audit.jsonl"
LOCK_TIMEOUT = 60.0
TAIL_CHUNK = 8192
UNKNOWN_USER = "（未知用户名）"
GENESIS = "0" * 64


class Event(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT = "logout"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REPORT = "report"
    DENIED = "denied"
    USER_ADD = "user_add"
    USER_EDIT = "user_edit"
    USER_REMOVE = "user_remove"
    USER_PASSWORD = "user_password"
    USER_UNLOCK = "user_unlock"
    BACKUP = "backup"
    RESTORE = "restore"


EVENT_LABELS: dict[str, str] = {
    Event.LOGIN: "登录",
    Event.LOGIN_FAILED: "登录失败",
    Event.LOGIN_LOCKED: "账号锁定",
    Event.LOGOUT: "退出登录",
    Event.SUBMIT: "提交数据",
    Event.APPROVE: "批准",
    Event.REJECT: "驳回",
    Event.REPORT: "生成报告",
    Event.DENIED: "越权操作被拒绝",
    Event.USER_ADD: "添加用户",
    Event.USER_EDIT: "修改用户",
    Event.USER_REMOVE: "删除用户",
    Event.USER_PASSWORD: "重设密码",
    Event.USER_UNLOCK: "解除锁定",
    Event.BACKUP: "备份",
    Event.RESTORE: "恢复",
}

FIELDS = ["seq", "time", "user", "role", "event", "ok", "submission", "department", "file", "sha256", "target", "detail", "source", "prev"]
TABLE_COLUMNS = ["序号", "时间", "用户", "角色", "操作", "结果", "报送编号", "单位", "文件", "SHA-256", "对象", "说明", "来源"]


class AuditError(StoreError):
    """The audit log cannot be written; a storage failure like any other, shown to the person as is."""


def audit_path(root: Path) -> Path:
    return Path(root) / AUDIT_DIR / AUDIT_FILE


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def _last_line(path: Path) -> bytes | None:
    """The last complete line of the file, read from the end (the log grows for years)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        buffer = b""
        position = end
        while position > 0:
            step = min(TAIL_CHUNK, position)
            position -= step
            handle.seek(position)
            buffer = handle.read(step) + buffer
            stripped = buffer.rstrip(b"\r\n")
            if b"\n" in stripped:
                return stripped.rsplit(b"\n", 1)[1]
        stripped = buffer.rstrip(b"\r\n")
        return stripped or None


def _ends_torn(path: Path) -> bool:
    """Whether the file ends without a newline (a write cut short by a crash)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except FileNotFoundError:
        return False


def _last_good_seq(path: Path) -> int:
    for line in reversed(path.read_bytes().splitlines()):
        try:
            return int(json.loads(line.decode("utf-8")).get("seq") or 0)
        except (UnicodeDecodeError, ValueError, AttributeError, TypeError):
            continue
    return 0


def record(
    root: Path,
    event: Event | str,
    user: str,
    role: str = "",
    *,
    ok: bool = True,
    submission: str | None = None,
    department: str | None = None,
    file: str | None = None,
    sha256: str | None = None,
    target: str | None = None,
    detail: str = "",
    source: str = "网页",
) -> dict[str, Any]:
    """Append one event and make it durable; returns the event as written. Raises AuditError when it cannot be written."""
    path = audit_path(root)
    busy = AuditError(f"审计日志正被占用，等待 {LOCK_TIMEOUT:.0f} 秒仍未写入。请稍后重试。")
    with file_lock(path.with_name(".audit.lock"), LOCK_TIMEOUT, busy):
        last = _last_line(path)
        torn = _ends_torn(path)
        seq = 0
        if last:
            try:
                seq = int(json.loads(last.decode("utf-8")).get("seq") or 0)
            except (UnicodeDecodeError, ValueError, AttributeError, TypeError):
                seq = _last_good_seq(path)  # a line torn by a crash: number on from the last whole one
        entry: dict[str, Any] = {
            "seq": seq + 1,
            "time": iso(now()),
            "user": user or UNKNOWN_USER,
            "role": role,
            "event": str(Event(event)),
            "ok": ok,
            "submission": submission,
            "department": department,
            "file": file,
            "sha256": sha256,
            "target": target,
            "detail": detail,
            "source": source,
            "prev": _line_hash(last) if last else GENESIS,
        }
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        try:
            with path.open("ab") as handle:
                handle.write(b"\n" + line if torn else line)  # never glue an event onto a torn line
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise AuditError(f"审计日志无法写入（{exc.strerror or type(exc).__name__}）。操作未被记录，请联系系统管理员检查数据文件夹。") from exc
        return entry


# ---------------------------------------------------------------- reading


@dataclass
class AuditLog:
    """Events read from the log, and the lines that could not be read or break the chain."""

    events: list[dict[str, Any]]
    problems: list[str]


def read(root: Path) -> AuditLog:
    """Every event in order, with the chain checked line by line."""
    path = audit_path(root)
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return AuditLog(events, problems)
    previous_hash = GENESIS
    previous_seq = 0
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except (UnicodeDecodeError, ValueError):
            problems.append(f"第 {number} 行无法读取（不是完整的记录）。")
            previous_hash = _line_hash(line)
            continue
        if entry.get("prev") != previous_hash:
            problems.append(f"第 {number} 行（序号 {entry.get('seq')}）与上一行不衔接：日志可能被改动、删除或插入过记录。")
        if entry.get("seq") != previous_seq + 1:
            problems.append(f"第 {number} 行的序号为 {entry.get('seq')}，应为 {previous_seq + 1}：日志可能被删改。")
        previous_seq = int(entry.get("seq") or 0) if str(entry.get("seq", "")).isdigit() else previous_seq + 1
        previous_hash = _line_hash(line)
        events.append(entry)
    return AuditLog(events, problems)


def day_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def select(
    events: Iterable[dict[str, Any]],
    user: str | None = None,
    events_of: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    submission: str | None = None,
) -> list[dict[str, Any]]:
    """Events matching every given filter (dates inclusive), in log order."""
    wanted = set(events_of) if events_of else None
    out = []
    for entry in events:
        if user and entry.get("user") != user:
            continue
        if wanted is not None and entry.get("event") not in wanted:
            continue
        day = day_of(entry.get("time"))
        if since and (day is None or day < since):
            continue
        if until and (day is None or day > until):
            continue
        if submission and entry.get("submission") != submission:
            continue
        out.append(entry)
    return out


def table_rows(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as the office reads them (Chinese column names and labels), newest first."""
    from monitoring.users import ROLE_LABELS

    labels = {**ROLE_LABELS, "local": "本机用户", "cli": "命令行操作员"}
    rows = []
    for e in reversed(list(events)):
        rows.append({
            "序号": e.get("seq"),
            "时间": (e.get("time") or "")[:19].replace("T", " "),
            "用户": e.get("user") or "",
            "角色": labels.get(e.get("role") or "", e.get("role") or ""),
            "操作": EVENT_LABELS.get(e.get("event") or "", e.get("event") or ""),
            "结果": "成功" if e.get("ok", True) else "未成功",
            "报送编号": e.get("submission") or "",
            "单位": e.get("department") or "",
            "文件": e.get("file") or "",
            "SHA-256": e.get("sha256") or "",
            "对象": e.get("target") or "",
            "说明": e.get("detail") or "",
            "来源": e.get("source") or "",
        })
    return rows
