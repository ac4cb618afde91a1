"""`python -m monitoring bench`: runs at county scale (a benchmark, not a timed test) and its data is what it claims."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from monitoring import bench
from monitoring.measurements import validate_bytes
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def county_json() -> dict:
    done = subprocess.run([sys.executable, "-m", "monitoring", "bench", "--scale", "county", "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_bench_json_has_the_figures(county_json, catalogue):
    result = county_json
    assert {"scale", "rows", "floor_s", "load_validate_s", "evaluate_s", "peak_mb"} <= set(result)
    assert result["scale"] == "county" and result["counties"] == 1 and result["files"] == 1
    assert 300 < result["rows"] < 3000
    for key in ("floor_s", "load_validate_s", "evaluate_s", "engine_s"):
        assert 0 < result[key] < 600, key
    assert 20 < result["peak_mb"] < 8192
    assert set(result["ratios"]) == {"load_validate_over_floor", "evaluate_over_floor", "engine_over_floor"}
    assert all(math.isfinite(v) and v > 0 for v in result["ratios"].values())
    assert result["rows_per_s"]["engine"] == pytest.approx(result["rows"] / result["engine_s"])
    assert result["results"]["results"] == len(catalogue) and result["results"]["rejected_files"] == 0
    assert result["results"]["accepted_rows"] == result["rows"]
    assert sum(result["results"]["statuses"].values()) == len(catalogue)
    assert result["machine"]["nproc"] >= 1


def test_bench_times_the_pages_and_the_report(county_json):
    pages = county_json["pages"]
    assert {"overview_cold_s", "overview_warm_s", "indicators_cold_s", "indicators_warm_s"} <= set(pages)
    assert "page_errors" not in pages, pages.get("page_errors")
    assert (pages["overview_title"], pages["indicators_title"]) == ("总览", "指标监测"), "the pages timed are the pages meant"
    assert all(0 < pages[k] < 600 for k in ("overview_cold_s", "overview_warm_s", "indicators_cold_s", "indicators_warm_s"))
    assert 0 < county_json["report_s"] < 900
    assert set(county_json["met"]) == {"peak_mb", "overview_warm_s", "overview_cold_s"}  # the ratios are judged at national scale


def test_generated_data_is_seeded_and_valid(tmp_path, catalogue):
    first = bench.generate(catalogue, 13, tmp_path / "a")
    again = bench.generate(catalogue, 13, tmp_path / "b")
    assert [p.name for p in first.paths] == [f"{code}.csv" for code in bench.county_codes(13)]
    assert [p.read_bytes() for p in first.paths] == [p.read_bytes() for p in again.paths]
    # About 700 rows a county, so 2,851 counties make about two million rows.
    assert 600 * 13 < first.rows < 800 * 13
    for path in first.paths:
        report = validate_bytes(path.read_bytes(), catalogue, path.name)
        assert report.ok, (path.name, report.errors[:3])
        assert set(report.rows["region"]) > {"全县"} and set(report.rows["sex"]) == {"合计", "女", "男"}


def test_bench_rejects_an_unknown_scale():
    done = subprocess.run([sys.executable, "-m", "monitoring", "bench", "--scale", "world"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and "world" in done.stderr
