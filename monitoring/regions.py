"""The gazetteer: regions.yaml's hierarchy of country, provinces, cities, counties and townships.

One place answers every question about a region — how people write it, which county
a text means, what lies within what, how a county is named, which county a page or
report covers unless one is chosen — so every caller resolves a county the same way
and fails with the same Chinese message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

COUNTY_REGION = "全县"  # in the 地区 column: the whole of the row's own county
LEVEL_WORDS = {"country": "全国", "province": "省", "city": "市", "county": "区县", "town": "镇", "township": "乡", "zone": "开发区"}
_MAX_DEPTH = 16  # regions.yaml is a tree; a parent loop is a typo, not a reason to hang
_LISTED = 20  # a message lists the counties when there are at most this many (a city's, not a province's)


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    full_name: str
    level: Literal["country", "province", "city", "county", "town", "township", "zone"]
    parent: str | None = None
    aliases: list[str] = []
    note: str | None = None

    @field_validator("code", "parent", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def written(self) -> tuple[str, ...]:
        """Every way people write this region: 代码, 名称, 全称, 别名."""
        return tuple(dict.fromkeys((self.code, self.name, self.full_name, *self.aliases)))


class UnknownRegion(ValueError):
    """A text that names no county (or none among those asked about); the message says what to write."""


class Regions:
    """The regions of regions.yaml in file order, with `office` (the area whose plans these are).

    Iterating gives the `Region`s; lookups are built once (a country's file has ~32,000 regions).
    """

    def __init__(self, regions: Iterable[Region] = (), office: str | None = None):
        self._list = list(regions)
        self.office = office
        self._by_code = {r.code: r for r in self._list}
        self._county_codes: dict[str, str] | None = None
        self._data_regions: dict[str, list[tuple[str, str | None]]] | None = None
        self._areas: dict[str, Region] | None = None

    def __iter__(self) -> Iterator[Region]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __bool__(self) -> bool:
        return bool(self._list)

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    # ---------------------------------------------------------------- the office and its counties

    @property
    def office_region(self) -> Region | None:
        """The area this installation monitors: regions.yaml `office`, else the only county listed."""
        if self.office is not None:
            return self._by_code.get(self.office)
        counties = self.counties()
        return counties[0] if len(counties) == 1 else None

    @property
    def home_county(self) -> str | None:
        """The county a row belongs to when it names none: the office itself when the office is a county."""
        office = self.office_region
        return office.code if office is not None and office.level == "county" else None

    def counties(self) -> list[Region]:
        """Every county-level region listed (the units a 区县对比 compares), in file order."""
        return [r for r in self._list if r.level == "county"]

    def townships(self, county: str | None = None) -> list[Region]:
        """A county's towns and townships (the units of an each_township target); default: the home county's."""
        county = county or self.home_county
        return [r for r in self._list if r.level in ("town", "township") and r.parent == county]

    def township_names(self) -> set[str]:
        """The names of every county's towns and townships (a data row's 地区 is checked against its own county)."""
        return {r.name for r in self._list if r.level in ("town", "township")}

    def default_county(self, present: Iterable[str]) -> str | None:
        """The county a page, report or 报送情况 covers unless one is chosen — the one rule: the office's own county
        when the data hold it (or hold none), else the county with the most rows. `present`: the data's counties,
        most rows first."""
        present = list(present)
        home = self.home_county
        if home is not None and (home in present or not present):
            return home
        return present[0] if present else None

    # ---------------------------------------------------------------- hierarchy

    def ancestor(self, code: str, level: str) -> Region | None:
        """The region of `level` (e.g. "city") that a region lies in, following `parent`."""
        region = self._by_code.get(code)
        seen = 0
        while region is not None and region.parent is not None and seen < _MAX_DEPTH:
            region = self._by_code.get(region.parent)
            seen += 1
            if region is not None and region.level == level:
                return region
        return None

    def within(self, code: str) -> list[str]:
        """The codes of the counties that lie in region `code` (a city, a province), in file order."""
        def inside(region: Region) -> bool:
            current, seen = region, 0
            while current.parent is not None and seen < _MAX_DEPTH:
                if current.parent == code:
                    return True
                parent = self._by_code.get(current.parent)
                if parent is None:
                    return False
                current, seen = parent, seen + 1
            return False

        return [r.code for r in self.counties() if r.code == code or inside(r)]

    def in_file_order(self, codes: Iterable[str]) -> list[str]:
        """County codes as regions.yaml lists the counties, then codes it does not list, in code order."""
        wanted = set(codes)
        listed = [r.code for r in self.counties() if r.code in wanted]
        return listed + sorted(wanted - set(listed))

    # ---------------------------------------------------------------- names

    def label(self, code: str) -> str:
        """A county (or any region) as people name it (绛县, 闻喜县), its code when it is not listed."""
        region = self._by_code.get(code)
        return region.full_name if region is not None else code

    def listing(self, codes: Iterable[str] | None = None) -> str:
        """Counties as a message lists them: 绛县（140826）、闻喜县（140823）; default every county listed."""
        chosen = self.in_file_order(codes) if codes is not None else [r.code for r in self.counties()]
        return "、".join(f"{self.label(c)}（{c}）" for c in chosen)

    def area(self, text: str) -> Region | None:
        """The city, province or country written any known way; None for anything else."""
        if self._areas is None:
            self._areas = {written: r for r in self._list if r.level in ("country", "province", "city") for written in r.written}
        return self._areas.get(text.strip())

    def county_codes(self) -> dict[str, str]:
        """Every way a data row may name a county (代码, 名称, 全称, 别名) -> its code.

        "全县" is not a county's name here: in the 地区 column it means the whole of whichever county the
        row belongs to. Built once: do not modify it.
        """
        if self._county_codes is None:
            self._county_codes = {text: r.code for r in self.counties() for text in r.written if text != COUNTY_REGION}
        return self._county_codes

    def resolve(self, text: str, among: Iterable[str] | None = None) -> str:
        """The code of the county `text` names (code, name, 全称 or alias) — every caller's one resolver.

        `among`: the counties the data hold; a county outside them is refused too. Raises `UnknownRegion`
        whose message says what to write instead (`unknown_county`).
        """
        written = str(text).strip()
        code = self.county_codes().get(written)
        present = None if among is None else self.in_file_order(among)
        if code is None:
            raise UnknownRegion(self.unknown_county(written, present))
        if present is not None and code not in present:
            if not present:
                raise UnknownRegion(f"数据中没有区县“{written}”：没有任何监测数据。")
            raise UnknownRegion(f"数据中没有区县“{written}”。数据中的区县：{self.listing(present)}。")
        return code

    def unknown_county(self, text: str, among: list[str] | None = None) -> str:
        """The one message for a text that names no county: a city or province says so; the counties one may
        write are listed when they are few (`among`: the data's counties, else every county listed)."""
        codes = among if among is not None else [r.code for r in self.counties()]
        example = f"{codes[0]} 或 {self.label(codes[0])}" if codes else "140826 或 绛县"
        area = self.area(text) if text.strip() else None
        if area is not None:
            return f"“{text}”是{LEVEL_WORDS[area.level]}一级，不是区县。请填写区县的区划代码或名称，如 {example}。"
        if among is not None and among:
            return f"区县“{text}”无法识别。数据中的区县：{self.listing(among)}。"
        if 1 < len(codes) <= _LISTED:
            return f"区县“{text}”无法识别。请填写区县的区划代码或名称，可用的区县：{self.listing(codes)}。"
        return f"区县“{text}”无法识别。请填写区县的区划代码或名称，如 {example}。"

    def region_name(self, text: str) -> str | None:
        """The 地区 value a data row holds for a region written any known way (a county is "全县")."""
        text = text.strip()
        if text == COUNTY_REGION:
            return COUNTY_REGION
        for region in self._list:
            if text in region.written:
                return COUNTY_REGION if region.level == "county" else region.name
        return None

    def data_regions(self) -> dict[str, list[tuple[str, str | None]]]:
        """Every way a data row's 地区 may be written -> the (地区 value, county code) it can mean.

        A county (by name, 全称, code or alias) is its "全县"; a town, township or zone is itself within
        its county. Blank and "全县" mean the whole of the row's own county (None). Township names may
        repeat across counties, so a text can mean several regions; the row's 区县 decides. Only counties
        and what lies within them: data never describes a province or a city. Built once: do not modify it.
        """
        if self._data_regions is None:
            lookup: dict[str, list[tuple[str, str | None]]] = {"": [(COUNTY_REGION, None)], COUNTY_REGION: [(COUNTY_REGION, None)]}
            seen = {(text, meaning) for text, choices in lookup.items() for meaning in choices}
            for region in self._list:
                if region.level in ("country", "province", "city"):
                    continue
                meaning = (COUNTY_REGION, region.code) if region.level == "county" else (region.name, region.parent)
                for text in region.written:
                    if text == COUNTY_REGION or (text, meaning) in seen:
                        continue
                    seen.add((text, meaning))
                    lookup.setdefault(text, []).append(meaning)
            self._data_regions = lookup
        return self._data_regions
