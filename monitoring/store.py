"""The submission store: every received file kept, reviewed, and the live data set built from it.

Layout under a data root (default `data/`; the CLI passes `--root`)::

    submissions/<id>.xlsx|.csv        each received file, byte for byte, named by its submission id
    submissions/normalized/<id>.csv   the validated rows of an accepted file, so approving needs no catalogue
    submissions/manifest.json         the list of submissions: who, when, status, validation summary, review
    measurements/<id>.csv             the live data: rows of each approved submission (UTF-8 with BOM)
    measurements/<other>.csv|.xlsx    files an office dropped in by hand; validated on every read
    .store.lock                       the lock every write holds

Why it is built this way:

- The manifest is the single source of truth. Every file a submission needs
  is written *before* the manifest names it, and every write is atomic
  (temporary file in the same folder, fsync, `os.replace`), so a process
  killed at any moment leaves either the old or the new state, never a torn
  one; at worst an orphan file the reader ignores because the manifest does
  not vouch for it.
- Writes hold one file lock for the whole read-modify-write of the manifest,
  so departments submitting at the same moment all land. Reads take no lock:
  they load the manifest once and only open files it names.
- Nothing a department sends is lost: an invalid file is kept and recorded as
  `rejected` with its validation summary, so the office sees failed attempts.
- `data/demo/` belongs to the demo data set and is never touched here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypedDict

import pandas as pd

from monitoring.catalogue import Catalogue
from monitoring.files import StoreError, atomic_write, file_lock, iso, now
from monitoring.measurements import COLUMNS, NUMERIC, XLSX_MAGIC, ValidationReport, validate_bytes

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

SUBMISSION_ID = re.compile(r"^S\d{8}T\d{6}-[0-9a-f]{6}$")
KEY = ["indicator_id", "year", "county", "region", "sex"]
TEXT_COLUMNS = [c for c in COLUMNS if c not in NUMERIC]
PROVENANCE = ["submission_id", "department", "user", "time", "file", "approved_by", "approved_at"]
FIRST_ERRORS = 10  # errors kept in the manifest; the full list is re-created by validating the kept file
REASON_ERRORS = 3  # errors quoted in the rejection reason
LOCK_TIMEOUT = 60.0
SYSTEM_REVIEWER = "系统校验"  # reviewed_by of a file rejected automatically because it failed validation
HAND_PREFIX = "手工放入："
MANIFEST = "manifest.json"
LOCK_FILE = ".store.lock"


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


SUBMISSION_STATUS_LABELS: dict[str, str] = {
    SubmissionStatus.PENDING: "待审核",
    SubmissionStatus.APPROVED: "已批准",
    SubmissionStatus.REJECTED: "已驳回",
    SubmissionStatus.SUPERSEDED: "已被替代",
}


class ValidationSummary(TypedDict):
    ok: bool
    errors: int
    notices: int
    first_errors: list[dict[str, Any]]


class Entry(TypedDict):
    """One manifest entry (a plain dict in `manifest.json`)."""

    id: str
    department: str
    user: str
    time: str  # ISO, local time with offset
    filename: str  # the uploaded name: metadata only, never used as a path
    file: str  # the kept file under submissions/
    size: int
    sha256: str
    rows: int
    status: str
    validation: ValidationSummary
    reason: str | None
    reviewed_by: str | None
    reviewed_at: str | None
    approval_no: int | None  # approval order; the later approval wins
    superseded_by: str | None
    superseded_at: str | None


# ---------------------------------------------------------------- files


def read_manifest(path: Path) -> list[Entry]:
    """The manifest's entries; none when the store is new."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"提交清单 {path} 已损坏，无法读取（{exc}）。请从备份恢复该文件，或联系技术人员。") from exc
    if not isinstance(data, list):
        raise StoreError(f"提交清单 {path} 的格式不对（应为列表）。请从备份恢复该文件，或联系技术人员。")
    return data


def write_manifest(path: Path, entries: list[Entry]) -> None:
    """Write the manifest atomically; this is the commit point of every change to the store."""
    text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, text.encode("utf-8"))


def rows_csv(rows: pd.DataFrame) -> bytes:
    """Canonical rows as CSV, UTF-8 with BOM so Excel opens it with the Chinese intact."""
    return rows[COLUMNS].to_csv(index=False).encode("utf-8-sig")


