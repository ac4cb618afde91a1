"""Backup and restore of the whole data root (and the users file) as one zip with a checksum list.

The office runs the platform on a plain PC with no database; this zip, kept
on another disk, is its only protection against a dead disk. So:

- A backup is the data root exactly as it is (submissions, manifest, live
  data, audit log, lockout state, demo data, hand-dropped files) under
  `data/`, the users file under `users/users.yaml`, `BACKUP.json` (when,
  from where) and `MANIFEST.sha256`: one line `<sha256>  <name>` per file, the
  format `sha256sum -c` reads, so the IT person can check a copy by hand.
  It is taken under the store, audit and users locks, so it is consistent
  even while departments submit; lock and temporary files are left out.
- Restore verifies the whole archive first (every name safe, every checksum
  right, nothing missing or extra) and refuses a damaged one before touching
  anything. It then saves the current state beside the data root
  (`<root>-before-restore-<time>.zip`, outside what is replaced), unpacks to a
  staging folder beside the root, and moves each file into place. A restore
  interrupted half-way is finished by running it again.
- An archive without a users file (taken in local mode) leaves the current
  users file alone: a restore must never silently switch login off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from monitoring.audit import AUDIT_DIR
from monitoring.files import atomic_write, file_lock, iso, now
from monitoring.store import LOCK_FILE

MANIFEST_NAME = "MANIFEST.sha256"
META_NAME = "BACKUP.json"
DATA_PREFIX = "data/"
USERS_NAME = "users/users.yaml"
FORMAT = 1
MAX_TOTAL_BYTES = 8 * 1024**3  # refuse archives that claim to unpack to more than this (a zip bomb, not a county's data)
CHUNK = 1024 * 1024
LOCK_TIMEOUT = 120.0
# What reading a damaged member raises: a bad header, a CRC mismatch, corrupt deflate data, a cut-off file.
_UNREADABLE = (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error, ValueError, NotImplementedError)
_SAFE_PART = re.compile(r"^[^\\/:*?\"<>|\x00-\x1f]+$")


class BackupError(Exception):
    """A backup cannot be made or an archive is refused; the message is Chinese and lists every problem found."""


@dataclass
class Archive:
    """A verified archive: its files (name → sha256) and what BACKUP.json says."""

    path: Path
    files: dict[str, str]
    meta: dict
    sha256: str

    @property
    def has_users(self) -> bool:
        return USERS_NAME in self.files

    def data_files(self) -> dict[str, str]:
        """Paths relative to the data root → sha256."""
        return {name[len(DATA_PREFIX):]: digest for name, digest in self.files.items() if name.startswith(DATA_PREFIX)}


@dataclass
class RestoreResult:
    archive: Archive
    before: Path | None  # the backup of the state that was replaced (None when there was nothing)
    files: int
    users: str  # restored | kept | none
    removed: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _skipped(relative: PurePosixPath) -> bool:
    """Lock files, atomic-write temporaries and restore staging are transient state, not data."""
    name = relative.name
    return name.endswith(".lock") or (name.startswith(".") and name.endswith(".tmp"))


def data_files(root: Path) -> dict[str, Path]:
    """The files a backup holds from a data root: relative POSIX path → path (no symlinks, no transient files)."""
    out: dict[str, Path] = {}
    if not root.is_dir():
        return out
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = PurePosixPath(path.relative_to(root).as_posix())
        if not _skipped(relative):
            out[str(relative)] = path
    return out


@contextlib.contextmanager
def _all_locks(root: Path, users_file: Path | None) -> Iterator[None]:
    """The store lock, the audit lock and the users lock, always in this order (nothing else takes two of them)."""
    paths = [root / LOCK_FILE, root / AUDIT_DIR / ".audit.lock"]
    if users_file is not None:
        paths.append(users_file.with_name(f".{users_file.name}.lock"))
    with contextlib.ExitStack() as held:  # released in reverse order
        for path in paths:
            busy = BackupError(f"数据正被其他操作占用，等待 {LOCK_TIMEOUT:.0f} 秒仍未完成，未备份。请稍后重试。")
            held.enter_context(file_lock(path, LOCK_TIMEOUT, busy))
        yield


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _write_archive(root: Path, out: Path, users_file: Path | None) -> int:
    """Write the zip (atomically: a temporary file beside `out`, then rename); returns the number of data and users files."""
    files = data_files(root)
    sums: list[tuple[str, str]] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for relative, path in files.items():
                name = DATA_PREFIX + relative
                archive.write(path, name)
                sums.append((sha256_file(path), name))
            has_users = users_file is not None and users_file.is_file()
            if has_users:
                assert users_file is not None
                archive.write(users_file, USERS_NAME)
                sums.append((sha256_file(users_file), USERS_NAME))
            count = len(sums)
            meta = {
                "format": FORMAT,
                "created": iso(now()),
                "root": str(root.resolve()),
                "users_file": str(users_file.resolve()) if has_users and users_file is not None else None,
                "files": count,
            }
            meta_bytes = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            archive.writestr(META_NAME, meta_bytes)
            sums.append((hashlib.sha256(meta_bytes).hexdigest(), META_NAME))
            archive.writestr(MANIFEST_NAME, "".join(f"{digest}  {name}\n" for digest, name in sums).encode("utf-8"))
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return count


def create_backup(root: Path, out: Path, users_file: Path | None = None) -> int:
    """Pack the data root (and the users file) into `out`; returns the number of files. Refuses `out` inside the root."""
    root, out = Path(root), Path(out)
    if out.suffix.lower() != ".zip":
        raise BackupError("备份文件名应以 .zip 结尾。")
    if _inside(out, root):
        raise BackupError(f"备份文件不能放在数据文件夹 {root} 里面：硬盘损坏时会和数据一起丢失，而且会把自己打包进去。请存到 U 盘、另一块硬盘或网络共享文件夹。")
    if not root.is_dir():
        raise BackupError(f"数据文件夹 {root} 不存在，没有可备份的内容。")
    with _all_locks(root, users_file):
        return _write_archive(root, out, users_file)


# ---------------------------------------------------------------- checking an archive


def safe_name(name: str) -> bool:
    """An archive member name that can only land inside the restore target: relative, no '..', no drive, no backslash."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    parts = name.split("/")
    if any(part in ("", ".", "..") or not _SAFE_PART.match(part) for part in parts):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return name in (MANIFEST_NAME, META_NAME, USERS_NAME) or (name.startswith(DATA_PREFIX) and len(parts) > 1)


