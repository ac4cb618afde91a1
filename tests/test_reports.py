"""Reports: the Word documents (GB/T 9704 form, content by kind) and the Excel summary, and `python -m monitoring report`.

Charts are switched off in every test but one (which needs /usr/bin/chromium), so the module stays fast.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from monitoring import reports
from monitoring.catalogue import provenance_sentence
from monitoring.datasets import DEMO_LABEL, Dataset, read_folder
from monitoring.evaluation import STATUS_STYLE, Status, evaluate, status_record
from monitoring.reports import ReportError, build_report, verdict
from tests.conftest import ROOT

NOW = datetime(2026, 1, 15, 9, 30)
PLAN = "children"


@pytest.fixture(autouse=True)
def _no_charts_by_default(monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")


@pytest.fixture(scope="module")
def demo(catalogue) -> Dataset:
    dataset = read_folder(ROOT / "data" / "demo", catalogue)
    dataset.source = "demo"
    return dataset


@pytest.fixture(scope="module")
def final(catalogue, demo):
    return build_report(catalogue, demo, "final", 2025, plan=PLAN, charts=False, now=NOW)


@pytest.fixture(scope="module")
def midterm(catalogue, demo):
    return build_report(catalogue, demo, "midterm", 2023, plan=PLAN, charts=False, now=NOW)


def _doc(result):
    return Document(io.BytesIO(result.docx))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _body(document) -> str:
    """The report's own paragraphs, before the attachments (附件)."""
    lines = []
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("附件："):
            break
        lines.append(paragraph.text)
    return "\n".join(lines)


def _rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def _rfonts(style) -> dict[str, str]:
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    return {key.split("}")[1]: value for key, value in rfonts.attrib.items()}


# ---------------------------------------------------------------- content


def test_final_report_holds_every_target_of_the_plan_with_its_verdict(catalogue, demo, final):
    evaluation = evaluate(catalogue, demo.rows, 2025, plan=PLAN)
    rows = {row[0]: row for row in _rows(_doc(final)) if len(row) == 6}
    for result in evaluation.results:
        row = rows.get(result.target.name)
        assert row is not None, result.target.name
        assert row[4] == verdict(result) == result.label
        assert row[4] in ("已实现", "未实现", "无法评估")
    assert final.title == "绛县儿童发展“十四五”规划终期评估报告（监测数据部分）"


def test_midterm_report_holds_every_target_with_its_status(catalogue, demo, midterm):
    evaluation = evaluate(catalogue, demo.rows, 2023, plan=PLAN)
    rows = {row[0]: row for row in _rows(_doc(midterm)) if len(row) == 8}
    for result in evaluation.results:
        row = rows[result.target.name]
        assert row[6] == STATUS_STYLE[result.status].label == result.label
        if result.progress is not None:
            assert row[4] == f"{result.progress * 100:.0f}%" and row[5] == f"{result.time_progress * 100:.0f}%"
    text = _text(_doc(midterm))
    # Every target's sentence is the engine's explanation.
    for result in evaluation.results:
        assert result.explanation in text


def test_headings_follow_the_official_numbering(final):
    document = _doc(final)
    first = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    second = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert first[:4] == ["一、总体情况", "二、分领域评估情况", "三、预警情况", "四、数据报送情况"]
    assert all(re.match(r"^[一二三四五六七八九十]+、", t) for t in first)
    assert second and all(re.match(r"^（[一二三四五六七八九十]+）", t) for t in second)
    assert "（一）儿童与健康" in second


