"""`python -m monitoring bench`: runs at county scale (a benchmark, not a timed test) and its data is what it claims.

Its data goes the way several counties' data goes in use: rows carry the county's code (区县代码), the
catalogue's regions.yaml holds the scale's hierarchy, validation gives each row its county and
evaluation groups by it. The larger scales are checked on a few of their counties, to stay fast.

The two tests of the whole run (about half a minute, most of it the report's charts) are marked `bench`:
the plain `python -m pytest` leaves them out, `python -m pytest -m bench` runs them, and CI (`.ci/run`) does so once.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from monitoring import bench
from monitoring.catalogue import load_catalogue
from monitoring.evaluation import evaluate_many
from monitoring.measurements import validate_bytes, validate_many
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def county_json() -> dict:
    """The whole benchmark at county scale, once (the tests using it are marked `bench`: `python -m pytest -m bench`)."""
    done = subprocess.run([sys.executable, "-m", "monitoring", "bench", "--scale", "county", "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.bench
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
    assert result["results"]["counties"] == 1 and result["results"]["files_with_other_counties"] == 0
    # County scale: the repository's own regions.yaml (office 绛县, 运城市's 13 counties listed).
    assert result["hierarchy"]["office"] == "140826"
    assert (result["hierarchy"]["counties"], result["hierarchy"]["regions"]) == (len(catalogue.regions.counties()), len(catalogue.regions))
    assert sum(result["results"]["statuses"].values()) == len(catalogue)
    assert result["machine"]["nproc"] >= 1


@pytest.mark.bench
def test_bench_times_the_pages_and_the_report(county_json):
    pages = county_json["pages"]
    assert {"overview_cold_s", "overview_warm_s", "indicators_cold_s", "indicators_warm_s"} <= set(pages)
    assert "page_errors" not in pages, pages.get("page_errors")
    assert (pages["overview_title"], pages["indicators_title"]) == ("总览", "指标监测"), "the pages timed are the pages meant"
    assert all(0 < pages[k] < 600 for k in ("overview_cold_s", "overview_warm_s", "indicators_cold_s", "indicators_warm_s"))
    assert 0 < county_json["report_s"] < 900
    assert set(county_json["met"]) == {"peak_mb", "overview_warm_s", "overview_cold_s"}  # the ratios are judged at national scale


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The city scale's targets folder and catalogue: office 运城市, its 13 real counties."""
    hierarchy = bench.write_targets("city", tmp_path_factory.mktemp("city") / "targets")
    return hierarchy, load_catalogue(hierarchy.folder)


def test_city_hierarchy_is_yunchengs_real_counties(city, catalogue):
    hierarchy, regions = city
    assert hierarchy.office == regions.office == "140800" and regions.regions.home_county is None
    assert hierarchy.codes[0] == "140826" and len(hierarchy.codes) == 13
    assert set(hierarchy.codes) == {r.code for r in catalogue.regions.counties() if r.parent == "140800"}
    assert (hierarchy.counties, hierarchy.regions) == (13, len(catalogue.regions))
    assert len(regions) == len(catalogue) and sorted(regions.plans) == sorted(catalogue.plans)


def test_generated_data_is_seeded_and_valid(tmp_path, catalogue, city):
    hierarchy, regions = city
    first = bench.generate(catalogue, 13, tmp_path / "a", codes=hierarchy.codes, hierarchy=regions)
    again = bench.generate(catalogue, 13, tmp_path / "b", codes=hierarchy.codes, hierarchy=regions)
    assert [p.name for p in first.paths] == [f"{code}.csv" for code in hierarchy.codes]
    assert [p.read_bytes() for p in first.paths] == [p.read_bytes() for p in again.paths]
    # About 640 rows a county (700 where townships are listed), so 2,851 counties make about two million rows.
    assert 550 * 13 < first.rows < 800 * 13
    for path in first.paths:
        report = validate_bytes(path.read_bytes(), regions, path.name)
        assert report.ok, (path.name, report.errors[:3])
        assert set(report.rows["county"]) == {path.stem}, "every row carries its county's code"
        assert set(report.rows["sex"]) == {"合计", "女", "男"}
        # Only 绛县's towns and townships are listed in regions.yaml: only it reports township rows.
        if path.stem == "140826":
            assert set(report.rows["region"]) > {"全县"}
        else:
            assert set(report.rows["region"]) == {"全县"}


