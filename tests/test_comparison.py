"""区县对比 (monitoring/comparison.py): ranking direction, counts, and agreement with the county pages' evaluation."""

from __future__ import annotations

import pandas as pd
import pytest

from monitoring import comparison, datasets
from monitoring.evaluation import UNJUDGED, Status, distinct_ids, evaluate

# Four counties, one indicator: their 2025 values (None: no row at all).
COUNTIES = ["140826", "140823", "140881", "140802"]


def _rows(catalogue, indicator: str, values: dict[str, float | None], year: int = 2025) -> pd.DataFrame:
    key = catalogue.get(indicator).series_key
    rows = [{"indicator_id": key, "year": year, "value": v, "region": "全县", "sex": "合计", "numerator": None,
             "denominator": None, "source": "", "note": "", "county": c} for c, v in values.items() if v is not None]
    return pd.DataFrame(rows, columns=["indicator_id", "year", "value", "region", "sex", "numerator", "denominator", "source", "note", "county"])


# indicator (kind) -> values per county -> expected order of counties with their ranks
RANKING = [
    # max (≤ 2.5%): the lowest first
    ("W1-05a", {"140826": 1.0, "140823": 3.0, "140881": 0.5, "140802": None}, [("140881", 1), ("140826", 2), ("140823", 3), ("140802", None)]),
    # min (≥ 90%): the highest first
    ("W1-10c", {"140826": 91.0, "140823": 95.0, "140881": 80.0, "140802": 95.0}, [("140802", 1), ("140823", 1), ("140826", 3), ("140881", 4)]),
    # approx (45% 左右): the closest first, on either side
    ("W3-02", {"140826": 50.0, "140823": 44.0, "140881": 40.0, "140802": 46.5}, [("140823", 1), ("140802", 2), ("140826", 3), ("140881", 3)]),
]


@pytest.mark.parametrize(("indicator", "values", "expected"), RANKING, ids=[r[0] for r in RANKING])
def test_ranking_follows_the_target_direction(catalogue, indicator, values, expected):
    compared = comparison.compare(catalogue, _rows(catalogue, indicator, values), 2025, counties=COUNTIES)
    table = compared.indicator(indicator).table
    got = [(code, None if pd.isna(rank) else int(rank)) for code, rank in zip(table["区县代码"], table["排名"], strict=True)]
    assert got == expected


def test_counts_and_warnings_of_one_indicator(catalogue):
    compared = comparison.compare(catalogue, _rows(catalogue, "W1-05a", {"140826": 1.0, "140823": 3.0, "140881": 0.5, "140802": None}), 2025,
                                  counties=COUNTIES)
    one = compared.indicator("W1-05a")
    assert one.final and one.statuses == (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NO_DATA)
    assert sum(one.counts.values()) == 4
    assert one.counts[Status.NO_DATA] == 1 and one.with_data == 3
    assert one.counts[Status.ACHIEVED] == 2 and one.counts[Status.NOT_ACHIEVED] == 1
    states = one.table.set_index("区县代码")["状态"]
    assert states["140823"] == "未实现" and states["140826"] == "已实现" and states["140802"] == "无法评估"
    assert list(one.table["区县"]) == ["永济市", "绛县", "闻喜县", "盐湖区"]
    assert one.table.set_index("区县代码").loc["140802", "数值"] == "—"


def test_the_counties_demo(catalogue, counties_demo):
    data = datasets.read_folder(counties_demo, catalogue)
    assert data.several_counties and len(data.counties()) == 13
    compared = comparison.compare(catalogue, data.rows)
    assert compared.counties[0] == "140826", "regions.yaml order: the office's county first"
    ranking = compared.county_table()
    assert len(ranking) == 13 and set(ranking["区县代码"]) == {r.code for r in catalogue.regions.counties()}
    rates = ranking["达标率"].tolist()
    assert rates == sorted(rates, reverse=True)
    assert ranking["排名"].iloc[0] == 1
    status_columns = compared.status_columns()
    assert list(ranking.columns) == compared.county_columns()
    assert (ranking[status_columns].sum(axis=1) == ranking["指标数"]).all()
    # Over the three plans a statistic two plans share counts once.
    assert (ranking["指标数"] == sum(distinct_ids(catalogue.targets))).all() and compared.shared > 0
    overview = compared.indicator_overview()
    assert len(overview) == len(catalogue)
    assert (overview[status_columns].sum(axis=1) == 13).all()
    warned = compared.warning_counties()
    assert set(warned["区县代码"]) <= set(ranking["区县代码"])
    assert (warned["有预警的指标"] == ranking.set_index("区县代码").loc[warned["区县代码"], "有预警的指标"].to_numpy()).all()


