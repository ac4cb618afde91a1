"""`python -m monitoring`: one entry point, Chinese help, no tracebacks.

Exit codes: 0 success, 1 the input has problems (reported in Chinese),
2 bad arguments or a missing file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitoring.catalogue import CSV_COLUMNS, TARGETS_DIR, CatalogueError, check_catalogue, load_catalogue
from monitoring.cli_base import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    UsageError,
    department_name,
    print_json,
    print_table,
    root_folder,
    write_csv,
)
from monitoring.regions import UnknownRegion
from monitoring.store import StoreError

# ---------------------------------------------------------------- commands


def _targets_dir(value: str | None) -> Path:
    path = Path(value) if value else TARGETS_DIR
    if not path.is_dir():
        raise UsageError(f"目标文件夹“{path}”不存在。")
    return path


def cmd_targets(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(_targets_dir(args.targets))
    if args.plan and args.plan not in catalogue.plans:
        raise UsageError(f"没有规划“{args.plan}”，可选：{'、'.join(catalogue.plans)}。")
    rows = [row for row in catalogue.rows() if args.plan in (None, row["plan"])]
    if args.format == "csv":
        write_csv(rows, CSV_COLUMNS)
    elif args.format == "json":
        print_json(rows)
    else:
        print_table(rows, [("id", "编号"), ("plan", "规划"), ("name", "指标名称"), ("kind", "类型"),
                           ("target_value", "目标值"), ("unit", "单位"), ("department", "责任单位")])
        print(f"\n共 {len(rows)} 项指标。")
    return EXIT_OK


def cmd_regions(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(_targets_dir(args.targets))
    rows = [{"code": r.code, "name": r.name, "level": r.level} for r in catalogue.regions]
    write_csv(rows, ["code", "name", "level"])
    return EXIT_OK


def cmd_check_targets(args: argparse.Namespace) -> int:
    catalogue, problems = check_catalogue(_targets_dir(args.directory))
    if problems:
        print(f"发现 {len(problems)} 处问题：", file=sys.stderr)
        for p in problems:
            print(f"- {p}  [{p.code}]", file=sys.stderr)
        return EXIT_INVALID
    assert catalogue is not None
    counts = "，".join(f"{plan.title} {len(catalogue.for_plan(key))} 项" for key, plan in catalogue.plans.items())
    print(f"目标文件检查通过：{counts}；共 {len(catalogue)} 项指标，{len(catalogue.regions)} 个地区，{len(catalogue.departments)} 个单位。")
    return EXIT_OK


def _existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"文件“{value}”不存在。")
    return path


def print_problems(report, out=None) -> None:
    out = out or sys.stdout
    for p in report.errors:
        print(f"  ✗ {_where(p)}{p.message}  [{p.code}]", file=out)
    for p in report.notices:
        print(f"  · {_where(p)}{p.message}", file=out)


def _where(p) -> str:
    parts = []
    if p.line is not None:
        parts.append(f"第{p.line}行")
    if p.field:
        parts.append(f"“{p.field}”列")
    return ("，".join(parts) + "：") if parts else ""


def cmd_validate(args: argparse.Namespace) -> int:
    from monitoring.measurements import validate_file

    path = _existing_file(args.file)
    catalogue = load_catalogue(_targets_dir(args.targets))
    department = department_name(catalogue, args.department)
    report = validate_file(path, catalogue, department)
    if args.json:
        print_json(report.to_dict())
    elif report.ok:
        from monitoring.intake import county_summary

        print(f"校验通过：{path.name}，{len(report.rows)} 行数据可以导入。")
        counties = county_summary(report, catalogue)
        if counties:
            print(counties)
        print_problems(report)
    else:
        print(f"校验未通过：{path.name} 有 {len(report.errors)} 处错误，整个文件不会导入。请逐条修改后重新提交：")
        print_problems(report)
    return EXIT_OK if report.ok else EXIT_INVALID


def cmd_template(args: argparse.Namespace) -> int:
    from monitoring.templates import template_csv, template_frame, template_xlsx

    catalogue = load_catalogue(_targets_dir(args.targets))
    department = department_name(catalogue, args.department)
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError("--out 的文件名应以 .xlsx 或 .csv 结尾。")
    previous = _previous_values(args.root, catalogue, args.year)
    frame = template_frame(catalogue, department, args.year, previous)
    if frame.empty:
        raise UsageError(f"{department}没有需要报送的指标。")
    data = template_xlsx(frame, department, args.year) if out.suffix.lower() == ".xlsx" else template_csv(frame)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已生成 {department} {args.year} 年填报模板：{out}（{len(frame)} 行）。")
    return EXIT_OK


def _previous_values(root: str | None, catalogue, year: int) -> dict:
    """The effective values of the year before `year` from the live data, for reference in a template
    (the same values the 数据填报 page puts there: each row's own county's)."""
    from monitoring.intake import previous_values
    from monitoring.store import Store

    return previous_values(Store(root_folder(root)).live(catalogue), year)


def _store(args: argparse.Namespace):
    from monitoring.store import Store

    return Store(root_folder(args.root))


def _entry_line(entry: dict) -> str:
    from monitoring.store import SUBMISSION_STATUS_LABELS

    status = SUBMISSION_STATUS_LABELS.get(entry["status"], entry["status"])
    text = f"{entry['id']}  {status}  {entry['department']}  {entry['user']}  {entry['time'][:19].replace('T', ' ')}  {entry['filename']}  {entry['rows']}行"
    if entry.get("reason"):
        text += f"\n    原因：{entry['reason']}"
    return text


def cmd_submit(args: argparse.Namespace) -> int:
    path = _existing_file(args.file)
    catalogue = load_catalogue(_targets_dir(args.targets))
    department_name(catalogue, args.department)
    from monitoring import actions
    from monitoring.cli_access import acting_user

    user = acting_user(args.user)
    actions.check_upload_size(path.stat().st_size)
    entry, report = actions.submit(user, path.read_bytes(), path.name, args.department, catalogue, approve=args.approve,
                                   root=root_folder(args.root), source=actions.CLI)
    if report.ok:
        state = "已审核通过，数据已生效" if entry["status"] == "approved" else "待办公室审核"
        print(f"已提交：{entry['id']}（{len(report.rows)} 行，{state}）。原文件已原样保存。")
        print_problems(report)
        return EXIT_OK
    print(f"提交的文件有 {len(report.errors)} 处错误，整个文件未导入（已作为 {entry['id']} 记录并保存原文件）。请修改后重新提交：")
    print_problems(report)
    return EXIT_INVALID


def cmd_submissions(args: argparse.Namespace) -> int:
    entries = _store(args).submissions(args.status)
    if args.json:
        print_json(entries)
        return EXIT_OK
    if not entries:
        print("没有报送记录。" if not args.status else f"没有状态为 {args.status} 的报送记录。")
        return EXIT_OK
    for entry in entries:
        print(_entry_line(entry))
    print(f"\n共 {len(entries)} 份。")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace) -> int:
    from monitoring import actions
    from monitoring.cli_access import OFFICE_DEFAULT, acting_user

    entry = actions.approve(acting_user(args.user, OFFICE_DEFAULT), args.id, root=root_folder(args.root), source=actions.CLI)
    print(f"已审核通过 {entry['id']}（{entry['department']}，{entry['rows']} 行），数据已生效。")
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    from monitoring import actions
    from monitoring.cli_access import OFFICE_DEFAULT, acting_user

    entry = actions.reject(acting_user(args.user, OFFICE_DEFAULT), args.id, args.reason, root=root_folder(args.root), source=actions.CLI)
    print(f"已驳回 {entry['id']}（{entry['department']}）。原因：{entry['reason']}")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(_targets_dir(args.targets))
    key = catalogue.series_key(args.indicator)
    if key is None:
        raise UsageError(f"指标编号“{args.indicator}”不在目标库中。")
    region = None
    if args.region:
        region = catalogue.regions.region_name(args.region)
        if region is None:
            raise UsageError(f"地区“{args.region}”无法识别。")
    county = None
    if args.county:
        try:
            county = catalogue.regions.resolve(args.county)
        except UnknownRegion as exc:
            raise UsageError(str(exc)) from exc
    history = _store(args).history(key, region, catalogue, county=county)
    if history.empty:
        print(f"{catalogue.regions.label(county) + '的' if county else ''}{args.indicator} 没有已生效的报送数据。")
        return EXIT_OK
    rows = history.to_dict("records")
    for row in rows:
        row["effective"] = "现行" if row["effective"] else "非现行"
        row["county"] = catalogue.regions.label(str(row["county"]))
    several = history["county"].nunique() > 1
    print_table(rows, [("year", "年份"), *([("county", "区县")] if several else []), ("region", "地区"), ("sex", "性别"), ("value", "数值"),
                       ("numerator", "分子"), ("denominator", "分母"), ("effective", "状态"), ("submission_id", "报送编号"),
                       ("department", "单位"), ("user", "提交人"), ("time", "提交时间"), ("file", "文件")])
    return EXIT_OK


def _dataset(args: argparse.Namespace, catalogue, use: str):
    """The measurements of --data (a folder), else the live data, else the demo data; says on stderr what was left out."""
    from monitoring import datasets

    folder = None
    if args.data:
        folder = Path(args.data)
        if not folder.is_dir():
            raise UsageError(f"数据文件夹“{args.data}”不存在。")
    dataset = datasets.load(catalogue, folder=folder)
    for item in dataset.skipped:
        print(f"注意：{item['file']} 未使用：{item['reason']}", file=sys.stderr)
    if dataset.is_demo:
        print(f"注意：正式数据为空，{use}{datasets.DEMO_LABEL}（已标明）。", file=sys.stderr)
    return dataset


def _county(catalogue, dataset, value: str | None) -> str | None:
    """The county a command covers: --county (code or name) among the data's counties, else the office's own county
    when the data hold it, else the county with the most rows (`reports.resolve_county`)."""
    from monitoring.reports import ReportError, resolve_county

    try:
        return resolve_county(catalogue, dataset, value)
    except ReportError as exc:
        raise UsageError(f"{exc}请用 --county 给出其中之一（代码或名称）。") from exc


def _for_county(catalogue, dataset, value: str | None):
    """(the county's code, its rows as a Dataset); says on stderr which county when the data hold several and none was asked for."""
    county = _county(catalogue, dataset, value)
    if not dataset.several_counties or county is None:
        return county, dataset
    if value is None:
        print(f"注意：数据中有{len(dataset.counties())}个区县，以下为{catalogue.regions.label(county)}"
              "（用 --county 选择其他区县；各区县对比见 python -m monitoring compare）。", file=sys.stderr)
    return county, dataset.for_county(county)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from monitoring.evaluation import OUTPUT_COLUMNS, evaluate

    catalogue = load_catalogue(_targets_dir(args.targets))
    if args.plan and args.plan not in catalogue.plans:
        raise UsageError(f"没有规划“{args.plan}”，可选：{'、'.join(catalogue.plans)}。")
    dataset = _dataset(args, catalogue, "以下使用")
    county, body = _for_county(catalogue, dataset, args.county)
    result = evaluate(catalogue, body.rows, year=args.year, plan=args.plan)
    table = result.table()
    columns = list(OUTPUT_COLUMNS)
    if body is not dataset:  # several counties: every row says whose it is
        table.insert(0, "county", county)
        columns.insert(0, "county")
    if args.format == "csv":
        write_csv(table.to_dict("records"), columns)
    elif args.format == "json":
        print_json(json.loads(table.to_json(orient="records", force_ascii=False)))
    else:
        rows = table.to_dict("records")
        for row, one in zip(rows, result.results, strict=True):
            row["status"] = one.label  # at or after the target year the verdict: 已实现 / 未实现 / 无法评估
        print_table(rows, [("id", "编号"), ("name", "指标名称"), ("status", "状态"), ("warnings", "预警"), ("explanation", "说明")])
        print()
        for line in _summary_lines(catalogue, result):
            print(line)
        where = f"区县：{catalogue.regions.label(county)}（数据中共{len(dataset.counties())}个区县）；" if body is not dataset else ""
        print(f"评估年份：{result.year}年；{where}数据：{dataset.label}。")
    return EXIT_OK


def _summary_lines(catalogue, evaluation) -> list[str]:
    """Per plan (and, over several plans, in all): targets, 达标率 and counts of the phase's statuses.

    At or after the target year: “终期评估结论：已实现N项，未实现M项，无法评估K项”. The line over several plans
    counts a statistic shared by two plans once (`Evaluation.counted`).
    """
    from monitoring.evaluation import phase_statuses, status_label, status_record

    def line(title: str, record: dict[str, Any], final: bool | None, note: str = "") -> str:
        rate = "—" if record["attainment"] is None or record["attainment"] != record["attainment"] else f"{record['attainment'] * 100:.1f}%"
        counts = "，".join(f"{status_label(s, bool(final))}{record[s.value]}项" for s in phase_statuses(final))
        if final:
            return f"{title}：{record['targets']}项指标{note}，终期评估结论：{counts}；达标率{rate}。"
        return f"{title}：{record['targets']}项指标{note}，达标率{rate}（{counts}）。"

    lines = []
    plans = list(dict.fromkeys(r.target.plan for r in evaluation.results))
    for plan in plans:
        lines.append(line(catalogue.plans[plan].title, status_record(evaluation.subset(plan).results), evaluation.subset(plan).final))
    if len(plans) > 1:
        counted = evaluation.counted()
        shared = len(evaluation.results) - len(counted)
        note = f"（规划间共用的统计指标只计一次，各规划之和为{len(evaluation.results)}项）" if shared else ""
        count = {2: "两", 3: "三", 4: "四"}.get(len(plans), str(len(plans)))
        lines.append(line(f"{count}个规划合计", status_record(counted), evaluation.final, note))
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    from monitoring.demo import write_demo

    catalogue = load_catalogue(_targets_dir(args.targets))
    folder = Path(args.out) if args.out else root_folder(None) / "demo"
    if args.counties:
        return _counties_demo(catalogue, folder, explicit=args.out is not None)
    paths = write_demo(catalogue, folder)  # also removes the counties' demo files (示例数据-区县-*.csv) from the folder
    files = [p for p in paths if p.suffix == ".csv"]
    print(f"已生成{len(files)}个示例数据文件（示例数据，非真实统计）及说明：{folder}")
    return EXIT_OK


def _counties_demo(catalogue, folder: Path, explicit: bool) -> int:
    """`demo --counties`: the 13 counties' demo data in place of the single county's, so the two never mix."""
    from monitoring.demo import CITY_PREFIX, DEMO_DIR, FILE_PREFIX, write_counties_demo

    if not explicit and folder.resolve() == DEMO_DIR.resolve():
        raise UsageError(f"未给出 --out 时写入数据文件夹的 demo/，而这里是程序自带的单县示例数据（{DEMO_DIR}），不会替换。"
                         "请设置环境变量 MONITORING_DATA 指向另一个数据文件夹（如 MONITORING_DATA=/tmp/city python -m monitoring demo --counties），"
                         "或用 --out 明确指定输出文件夹。")
    if len(catalogue.regions.counties()) < 2:
        raise UsageError("regions.yaml 中只列出一个区县，无法生成多区县示例数据。")
    removed = len([p for p in folder.glob(f"{FILE_PREFIX}*.csv") if not p.name.startswith(CITY_PREFIX)]) if folder.is_dir() else 0
    paths = write_counties_demo(catalogue, folder)  # replaces the folder's demo files of either kind and the README
    files = [p for p in paths if p.suffix == ".csv"]
    print(f"已生成{len(files)}个区县的示例数据文件（示例数据，非真实统计；每县一个文件，含“区县代码”列）及说明：{folder}")
    if removed:
        print(f"已删除该文件夹中原有的单县示例数据文件{removed}个（两种示例数据不混合；运行 python -m monitoring demo 可恢复单县示例数据）。")
    return EXIT_OK


def _records(frame) -> list[dict[str, Any]]:
    """Rows of a frame for print_table/write_csv: missing values (NaN, pd.NA) as None."""
    import pandas as pd

    return [{key: (None if not isinstance(value, str) and pd.isna(value) else value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _city_columns(columns: list[str], with_city: bool) -> list[str]:
    """A comparison table's columns, with 所属市 after 区县 when the counties lie in several cities."""
    if not with_city:
        return list(columns)
    at = columns.index("区县") + 1
    return [*columns[:at], "所属市", *columns[at:]]


def cmd_compare(args: argparse.Namespace) -> int:
    from monitoring.comparison import INDICATOR_COLUMNS, compare
    from monitoring.evaluation import Status

    catalogue = load_catalogue(_targets_dir(args.targets))
    if args.plan and args.plan not in catalogue.plans:
        raise UsageError(f"没有规划“{args.plan}”，可选：{'、'.join(catalogue.plans)}。")
    target = None
    if args.indicator:
        target = catalogue.get(args.indicator.strip())
        if target is None:
            raise UsageError(f"指标编号“{args.indicator}”不在目标库中。")
        if args.plan and target.plan != args.plan:
            raise UsageError(f"指标 {target.id} 不属于规划“{args.plan}”。")
    dataset = _dataset(args, catalogue, "以下使用")
    counties = dataset.counties()
    if len(counties) < 2:
        held = f"只有{catalogue.regions.label(counties[0])}一个区县的数据" if counties else "没有任何数据"
        print(f"数据中{held}，区县对比需要多个区县的数据（如市里汇总的各县数据，用“区县代码”列写明区县）。"
              "可用 python -m monitoring demo --counties 生成运城市13个区县的示例数据试用。", file=sys.stderr if args.csv else sys.stdout)
        return EXIT_OK
    within = None
    if args.within:
        area_named = catalogue.regions.area(args.within)
        within = area_named.code if area_named is not None else None
        if within is None:
            areas = "、".join(f"{r.full_name}（{r.code}）" for r in catalogue.regions if r.level in ("province", "city"))
            raise UsageError(f"“{args.within}”不是 regions.yaml 中的市或省。可用：{areas}。")
    comparison = compare(catalogue, dataset.rows, args.year, plan=args.plan, within=within)
    if not comparison.counties:
        raise UsageError(f"数据中没有{catalogue.regions.get(within).full_name}的区县。")  # type: ignore[arg-type,union-attr]
    area = f"{catalogue.regions.get(within).full_name}的" if within else ""  # type: ignore[union-attr]
    footer = f"评估年份：{comparison.year}年；{area}{len(comparison.counties)}个区县；数据：{dataset.label}。"
    with_city = comparison.several_cities
    if target is not None:
        one = comparison.indicator(target.id, with_city=with_city)
        rows = _records(one.table)
        columns = _city_columns(INDICATOR_COLUMNS, with_city)
        if args.csv:
            write_csv(rows, columns)
            return EXIT_OK
        print(f"{target.id} {target.name}：各区县{comparison.year}年的数值和状态（排名按目标方向，无数据的不排名）")
        print()
        print_table(rows, [(c, c) for c in columns if c != "区县代码"])
        print()
        counts = "，".join(f"{one.status_label(s)}{one.counts[s]}个" for s in one.statuses)
        heading = "终期评估结论" if one.final else "按状态"
        insufficient = "，不含数据不足的" if one.counts[Status.INSUFFICIENT] else ""
        print(f"{heading}：{counts}（共{len(one.results)}个区县，有数据的{one.with_data}个{insufficient}）。")
        if one.warnings.empty:
            print("没有区县发出预警。")
        else:
            warned = list(dict.fromkeys(one.warnings["区县"]))
            print(f"有预警的区县（{len(warned)}个）：{'、'.join(warned)}。")
            print()
            print_table(_records(one.warnings), [("区县", "区县"), ("预警", "预警"), ("说明", "说明")])
        print()
        print(footer)
        return EXIT_OK
    table = comparison.county_table(with_city=with_city)
    rows = _records(table)
    columns = comparison.county_columns(with_city)
    if args.csv:
        write_csv(rows, columns)
        return EXIT_OK
    for row in rows:
        row["达标率"] = _percent(row["达标率"])
    from monitoring.summaries import attainment_help

    shared = "；规划间共用的统计指标只计一次" if comparison.shared else ""
    what = "终期评估结论" if comparison.final else "指标状态"
    print(f"各区县{comparison.year}年{what}和达标率（达标率 = {attainment_help(comparison.final)}，相同的并列{shared}）")
    print()
    print_table(rows, [(c, c) for c in columns if c != "区县代码"])
    warned = comparison.warning_counties(with_city=with_city)
    print()
    if warned.empty:
        print("各区县均没有指标发出预警。")
    else:
        print(f"有预警指标的区县（{len(warned)}个，按有预警的指标数排列）：")
        print()
        print_table(_records(warned), [("区县", "区县"), *([("所属市", "所属市")] if with_city else []), ("有预警的指标", "有预警的指标"),
                                       ("预警", "预警（种类 条数）")])
    print()
    print(footer)
    print("某一指标的各区县情况：python -m monitoring compare --indicator 指标编号")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from monitoring import actions
    from monitoring.cli_access import acting_user
    from monitoring.permissions import Action
    from monitoring.reports import ReportError, check_arguments

    user = acting_user(args.user, actions.operator().name)
    actions.require(user, Action.REPORT, source=actions.CLI)  # refuse before the slow part (recorded); actions.report checks again
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise UsageError("--out 的文件名应以 .docx 结尾。")
    xlsx = Path(args.xlsx) if args.xlsx else None
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise UsageError("--xlsx 的文件名应以 .xlsx 结尾。")
    catalogue = load_catalogue(_targets_dir(args.targets))
    if args.plan and args.plan not in catalogue.plans:
        raise UsageError(f"没有规划“{args.plan}”，可选：{'、'.join(catalogue.plans)}。")
    if args.year is not None:
        try:
            check_arguments(catalogue, args.kind, args.year, args.plan)
        except ReportError as exc:
            raise UsageError(str(exc)) from exc
    dataset = _dataset(args, catalogue, "报告使用")
    county = _county(catalogue, dataset, args.county)  # an unknown county is refused before the slow part
    try:
        result = actions.report(user, catalogue, dataset, args.kind, args.year, args.plan, charts=not args.no_charts, source=actions.CLI,
                                county=county)
    except ReportError as exc:
        raise UsageError(str(exc)) from exc
    if result.chart_note and not args.no_charts:
        missing = "部分图表缺失" if result.charts else "但不含图表"
        print(f"注意：{result.chart_note}报告已生成，{missing}（文中已注明）。", file=sys.stderr)
    for path, data in ((out, result.docx), (xlsx, result.xlsx)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    charts = f"含图表{result.charts}幅" if result.charts else "不含图表"
    counties = f"，附区县对比（{result.counties}个区县）" if result.counties > 1 else ""
    print(f"已生成{result.title}（{result.year}年，{dataset.label}，{charts}{counties}）：{out}")
    if xlsx is not None:
        print(f"已生成监测指标汇总表：{xlsx}")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def cmd_bench(args: argparse.Namespace) -> int:
    from monitoring.bench import format_text, run

    if args.repeat < 1:
        raise UsageError("--repeat 至少为 1")
    result = run(args.scale, repeat=args.repeat, pages=not args.no_pages, report=not args.no_report)
    if args.json:
        print_json(result)
    else:
        print(format_text(result))
    return EXIT_OK


def _targets_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--targets", metavar="目录", help="目标文件夹（默认 targets/）")


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m monitoring",
        description="绛县妇女儿童发展规划监测平台 — 命令行工具。",
        epilog="每个子命令都有自己的帮助，例如：python -m monitoring targets -h",
    )
    sub = parser.add_subparsers(dest="command", title="子命令", metavar="子命令", parser_class=Parser)
    sub.required = True

    p = sub.add_parser("targets", help="输出目标库（全部规划的指标）", description="输出目标库。")
    p.add_argument("--format", choices=["csv", "json", "table"], default="table", help="输出格式（默认 table）")
    p.add_argument("--plan", help="只输出一个规划，如 women、children、disability")
    _targets_option(p)
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("regions", help="输出地区表（code,name,level）", description="输出地区表。")
    _targets_option(p)
    p.set_defaults(func=cmd_regions)

    p = sub.add_parser("check-targets", help="检查目标文件是否符合规范", description="检查目标文件：语法、字段、类型、重复编号等，逐条列出问题。")
    p.add_argument("directory", nargs="?", metavar="目录", help="目标文件夹（默认 targets/）")
    p.set_defaults(func=cmd_check_targets)

    p = sub.add_parser("validate", help="校验一个数据文件（不导入）", description="校验部门报送的数据文件（CSV 或 .xlsx），逐条列出错误的行、列和修改方法。退出码：0 通过，1 有错误，2 参数错误或文件不存在。")
    p.add_argument("file", metavar="文件", help="要校验的 CSV 或 .xlsx 文件")
    p.add_argument("--department", metavar="单位", help="报送单位（给出时只允许该单位负责的指标）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（ok、rows、errors、notices）")
    _targets_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="生成某单位的填报模板", description="生成某单位某年度的填报模板（.xlsx 或 .csv）。")
    p.add_argument("--department", required=True, metavar="单位", help="单位简称，如 县卫体局")
    p.add_argument("--year", required=True, type=int, metavar="年份", help="填报年份，如 2025")
    p.add_argument("--out", required=True, metavar="文件", help="输出文件，以 .xlsx 或 .csv 结尾")
    p.add_argument("--root", metavar="目录", help="数据文件夹（默认 data/ 或环境变量 MONITORING_DATA），用于填入上年数值")
    _targets_option(p)
    p.set_defaults(func=cmd_template)

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--root", metavar="目录", help="数据文件夹（默认 data/ 或环境变量 MONITORING_DATA）")

    p = sub.add_parser("submit", help="提交一个数据文件", description="提交部门数据文件：原文件原样保存；校验通过的待办公室审核（--approve 立即生效），有错误的整份退回。")
    p.add_argument("file", metavar="文件", help="CSV 或 .xlsx 文件")
    p.add_argument("--department", required=True, metavar="单位", help="报送单位，如 县卫体局")
    p.add_argument("--user", required=True, metavar="姓名", help="提交人（已启用登录时为用户名，按其角色和单位检查权限）")
    p.add_argument("--approve", action="store_true", help="提交即审核通过（办公室自行导入时使用）")
    _targets_option(p)
    store_options(p)
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("submissions", help="列出报送记录", description="列出报送记录（最新的在后）。")
    p.add_argument("--status", choices=["pending", "approved", "rejected", "superseded"], help="只列出某一状态")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    store_options(p)
    p.set_defaults(func=cmd_submissions)

    p = sub.add_parser("approve", help="审核通过一份报送", description="审核通过一份待审核的报送，其数据成为正式数据。")
    p.add_argument("id", metavar="报送编号")
    p.add_argument("--user", metavar="姓名", help="审核人（已启用登录时为办公室用户的用户名，必填；本机模式默认 县妇儿工委办公室）")
    store_options(p)
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("reject", help="驳回一份报送", description="驳回一份待审核的报送，并写明原因（报送单位可以看到）。")
    p.add_argument("id", metavar="报送编号")
    p.add_argument("--reason", required=True, metavar="原因", help="驳回原因")
    p.add_argument("--user", metavar="姓名", help="审核人（已启用登录时为办公室用户的用户名，必填；本机模式默认 县妇儿工委办公室）")
    store_options(p)
    p.set_defaults(func=cmd_reject)

    p = sub.add_parser("history", help="查看一个指标的历次报送值", description="查看一个指标历次审核通过的数值：哪份报送、谁、何时，是否现行。")
    p.add_argument("indicator", metavar="指标编号", help="如 W1-02（共用统计项也可用其任一指标编号）")
    p.add_argument("--region", metavar="地区", help="只看一个地区，如 全县、古绛镇")
    p.add_argument("--county", metavar="区县", help="只看一个区县（代码或名称，如 140826、闻喜县）；默认列出所有区县的报送值")
    _targets_option(p)
    store_options(p)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("evaluate", help="评估全部指标的状态和预警", description="评估每项指标在某一年的状态、进度、趋势和预警。默认使用正式数据；正式数据为空时使用示例数据。")
    p.add_argument("--data", metavar="目录", help="数据文件夹（其中的 CSV/xlsx 都会读取和校验）")
    _targets_option(p)
    p.add_argument("--year", type=int, metavar="年份", help="评估年份（默认：有数据的最近一年）")
    p.add_argument("--plan", help="只评估一个规划，如 women、children、disability")
    p.add_argument("--format", choices=["csv", "json", "table"], default="table", help="输出格式（默认 table）")
    p.add_argument("--county", metavar="区县", help="数据含多个区县时评估哪一个（代码或名称，如 140826、闻喜县）；默认本县（regions.yaml 的 office），数据中没有本县时取数据行数最多的区县")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="生成年度监测报告或中期、终期评估报告（Word，另可输出 Excel 汇总表）",
                       description="生成公文格式的评估报告（Word）：年度监测报告、中期评估报告或终期评估报告，可另外输出监测指标汇总表（Excel）。"
                                   "默认使用正式数据；正式数据为空时使用示例数据，并在报告中标明。图表需要 Chromium 浏览器，没有时报告照常生成，文中注明缺少图表。"
                                   "数据含多个区县时，正文写一个区县（--county），另附“区县对比”附件。"
                                   "退出码：0 成功，2 参数错误或文件不存在。")
    p.add_argument("--kind", required=True, choices=["annual", "midterm", "final"], help="报告类型：annual 年度监测、midterm 中期评估、final 终期评估")
    p.add_argument("--year", type=int, metavar="年份", help="评估年份（默认：中期2023、终期2025、年度为有数据的最近一年）")
    p.add_argument("--plan", help="只写一个规划，如 women、children、disability（默认三个规划合成一份报告）")
    p.add_argument("--data", metavar="目录", help="数据文件夹（其中的 CSV/xlsx 都会读取和校验）")
    p.add_argument("--out", required=True, metavar="文件", help="输出的 Word 文件，以 .docx 结尾（文件夹不存在时自动创建）")
    p.add_argument("--xlsx", metavar="文件", help="另外输出监测指标汇总表（Excel），以 .xlsx 结尾")
    p.add_argument("--no-charts", action="store_true", help="不生成图表（更快；也可设环境变量 MONITORING_REPORT_CHARTS=0）")
    p.add_argument("--user", metavar="姓名", help="生成人（已启用登录时为办公室用户的用户名，必填），记入审计日志")
    p.add_argument("--county", metavar="区县", help="数据含多个区县时报告正文写哪一个（代码或名称）；默认本县（regions.yaml 的 office），"
                                                   "数据中没有本县时取数据行数最多的区县。此时报告另附“区县对比”附件，Excel 汇总表另有区县对比表")
    _targets_option(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", help="重新生成示例数据（--counties：运城市13个区县的示例数据）",
                       description="按固定随机种子重新生成数据文件夹 demo/ 中的示例数据（非真实统计）：默认为绛县一个县的示例数据；"
                                   "--counties 为运城市13个区县的示例数据（每县一个文件，含“区县代码”列），用于试用区县对比。\n\n"
                                   "两种示例数据不混合：写入一种时，输出文件夹中另一种示例数据文件会被删除（只删除平台生成的“示例数据-”文件）。"
                                   "不给 --out 时写入数据文件夹（默认 data/，或环境变量 MONITORING_DATA）的 demo/，看板即显示该种示例数据；"
                                   "程序自带的 data/demo/ 是单县示例数据，--counties 不会替换它，请设 MONITORING_DATA 或用 --out。\n\n"
                                   "例：MONITORING_DATA=/tmp/city python -m monitoring demo --counties，"
                                   "再以 MONITORING_DATA=/tmp/city 启动看板即为13个区县的数据。")
    p.add_argument("--out", metavar="目录", help="输出文件夹（默认：数据文件夹的 demo/）")
    p.add_argument("--counties", action="store_true", help="生成运城市13个区县的示例数据（替换输出文件夹中的单县示例数据）")
    _targets_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("compare", help="区县对比：各区县的达标率排名，或一项指标在各区县的数值和状态",
                       description="数据含多个区县时（如市里汇总的各县数据），按同样的目标和方法评估每个区县并对比："
                                   "默认列出各区县的指标状态和达标率排名以及有预警的区县；--indicator 列出一项指标在各区县的数值、排名、状态和预警。"
                                   "数据只有一个区县时说明无法对比（退出码 0）。默认使用正式数据；正式数据为空时使用示例数据。")
    p.add_argument("--year", type=int, metavar="年份", help="评估年份（默认：有数据的最近一年）")
    p.add_argument("--indicator", metavar="指标编号", help="只看一项指标，如 W1-02")
    p.add_argument("--plan", help="只对比一个规划的指标，如 women、children、disability")
    p.add_argument("--within", metavar="市或省", help="只比较某个市（或省）的区县，如 运城市 或 140800（按 regions.yaml 的上下级）")
    p.add_argument("--data", metavar="目录", help="数据文件夹（其中的 CSV/xlsx 都会读取和校验）")
    p.add_argument("--csv", action="store_true", help="以 CSV 输出表格（达标率为小数）")
    _targets_option(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("bench", help="性能基准：按县、市、省、全国规模生成测试数据，测量读取、校验、评估的用时和内存",
                       description="在临时文件夹中按固定随机种子生成一个县（county）、一个市（city，13个县）、一个省（province，117个县）或全国（national，2851个县）"
                                   "2020—2025年全部指标的测试数据（非真实统计），测量：下限（pandas pyarrow 读取同样的文件）、读取和校验、评估、峰值内存；"
                                   "并在一个县的数据上测量总览、指标监测页面的服务端用时（冷、热缓存）和生成终期评估报告的用时。结果见 docs/performance.md。")
    p.add_argument("--scale", choices=["county", "city", "province", "national"], default="county", help="数据规模（默认 county）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.add_argument("--repeat", type=int, default=1, metavar="次数", help="每项测量重复的次数，取最快的一次（默认 1）")
    p.add_argument("--no-pages", action="store_true", help="不测量页面用时")
    p.add_argument("--no-report", action="store_true", help="不测量生成报告的用时")
    p.set_defaults(func=cmd_bench)

    from monitoring.cli_access import add_parsers as add_access_parsers

    add_access_parsers(sub, store_options)  # users, backup, restore
    return parser


def _refusals() -> tuple[type[Exception], ...]:
    from monitoring.cli_access import REFUSALS

    return REFUSALS


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except _refusals() as exc:  # permission denied, users file or backup refused
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except CatalogueError as exc:
        print(f"{exc}\n请先运行 python -m monitoring check-targets 并修正目标文件。", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # last resort: a person sees a sentence, not a traceback
        if os.environ.get("MONITORING_DEBUG"):
            raise
        print(f"内部错误（{type(exc).__name__}：{exc}）。请把这条信息和所用文件发给系统维护人员。", file=sys.stderr)
        return EXIT_INVALID
