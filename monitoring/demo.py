"""Demo data: a realistic, clearly marked 示例数据（非真实统计） set for the county, 2020—2025.

Leaders and staff see the platform working before any department has reported,
so the data must look like the county's (≈227,000 people; 1,125 and 1,489 live
births in 2021 and 2022 as the county's statistical bulletins give them; ≈38,700
children under 15 at the 2020 census; 10 towns and townships) and show every
status and warning the evaluation knows, across the midterm (2023) and the final
(2025) evaluation. Trajectories are therefore designed one by one in
`SPECS` (most targets achieved or on track, a realistic minority at risk or
off track, a few series missing 2025, a few with no data or a single year);
only rare events (deaths, transmissions) are drawn from a Poisson distribution,
and jitter, denominators and township spreads come from the seed.

Generation is deterministic: every series draws from its own generator seeded
by (seed, series key), so adding a target never changes the others. Every row
carries 示例数据（非真实统计） in 数据来源 and 备注; `write_demo` writes one CSV per
responsible department (the layout of a filled template) plus a README, and
the files must validate without errors. `python -m monitoring demo` rewrites
them; a test checks the committed files equal a fresh generation.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from monitoring import synthetic
from monitoring.catalogue import TOTAL_SEX, Catalogue, Kind, Scope, Series
from monitoring.measurements import COLUMNS, validate_bytes
from monitoring.regions import COUNTY_REGION
from monitoring.units import UNITS

DEFAULT_SEED = 2025
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_MARK = "示例数据（非真实统计）"
FILE_PREFIX = "示例数据-"
README = "README.md"
YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
TOTAL, FEMALE, MALE = TOTAL_SEX, "女", "男"
FEMALE_SHARE = 0.48  # girls' share of pupils, to split a total into 女/男 consistently

# Targets deliberately without any data: statistics the county does not collect (see the targets' notes).
NO_DATA_TARGETS = ("C1-S11", "C1-S14a", "W1-01b", "W1-06a", "W1-06b", "D1-04c")

# The file columns: a filled department template without the reference columns 目标 and 上年数值.
FILE_COLUMNS = ["指标编号", "指标名称", "单位", "年份", "数值", "分子", "分母", "地区", "性别", "数据来源", "备注"]

# Rough shares of the county's children by town / township, for county values computed from township ones.
TOWNSHIP_WEIGHTS = {
    "古绛镇": 0.27, "横水镇": 0.12, "陈村镇": 0.10, "卫庄镇": 0.11, "么里镇": 0.07,
    "南樊镇": 0.09, "安峪镇": 0.08, "大交镇": 0.08, "郝庄乡": 0.04, "冷口乡": 0.04,
}


# ---------------------------------------------------------------- specifications

Yearly = tuple[float | None, ...]  # one value per year of YEARS; None = not reported


@dataclass(frozen=True)
class Values:
    """A designed county series (合计), optionally with 女/男 rows."""

    values: Yearly
    decimals: int = 1
    jitter: float = 0.0            # the years between the first and the last move by ± this share of the yearly step
    gap: Yearly | None = None      # 女 − 男 of an indicator of everyone: 女/男 rows around the 合计
    male: Yearly | None = None     # men's values beside an indicator of women: 合计 = 女 = the indicator
    remark: str = ""


@dataclass(frozen=True)
class Counts:
    """A rate from integer counts: numerators and denominators given, or named events / populations drawn from the seed."""

    numerators: Yearly | str
    denominators: Yearly | str
    remark: str = ""


@dataclass(frozen=True)
class Townships:
    """County and township rows of an each_township target: values per township, the county as their sum or mean."""

    township_values: dict[str, Yearly]
    county: str                    # "sum" (counts of institutions or staff) or "mean" (rates, weighted)
    default: Yearly = ()           # for a township not named above
    decimals: int = 0
    remark: str = ""


Spec = Values | Counts | Townships | Callable[["_Context", Series, Catalogue, np.random.Generator], list[dict]]


def line(start: float, end: float, decimals: int = 1, jitter: float = 0.25) -> Values:
    """A steady trend from the baseline to the final year, the years between jittered by the seed."""
    step = (end - start) / (len(YEARS) - 1)
    return Values(tuple(start + step * i for i in range(len(YEARS))), decimals, jitter)


def path(*values: float | None, decimals: int = 1, **options) -> Values:
    return Values(tuple(values), decimals, **options)


def flat(value: float, decimals: int = 1) -> Values:
    return Values((value,) * len(YEARS), decimals)


# Designed per reporting key. Comments give the intended status at 2025 (and at 2023 where it differs).
SPECS: dict[str, Spec] = {
    # ---- 儿童与健康
    "C1-02": Counts((1, 1, 0, 1, 0, 0), "births", "例数为神经管畸形病例数"),           # achieved, small numbers
    "C1-03a": Counts("neonatal", "births"),                                          # Poisson deaths of ≈1,900 live births
    "C1-03b": Counts("infant", "births"),
    "C1-03c": Counts("under5", "births"),
    "C1-05a": line(9.1, 7.4),                                                         # achieved
    "C1-05b": path(1.5, 1.5, 1.4, 1.4, 1.4, 1.3),
    "C1-05c": path(1.3, 1.3, 1.2, 1.2, 1.2, 1.1),
    "C1-05d": path(11.2, 11.6, 11.8, 11.5, 11.3, 11.0),                               # achieved (2023 off track: rose first)
    "C1-05e": path(6.8, 7.0, 7.3, 7.4, 7.6, 7.7),                                     # off track, still rising
    "C1-06": lambda ctx, s, c, rng: _vaccination(ctx, s, c, rng),                     # at risk: 冷口乡 below 90% in 2025
    "C1-08": path(94.2, 93.8, 95.1, 94.6, 95.3, 95.0),
    "C1-09a": path(11.8, 11.5, 11.0, 10.6, 10.3, 10.0),
    "C1-09b": path(39.6, 39.4, 38.9, 38.4, 37.6, 36.8),                               # achieved (2023 on track)
    "C1-09c": path(71.2, 70.6, 69.9, 69.1, 68.3, 67.5),                               # at risk, projected miss
    "C1-09d": path(80.8, 81.1, 81.5, 81.2, 81.0, 80.9),                               # off track
    "C1-09e": line(88.5, 94.6),
    "C1-12a": path(91.2, 91.6, 92.1, 92.6, 93.2, 93.8),                               # at risk
    "C1-12b": path(31.5, 33.6, 35.9, 37.8, 39.3, 40.6),
    "C1-S02": Townships({                                                              # 冷口乡 without one until 2024
        "古绛镇": (3, 4, 4, 4, 4, 4), "横水镇": (2, 2, 3, 3, 3, 3), "陈村镇": (1, 2, 2, 2, 2, 2),
        "卫庄镇": (1, 1, 2, 2, 2, 2), "么里镇": (1, 1, 1, 1, 1, 1), "南樊镇": (1, 1, 1, 1, 1, 1),
        "安峪镇": (1, 1, 1, 1, 1, 1), "大交镇": (1, 1, 1, 1, 1, 1), "郝庄乡": (0, 0, 1, 1, 1, 1),
        "冷口乡": (0, 0, 0, 0, 1, 1),
    }, "sum", default=(1, 1, 1, 1, 1, 1), remark="全县为各乡（镇）卫生院合计"),
    "C1-S05": flat(1, decimals=0),
    "C1-S12": Counts((6, 7, 8, 9, 10, 11), (12, 12, 12, 12, 12, 12), "分子、分母为学校数"),  # achieved (2023 on track)
    "C1-S14b": path(None, 9.3, None, 9.4, None, 9.5, remark="学生体质健康监测问卷，隔年调查"),  # at risk
    "C1-S14c": path(None, 8.4, None, 8.5, None, 8.6, remark="学生体质健康监测问卷，隔年调查"),  # at risk
    "C1-S14d": path(None, 7.3, None, 7.2, None, 7.1, remark="学生体质健康监测问卷，隔年调查"),  # off track
    # ---- 儿童与安全: deaths of ≈45,000 children, Poisson; injuries = drowning + traffic + falls/burns/poisoning + other
    "C2-03": Counts("injury", "children"),
    "C2-04": Counts("drowning", "children"),
    "C2-05": Counts("traffic", "children"),
    "C2-06": Counts("falls", "children"),
    # ---- 儿童与教育
    "preschool_gross_enrollment": path(88.6, 89.7, 90.5, 91.2, 92.4, 93.4),          # achieved (2023 on track)
    "C3-02b": path(52.4, 53.5, 54.6, 55.6, 57.3, 58.9),
    "C3-02c": path(84.5, 86.2, 87.9, 89.1, 90.3, 91.2),
    "C3-03": path(102.3, 101.9, 101.6, 101.8, 101.4, 101.5),                          # gross rate above 100%
    "high_school_gross_enrollment": path(92.1, 93.0, 93.9, 94.9, 96.2, 95.8,          # on track, slipped below 96 in 2025
                                         gap=(1.4, 1.3, 1.2, 1.2, 1.0, 1.1)),
    "C3-04b": line(2360, 2610, decimals=0),
    "C3-05a": Counts((143, 142, 141, 145, 142, 144), (152, 149, 147, 150, 146, 148), "分子为入学人数，分母为适龄三类残疾儿童数"),
    "C3-05b": path(62.5, 64.1, 66.7, 68.2, 69.6, 71.4),
    # ---- 儿童与福利
    "C4-03": path(97.8, 98.3, 98.6, 98.1, 97.2, 96.5),                                # off track: enrolment fell since 2023
    "C4-07": path(1.2, 1.5, 1.9, 2.6, 3.2, 3.7),                                      # at risk, fast growth
    "C4-08": line(86.0, 97.5),
    "C4-10a": path(3, 4, 4, 5, 5, 5, decimals=0),
    "C4-10b": path(19, 20, 20, 21, 22, 22, decimals=0),
    # ---- 儿童与家庭
    "C5-06a": path(77.8, 88.9, 88.9, 100.0, 100.0, 100.0),
    "C5-06b": path(61.8, 67.4, 72.5, 76.8, 80.2, 82.6),                               # at risk (2023 on track)
    # ---- 儿童与环境 (shared with the women's plan)
    "C6-06": path(0, 1, 2, 2, 2, 2, decimals=0),
    "C6-07": path(6, 7, 7, 7, 8, 8, decimals=0),
    "air_quality_good_days": path(63.4, 68.2, 61.9, 59.3, 64.8, 66.1),                # achieved (2023 off track, slipped)
    "rural_tap_water": path(90.5, 91.8, 93.0, 94.1, 95.0, 95.6),
    "rural_sanitary_toilet": path(76.5, 80.2, 84.1, 87.6, 90.3, 92.4),                # achieved (2023 on track)
    # ---- 儿童与法律保护
    "C7-11": Counts((12, 11, 13, 15, 14, 16), "children", "分子为未成年人犯罪人数，分母为未成年人口数"),  # off track
    # ---- 残疾人规划
    "D0-01": line(93.1, 96.2),
    "D0-02": path(98.6, 99.1, 99.3, 99.0, 98.2, 97.6),
    "disabled_children_compulsory_enrollment": path(95.0, 95.6, 96.1, 96.8, 97.2, 97.5),
    "D0-04": path(72.0, 75.5, 79.0, 82.1, 84.6, 86.3),
    "D0-05": path(68.5, 71.9, 75.3, 78.6, 82.0, None),                                # on track, 2025 not reported
    "D0-06": path(90, 96, 102, 99, 106, 108, decimals=0, remark="当年完成改造户数"),
    "D0-07": path(310, 295, 328, 341, 352, 268, decimals=0),                          # off track: training fell sharply in 2025
    "D0-08": path(126, 122, 130, 134, 138, 145, decimals=0),
    "D0-09": line(11850, 14420, decimals=0),
    "D1-01a": path(98.6, 100.0, 100.0, 100.0, 100.0, 100.0),
    "D1-01b": path(98.9, 99.5, 100.0, 100.0, 100.0, 99.7),                            # on track, slipped below 100%
    "D1-02": flat(100.0),
    "D1-03": path(90, 93, 96, 99, 103, 106, decimals=0),
    "D1-04a": flat(100.0),
    "D1-04b": flat(29, decimals=0),
    "D1-05a": path(80, 80, 90, 90, 100, 100, decimals=0),
    "D1-05b": path(100, 100, 110, 110, 120, 120, decimals=0),
    "D1-05c": path(150, 200, 200, 200, 200, 200, decimals=0),
    "D2-00": line(3120, 3380, decimals=0),
    "D2-02": flat(100.0),
    "D2-04a": path(2, 3, 3, 4, 4, 4, decimals=0),
    "D2-04b": Counts((2, 3, 1, 4, 2, 3), (2, 3, 1, 4, 2, 3), "分母为当年高校残疾人毕业生人数"),
    "D2-04c": flat(100.0),
    "D3-01": path(96.4, 97.8, 100.0, 100.0, 100.0, 100.0),
    "D3-03": line(88.2, 95.6),
    "D3-04a": path(85.0, 90.2, 94.5, 97.1, 98.6, 99.3),                               # on track
    "D3-04b": path(100.0, 100.0, 100.0, 100.0, None, None, remark="2024年起未报送"),   # achieved, stale
    "D3-04c": flat(100.0),
    "D4-03a": flat(100.0),
    "D4-03b": path(4, 8, 12, 14, 14, 14, decimals=0),
    "D5-02": line(4_860_000, 5_860_000, decimals=0),
    "D5-04a": path(40.0, 60.0, 80.0, 80.0, 90.0, 90.0),                               # at risk (2023 on track)
    "D5-04b": path(69.5, 73.2, 76.6, 79.8, 83.0, 86.0),                               # at risk
    "D5-05a": path(92.4, 95.3, 97.6, 100.0, 100.0, 100.0),
    "D5-05b": path(300, 300, 330, 330, 360, 360, decimals=0),
    # ---- 妇女与健康
    "W1-01a": path(79.6, 79.8, 79.9, 80.1, 80.4, None, remark="按死因监测和人口数据测算"),  # achieved, 2025 not yet computed
    "maternal_mortality": Counts("maternal", "births"),                               # 0—2 deaths a year: small numbers
    "W1-03a": path(44.0, 46.1, 48.0, 49.8, 51.5, 53.0),
    "W1-03b": path(38.4, 41.0, 43.2, 42.1, 44.8, 46.5),
    "W1-04": Counts("abortion", "women", "分母为15—49岁育龄妇女数"),
    "mtct_hiv": Counts((0, 0, 0, 0, None, 0), (2, 1, 2, 1, None, 3), "2024年无感染孕产妇分娩"),
    "W1-05b": Counts((1, 0, 1, 0, 0, 0), "births", "分子为先天梅毒报告病例数，分母为活产数"),
    "W1-05c": Counts((1, 1, 0, 1, 0, 0), (64, 61, 58, 57, 55, 52), "分母为乙肝感染孕产妇所生儿童数"),
    "W1-07": path(22.4, 23.6, 24.6, 25.6, 26.6, 27.5),
    "W1-08": path(14.6, 14.1, 13.2, 12.8, 12.1, 11.6),
    "W1-10a": line(31200, 38500, decimals=0),
    "W1-10b": path(44.3, 45.1, 46.0, 47.2, 49.0, None),                               # on track, 2025 not reported
    "W1-10c": path(88.6, 89.0, 89.8, 90.4, 90.9, 91.3),
    "W1-S05": line(48.5, 58.0),
    "W1-S11a": Townships({                                                             # 冷口乡 standardized in 2024
        "古绛镇": (1, 1, 1, 1, 1, 1), "横水镇": (1, 1, 1, 1, 1, 1), "陈村镇": (1, 1, 1, 1, 1, 1),
        "卫庄镇": (1, 1, 1, 1, 1, 1), "么里镇": (0, 1, 1, 1, 1, 1), "南樊镇": (1, 1, 1, 1, 1, 1),
        "安峪镇": (0, 1, 1, 1, 1, 1), "大交镇": (1, 1, 1, 1, 1, 1), "郝庄乡": (0, 0, 1, 1, 1, 1),
        "冷口乡": (0, 0, 0, 0, 1, 1),
    }, "sum", default=(1, 1, 1, 1, 1, 1), remark="全县为各乡（镇）合计"),
    "W1-S11b": path(88.9, 88.9, 100.0, 100.0, 100.0, 100.0),
    "W1-S11c": path(98.8, 99.4, 100.0, 100.0, 100.0, 100.0),
    # ---- 妇女与教育
    "primary_net_enrollment": path(99.98, 99.99, 100.0, 100.0, 99.99, 100.0, decimals=2,
                                   gap=(0.02, 0.02, 0.0, 0.0, 0.02, 0.0)),
    "junior_net_enrollment": path(99.91, 99.93, 99.95, 99.96, 99.97, 99.94, decimals=2,  # on track, slipped
                                  gap=(0.04, 0.04, 0.02, 0.02, 0.02, 0.06)),
    "W2-05b": path(38.5, 37.2, 36.4, 35.8, 36.1, 35.5),                               # off track
    "W2-06": path(None, 21.4, 39.8, 55.2, 67.9, 78.3, remark="2021年起累计参与率"),     # on track by its trend, cumulative growth flagged as fluctuation
    "W2-07": line(1820, 2140, decimals=0),
    "W2-08a": path(5.9, None, 7.6, None, 9.3, None, male=(10.9, None, 12.3, None, 14.1, None),
                   remark="公民科学素质抽样调查，隔年调查"),                              # achieved, stale
    "W2-08b": path(5.0, None, 4.7, None, 4.8, None, remark="男性比例减女性比例"),       # achieved, regression, stale
    "W2-09a": path(0.42, 0.41, 0.39, 0.38, 0.36, 0.35, decimals=2),
    "W2-09b": path(10.6, 10.7, 10.8, 10.9, 11.1, 11.2, male=(10.9, 11.0, 11.1, 11.2, 11.3, 11.4)),  # at risk
    # ---- 妇女与经济
    "W3-02": path(44.1, 43.8, 44.5, 44.9, 44.6, 44.8),
    "W3-03": path(36.5, 36.9, 37.0, 37.3, 37.4, 37.6),                                # at risk
    "W3-04a": line(38.2, 42.5),
    "W3-04b": path(31.5, 31.8, 32.4, 32.9, 33.1, 33.6),
    # ---- 妇女参与决策和管理 (people's congresses and CPPCC elected in 2021, village committees in 2021)
    "W4-02": path(None, 2.4, None, None, None, None, remark="2021年县党代会换届"),       # single year, achieved
    "W4-03a": path(24.8, 27.6, 27.6, 27.9, 27.9, 28.2),
    "W4-03b": Counts((5, 4, 4, 4, 4, 4), (28, 27, 27, 27, 27, 27), "分子为女性人数，分母为组成人员数"),  # off track
    "W4-03c": path(23.5, 26.1, 26.1, 26.3, 26.3, 26.5),
    "W4-03d": Counts((3, 4, 4, 4, 4, 4), (20, 21, 21, 21, 21, 21), "分子为女性人数，分母为常委人数"),
    "W4-04a": Counts((1, 1, 1, 1, 2, 2), (9, 8, 8, 9, 9, 9), "分子为女性人数，分母为班子成员数"),
    "W4-04b": line(18.6, 21.4),
    "W4-04c": path(12.4, 12.9, 13.1, 12.6, 12.2, 12.0),                               # off track
    "W4-05": line(26.3, 28.9),
    "W4-06a": path(18.2, 18.2, 20.0, 20.0, 22.2, 22.2),
    "W4-06b": path(33.3, 33.3, 36.4, 36.4, None, None, remark="2024年起县属国有企业不再设监事会"),  # achieved, stale
    "W4-06c": line(21.5, 24.0),
    "W4-07a": path(18.5, 24.6, 24.6, 24.7, 25.0, 25.1),
    "W4-07b": path(6.5, 9.4, 9.4, 9.4, 9.4, 10.0),
    "village_committee_women_share": path(22.4, 30.6, 30.6, 30.5, 30.8, 30.8),
    "W4-07d": path(5.9, 8.2, 8.2, 8.8, 8.8, 8.8),
    "W4-08a": Counts((3, 4, 4, 4, 5, 5), (9, 9, 9, 9, 9, 9), "分子为女性书记人数，分母为社区数"),
    "W4-08b": line(48.1, 53.2),
    "community_committee_women_share": path(58.2, 56.9, 56.4, 55.3, 54.7, 54.2),    # achieved (2023 on track)
    "W4-08d": Counts((3, 4, 4, 4, 4, 3), (9, 9, 9, 9, 9, 9), "分子为女性主任人数，分母为社区数"),  # off track, slipped
    "W4-09": line(24.6, 27.3),
    "W4-S08": path(1.2, 0.8, -0.6, 1.5, 2.1, 1.8),
    # ---- 妇女与社会保障
    "W5-02": line(78.5, 84.6),
    "W5-03": path(97.8, 98.1, 98.3, 97.9, 97.0, 95.8),                                # achieved, regression
    "W5-04a": path(90.2, 91.4, 92.5, 93.3, 94.2, 95.1),                               # achieved (2023 on track)
    "W5-04b": line(1180, 1390, decimals=0),
    "W5-05a": line(6850, 7420, decimals=0),
    "W5-05b": path(8920, 9180, 9050, 9410, 9620, 9380, decimals=0),
    # ---- 妇女与家庭、环境
    "W6-08": path(2.1, None, None, None, None, None, remark="第四期中国妇女社会地位调查（2020年）"),  # single year
    "W7-07b": path(91.7, 100.0, 100.0, 100.0, 100.0, 100.0),
    "W7-S02": path(85.7, 100.0, 100.0, 100.0, 100.0, 100.0),
}


# ---------------------------------------------------------------- populations and rare events


@dataclass
class _Context:
    """Denominators and rare-event counts shared by several series, one value per year."""

    populations: dict[str, list[int]] = field(default_factory=dict)
    events: dict[str, list[int]] = field(default_factory=dict)


def _ramp(start: float, end: float) -> np.ndarray:
    return np.linspace(start, end, len(YEARS))


def _context(seed: int) -> _Context:
    rng = np.random.default_rng([seed, 0])
    # Live births: 2021 and 2022 from the county's statistical bulletins, the other years illustrative.
    births = np.array([1402, 1125, 1489, 1318, 1246, 1187])
    # Children under 15: 38,712 at the 2020 census, then falling with the births.
    children = np.array([38712, 38290, 37870, 37420, 36980, 36530]) + np.r_[0, rng.integers(-40, 41, len(YEARS) - 1)]
    women = np.array([53800, 53120, 52410, 51730, 51020, 50310]) + rng.integers(-80, 81, len(YEARS))

    def draw(rates: dict[str, tuple[float, float]], population: np.ndarray, per: float,
             accept: Callable[[dict[str, np.ndarray]], bool]) -> dict[str, np.ndarray]:
        """Poisson counts at rates falling linearly from 2020 to 2025, redrawn until they tell the designed story."""
        for _ in range(2000):
            counts = {name: rng.poisson(_ramp(*rate) * population / per) for name, rate in rates.items()}
            if accept(counts):
                break
        return counts

    def per_1000(counts: np.ndarray) -> np.ndarray:
        return counts / births * 1000

    # Deaths of live births: neonatal, then the rest of the first year, then ages 1—4 (nested rates).
    # Designed: every rate meets its target (3.2‰, 5.3‰, 6.5‰) in 2025, with no year above twice the target.
    deaths = draw({"neonatal": (3.6, 2.6), "postneonatal": (2.3, 1.7), "child": (1.5, 1.2)}, births, 1000, lambda c: (
        per_1000(c["neonatal"])[-1] <= 3.2 and per_1000(c["neonatal"] + c["postneonatal"])[-1] <= 5.3
        and per_1000(c["neonatal"] + c["postneonatal"] + c["child"])[-1] <= 6.5
        and per_1000(c["neonatal"]).max() <= 6.4 and per_1000(c["neonatal"] + c["postneonatal"]).max() <= 10.6))
    # Designed: one or two maternal deaths in 2020—2024, none in 2025 (a single death is 67—89/10万).
    maternal = draw({"maternal": (22.0, 11.0)}, births, 100_000,
                    lambda c: c["maternal"][-1] == 0 and 1 <= c["maternal"][:-1].sum() <= 2 and c["maternal"].max() <= 1)["maternal"]
    # Injury deaths of children: designed so that the total falls by 20% and drowning and traffic deaths fall.
    injuries = draw({"drowning": (4.6, 3.0), "traffic": (3.4, 2.5), "falls": (2.2, 1.7), "other": (3.0, 2.4)}, children, 100_000,
                    lambda c: (sum(c.values())[-1] / children[-1] <= 0.8 * sum(c.values())[0] / children[0]
                               and c["drowning"][-1] < c["drowning"][0] and c["traffic"][-1] < c["traffic"][0]))
    abortion = rng.poisson(_ramp(13.6, 11.9) * women / 1000)

    def as_list(a: np.ndarray) -> list[int]:
        return [int(x) for x in a]

    infant = deaths["neonatal"] + deaths["postneonatal"]
    return _Context(
        populations={"births": as_list(births), "children": as_list(children), "women": as_list(women)},
        events={
            "neonatal": as_list(deaths["neonatal"]), "infant": as_list(infant), "under5": as_list(infant + deaths["child"]),
            "maternal": as_list(maternal), "drowning": as_list(injuries["drowning"]), "traffic": as_list(injuries["traffic"]),
            "falls": as_list(injuries["falls"]), "injury": as_list(sum(injuries.values())), "abortion": as_list(abortion),
        },
    )


# ---------------------------------------------------------------- rows


def _row(key: str, year: int, value: float, region: str = COUNTY_REGION, sex: str = TOTAL,
         numerator: float | None = None, denominator: float | None = None, remark: str = "") -> dict:
    note = f"{DEMO_MARK}；{remark}" if remark else DEMO_MARK
    return {"indicator_id": key, "year": year, "value": value, "region": region, "sex": sex,
            "numerator": numerator, "denominator": denominator, "source": DEMO_MARK, "note": note}


def _bounds(series: Series) -> tuple[float, float]:
    unit = UNITS[series.unit]
    upper = series.upper_bound if series.upper_bound is not None else unit.upper
    return unit.lower, upper if upper is not None else np.inf


def _clip(value: float, series: Series, decimals: int) -> float:
    low, high = _bounds(series)
    return round(float(min(max(value, low), high)), decimals)


def _values_rows(spec: Values, series: Series, rng: np.random.Generator) -> list[dict]:
    known = [i for i, v in enumerate(spec.values) if v is not None]
    values = [float(v) if v is not None else None for v in spec.values]
    if spec.jitter and len(known) > 2:
        first, last = known[0], known[-1]
        step = abs(values[last] - values[first]) / max(last - first, 1)  # type: ignore[operator]
        for i in known[1:-1]:
            values[i] += rng.uniform(-spec.jitter, spec.jitter) * step  # type: ignore[operator]
    rows = []
    for i, year in enumerate(YEARS):
        if values[i] is None:
            continue
        total = _clip(values[i], series, spec.decimals)  # type: ignore[arg-type]
        if spec.male is not None:
            rows.append(_row(series.key, year, total, remark=_join("本指标只统计女性，合计即女性数值", spec.remark)))
            rows.append(_row(series.key, year, total, sex=FEMALE, remark=spec.remark))
            if spec.male[i] is not None:
                rows.append(_row(series.key, year, _clip(spec.male[i], series, spec.decimals), sex=MALE,  # type: ignore[arg-type]
                                 remark=_join("男性数值，供对照", spec.remark)))
            continue
        rows.append(_row(series.key, year, total, remark=spec.remark))
        if spec.gap is not None:
            gap = spec.gap[i] or 0.0
            rows.append(_row(series.key, year, _clip(total + gap * (1 - FEMALE_SHARE), series, spec.decimals), sex=FEMALE, remark=spec.remark))
            rows.append(_row(series.key, year, _clip(total - gap * FEMALE_SHARE, series, spec.decimals), sex=MALE, remark=spec.remark))
    return rows


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _counts_rows(spec: Counts, series: Series, ctx: _Context) -> list[dict]:
    numerators = ctx.events[spec.numerators] if isinstance(spec.numerators, str) else spec.numerators
    denominators = ctx.populations[spec.denominators] if isinstance(spec.denominators, str) else spec.denominators
    scale = UNITS[series.unit].scale
    assert scale is not None, f"{series.key}: counts need a ratio unit"
    rows = []
    for year, num, den in zip(YEARS, numerators, denominators, strict=True):
        if num is None or den is None:
            continue
        rows.append(_row(series.key, year, _rate(num, den, scale), numerator=int(num), denominator=int(den), remark=spec.remark))
    return rows


def _rate(numerator: float, denominator: float, scale: float) -> float:
    """The rate as a department writes it: two decimals, four for the tiny shares (万分之几) that two would blur."""
    value = numerator / denominator * scale
    return round(value, 2 if value == 0 or value >= 0.5 else 4)


def _township_rows(spec: Townships, series: Series, catalogue: Catalogue) -> list[dict]:
    names = [r.name for r in catalogue.regions.townships()]
    per_town = {name: spec.township_values.get(name, spec.default) for name in names}
    rows = []
    for i, year in enumerate(YEARS):
        local = {name: values[i] for name, values in per_town.items() if values and values[i] is not None}
        if spec.county == "sum":
            county = float(sum(local.values()))
        else:
            weights = {name: TOWNSHIP_WEIGHTS.get(name, 1 / len(local)) for name in local}
            county = sum(v * weights[n] for n, v in local.items()) / sum(weights.values())
        rows.append(_row(series.key, year, _clip(county, series, spec.decimals), remark=spec.remark))
        rows += [_row(series.key, year, _clip(v, series, spec.decimals), region=name) for name, v in local.items()]
    return rows


def _vaccination(ctx: _Context, series: Series, catalogue: Catalogue, rng: np.random.Generator) -> list[dict]:
    """C1-06: every township ≥90% until 冷口乡 (a small mountain township) drops to 88.6% in 2025."""
    county = np.array([96.8, 96.1, 96.9, 97.3, 97.5, 97.4])
    values: dict[str, Yearly] = {}
    for region in catalogue.regions.townships():
        offset = rng.uniform(-1.5, 1.5)
        values[region.name] = tuple(float(min(99.8, v + offset + rng.uniform(-0.4, 0.4))) for v in county)
    if "冷口乡" in values:
        values["冷口乡"] = (93.1, 91.8, 92.6, 93.0, 91.9, 88.6)
    return _township_rows(Townships(values, "mean", decimals=1, remark="全县为各乡（镇）按儿童数加权"), series, catalogue)


def _fallback(series: Series, catalogue: Catalogue) -> Values:
    """A plausible, achieved series for a target added to the catalogue after this table was written."""
    target = catalogue.get(series.target_ids[0])
    assert target is not None
    unit = UNITS[series.unit]
    decimals = unit.decimals
    low, high = _bounds(series)
    t = target.target_value
    if target.kind == Kind.MIN and t is not None:
        start, end = max(low, t * 0.96 if t > 0 else t - 1), t
    elif target.kind == Kind.MAX and t is not None:
        start, end = t * 1.12 + 0.1, t * 0.95
    elif target.kind == Kind.APPROX and t is not None:
        start, end = t - (target.tolerance or 0) * 1.5, t
    elif target.kind == Kind.REDUCE_FROM_BASE and t is not None:
        start, end = 10.0, 10.0 * (1 - (t + 2) / 100)
    elif target.kind == Kind.INCREASE:
        start, end = (50.0, 55.0) if unit.upper is not None else (100.0, 108.0)
    else:
        start, end = (20.0, 18.4) if unit.upper is not None else (100.0, 92.0)
    start, end = min(max(start, low), high), min(max(end, low), high)
    return line(start, end, decimals=decimals, jitter=0.0)


def _series_rows(series: Series, catalogue: Catalogue, ctx: _Context, seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, zlib.crc32(series.key.encode("utf-8"))])
    spec = SPECS.get(series.key)
    if spec is None:
        if set(series.target_ids) <= set(NO_DATA_TARGETS):
            return []
        spec = _fallback(series, catalogue)
        targets = [catalogue.get(i) for i in series.target_ids]
        if any(t is not None and t.sex in (FEMALE, MALE) for t in targets):  # a women's target on a shared statistic reads 女 rows
            assert isinstance(spec, Values)
            spec = Values(spec.values, spec.decimals, spec.jitter, gap=(0.0,) * len(YEARS))
        if any(t is not None and t.scope == Scope.EACH_TOWNSHIP for t in targets):
            assert isinstance(spec, Values)
            spec = Townships({}, "mean", default=spec.values, decimals=spec.decimals)
    if isinstance(spec, Values):
        return _values_rows(spec, series, rng)
    if isinstance(spec, Counts):
        return _counts_rows(spec, series, ctx)
    if isinstance(spec, Townships):
        return _township_rows(spec, series, catalogue)
    return spec(ctx, series, catalogue, rng)


# ---------------------------------------------------------------- public API


def generate(catalogue: Catalogue, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Demo measurement rows for every reporting key, as validation returns them (canonical COLUMNS)."""
    ctx = _context(seed)
    rows: list[dict] = []
    for series in catalogue.series().values():
        rows += _series_rows(series, catalogue, ctx, seed)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    return frame