@pytest.mark.parametrize("county", ["140826", "140823", "140882"])
def test_a_county_in_the_comparison_is_the_county_page(catalogue, counties_demo, county):
    """What the 区县对比 says of a county is what that county's own pages say (evaluate on its rows)."""
    data = datasets.read_folder(counties_demo, catalogue)
    compared = comparison.compare(catalogue, data.rows, 2025)
    own = evaluate(catalogue, data.for_county(county).rows, 2025)
    table = compared.evaluation.table
    mine = table[table["county"] == county].set_index("id")["status"].astype(str)
    assert {r.target.id: r.status.value for r in own.results} == mine.to_dict()


@pytest.mark.parametrize(("year", "columns"), [
    (2023, ["已达标", "进度正常", "预计难以达标", "严重滞后", "数据不足", "无数据"]),
    (2025, ["已实现", "未实现", "无法评估"]),
])
def test_status_columns_follow_the_phase(catalogue, counties_demo, year, columns):
    compared = comparison.compare(catalogue, datasets.read_folder(counties_demo, catalogue).rows, year)
    assert compared.final is (year == 2025)
    assert compared.status_columns() == columns
    ranking = compared.county_table()
    assert list(ranking.columns) == ["排名", "区县", "区县代码", "指标数", "有数据", *columns, "达标率", "有预警的指标"]
    overview = compared.indicator_overview()
    assert list(overview.columns) == ["编号", "指标", "规划", "有数据的区县", *columns, "有预警的区县"]
    # 有数据 is what the 达标率 divides by: neither 无数据 nor 数据不足.
    counts = compared.evaluation.status_counts(by=("county",)).set_index("county")
    for record in ranking.to_dict("records"):
        mine = counts.loc[record["区县代码"]]
        assert record["有数据"] == mine["targets"] - sum(mine[s.value] for s in UNJUDGED)
        assert record["达标率"] == pytest.approx(mine["achieved"] / record["有数据"])


def test_insufficient_counties_are_not_counted_as_having_data(catalogue):
    """One value that misses and no baseline: 数据不足 during the period, left out of 有数据 like 无数据."""
    compared = comparison.compare(catalogue, _rows(catalogue, "W1-05a", {"140826": 1.0, "140823": 3.0}, 2023), 2023,
                                  counties=COUNTIES)
    one = compared.indicator("W1-05a")
    assert not one.final
    assert one.counts[Status.INSUFFICIENT] == 1 and one.counts[Status.NO_DATA] == 2
    assert one.with_data == 1
    assert one.table.set_index("区县代码").loc["140823", "状态"] == "数据不足"
    overview = compared.indicator_overview().set_index("编号")
    assert overview.loc["W1-05a", "有数据的区县"] == 1 and overview.loc["W1-05a", "数据不足"] == 1


def test_evaluate_refuses_several_counties(catalogue, counties_demo):
    data = datasets.read_folder(counties_demo, catalogue)
    with pytest.raises(ValueError, match="one county"):
        evaluate(catalogue, data.rows, 2025)


def test_for_county_of_a_single_county_dataset_is_itself(catalogue):
    data = datasets.load(catalogue)
    assert not data.several_counties
    assert data.for_county("140826") is data
    assert data.for_county("140823").rows.empty


