"""The schema rejects each kind of bad target file with a located Chinese message."""

from __future__ import annotations

import pytest

from monitoring.catalogue import check_catalogue
from monitoring.problems import TargetCode

# fixture (under tests/fixtures/targets/) -> (code, file, line, target id, field)
BAD_FILES = [
    ("duplicate-id.yaml", TargetCode.DUPLICATE_ID, "duplicate-id.yaml", 27, "C1-02", "id"),
    ("dirs/duplicate-id-across-files", TargetCode.DUPLICATE_ID, "b.yaml", 12, "C1-02", "id"),
    ("dirs/duplicate-plan", TargetCode.DUPLICATE_PLAN, "b.yaml", 1, None, "plan"),
    ("missing-colon-space.yaml", TargetCode.YAML_SYNTAX, "missing-colon-space.yaml", 18, None, None),
    ("tab-indent.yaml", TargetCode.YAML_SYNTAX, "tab-indent.yaml", 15, None, None),
    ("gbk-encoded.yaml", TargetCode.FILE_UNREADABLE, "gbk-encoded.yaml", None, None, None),
    ("empty.yaml", TargetCode.EMPTY_FILE, "empty.yaml", None, None, None),
    ("top-level-list.yaml", TargetCode.NOT_A_MAPPING, "top-level-list.yaml", 1, None, None),
    ("duplicate-key.yaml", TargetCode.DUPLICATE_KEY, "duplicate-key.yaml", 28, None, "unit"),
    ("unknown-key.yaml", TargetCode.UNKNOWN_KEY, "unknown-key.yaml", 18, "C1-02", "targt_value"),
    ("missing-field.yaml", TargetCode.MISSING_FIELD, "missing-field.yaml", 12, "C1-02", "name"),
    ("approx-without-tolerance.yaml", TargetCode.MISSING_FIELD, "approx-without-tolerance.yaml", 12, "C1-02", "tolerance"),
    ("value-not-a-number.yaml", TargetCode.INVALID_VALUE, "value-not-a-number.yaml", 18, "C1-02", "target_value"),
    ("statistic-bad-key.yaml", TargetCode.INVALID_VALUE, "statistic-bad-key.yaml", 24, "C1-02", "statistic"),
    ("wrong-kind.yaml", TargetCode.INVALID_KIND, "wrong-kind.yaml", 17, "C1-02", "kind"),
    ("bad-id.yaml", TargetCode.INVALID_ID, "bad-id.yaml", 12, "c1 02", "id"),
    ("unknown-domain.yaml", TargetCode.UNKNOWN_DOMAIN, "unknown-domain.yaml", 13, "C1-02", "domain"),
    ("unknown-unit.yaml", TargetCode.UNKNOWN_UNIT, "unknown-unit.yaml", 16, "C1-02", "unit"),
    ("unknown-department.yaml", TargetCode.UNKNOWN_DEPARTMENT, "unknown-department.yaml", 23, "C1-02", "department"),
    ("percent-above-100.yaml", TargetCode.PERCENT_ABOVE_100, "percent-above-100.yaml", 18, "C1-02", "target_value"),
    ("reduce-above-100-percent.yaml", TargetCode.VALUE_OUT_OF_RANGE, "reduce-above-100-percent.yaml", 18, "C1-02", "target_value"),
    ("tolerance-on-max.yaml", TargetCode.TOLERANCE_NOT_APPROX, "tolerance-on-max.yaml", 19, "C1-02", "tolerance"),
    ("max-without-value.yaml", TargetCode.TARGET_VALUE_MISSING, "max-without-value.yaml", 18, "C1-02", "target_value"),
    ("direction-with-value.yaml", TargetCode.TARGET_VALUE_NOT_ALLOWED, "direction-with-value.yaml", 18, "C1-02", "target_value"),
    ("baseline-after-target.yaml", TargetCode.INVALID_YEARS, "baseline-after-target.yaml", 12, "C1-02", "target_year"),
    ("goal-without-source.yaml", TargetCode.SOURCE_TEXT_MISSING, "goal-without-source.yaml", 26, "C1-02", "source_text"),
    ("share-without-percent.yaml", TargetCode.MEASURE_UNIT_MISMATCH, "share-without-percent.yaml", 22, "C1-02", "measure"),
    ("rate-without-ratio-unit.yaml", TargetCode.MEASURE_UNIT_MISMATCH, "rate-without-ratio-unit.yaml", 22, "W1-01a", "measure"),
    ("gap-sex-with-percent.yaml", TargetCode.MEASURE_UNIT_MISMATCH, "gap-sex-with-percent.yaml", 23, "W2-08b", "sex"),
    ("dirs/statistic-unit-mismatch", TargetCode.STATISTIC_UNIT_MISMATCH, "a.yaml", 28, "C1-03", "unit"),
    ("dirs/duplicate-region", TargetCode.DUPLICATE_REGION, "regions.yaml", 4, None, None),
    ("dirs/unknown-parent", TargetCode.UNKNOWN_PARENT, "regions.yaml", 3, None, "parent"),
    ("dirs/unknown-office", TargetCode.UNKNOWN_OFFICE, "regions.yaml", 1, None, "office"),
    ("dirs/duplicate-department-alias", TargetCode.DUPLICATE_DEPARTMENT, "departments.yaml", 3, None, None),
    ("dirs/no-plans", TargetCode.NO_PLANS, None, None, None, None),
]


@pytest.mark.parametrize(("fixture", "code", "file", "line", "target_id", "field"), BAD_FILES, ids=[row[0] for row in BAD_FILES])
def test_bad_file_is_rejected_with_located_message(targets_dir, fixture, code, file, line, target_id, field):
    catalogue, problems = check_catalogue(targets_dir(fixture))
    assert catalogue is None
    assert [(p.code, p.file, p.line, p.target_id, p.field) for p in problems] == [(code, file, line, target_id, field)]
    message = problems[0].message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), "messages are in Chinese"
    assert str(problems[0]).startswith(problems[0].location())


def test_every_target_code_has_a_fixture():
    assert {row[1] for row in BAD_FILES} == set(TargetCode)


def test_valid_fixture_loads(targets_dir):
    catalogue, problems = check_catalogue(targets_dir("valid.yaml"))
    assert problems == []
    assert catalogue is not None
    target = catalogue.get("C1-02")
    assert target.plan == "sample"
    assert (target.baseline_year, target.target_year) == (2020, 2025)
    assert target.target_label() == "≤12.5/10万"


def test_all_problems_of_a_folder_are_reported_at_once(targets_dir):
    _, problems = check_catalogue(targets_dir("wrong-kind.yaml", "unknown-unit.yaml", "empty.yaml"))
    assert {p.code for p in problems} >= {TargetCode.INVALID_KIND, TargetCode.UNKNOWN_UNIT, TargetCode.EMPTY_FILE}


def test_missing_folder_is_a_problem_not_an_exception(tmp_path):
    catalogue, problems = check_catalogue(tmp_path / "nowhere")
    assert catalogue is None
    assert problems[0].code == TargetCode.FILE_UNREADABLE