def test_styles_name_the_official_fonts_with_east_asian_attributes(final):
    styles = _doc(final).styles
    expected = {"Normal": ("仿宋_GB2312", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
                "Heading 2": ("楷体_GB2312", 16), reports.TABLE_STYLE: ("仿宋_GB2312", 10.5), reports.TABLE_TEXT: ("仿宋_GB2312", 10.5)}
    for name, (font, size) in expected.items():
        style = styles[name]
        fonts = _rfonts(style)
        assert fonts["eastAsia"] == font, name
        assert not any(key.endswith("Theme") or key == "cstheme" for key in fonts), name
        assert style.font.size == Pt(size), name
    normal = styles["Normal"].paragraph_format
    assert normal.line_spacing == Pt(28)
    assert styles["Normal"].element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert styles["Title"].paragraph_format.alignment == 1  # centred


def test_font_table_names_the_fallbacks(final):
    document = _doc(final)
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    xml = part.blob.decode("utf-8")
    for font, fallback in (("仿宋_GB2312", "仿宋"), ("方正小标宋简体", "宋体"), ("楷体_GB2312", "楷体")):
        assert re.search(f'<w:font w:name="{font}"><w:altName w:val="{fallback}"/>', xml), font


def test_page_is_a4_with_the_official_margins(final):
    section = _doc(final).sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 37, 35, 28, 26]
    assert section.orientation == 0  # portrait


def test_footer_has_a_centred_page_field_between_dashes(final):
    footer = _doc(final).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert footer.alignment == 1
    assert all(run.font.size == Pt(14) for run in footer.runs)
    assert 'w:eastAsia="宋体"' in xml


def test_tables_repeat_their_title_and_header_and_shade_status_cells(final):
    document = _doc(final)
    indicator_tables = [t for t in document.tables if len(t.columns) == 6 and t.rows[1].cells[4].text == "结论"]
    assert indicator_tables
    for table in indicator_tables:
        title, header, first = table.rows[0], table.rows[1], table.rows[2]
        assert re.match(r"^表\d+　.+终期评估结论$", title.cells[0].text)
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is not None for row in (title, header))
        assert first._tr.trPr.find(qn("w:tblHeader")) is None
        assert all(run.bold for run in header.cells[0].paragraphs[0].runs)
        shading = first.cells[4]._tc.tcPr.find(qn("w:shd"))
        assert shading is not None and shading.get(qn("w:fill")) not in (None, "auto")
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert table.columns[0].width is not None and table.autofit is False


def test_midterm_and_final_differ_where_they_must(catalogue, demo, final, midterm):
    mid_text, final_text = _body(_doc(midterm)), _body(_doc(final))
    # Mid-term: half time gone, progress against the clock per target.
    assert "时间过半" in mid_text and "序时进度为60%" in mid_text
    assert any(row[4:6] == ["完成进度", "序时进度"] for row in _rows(_doc(midterm)) if len(row) == 8)
    assert not any("序时进度" in row for row in _rows(_doc(final)))
    assert "终期评估结论" not in mid_text and "未实现的指标及原因" not in mid_text
    # Final: the verdict per target and the overall 达标率.
    evaluation = evaluate(catalogue, demo.rows, 2025, plan=PLAN)
    verdicts = [verdict(r) for r in evaluation.results]
    achieved, missed, none = (verdicts.count(v) for v in ("已实现", "未实现", "无法评估"))
    rate = achieved / (achieved + missed) * 100
    assert f"终期评估结论：已实现{achieved}项，未实现{missed}项，无法评估{none}项，达标率为{rate:.1f}%" in final_text
    assert "未实现的指标及原因" in final_text and "时间过半" not in final_text
    assert {"已实现", "未实现"} <= {row[4] for row in _rows(_doc(final)) if len(row) == 6}


PERIOD_ONLY = ("进度正常", "预计难以达标", "严重滞后", "数据不足", "已达标", "达标的指标", "未达标的指标", "无数据的")


def _without_sentences(text: str, evaluation) -> str:
    """The text without the engine's sentences (they may say “无法评估” of a target without data during the period)."""
    for result in evaluation.results:
        text = text.replace(result.explanation, "")
        for warning in result.warnings:
            text = text.replace(warning.message, "")
    return text


