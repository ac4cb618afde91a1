"""The submission store: keep every file, review, supersede, and build the live data set."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from monitoring.measurements import COLUMNS
from monitoring.store import HAND_PREFIX, PROVENANCE, SUBMISSION_ID, Store, StoreError

HEADER = "指标编号,年份,数值,地区,性别"
ENTRY_KEYS = {
    "id", "department", "user", "time", "filename", "file", "size", "sha256", "rows", "status", "validation",
    "reason", "reviewed_by", "reviewed_at", "approval_no", "superseded_by", "superseded_at",
}


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows, ""]).encode(encoding)


VALID = csv_bytes("C1-03b,2023,3.1,,", "C1-03a,2023,1.2,横水镇,")
INVALID = csv_bytes("C1-03b,2023,abc,,", "C1-03a,二〇二三,1.2,,")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def manifest(store: Store) -> list[dict]:
    return json.loads(store.manifest_path.read_text(encoding="utf-8"))


def value(frame, key: str, year: int = 2023, region: str = "全县") -> float:
    rows = frame[(frame["indicator_id"] == key) & (frame["year"] == year) & (frame["region"] == region)]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


# ---------------------------------------------------------------- submit


def test_valid_submission_is_pending_kept_byte_for_byte_and_not_live(store, catalogue):
    entry, report = store.submit(VALID, "../卫体局 2023.csv", "卫体局", "张三", catalogue)

    assert report.ok
    assert set(entry) == ENTRY_KEYS
    assert entry["status"] == "pending"
    assert SUBMISSION_ID.match(entry["id"]) and entry["file"] == entry["id"] + ".csv"
    assert entry["department"] == "县卫体局"  # alias resolved to the short name
    assert (entry["user"], entry["filename"], entry["rows"], entry["size"]) == ("张三", "../卫体局 2023.csv", 2, len(VALID))
    assert datetime.fromisoformat(entry["time"]).utcoffset() is not None
    kept = store.submissions_dir / entry["file"]
    assert kept.read_bytes() == VALID and store.raw_path(entry["id"]) == kept
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == entry["sha256"]
    assert not list(store.root.rglob("*卫体局 2023*"))  # the uploaded name is metadata only
    assert manifest(store) == [entry]
    assert store.submissions("pending") == [entry]
    assert store.live(catalogue).empty
    assert list(store.live(catalogue).columns) == COLUMNS + PROVENANCE


def test_extension_is_told_by_content(store, catalogue):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["指标编号", "年份", "数值"])
    sheet.append(["C1-03b", 2023, 3.1])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    entry, _ = store.submit(data, "数据.csv", "县卫体局", "张三", catalogue)

    assert entry["file"] == entry["id"] + ".xlsx"
    assert (store.submissions_dir / entry["file"]).read_bytes() == data


def test_approve_makes_the_rows_live(store, catalogue):
    entry, _ = store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue)

    approved = store.approve(entry["id"], "李四")

    assert (approved["status"], approved["reviewed_by"], approved["approval_no"]) == ("approved", "李四", 1)
    assert datetime.fromisoformat(approved["reviewed_at"]).utcoffset() is not None
    measurements = store.measurements_dir / f"{entry['id']}.csv"
    assert measurements.read_bytes().startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    live = store.live(catalogue)
    assert len(live) == 2
    assert value(live, "C1-03b") == 3.1 and value(live, "C1-03a", region="横水镇") == 1.2
    row = live.iloc[0]
    assert (row["submission_id"], row["department"], row["user"], row["file"], row["approved_by"]) == (entry["id"], "县卫体局", "张三", "a.csv", "李四")
    assert row["sex"] == "合计" and row["source"] == ""


@pytest.mark.parametrize("approve", [False, True])
def test_invalid_file_is_kept_and_rejected_whole(store, catalogue, approve):
    entry, report = store.submit(INVALID, "bad.csv", "县卫体局", "张三", catalogue, approve=approve)

    assert not report.ok
    assert entry["status"] == "rejected" and entry["rows"] == 0
    assert entry["reason"].startswith("文件未通过校验，共 2 个错误") and "abc" in entry["reason"]
    assert entry["validation"]["errors"] == 2 and entry["validation"]["first_errors"][0]["code"] == "not_a_number"
    assert entry["reviewed_by"] == "系统校验"
    assert (store.submissions_dir / entry["file"]).read_bytes() == INVALID
    assert not store.measurements_dir.exists()
    assert store.live(catalogue).empty
    assert store.submissions("rejected") == [entry]


def test_submit_with_approve_is_live_at_once(store, catalogue):
    entry, _ = store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue, approve=True)

    assert (entry["status"], entry["reviewed_by"], entry["approval_no"]) == ("approved", "张三", 1)
    assert manifest(store) == [entry]
    assert len(store.live(catalogue)) == 2


def test_unknown_department_is_refused_and_nothing_written(store, catalogue):
    with pytest.raises(StoreError, match="不在单位名单中"):
        store.submit(VALID, "a.csv", "县外星局", "张三", catalogue)
    assert not store.root.exists()


def test_department_scope_is_validated(store, catalogue):
    entry, _ = store.submit(VALID, "a.csv", "县教育局", "王五", catalogue)
    assert entry["status"] == "rejected" and "不属于县教育局" in entry["reason"]


# ---------------------------------------------------------------- later approval wins


@pytest.mark.parametrize("order", ["as submitted", "reversed"])
def test_later_approval_wins_and_the_earlier_stays_in_history(store, catalogue, order):
    first, _ = store.submit(csv_bytes("C1-05d,2023,8.0,,"), "卫体局.csv", "县卫体局", "张三", catalogue)
    second, _ = store.submit(csv_bytes("C1-05d,2023,9.5,,"), "教育局.csv", "县教育局", "王五", catalogue)
    approvals = [first, second] if order == "as submitted" else [second, first]
    for entry in approvals:
        store.approve(entry["id"], "李四")
    winner, loser = approvals[1], approvals[0]

    live = store.live(catalogue)
    assert len(live) == 1 and live["submission_id"].iloc[0] == winner["id"]

    history = store.history("C1-05d")
    assert list(history["submission_id"]) == [winner["id"], loser["id"]]  # newest first
    assert list(history["effective"]) == [True, False]
    assert list(history.columns) == COLUMNS + PROVENANCE + ["effective"]
    assert {e["status"] for e in store.submissions()} == {"approved"}  # other department: no supersede


def test_history_filters_by_region_and_accepts_a_target_id(store, catalogue):
    store.submit(csv_bytes("C1-03a,2023,1.2,横水镇,", "C1-03a,2023,1.0,,"), "a.csv", "县卫体局", "张三", catalogue, approve=True)
    store.submit(csv_bytes("C1-03a,2024,1.1,横水镇,"), "b.csv", "县卫体局", "张三", catalogue, approve=True)

    history = store.history("c1-03a", region="横水镇", catalogue=catalogue)

    assert list(history["year"]) == [2024, 2023] and list(history["effective"]) == [True, True]
    assert store.history("C1-99").empty


def test_approval_supersedes_earlier_submissions_it_fully_covers(store, catalogue):
    a, _ = store.submit(csv_bytes("C1-03b,2023,3.1,,", "C1-03a,2023,1.2,,"), "a.csv", "县卫体局", "张三", catalogue, approve=True)
    b, _ = store.submit(csv_bytes("C1-03b,2023,3.0,,"), "b.csv", "县卫体局", "张三", catalogue)
    not_covered, _ = store.submit(csv_bytes("C1-03c,2023,4.0,,"), "c.csv", "县卫体局", "张三", catalogue)
    rejected, _ = store.submit(INVALID, "bad.csv", "县卫体局", "张三", catalogue)
    other, _ = store.submit(csv_bytes("C1-05d,2023,9.5,,"), "d.csv", "县教育局", "王五", catalogue)
    full, _ = store.submit(csv_bytes("C1-03b,2023,2.9,,", "C1-03a,2023,1.1,,", "C1-05d,2023,9.0,,"), "full.csv", "县卫体局", "张三", catalogue)
    later, _ = store.submit(csv_bytes("C1-03b,2023,2.8,,"), "later.csv", "县卫体局", "张三", catalogue)

    store.approve(full["id"], "李四")

    status = {e["id"]: e for e in store.submissions()}
    assert status[a["id"]]["status"] == "superseded" and status[a["id"]]["superseded_by"] == full["id"]
    assert status[b["id"]]["status"] == "superseded"
    assert status[not_covered["id"]]["status"] == "pending"
    assert status[rejected["id"]]["status"] == "rejected"
    assert status[other["id"]]["status"] == "pending"  # another department's submission
    assert status[later["id"]]["status"] == "pending"  # submitted after: not earlier
    assert status[a["id"]]["approval_no"] == 1 and status[a["id"]]["reviewed_by"] == "张三"  # review record kept
    assert (store.submissions_dir / a["file"]).exists() and (store.measurements_dir / f"{a['id']}.csv").exists()
    history = store.history("C1-03b")
    assert list(history["value"]) == [2.9, 3.1] and list(history["effective"]) == [True, False]
    with pytest.raises(StoreError, match="已被后来的提交"):
        store.approve(b["id"], "李四")


# ---------------------------------------------------------------- reject and transitions


def test_reject_records_reason_and_reviewer(store, catalogue):
    entry, _ = store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue)

    with pytest.raises(StoreError, match="驳回须填写原因"):
        store.reject(entry["id"], "李四", "  ")
    rejected = store.reject(entry["id"], "李四", "横水镇数值与年报不符")

    assert (rejected["status"], rejected["reason"], rejected["reviewed_by"]) == ("rejected", "横水镇数值与年报不符", "李四")
    assert store.get(entry["id"]) == rejected
    assert store.live(catalogue).empty


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("rejected", "approve", "已驳回"),
        ("approved", "approve", "无需重复批准"),
        ("approved", "reject", "已批准，数据已生效，不能驳回"),
        ("rejected", "reject", "已驳回"),
        ("unknown", "approve", "找不到提交编号"),
        ("unknown", "reject", "找不到提交编号"),
    ],
)
def test_wrong_transitions_raise(store, catalogue, state, action, message):
    entry, _ = store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue)
    if state == "rejected":
        store.reject(entry["id"], "李四", "数据有误")
    elif state == "approved":
        store.approve(entry["id"], "李四")
    target = "S20990101T000000-000000" if state == "unknown" else entry["id"]
    before = store.manifest_path.read_bytes()

    with pytest.raises(StoreError, match=message):
        if action == "approve":
            store.approve(target, "李四")
        else:
            store.reject(target, "李四", "原因")
    assert store.manifest_path.read_bytes() == before


def test_unknown_status_filter_raises(store):
    with pytest.raises(StoreError, match="未知的状态"):
        store.submissions("deleted")


# ---------------------------------------------------------------- measurements folder


def test_hand_dropped_file_is_read_with_its_provenance(store, catalogue):
    entry, _ = store.submit(csv_bytes("C1-03b,2023,3.1,,"), "a.csv", "县卫体局", "张三", catalogue, approve=True)
    hand = store.measurements_dir / "统计年鉴2023.csv"
    hand.write_bytes(csv_bytes("C1-03b,2023,2.7,,", "C1-03c,2023,4.0,,", encoding="gb18030"))
    later = time.time() + 60
    os.utime(hand, (later, later))

    live = store.live(catalogue)

    assert value(live, "C1-03b") == 2.7 and value(live, "C1-03c") == 4.0
    row = live[live["indicator_id"] == "C1-03b"].iloc[0]
    assert row["file"] == HAND_PREFIX + "统计年鉴2023.csv" and row["submission_id"] == ""
    assert row["time"] == datetime.fromtimestamp(later).astimezone().isoformat(timespec="seconds")
    history = store.history("C1-03b", catalogue=catalogue)
    assert list(history["value"]) == [2.7, 3.1] and list(history["submission_id"]) == ["", entry["id"]]
    assert live.attrs["skipped"] == []


def test_hand_dropped_invalid_file_is_skipped_and_reported(store, catalogue):
    store.submit(csv_bytes("C1-03b,2023,3.1,,"), "a.csv", "县卫体局", "张三", catalogue, approve=True)
    (store.measurements_dir / "坏文件.csv").write_bytes(INVALID)
    (store.measurements_dir / "~$锁文件.xlsx").write_bytes(b"\x00lock")  # Excel's lock file is not data
    (store.measurements_dir / "说明.txt").write_text("not data")

    live = store.live(catalogue)

    assert len(live) == 1 and value(live, "C1-03b") == 3.1
    [skipped] = live.attrs["skipped"]
    assert skipped["file"] == "坏文件.csv" and "未通过校验" in skipped["reason"] and skipped["errors"]
    [report] = store.hand_files(catalogue)
    assert report["file"] == "坏文件.csv" and not report["ok"]


def test_orphan_measurement_files_are_ignored(store, catalogue):
    pending, _ = store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue)
    rejected, _ = store.submit(VALID, "b.csv", "县卫体局", "张三", catalogue)
    store.reject(rejected["id"], "李四", "重复")
    canonical = (",".join(COLUMNS) + "\nC1-03b,2023,9.9,全县,合计,,,,\n").encode("utf-8-sig")
    store.measurements_dir.mkdir(parents=True)
    for name in (pending["id"], rejected["id"], "S20250101T000000-abcdef"):
        (store.measurements_dir / f"{name}.csv").write_bytes(canonical)

    live = store.live(catalogue)

    assert live.empty and live.attrs["skipped"] == []
    assert store.hand_files(catalogue) == []


def test_demo_folder_is_never_touched(store, catalogue):
    demo = store.root / "demo"
    demo.mkdir(parents=True)
    (demo / "measurements.csv").write_bytes(csv_bytes("C1-03b,2023,5.5,,"))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in demo.iterdir()}

    store.submit(VALID, "a.csv", "县卫体局", "张三", catalogue, approve=True)
    other, _ = store.submit(VALID, "b.csv", "县卫体局", "张三", catalogue)
    store.reject(other["id"], "李四", "重复")
    live = store.live(catalogue)
    store.history("C1-03b")

    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in demo.iterdir()} == before
    assert 5.5 not in set(live["value"])
