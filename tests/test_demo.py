"""The demo data set: deterministic, committed as generated, valid, clearly marked, and showing every status and warning."""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd
import pytest

from monitoring import demo
from monitoring.catalogue import Scope
from monitoring.evaluation import FINAL_STATUSES, PERIOD_STATUSES, Reason, Status, WarningCode, evaluate
from monitoring.measurements import COLUMNS, normalize_text, validate_bytes
from monitoring.regions import COUNTY_REGION
from monitoring.units import UNITS

REGENERATE = "示例数据与程序生成的结果不一致：请运行 python -m monitoring demo 重新生成，不要手工修改 data/demo/。"
KEY = ["indicator_id", "year", "region", "sex"]


@pytest.fixture(scope="module")
def frame(catalogue) -> pd.DataFrame:
    return demo.generate(catalogue)


@pytest.fixture(scope="module")
def final(catalogue, frame):
    return evaluate(catalogue, frame, 2025)


@pytest.fixture(scope="module")
def midterm(catalogue, frame):
    return evaluate(catalogue, frame, 2023)


def committed_csvs() -> list:
    return sorted(demo.DEMO_DIR.glob(f"{demo.FILE_PREFIX}*.csv"))


# ---------------------------------------------------------------- determinism and the committed files


def test_generation_is_deterministic_for_a_seed(catalogue, frame):
    pd.testing.assert_frame_equal(demo.generate(catalogue, demo.DEFAULT_SEED), frame)
    assert demo.demo_files(catalogue, 7) == demo.demo_files(catalogue, 7)
    assert not demo.generate(catalogue, 7).equals(frame), "另一个种子应生成不同的数据"


def test_committed_files_equal_a_fresh_generation(catalogue, tmp_path):
    written = demo.write_demo(catalogue, tmp_path)
    fresh = {p.name: p.read_bytes() for p in written}
    committed = {p.name: p.read_bytes() for p in [*committed_csvs(), demo.DEMO_DIR / demo.README] if p.exists()}
    assert sorted(committed) == sorted(fresh), REGENERATE
    for name, data in fresh.items():
        assert committed[name] == data, f"{name}：{REGENERATE}"


def test_write_demo_replaces_old_demo_files_only(catalogue, tmp_path):
    (tmp_path / f"{demo.FILE_PREFIX}已撤销单位.csv").write_text("指标编号,年份,数值\n", encoding="utf-8")
    (tmp_path / "说明.txt").write_text("keep", encoding="utf-8")
    written = demo.write_demo(catalogue, tmp_path)
    assert not (tmp_path / f"{demo.FILE_PREFIX}已撤销单位.csv").exists()
    assert (tmp_path / "说明.txt").read_text(encoding="utf-8") == "keep"
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in written} | {"说明.txt"}


# ---------------------------------------------------------------- valid and marked


def test_every_file_validates_as_its_department_without_errors(catalogue):
    files = committed_csvs()
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        assert data.startswith(codecs.BOM_UTF8), f"{path.name} 应为带 BOM 的 UTF-8"
        department = path.stem.removeprefix(demo.FILE_PREFIX)
        assert catalogue.department_name(department) == department
        report = validate_bytes(data, catalogue, path.name, department=department)
        assert report.ok, f"{path.name}: {[str(e) for e in report.errors[:5]]}"
        assert not report.notices, f"{path.name}: {[str(n) for n in report.notices[:5]]}"
        assert len(report.rows) > 0


def test_every_row_says_demo_data(catalogue):
    for path in committed_csvs():
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert rows
        for number, row in enumerate(rows, start=2):
            assert row["数据来源"] == demo.DEMO_MARK, f"{path.name} 第{number}行"
            assert row["备注"].startswith(demo.DEMO_MARK), f"{path.name} 第{number}行"
    readme = (demo.DEMO_DIR / demo.README).read_text(encoding="utf-8")
    assert demo.DEMO_MARK in readme and "python -m monitoring demo" in readme and "从不混合" in readme


