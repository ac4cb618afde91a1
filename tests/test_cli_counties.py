"""`python -m monitoring` on data of several counties: compare, evaluate/report/history --county, demo --counties."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from docx import Document

from monitoring.catalogue import load_catalogue
from monitoring.cli import main
from monitoring.comparison import INDICATOR_COLUMNS, compare, county_columns
from monitoring.datasets import load, read_folder
from monitoring.demo import CITY_PREFIX, FILE_PREFIX
from monitoring.evaluation import evaluate
from monitoring.measurements import validate_bytes
from tests.conftest import ROOT

COUNTY_NAMES = ["绛县", "盐湖区", "临猗县", "万荣县", "闻喜县", "稷山县", "新绛县", "垣曲县", "夏县", "平陆县", "芮城县", "永济市", "河津市"]
ONE_COUNTY = "区县对比需要多个区县的数据"


@pytest.fixture(autouse=True)
def _no_charts(monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def city(monkeypatch, tmp_path, counties_demo) -> Path:
    """A data root holding only the 13 counties' demo data (no Streamlit needed)."""
    root = tmp_path / "city"
    shutil.copytree(counties_demo, root / "demo")
    monkeypatch.setenv("MONITORING_DATA", str(root))
    return root


# ---------------------------------------------------------------- compare


def test_compare_prints_the_ranking_and_the_counties_that_warn(capsys, city, catalogue):
    code, out, err = run(capsys, "compare")
    assert code == 0
    assert "各区县2025年终期评估结论和达标率" in out and "有预警指标的区县（" in out
    assert "已实现指标数 ÷ 有数据的指标数" in out and "规划间共用的统计指标只计一次" in out
    assert "评估年份：2025年；13个区县" in out and "示例数据" in err
    ranking = out.split("有预警指标的区县")[0]
    assert all(name in ranking for name in COUNTY_NAMES)
    header = ranking.splitlines()[2]
    assert all(label in header for label in ("已实现", "未实现", "无法评估"))
    assert not any(label in header for label in ("进度正常", "预计难以达标", "严重滞后", "数据不足"))
    best = compare(catalogue, load(catalogue).rows, 2025).county_table()["达标率"].iloc[0]
    assert f"{best * 100:.1f}%" in ranking and "nan" not in out.lower() and "<NA>" not in out


def test_compare_csv_is_county_table(capsys, city, catalogue):
    code, out, _ = run(capsys, "compare", "--csv", "--year", "2024")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = compare(catalogue, load(catalogue).rows, 2024).county_table()
    assert list(rows[0]) == county_columns(False) == list(expected.columns) and len(rows) == 13
    assert "数据不足" in rows[0] and "进度正常" in rows[0] and "已实现" not in rows[0]
    assert [r["区县代码"] for r in rows] == list(expected["区县代码"])
    assert [float(r["达标率"]) for r in rows] == pytest.approx(list(expected["达标率"]), abs=1e-6)


@pytest.mark.parametrize(("args", "expected"), [
    (["--indicator", "W1-02"], ["W1-02 孕产妇死亡率：各区县2025年", "终期评估结论：已实现", "个，未实现", "个，无法评估", "有预警的区县（"]),
    (["--indicator", "C1-06", "--plan", "children", "--year", "2023"], ["C1-06", "各区县2023年", "按状态：已达标", "数据不足", "共13个区县"]),
])
def test_compare_one_indicator(capsys, city, args, expected):
    code, out, _ = run(capsys, "compare", *args)
    assert code == 0
    for text in expected:
        assert text in out
    assert all(name in out for name in COUNTY_NAMES)


