"""monitoring.intake: the tables behind the 数据填报 and 报送情况 pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from monitoring import intake
from monitoring.datasets import Dataset
from monitoring.measurements import validate_bytes, validate_file
from monitoring.store import Store
from tests.conftest import FIXTURES

MEASUREMENTS = FIXTURES / "measurements"


JIANG, WENXI = "140826", "140823"


def live_frame(*rows: tuple) -> pd.DataFrame:
    """Live rows from (key, year, value, region, sex) tuples (绛县's), or (key, year, value, region, sex, county)."""
    frame = pd.DataFrame([r if len(r) == 6 else (*r, JIANG) for r in rows],
                         columns=["indicator_id", "year", "value", "region", "sex", "county"])
    frame["year"] = frame["year"].astype("Int64")
    return frame


# ---------------------------------------------------------------- years


def test_plan_years_run_from_the_base_year_to_the_end_of_the_period(catalogue):
    assert intake.plan_years(catalogue) == [2020, 2021, 2022, 2023, 2024, 2025]


@pytest.mark.parametrize(("years", "today", "expected"), [
    ([2020, 2021, 2022, 2023], date(2026, 3, 1), 2024),   # the year after the latest data
    ([2020, 2025], date(2026, 3, 1), 2025),               # capped at the end of the period
    ([2020, 2023], date(2024, 3, 1), 2023),               # never a year that has not passed
    ([], date(2023, 3, 1), 2022),                         # no data: last year
    ([], date(2019, 3, 1), 2020),                         # kept within the plan years
    ([], date(2031, 3, 1), 2025),
])
def test_default_year(catalogue, years, today, expected):
    assert intake.default_year(catalogue, years, today) == expected


# ---------------------------------------------------------------- live data and the template


def test_live_rows_are_empty_for_the_demo(tmp_path):
    rows = live_frame(("C1-03b", 2024, 4.2, "全县", "合计"))
    assert intake.live_rows(Dataset(rows, "demo", tmp_path)).empty
    assert len(intake.live_rows(Dataset(rows, "live", tmp_path))) == 1


def test_previous_values_are_last_years_live_values():
    live = live_frame(("C1-03b", 2023, 4.4, "全县", "合计"), ("C1-03b", 2024, 4.2, "全县", "合计"), ("C1-06", 2024, 96.5, "古绛镇", "合计"))
    assert intake.previous_values(live, 2025) == {("C1-03b", JIANG, "全县", "合计"): 4.2, ("C1-06", JIANG, "古绛镇", "合计"): 96.5}
    assert intake.previous_values(live.iloc[0:0], 2025) == {}


def test_previous_values_keep_each_county_apart():
    live = live_frame(("C1-03b", 2024, 4.2, "全县", "合计", JIANG), ("C1-03b", 2024, 6.0, "全县", "合计", WENXI))
    assert intake.previous_values(live, 2025) == {("C1-03b", JIANG, "全县", "合计"): 4.2, ("C1-03b", WENXI, "全县", "合计"): 6.0}
    assert intake.previous_values(live, 2025, WENXI) == {("C1-03b", WENXI, "全县", "合计"): 6.0}


def test_previous_values_fill_the_template(catalogue):
    from monitoring.templates import template_frame

    live = live_frame(("C1-03b", 2024, 4.2, "全县", "合计"))
    frame = template_frame(catalogue, "县卫体局", 2025, intake.previous_values(live, 2025))
    assert frame.loc[frame["指标编号"] == "C1-03b", "上年数值"].iloc[0] == "4.2‰"


def test_the_template_shows_the_own_countys_last_value_only(catalogue):
    from monitoring.templates import template_frame

    live = live_frame(("C1-03b", 2024, 6.0, "全县", "合计", WENXI), ("C1-03a", 2024, 2.5, "全县", "合计", WENXI),
                      ("C1-03a", 2024, 2.7, "全县", "合计", JIANG))
    frame = template_frame(catalogue, "县卫体局", 2025, intake.previous_values(live, 2025)).set_index("指标编号")
    assert frame.loc["C1-03b", "上年数值"] == ""  # only 闻喜县 has it
    assert frame.loc["C1-03a", "上年数值"] == "2.7‰"


# ---------------------------------------------------------------- checking a file


def test_check_file_never_raises(catalogue, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake, "validate_bytes", broken)
    report = intake.check_file(b"x", "a.csv", catalogue, "县卫体局")
    assert not report.ok
    assert report.errors[0].code == "unreadable_file" and "重新保存" in report.errors[0].message


def test_problems_frame(catalogue):
    report = validate_bytes((MEASUREMENTS / "many-errors.csv").read_bytes(), catalogue, "a.csv")
    frame = intake.problems_frame(report.errors)
    assert list(frame.columns) == ["行", "列", "说明", "代码"]
    assert list(frame["行"]) == ["2", "3", "4", "5"]
    assert frame["代码"].iloc[0] == "unknown_indicator"
    empty = intake.problems_frame(validate_bytes(b"", catalogue, "a.csv").errors, code=False)
    assert list(empty.columns) == ["行", "列", "说明"]
    assert (empty["行"].iloc[0], empty["列"].iloc[0]) == ("", "")
    assert list(intake.problems_frame([]).columns) == ["行", "列", "说明", "代码"]


def test_preview_of_a_new_file(catalogue):
    report = validate_file(MEASUREMENTS / "gbk-excel-export.csv", catalogue, "县卫体局")
    table = intake.preview(report, catalogue, live_frame())
    assert list(table.columns) == intake.PREVIEW_COLUMNS
    assert table.to_dict("records")[0] == {
        "行": 2, "指标编号": "W1-02", "指标名称": "孕产妇死亡率", "年份": 2024, "地区": "全县", "性别": "合计",
        "数值": "53.8/10万", "分子": "1", "分母": "1859", "现值": "—", "变化": "新增",
    }
    assert intake.change_counts(table) == {"新增": 3, "更新": 0, "不变": 0}


def test_preview_against_live_values(catalogue):
    report = validate_file(MEASUREMENTS / "gbk-excel-export.csv", catalogue, "县卫体局")
    live = live_frame(
        (catalogue.series_key("W1-02"), 2024, 52.19, "全县", "合计"),  # W1-02 is reported under its statistic key
        ("C1-03a", 2024, 2.7, "全县", "合计"),
        ("C1-06", 2024, 97.7, "古绛镇", "合计"),
        ("C1-06", 2023, 96.5, "古绛镇", "合计"),  # another year: not compared
    )
    table = intake.preview(report, catalogue, live)
    assert list(table["现值"]) == ["52.19/10万", "2.7‰", "97.7%"]
    assert list(table["变化"]) == ["+1.61/10万", "不变", "-1.2个百分点"]
    assert intake.change_counts(table) == {"新增": 0, "更新": 2, "不变": 1}


def test_preview_compares_each_countys_own_values(catalogue):
    report = validate_file(MEASUREMENTS / "gbk-excel-export.csv", catalogue, "县卫体局")
    live = live_frame(
        (catalogue.series_key("W1-02"), 2024, 52.19, "全县", "合计", WENXI),  # another county's value: not the current one
        ("C1-03a", 2024, 2.7, "全县", "合计", JIANG),
        ("C1-06", 2024, 97.7, "古绛镇", "合计", ""),  # kept before the 区县 column existed: the office's own
    )
    table = intake.preview(report, catalogue, live)
    assert list(table.columns) == intake.PREVIEW_COLUMNS  # a county office's usual preview: no 区县 column
    assert list(table["现值"]) == ["—", "2.7‰", "97.7%"]
    assert list(table["变化"]) == ["新增", "不变", "-1.2个百分点"]


def test_preview_of_other_counties_has_a_county_column(catalogue):
    data = "指标编号,年份,数值,区县,地区\nC1-03b,2024,4.0,闻喜县,\nC1-03b,2024,4.2,,\nC1-03a,2024,2.5,140823,\n".encode()
    report = validate_bytes(data, catalogue, "a.csv")
    assert report.ok, report.errors
    live = live_frame(("C1-03b", 2024, 4.5, "全县", "合计", WENXI), ("C1-03b", 2024, 4.2, "全县", "合计", JIANG))
    table = intake.preview(report, catalogue, live)
    columns = intake.PREVIEW_COLUMNS
    at = columns.index("地区")
    assert list(table.columns) == [*columns[:at], "区县", *columns[at:]]
    assert list(table["区县"]) == ["闻喜县", "绛县", "闻喜县"]
    assert list(table["现值"]) == ["4.5‰", "4.2‰", "—"]
    assert list(table["变化"]) == ["-0.5‰", "不变", "新增"]

    only_other = validate_bytes("指标编号,年份,数值,区县\nC1-03b,2024,4.0,闻喜县\n".encode(), catalogue, "b.csv")
    assert list(intake.preview(only_other, catalogue, live)["区县"]) == ["闻喜县"]  # one county, not the office's own
    empty = intake.preview(validate_bytes(b"", catalogue, "a.csv"), catalogue, live)
    assert list(empty.columns) == intake.PREVIEW_COLUMNS


def test_review_preview_of_several_counties(catalogue):
    data = "指标编号,年份,数值,区县,数据来源\nC1-03b,2024,4.0,闻喜县,闻喜县卫体局\nC1-03b,2024,4.2,绛县,县卫体局\n".encode()
    rows = validate_bytes(data, catalogue, "a.csv").rows.drop(columns=["_row"])
    table = intake.review_preview(rows, catalogue, live_frame(("C1-03b", 2024, 4.2, "全县", "合计", JIANG)))
    at = intake.REVIEW_COLUMNS.index("地区")
    assert list(table.columns) == [*intake.REVIEW_COLUMNS[:at], "区县", *intake.REVIEW_COLUMNS[at:]]
    assert list(zip(table["区县"], table["变化"], table["数据来源"], strict=True)) == [
        ("闻喜县", "新增", "闻喜县卫体局"), ("绛县", "不变", "县卫体局")]
    home = rows[rows["county"] == JIANG].assign(county="")  # a file kept before the 区县 column existed
    assert list(intake.review_preview(home, catalogue, live_frame()).columns) == intake.REVIEW_COLUMNS


def test_preview_shows_computed_values_and_shared_ids(catalogue):
    data = "指标编号,年份,数值,分子,分母,性别\nW1-02,2024,,1,1850,\nw2-05a,2024,96.1,,,女\n".encode()
    report = validate_bytes(data, catalogue, "a.csv")
    table = intake.preview(report, catalogue, live_frame())
    assert table["数值"].iloc[0] == "54.05/10万"  # computed from the counts, two decimals at most
    shared = table.iloc[1]
    assert set(shared["指标编号"].split("、")) == {"C3-04a", "W2-05a"}
    assert (shared["性别"], shared["分子"], shared["数值"]) == ("女", "", "96.1%")


def test_preview_of_an_empty_report(catalogue):
    report = validate_bytes(b"", catalogue, "a.csv")
    table = intake.preview(report, catalogue, live_frame())
    assert table.empty and list(table.columns) == intake.PREVIEW_COLUMNS
    assert intake.change_counts(table) == {"新增": 0, "更新": 0, "不变": 0}


@pytest.mark.parametrize(("new", "old", "unit", "expected"), [
    (92.5, None, "%", "新增"),
    (92.5, 92.5, "%", "不变"),
    (92.5, 91.0, "%", "+1.5个百分点"),
    (4.2, 4.4, "‰", "-0.2‰"),
    (78.1, 77.9, "岁", "+0.2岁"),
    (120, 100, "人", "+20人"),
    (52.63, 0.0, "1/10万", "+52.63/10万"),
])
def test_change_text(new, old, unit, expected):
    assert intake.change_text(new, old, unit) == expected


def test_submit_missing():
    assert intake.submit_missing("县卫体局", "张三") is None
    assert intake.submit_missing("县卫体局", "  ") == "请先在页面上方填写提交人姓名。"
    assert intake.submit_missing(None, "张三") == "请先在页面上方选择报送单位。"
    assert intake.submit_missing(None, None) == "请先在页面上方选择报送单位和填写提交人姓名。"


def test_other_years(catalogue):
    report = validate_file(MEASUREMENTS / "gbk-excel-export.csv", catalogue, "县卫体局")
    assert intake.other_years(report, 2024) == []
    assert intake.other_years(report, 2025) == [2024]


# ---------------------------------------------------------------- submissions and pending keys


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def test_submissions_table_newest_first_with_reasons(store, catalogue):
    good = (MEASUREMENTS / "gbk-excel-export.csv").read_bytes()
    first, _ = store.submit(good, "一.csv", "县卫体局", "张三", catalogue)
    store.reject(first["id"], "李四", "请核对古绛镇")
    second, _ = store.submit((MEASUREMENTS / "many-errors.csv").read_bytes(), "二.csv", "县卫体局", "张三", catalogue)
    third, _ = store.submit(good, "三.csv", "县卫体局", "张三", catalogue)
    store.submit("指标编号,年份,数值\nW2-04a,2024,99.9\n".encode(), "教育.csv", "县教育局", "王五", catalogue)

    table = intake.submissions_table(store.submissions(), "县卫体局")
    assert list(table.columns) == intake.SUBMISSION_COLUMNS
    assert list(table["提交编号"]) == [third["id"], second["id"], first["id"]]
    assert list(table["状态"]) == ["待审核", "已驳回", "已驳回"]
    assert table["说明"].iloc[0] == "待办公室审核"
    assert "文件未通过校验" in table["说明"].iloc[1]
    assert table["说明"].iloc[2] == "请核对古绛镇"
    assert len(intake.submissions_table(store.submissions())) == 4
    assert len(intake.submissions_table(store.submissions(), limit=2)) == 2
    assert intake.submissions_table([], "县卫体局").empty

    store.approve(third["id"], "李四")
    table = intake.submissions_table(store.submissions(), "县卫体局")
    assert table["状态"].iloc[0] == "已批准" and "李四" in table["说明"].iloc[0] and "数据已生效" in table["说明"].iloc[0]


def test_pending_keys_are_headline_values_of_pending_submissions(store, catalogue):
    """A township row is not the county's value; a 女 row is, for a key a women's target reads (W2-05a: girls' and women's
    high-school enrolment), and not for a key only both-sexes targets read (C1-03b)."""
    assert intake.pending_keys(store, catalogue) == set()
    body = ("指标编号,年份,数值,地区,性别\nW1-02,2024,53.8,全县,合计\nC1-06,2024,96.5,古绛镇,合计\nW2-05a,2023,95,全县,女\n"
            "C1-03b,2023,4.4,,\nC1-03b,2024,4.1,全县,女\n")
    pending, _ = store.submit(body.encode(), "a.csv", "县统计局", "张三", catalogue)
    assert intake.pending_keys(store, catalogue) == {(catalogue.series_key("W1-02"), 2024, JIANG), ("C1-03b", 2023, JIANG),
                                                     ("high_school_gross_enrollment", 2023, JIANG)}

    store.submit("指标编号,年份,数值\nC1-03a,2024,2.7\n".encode(), "b.csv", "县卫体局", "张三", catalogue, approve=True)
    rejected, _ = store.submit("指标编号,年份,数值\nC1-03c,2024,3.1\n".encode(), "c.csv", "县卫体局", "张三", catalogue)
    store.reject(rejected["id"], "李四", "不对")
    assert ("C1-03a", 2024, JIANG) not in intake.pending_keys(store, catalogue)
    assert ("C1-03c", 2024, JIANG) not in intake.pending_keys(store, catalogue)

    (store.normalized_dir / f"{pending['id']}.csv").unlink()  # a missing file is skipped, not a crash
    assert intake.pending_keys(store, catalogue) == set()


def test_pending_keys_tell_the_county(store, catalogue):
    body = "指标编号,年份,数值,区县\nC1-03b,2024,4.0,闻喜县\nC1-03a,2024,2.7,\n"
    entry, _ = store.submit(body.encode(), "a.csv", "县统计局", "张三", catalogue)
    assert intake.pending_keys(store, catalogue) == {("C1-03b", 2024, WENXI), ("C1-03a", 2024, JIANG)}
    path = store.normalized_dir / f"{entry['id']}.csv"  # kept before the 区县 column existed
    path.write_bytes(pd.read_csv(path, encoding="utf-8-sig", dtype=str).drop(columns=["county"]).to_csv(index=False).encode("utf-8-sig"))
    assert intake.pending_keys(store, catalogue) == {("C1-03b", 2024, ""), ("C1-03a", 2024, "")}


# ---------------------------------------------------------------- reporting


def test_reporting_table_marks_states(catalogue):
    data = live_frame(("C1-03b", 2024, 4.2, "全县", "合计"), ("C1-06", 2024, 96.5, "古绛镇", "合计"))
    table = intake.reporting_table(catalogue, data, 2024, {("C1-03a", 2024), ("C1-03c", 2023)})
    state = dict(zip(table["key"], table["报送情况"], strict=True))
    assert state["C1-03b"] == "● 已报送"
    assert state["C1-03a"] == "● 待审核"
    assert state["C1-03c"] == "● 未报送"  # pending for another year
    assert state["C1-06"] == "● 未报送"  # only a township value
    assert set(table["状态"]) == {"已报送", "待审核", "未报送"}
    order = list(dict.fromkeys(table["状态"]))
    assert order == ["未报送", "待审核", "已报送"]  # what needs chasing first


def _states(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["key"], table["状态"], strict=True))


