"""Rules docs/data-format.md states, run as tests so the document cannot drift from the code."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from monitoring.measurements import validate_bytes
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")


def _xlsx(rows: list[tuple[str, int, float, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["指标编号", "年份", "数值"])
    for key, year, value, number_format in rows:
        sheet.append([key, year, value])
        sheet.cell(row=sheet.max_row, column=3).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_percent_formatted_cell_is_read_as_shown(catalogue):
    """“设成百分比格式的单元格……系统按显示的样子读作‘92.5%’：单位为 % 的指标即 92.5”."""
    assert "系统按显示的样子读作“92.5%”" in DOC
    report = validate_bytes(_xlsx([("W2-06", 2024, 0.925, "0.0%")]), catalogue, "百分比格式.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert report.rows["value"].tolist() == [pytest.approx(92.5)]


def test_a_percent_formatted_cell_of_a_permille_indicator_is_refused(catalogue):
    """“单位为 ‰、1/10万 的指标……读到带 % 的数会报 unit_mismatch 退回”."""
    report = validate_bytes(_xlsx([("C1-03b", 2024, 0.0045, "0.00%")]), catalogue, "千分率.xlsx")
    assert [e.code.value for e in report.errors] == ["unit_mismatch"]
    assert report.errors[0].line == 2


# (numerator, denominator, value written, accepted): the doc's examples of the 1% and rounding allowance
ALLOWANCE = [
    ("C1-03a", 1, 1489, "0.7", True),     # 0.672 rounded to one decimal
    ("C1-03a", 1, 1489, "0.67", True),    # within 1%
    ("C1-03a", 1, 1489, "0.6", False),    # neither
    ("C1-03a", 7, 1489, "4.7", True),     # 4.70
    ("C1-03a", 7, 1489, "4.75", False),   # beyond 1% and beyond the rounding of two decimals
    ("W1-02", 1, 1489, "0.0672", False),  # written as a percentage: 67.2/10万 expected
    ("W1-02", 1, 1489, "67.2", True),
]


@pytest.mark.parametrize(("key", "numerator", "denominator", "value", "accepted"), ALLOWANCE, ids=lambda x: str(x))
def test_value_against_counts_allows_1_percent_or_the_rounding(catalogue, key, numerator, denominator, value, accepted):
    data = f"指标编号,年份,数值,分子,分母\n{key},2024,{value},{numerator},{denominator}\n".encode()
    report = validate_bytes(data, catalogue, "round.csv")
    assert report.ok == accepted, [str(e) for e in report.errors]
    if not accepted:
        assert [e.code.value for e in report.errors] == ["value_mismatch"]


def test_the_doc_states_the_allowance_as_tested():
    assert "填 0.7 或 0.67 都可以（四舍五入的误差），填 0.6 会被退回" in DOC
    assert "例如分子 7、分母 1489 算出 4.70‰，填 4.7 可以，填 4.75 就超出" in DOC
    assert "1 ÷ 1489 可以写成 0.0672%、0.672‰ 或 67.2/10万" in DOC


@pytest.mark.parametrize(("written", "sex"), [("", "女"), ("合计", "合计"), ("女", "女")])
def test_a_girls_target_id_with_sex_blank_is_the_girls_value(catalogue, written, sex):
    """“按女童、女性指标自己的编号报送……性别空白时按‘女’读取”: a yearbook table without a 性别 column is not a false 缺报."""
    assert "性别空白时按“女”读取" in DOC
    report = validate_bytes(f"指标编号,年份,数值,性别\nW2-04a,2024,99.97,{written}\n".encode(), catalogue, "x.csv")
    assert report.ok
    assert report.rows[["indicator_id", "sex"]].values.tolist() == [["primary_net_enrollment", sex]]
