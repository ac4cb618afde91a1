"""Templates: a department's indicators, and a filled template validates as it is."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from monitoring.catalogue import Catalogue, load_catalogue
from monitoring.measurements import validate_bytes
from monitoring.regions import Region
from monitoring.templates import (
    COUNTY_TEMPLATE_COLUMNS,
    TEMPLATE_COLUMNS,
    template_counties,
    template_csv,
    template_frame,
    template_xlsx,
)


@pytest.fixture
def health(catalogue):
    return template_frame(catalogue, "县卫体局", 2025, previous={("maternal_mortality", "140826", "全县", "合计"): 53.8})


def test_template_lists_the_departments_indicators_once(catalogue, health):
    assert list(health.columns) == TEMPLATE_COLUMNS
    ids = set(health["指标编号"])
    assert {"W1-02", "C1-03a", "C1-03b", "C1-06"} <= ids
    assert "W2-06" not in ids  # an education/labour indicator
    assert (health[health["地区"] == "全县"]["指标编号"].value_counts() == 1).all()


def test_each_township_target_gets_a_row_per_township(catalogue, health):
    vaccination = health[health["指标编号"] == "C1-06"]
    assert len(vaccination) == 1 + len(catalogue.regions.townships())


def test_reference_columns_show_target_and_last_year(health):
    maternal = health[health["指标编号"] == "W1-02"].iloc[0]
    assert maternal["目标"] == "≤12.5/10万"
    assert maternal["上年数值"] == "53.8/10万"


def test_unknown_department_raises_keyerror(catalogue):
    with pytest.raises(KeyError):
        template_frame(catalogue, "县气象局", 2025)


def test_xlsx_template_is_frozen_validated_and_explained(health):
    book = load_workbook(io.BytesIO(template_xlsx(health, "县卫体局", 2025)))
    assert book.sheetnames == ["数据", "填报说明"]
    sheet = book["数据"]
    assert sheet.freeze_panes == "B2"
    assert [c.value for c in sheet[1]] == TEMPLATE_COLUMNS
    assert len(sheet.data_validations.dataValidation) == 3
    assert "分子" in "".join(str(c.value) for c in book["填报说明"]["A"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_filled_template_validates(catalogue, health, fmt):
    filled = health.copy()
    filled.loc[filled["指标编号"] == "W1-02", ["分子", "分母"]] = [1, 1862]
    filled.loc[filled["指标编号"] == "C1-03b", "数值"] = 4.1
    data = template_xlsx(filled, "县卫体局", 2025) if fmt == "xlsx" else template_csv(filled)
    report = validate_bytes(data, catalogue, department="县卫体局")
    assert report.ok, report.errors
    values = {(r["indicator_id"], r["year"]): r["value"] for r in report.records()}
    assert values[("maternal_mortality", 2025)] == pytest.approx(100000 / 1862)
    assert values[("C1-03b", 2025)] == 4.1


def test_unfilled_template_is_rejected_as_empty(catalogue, health):
    report = validate_bytes(template_xlsx(health, "县卫体局", 2025), catalogue, department="县卫体局")
    assert [e.code for e in report.errors] == ["no_rows"]


# ---------------------------------------------------------------- a city or province office: the 区县 column


@pytest.fixture
def city(targets_dir):
    """运城市's office (fixture dirs/city-office) with two counties; C1-02 is also reported for each town."""
    folder = targets_dir("valid.yaml", "dirs/city-office")
    plan = folder / "valid.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("scope: county", "scope: each_township"), encoding="utf-8")
    return load_catalogue(folder)


def test_county_office_template_has_no_county_column(catalogue, health):
    assert catalogue.regions.home_county == "140826" and template_counties(catalogue) is None
    assert "区县" not in health.columns
    notes = "".join(str(c.value) for c in load_workbook(io.BytesIO(template_xlsx(health, "县卫体局", 2025)))["填报说明"]["A"])
    assert "区县" not in notes and "县妇儿工委办公室" in notes