def _parse_manifest(text: str, problems: list[str]) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = re.match(r"^([0-9a-f]{64}) [ *](.+)$", line)
        if not match:
            problems.append(f"{MANIFEST_NAME} 第 {number} 行格式不对。")
            continue
        digest, name = match.groups()
        if name in sums:
            problems.append(f"{MANIFEST_NAME} 中 {name} 出现了两次。")
        sums[name] = digest
    return sums


def verify_archive(path: Path) -> Archive:
    """Check everything about an archive without unpacking it; BackupError listing every problem when it is not sound."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在。")
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"备份文件 {path.name} 已损坏或不是本平台的备份（{type(exc).__name__}），未做任何改动。") from exc
    with archive:
        members = archive.infolist()
        names = [m.filename for m in members]
        for name in names:
            if not safe_name(name) and not (name.endswith("/") and safe_name(name.rstrip("/") + "/x")):
                problems.append(f"文件名“{name}”不安全或不属于备份（可能试图写到数据文件夹之外），拒绝恢复。")
        duplicates = {n for n in names if names.count(n) > 1}
        for name in sorted(duplicates):
            problems.append(f"“{name}”在备份中出现了不止一次。")
        for member in members:
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                problems.append(f"“{member.filename}”是符号链接，拒绝恢复。")
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            problems.append("备份解压后的大小异常（超过 8 GB），拒绝恢复。")
        if MANIFEST_NAME not in names:
            problems.append(f"缺少校验清单 {MANIFEST_NAME}：这不是本平台的备份，或已损坏。")
        if problems:
            raise BackupError(_problem_text(path, problems))
        try:
            sums = _parse_manifest(archive.read(MANIFEST_NAME).decode("utf-8"), problems)
        except (*_UNREADABLE, UnicodeDecodeError) as exc:
            raise BackupError(_problem_text(path, [f"校验清单无法读取（{type(exc).__name__}）。"])) from exc
        files = {m.filename for m in members if not m.is_dir() and m.filename != MANIFEST_NAME}
        for name in sorted(set(sums) - files):
            problems.append(f"校验清单列出的 {name} 不在备份中。")
        for name in sorted(files - set(sums)):
            problems.append(f"{name} 不在校验清单中。")
        for name in sorted(set(sums) & files):
            try:
                digest = _member_hash(archive, name)
            except _UNREADABLE as exc:
                problems.append(f"{name} 已损坏，无法读取（{type(exc).__name__}）。")
                continue
            if digest != sums[name]:
                problems.append(f"{name} 的校验值不符（文件已损坏或被改动）。")
        meta: dict = {}
        if META_NAME in files and not problems:
            try:
                meta = json.loads(archive.read(META_NAME).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                problems.append(f"{META_NAME} 无法读取。")
    if problems:
        raise BackupError(_problem_text(path, problems))
    return Archive(path, {n: d for n, d in sums.items() if n != META_NAME}, meta, sha256_file(path))


def _member_hash(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as handle:  # zipfile checks the CRC at the end of the stream
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problem_text(path: Path, problems: list[str]) -> str:
    shown = problems[:20]
    more = f"\n……另有 {len(problems) - 20} 处问题。" if len(problems) > 20 else ""
    return f"备份文件 {path.name} 未通过校验，拒绝恢复，现有数据没有任何改动：\n" + "\n".join(f"- {p}" for p in shown) + more


# ---------------------------------------------------------------- restoring


def before_restore_path(root: Path) -> Path:
    """Where the state being replaced is saved: beside the data root, never inside what is replaced."""
    stamp = now().strftime("%Y%m%d-%H%M%S")
    candidate = root.parent / f"{root.name}-before-restore-{stamp}.zip"
    while candidate.exists():
        candidate = root.parent / f"{root.name}-before-restore-{stamp}-{secrets.token_hex(2)}.zip"
    return candidate


def restore(archive_path: Path, root: Path, users_file: Path | None = None) -> RestoreResult:
    """Verify the archive, save the current state, then make the data root (and users file) what the archive holds."""
    root = Path(root).resolve() if Path(root).exists() else Path(root).absolute()
    archive = verify_archive(archive_path)
    if _inside(Path(archive_path), root):
        raise BackupError("请先把备份文件复制到数据文件夹之外（恢复会替换数据文件夹中的全部文件）。")
    root.mkdir(parents=True, exist_ok=True)
    wanted = archive.data_files()
    with _all_locks(root, users_file):
        before = None
        if data_files(root) or (users_file is not None and users_file.is_file()):
            before = before_restore_path(root)
            _write_archive(root, before, users_file)
        staging = root.parent / f".{root.name}-restore-{secrets.token_hex(4)}"
        try:
            _unpack(archive, staging)
            removed = []
            for relative, path in data_files(root).items():
                if relative not in wanted:
                    path.unlink()
                    removed.append(relative)
            for relative in wanted:
                target = root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / DATA_PREFIX / relative, target)
            _prune_empty(root)
            users = "none"
            if archive.has_users and users_file is not None:
                atomic_write(users_file, (staging / USERS_NAME).read_bytes())
                users = "restored"
            elif users_file is not None and users_file.is_file():
                users = "kept"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        mismatched = [r for r, d in wanted.items() if sha256_file(root / r) != d]
        if mismatched:
            raise BackupError(f"恢复后有 {len(mismatched)} 个文件校验不符（如 {mismatched[0]}），请检查磁盘，必要时用 {before} 再恢复一次。")
    return RestoreResult(archive, before, len(wanted), users, removed)


def _unpack(archive: Archive, staging: Path) -> None:
    """Extract every member to the staging folder, checking each checksum again as it is written."""
    staging.mkdir(parents=True)
    with zipfile.ZipFile(archive.path) as source:
        for name, digest in archive.files.items():
            target = staging.joinpath(*name.split("/"))
            if not _inside(target, staging):  # verify_archive already refused such names; belt and braces
                raise BackupError(f"文件名“{name}”不安全，拒绝恢复。")
            target.parent.mkdir(parents=True, exist_ok=True)
            hasher = hashlib.sha256()
            with source.open(name) as handle, target.open("wb") as out:
                for chunk in iter(lambda h=handle: h.read(CHUNK), b""):
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if hasher.hexdigest() != digest:
                raise BackupError(f"{name} 解压后校验不符，未做任何改动。")


def _prune_empty(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            if not any(folder.iterdir()):
                folder.rmdir()