def test_city_data_validates_and_evaluates_by_county(tmp_path, catalogue, city):
    """The engine phase's path, on a city: one row per county × target, grouped by the validated county."""
    hierarchy, regions = city
    generated = bench.generate(catalogue, 13, tmp_path / "city", codes=hierarchy.codes, hierarchy=regions)
    batch = validate_many([(p.stem, p.read_bytes()) for p in generated.paths], regions)
    assert batch.failed == [] and len(batch.rows) == generated.rows
    assert (batch.rows["county"].astype(str) == batch.rows["file"].astype(str)).all()
    many = evaluate_many(regions, batch.rows, bench.EVALUATION_YEAR, by="county", counties=hierarchy.codes)
    assert len(many.table) == 13 * len(regions)
    assert sorted(many.table["county"].astype(str).unique()) == sorted(hierarchy.codes)
    assert many.table.groupby("county", observed=True).size().eq(len(regions)).all()
    # Most are judged; the rest lack what a judgement needs (the generator drops about a quarter of the years, the
    # 2020 baseline of a direction target among them), and say so.
    unjudged = many.table[many.table["status"] == "no_data"]
    assert len(unjudged) < 0.2 * len(many.table)
    assert (unjudged["reason"] != "").sum() > 0.5 * len(unjudged)
    # A county regions.yaml does not list is rejected: the rows' codes are what validation reads.
    stranger = validate_many([("X00001", generated.paths[1].read_bytes().replace(b",140802,", b",X00001,"))], regions)
    assert stranger.failed == ["X00001"]


def test_synthetic_hierarchies(tmp_path, catalogue):
    """Province and national scales: synthetic counties under the real 山西省 (or a synthetic root), each with townships."""
    office, regions = bench._synthetic_regions("national", catalogue)
    assert office == "000000" and regions[0]["level"] == "country" and "基准测试" in regions[0]["name"]
    levels = [r["level"] for r in regions]
    assert (levels.count("province"), levels.count("city"), levels.count("county")) == (31, 333, 2851)
    codes = [r["code"] for r in regions]
    assert len(set(codes)) == len(codes)
    assert len({(r["parent"], r["name"]) for r in regions}) == len(regions)
    assert set(r["parent"] for r in regions[1:]) <= set(codes)
    assert [r["code"] for r in regions if r["level"] == "county"] == bench.county_codes(2851)
    town_names = {r.name for r in catalogue.regions.townships("140826")}
    assert {r["name"] for r in regions if r["parent"] == "X02850"} == town_names

    hierarchy = bench.write_targets("province", tmp_path / "targets")
    province = load_catalogue(hierarchy.folder)
    assert province.office == hierarchy.office == "140000" and province.regions.office_region.name == "山西省"
    assert hierarchy.codes == bench.county_codes(117) == [r.code for r in province.regions.counties()]
    assert (hierarchy.counties, hierarchy.regions) == (117, len(province.regions))
    assert "合成" in (tmp_path / "targets" / "regions.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert all(len(province.regions.townships(code)) == 10 for code in hierarchy.codes[1:])
    # A few of its counties: every one has township rows, all under its own code.
    codes = hierarchy.codes[:3]
    generated = bench.generate(catalogue, 3, tmp_path / "data", codes=codes, hierarchy=province)
    batch = validate_many([(p.stem, p.read_bytes()) for p in generated.paths], province)
    assert batch.failed == []
    for code in codes:
        mine = batch.rows[batch.rows["county"] == code]
        assert len(mine) and set(mine["region"]) > {"全县"}
    many = evaluate_many(province, batch.rows, bench.EVALUATION_YEAR, by="county", counties=codes)
    assert len(many.table) == 3 * len(province)
    assert many.table["townships_below"].gt(0).any()


def test_bench_rejects_an_unknown_scale():
    done = subprocess.run([sys.executable, "-m", "monitoring", "bench", "--scale", "world"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and "world" in done.stderr