def test_files_read_back_as_generated(catalogue, frame):
    read = demo.load_demo(catalogue).sort_values(KEY).reset_index(drop=True)
    expected = frame.sort_values(KEY).reset_index(drop=True)
    assert len(read) == len(expected)
    for column in ("indicator_id", "region", "sex", "source", "note"):
        assert list(read[column]) == [normalize_text(v) for v in expected[column]], column
    for column in ("year", "value", "numerator", "denominator"):
        np.testing.assert_allclose(read[column].astype(float), expected[column].astype(float), rtol=0, atol=1e-9, err_msg=column)


# ---------------------------------------------------------------- realistic content


def test_every_target_has_data_except_the_deliberate_ones(catalogue, final):
    without_rows = {r.target.id for r in final.results if not r.points}
    assert without_rows == set(demo.NO_DATA_TARGETS)
    baseline_only = [r for r in final.results if r.status == Status.NO_DATA and r.points]
    assert baseline_only and all(r.reason == Reason.NO_IN_PERIOD and "期内无监测数据，无法评估" in r.explanation for r in baseline_only)
    assert list(demo.generate(catalogue).columns) == COLUMNS


def test_counts_are_integers_within_their_denominators(catalogue, frame):
    counted = frame[frame["numerator"].notna()]
    assert len(counted) > 50
    assert frame["denominator"].notna().equals(frame["numerator"].notna())
    for column in ("numerator", "denominator"):
        assert (counted[column] == counted[column].round()).all(), column
    assert (counted["numerator"] <= counted["denominator"]).all()
    assert (counted["denominator"] > 0).all()


def test_values_are_in_range_and_counts_whole(catalogue, frame):
    series = catalogue.series()
    for key, rows in frame.groupby("indicator_id"):
        unit = UNITS[series[key].unit]
        upper = series[key].upper_bound or unit.upper or np.inf
        assert rows["value"].between(unit.lower, upper).all(), key
        if unit.scale is None and unit.decimals == 0 and "每千人口" not in series[key].name:
            assert (rows["value"] == rows["value"].round()).all(), f"{key} 的单位是{unit.symbol}，应为整数"
    assert set(frame["year"]) == set(demo.YEARS)


def test_rates_of_rare_events_fit_the_county(catalogue, frame):
    maternal = frame[frame["indicator_id"] == "maternal_mortality"]
    assert len(maternal) == 6 and maternal["numerator"].between(0, 2).all()
    births = maternal["denominator"]
    assert births.between(1100, 1500).all()
    assert list(maternal.sort_values("year")["denominator"])[1:3] == [1125, 1489], "2021 and 2022 as the county's bulletins give them"
    for key in ("C1-03a", "C1-03b", "C1-03c"):
        rows = frame[frame["indicator_id"] == key]
        assert list(rows["denominator"]) == list(births), key
    neonatal, infant, under5 = (frame[frame["indicator_id"] == k]["numerator"].to_numpy() for k in ("C1-03a", "C1-03b", "C1-03c"))
    assert (neonatal <= infant).all() and (infant <= under5).all()
    injury = frame[frame["indicator_id"] == "C2-03"]
    assert injury["denominator"].between(36_000, 39_000).all()  # 38,712 children under 15 at the 2020 census
    parts = sum(frame[frame["indicator_id"] == k]["numerator"].to_numpy() for k in ("C2-04", "C2-05", "C2-06"))
    assert (parts <= injury["numerator"].to_numpy()).all()


def test_township_rows(catalogue, frame):
    townships = {r.name for r in catalogue.regions.townships()}
    for target in catalogue:
        if target.scope != Scope.EACH_TOWNSHIP:
            continue
        rows = frame[frame["indicator_id"] == target.series_key]
        for year, group in rows.groupby("year"):
            assert set(group["region"]) == townships | {COUNTY_REGION}, (target.id, year)
    vaccination = frame[(frame["indicator_id"] == "C1-06") & (frame["year"] == 2025) & (frame["region"] != COUNTY_REGION)]
    assert (vaccination["value"] < 90).sum() == 1


