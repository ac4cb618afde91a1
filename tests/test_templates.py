"""Templates: a department's indicators, and a filled template validates as it is."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from monitoring.measurements import validate_bytes
from monitoring.templates import TEMPLATE_COLUMNS, template_csv, template_frame, template_xlsx


@pytest.fixture
def health(catalogue):
    return template_frame(catalogue, "县卫体局", 2025, previous={("maternal_mortality", "全县", "合计"): 53.8})


def test_template_lists_the_departments_indicators_once(catalogue, health):
    assert list(health.columns) == TEMPLATE_COLUMNS
    ids = set(health["指标编号"])
    assert {"W1-02", "C1-03a", "C1-03b", "C1-06"} <= ids
    assert "W2-06" not in ids  # an education/labour indicator
    assert (health[health["地区"] == "全县"]["指标编号"].value_counts() == 1).all()


def test_each_township_target_gets_a_row_per_township(catalogue, health):
    vaccination = health[health["指标编号"] == "C1-06"]
    assert len(vaccination) == 1 + len(catalogue.townships())


def test_reference_columns_show_target_and_last_year(health):
    maternal = health[health["指标编号"] == "W1-02"].iloc[0]
    assert maternal["目标"] == "≤12.5/10万"
    assert maternal["上年数值"] == "53.8/10万"


def test_unknown_department_raises_keyerror(catalogue):
    with pytest.raises(KeyError):
        template_frame(catalogue, "县气象局", 2025)


def test_xlsx_template_is_frozen_validated_and_explained(health):
    book = load_workbook(io.BytesIO(template_xlsx(health, "县卫体局", 2025)))
    assert book.sheetnames == ["数据", "填报说明"]
    sheet = book["数据"]
    assert sheet.freeze_panes == "B2"
    assert [c.value for c in sheet[1]] == TEMPLATE_COLUMNS
    assert len(sheet.data_validations.dataValidation) == 3
    assert "分子" in "".join(str(c.value) for c in book["填报说明"]["A"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_filled_template_validates(catalogue, health, fmt):
    filled = health.copy()
    filled.loc[filled["指标编号"] == "W1-02", ["分子", "分母"]] = [1, 1862]
    filled.loc[filled["指标编号"] == "C1-03b", "数值"] = 4.1
    data = template_xlsx(filled, "县卫体局", 2025) if fmt == "xlsx" else template_csv(filled)
    report = validate_bytes(data, catalogue, department="县卫体局")
    assert report.ok, report.errors
    values = {(r["indicator_id"], r["year"]): r["value"] for r in report.records()}
    assert values[("maternal_mortality", 2025)] == pytest.approx(100000 / 1862)
    assert values[("C1-03b", 2025)] == 4.1


def test_unfilled_template_is_rejected_as_empty(catalogue, health):
    report = validate_bytes(template_xlsx(health, "县卫体局", 2025), catalogue, department="县卫体局")
    assert [e.code for e in report.errors] == ["no_rows"]
