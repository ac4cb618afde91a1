"""Department files in: the fixture corpus of tests/fixtures/measurements/ and its documented outcomes.

Each fixture imitates a file a county unit really sends and is named after its
problem (regenerate with tests/fixtures/measurements/make_fixtures.py).
"""

from __future__ import annotations

import pytest

from monitoring.measurements import validate_bytes, validate_file
from monitoring.problems import DataCode, NoticeCode
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "measurements"

# fixture -> (rows accepted, notice codes in order)
ACCEPTED = [
    ("canonical-long.csv", 3, [NoticeCode.VALUE_COMPUTED]),
    ("chinese-headers.csv", 2, []),
    ("gbk-excel-export.csv", 3, [NoticeCode.ENCODING]),
    ("utf8-bom.csv", 1, []),
    ("fullwidth-digits.csv", 2, []),
    ("wide-yearbook.csv", 9, [NoticeCode.TITLE_ROWS_SKIPPED, NoticeCode.WIDE_TABLE, NoticeCode.NOT_REPORTED]),
    ("counts-only.csv", 2, [NoticeCode.VALUE_COMPUTED, NoticeCode.VALUE_COMPUTED]),
    ("missing-markers.csv", 1, [NoticeCode.NOT_REPORTED] * 4),
    ("exact-duplicates.csv", 1, [NoticeCode.EXACT_DUPLICATE]),
    ("thousands-separator.csv", 1, [NoticeCode.VALUE_COMPUTED]),
    ("township-rows.csv", 11, []),
    ("sex-disaggregated.csv", 3, []),
    ("excel-unicode-text.txt", 1, [NoticeCode.ENCODING]),
    ("template-filled.xlsx", 2, [NoticeCode.SHEET_USED, NoticeCode.VALUE_COMPUTED]),
    ("sheet-named-data.xlsx", 2, [NoticeCode.SHEET_USED]),
    ("gross-enrolment-counts.csv", 1, [NoticeCode.VALUE_COMPUTED]),
    ("rounded-value-with-counts.csv", 1, []),
    ("duplicate-with-and-without-counts.csv", 1, [NoticeCode.EXACT_DUPLICATE]),
    ("long-with-year-columns.csv", 1, [NoticeCode.IGNORED_COLUMN]),
    ("excel-percent-format.xlsx", 1, [NoticeCode.SHEET_USED]),
    ("several-counties.csv", 4, []),
    ("wide-yearbook-with-headings-and-footnote.csv", 3, [NoticeCode.TITLE_ROWS_SKIPPED, NoticeCode.WIDE_TABLE, NoticeCode.NOT_REPORTED]),
]