def test_compare_one_indicator_csv(capsys, city, catalogue):
    code, out, _ = run(capsys, "compare", "--indicator", "W1-02", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == INDICATOR_COLUMNS and len(rows) == 13
    expected = compare(catalogue, load(catalogue).rows).indicator("W1-02").table
    assert [r["区县"] for r in rows] == list(expected["区县"])
    assert [r["状态"] for r in rows] == list(expected["状态"])


@pytest.mark.parametrize(("args", "message"), [
    (["--indicator", "X9-99"], "指标编号“X9-99”不在目标库中"),
    (["--indicator", "W1-02", "--plan", "children"], "不属于规划“children”"),
    (["--plan", "elderly"], "没有规划“elderly”"),
    (["--data", "/nonexistent/folder"], "不存在"),
])
def test_compare_usage_errors_exit_2(capsys, city, args, message):
    code, _, err = run(capsys, "compare", *args)
    assert code == 2 and message in err


@pytest.mark.parametrize("csv_output", [False, True])
def test_compare_on_one_county_says_a_comparison_needs_several(capsys, csv_output):
    argv = ["compare", "--data", str(ROOT / "data" / "demo"), *(["--csv"] if csv_output else [])]
    code, out, err = run(capsys, *argv)
    assert code == 0
    assert ONE_COUNTY in (err if csv_output else out) and "只有绛县一个区县" in (err if csv_output else out)
    if csv_output:
        assert out == ""  # nothing a CSV reader would take for data


# ---------------------------------------------------------------- evaluate --county


@pytest.mark.parametrize(("county", "code", "label"), [
    (None, "140826", "绛县"), ("闻喜县", "140823", "闻喜县"), ("140823", "140823", "闻喜县"), ("河津市", "140882", "河津市"),
])
def test_evaluate_county(capsys, city, catalogue, county, code, label):
    argv = ["evaluate", *(["--county", county] if county else [])]
    status, out, err = run(capsys, *argv)
    assert status == 0
    assert f"区县：{label}（数据中共13个区县）" in out
    assert ("以下为绛县（用 --county 选择其他区县" in err) == (county is None)
    status, out, _ = run(capsys, *argv, "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    expected = evaluate(catalogue, load(catalogue).for_county(code).rows).table()
    assert {r.id: r.status for r in expected.itertuples()} == {k: r["status"] for k, r in rows.items()}
    assert {r["county"] for r in rows.values()} == {code}, "with several counties every row names its county"
    status, out, _ = run(capsys, *argv, "--format", "json")
    assert status == 0 and {r["county"] for r in json.loads(out)} == {code}


@pytest.mark.parametrize("command", [["evaluate"], ["report", "--kind", "final", "--out", "x.docx"]])
def test_unknown_county_is_a_usage_error_listing_the_data_counties(capsys, city, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *command, "--county", "北京市")
    assert code == 2
    assert "区县“北京市”无法识别。数据中的区县：" in err and "闻喜县（140823）" in err and "请用 --county" in err
    assert not list(tmp_path.glob("x.*"))


def test_evaluate_on_one_county_data_is_unchanged(capsys):
    code, out, err = run(capsys, "evaluate", "--data", str(ROOT / "data" / "demo"), "--county", "绛县")
    assert code == 0 and "区县：" not in out and "--county" not in err
    code, _, err = run(capsys, "evaluate", "--data", str(ROOT / "data" / "demo"), "--county", "闻喜县")
    assert code == 2 and "数据中的区县：绛县（140826）。" in err


# ---------------------------------------------------------------- report --county


@pytest.mark.parametrize(("county", "name"), [(None, "绛县"), ("闻喜县", "闻喜县"), ("140829", "平陆县")])
def test_report_county(capsys, city, tmp_path, county, name):
    out = tmp_path / "r.docx"
    argv = ["report", "--kind", "annual", "--year", "2024", "--plan", "disability", "--no-charts", "--out", str(out),
            *(["--county", county] if county else [])]
    code, stdout, _ = run(capsys, *argv)
    assert code == 0
    assert f"2024年度监测报告（{name}）" in stdout and "附区县对比（13个区县）" in stdout
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "附件4" in texts and f"本报告正文为{name}的监测结果" in next(t for t in texts if t.startswith("根据"))


# ---------------------------------------------------------------- history --county


def test_history_county(capsys, tmp_path, counties_demo):
    root = tmp_path / "data"
    (root / "measurements").mkdir(parents=True)
    for name in ("闻喜县", "绛县"):
        shutil.copy(counties_demo / f"{CITY_PREFIX}{name}.csv", root / "measurements")
    code, out, _ = run(capsys, "history", "W1-02", "--root", str(root))
    assert code == 0 and "区县" in out.splitlines()[0] and "闻喜县" in out and "绛县" in out
    code, out, _ = run(capsys, "history", "W1-02", "--root", str(root), "--county", "闻喜县")
    assert code == 0 and "区县" not in out.splitlines()[0] and "2025" in out
    code, out, _ = run(capsys, "history", "W1-02", "--root", str(root), "--county", "河津市")
    assert code == 0 and "河津市的W1-02 没有已生效的报送数据" in out
    code, _, err = run(capsys, "history", "W1-02", "--root", str(root), "--county", "某县")
    assert code == 2 and "区县“某县”无法识别" in err and "闻喜县（140823）" in err
    code, out, _ = run(capsys, "history", "C1-03b", "--root", str(root), "--county", "绛县")
    assert code == 0 and "nan" not in out.lower(), "a blank 分子/分母 prints as an empty cell"


def test_template_takes_last_year_s_values_of_the_office_s_own_county(capsys, tmp_path):
    """Hand-dropped rows of 绛县 and 闻喜县 for 2024: the 2025 template's 上年数值 is 绛县's, never the neighbour's."""
    root = tmp_path / "data"
    (root / "measurements").mkdir(parents=True)
    (root / "measurements" / "two.csv").write_text("指标编号,年份,数值,区县\nC1-09e,2024,95.1,绛县\nC1-09e,2024,88.8,闻喜县\n", encoding="utf-8")
    out_file = tmp_path / "template.csv"
    code, _, _ = run(capsys, "template", "--department", "县卫体局", "--year", "2025", "--out", str(out_file), "--root", str(root))
    assert code == 0
    rows = [r for r in csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))) if r["指标编号"] == "C1-09e"]
    assert [r["上年数值"] for r in rows] == ["95.1%"]


