"""`python -m monitoring targets | regions | check-targets`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from monitoring.catalogue import CSV_COLUMNS
from monitoring.cli import main
from tests.conftest import ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_targets_csv_has_the_exact_columns_and_every_target(capsys, catalogue):
    code, out, _ = run(capsys, "targets", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(catalogue)
    maternal = next(r for r in rows if r["id"] == "W1-02")
    assert (maternal["kind"], maternal["target_value"], maternal["unit"], maternal["maintain"]) == ("max", "12.5", "1/10万", "false")


def test_targets_json_filters_by_plan(capsys, catalogue):
    code, out, _ = run(capsys, "targets", "--format", "json", "--plan", "children")
    assert code == 0
    data = json.loads(out)
    assert {row["plan"] for row in data} == {"children"}
    assert len(data) == len(catalogue.for_plan("children"))


def test_targets_table_is_readable(capsys):
    code, out, _ = run(capsys, "targets", "--plan", "women")
    assert code == 0
    assert "孕产妇死亡率" in out and "共" in out


def test_unknown_plan_is_a_usage_error(capsys):
    code, _, err = run(capsys, "targets", "--plan", "elderly")
    assert code == 2
    assert "没有规划“elderly”" in err


def test_regions_prints_code_name_level(capsys):
    code, out, _ = run(capsys, "regions")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "code,name,level"
    assert "140826100,古绛镇,town" in lines


def test_check_targets_clean_on_the_real_catalogue(capsys):
    code, out, _ = run(capsys, "check-targets")
    assert code == 0
    assert "检查通过" in out


def test_check_targets_reports_every_problem_and_exits_1(capsys, targets_dir):
    folder = targets_dir("duplicate-id.yaml", "wrong-kind.yaml")
    code, _, err = run(capsys, "check-targets", str(folder))
    assert code == 1
    assert "duplicate-id.yaml，第27行，指标 C1-02" in err
    assert "[invalid_kind]" in err


def test_check_targets_missing_folder_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "check-targets", str(tmp_path / "nope"))
    assert code == 2
    assert "不存在" in err


@pytest.mark.parametrize("argv", [["bogus"], ["targets", "--format", "xml"], []])
def test_bad_arguments_exit_2_in_chinese_without_traceback(argv):
    result = subprocess.run([sys.executable, "-m", "monitoring", *argv], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_chinese():
    result = subprocess.run([sys.executable, "-m", "monitoring", "-h"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "用法" in result.stdout and "子命令" in result.stdout


def test_validate_exit_codes_and_json(capsys):
    from tests.conftest import FIXTURES

    bad = FIXTURES / "measurements" / "many-errors.csv"
    code, out, _ = run(capsys, "validate", str(bad), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False and len(data["errors"]) == 4
    code, out, _ = run(capsys, "validate", str(FIXTURES / "measurements" / "gbk-excel-export.csv"), "--department", "卫体局")
    assert code == 0 and "校验通过" in out
    code, _, err = run(capsys, "validate", "no-such-file.csv")
    assert code == 2 and "不存在" in err
    code, _, err = run(capsys, "validate", str(bad), "--department", "县气象局")
    assert code == 2 and "没有单位" in err


def test_template_command_writes_xlsx(capsys, tmp_path):
    out = tmp_path / "卫体局2025.xlsx"
    code, stdout, _ = run(capsys, "template", "--department", "县卫体局", "--year", "2025", "--out", str(out), "--root", str(tmp_path / "data"))
    assert code == 0 and out.read_bytes().startswith(b"PK")
    assert "已生成" in stdout


def test_submit_approve_history_and_evaluate(capsys, tmp_path, monkeypatch):
    from tests.conftest import FIXTURES

    root = tmp_path / "data"
    good = FIXTURES / "measurements" / "gbk-excel-export.csv"
    code, out, _ = run(capsys, "submit", str(good), "--department", "县卫体局", "--user", "张三", "--root", str(root))
    assert code == 0 and "待办公室审核" in out
    code, out, _ = run(capsys, "submissions", "--root", str(root), "--status", "pending", "--json")
    submission = json.loads(out)[0]["id"]
    code, out, _ = run(capsys, "approve", submission, "--root", str(root))
    assert code == 0 and "已审核通过" in out
    code, out, _ = run(capsys, "history", "W1-02", "--root", str(root))
    assert code == 0 and "53.8" in out and submission in out
    code, _, err = run(capsys, "reject", submission, "--reason", "重复", "--root", str(root))
    assert code == 1 and "不能" in err
    monkeypatch.setenv("MONITORING_DATA", str(root))
    code, out, _ = run(capsys, "evaluate", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    maternal = next(r for r in rows if r["id"] == "W1-02")
    # One value above the target and no baseline: no trend to judge by, 数据不足 (not “at risk”).
    assert (maternal["year"], maternal["latest_value"], maternal["status"]) == ("2024", "53.8", "insufficient")
    assert "仅有一年数据" in maternal["explanation"]
    code, out, _ = run(capsys, "evaluate")
    assert code == 0
    assert "数据不足" in next(line for line in out.splitlines() if line.startswith("W1-02"))


def test_submit_invalid_file_is_kept_and_rejected(capsys, tmp_path):
    from tests.conftest import FIXTURES

    root = tmp_path / "data"
    code, out, _ = run(capsys, "submit", str(FIXTURES / "measurements" / "many-errors.csv"), "--department", "县人社局", "--user", "李四", "--root", str(root))
    assert code == 1 and "整个文件未导入" in out
    code, out, _ = run(capsys, "submissions", "--root", str(root))
    assert "已驳回" in out


def test_evaluate_unknown_plan_and_missing_folder(capsys, tmp_path):
    assert run(capsys, "evaluate", "--plan", "elderly")[0] == 2
    assert run(capsys, "evaluate", "--data", str(tmp_path / "none"))[0] == 2


def _demo_evaluation(year: int):
    from monitoring.catalogue import load_catalogue
    from monitoring.datasets import read_folder
    from monitoring.evaluation import evaluate

    catalogue = load_catalogue()
    return catalogue, evaluate(catalogue, read_folder(ROOT / "data" / "demo", catalogue).rows, year)


def test_evaluate_at_the_final_year_prints_the_verdicts(capsys):
    from monitoring.evaluation import status_record

    code, out, _ = run(capsys, "evaluate", "--data", str(ROOT / "data" / "demo"), "--year", "2025")
    assert code == 0
    catalogue, evaluation = _demo_evaluation(2025)
    table, summary = out.split("\n\n", 1)
    assert not any(label in out for label in ("进度正常", "预计难以达标", "严重滞后", "数据不足", "已达标"))
    for plan in catalogue.plans:
        record = status_record(evaluation.subset(plan).results)
        line = next(line for line in summary.splitlines() if line.startswith(catalogue.plans[plan].title))
        assert (f"终期评估结论：已实现{record['achieved']}项，未实现{record['not_achieved']}项，无法评估{record['no_data']}项"
                in line)
        assert f"达标率{record['attainment'] * 100:.1f}%" in line
    # Over the three plans a statistic two plans share counts once.
    combined = status_record(evaluation.counted())
    total = next(line for line in summary.splitlines() if line.startswith("三个规划合计"))
    assert f"{combined['targets']}项指标" in total and "只计一次" in total and combined["targets"] < len(evaluation.results)
    assert f"达标率{combined['attainment'] * 100:.1f}%" in total
    assert "未实现" in table and "已实现" in table


def test_evaluate_during_the_period_prints_insufficient_apart_from_no_data(capsys):
    code, out, _ = run(capsys, "evaluate", "--data", str(ROOT / "data" / "demo"), "--year", "2023")
    assert code == 0
    _, evaluation = _demo_evaluation(2023)
    insufficient = [r for r in evaluation.results if r.status.value == "insufficient"]
    assert insufficient, "the demo data has a target with too little data in 2023"
    summary = out.split("\n\n", 1)[1]
    assert "数据不足" in summary and "无数据" in summary
    assert not any(label in summary for label in ("已实现", "未实现", "无法评估", "终期"))
    plan = insufficient[0].target.plan
    line = next(line for line in summary.splitlines() if line.startswith(evaluation.catalogue.plans[plan].title))
    assert f"数据不足{sum(r.target.plan == plan for r in insufficient)}项" in line
    row = next(line for line in out.splitlines() if line.startswith(insufficient[0].target.id))
    assert "数据不足" in row


def test_evaluate_csv_keeps_its_columns_and_writes_missing_numbers_blank(capsys):
    """The contract of `evaluate --format csv`: the columns of OUTPUT_COLUMNS; at the final year no projection, no "nan"."""
    import csv
    import io

    from monitoring.evaluation import OUTPUT_COLUMNS

    code, out, _ = run(capsys, "evaluate", "--data", str(ROOT / "data" / "demo"), "--year", "2025", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == OUTPUT_COLUMNS
    assert {r["status"] for r in rows} <= {"achieved", "not_achieved", "no_data"}
    assert not any("projected_miss" in r["warnings"] or r["projected_value"] for r in rows)
    assert not any(value == "nan" for r in rows for value in r.values())
