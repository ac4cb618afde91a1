"""The store under real processes: simultaneous submits all land; a crash mid-write leaves the previous state."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path

import pytest

from monitoring.catalogue import Catalogue
from monitoring.store import Store

WORKERS = 8


@pytest.fixture(scope="module")
def processes():
    """Fresh interpreters, never a fork of the pytest process itself.

    Where available the forkserver imports the store once in a clean server
    process and forks the workers from it (pandas takes about a second to
    import; eight spawned imports would dominate the suite); elsewhere
    (Windows) every worker is spawned.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def run(context, target, *args) -> int | None:
    process = context.Process(target=target, args=args)
    process.start()
    process.join(timeout=60)
    return process.exitcode


def csv_bytes(*rows: str) -> bytes:
    return "\n".join(["指标编号,年份,数值", *rows, ""]).encode("utf-8")


def worker_data(index: int) -> bytes:
    return csv_bytes(f"C1-05d,2023,{5 + index}.5", f"C1-05e,2023,{index}.25")


def submit_at_once(root: str, index: int, catalogue: Catalogue, barrier) -> None:
    """Runs in a worker: wait for all, then submit (the first half approved at once, to race approvals too)."""
    department = "县卫体局" if index % 2 else "县教育局"
    barrier.wait(timeout=60)
    entry, _ = Store(Path(root)).submit(worker_data(index), f"第{index}份.csv", department, f"用户{index}", catalogue, approve=index < WORKERS // 2)
    assert entry["status"] in ("approved", "pending"), entry


def test_simultaneous_submits_all_land(tmp_path, catalogue, processes):
    barrier = processes.Barrier(WORKERS)
    workers = [processes.Process(target=submit_at_once, args=(str(tmp_path), i, catalogue, barrier)) for i in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0] * WORKERS

    store = Store(tmp_path)
    entries = json.loads(store.manifest_path.read_text(encoding="utf-8"))
    assert len(entries) == WORKERS and len({e["id"] for e in entries}) == WORKERS
    assert {e["sha256"] for e in entries} == {hashlib.sha256(worker_data(i)).hexdigest() for i in range(WORKERS)}
    for entry in entries:
        assert hashlib.sha256((store.submissions_dir / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert sorted(e["approval_no"] for e in entries if e["approval_no"]) == list(range(1, WORKERS // 2 + 1))
    last = max((e for e in entries if e["approval_no"]), key=lambda e: e["approval_no"])
    live = store.live(catalogue)
    assert len(live) == 2 and set(live["submission_id"]) == {last["id"]}


# ---------------------------------------------------------------- crashes


def crash_after_files(action: str, root: str, *args) -> None:
    """Runs in a worker: the manifest writer kills the process, like a power cut right after the data files are written."""
    import monitoring.store as s

    s.write_manifest = lambda *a, **k: os._exit(9)
    store = s.Store(Path(root))
    if action == "submit":
        data, catalogue, approve = args
        store.submit(data, "x.csv", "县卫体局", "崩溃", catalogue, approve=approve)
    else:
        store.approve(args[0], "崩溃")
    os._exit(0)


@pytest.fixture
def seeded(tmp_path, catalogue) -> tuple[Store, dict]:
    """A store holding one approved submission, so 'previous state intact' has something to check."""
    store = Store(tmp_path / "data")
    entry, _ = store.submit(csv_bytes("C1-03b,2023,3.1", "C1-03a,2023,1.2"), "旧.csv", "县卫体局", "张三", catalogue, approve=True)
    return store, entry


def snapshot(store: Store, catalogue: Catalogue):
    return store.manifest_path.read_bytes(), store.live(catalogue)


def assert_unchanged(store: Store, catalogue: Catalogue, before, previous: dict) -> None:
    manifest, live = before
    assert store.manifest_path.read_bytes() == manifest
    assert json.loads(manifest) == store.submissions()
    assert store.live(catalogue).equals(live)
    assert hashlib.sha256((store.submissions_dir / previous["file"]).read_bytes()).hexdigest() == previous["sha256"]
    assert not list(store.root.rglob("*.tmp"))


@pytest.mark.parametrize("approve", [False, True])
def test_crash_during_submit_leaves_the_previous_state(seeded, catalogue, processes, approve):
    store, previous = seeded
    before = snapshot(store, catalogue)
    data = csv_bytes("C1-03b,2023,2.2")

    assert run(processes, crash_after_files, "submit", str(store.root), data, catalogue, approve) == 9

    orphans = [p for p in store.submissions_dir.iterdir() if p.is_file() and p.read_bytes() == data]
    assert len(orphans) == 1  # the raw file was written before the crash ...
    assert len(list(store.measurements_dir.glob("S*.csv"))) == (2 if approve else 1)
    assert_unchanged(store, catalogue, before, previous)  # ... but the manifest, the truth, is as before

    entry, _ = store.submit(data, "x.csv", "县卫体局", "张三", catalogue)  # the lock died with the process
    assert [e["id"] for e in store.submissions()] == [previous["id"], entry["id"]]


def test_crash_during_approve_leaves_an_ignored_orphan(seeded, catalogue, processes):
    store, previous = seeded
    pending, _ = store.submit(csv_bytes("C1-03c,2023,4.0"), "新.csv", "县卫体局", "张三", catalogue)
    before = snapshot(store, catalogue)

    assert run(processes, crash_after_files, "approve", str(store.root), pending["id"]) == 9

    assert (store.measurements_dir / f"{pending['id']}.csv").exists()  # written before the manifest ...
    assert_unchanged(store, catalogue, before, previous)  # ... but not live: the manifest still says pending
    assert store.get(pending["id"])["status"] == "pending"

    store.approve(pending["id"], "李四")
    assert set(store.live(catalogue)["submission_id"]) == {previous["id"], pending["id"]}