# ---------------------------------------------------------------- demo --counties


def test_demo_counties_makes_a_data_root_of_13_counties(capsys, tmp_path, monkeypatch):
    root = tmp_path / "city"
    monkeypatch.setenv("MONITORING_DATA", str(root))
    code, out, _ = run(capsys, "demo", "--counties")
    assert code == 0 and "已生成13个区县的示例数据文件" in out
    catalogue = load_catalogue()
    files = sorted((root / "demo").glob("*.csv"))
    assert len(files) == 13 and all(f.name.startswith(CITY_PREFIX) for f in files)
    for file in files:
        assert validate_bytes(file.read_bytes(), catalogue, file.name).ok, file.name
    dataset = load(catalogue)
    assert dataset.is_demo and len(dataset.counties()) == 13


def test_demo_kinds_replace_each_other_in_a_folder(capsys, tmp_path):
    folder = tmp_path / "demo"
    assert run(capsys, "demo", "--out", str(folder))[0] == 0
    single = sorted(p.name for p in folder.glob("*.csv"))
    (folder / "我的笔记.csv").write_text("不是示例数据", encoding="utf-8")
    code, out, _ = run(capsys, "demo", "--counties", "--out", str(folder))
    assert code == 0 and f"已删除该文件夹中原有的单县示例数据文件{len(single)}个" in out
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n.startswith(FILE_PREFIX)] == sorted(n for n in names if n.startswith(CITY_PREFIX))
    assert len([n for n in names if n.startswith(CITY_PREFIX)]) == 13
    assert "我的笔记.csv" in names  # only the platform's own files go
    assert (folder / "README.md").read_text(encoding="utf-8").startswith("# 示例数据（非真实统计）（多区县）")
    assert run(capsys, "demo", "--out", str(folder))[0] == 0
    assert sorted(p.name for p in folder.glob(f"{FILE_PREFIX}*.csv")) == single
    assert len(read_folder(folder, load_catalogue()).counties()) == 1


def test_demo_counties_does_not_replace_the_bundled_demo(capsys, monkeypatch):
    monkeypatch.delenv("MONITORING_DATA")
    before = sorted(p.name for p in (ROOT / "data" / "demo").iterdir())
    code, _, err = run(capsys, "demo", "--counties")
    assert code == 2 and "MONITORING_DATA" in err and "--out" in err
    assert sorted(p.name for p in (ROOT / "data" / "demo").iterdir()) == before


def test_demo_help_says_where_the_counties_go(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "-h"])
    out = capsys.readouterr().out
    assert "--counties" in out and "MONITORING_DATA=/tmp/city python -m monitoring demo --counties" in out


def test_compare_within_a_city_and_across_a_province(capsys, tmp_path, catalogue, monkeypatch):
    """A province office's data (the benchmark's 山西省: 11 cities, 117 counties): 所属市 column, --within one city."""
    from monitoring import bench

    hierarchy = bench.write_targets("province", tmp_path / "targets")
    bench.generate(catalogue, len(hierarchy.codes), tmp_path / "data", codes=hierarchy.codes, hierarchy=load_catalogue(hierarchy.folder))
    base = ["compare", "--targets", str(hierarchy.folder), "--data", str(tmp_path / "data")]
    code, out, _ = run(capsys, *base)
    assert code == 0 and "所属市" in out.splitlines()[2] and "117个区县" in out
    code, out, _ = run(capsys, *base, "--within", "运城市", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 13 and "所属市" not in rows[0]
    code, out, _ = run(capsys, *base, "--within", "140800", "--indicator", "W1-01a")
    assert code == 0 and "山西省运城市的13个区县" in out
    code, _, err = run(capsys, *base, "--within", "绛县")
    assert code == 2 and "不是 regions.yaml 中的市或省" in err
