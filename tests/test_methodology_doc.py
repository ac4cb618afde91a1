"""docs/methodology.md is the contract: its worked examples run as tests, and every code is documented."""

from __future__ import annotations

import re

import pytest
import yaml

from monitoring.evaluation import Point, Status, WarningCode, evaluate_target
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


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"示例{i + 1}" for i in range(len(EXAMPLES))])
def test_worked_example(example):
    target = make_target(**example["target"])
    townships = {name: _points(data) for name, data in (example.get("townships") or {}).items()} or None
    result = evaluate_target(target, example["year"], _points(example["data"]), townships)
    assert result.status.value == example["status"]
    assert sorted(result.warning_codes) == sorted(example["warnings"])
    assert result.explanation == example["explanation"]


@pytest.mark.parametrize("code", [*Status, *WarningCode], ids=str)
def test_every_code_is_documented(code):
    assert f"`{code.value}`" in DOC