def _report_tables(document) -> list[list[str]]:
    """Rows of the report's own tables (before the appendices, whose methodology tables list every status)."""
    rows = []
    for table in document.tables:
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        if any("附件" in c or "方法" in c for row in cells[:1] for c in row):
            continue
        rows.extend(cells)
    return rows


@pytest.mark.parametrize(("kind", "plan"), [("final", PLAN), ("final", None), ("annual", "women")])
def test_a_final_year_report_gives_verdicts_never_period_statuses(catalogue, demo, kind, plan):
    """At the target year: 已实现 / 未实现 / 无法评估 in the text, the count tables and the target tables; no forecast words."""
    result = final_report = build_report(catalogue, demo, kind, 2025, plan=plan, charts=False, now=NOW)
    document = _doc(final_report)
    body = _body(document)
    evaluation = evaluate(catalogue, demo.rows, 2025, plan=plan)
    assert all(r.status in (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NO_DATA) for r in evaluation.results)
    record = status_record(evaluation.results if plan else evaluation.counted())
    assert (f"已实现{record['achieved']}项，未实现{record['not_achieved']}项，无法评估{record['no_data']}项" in body)
    assert "终期评估结论" in body if kind == "final" else "截至规划期末2025年，评估结论" in body
    own = _without_sentences(body, evaluation)
    for word in PERIOD_ONLY:
        assert word not in own, word
    assert not any("按趋势推算" in r.explanation for r in evaluation.results) and "趋势推算" not in own
    headers = [row for row in _report_tables(document) if row[:2] in (["领域", "指标数"], ["规划", "指标数"])]
    assert headers and all(row[2:5] == ["已实现", "未实现", "无法评估"] for row in headers)
    verdict_tables = [t for t in document.tables if len(t.rows) > 1 and [c.text for c in t.rows[1].cells][4:] == ["结论", "说明"]]
    cells = {row.cells[4].text for table in verdict_tables for row in table.rows[2:]}
    assert cells and cells <= {"已实现", "未实现", "无法评估"}
    sheet = load_workbook(io.BytesIO(result.xlsx)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert "终期结论" in header and "状态" not in header
    column = header.index("终期结论")
    assert {row[column].value for row in sheet.iter_rows(min_row=2)} <= {"已实现", "未实现", "无法评估"}


def _single_value(catalogue, demo, target_id: str, year: int, value: float) -> Dataset:
    """The demo data with one target's statistic reduced to a single value in `year`."""
    key = catalogue.get(target_id).series_key
    rows = demo.rows[demo.rows["indicator_id"] != key]
    extra = pd.DataFrame([{"indicator_id": key, "year": year, "value": value, "region": "全县", "sex": "合计"}])
    return Dataset(pd.concat([rows, extra], ignore_index=True), "demo", demo.location)


def test_midterm_report_names_insufficient_targets_apart_from_no_data(catalogue, demo):
    target = catalogue.get("C1-05a")  # ≤8%, no catalogue baseline: one value above it says nothing of a trend
    assert target.baseline_value is None and target.kind == "max"
    dataset = _single_value(catalogue, demo, target.id, 2023, target.target_value * 1.5)
    evaluation = evaluate(catalogue, dataset.rows, 2023, plan=PLAN)
    assert evaluation.get(target.id).status == Status.INSUFFICIENT
    counts = status_record(evaluation.results)
    document = _doc(build_report(catalogue, dataset, "midterm", 2023, plan=PLAN, charts=False, now=NOW))
    body = _body(document)
    assert f"数据不足（缺少基期值或仅有一年数据）的{counts['insufficient']}项" in body
    assert f"数据不足{counts['insufficient']}项" in body and f"无数据{counts['no_data']}项" in body
    assert f"{target.name}（仅有一年数据）" in body
    own = _without_sentences(body, evaluation)
    assert "已实现" not in own and "未实现" not in own and "无法评估" not in own
    rows = {row[0]: row for row in _rows(document) if len(row) == 8}
    assert rows[target.name][6] == "数据不足" and rows[target.name][4:6] == ["—", "—"]
    assert "仅有一年数据" in rows[target.name][7]
    header = next(row for row in _rows(document) if row[:2] == ["领域", "指标数"])
    assert header[2:8] == ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    # 达标率 leaves the 数据不足 target out of the denominator, like 无数据.
    rate = counts["achieved"] / (counts["targets"] - counts["insufficient"] - counts["no_data"]) * 100
    assert f"达标率为{rate:.1f}%" in body


def test_a_maintain_target_that_slipped_names_the_years(catalogue, demo):
    target = catalogue.get("C1-08")  # ≥90% every year
    assert target.maintain
    key = target.series_key
    rows = demo.rows[demo.rows["indicator_id"] != key]
    series = {2020: 95.0, 2021: 95.5, 2022: 85.0, 2023: 96.0, 2024: 96.5, 2025: 97.0}
    extra = pd.DataFrame([{"indicator_id": key, "year": y, "value": v, "region": "全县", "sex": "合计"} for y, v in series.items()])
    dataset = Dataset(pd.concat([rows, extra], ignore_index=True), "demo", demo.location)
    result = evaluate(catalogue, dataset.rows, 2025, plan=PLAN).get(target.id)
    assert result.status == Status.ACHIEVED and result.missed_years == [2022]
    document = _doc(build_report(catalogue, dataset, "final", 2025, plan=PLAN, charts=False, now=NOW))
    body = _body(document)
    assert f"{target.name}（须每年达到，2022年未达到）" in body  # where the 已实现 targets are listed
    assert "本指标须每年达到目标，2022年未达到" in body  # the engine's sentence in the domain section
    row = next(row for row in _rows(document) if row[0] == target.name and len(row) == 6)
    assert row[4] == "已实现" and "未能保持达标（2022年未达到）" in row[5]


@pytest.mark.parametrize("plan", ["women", "children", "disability"])
def test_the_report_states_where_its_targets_come_from(catalogue, demo, plan):
    document = _doc(build_report(catalogue, demo, "annual", 2024, plan=plan, charts=False, now=NOW))
    counts = catalogue.provenance_counts(plan)
    sentence = provenance_sentence(counts)
    assert f"纳入监测的量化指标共{sum(counts.values())}项，其中{sentence}。" in _body(document)
    if plan == "disability":
        assert "参照国家规划补充的指标" in sentence and "（待与县指标表核对）" in sentence
    assert "规划共确定量化指标" not in _text(document)


def test_combined_attainment_counts_a_shared_statistic_once(catalogue, demo):
    evaluation = evaluate(catalogue, demo.rows, 2025)
    counted = evaluation.counted()
    assert len(counted) < len(evaluation.results), "two plans share statistics (C6-08a…)"
    record = status_record(counted)
    document = _doc(build_report(catalogue, demo, "final", 2025, charts=False, now=NOW))
    body = _body(document)
    assert f"总体达标率为{record['attainment'] * 100:.1f}%" in body
    assert "两个规划共用的统计指标只计一次" in body
    assert f"三个规划纳入监测的量化指标共{len(evaluation.results)}项，其中{provenance_sentence(catalogue.provenance_counts())}。" in body
    total = next(row for row in _rows(document) if row[0] == "合计" and len(row) == 6 and row[1] == str(len(counted)))
    assert total[2:5] == [str(record["achieved"]), str(record["not_achieved"]), str(record["no_data"])]
    assert total[5] == f"{record['attainment'] * 100:.1f}%"
    per_plan = [row for row in _rows(document) if row[0] in ("妇女规划", "儿童规划", "残疾人规划") and len(row) == 6]
    assert sum(int(row[1]) for row in per_plan) == len(evaluation.results)


def test_annual_report_is_the_plain_monitoring_view(catalogue, demo):
    result = build_report(catalogue, demo, "annual", 2024, plan="women", charts=False, now=NOW)
    text = _body(_doc(result))
    assert result.title == "绛县妇女发展“十四五”规划2024年度监测报告"
    assert "二、分领域监测情况" in text and "时间过半" not in text and "终期评估结论" not in text


def test_all_plans_make_one_document_with_three_parts(catalogue, demo):
    result = build_report(catalogue, demo, "final", 2025, charts=False, now=NOW)
    document = _doc(result)
    parts = [p.text for p in document.paragraphs if p.style.name == reports.PART_HEADING]
    assert parts == ["第一部分　绛县妇女发展“十四五”规划", "第二部分　绛县儿童发展“十四五”规划", "第三部分　绛县“十四五”残疾人保障和发展规划"]
    names = {row[0] for row in _rows(document)}
    assert {t.name for t in catalogue} <= names
    text = _text(document)
    assert "总体达标率为" in text
    assert "绛政办规备字〔2023〕1号" in text and "绛政办规备字〔2023〕2号" in text


def test_demo_reports_say_so_on_the_title_page_and_every_page(final):
    document = _doc(final)
    title_page = [p.text for p in document.paragraphs[:4]]
    assert document.paragraphs[0].style.name == "Title"
    assert DEMO_LABEL in title_page
    assert "示例数据" in document.sections[0].header.paragraphs[0].text


def test_live_style_data_is_not_marked_as_demo(catalogue, demo):
    dataset = Dataset(demo.rows, "folder", Path("/data/报送"))
    document = _doc(build_report(catalogue, dataset, "final", 2025, plan="disability", charts=False, now=NOW))
    assert "示例数据" not in _text(document)
    assert not document.sections[0].header.paragraphs[0].text


def test_lead_gives_the_basis_year_source_and_date(final):
    lead = next(p.text for p in _doc(final).paragraphs if p.text.startswith("根据"))
    assert "《绛县儿童发展“十四五”规划》（绛政办规备字〔2023〕1号）" in lead
    assert "2025年" in lead and DEMO_LABEL in lead and "2026年1月15日" in lead


def test_appendices_hold_the_methodology_and_the_sources(final):
    text = _text(_doc(final))
    assert "附件1" in text and "监测评估方法说明" in text and "二、计算中用到的量" in text
    assert "达标率" in text and "示例 1" not in text and "```" not in text and "**" not in text
    assert "附件2" in text and "绛县人民政府公报2023年第2期" in text
    assert "所有数据文件均通过校验" in text


def test_skipped_files_are_listed_in_the_sources(catalogue, demo):
    dataset = Dataset(demo.rows, "folder", Path("/data"), skipped=[{"file": "县教育局-2025.xlsx", "reason": "有 3 处错误（如第4行数值不是数字）"}])
    text = _text(_doc(build_report(catalogue, dataset, "annual", 2025, plan=PLAN, charts=False, now=NOW)))
    assert "县教育局-2025.xlsx：有 3 处错误" in text


# ---------------------------------------------------------------- charts


def test_charts_switched_off_are_said_to_be_missing(final):
    assert final.charts_rendered is False
    assert "关闭" in final.chart_note
    document = _doc(final)
    assert len(document.inline_shapes) == 0
    assert "本报告按设置未包含图表" in _text(document)


def test_no_browser_still_writes_the_report_and_says_so(catalogue, demo, monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "1")
    monkeypatch.setenv("MONITORING_REPORT_BROWSER", "/nonexistent/chromium")
    reports.clear_chart_cache()
    result = build_report(catalogue, demo, "final", 2025, plan="disability", now=NOW)
    assert result.charts_rendered is False and "未找到" in result.chart_note
    document = _doc(result)
    assert len(document.inline_shapes) == 0
    assert "未找到 Chromium 或 Chrome 浏览器" in _text(document) and "缺少图表" in _text(document)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_charts_are_rendered_once_each_and_placed(catalogue, demo, monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "1")
    monkeypatch.setenv("MONITORING_REPORT_BROWSER", "/usr/bin/chromium")
    reports.clear_chart_cache()
    steps = []
    result = build_report(catalogue, demo, "final", 2025, plan="disability", now=NOW, progress=lambda f, t: steps.append(f))
    warned = [r for r in evaluate(catalogue, demo.rows, 2025, plan="disability").results if r.warnings]
    assert result.charts_rendered and result.chart_note is None
    assert result.charts == 1 + len(warned)
    document = _doc(result)
    assert len(document.inline_shapes) == 1 + len(warned)
    assert any(p.text.startswith("图1　") for p in document.paragraphs)
    assert steps == sorted(steps) and steps[-1] == 1.0
    # A second report of the same figures comes from the cache, without a browser.
    monkeypatch.setenv("MONITORING_REPORT_BROWSER", "/nonexistent/chromium")
    again = build_report(catalogue, demo, "final", 2025, plan="disability", now=NOW)
    assert again.charts_rendered and again.charts == result.charts


# ---------------------------------------------------------------- Excel


def test_excel_round_trips_every_target(catalogue, demo, final):
    book = load_workbook(io.BytesIO(final.xlsx))
    sheet = book.worksheets[0]
    assert sheet.title == "监测指标汇总表（示例数据）"
    assert sheet.freeze_panes is not None
    header = [cell.value for cell in sheet[1]]
    for column in ("规划", "领域", "编号", "指标", "单位", "目标", "基期值", "2020年", "2025年", "终期结论", "预警", "说明", "牵头单位", "报送单位备注"):
        assert column in header
    assert "状态" not in header  # at the final year the status is the verdict
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    evaluation = evaluate(catalogue, demo.rows, 2025, plan=PLAN)
    assert [r["编号"] for r in rows] == [r.target.id for r in evaluation.results]
    by_id = {r["编号"]: r for r in rows}
    for result in evaluation.results:
        row = by_id[result.target.id]
        assert row["终期结论"] == verdict(result) == result.label
        if result.latest is not None and result.latest.year == 2025:
            assert row["2025年"] == pytest.approx(result.latest.value)
    status = header.index("终期结论") + 1
    cell = sheet.cell(row=2, column=status)
    colour = next(s.colour for s in STATUS_STYLE.values() if s.final_label == cell.value)
    assert cell.fill.fgColor.rgb.endswith(colour.lstrip("#").upper())
    assert sheet.column_dimensions["D"].width >= 20
    warnings = book["预警"]
    assert warnings.max_row - 1 == sum(len(r.warnings) for r in evaluation.results)


def test_a_note_beginning_with_equals_is_inert(catalogue, demo):
    rows = demo.rows.copy()
    target = catalogue.get("C1-02")
    mask = (rows["indicator_id"] == target.series_key) & (rows["year"] == 2025) & (rows["region"] == "全县") & (rows["sex"] == "合计")
    assert mask.sum() == 1
    rows.loc[mask, "note"] = '=HYPERLINK("http://example.com","点击")'
    result = build_report(catalogue, Dataset(rows, "demo", demo.location), "final", 2025, plan=PLAN, charts=False, now=NOW)
    sheet = load_workbook(io.BytesIO(result.xlsx)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("编号")].value == "C1-02")
    cell = row[header.index("报送单位备注")]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://example.com","点击")'