def test_reporting_counts_only_the_own_countys_rows(catalogue):
    data = live_frame(("C1-03b", 2024, 4.2, "全县", "合计", JIANG), ("C1-03a", 2024, 2.5, "全县", "合计", WENXI),
                      ("C1-03c", 2024, 3.0, "全县", "合计", ""))  # kept before the 区县 column existed: the office's own
    pending = {("C1-05d", 2024, WENXI), ("C1-05c", 2024, JIANG), ("C1-05e", 2024, "")}
    state = _states(intake.reporting_table(catalogue, data, 2024, pending))
    assert (state["C1-03b"], state["C1-03c"], state["C1-03a"]) == ("已报送", "已报送", "未报送")  # 闻喜县's value is not 绛县's
    assert (state["C1-05c"], state["C1-05e"], state["C1-05d"]) == ("待审核", "待审核", "未报送")
    own = intake.reporting_table(catalogue, data[data["county"] != WENXI], 2024, pending)
    assert intake.reporting_totals(own) == intake.reporting_totals(intake.reporting_table(catalogue, data, 2024, pending))

    wenxi = _states(intake.reporting_table(catalogue, data, 2024, pending, county="闻喜县"))
    assert (wenxi["C1-03a"], wenxi["C1-03b"], wenxi["C1-05d"], wenxi["C1-05c"]) == ("已报送", "未报送", "待审核", "未报送")
    # a county page passes the chosen county's rows: they are that county's 报送情况
    assert _states(intake.reporting_table(catalogue, data[data["county"] == WENXI], 2024, pending)) == wenxi

    overview = intake.rate_overview(catalogue, data, [2024], pending).set_index("单位")
    assert overview.loc["全部单位", "2024年"] == round(200 / len(catalogue.series()), 1)
    overview = intake.rate_overview(catalogue, data, [2024], pending, county=WENXI).set_index("单位")
    assert overview.loc["全部单位", "2024年"] == round(100 / len(catalogue.series()), 1)


