"""Reports on data of several counties: the body is one county's, the appendix 附件4 区县对比 and the Excel sheets
compare them all; data of one county make the report they always made (no appendix). Charts are off throughout."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from monitoring import actions
from monitoring.comparison import compare
from monitoring.datasets import Dataset, read_folder
from monitoring.evaluation import STATUS_STYLE, evaluate
from monitoring.permissions import local_user
from monitoring.reports import (
    APPENDIX_NAMES,
    COMPARISON_TITLE,
    ReportError,
    build_report,
    default_county,
    resolve_county,
)
from tests.conftest import ROOT

NOW = datetime(2026, 1, 15, 9, 30)
HOME, OTHER = "140826", "140823"  # 绛县, 闻喜县
SHEETS = [COMPARISON_TITLE, f"{COMPARISON_TITLE}（分指标）", f"{COMPARISON_TITLE}（预警）"]


@pytest.fixture(autouse=True)
def _no_charts(monkeypatch):
    monkeypatch.setenv("MONITORING_REPORT_CHARTS", "0")


@pytest.fixture(scope="module")
def counties(catalogue, counties_demo) -> Dataset:
    dataset = read_folder(counties_demo, catalogue)
    dataset.source = "demo"
    return dataset


@pytest.fixture(scope="module")
def single(catalogue) -> Dataset:
    dataset = read_folder(ROOT / "data" / "demo", catalogue)
    dataset.source = "demo"
    return dataset


@pytest.fixture(scope="module")
def final(catalogue, counties):
    """Every plan, so the per-target tables come one per plan."""
    return build_report(catalogue, counties, "final", 2025, charts=False, now=NOW)


@pytest.fixture(scope="module")
def other(catalogue, counties):
    return build_report(catalogue, counties, "annual", 2024, plan="children", charts=False, now=NOW, county="闻喜县")


def _doc(result):
    return Document(io.BytesIO(result.docx))


def _paragraphs(result) -> list[str]:
    return [p.text for p in _doc(result).paragraphs]


def _appendix(result) -> list[str]:
    texts = _paragraphs(result)
    return texts[texts.index("附件4"):] if "附件4" in texts else []


def _tables(result, title: str) -> list[list[list[str]]]:
    """The rows (below the title and the header) of every table whose title row contains `title`."""
    out = []
    for table in _doc(result).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and title in rows[0][0]:
            out.append(rows[2:])
    return out


def _percent(value) -> str:
    return f"{value * 100:.1f}%"


# ---------------------------------------------------------------- the appendix


def test_appendix_is_numbered_after_the_others_and_listed_with_them(final):
    texts = _paragraphs(final)
    assert texts.count("附件4") == 1 and texts[texts.index("附件4") + 1] == COMPARISON_TITLE
    assert texts.index("附件3") < texts.index("附件4")
    assert "4．区县对比" in texts  # the list of attachments under the body
    headings = [p.text for p in _doc(final).paragraphs[texts.index("附件4"):] if p.style.name == "Heading 1"]
    assert headings == ["一、各区县指标终期评估结论和达标率", "二、各指标的区县分布", "三、有预警的区县"]


def test_ranking_table_has_every_county_as_county_table_ranks_them(catalogue, counties, final):
    comparison = compare(catalogue, counties.rows, 2025)
    expected = comparison.county_table()
    columns = comparison.status_columns()
    assert columns == ["已实现", "未实现", "无法评估"]
    table = next(t for t in _doc(final).tables if "各区县指标终期评估结论和达标率" in t.rows[0].cells[0].text)
    header = [cell.text.replace("\n", "") for cell in table.rows[1].cells]
    assert header == ["排名", "区县", "指标数", "有数据", *columns, "达标率", "有预警的指标"]
    (rows,) = _tables(final, "各区县指标终期评估结论和达标率")
    assert len(rows) == len(expected) == 13
    for row, record in zip(rows, expected.to_dict("records"), strict=True):
        assert row[0] == str(record["排名"]) and row[1] == record["区县"]
        assert row[2:4] == [str(record["指标数"]), str(record["有数据"])]
        assert row[4:7] == [str(record[label]) for label in columns]
        assert row[7] == _percent(record["达标率"]) and row[8] == str(record["有预警的指标"])
    # Over three plans a statistic two plans share counts once, and the appendix says so.
    assert {row[2] for row in rows} == {str(len(catalogue.targets) - comparison.shared)} and comparison.shared
    assert any("两个规划共用的统计指标只计一次" in text for text in _appendix(final))


def test_the_paragraph_quotes_the_numbers_of_county_table(catalogue, counties, final):
    table = compare(catalogue, counties.rows, 2025).county_table()
    summary = next(t for t in _appendix(final) if "达标率最高的是" in t)
    match = re.search(r"2025年，(\d+)个区县中达标率最高的是(.+?)（(.+?)），最低的是(.+?)（(.+?)）；(\d+)个区县有预警指标。"
                      r"绛县达标率为(.+?)，在\d+个区县中排第(\d+)位。", summary)
    assert match, summary
    best, worst = table["达标率"].max(), table["达标率"].min()
    assert int(match[1]) == len(table)
    assert match[2].split("、") == list(table.loc[table["达标率"] == best, "区县"]) and match[3] == _percent(best)
    assert match[4].split("、") == list(table.loc[table["达标率"] == worst, "区县"]) and match[5] == _percent(worst)
    assert int(match[6]) == len(compare(catalogue, counties.rows, 2025).warning_counties())
    home = table[table["区县代码"] == HOME].iloc[0]
    assert match[7] == _percent(home["达标率"]) and int(match[8]) == home["排名"]


def test_per_target_tables_come_by_plan_and_hold_every_target(catalogue, counties, final):
    overview = compare(catalogue, counties.rows, 2025).indicator_overview(names=APPENDIX_NAMES)
    tables = _tables(final, "各指标的区县评估结论分布")
    assert len(tables) == len(catalogue.plans)
    for rows, plan in zip(tables, catalogue.plans, strict=True):
        assert {catalogue.get(row[0]).plan for row in rows} == {plan}
    rows = [row for table in tables for row in table]
    assert [row[0] for row in rows] == list(overview["编号"])
    by_id = {r["编号"]: r for r in overview.to_dict("records")}
    for row in rows:
        record = by_id[row[0]]
        assert row[2:5] == [str(record[label]) for label in ("已实现", "未实现", "无法评估")]
        assert row[5] == (record["有预警的区县"] or "—")


def test_warning_table_lists_the_counties_that_warn(catalogue, counties, final):
    warned = compare(catalogue, counties.rows, 2025).warning_counties()
    (rows,) = _tables(final, "有预警的区县")
    assert [row[0] for row in rows] == list(warned["区县"])
    assert [row[1] for row in rows] == [str(n) for n in warned["有预警的指标"]]


def test_body_is_the_home_county_and_the_title_names_it(catalogue, counties, final):
    assert final.county == HOME and final.counties == 13
    assert final.title.endswith("终期评估报告（绛县监测数据部分）")
    assert final.filename.endswith("终期评估报告（绛县）（示例数据）.docx")
    lead = next(t for t in _paragraphs(final) if t.startswith("根据"))
    assert "评估数据含13个区县，本报告正文为绛县的评估结果" in lead


def test_county_changes_the_body(catalogue, counties, other):
    assert other.county == OTHER and other.title == "绛县儿童发展“十四五”规划2024年度监测报告（闻喜县）"
    evaluation = evaluate(catalogue, counties.for_county(OTHER).rows, 2024, plan="children")
    rows = {row[0]: row for table in _doc(other).tables for row in ([c.text for c in r.cells] for r in table.rows) if len(row) == 6}
    for result in evaluation.results:
        assert rows[result.target.name][4] == STATUS_STYLE[result.status].label == result.label
    home = evaluate(catalogue, counties.for_county(HOME).rows, 2024, plan="children")
    assert [r.status for r in home.results] != [r.status for r in evaluation.results]  # the demo counties do differ
    # The appendix compares the report's plan only, and marks the body's county in bold.
    (ranking,) = _tables(other, "各区县指标状态和达标率")
    assert {row[2] for row in ranking} == {str(len(catalogue.for_plan("children")))}
    table = next(t for t in _doc(other).tables if "各区县指标状态和达标率" in t.rows[0].cells[0].text)
    header = [cell.text.replace("\n", "") for cell in table.rows[1].cells]
    assert header[4:10] == ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]
    bold = [row.cells[1].text for row in table.rows[2:] if all(run.bold for run in row.cells[1].paragraphs[0].runs)]
    assert bold == ["闻喜县"]


# ---------------------------------------------------------------- Excel


def test_excel_has_the_comparison_sheets(catalogue, counties, final):
    book = load_workbook(io.BytesIO(final.xlsx))
    assert [name for name in book.sheetnames if name.startswith(COMPARISON_TITLE)] == SHEETS
    comparison = compare(catalogue, counties.rows, 2025)
    sheet = book[COMPARISON_TITLE]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    expected = comparison.county_table().to_dict("records")
    assert [r["区县"] for r in rows] == [r["区县"] for r in expected]
    assert [r["达标率"] for r in rows] == pytest.approx([r["达标率"] for r in expected])
    assert sheet.cell(row=2, column=header.index("达标率") + 1).number_format == "0.0%"
    assert book[SHEETS[1]].max_row - 1 == len(comparison.indicator_overview())
    assert book[SHEETS[2]].max_row - 1 == len(comparison.warning_counties())
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert "数据含13个区县" in about["区县"]


# ---------------------------------------------------------------- one county: as before


def test_one_county_gets_no_appendix_and_no_sheets(catalogue, single):
    result = build_report(catalogue, single, "final", 2025, plan="children", charts=False, now=NOW)
    texts = _paragraphs(result)
    assert "附件4" not in texts and "4．区县对比" not in texts and "3．预警指标走势图" in texts
    body = texts[:texts.index("附件1")]  # (附件1, the methodology, explains the 区县对比 in general)
    assert not any("区县" in t and "对比" in t for t in body)
    assert not any(p.text == COMPARISON_TITLE for p in _doc(result).paragraphs if p.style.name == "Title")
    assert result.title == "绛县儿童发展“十四五”规划终期评估报告（监测数据部分）"
    assert result.counties == 1 and result.county == HOME
    assert not [name for name in load_workbook(io.BytesIO(result.xlsx)).sheetnames if name.startswith(COMPARISON_TITLE)]
    # Naming the one county changes nothing.
    again = build_report(catalogue, single, "final", 2025, plan="children", charts=False, now=NOW, county="绛县")
    assert _paragraphs(again) == texts  # (not the bytes: a .docx zip stamps its entries with the time of writing)
    assert [[c.text for c in row.cells] for table in _doc(again).tables for row in table.rows] == \
        [[c.text for c in row.cells] for table in _doc(result).tables for row in table.rows]


def test_one_county_of_the_counties_data_is_a_plain_report(catalogue, counties):
    one = counties.for_county(OTHER)
    result = build_report(catalogue, one, "annual", 2024, plan="disability", charts=False, now=NOW)
    assert result.counties == 1 and "附件4" not in _paragraphs(result)
    assert result.title == "绛县“十四五”残疾人保障和发展规划2024年度监测报告"
    assert any("不是闻喜县的统计数据" in t for t in _paragraphs(result))


# ---------------------------------------------------------------- choosing the county


@pytest.mark.parametrize(("county", "expected"), [
    (None, HOME), ("", HOME), ("140823", OTHER), ("闻喜县", OTHER), (" 闻喜县 ", OTHER), ("绛县", HOME),
])
def test_resolve_county(catalogue, counties, county, expected):
    assert resolve_county(catalogue, counties, county) == expected


@pytest.mark.parametrize(("county", "words"), [
    ("北京", "区县“北京”无法识别。数据中的区县：绛县（140826）、盐湖区（140802）"),
    ("古绛镇", "区县“古绛镇”无法识别。数据中的区县：绛县（140826）、盐湖区（140802）"),
    ("140000", "“140000”是省一级，不是区县。请填写区县的区划代码或名称，如 140826 或 绛县。"),
])
def test_unknown_county_is_a_chinese_error_saying_what_to_write(catalogue, counties, county, words):
    with pytest.raises(ReportError) as exc:
        build_report(catalogue, counties, "final", 2025, plan="children", charts=False, county=county)
    assert words in str(exc.value)


def test_default_county_without_the_home_county_is_the_one_with_most_rows(catalogue, counties):
    rows = counties.rows[counties.rows["county"] != HOME].reset_index(drop=True)
    without = Dataset(rows, "demo", counties.location)
    assert default_county(catalogue, without) == without.counties()[0] != HOME
    assert default_county(catalogue, Dataset(rows.iloc[:0], "demo", counties.location)) is None


def test_actions_report_passes_the_county_and_records_it(catalogue, counties, tmp_path):
    from monitoring import audit

    result = actions.report(local_user("王五"), catalogue, counties, "annual", 2024, "disability", charts=False, root=tmp_path,
                            county="闻喜县")
    assert result.county == OTHER and "闻喜县" in result.title
    event = audit.read(tmp_path).events[-1]
    assert "正文为闻喜县，区县对比13个区县" in event["detail"]


def test_a_province_report_names_each_county_s_city(tmp_path, catalogue):
    """Counties of several cities (the benchmark's 山西省): the appendix tables and the sheet get a 所属市 column."""
    from monitoring import bench
    from monitoring.catalogue import load_catalogue

    hierarchy = bench.write_targets("province", tmp_path / "targets")
    regions = load_catalogue(hierarchy.folder)
    bench.generate(catalogue, len(hierarchy.codes), tmp_path / "data", codes=hierarchy.codes, hierarchy=regions)
    data = read_folder(tmp_path / "data", regions)
    result = build_report(regions, data, "annual", 2025, plan="disability", charts=False, now=NOW, county="140826")
    tables = _doc(result).tables
    ranking = next(t for t in tables if len(t.rows) == 2 + 117 and t.rows[1].cells[2].text == "所属市")  # title row, header row, counties
    jiangxian = next(row for row in ranking.rows if row.cells[1].text == "绛县")
    assert jiangxian.cells[2].text == "运城市"
    sheet = load_workbook(io.BytesIO(result.xlsx))[COMPARISON_TITLE]
    assert [c.value for c in sheet[1]][:4] == ["排名", "区县", "所属市", "区县代码"]
