"""Several counties in one data root: the 区县 column, the region hierarchy of regions.yaml, and who a row belongs to.

A county office (targets/regions.yaml, office 绛县) needs no 区县 column: a row
without one is the county's own. A city office (fixture dirs/city-office:
运城市 with 绛县 and 闻喜县, both having a 城关镇) must name the county of every
row, except where the 地区 alone says it.
"""

from __future__ import annotations

import pytest

from monitoring.catalogue import load_catalogue
from monitoring.measurements import validate_bytes
from monitoring.problems import DataCode


def _one_row(catalogue, county: str, region: str):
    indicator = "W2-06" if catalogue.get("W2-06") else "C1-02"
    data = f"指标编号,年份,数值,区县,地区\n{indicator},2023,8.5,{county},{region}\n".encode()
    return validate_bytes(data, catalogue)


# (区县, 地区) -> (county, 地区) the row gets, or the error (column, code)
COUNTY_OFFICE = [
    ("", "", ("140826", "全县")),
    ("", "全县", ("140826", "全县")),
    ("", "古绛镇", ("140826", "古绛镇")),
    ("140826", "绛县古绛镇", ("140826", "古绛镇")),
    ("绛县", "磨里镇", ("140826", "么里镇")),
    ("闻喜县", "", ("140823", "全县")),
    ("140823", "全县", ("140823", "全县")),
    ("", "闻喜县", ("140823", "全县")),
    ("", "140881", ("140881", "全县")),
    ("闻喜县", "闻喜县", ("140823", "全县")),
    ("闻喜县", "古绛镇", ("地区", DataCode.REGION_NOT_IN_COUNTY)),
    ("闻喜县", "绛县", ("地区", DataCode.REGION_NOT_IN_COUNTY)),
    ("绛州", "", ("区县", DataCode.UNKNOWN_COUNTY)),
    ("运城市", "", ("区县", DataCode.UNKNOWN_COUNTY)),
    ("全县", "", ("区县", DataCode.UNKNOWN_COUNTY)),
    ("", "运城市", ("地区", DataCode.UNKNOWN_REGION)),
]

CITY_OFFICE = [
    ("140826", "", ("140826", "全县")),
    ("闻喜县", "城关镇", ("140823", "城关镇")),
    ("绛县", "城关镇", ("140826", "城关镇")),
    ("", "东镇", ("140823", "东镇")),
    ("", "闻喜县城关镇", ("140823", "城关镇")),
    ("", "闻喜县", ("140823", "全县")),
    ("", "", ("区县", DataCode.MISSING_COUNTY)),
    ("", "全县", ("区县", DataCode.MISSING_COUNTY)),
    ("", "城关镇", ("区县", DataCode.MISSING_COUNTY)),
    ("绛县", "东镇", ("地区", DataCode.REGION_NOT_IN_COUNTY)),
]


def _check(catalogue, county, region, expected):
    report = _one_row(catalogue, county, region)
    if isinstance(expected[1], DataCode):
        assert [(e.line, e.field, e.code) for e in report.errors] == [(2, *expected)]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in report.errors[0].message)
    else:
        assert report.errors == []
        row = report.records()[0]
        assert (row["county"], row["region"]) == expected


@pytest.mark.parametrize(("county", "region", "expected"), COUNTY_OFFICE, ids=[f"{c or '空'}-{r or '空'}" for c, r, _ in COUNTY_OFFICE])
def test_county_office(catalogue, county, region, expected):
    _check(catalogue, county, region, expected)


@pytest.fixture
def city(targets_dir):
    return load_catalogue(targets_dir("valid.yaml", "dirs/city-office"))


@pytest.mark.parametrize(("county", "region", "expected"), CITY_OFFICE, ids=[f"{c or '空'}-{r or '空'}" for c, r, _ in CITY_OFFICE])
def test_city_office(city, county, region, expected):
    _check(city, county, region, expected)


def test_missing_county_message_names_the_office(city):
    report = _one_row(city, "", "")
    assert "山西省运城市" in report.errors[0].message
    ambiguous = _one_row(city, "", "城关镇")
    assert "城关镇" in ambiguous.errors[0].message and "多个区县" in ambiguous.errors[0].message


def test_region_elsewhere_message_names_both_counties(catalogue):
    report = _one_row(catalogue, "闻喜县", "古绛镇")
    assert "绛县" in report.errors[0].message and "闻喜县" in report.errors[0].message


def test_the_hierarchy(catalogue, city):
    assert catalogue.regions.home_county == "140826"
    assert [r.full_name for r in catalogue.regions.counties()][:2] == ["绛县", "盐湖区"]
    assert len(catalogue.regions.counties()) == 13
    assert {r.parent for r in catalogue.regions.counties()} == {"140800"}
    assert catalogue.regions.get("140800").parent == "140000"
    assert city.regions.home_county is None and city.regions.office_region.name == "运城市"
    assert [r.name for r in city.regions.townships("140823")] == ["城关镇", "东镇"]
    assert city.regions.townships() == []


def test_same_indicator_in_two_counties_is_not_a_duplicate(catalogue):
    data = "指标编号,年份,数值,区县\nW2-06,2023,81.5,绛县\nW2-06,2023,79.0,闻喜县\n".encode()
    report = validate_bytes(data, catalogue)
    assert report.errors == []
    assert sorted(r["county"] for r in report.records()) == ["140823", "140826"]


@pytest.mark.parametrize(("county", "words"), [("运城市", "是市一级，不是区县"), ("山西省", "是省一级，不是区县"), ("绛州", "区县“绛州”无法识别")])
def test_unknown_county_message_says_why(catalogue, county, words):
    assert words in _one_row(catalogue, county, "").errors[0].message