def test_reporting_of_a_city_office(targets_dir):
    from monitoring.catalogue import load_catalogue

    city = load_catalogue(targets_dir("valid.yaml", "dirs/city-office"))
    assert intake.reporting_county(city, live_frame()) is None  # no data: every county's pending keys count
    assert intake.county_pending(city, live_frame(), {("C1-02", 2024, WENXI)}) == {("C1-02", 2024)}
    data = live_frame(("C1-02", 2024, 20.0, "全县", "合计", WENXI), ("C1-02", 2023, 20.0, "全县", "合计", WENXI),
                      ("C1-02", 2023, 10.0, "全县", "合计", JIANG))
    assert intake.reporting_county(city, data) == WENXI  # the county with the most rows
    assert _states(intake.reporting_table(city, data, 2024)) == {"C1-02": "已报送"}
    assert _states(intake.reporting_table(city, data, 2024, county="绛县")) == {"C1-02": "未报送"}


def test_state_style_colours_each_state():
    assert intake.state_style("● 已报送") == "color: #2e7d32"
    assert intake.state_style("● 待审核") == "color: #1565c0"
    assert intake.state_style("● 未报送") == "font-weight: 600; color: #c62828"
    assert intake.state_style("其他") == ""


def test_department_summary_and_totals(catalogue):
    data = live_frame(("C1-03b", 2024, 4.2, "全县", "合计"))
    table = intake.reporting_table(catalogue, data, 2024, {("C1-03a", 2024)})
    summary = intake.department_summary(table)
    assert list(summary.columns) == ["单位", "应报", "已报送", "待审核", "未报送", "报送率"]
    row = summary.set_index("单位").loc["县卫体局"]
    assert (row["已报送"], row["待审核"]) == (1, 1)
    assert row["报送率"] == round(100 / row["应报"], 1)
    totals = intake.reporting_totals(table)
    assert totals == {"应报": len(catalogue.series()), "已报送": 1, "待审核": 1, "未报送": len(catalogue.series()) - 2,
                      "报送率": round(100 / len(catalogue.series()), 1)}


