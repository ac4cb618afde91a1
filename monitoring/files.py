"""Small file helpers shared by the store, the users file, the audit log and backups.

Atomic writes, file locks that give up with a Chinese message, and the local
time with offset, plus `StoreError`, the refusal every page shows as is. Only
the standard library and filelock: `monitoring.users` and `monitoring.audit`
import this module and must stay free of pandas (a test checks it).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

REPLACE_ATTEMPTS = 40  # × 50 ms


class StoreError(Exception):
    """A request the store refuses (unknown id, wrong status, unknown department); the message is Chinese, shown as is."""


def now() -> datetime:
    """Local time with offset: the office reads times in its own zone, the offset keeps them unambiguous."""
    return datetime.now().astimezone()


def iso(moment: datetime) -> str:
    """A time as every file of the platform records it: ISO, to the second, with its offset."""
    return moment.isoformat(timespec="seconds")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so a reader or a crash sees the old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)


def _replace(source: str, target: Path) -> None:
    """os.replace, retried briefly: on Windows it fails while a reader has the target open."""
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == REPLACE_ATTEMPTS - 1:
                raise
            time.sleep(0.05)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def file_lock(path: Path, timeout: float, busy: Exception) -> Iterator[None]:
    """Hold the lock file `path` (its folder is created); raise `busy` when it is not free within `timeout` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise busy from exc
    try:
        yield
    finally:
        lock.release()
