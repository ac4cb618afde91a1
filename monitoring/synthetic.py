"""Seeded data of many counties, made from one county's rows: for the benchmark and the multi-county demo.

Every county gets the reference county's series (the demo county's,
`monitoring.demo.generate`, which the caller passes in, plus a plain series for
the few targets it leaves without data), moved by a seeded county level and
year noise, rare-event counts redrawn for the county's size, and thinned (some
years, townships and 女/男 rows not reported). Each county is one file
`<code>.csv` in the layout of a filled department template, every row carrying
its county's code in the 区县代码 column; the first county is 绛县 (140826).

`monitoring.bench` writes a city's, province's or the nation's counties with it,
`demo.write_counties_demo` the counties regions.yaml lists; the data is never a
statistic (`mark` fills 数据来源).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from monitoring.catalogue import TOTAL_SEX, Catalogue, Kind
from monitoring.regions import COUNTY_REGION
from monitoring.units import UNITS

YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
HOME_COUNTY = "140826"
FILE_HEADER = ["指标编号", "指标名称", "单位", "年份", "数值", "分子", "分母", "区县代码", "地区", "性别", "数据来源", "备注"]


# Thinning: the share of reported (series, year) cells, township rows and 女/男 rows, and of series without any data.
KEEP_YEAR = 0.72
KEEP_TOWNSHIP = 0.55
KEEP_SEX = 0.75
NO_DATA_SHARE = 0.03


def county_codes(count: int) -> list[str]:
    """绛县 first, then synthetic codes (not real administrative codes)."""
    return [HOME_COUNTY, *(f"X{i:05d}" for i in range(1, count))]


def _reference(catalogue: Catalogue, county_rows: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The reference county's rows, plus a plain series for every key they leave without data."""
    frame = county_rows[["indicator_id", "year", "value", "region", "sex", "numerator", "denominator"]]
    missing = [key for key in catalogue.series() if key not in set(frame["indicator_id"])]
    rng = np.random.default_rng([seed, 1])
    extra = []
    for key in missing:
        series = catalogue.series()[key]
        target = catalogue.get(series.target_ids[0])
        assert target is not None
        if target.target_value is not None and target.kind in (Kind.MIN, Kind.MAX, Kind.APPROX):
            level = target.target_value
        else:
            level = {"%": 60.0, "‰": 5.0, "1/10万": 15.0, "岁": 70.0, "年": 10.0, "小时": 8.0, "百分点": 2.0}.get(series.unit, 20.0)
        step = level * rng.normal(0.01, 0.01)
        for i, year in enumerate(YEARS):
            extra.append({"indicator_id": key, "year": year, "value": round(level + step * i, 1), "region": COUNTY_REGION, "sex": TOTAL_SEX,
                          "numerator": np.nan, "denominator": np.nan})
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    frame["year"] = frame["year"].astype(int)
    return frame.reset_index(drop=True)


@dataclass
class Generated:
    folder: Path
    paths: list[Path]
    rows: int
    counties: int