# fixture -> every (row, column, code) it must produce, in order
REJECTED = [
    ("conflicting-duplicates.csv", [(3, "数值", DataCode.CONFLICTING_DUPLICATE)]),
    ("unknown-indicator.csv", [(2, "指标编号", DataCode.UNKNOWN_INDICATOR)]),
    ("non-numeric-value.csv", [(2, "数值", DataCode.NOT_A_NUMBER)]),
    ("formula-in-cell.csv", [(2, "数值", DataCode.FORMULA)]),
    ("formula-in-cell.xlsx", [(2, "数值", DataCode.FORMULA)]),
    ("percent-above-100.csv", [(2, "数值", DataCode.OUT_OF_RANGE)]),
    ("wrong-unit-symbol.csv", [(2, "数值", DataCode.UNIT_MISMATCH)]),
    ("year-out-of-range.csv", [(2, "年份", DataCode.YEAR_OUT_OF_RANGE)]),
    ("invalid-year.csv", [(2, "年份", DataCode.INVALID_YEAR)]),
    ("unknown-region.csv", [(2, "地区", DataCode.UNKNOWN_REGION)]),
    ("unknown-sex.csv", [(2, "性别", DataCode.UNKNOWN_SEX)]),
    ("numerator-above-denominator.csv", [(2, "分子", DataCode.NUMERATOR_ABOVE_DENOMINATOR)]),
    ("value-disagrees-with-counts.csv", [(2, "数值", DataCode.VALUE_MISMATCH)]),
    ("incomplete-counts.csv", [(2, "分母", DataCode.INCOMPLETE_COUNTS)]),
    ("zero-denominator.csv", [(2, "分母", DataCode.INVALID_COUNT)]),
    ("missing-year-column.csv", [(1, "年份", DataCode.MISSING_COLUMN)]),
    ("no-id-column.csv", [(1, "指标编号", DataCode.MISSING_COLUMN)]),
    ("duplicate-columns.csv", [(1, "value", DataCode.DUPLICATE_COLUMN)]),
    ("empty.csv", [(None, None, DataCode.EMPTY_FILE)]),
    ("header-only.csv", [(1, None, DataCode.NO_ROWS)]),
    ("nothing-reported.csv", [(None, None, DataCode.NO_ROWS)]),
    ("binary.csv", [(None, None, DataCode.BINARY_FILE)]),
    ("legacy-excel.xls", [(None, None, DataCode.UNSUPPORTED_FORMAT)]),
    ("zip-not-workbook.xlsx", [(None, None, DataCode.UNREADABLE_FILE)]),
    ("only-unknown-indicators.csv", [(2, "指标编号", DataCode.UNKNOWN_INDICATOR), (3, "指标编号", DataCode.UNKNOWN_INDICATOR)]),
    ("province-as-region.csv", [(2, "地区", DataCode.UNKNOWN_REGION)]),
    ("unknown-county.csv", [(2, "区县", DataCode.UNKNOWN_COUNTY)]),
    ("township-of-another-county.csv", [(2, "地区", DataCode.REGION_NOT_IN_COUNTY)]),
    ("wide-row-without-id.csv", [(3, "指标编号", DataCode.UNKNOWN_INDICATOR)]),
    ("percent-in-counts.csv", [(2, "分子", DataCode.NOT_A_NUMBER)]),
    ("many-errors.csv", [(2, "指标编号", DataCode.UNKNOWN_INDICATOR), (3, "数值", DataCode.NOT_A_NUMBER),
                         (4, "地区", DataCode.UNKNOWN_REGION), (5, "年份", DataCode.YEAR_OUT_OF_RANGE)]),
]


@pytest.mark.parametrize(("fixture", "rows", "notices"), ACCEPTED, ids=[r[0] for r in ACCEPTED])
def test_accepted_file(catalogue, fixture, rows, notices):
    report = validate_file(CORPUS / fixture, catalogue)
    assert report.errors == []
    assert len(report.rows) == rows
    assert [n.code for n in report.notices] == notices


@pytest.mark.parametrize(("fixture", "expected"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_file(catalogue, fixture, expected):
    report = validate_file(CORPUS / fixture, catalogue)
    assert not report.ok
    assert [(e.line, e.field, e.code) for e in report.errors] == expected
    assert report.rows.empty, "a file with errors is rejected whole"
    for error in report.errors:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message)


def test_every_data_code_and_notice_has_a_fixture():
    # NOT_ASSIGNED: see the department test; MISSING_COUNTY needs a city office's catalogue (tests/test_counties.py)
    codes = {code for _, triples in REJECTED for _, _, code in triples} | {DataCode.NOT_ASSIGNED, DataCode.MISSING_COUNTY}
    assert codes == set(DataCode)
    assert {code for _, _, notices in ACCEPTED for code in notices} == set(NoticeCode)


def test_every_fixture_file_is_in_a_table():
    listed = {r[0] for r in ACCEPTED} | {r[0] for r in REJECTED}
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix != ".py" and p.name != "__pycache__"}
    assert on_disk == listed