def test_city_template_lists_every_county_with_its_towns(city):
    frame = template_frame(city, "县卫体局", 2025, previous={("C1-02", "140823", "全县", "合计"): 20.0,
                                                            ("C1-02", "140826", "城关镇", "合计"): 9.0})
    assert list(frame.columns) == COUNTY_TEMPLATE_COLUMNS
    assert list(zip(frame["区县"], frame["地区"], strict=True)) == [
        ("绛县", "全县"), ("绛县", "城关镇"), ("闻喜县", "全县"), ("闻喜县", "城关镇"), ("闻喜县", "东镇")]
    assert list(frame["上年数值"]) == ["", "9.0/10万", "20.0/10万", "", ""]


def test_city_xlsx_template_has_a_county_dropdown_and_explains_it(city):
    frame = template_frame(city, "县卫体局", 2025)
    book = load_workbook(io.BytesIO(template_xlsx(frame, "县卫体局", 2025)))
    assert book.sheetnames == ["数据", "填报说明"]
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == COUNTY_TEMPLATE_COLUMNS
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 4
    county = next(v for v in validations if v.type == "list" and "绛县" in v.formula1)
    assert county.formula1 == '"绛县,闻喜县"'
    column = sheet.cell(row=1, column=COUNTY_TEMPLATE_COLUMNS.index("区县") + 1).column_letter
    assert str(county.sqref).startswith(f"{column}2:{column}")
    notes = "\n".join(str(c.value) for c in book["填报说明"]["A"])
    assert "“区县”填写该行数据所属的县（市、区），每行必填" in notes and "“指标编号”“年份”“区县”“地区”“性别”" in notes
    assert "县妇儿工委办公室" not in notes


def test_a_long_county_list_goes_on_a_hidden_sheet(city):
    many = Catalogue(city.plans, city.targets, [
        *city.regions,
        *(Region(code=f"1409{n:02d}", name=f"某某第{n}县", full_name=f"某某第{n}县", level="county", parent="140800") for n in range(40)),
    ], city.departments, city.office)
    frame = template_frame(many, "县卫体局", 2025)
    assert frame["区县"].nunique() == 42
    book = load_workbook(io.BytesIO(template_xlsx(frame, "县卫体局", 2025)))
    assert book["区县名单"].sheet_state == "hidden"
    assert [c.value for c in book["区县名单"]["A"]][:3] == ["绛县", "闻喜县", "某某第0县"]
    county = next(v for v in book["数据"].data_validations.dataValidation if v.type == "list" and "区县名单" in v.formula1)
    assert county.formula1 == "区县名单!$A$1:$A$42"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_filled_city_template_validates_with_the_counties(city, fmt):
    filled = template_frame(city, "县卫体局", 2025)
    filled["数值"] = [10.0, None, 20.0, 21.0, None]
    filled.loc[4, ["分子", "分母"]] = [1, 4000]
    data = template_xlsx(filled, "县卫体局", 2025) if fmt == "xlsx" else template_csv(filled)
    report = validate_bytes(data, city, department="县卫体局")
    assert report.ok, report.errors
    values = {(r["county"], r["region"]): r["value"] for r in report.records()}
    assert values == {("140826", "全县"): 10.0, ("140823", "全县"): 20.0, ("140823", "城关镇"): 21.0, ("140823", "东镇"): 25.0}
    assert {r["year"] for r in report.records()} == {2025}


def test_a_city_template_without_its_county_column_is_refused(city):
    filled = template_frame(city, "县卫体局", 2025).drop(columns=["区县"])
    filled.loc[0, "数值"] = 10.0
    report = validate_bytes(template_csv(filled), city, department="县卫体局")
    assert [e.code for e in report.errors] == ["missing_county"]


def test_city_template_has_one_block_per_county(catalogue, health):
    city = Catalogue(catalogue.plans, catalogue.targets, catalogue.regions, catalogue.departments, office="140800")
    frame = template_frame(city, "县卫体局", 2025)
    blocks = list(dict.fromkeys(frame["区县"]))
    assert blocks == [r.full_name for r in catalogue.regions.counties()]
    assert frame["区县"].ne(frame["区县"].shift()).sum() == len(blocks)  # each county's rows together
    own = frame[frame["区县"] == "绛县"].drop(columns=["区县"]).reset_index(drop=True)
    assert own[["指标编号", "地区"]].equals(health[["指标编号", "地区"]])  # the county's block is its own template
    assert (frame[frame["区县"] == "闻喜县"]["地区"] == "全县").all()  # no towns listed for 闻喜县
