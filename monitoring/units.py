"""Units as the plans print them, and what each implies for values.

One table serves the catalogue (unknown units are errors), validation
(value ranges, numerator/denominator scaling) and display (precision).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    symbol: str
    label: str
    # Multiplier from a numerator/denominator ratio to the unit, e.g. 1000 for ‰.
    # None for units that are not ratios (ages, counts, money).
    scale: float | None
    lower: float = 0.0
    upper: float | None = None
    decimals: int = 1

    @property
    def is_ratio(self) -> bool:
        return self.scale is not None


UNITS: dict[str, Unit] = {
    u.symbol: u
    for u in (
        Unit("%", "百分比", 100.0, 0.0, 100.0, 1),
        Unit("‰", "千分率", 1000.0, 0.0, 1000.0, 1),
        # Differences and changes of percentages (女性比例之差, 年增幅): may be negative.
        Unit("百分点", "百分点", None, -100.0, 100.0, 1),
        Unit("1/10万", "十万分率", 100000.0, 0.0, 100000.0, 1),
        Unit("岁", "岁", None, 0.0, 150.0, 1),
        Unit("年", "年", None, 0.0, 100.0, 1),
        Unit("个", "个", None, decimals=0),
        Unit("人", "人", None, decimals=0),
        Unit("人次", "人次", None, decimals=0),
        Unit("户", "户", None, decimals=0),
        Unit("所", "所", None, decimals=0),
        Unit("名", "名", None, decimals=0),
        Unit("元", "元", None, decimals=0),
        Unit("元/月", "元/月", None, decimals=0),
        Unit("天", "天", None, decimals=0),
        Unit("张", "张", None, decimals=0),
        Unit("次", "次", None, decimals=0),
        Unit("小时", "小时", None, decimals=1),
    )
}


def get_unit(symbol: str) -> Unit:
    return UNITS[symbol]


def plain(value: float | None) -> str:
    """A number without trailing zeros, as people write it (12.5, 90, 99.95); — for none."""
    if value is None:
        return "—"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def written_places(value: float | None) -> int:
    """How many decimals `value` has as written (90 → 0, 99.95 → 2)."""
    text = plain(value)
    return len(text.split(".")[1]) if "." in text else 0


def decimals_for(symbol: str, *values: float | None) -> int:
    """Display precision: the unit's default, widened to show a target like 99.95 in full."""
    unit = UNITS.get(symbol)
    places = unit.decimals if unit else 1
    for value in values:
        if value is None:
            continue
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        if "." in text:
            places = max(places, len(text.split(".")[1]))
    return places


def format_value(value: float | None, symbol: str, decimals: int | None = None) -> str:
    """A value with its unit as the plans print it (92.5%, 5.3‰, 12.5/10万, 78.1岁)."""
    if value is None:
        return "—"
    places = decimals_for(symbol) if decimals is None else decimals
    number = f"{value:,.{places}f}" if abs(value) >= 10000 else f"{value:.{places}f}"
    if symbol == "1/10万":
        return f"{number}/10万"
    return f"{number}{symbol}"
