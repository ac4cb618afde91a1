"""The store with several counties: files kept before the 区县 column existed, supersession across the
change, two counties' rows side by side, and a history of one county."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from monitoring.store import Store

JIANG, WENXI = "140826", "140823"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def _old_format(path: Path) -> None:
    """Rewrite a kept rows CSV as it was written before the 区县 column existed."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert "county" in frame
    path.write_bytes(frame.drop(columns=["county"]).to_csv(index=False).encode("utf-8-sig"))


def _statuses(store: Store) -> list[str]:
    return [e["status"] for e in json.loads(store.manifest_path.read_text(encoding="utf-8"))]


def test_an_old_format_kept_file_is_the_home_countys_rows(store, catalogue):
    body = "指标编号,年份,数值,地区\nC1-03b,2023,3.1,\nC1-03a,2023,1.2,横水镇\n".encode()
    entry, _ = store.submit(body, "a.csv", "县卫体局", "张三", catalogue, approve=True)
    _old_format(store.measurements_dir / f"{entry['id']}.csv")
    _old_format(store.normalized_dir / f"{entry['id']}.csv")

    live = store.live(catalogue)
    assert list(live["county"]) == [JIANG, JIANG]
    assert sorted(live["region"]) == ["全县", "横水镇"]
    assert list(store.history("C1-03b", catalogue=catalogue)["county"]) == [JIANG]
    assert list(store.history("C1-03b")["county"]) == [JIANG]  # without a catalogue the default one is loaded


@pytest.mark.parametrize("approved", [True, False], ids=["approved", "pending"])
def test_new_format_rows_supersede_an_old_format_submission_with_the_same_keys(store, catalogue, approved):
    body = "指标编号,年份,数值\nC1-03b,2023,3.1\nC1-03a,2023,1.2\n"
    old, _ = store.submit(body.encode(), "old.csv", "县卫体局", "张三", catalogue, approve=approved)
    _old_format(store.normalized_dir / f"{old['id']}.csv")
    if approved:
        _old_format(store.measurements_dir / f"{old['id']}.csv")

    new, _ = store.submit("指标编号,年份,数值,区县\nC1-03b,2023,2.9,绛县\nC1-03a,2023,1.1,140826\n".encode(),
                          "new.csv", "县卫体局", "张三", catalogue, approve=True)
    assert _statuses(store) == ["superseded", "approved"]
    assert store.get(old["id"])["superseded_by"] == new["id"]
    live = store.live(catalogue)
    assert sorted(zip(live["indicator_id"], live["county"], live["value"], strict=True)) == [
        ("C1-03a", JIANG, 1.1), ("C1-03b", JIANG, 2.9)]


def test_old_format_submission_is_not_superseded_by_fewer_keys(store, catalogue):
    old, _ = store.submit("指标编号,年份,数值\nC1-03b,2023,3.1\nC1-03a,2023,1.2\n".encode(), "old.csv", "县卫体局", "张三",
                          catalogue, approve=True)
    _old_format(store.normalized_dir / f"{old['id']}.csv")
    _old_format(store.measurements_dir / f"{old['id']}.csv")
    store.submit("指标编号,年份,数值,区县\nC1-03b,2023,2.9,绛县\n".encode(), "new.csv", "县卫体局", "张三", catalogue, approve=True)
    assert _statuses(store) == ["approved", "approved"]
    live = store.live(catalogue).set_index("indicator_id")
    assert (live.loc["C1-03b", "value"], live.loc["C1-03a", "value"]) == (2.9, 1.2)


def test_two_counties_rows_for_the_same_indicator_and_year_both_stay_live(store, catalogue):
    both = "指标编号,年份,数值,区县\nC1-03b,2023,3.1,绛县\nC1-03b,2023,4.0,闻喜县\n".encode()
    store.submit(both, "both.csv", "县统计局", "张三", catalogue, approve=True)
    live = store.live(catalogue)
    assert sorted(zip(live["county"], live["value"], strict=True)) == [(WENXI, 4.0), (JIANG, 3.1)]

    # a later file of one county replaces that county's value only, and does not supersede the file of both
    store.submit("指标编号,年份,数值,区县\nC1-03b,2023,3.9,闻喜县\n".encode(), "wenxi.csv", "县统计局", "张三", catalogue, approve=True)
    live = store.live(catalogue)
    assert sorted(zip(live["county"], live["value"], strict=True)) == [(WENXI, 3.9), (JIANG, 3.1)]
    assert _statuses(store) == ["approved", "approved"]

    # nor does a file of the home county alone supersede a file of another county
    store.submit("指标编号,年份,数值\nC1-03b,2023,3.0\n".encode(), "jiang.csv", "县统计局", "张三", catalogue, approve=True)
    assert _statuses(store) == ["approved", "approved", "approved"]  # supersession compares with one later file, not several
    live = store.live(catalogue)
    assert sorted(zip(live["county"], live["value"], strict=True)) == [(WENXI, 3.9), (JIANG, 3.0)]


def test_history_filters_by_county_by_code_or_name(store, catalogue):
    store.submit("指标编号,年份,数值,区县\nC1-03b,2023,3.1,绛县\nC1-03b,2023,4.0,闻喜县\n".encode(), "a.csv", "县统计局", "张三",
                 catalogue, approve=True)
    store.submit("指标编号,年份,数值,区县\nC1-03b,2023,3.9,闻喜县\n".encode(), "b.csv", "县统计局", "张三", catalogue, approve=True)

    assert len(store.history("C1-03b", catalogue=catalogue)) == 3
    for name in ("闻喜县", WENXI, " 闻喜县 "):
        history = store.history("C1-03b", catalogue=catalogue, county=name)
        assert list(history["value"]) == [3.9, 4.0] and list(history["effective"]) == [True, False]
        assert set(history["county"]) == {WENXI}
    jiang = store.history("C1-03b", region="全县", catalogue=catalogue, county="绛县")
    assert list(jiang["value"]) == [3.1] and list(jiang["effective"]) == [True]
    assert list(store.history("C1-03b", county=JIANG)["value"]) == [3.1]  # a code needs no catalogue
    assert store.history("C1-03b", catalogue=catalogue, county="夏县").empty