def test_normalized_rows_are_canonical(catalogue):
    report = validate_file(CORPUS / "fullwidth-digits.csv", catalogue)
    assert report.records() == [
        {"indicator_id": "high_school_gross_enrollment", "year": 2023, "value": 92.5, "region": "全县", "sex": "合计",
         "numerator": None, "denominator": None, "source": "县教育局", "note": None, "county": "140826"},
        {"indicator_id": "rural_tap_water", "year": 2023, "value": 93.1, "region": "全县", "sex": "合计",
         "numerator": None, "denominator": None, "source": "县水务局", "note": None, "county": "140826"},
    ]


@pytest.mark.parametrize(("numerator", "denominator", "value"), [(1, 1850, 54.054054), (0, 1850, 0.0), (11, 1850, 5.945946)])
def test_value_is_computed_from_counts_in_the_indicator_unit(catalogue, numerator, denominator, value):
    indicator = "W1-02" if value > 50 or value == 0 else "C1-03c"
    data = f"指标编号,年份,分子,分母\n{indicator},2023,{numerator},{denominator}\n".encode()
    report = validate_bytes(data, catalogue)
    assert report.ok
    assert report.records()[0]["value"] == pytest.approx(value, rel=1e-6)


def test_excel_percent_cells_read_as_typed(catalogue):
    report = validate_file(CORPUS / "excel-percent-format.xlsx", catalogue)
    assert report.records()[0]["value"] == 81.5


def test_duplicate_keeps_the_row_with_counts(catalogue):
    report = validate_file(CORPUS / "duplicate-with-and-without-counts.csv", catalogue)
    assert (report.records()[0]["numerator"], report.records()[0]["denominator"]) == (1, 1850)


def test_wide_yearbook_keeps_spreadsheet_rows(catalogue):
    report = validate_file(CORPUS / "wide-yearbook.csv", catalogue)
    infant = report.rows[report.rows["indicator_id"] == "C1-03b"]
    assert list(infant["year"]) == [2020, 2021, 2022, 2023, 2024]
    assert set(infant["_row"]) == {4}
    assert report.notices[2].line == 5 and report.notices[2].field == "2022年"


def test_department_may_only_send_its_own_indicators(catalogue):
    data = (CORPUS / "chinese-headers.csv").read_bytes()
    assert validate_bytes(data, catalogue, department="县教育局").ok
    report = validate_bytes(data, catalogue, department="县卫体局")
    assert [(e.line, e.field, e.code) for e in report.errors] == [(2, "指标编号", DataCode.NOT_ASSIGNED), (3, "指标编号", DataCode.NOT_ASSIGNED)]
    assert "县教育局" in report.errors[0].message


def test_ignored_columns_are_noticed(catalogue):
    report = validate_bytes("指标编号,年份,数值,填表人\nW2-06,2023,81.5,张三\n".encode(), catalogue)
    assert report.ok
    assert [(n.code, n.field) for n in report.notices] == [(NoticeCode.IGNORED_COLUMN, "填表人")]


def test_json_shape(catalogue):
    report = validate_file(CORPUS / "many-errors.csv", catalogue)
    data = report.to_dict()
    assert data["ok"] is False and data["rows"] == []
    assert data["errors"][0] == {"row": 2, "column": "指标编号", "code": "unknown_indicator", "message": report.errors[0].message}


@pytest.mark.parametrize(("fixture", "expected"), [(r[0], "pending") for r in ACCEPTED] + [(r[0], "rejected") for r in REJECTED],
                         ids=[r[0] for r in ACCEPTED] + [r[0] for r in REJECTED])
def test_every_fixture_through_the_store(catalogue, tmp_path, fixture, expected):
    from monitoring.store import Store

    data = (CORPUS / fixture).read_bytes()
    store = Store(tmp_path)
    entry, report = store.submit(data, fixture, "县妇儿工委办公室", "测试", catalogue)
    assert entry["status"] == expected
    assert store.raw_path(entry["id"]).read_bytes() == data, "every submission is kept byte for byte"
    assert entry["rows"] == len(report.rows)
    assert store.live(catalogue).empty