def department_of(catalogue: Catalogue, key: str) -> str:
    """The unit that reports a key: the lead of the first target using it."""
    series = catalogue.series()[key]
    target = catalogue.get(series.target_ids[0])
    assert target is not None
    return target.department.lead


def file_name(department: str) -> str:
    return f"{FILE_PREFIX}{department}.csv"


def demo_files(catalogue: Catalogue, seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """File name -> CSV bytes (UTF-8 with BOM), one file per reporting department, in catalogue order."""
    return _files(catalogue, generate(catalogue, seed))


def _files(catalogue: Catalogue, frame: pd.DataFrame) -> dict[str, bytes]:
    series = catalogue.series()
    by_department: dict[str, list[dict]] = {}
    for record in frame.to_dict("records"):
        by_department.setdefault(department_of(catalogue, record["indicator_id"]), []).append(record)
    files = {}
    for department, records in by_department.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FILE_COLUMNS)
        for r in records:
            s = series[r["indicator_id"]]
            writer.writerow([
                s.target_ids[0], s.name, s.unit, r["year"], _number(r["value"], _decimals(r["value"])), _number(r["numerator"], 0),
                _number(r["denominator"], 0), r["region"], r["sex"], r["source"], r["note"],
            ])
        files[file_name(department)] = buffer.getvalue().encode("utf-8-sig")
    return files


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _number(value: float | None, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:.{decimals}f}"