def read_rows_csv(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a rows CSV written by `rows_csv`: text stays text ("" for blank), numbers are numbers."""
    wanted = columns or COLUMNS
    present = wanted
    if "county" in wanted:  # files kept before the 区县 column existed: one county's rows, "" until `with_county`
        header = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns
        if "county" not in header:
            present = [c for c in wanted if c != "county"]
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        usecols=present,
        dtype={c: str for c in TEXT_COLUMNS if c in wanted},
        keep_default_na=False,
        na_values={c: [""] for c in NUMERIC if c in wanted},
    )
    if "county" in wanted and "county" not in frame:
        frame["county"] = ""
    return _typed(frame[wanted])


def _covers(covered: set[tuple], keys: set[tuple]) -> bool:
    """Whether every key (indicator, year, county, region, sex) is in `covered`; a key kept without a county
    (before the 区县 column existed) matches the same indicator, year, region and sex of any county."""
    loose = {(k, y, r, s) for k, y, _, r, s in covered}
    return all(key in covered or (key[2] == "" and (key[0], key[1], key[3], key[4]) in loose) for key in keys)


def with_county(rows: pd.DataFrame, catalogue: Catalogue | None) -> pd.DataFrame:
    """Rows kept before the 区县 column existed belong to the office's own county."""
    if "county" in rows and catalogue is not None and catalogue.regions.home_county:
        blank = rows["county"] == ""
        if blank.any():
            rows = rows.copy()
            rows.loc[blank, "county"] = catalogue.regions.home_county
    return rows


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column == "year":
            frame[column] = frame[column].astype("Int64")
        elif column in NUMERIC:
            frame[column] = frame[column].astype("float64")
        elif column in TEXT_COLUMNS:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series(dtype="object") for c in columns}))


def validation_summary(report: ValidationReport) -> ValidationSummary:
    data = report.to_dict()
    return {"ok": report.ok, "errors": len(report.errors), "notices": len(report.notices), "first_errors": data["errors"][:FIRST_ERRORS]}


def rejection_reason(report: ValidationReport) -> str:
    """The reason recorded for a file that failed validation: the count and the first errors, as a person reads them."""
    quoted = " ".join(f"（{n}）{p}" for n, p in enumerate(report.errors[:REASON_ERRORS], 1))
    more = " ……" if len(report.errors) > REASON_ERRORS else ""
    return f"文件未通过校验，共 {len(report.errors)} 个错误，整份未导入。{quoted}{more}"