def test_filter_reporting(catalogue):
    table = intake.reporting_table(catalogue, live_frame(("C1-03b", 2024, 4.2, "全县", "合计")), 2024)
    assert set(intake.filter_reporting(table, "县卫体局")["单位"]) == {"县卫体局"}
    assert list(intake.filter_reporting(table, state="已报送")["key"]) == ["C1-03b"]
    assert intake.filter_reporting(table, "县教育局", "已报送").empty
    assert len(intake.filter_reporting(table)) == len(table)


def test_reporting_departments_follow_the_department_file(catalogue):
    table = intake.reporting_table(catalogue, live_frame(), 2024)
    names = intake.reporting_departments(catalogue, table)
    assert set(names) == set(table["单位"])
    order = [d.name for d in catalogue.departments]
    assert names == sorted(names, key=order.index)


def test_rate_overview_per_year(catalogue):
    data = live_frame(("C1-03b", 2023, 4.4, "全县", "合计"), ("C1-03b", 2024, 4.2, "全县", "合计"), ("C1-03a", 2024, 2.7, "全县", "合计"))
    overview = intake.rate_overview(catalogue, data, [2023, 2024, 2025])
    assert list(overview.columns) == ["单位", "2023年", "2024年", "2025年"]
    assert overview["单位"].iloc[0] == "全部单位"
    health = overview.set_index("单位").loc["县卫体局"]
    led = int((intake.reporting_table(catalogue, data, 2024)["单位"] == "县卫体局").sum())
    assert health["2023年"] == round(100 / led, 1)
    assert health["2024年"] == round(200 / led, 1)
    assert health["2025年"] == 0
    assert overview.set_index("单位").loc["全部单位", "2024年"] == round(200 / len(catalogue.series()), 1)
    assert list(intake.rate_overview(catalogue, data, []).columns) == ["单位"]


