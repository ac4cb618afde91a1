"""Meta-tests: every problem code a person can meet is explained in the user documents."""

from __future__ import annotations

import pytest

from monitoring.problems import DataCode, NoticeCode, TargetCode
from tests.conftest import ROOT

TARGETS_DOC = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
DATA_DOC = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(TargetCode), ids=str)
def test_target_code_is_documented(code):
    assert f"`{code.value}`" in TARGETS_DOC


@pytest.mark.parametrize("code", [*DataCode, *NoticeCode], ids=str)
def test_data_code_is_documented(code):
    assert f"`{code.value}`" in DATA_DOC


def test_readme_keeps_the_quick_start():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("pip install -r requirements.txt", "streamlit run dashboard.py", "python -m pytest"):
        assert command in readme
