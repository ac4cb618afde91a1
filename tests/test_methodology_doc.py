"""docs/methodology.md is the contract: its worked examples run through the rules engine, and every code is documented."""

from __future__ import annotations

import re

import pytest
import yaml

from monitoring.evaluation import Point, Status, WarningCode, evaluate_series
from tests.conftest import ROOT, make_target

DOC = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
EXAMPLES = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)]


def _points(data: dict) -> list[Point]:
    points = []
    for year, item in (data or {}).items():
        if isinstance(item, dict):
            points.append(Point(int(year), float(item["value"]), item.get("numerator"), item.get("denominator")))
        else:
            points.append(Point(int(year), float(item)))
    return points


def test_there_is_a_worked_example_per_status():
    assert {example["status"] for example in EXAMPLES} == {s.value for s in Status}


def test_the_final_year_examples_never_project():
    final = [e for e in EXAMPLES if e["year"] >= 2025]
    assert final and all(e["status"] in ("achieved", "not_achieved", "no_data") for e in final)
    assert not any("推算" in e["explanation"] or "projected_miss" in e["warnings"] for e in final)


def test_one_example_raises_fluctuation_and_one_steady_trend_does_not():
    fluctuating = [e for e in EXAMPLES if "fluctuation" in e["warnings"]]
    steady = [e for e in EXAMPLES if e["target"]["name"] == "婴儿死亡率" and not e["warnings"]]
    assert fluctuating and steady
    values = list(steady[0]["data"].values())
    assert values == sorted(values, reverse=True), "the steady example is a monotone trend"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"示例{i + 1}" for i in range(len(EXAMPLES))])
def test_worked_example(example):
    target = make_target(**example["target"])
    townships = {name: _points(data) for name, data in (example.get("townships") or {}).items()} or None
    result = evaluate_series(target, example["year"], _points(example["data"]), townships)
    assert result.status.value == example["status"]
    assert sorted(result.warning_codes) == sorted(example["warnings"])
    assert result.explanation == example["explanation"]


@pytest.mark.parametrize("code", [*Status, *WarningCode], ids=str)
def test_every_code_is_documented(code):
    assert f"`{code.value}`" in DOC
