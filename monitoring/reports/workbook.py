"""The Excel summary that goes with a report (监测指标汇总表): the same numbers as the Word document, a row per
target with every year's value, for the office to filter, check and pass on."""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

from monitoring.datasets import DEMO_LABEL
from monitoring.reports.content import COMPARISON_TITLE, LABEL_COLOURS, Content, warning_names
from monitoring.summaries import attainment_help, plan_short, warnings_table

# Column widths (characters) of every sheet; a year column is 9 wide.
WIDTHS = {"规划": 11, "领域": 18, "编号": 10, "指标": 30, "单位": 8, "目标": 16, "基期值": 9, "状态": 13, "终期结论": 10,
          "目标完成进度": 12, "序时进度": 10, "预警": 14, "说明": 60, "牵头单位": 14, "报送单位备注": 36,
          "内容": 80, "项目": 12, "区县": 10, "有预警的区县": 60, "有数据的区县": 8, "有预警的指标": 8}
WRAP = ("领域", "指标", "预警", "说明", "报送单位备注", "内容", "有预警的区县")


def summary_frame(content: Content) -> pd.DataFrame:
    """监测指标汇总表: one row per target with each year's county value, status, warnings and notes."""
    c = content
    first = min(p.plan.baseline_year for p in c.parts)
    years = list(range(first, c.year + 1))
    rows = []
    for part in c.parts:
        for _, group in part.domains:
            for r in group:
                t = r.target
                series = {p.year: p.value for p in r.points}  # the series the engine judged (a women's target: 女)
                row: dict[str, Any] = {
                    "规划": plan_short(c.catalogue, t.plan), "领域": t.domain, "编号": t.id, "指标": t.name, "单位": t.unit,
                    "目标": t.target_label(), "基期值": r.baseline_value,
                }
                for y in years:
                    row[f"{y}年"] = series.get(y)
                row["终期结论" if c.verdicts else "状态"] = r.label  # at the final year the status is the verdict
                if c.midterm:
                    row["目标完成进度"] = r.progress
                    row["序时进度"] = r.time_progress
                row["预警"] = warning_names(r)
                row["说明"] = r.explanation
                row["牵头单位"] = t.department.lead
                row["报送单位备注"] = c.latest_note(r)
                rows.append(row)
    return pd.DataFrame(rows)


def comparison_sheets(content: Content) -> dict[str, pd.DataFrame]:
    """The Excel sheets of the 区县对比 (none for data of one county): the ranking, each target's counties by status,
    and the counties that warn; 达标率 a fraction (the sheet shows it as a percentage)."""
    cmp = content.comparison
    if cmp is None:
        return {}
    return {
        COMPARISON_TITLE: cmp.county_table(with_city=cmp.several_cities),
        f"{COMPARISON_TITLE}（分指标）": cmp.indicator_overview(),
        f"{COMPARISON_TITLE}（预警）": cmp.warning_counties(with_city=cmp.several_cities),
    }


def _about(c: Content, sheets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The 说明 sheet: what the file is."""
    rows = [
        {"项目": "报告", "内容": c.subject + c.kind_title},
        {"项目": "评估年份", "内容": f"{c.year}年"},
        {"项目": "数据", "内容": c.dataset.label},
        {"项目": "生成时间", "内容": c.now.strftime("%Y-%m-%d %H:%M")},
        {"项目": "终期结论" if c.verdicts else "状态", "内容": "；".join(c.label(s) for s in c.statuses)},
        {"项目": "达标率", "内容": attainment_help(c.phase)},
        {"项目": "指标出处", "内容": c.provenance(c.plan)},
        {"项目": "年份列", "内容": "全县合计的报送值；空白为未报送"},
    ]
    if c.dataset.is_demo:
        rows.insert(0, {"项目": "注意", "内容": f"{DEMO_LABEL}，仅供演示，不得引用"})
    if sheets and c.comparison is not None:
        rows.append({"项目": "区县", "内容": f"数据含{len(c.comparison.counties)}个区县；汇总表和预警表为{c.county_name}的数据，"
                                          f"各区县的对比见“{'”“'.join(sheets)}”表（达标率相同的区县并列）"})
    return pd.DataFrame(rows)


def summary_xlsx(content: Content) -> bytes:
    """The Excel summary: 监测指标汇总表 (coloured status cells), 预警, the 区县对比 sheets, and 说明 (what the file is)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from monitoring.exports import excel_bytes

    c = content
    frame = summary_frame(c)
    warnings = warnings_table(c.evaluation)
    if "code" in warnings:
        warnings = warnings.drop(columns=["code"])
    sheets = comparison_sheets(c)
    main = "监测指标汇总表（示例数据）" if c.dataset.is_demo else "监测指标汇总表"
    widths = WIDTHS | {column: 9 for column in frame.columns if re.fullmatch(r"\d{4}年", column)}
    data = excel_bytes({main: frame, "预警": warnings, **sheets, "说明": _about(c, sheets)}, widths=widths, wrap=WRAP)
    book = load_workbook(io.BytesIO(data))
    white = Font(color="FFFFFF", bold=True)
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        for name in ("状态", "终期结论"):
            if name not in header:
                continue
            column = header.index(name) + 1
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row=row, column=column)
                colour = LABEL_COLOURS.get(cell.value)
                if colour:
                    cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
                    cell.font = white
                    cell.alignment = Alignment(horizontal="center", vertical="top")
        for name, number_format in (("目标完成进度", "0%"), ("序时进度", "0%"), ("达标率", "0.0%")):
            if name in header and (name != "达标率" or sheet.title in sheets):
                column = header.index(name) + 1
                for row in range(2, sheet.max_row + 1):
                    sheet.cell(row=row, column=column).number_format = number_format
        if sheet.title == main:
            sheet.freeze_panes = "E2"  # the header and 规划、领域、编号、指标 stay in view
            sheet.column_dimensions[sheet.cell(row=1, column=header.index("预警") + 1).column_letter].width = 22
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.alignment.horizontal is None:
                        cell.alignment = Alignment(vertical="top", wrap_text=cell.alignment.wrap_text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
