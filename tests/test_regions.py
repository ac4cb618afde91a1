"""The gazetteer (monitoring/regions.py): one resolver, one default county, the hierarchy, on the repository's regions.yaml."""

from __future__ import annotations

import pytest

from monitoring.regions import COUNTY_REGION, Region, Regions, UnknownRegion


@pytest.fixture(scope="module")
def regions(catalogue) -> Regions:
    return Regions(catalogue.regions, catalogue.office)


@pytest.mark.parametrize(("text", "code"), [
    ("140826", "140826"), ("绛县", "140826"), (" 绛县 ", "140826"), ("闻喜县", "140823"), ("140823", "140823"),
])
def test_resolve_a_county_written_any_known_way(regions, text, code):
    assert regions.resolve(text) == code


@pytest.mark.parametrize(("text", "among", "words"), [
    ("运城市", None, ["“运城市”是市一级，不是区县"]),
    ("山西省", None, ["是省一级，不是区县"]),
    ("古城县", None, ["区县“古城县”无法识别", "可用的区县：", "绛县（140826）"]),
    ("全县", None, ["区县“全县”无法识别"]),  # in the 地区 column 全县 is the row's own county, never a county's name
    ("闻喜县", ["140826"], ["数据中没有区县“闻喜县”。数据中的区县：绛县（140826）。"]),
    ("闻喜县", [], ["数据中没有区县“闻喜县”：没有任何监测数据。"]),
])
def test_one_failure_behaviour_with_a_message_that_says_what_to_write(regions, text, among, words):
    with pytest.raises(UnknownRegion) as caught:
        regions.resolve(text, among)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(("present", "expected"), [
    (["140826", "140823"], "140826"),  # the office's own county when the data hold it
    (["140823", "140826"], "140826"),
    (["140823", "140802"], "140823"),  # else the county with the most rows (listed first)
    ([], "140826"),                     # no data: the office's own county
])
def test_the_one_default_county_rule(regions, present, expected):
    assert regions.default_county(present) == expected


def test_a_city_office_has_no_home_county():
    city = Regions([Region(code="140800", name="运城市", full_name="运城市", level="city"),
                    Region(code="140826", name="绛县", full_name="绛县", level="county", parent="140800"),
                    Region(code="140823", name="闻喜县", full_name="闻喜县", level="county", parent="140800")], office="140800")
    assert city.home_county is None
    assert city.default_county([]) is None
    assert city.default_county(["140823", "140826"]) == "140823"
    assert city.within("140800") == ["140826", "140823"]
    assert city.ancestor("140826", "city").name == "运城市"


def test_hierarchy_names_and_order(regions):
    assert regions.home_county == "140826" and regions.office_region.full_name == "绛县"
    assert regions.label("140826") == "绛县" and regions.label("X00001") == "X00001"
    assert regions.in_file_order(["X2", "140826", "140823", "X1"])[-2:] == ["X1", "X2"]
    assert {r.name for r in regions.townships()} >= {"古绛镇", "冷口乡"}
    assert "古绛镇" in regions.township_names()
    assert regions.ancestor("140826", "province").name == "山西省"
    assert "140826" in regions.within(regions.ancestor("140826", "city").code)
    assert regions.area("运城市").level == "city" and regions.area("绛县") is None


def test_data_regions_place_townships_within_their_county(regions):
    lookup = regions.data_regions()
    assert lookup[""] == [(COUNTY_REGION, None)] and lookup[COUNTY_REGION] == [(COUNTY_REGION, None)]
    assert lookup["绛县"] == [(COUNTY_REGION, "140826")]
    assert lookup["古绛镇"] == [("古绛镇", "140826")]
    assert regions.region_name("古绛镇") == "古绛镇" and regions.region_name("绛县") == COUNTY_REGION
    assert regions.region_name("不存在的镇") is None


def test_iterates_like_the_list_it_was(regions, catalogue):
    assert list(regions) == list(catalogue.regions) and len(regions) == len(catalogue.regions) and bool(regions)