def write_demo(catalogue: Catalogue, folder: Path = DEMO_DIR, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo CSVs and README into `folder`, removing demo CSVs no longer produced; returns the written paths."""
    folder = Path(folder)
    frame = generate(catalogue, seed)
    files = _files(catalogue, frame)
    for name, data in files.items():
        report = validate_bytes(data, catalogue, name)
        if not report.ok:
            raise ValueError(f"示例数据 {name} 未通过校验：{report.errors[0]}")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{FILE_PREFIX}*.csv"):
        if old.name not in files:
            old.unlink()
    written = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    (folder / README).write_bytes(readme_text(catalogue, frame, files, seed).encode("utf-8"))
    written.append(folder / README)
    return written


def readme_text(catalogue: Catalogue, frame: pd.DataFrame, files: dict[str, bytes], seed: int = DEFAULT_SEED) -> str:
    """The folder's README in Chinese: what the data is, how it was made, what was designed in, which files."""
    series = catalogue.series()

    def ids(keys: Iterable[str]) -> str:
        return "、".join(t for key in series if key in set(keys) for t in series[key].target_ids) or "无"

    county = frame[(frame["region"] == COUNTY_REGION) & (frame["sex"] == TOTAL)]
    years = county.groupby("indicator_id")["year"]
    reported = set(county["indicator_id"])
    no_data = [t.id for t in catalogue if t.series_key not in reported]
    stale = years.max()[years.max() < YEARS[-1]].index
    single = years.nunique()[years.nunique() == 1].index
    local = frame.loc[frame["region"] != COUNTY_REGION, "indicator_id"]
    by_sex = frame.loc[frame["sex"] != TOTAL, "indicator_id"]
    lines = [
        f"# {DEMO_MARK}",
        "",
        f"本文件夹中的数据全部是为演示监测平台而生成的**{DEMO_MARK}**，不是绛县任何单位报送或公布的统计数字，"
        "不得引用、上报或用于任何正式材料。",
        "",
        "## 怎样生成",
        "",
        f"- 运行 `python -m monitoring demo` 即按目标库和固定随机种子（{seed}）重新生成本文件夹的全部文件（程序见 `monitoring/demo.py`）。"
        "同一目标库、同一种子每次生成的内容完全相同；测试会核对本文件夹与程序生成的结果一致，请勿手工修改。",
        "- 规模按绛县设计：常住人口约22.7万（2020年人口普查226871人），活产数2021年1125例、2022年1489例（县统计公报），"
        "其他年份为示意数；0—14岁儿童约3.8万名（2020年人口普查38712人），10个乡（镇）；2020年为基期，2021—2025年为规划期。",
        "- 多数指标按规划目标逐年设计了变化轨迹（大多数已达标或进度正常，少数预计难以达标或严重滞后）；"
        "孕产妇死亡、新生儿和婴儿死亡、儿童伤害死亡等少见事件按泊松分布随机生成例数，并同时给出分子、分母。",
        f"- 每一行的“数据来源”和“备注”都写明“{DEMO_MARK}”。",
        "",
        "## 有意设计的情形",
        "",
        f"- 没有任何数据的指标（县级无常规统计）：{'、'.join(no_data) or '无'}。",
        f"- {YEARS[-1]}年没有数据的指标（评估{YEARS[-1]}年时显示“数据缺报”）：{ids(stale)}。",
        f"- 只有一年数据的指标：{ids(single)}。",
        f"- 分乡（镇）数据：{ids(local)}（{YEARS[-1]}年冷口乡免疫规划疫苗接种率低于90%）。",
        f"- 分性别（女、男）数据：{ids(by_sex)}。只统计女性的指标，“合计”行即女性数值，“男”行供对照。",
        "",
        "## 与正式数据的关系",
        "",
        "示例数据与正式数据从不混合：平台只在正式数据（`data/measurements/` 和经审核的报送）为空时才使用本文件夹，"
        f"并在页面和报告上标明“{DEMO_MARK}”；一旦有正式数据，示例数据即不再使用。不要把本文件夹中的文件放进 `data/measurements/`。",
        "",
        "## 文件",
        "",
        "| 文件 | 报送单位 | 指标数 | 行数 |",
        "| --- | --- | --- | --- |",
    ]
    for name, data in files.items():
        records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        department = name.removeprefix(FILE_PREFIX).removesuffix(".csv")
        lines.append(f"| {name} | {department} | {len({r['指标编号'] for r in records})} | {len(records)} |")
    return "\n".join(lines) + "\n"


def load_demo(catalogue: Catalogue, folder: Path = DEMO_DIR) -> pd.DataFrame:
    """The demo rows as validation reads them from the files (canonical COLUMNS)."""
    frames = []
    for file in sorted(Path(folder).glob(f"{FILE_PREFIX}*.csv")):
        report = validate_bytes(file.read_bytes(), catalogue, file.name)
        frames.append(report.rows[COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


CITY_PREFIX = "示例数据-区县-"


def write_counties_demo(catalogue: Catalogue, folder: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Demo data of every county regions.yaml lists (运城市's 13), one file each with a 区县代码 column, and a README.

    What a city office's data root holds, for trying the 区县对比: each county gets the demo
    county's series moved by a seeded county level and noise (`synthetic.generate`, the
    benchmark's generator, with this demo's mark); only counties whose townships are listed get
    township rows. The two kinds of demo data never share a folder: every earlier demo file in
    `folder` (either kind) and the README are replaced.
    """
    folder = Path(folder)
    counties = catalogue.regions.counties()
    if len(counties) < 2:
        raise ValueError("regions.yaml 中只有一个区县，无法生成多区县示例数据。")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="monitoring-counties-") as tmp:
        made = synthetic.generate(catalogue, generate(catalogue, seed), len(counties), Path(tmp), seed, DEMO_MARK,
                                  codes=[r.code for r in counties])
        files: dict[str, bytes] = {}
        for region, path in zip(counties, made.paths, strict=True):
            name = f"{CITY_PREFIX}{region.full_name}.csv"
            data = path.read_bytes()
            report = validate_bytes(data, catalogue, name)
            if not report.ok:
                raise ValueError(f"示例数据 {name} 未通过校验：{report.errors[0]}")
            files[name] = data
    for old in folder.glob(f"{FILE_PREFIX}*.csv"):
        old.unlink()
    written = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    (folder / README).write_bytes(_counties_readme(catalogue, files, seed).encode("utf-8"))
    written.append(folder / README)
    return written


def _counties_readme(catalogue: Catalogue, files: dict[str, bytes], seed: int) -> str:
    lines = [
        f"# {DEMO_MARK}（多区县）",
        "",
        f"本文件夹中的数据全部是为演示“区县对比”而生成的**{DEMO_MARK}**，不是运城市任何区县报送或公布的统计数字，"
        "不得引用、上报或用于任何正式材料。",
        "",
        "## 怎样生成",
        "",
        f"- 运行 `python -m monitoring demo --counties`（按固定随机种子 {seed}），程序见 `monitoring/demo.py` 的 `write_counties_demo`。",
        "- 以单县示例数据的各指标序列为基础，每个区县按随机的区县水平和年度波动调整，少见事件按各县人口规模重新抽样；"
        "部分年份、分性别数据有意缺报。",
        "- 每行的“区县代码”列写明所属区县（代码见 `targets/regions.yaml`）。只有绛县有分乡（镇）数据：地区表只列出了绛县的乡镇。",
        "- 运行 `python -m monitoring demo` 可换回单县示例数据；两种示例数据不放在同一文件夹。",
        "",
        "## 文件",
        "",
        "| 文件 | 区县 | 行数 |",
        "| --- | --- | --- |",
    ]
    for (name, data), region in zip(files.items(), catalogue.regions.counties(), strict=True):
        rows = data.decode("utf-8-sig").count("\n") - 1
        lines.append(f"| {name} | {region.full_name}（{region.code}） | {rows} |")
    return "\n".join(lines) + "\n"