def test_the_catalogue_baseline_is_the_office_county_s_own(catalogue):
    """A neighbour without a baseline-year value is measured from its own earliest value, not 绛县's baseline."""
    target = next(t for t in catalogue if t.baseline_value is not None)
    values = {"140826": 50.0, "140823": 50.0}
    rows = _rows(catalogue, target.id, values, 2023)
    rows = pd.concat([rows, _rows(catalogue, target.id, values, 2025)], ignore_index=True)
    compared = comparison.compare(catalogue, rows, 2025)
    table = compared.evaluation.table.set_index(["county", "id"])
    assert table.loc[("140826", target.id), "baseline_source"] == "catalogue"
    assert table.loc[("140823", target.id), "baseline_source"] == "earliest"
    assert table.loc[("140823", target.id), "baseline_value"] == 50.0
    own = evaluate(catalogue, rows[rows["county"] == "140823"], 2025, targets=[target])
    assert own.results[0].baseline_source == "earliest"
    assert compared.evaluation.result("140823", target.id).baseline_source == "earliest"


def test_indicator_overview_can_cap_the_names(catalogue, counties_demo):
    compared = comparison.compare(catalogue, datasets.read_folder(counties_demo, catalogue).rows)
    full = compared.indicator_overview()
    capped = compared.indicator_overview(names=3)
    many = full["有预警的区县"].str.count("、") >= 3
    assert many.any()
    assert capped.loc[many, "有预警的区县"].str.fullmatch(r"[^、]+、[^、]+、[^、]+等\d+个区县").all()
    assert (capped.loc[~many, "有预警的区县"] == full.loc[~many, "有预警的区县"]).all()


@pytest.fixture(scope="module")
def province(tmp_path_factory, catalogue):
    """The benchmark's province: 山西省 with 11 cities and 117 counties (synthetic but 运城市 and 绛县), their data."""
    from monitoring import bench
    from monitoring.catalogue import load_catalogue
    from monitoring.measurements import validate_many

    folder = tmp_path_factory.mktemp("province")
    hierarchy = bench.write_targets("province", folder / "targets")
    regions = load_catalogue(hierarchy.folder)
    generated = bench.generate(catalogue, len(hierarchy.codes), folder / "data", codes=hierarchy.codes, hierarchy=regions)
    batch = validate_many(((p.stem, p.read_bytes()) for p in generated.paths), regions)
    assert not batch.failed
    return regions, batch.rows


def test_a_province_compares_its_counties_city_by_city(province):
    regions, rows = province
    everything = comparison.compare(regions, rows, 2025)
    assert len(everything.counties) == 117 and everything.several_cities
    cities = everything.cities()
    assert len(cities) == 11 and sum(len(c) for c in cities.values()) == 117
    assert "140826" in cities["140800"] and len(cities["140800"]) == 13
    yuncheng = comparison.compare(regions, rows, 2025, within="140800")
    assert yuncheng.counties == cities["140800"] and not yuncheng.several_cities
    assert yuncheng.year == everything.year
    table = everything.county_table(with_city=True)
    assert list(table.columns[:4]) == ["排名", "区县", "所属市", "区县代码"]
    assert set(table.loc[table["区县代码"] == "140826", "所属市"]) == {"运城市"}
    assert "所属市" in everything.indicator("W1-01a", with_city=True).table and "所属市" in everything.warning_counties(with_city=True)
    assert "所属市" not in everything.county_table()
    # Counties of 运城市 have the same statuses compared within the city as within the province.
    mine = yuncheng.evaluation.table.set_index(["county", "id"])["status"].astype(str)
    whole = everything.evaluation.table.set_index(["county", "id"])["status"].astype(str)
    assert (whole.loc[mine.index].to_numpy() == mine.to_numpy()).all()


def test_area_names(catalogue):
    assert catalogue.regions.area("运城市").code == "140800" and catalogue.regions.area("山西省").code == "140000"
    assert catalogue.regions.area("绛县") is None
    assert catalogue.regions.within("140800")[0] == "140826" and len(catalogue.regions.within("140800")) == 13
    assert catalogue.regions.within("140000") == catalogue.regions.within("140800")
    assert catalogue.regions.ancestor("140826100", "city").name == "运城市"