def test_chase_list_lists_only_missing_keys(catalogue):
    table = intake.reporting_table(catalogue, live_frame(("C1-03b", 2024, 4.2, "全县", "合计")), 2024, {("C1-03a", 2024)})
    chase = intake.chase_list(table)
    assert list(chase.columns) == intake.CHASE_COLUMNS
    assert set(chase["报送情况"]) == {"未报送"}
    assert not {"C1-03b", "C1-03a"} & set(chase["编号"])
    assert len(chase) == len(table) - 2
    assert list(chase["单位"]) == sorted(chase["单位"])


def test_format_guide_has_the_sections_for_departments():
    guide = intake.format_guide()
    assert guide.startswith("### 二、怎样填写模板")
    assert "\n### 五、未报送的写法" in guide and "\n### 六、分子、分母" in guide
    assert "\n#### 填写步骤" in guide
    assert "九、" not in guide and "七、" not in guide


@pytest.mark.parametrize(("content", "expected"), [
    ("指标编号,年份,数值\nC1-03b,2024,4.2\n", None),
    ("指标编号,年份,数值,区县\nC1-03b,2024,4.2,绛县\n", None),
    ("指标编号,年份,数值,区县\nC1-03b,2024,4.2,闻喜县\n", "文件含 1 个区县的数据：闻喜县 1 行。"),
    ("指标编号,年份,数值,区县\nC1-03b,2024,4.2,闻喜县\nC1-03b,2024,4.0,\nC1-03b,2023,4.4,绛县\n", "文件含 2 个区县的数据：绛县 2 行、闻喜县 1 行。"),
])
def test_county_summary_names_the_counties_of_a_file_only_when_it_matters(catalogue, content, expected):
    report = validate_bytes(content.encode(), catalogue, "x.csv")
    assert report.ok
    assert intake.county_summary(report, catalogue) == expected
