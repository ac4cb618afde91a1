"""区县对比: every county of a data set measured against the office's own targets.

A city or province office compares its counties; a county office sees this
only when its data root holds several counties. Every county is evaluated
with the same rules, targets and year (`evaluation.evaluate_many`); the
tables here are what the 区县对比 page and the report appendix show, with
Chinese column names as people read them.

Ranking follows the target's direction: for a ceiling (≤) or a decrease the
lowest value ranks first, for a floor (≥) or an increase the highest, for an
"about" target the closest. Counties rank by their latest value up to the
evaluation year (the 数据年份 column says which year that is); counties
without a value are listed last, unranked.

The status columns follow the phase (`evaluation.phase_statuses`): during the
plan period 已达标 … 数据不足 / 无数据, at or after the target year the final
verdicts 已实现 / 未实现 / 无法评估. 有数据 counts the targets (or counties)
that could be judged: neither 无数据 nor 数据不足 (`evaluation.UNJUDGED`), the
达标率's denominator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring.catalogue import Catalogue, Kind, Target
from monitoring.evaluation import (
    UNJUDGED,
    WARNING_LABELS,
    WARNING_SEVERITY,
    ManyEvaluation,
    Result,
    Status,
    WarningCode,
    distinct_ids,
    evaluate_many,
    latest_year,
    phase_statuses,
    status_label,
)
from monitoring.summaries import LOWER_IS_BETTER, plan_short, target_text, value_formatter

INDICATOR_COLUMNS = ["排名", "区县", "区县代码", "数值", "数据年份", "目标", "状态", "预警"]


def status_columns(final: bool | None) -> list[str]:
    """The status count columns of a comparison table of this phase, in display order (a mix: the period's labels)."""
    return [status_label(s, bool(final)) for s in phase_statuses(final)]


def county_columns(final: bool | None) -> list[str]:
    return ["排名", "区县", "区县代码", "指标数", "有数据", *status_columns(final), "达标率", "有预警的指标"]


def overview_columns(final: bool | None) -> list[str]:
    return ["编号", "指标", "规划", "有数据的区县", *status_columns(final), "有预警的区县"]


@dataclass
class IndicatorComparison:
    """One indicator in every county: the ranking, the counts by status, and the counties that warn."""

    target: Target
    year: int
    results: dict[str, Result]  # county code -> result, in ranking order
    table: pd.DataFrame  # INDICATOR_COLUMNS plus value, status (codes) for charts
    counts: dict[Status, int]  # counties per status, every status
    warnings: pd.DataFrame  # 区县, 预警, 说明: one row per warning, most serious first
    final: bool = False  # the evaluation year is at or after the target's year: the counts are verdicts

    @property
    def with_data(self) -> int:
        """Counties whose value could be judged (neither 无数据 nor 数据不足)."""
        return sum(n for s, n in self.counts.items() if s not in UNJUDGED)

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The statuses of this target's phase, in display order."""
        return phase_statuses(self.final)

    def status_label(self, status: Status) -> str:
        """A status as this target's phase reads it (at the final year 已实现 / 未实现 / 无法评估)."""
        return status_label(status, self.final)


@dataclass
class CountyComparison:
    """Every target of every county for one year."""

    catalogue: Catalogue
    year: int
    counties: list[str]
    evaluation: ManyEvaluation

    def label(self, county: str) -> str:
        return self.catalogue.regions.label(county)

    @property
    def final(self) -> bool | None:
        """Whether every compared target is past its target year (True), none is (False), or the plans differ (None)."""
        return self.evaluation.final

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The statuses the tables count, in display order (see `evaluation.phase_statuses`)."""
        return phase_statuses(self.final)

    @property
    def shared(self) -> int:
        """How many targets a county's count over several plans leaves out: a statistic two plans share counts once."""
        return len(self.evaluation.targets) - sum(distinct_ids(self.evaluation.targets))

    def status_columns(self) -> list[str]:
        return status_columns(self.final)

    def county_columns(self, with_city: bool = False) -> list[str]:
        columns = county_columns(self.final)
        return [*columns[:2], "所属市", *columns[2:]] if with_city else columns

    def overview_columns(self) -> list[str]:
        return overview_columns(self.final)

    def cities(self) -> dict[str | None, list[str]]:
        """The compared counties by the city they lie in (regions.yaml), cities in order of first county; None: no city listed."""
        grouped: dict[str | None, list[str]] = {}
        for county in self.counties:
            city = self.catalogue.regions.ancestor(county, "city")
            grouped.setdefault(city.code if city is not None else None, []).append(county)
        return grouped

    @property
    def several_cities(self) -> bool:
        """Whether the counties lie in more than one city (a province office's data): tables can then name each county's city."""
        return len(self.cities()) > 1

    def _with_city(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The table with a 所属市 column after 区县."""
        city = {county: self.catalogue.regions.ancestor(county, "city") for county in self.counties}
        names = frame["区县代码"].map(lambda code: city[code].name if city.get(code) is not None else "—")
        frame = frame.copy()
        frame.insert(frame.columns.get_loc("区县") + 1, "所属市", names)
        return frame

    def indicator(self, target_id: str, with_city: bool = False) -> IndicatorComparison:
        """One target in every county; `with_city` adds a 所属市 column to the table."""
        target = self.catalogue.get(target_id)
        if target is None or target not in self.evaluation.targets:
            raise KeyError(target_id)
        results = {county: self.evaluation.result(county, target_id) for county in self.counties}
        order, ranks = _ranking(target, results)
        results = {county: results[county] for county in order}
        rows = []
        for county, result in results.items():
            fmt = value_formatter(result)
            rows.append({
                "排名": ranks.get(county),
                "区县": self.label(county),
                "区县代码": county,
                "数值": fmt(result.latest.value) if result.latest else "—",
                "数据年份": result.latest.year if result.latest else None,
                "目标": target_text(result).removeprefix("目标 "),
                "状态": result.label,
                "预警": "、".join(w.label for w in _by_severity(result)),
                "value": result.latest.value if result.latest else np.nan,
                "status": result.status.value,
            })
        table = pd.DataFrame(rows, columns=[*INDICATOR_COLUMNS, "value", "status"])
        table["排名"] = table["排名"].astype("Int64")
        table["数据年份"] = table["数据年份"].astype("Int64")
        if with_city:
            table = self._with_city(table)
        counts = {s: sum(r.status == s for r in results.values()) for s in Status}
        warnings = [{"区县": self.label(county), "预警": w.label, "说明": w.message, "_severity": WARNING_SEVERITY[w.code]}
                    for county, result in results.items() for w in result.warnings]
        frame = pd.DataFrame(warnings, columns=["区县", "预警", "说明", "_severity"])
        frame = frame.sort_values("_severity", kind="stable").drop(columns="_severity").reset_index(drop=True)
        final = self.year >= (target.target_year or self.year)
        return IndicatorComparison(target, self.year, results, table, counts, frame, final)

    def county_table(self, with_city: bool = False) -> pd.DataFrame:
        """Per county: targets by status and 达标率 (achieved / targets judged), best first; `with_city` adds 所属市.

        Over several plans a statistic two plans share counts once (`ManyEvaluation.status_counts`)."""
        counts = self.evaluation.status_counts(by=("county",))
        warned = (self.evaluation.table["warnings"].astype(str) != "").groupby(self.evaluation.table["county"], observed=True).sum()
        rows = []
        final = self.final
        columns = county_columns(final)
        for record in counts.to_dict("records"):
            county = str(record["county"])
            rate = record["attainment"]
            rows.append({
                "区县": self.label(county), "区县代码": county, "指标数": int(record["targets"]), "有数据": int(record["with_data"]),
                **{status_label(s, bool(final)): int(record[s.value]) for s in phase_statuses(final)},
                "达标率": None if pd.isna(rate) else float(rate), "有预警的指标": int(warned.get(county, 0)),
            })
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=columns)
        frame = frame.sort_values(["达标率", "有数据", "区县代码"], ascending=[False, False, True], na_position="last", kind="stable")
        ranked = frame["达标率"].notna()
        frame.insert(0, "排名", frame["达标率"].where(ranked).rank(method="min", ascending=False).astype("Int64"))
        frame = frame[columns].reset_index(drop=True)
        return self._with_city(frame) if with_city else frame

    def indicator_overview(self, names: int | None = None) -> pd.DataFrame:
        """Per target: how many counties are in each status, and which counties warn (most serious warning first).

        `names` caps the counties named in 有预警的区县 ("甲、乙…等23个区县"), for a report of a province's 117 counties.
        """
        table = self.evaluation.table
        final = self.final
        # One pass over the table (a province's 117 counties × 155 targets), not one filter per target.
        counts = table.groupby(["id", "status"], observed=True).size().unstack("status", fill_value=0)
        per_target = table.groupby("id", observed=True).size()
        warned_rows = table[table["warnings"].astype(str) != ""]
        warned: dict[str, list[tuple[str, str]]] = {}
        for target_id, county, codes in zip(warned_rows["id"].astype(str), warned_rows["county"].astype(str),
                                            warned_rows["warnings"].astype(str), strict=True):
            warned.setdefault(target_id, []).append((county, codes))
        rows = []
        for target in self.evaluation.targets:
            statuses = counts.loc[target.id] if target.id in counts.index else pd.Series(dtype=int)
            ordered = sorted(warned.get(target.id, []),
                             key=lambda item: (min(WARNING_SEVERITY[WarningCode(c)] for c in item[1].split(";")), item[0]))
            rows.append({
                "编号": target.id, "指标": target.name, "规划": plan_short(self.catalogue, target.plan),
                "有数据的区县": int(per_target.get(target.id, 0) - sum(statuses.get(s.value, 0) for s in UNJUDGED)),
                **{status_label(s, bool(final)): int(statuses.get(s.value, 0)) for s in phase_statuses(final)},
                "有预警的区县": _names([self.label(c) for c, _ in ordered], names),
            })
        return pd.DataFrame(rows, columns=overview_columns(final))

    def warning_counties(self, with_city: bool = False) -> pd.DataFrame:
        """Counties with at least one warning: how many targets warn, and of which kind; `with_city` adds 所属市."""
        table = self.evaluation.table
        warned = table[table["warnings"].astype(str) != ""]
        rows = []
        for county, part in warned.groupby("county", observed=True, sort=False):
            kinds: dict[str, int] = {}
            for text in part["warnings"].astype(str):
                for code in text.split(";"):
                    label = WARNING_LABELS[WarningCode(code)]
                    kinds[label] = kinds.get(label, 0) + 1
            ordered = sorted(kinds.items(), key=lambda item: min(WARNING_SEVERITY[c] for c, lab in WARNING_LABELS.items() if lab == item[0]))
            rows.append({"区县": self.label(str(county)), "区县代码": str(county), "有预警的指标": len(part),
                         "预警": "、".join(f"{label} {n}" for label, n in ordered)})
        frame = pd.DataFrame(rows, columns=["区县", "区县代码", "有预警的指标", "预警"])
        frame = frame.sort_values(["有预警的指标", "区县代码"], ascending=[False, True], kind="stable").reset_index(drop=True)
        return self._with_city(frame) if with_city else frame


def compare(catalogue: Catalogue, data: pd.DataFrame, year: int | None = None, plan: str | None = None,
            counties: Iterable[str] | None = None, within: str | None = None) -> CountyComparison:
    """Evaluate every county of `data` (column `county`) against the catalogue's targets in one pass.

    `counties` adds counties listed but without rows (they show as 无数据);
    the order is: the counties named in regions.yaml in file order, then others by code.
    `within` (a city's or province's code) keeps only the counties that lie in it;
    the year is still the latest of all the data, so every area is compared for the same year.
    """
    year = year or latest_year(data) or max(t.target_year or 0 for t in catalogue)
    if within is not None:
        inside = set(catalogue.regions.within(within))
        data = data[data["county"].astype(object).isin(inside)] if not data.empty else data
        if isinstance(data["county"].dtype, pd.CategoricalDtype):  # evaluate_many lists every category as a county
            data = data.assign(county=data["county"].cat.remove_unused_categories())
        counties = [c for c in (counties or []) if c in inside]
    present = [str(c) for c in pd.unique(data["county"].astype(object))] if not data.empty else []
    wanted = list(dict.fromkeys([*present, *(counties or [])]))
    ordered = catalogue.regions.in_file_order(wanted)
    evaluation = evaluate_many(catalogue, data, year, by="county", plan=plan, counties=ordered)
    return CountyComparison(catalogue, year, ordered, evaluation)


def _ranking(target: Target, results: dict[str, Result]) -> tuple[list[str], dict[str, int]]:
    """Counties best first by their latest value (see the module docstring); ties share a rank."""
    def score(result: Result) -> float:
        value = result.latest.value  # type: ignore[union-attr]
        if target.kind in LOWER_IS_BETTER:
            return value
        if target.kind == Kind.APPROX:
            return abs(value - (result.target_value if result.target_value is not None else target.target_value or 0.0))
        return -value

    scored = {county: score(r) for county, r in results.items() if r.latest is not None}
    order = sorted(scored, key=lambda county: (scored[county], county))
    ranks: dict[str, int] = {}
    for position, county in enumerate(order, start=1):
        earlier = order[position - 2] if position > 1 else None
        ranks[county] = ranks[earlier] if earlier is not None and scored[earlier] == scored[county] else position
    unranked = [county for county in results if county not in scored]
    return order + unranked, ranks


def _names(labels: list[str], limit: int | None) -> str:
    if limit is None or len(labels) <= limit:
        return "、".join(labels)
    return "、".join(labels[:limit]) + f"等{len(labels)}个区县"


def _by_severity(result: Result) -> list[Any]:
    return sorted(result.warnings, key=lambda w: WARNING_SEVERITY[w.code])