def _timestamp(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() if text else 0.0


# ---------------------------------------------------------------- the store


class Store:
    """The submission store under one data root; cheap to create, touches the disk only when used."""

    def __init__(self, root: Path | str = DATA_DIR) -> None:
        self.root = Path(root)
        self.submissions_dir = self.root / "submissions"
        self.normalized_dir = self.submissions_dir / "normalized"
        self.measurements_dir = self.root / "measurements"
        self.manifest_path = self.submissions_dir / MANIFEST
        self.lock_path = self.root / LOCK_FILE

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def _locked(self) -> Iterator[list[Entry]]:
        """Hold the store lock and yield the current manifest; the caller writes it back before leaving."""
        busy = StoreError(f"数据存储正被其他操作占用，等待 {LOCK_TIMEOUT:.0f} 秒仍未完成。请稍后重试。")
        with file_lock(self.lock_path, LOCK_TIMEOUT, busy):
            yield read_manifest(self.manifest_path)

    def submit(
        self,
        data: bytes,
        filename: str,
        department: str,
        user: str,
        catalogue: Catalogue,
        approve: bool = False,
    ) -> tuple[Entry, ValidationReport]:
        """Keep a received file and record it: `pending` if valid (`approved` at once with approve=True), else `rejected`.

        The file is validated before the lock is taken (the slow part), so
        departments do not wait for each other's validation. An invalid file
        is rejected whole but still kept, so nothing a department sent is lost.
        """
        name = self._department(department, catalogue)
        user = self._person(user, "请填写提交人。")
        report = validate_bytes(data, catalogue, filename, name)
        normalized = rows_csv(report.rows) if report.ok else None
        digest = hashlib.sha256(data).hexdigest()
        extension = ".xlsx" if data.startswith(XLSX_MAGIC) else ".csv"
        with self._locked() as entries:
            moment = now()
            submission_id = self._new_id(entries, moment)
            entry: Entry = {
                "id": submission_id,
                "department": name,
                "user": user,
                "time": iso(moment),
                "filename": filename,
                "file": submission_id + extension,
                "size": len(data),
                "sha256": digest,
                "rows": len(report.rows),
                "status": SubmissionStatus.PENDING.value,
                "validation": validation_summary(report),
                "reason": None,
                "reviewed_by": None,
                "reviewed_at": None,
                "approval_no": None,
                "superseded_by": None,
                "superseded_at": None,
            }
            atomic_write(self.submissions_dir / entry["file"], data)
            if normalized is None:
                entry.update(status=SubmissionStatus.REJECTED.value, reason=rejection_reason(report), reviewed_by=SYSTEM_REVIEWER, reviewed_at=entry["time"])
            else:
                atomic_write(self.normalized_dir / f"{submission_id}.csv", normalized)
            entries.append(entry)
            if approve and normalized is not None:
                self._approve(entries, entry, user, moment)
            write_manifest(self.manifest_path, entries)
        return dict(entry), report  # type: ignore[return-value]

    def approve(self, submission_id: str, user: str) -> Entry:
        """Make a pending submission live; earlier ones of the department it fully covers become `superseded`."""
        user = self._person(user, "请填写审核人。")
        with self._locked() as entries:
            entry = self._find(entries, submission_id)
            if entry["status"] != SubmissionStatus.PENDING:
                raise StoreError(self._cannot(entry, "批准"))
            self._approve(entries, entry, user, now())
            write_manifest(self.manifest_path, entries)
        return dict(entry)  # type: ignore[return-value]

    def reject(self, submission_id: str, user: str, reason: str) -> Entry:
        """Refuse a pending submission; the reason is shown to the department so they can correct the file."""
        user = self._person(user, "请填写审核人。")
        reason = (reason or "").strip()
        if not reason:
            raise StoreError("驳回须填写原因，报送单位要据此修改数据。")
        with self._locked() as entries:
            entry = self._find(entries, submission_id)
            if entry["status"] != SubmissionStatus.PENDING:
                raise StoreError(self._cannot(entry, "驳回"))
            entry.update(status=SubmissionStatus.REJECTED.value, reason=reason, reviewed_by=user, reviewed_at=iso(now()))
            write_manifest(self.manifest_path, entries)
        return dict(entry)  # type: ignore[return-value]

    def _approve(self, entries: list[Entry], entry: Entry, user: str, moment: datetime) -> None:
        """Write the live rows first, then mark the entry (the manifest write that follows commits both)."""
        source = self.normalized_dir / f"{entry['id']}.csv"
        try:
            data = source.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(f"提交 {entry['id']} 的数据文件（{source.name}）缺失，无法批准。请让报送单位重新提交。") from exc
        atomic_write(self.measurements_dir / f"{entry['id']}.csv", data)
        when = iso(moment)
        number = max((e.get("approval_no") or 0 for e in entries), default=0) + 1
        entry.update(status=SubmissionStatus.APPROVED.value, reviewed_by=user, reviewed_at=when, approval_no=number)
        covered = self._keys(entry["id"])
        for earlier in entries[: entries.index(entry)]:
            if earlier["department"] != entry["department"] or earlier["status"] not in (SubmissionStatus.PENDING, SubmissionStatus.APPROVED):
                continue
            keys = self._keys(earlier["id"])
            if keys is not None and covered is not None and _covers(covered, keys):
                earlier.update(status=SubmissionStatus.SUPERSEDED.value, superseded_by=entry["id"], superseded_at=when)

    def _keys(self, submission_id: str) -> set[tuple] | None:
        path = self.normalized_dir / f"{submission_id}.csv"
        if not path.exists():
            return None
        frame = read_rows_csv(path, KEY)
        return {(k, int(y), c, r, s) for k, y, c, r, s in frame.itertuples(index=False)}

    def _new_id(self, entries: list[Entry], moment: datetime) -> str:
        taken = {e["id"] for e in entries}
        while True:
            candidate = f"S{moment.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
            if candidate not in taken and not any(self.submissions_dir.glob(candidate + ".*")):
                return candidate

    @staticmethod
    def _department(text: str, catalogue: Catalogue) -> str:
        name = catalogue.department_name(text or "")
        if name is None:
            raise StoreError(f"报送单位“{text}”不在单位名单中（targets/departments.yaml）。请使用单位简称或全称，如“县卫体局”“绛县卫生健康和体育局”。")
        return name

    @staticmethod
    def _person(text: str, message: str) -> str:
        text = (text or "").strip()
        if not text:
            raise StoreError(message)
        return text

    @staticmethod
    def _find(entries: list[Entry], submission_id: str) -> Entry:
        for entry in entries:
            if entry["id"] == submission_id:
                return entry
        raise StoreError(f"找不到提交编号“{submission_id}”。请在提交列表中核对编号。")

    @staticmethod
    def _cannot(entry: Entry, action: str) -> str:
        status = entry["status"]
        sid = entry["id"]
        if status == SubmissionStatus.APPROVED and action == "批准":
            return f"提交 {sid} 已于 {entry['reviewed_at']} 由{entry['reviewed_by']}批准，无需重复批准。"
        if status == SubmissionStatus.APPROVED:
            return f"提交 {sid} 已批准，数据已生效，不能驳回。如数据有误，请报送单位提交更正后的文件。"
        if status == SubmissionStatus.REJECTED:
            return f"提交 {sid} 已驳回（{entry['reason']}），不能{action}。请报送单位修改后重新提交。"
        if status == SubmissionStatus.SUPERSEDED:
            return f"提交 {sid} 已被后来的提交 {entry['superseded_by']} 替代，不能{action}。"
        return f"提交 {sid} 的状态为“{SUBMISSION_STATUS_LABELS.get(status, status)}”，不能{action}。"

    # ------------------------------------------------------------ reading

    def submissions(self, status: str | None = None) -> list[Entry]:
        """Entries in submission order, optionally of one status."""
        if status is not None and status not in set(SubmissionStatus):
            raise StoreError(f"未知的状态“{status}”，可选：{'、'.join(SubmissionStatus)}。")
        return [e for e in read_manifest(self.manifest_path) if status is None or e["status"] == status]

    def get(self, submission_id: str) -> Entry:
        return self._find(read_manifest(self.manifest_path), submission_id)

    def raw_path(self, submission_id: str) -> Path:
        """Where the received file is kept (for download): the bytes exactly as they arrived."""
        return self.submissions_dir / self.get(submission_id)["file"]

    def live(self, catalogue: Catalogue) -> pd.DataFrame:
        """The effective rows: for each indicator, year, region and sex the value of the latest approval.

        Columns: the canonical COLUMNS plus PROVENANCE. Hand-dropped files
        with errors are not applied; they are listed in `.attrs["skipped"]`
        (file and reason) so the office can be told.
        """
        values, skipped = self._values(catalogue)
        live = values[values["effective"]].sort_values(KEY, kind="stable")
        live = live[COLUMNS + PROVENANCE].reset_index(drop=True)
        live.attrs["skipped"] = skipped
        return live

    def history(self, series_key: str, region: str | None = None, catalogue: Catalogue | None = None,
                county: str | None = None) -> pd.DataFrame:
        """Every value ever approved for a series key (optionally one region of one county), newest first,
        and whether it is effective.

        `county` is a county's code, or with a catalogue any of its names
        (绛县, 闻喜县); without it every county's values are listed. The
        catalogue is needed only to read hand-dropped files and to resolve
        names; when not given and such files exist, the default catalogue is
        loaded, so the `effective` flag is always the same as `live()` would say.
        """
        if catalogue is not None:
            series_key = catalogue.series_key(series_key) or series_key
            if region is not None:
                region = catalogue.regions.region_name(region) or region
            if county is not None:
                county = catalogue.regions.resolve(county)
        values, _ = self._values(catalogue)
        chosen = values[values["indicator_id"] == series_key]
        if county is not None:
            chosen = chosen[chosen["county"] == county]
        if region is not None:
            chosen = chosen[chosen["region"] == region]
        chosen = chosen.sort_values(["_ts", "_seq"], ascending=False, kind="stable")
        return chosen[COLUMNS + PROVENANCE + ["effective"]].reset_index(drop=True)

    def hand_files(self, catalogue: Catalogue) -> list[dict[str, Any]]:
        """Files dropped by hand into measurements/: name, time, whether usable, rows or the errors that keep it out."""
        out = []
        if not self.measurements_dir.is_dir():
            return out
        for path in sorted(self.measurements_dir.iterdir()):
            if not self._is_hand_file(path):
                continue
            stat = path.stat()
            report = validate_bytes(path.read_bytes(), catalogue, path.name)
            out.append({
                "file": path.name,
                "time": iso(datetime.fromtimestamp(stat.st_mtime).astimezone()),
                "mtime": stat.st_mtime,
                "ok": report.ok,
                "rows": _typed(report.rows[COLUMNS]),
                "errors": report.to_dict()["errors"],
                "reason": None if report.ok else f"手工放入的文件 {path.name}：{rejection_reason(report)}",
            })
        return out

    @staticmethod
    def _is_hand_file(path: Path) -> bool:
        """A *.csv / *.xlsx not named like a submission id; hidden, temporary and Excel lock files (~$) are not data."""
        return (
            path.is_file()
            and path.suffix.lower() in (".csv", ".xlsx")
            and not path.name.startswith((".", "~$"))
            and not SUBMISSION_ID.match(path.stem)
        )

    def _values(self, catalogue: Catalogue | None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        """Every approved value with provenance and its place in time (`_ts`, `_seq`), and which are effective.

        Submissions are ordered by approval number (their time made monotonic,
        so a clock set back cannot reorder approvals); a hand file takes its
        place by modification time.
        """
        entries = read_manifest(self.manifest_path)
        frames: list[pd.DataFrame] = []
        skipped: list[dict[str, Any]] = []
        approved = sorted(
            (e for e in entries if e.get("approval_no") and e["status"] in (SubmissionStatus.APPROVED, SubmissionStatus.SUPERSEDED)),
            key=lambda e: e["approval_no"],
        )
        clock = 0.0
        for entry in approved:
            clock = max(clock, _timestamp(entry["reviewed_at"]))
            path = self.measurements_dir / f"{entry['id']}.csv"
            try:
                frame = read_rows_csv(path)
            except FileNotFoundError:
                skipped.append({"file": path.name, "reason": f"已批准的提交 {entry['id']} 缺少数据文件 measurements/{path.name}，其数据未计入。"})
                continue
            frame = frame.assign(
                submission_id=entry["id"], department=entry["department"], user=entry["user"], time=entry["time"],
                file=entry["filename"], approved_by=entry["reviewed_by"] or "", approved_at=entry["reviewed_at"] or "",
                _ts=clock, _seq=float(entry["approval_no"]),
            )
            frames.append(frame)

        hand = [p for p in self.measurements_dir.iterdir() if self._is_hand_file(p)] if self.measurements_dir.is_dir() else []
        if hand and catalogue is None:
            from monitoring.catalogue import load_catalogue

            catalogue = load_catalogue()
        if hand and catalogue is not None:
            for item in self.hand_files(catalogue):
                if not item["ok"]:
                    skipped.append({"file": item["file"], "reason": item["reason"], "errors": item["errors"]})
                    continue
                frames.append(item["rows"].assign(
                    submission_id="", department="", user="", time=item["time"], file=HAND_PREFIX + item["file"],
                    approved_by="", approved_at="", _ts=item["mtime"], _seq=0.0,
                ))

        frames = [f for f in frames if len(f)]
        if not frames:
            values = _empty(COLUMNS).assign(**{c: pd.Series(dtype=str) for c in PROVENANCE})
            values = values.assign(_ts=pd.Series(dtype="float64"), _seq=pd.Series(dtype="float64"), effective=pd.Series(dtype=bool))
            return values, skipped
        values = pd.concat(frames, ignore_index=True).sort_values(["_ts", "_seq"], kind="stable").reset_index(drop=True)
        if catalogue is None and (values["county"] == "").any():
            from monitoring.catalogue import load_catalogue

            catalogue = load_catalogue()
        values = with_county(values, catalogue)
        values["effective"] = ~values.duplicated(KEY, keep="last")
        return values, skipped