def test_sex_disaggregated_series(frame):
    by_sex = frame.groupby("indicator_id")["sex"].agg(set)
    both = [key for key, sexes in by_sex.items() if {"合计", "女", "男"} <= sexes]
    assert len(both) >= 3
    assert {"W2-09b", "W2-08a", "junior_net_enrollment"} <= set(both)


def test_some_series_stale_and_some_single_year(frame):
    county = frame[(frame["region"] == COUNTY_REGION) & (frame["sex"] == "合计")]
    years = county.groupby("indicator_id")["year"]
    assert (years.max() < 2025).sum() >= 3
    assert (years.nunique() == 1).sum() >= 2


# ---------------------------------------------------------------- what the evaluation shows


def test_every_status_and_warning_between_the_midterm_and_the_final_evaluation(midterm, final):
    assert {r.status for r in midterm.results} == set(PERIOD_STATUSES)
    assert {r.status for r in final.results} == set(FINAL_STATUSES)
    warnings = {w.code for evaluation in (midterm, final) for r in evaluation.results for w in r.warnings}
    assert warnings == set(WarningCode)


def test_mostly_achieved_with_a_realistic_minority_at_2025(final):
    counts = pd.Series([r.status.value for r in final.results]).value_counts()
    judged = len(final.results) - counts[Status.NO_DATA]
    assert counts[Status.ACHIEVED] / judged > 0.6
    assert 3 <= counts[Status.NOT_ACHIEVED] <= 0.25 * judged


def test_a_sensible_mix_at_the_midterm(midterm):
    counts = pd.Series([r.status.value for r in midterm.results]).value_counts()
    judged = len(midterm.results) - counts[Status.NO_DATA] - counts[Status.INSUFFICIENT]
    assert counts[Status.ACHIEVED] / judged > 0.5
    for status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK):
        assert 3 <= counts[status] <= 0.2 * judged, status


def test_warnings_are_few_enough_to_read(midterm, final):
    """Leaders read the warnings: most targets carry none, and 波动较大 is rare on designed, mostly steady series."""
    for evaluation in (midterm, final):
        flagged = [r for r in evaluation.results if any(w.code != WarningCode.SMALL_NUMBERS for w in r.warnings)]
        assert len(flagged) < 0.3 * len(evaluation.results)
        assert sum(1 for r in evaluation.results for w in r.warnings if w.code == WarningCode.FLUCTUATION) <= 6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_mix_is_designed_not_luck_of_the_seed(catalogue, seed):
    frame = demo.generate(catalogue, seed)
    midterm, final = evaluate(catalogue, frame, 2023).results, evaluate(catalogue, frame, 2025).results
    assert {r.status for r in midterm} | {r.status for r in final} == set(Status)
    assert {w.code for r in [*midterm, *final] for w in r.warnings} == set(WarningCode)


def test_targets_without_a_design_still_get_valid_data(catalogue, monkeypatch):
    monkeypatch.setattr(demo, "SPECS", {})
    generated = demo.generate(catalogue)
    results = evaluate(catalogue, generated, 2025).results
    assert {r.target.id for r in results if not r.points} == set(demo.NO_DATA_TARGETS)
    for name, data in demo.demo_files(catalogue).items():
        report = validate_bytes(data, catalogue, name)
        assert report.ok, f"{name}: {[str(e) for e in report.errors[:5]]}"


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_final_verdict_contract_on_the_demo_data(catalogue, frame, year):
    """At or after the target year: only 已实现/未实现/无法评估, no projection, no sentence projecting to an observed year."""
    evaluation = evaluate(catalogue, frame, year)
    assert evaluation.final
    table = evaluation.table()
    assert set(table["status"]) <= {s.value for s in FINAL_STATUSES}
    assert not table["warnings"].str.contains(WarningCode.PROJECTED_MISS.value).any()
    assert table["projected_value"].isna().all()
    assert not table["explanation"].str.contains("推算|进度正常|预计难以达标").any()
    assert {r.label for r in evaluation.results} <= {"已实现", "未实现", "无法评估"}