def generate(catalogue: Catalogue, county_rows: pd.DataFrame, counties: int, folder: Path, seed: int, mark: str,
             codes: list[str] | None = None, hierarchy: Catalogue | None = None) -> Generated:
    """Write one CSV per county into `folder` (seeded: the same arguments give the same bytes).

    `catalogue` gives the targets; `county_rows` the reference county's rows, townships included (its home
    county's demo data, `demo.generate(catalogue, seed)`). `codes` names the counties (default: 绛县, then
    synthetic codes); each row carries its county's code in the 区县代码 column. Township rows are written
    only for counties whose towns and townships `hierarchy` (default: `catalogue`) lists under the reference
    county's names; `mark` fills 数据来源.
    """
    codes = codes or county_codes(counties)
    if len(codes) != counties:
        raise ValueError(f"{counties} counties need {counties} codes, got {len(codes)}")
    folder.mkdir(parents=True, exist_ok=True)
    ref = _reference(catalogue, county_rows, seed)
    series = catalogue.series()
    keys = list(series)
    key_index = {k: i for i, k in enumerate(keys)}
    r = len(ref)
    rng = np.random.default_rng([seed, 2, counties])

    ref_series = ref["indicator_id"].map(key_index).to_numpy()
    ref_year = ref["year"].to_numpy()
    ref_value = ref["value"].to_numpy(dtype=float)
    ref_num = ref["numerator"].to_numpy(dtype=float)
    ref_den = ref["denominator"].to_numpy(dtype=float)
    is_county = (ref["region"] == COUNTY_REGION).to_numpy()
    is_total = (ref["sex"] == TOTAL_SEX).to_numpy()
    township_row = ~is_county
    sex_row = is_county & ~is_total

    units = [series[k].unit for k in keys]
    lower = np.array([UNITS[u].lower for u in units])
    upper = np.array([series[k].upper_bound if series[k].upper_bound is not None else (UNITS[u].upper if UNITS[u].upper is not None else np.inf)
                      for k, u in zip(keys, units, strict=True)])
    scale = np.array([UNITS[u].scale or np.nan for u in units])
    decimals_unit = np.array([UNITS[u].decimals for u in units])
    additive = np.array([u == "百分点" for u in units])
    percent = np.array([u == "%" for u in units])

    # Per county: a size (for populations) and, per series, a level; per (series, year) cell whether it is reported.
    size = np.exp(rng.normal(0.0, 0.45, counties))
    level = rng.normal(0.0, 0.04, (counties, len(keys)))
    none = rng.random((counties, len(keys))) < NO_DATA_SHARE
    cell_year = np.searchsorted(YEARS, ref_year)
    keep_cell = rng.random((counties, len(keys), len(YEARS))) < KEEP_YEAR
    if counties == 1:
        none[:] = False

    c = np.repeat(np.arange(counties), r)
    i = np.tile(np.arange(r), counties)
    s = ref_series[i]
    keep = keep_cell[c, s, cell_year[i]] & ~none[c, s]
    u = rng.random(len(c))
    reference_townships = set(ref["region"][township_row])
    towns: dict[str | None, set[str]] = {}
    for region in (hierarchy or catalogue).regions:  # once, not a scan of every region per county
        if region.level in ("town", "township"):
            towns.setdefault(region.parent, set()).add(region.name)
    listed = np.array([reference_townships <= towns.get(code, set()) for code in codes], dtype=bool)
    keep &= ~township_row[i] | ((u < KEEP_TOWNSHIP) & listed[c])
    keep &= ~sex_row[i] | (u < KEEP_SEX)
    c, i, s = c[keep], i[keep], s[keep]
    n = len(c)

    noise = rng.normal(0.0, 0.006, n)
    base = ref_value[i]
    value = np.where(additive[s], base + level[c, s] * 10 + noise * 10, base * (1 + level[c, s]) * (1 + noise))
    decimals = np.maximum(decimals_unit[s], np.minimum(2, _decimals(base)))
    value = np.clip(value, lower[s], upper[s])

    # Rates from counts: large denominators (births, children) follow the county's size, events are redrawn.
    den = ref_den[i]
    num = ref_num[i]
    counted = ~np.isnan(den) & ~np.isnan(num) & (den > 0)
    big = counted & (den >= 1000)
    new_den = np.where(big, np.round(den * size[c] * (1 + rng.normal(0, 0.01, n))), den)
    new_den = np.where(counted, np.maximum(new_den, 1), np.nan)
    rate = np.where(counted, num / np.where(counted, den, 1), 0.0)
    rate = np.clip(rate * (1 + level[c, s]), 0, 1)
    events = np.where(percent[s] & counted, rng.binomial(np.where(counted, new_den, 0).astype(np.int64), rate),
                      rng.poisson(rate * np.where(counted, new_den, 0)))
    events = np.where(percent[s], np.minimum(events, np.nan_to_num(new_den)), events)
    value = np.where(counted, events / np.where(counted, new_den, 1) * np.nan_to_num(scale[s], nan=1.0), value)
    decimals = np.where(counted, 2, decimals)
    value = _round(value, decimals)
    num_out = np.where(counted, events, np.nan)

    frame = pd.DataFrame({
        "county": c, "key": s, "year": ref_year[i], "value": value, "numerator": num_out, "denominator": new_den,
        "region": ref["region"].to_numpy()[i], "sex": ref["sex"].to_numpy()[i],
    })
    _write(catalogue, keys, frame, codes, folder, mark)
    paths = [folder / f"{code}.csv" for code in codes]
    return Generated(folder, paths, n, counties)


def _decimals(values: np.ndarray) -> np.ndarray:
    scaled = np.round(np.abs(values) * 100)
    return np.where(scaled % 10 != 0, 2, np.where(scaled % 100 != 0, 1, 0))


def _round(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    out = values.copy()
    for d in np.unique(decimals):
        mask = decimals == d
        out[mask] = np.round(values[mask], int(d))
    return out


def _write(catalogue: Catalogue, keys: list[str], frame: pd.DataFrame, codes: list[str], folder: Path, mark: str) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    series = catalogue.series()
    ids = np.array([series[k].target_ids[0] for k in keys], dtype=object)
    names = np.array([series[k].name for k in keys], dtype=object)
    units = np.array([series[k].unit for k in keys], dtype=object)
    frame = frame.sort_values(["county", "key", "region", "sex", "year"], kind="stable")
    key = frame["key"].to_numpy()
    table = pa.table({
        "id": pa.array(ids[key], pa.string()),
        "name": pa.array(names[key], pa.string()),
        "unit": pa.array(units[key], pa.string()),
        "year": pa.array(frame["year"].to_numpy()),
        "value": pa.array(frame["value"].to_numpy()),
        "numerator": pa.array(frame["numerator"].to_numpy(), pa.float64(), from_pandas=True).cast(pa.int64()),
        "denominator": pa.array(frame["denominator"].to_numpy(), pa.float64(), from_pandas=True).cast(pa.int64()),
        "county": pa.array(np.asarray(codes, dtype=object)[frame["county"].to_numpy()], pa.string()),
        "region": pa.array(frame["region"].to_numpy(dtype=object), pa.string()),
        "sex": pa.array(frame["sex"].to_numpy(dtype=object), pa.string()),
        "source": pa.array(np.full(len(frame), mark, dtype=object), pa.string()),
        "note": pa.array(np.full(len(frame), "", dtype=object), pa.string()),
    })
    header = ("\ufeff" + ",".join(FILE_HEADER) + "\n").encode("utf-8")
    bounds = np.searchsorted(frame["county"].to_numpy(), np.arange(len(codes) + 1))
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    for index, code in enumerate(codes):
        part = table.slice(bounds[index], bounds[index + 1] - bounds[index])
        sink = pa.BufferOutputStream()
        pacsv.write_csv(part, sink, options)
        (folder / f"{code}.csv").write_bytes(header + sink.getvalue().to_pybytes())