def test_midterm_excel_has_progress_columns(midterm):
    header = [cell.value for cell in load_workbook(io.BytesIO(midterm.xlsx)).worksheets[0][1]]
    assert "目标完成进度" in header and "序时进度" in header and "终期结论" not in header and "状态" in header
    assert header[-1] == "报送单位备注" and "2023年" in header and "2024年" not in header


# ---------------------------------------------------------------- arguments, progress, CLI


@pytest.mark.parametrize(("kind", "year", "plan", "message"), [
    ("quarterly", 2025, None, "报告类型"),
    ("final", 2024, None, "终期评估的年份应为规划期末2025年"),
    ("midterm", 2025, None, "中期评估的年份"),
    ("annual", 2025, "elderly", "没有规划“elderly”"),
])
def test_bad_arguments_raise_a_chinese_report_error(catalogue, demo, kind, year, plan, message):
    with pytest.raises(ReportError, match=message):
        build_report(catalogue, demo, kind, year, plan, charts=False)


def test_default_years_by_kind(catalogue, demo):
    assert reports.default_year(catalogue, demo, "midterm") == 2023
    assert reports.default_year(catalogue, demo, "final") == 2025
    assert reports.default_year(catalogue, demo, "annual") == 2025


def test_progress_is_reported_in_order(catalogue, demo):
    steps: list[tuple[float, str]] = []
    build_report(catalogue, demo, "annual", 2024, plan="disability", charts=False, progress=lambda f, t: steps.append((f, t)))
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(text for _, text in steps)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    from monitoring.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_the_report_and_the_excel(capsys, tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", root / "demo")
    monkeypatch.setenv("MONITORING_DATA", str(root))
    out, xlsx = tmp_path / "新建" / "终期.docx", tmp_path / "汇总.xlsx"
    code, stdout, stderr = run_cli(capsys, "report", "--kind", "final", "--year", "2025", "--plan", "children",
                                   "--out", str(out), "--xlsx", str(xlsx))
    assert code == 0
    assert out.is_file() and xlsx.is_file()
    assert "终期评估报告" in stdout and DEMO_LABEL in stderr
    assert "示例数据" in _text(Document(str(out)))


def test_cli_no_charts_with_a_data_folder(capsys, tmp_path):
    out = tmp_path / "annual.docx"
    code, stdout, _ = run_cli(capsys, "report", "--kind", "annual", "--year", "2024", "--plan", "disability", "--no-charts",
                              "--data", str(ROOT / "data" / "demo"), "--out", str(out))
    assert code == 0 and out.is_file() and "不含图表" in stdout


def test_cli_says_on_stderr_when_charts_are_missing(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "1")
    monkeypatch.setenv("MONITORING_REPORT_BROWSER", "/nonexistent/chromium")
    reports.clear_chart_cache()
    out = tmp_path / "final.docx"
    code, stdout, stderr = run_cli(capsys, "report", "--kind", "final", "--plan", "disability", "--data", str(ROOT / "data" / "demo"),
                                   "--out", str(out))
    assert code == 0 and out.is_file()
    assert "未找到 Chromium 或 Chrome 浏览器" in stderr and "不含图表" in stderr and "不含图表" in stdout


def test_bench_report_returns_seconds(catalogue):
    seconds = reports.bench_report(catalogue, kind="annual", year=2024, plan="disability", charts=False)
    assert isinstance(seconds, float) and seconds > 0


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "final", "--out", "x.pdf"], "--out 的文件名应以 .docx 结尾"),
    (["--kind", "final", "--out", "x.docx", "--xlsx", "x.csv"], "--xlsx 的文件名应以 .xlsx 结尾"),
    (["--kind", "final", "--out", "x.docx", "--plan", "elderly"], "没有规划“elderly”"),
    (["--kind", "final", "--year", "2023", "--out", "x.docx"], "终期评估的年份应为"),
    (["--kind", "final", "--out", "x.docx", "--data", "/nonexistent/folder"], "数据文件夹“/nonexistent/folder”不存在"),
])
def test_cli_bad_arguments_exit_2_in_chinese(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    if "--data" not in args:
        args = [*args, "--data", str(ROOT / "data" / "demo")]
    code, _, err = run_cli(capsys, "report", *args)
    assert code == 2 and message in err
    assert not list(tmp_path.glob("x.*"))


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "weekly", "--out", "x.docx"], "参数 --kind 的取值“weekly”无效"),
    (["--kind", "final"], "缺少必需的参数：--out"),
])
def test_cli_argument_errors_exit_2_in_chinese(capsys, args, message):
    from monitoring.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["report", *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
