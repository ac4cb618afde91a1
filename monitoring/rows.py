"""The canonical measurement rows, and the questions every module asks of them, answered in one place.

Validation gives rows with the columns `measurements.COLUMNS` plus the county's code. Which of them are the
county's headline values, its townships' or its sexes' is decided here once, so no page, report or
summary writes its own filter (and a women's indicator sent as 女 counts as sent everywhere).
"""

from __future__ import annotations

import pandas as pd

from monitoring.catalogue import GAP_SEXES, TOTAL_SEX, Catalogue
from monitoring.regions import COUNTY_REGION


def series_sexes(catalogue: Catalogue) -> dict[str, frozenset[str]]:
    """Per reporting key, the sexes of the whole-county rows that carry its targets' series (the engine reads them).

    合计 always (a shared statistic's total, or a one-sex indicator sent without a sex); the sex of a one-sex target;
    both sexes of a gap target (the engine computes the gap from them).
    """
    out: dict[str, set[str]] = {}
    for t in catalogue:
        sexes = out.setdefault(t.series_key, {TOTAL_SEX})
        if t.sex in GAP_SEXES:
            sexes.update(GAP_SEXES[t.sex])
        elif t.sex != TOTAL_SEX:
            sexes.add(t.sex)
    return {key: frozenset(sexes) for key, sexes in out.items()}


def headline_rows(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The whole county's rows that carry a target's series: what 已报送 means and what the county's values are."""
    if rows.empty:
        return rows
    sexes = series_sexes(catalogue)
    county = rows[rows["region"] == COUNTY_REGION]
    accepted = [sex in sexes.get(key, (TOTAL_SEX,)) for key, sex in zip(county["indicator_id"], county["sex"], strict=True)]
    return county[accepted]


def reported_keys(rows: pd.DataFrame, catalogue: Catalogue, year: int) -> set[str]:
    """The reporting keys with a headline value in `year`."""
    if rows.empty:
        return set()
    headline = headline_rows(rows[(rows["year"] == year) & rows["value"].notna()], catalogue)
    return set(headline["indicator_id"].astype(str))


def township_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of the towns and townships (both sexes): the 分乡（镇） tables."""
    return rows[(rows["region"] != COUNTY_REGION) & (rows["sex"] == TOTAL_SEX)] if not rows.empty else rows


def sex_rows(rows: pd.DataFrame, both_sexes_target: bool) -> pd.DataFrame:
    """The whole county's rows by sex: 女 and 男, plus 合计 beside them when the target is of one sex or a gap
    (a both-sexes target's 合计 is its own series, drawn apart)."""
    if rows.empty:
        return rows
    county = rows[rows["region"] == COUNTY_REGION]
    return county if not both_sexes_target else county[county["sex"] != TOTAL_SEX]
