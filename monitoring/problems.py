"""Problems found in input files, as objects rather than printed lines or exceptions.

Every checker collects `Problem`s into a list and carries on, so a person
sees every problem of a file at once. The codes are a contract shared by the
CLI, the dashboard and the tests; the messages are Chinese and say what to fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class TargetCode(StrEnum):
    """Problems in target, region and department YAML files."""

    YAML_SYNTAX = "yaml_syntax"
    FILE_UNREADABLE = "file_unreadable"
    EMPTY_FILE = "empty_file"
    NOT_A_MAPPING = "not_a_mapping"
    DUPLICATE_KEY = "duplicate_key"
    UNKNOWN_KEY = "unknown_key"
    MISSING_FIELD = "missing_field"
    INVALID_VALUE = "invalid_value"
    INVALID_KIND = "invalid_kind"
    INVALID_ID = "invalid_id"
    DUPLICATE_ID = "duplicate_id"
    DUPLICATE_PLAN = "duplicate_plan"
    UNKNOWN_DOMAIN = "unknown_domain"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_DEPARTMENT = "unknown_department"
    PERCENT_ABOVE_100 = "percent_above_100"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    TOLERANCE_NOT_APPROX = "tolerance_not_approx"
    TARGET_VALUE_MISSING = "target_value_missing"
    TARGET_VALUE_NOT_ALLOWED = "target_value_not_allowed"
    INVALID_YEARS = "invalid_years"
    SOURCE_TEXT_MISSING = "source_text_missing"
    STATISTIC_UNIT_MISMATCH = "statistic_unit_mismatch"
    MEASURE_UNIT_MISMATCH = "measure_unit_mismatch"
    DUPLICATE_REGION = "duplicate_region"
    UNKNOWN_PARENT = "unknown_parent"
    UNKNOWN_OFFICE = "unknown_office"
    DUPLICATE_DEPARTMENT = "duplicate_department"
    NO_PLANS = "no_plans"


class DataCode(StrEnum):
    """Errors in a department's data file; any one rejects the whole file."""

    EMPTY_FILE = "empty_file"
    NO_ROWS = "no_rows"
    UNREADABLE_FILE = "unreadable_file"
    BINARY_FILE = "binary_file"
    UNSUPPORTED_FORMAT = "unsupported_format"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    UNKNOWN_INDICATOR = "unknown_indicator"
    NOT_A_NUMBER = "not_a_number"
    FORMULA = "formula"
    UNIT_MISMATCH = "unit_mismatch"
    OUT_OF_RANGE = "out_of_range"
    INVALID_YEAR = "invalid_year"
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    UNKNOWN_REGION = "unknown_region"
    UNKNOWN_COUNTY = "unknown_county"
    MISSING_COUNTY = "missing_county"
    REGION_NOT_IN_COUNTY = "region_not_in_county"
    UNKNOWN_SEX = "unknown_sex"
    INVALID_COUNT = "invalid_count"
    INCOMPLETE_COUNTS = "incomplete_counts"
    NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
    VALUE_MISMATCH = "value_mismatch"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    NOT_ASSIGNED = "not_assigned"


class NoticeCode(StrEnum):
    """Things a person should know about an accepted file; they never reject it."""

    NOT_REPORTED = "not_reported"
    EXACT_DUPLICATE = "exact_duplicate"
    IGNORED_COLUMN = "ignored_column"
    VALUE_COMPUTED = "value_computed"
    TITLE_ROWS_SKIPPED = "title_rows_skipped"
    SHEET_USED = "sheet_used"
    WIDE_TABLE = "wide_table"
    ENCODING = "encoding"


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the input allows.

    `line` is the line of a YAML file or the row of a spreadsheet as the
    person sees it (header = row 1); `field` is the key or column name.
    """

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    target_id: str | None = None

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.target_id:
            parts.append(f"指标 {self.target_id}")
        if self.field:
            parts.append(f"字段“{self.field}”")
        return "，".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}：{self.message}" if where else self.message

    def to_dict(self) -> dict:
        return asdict(self)
