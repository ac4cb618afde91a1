"""Shared fixtures.

- `targets_dir(*files)`: a temporary targets folder holding the small common
  departments/regions files of `tests/fixtures/targets/_common/` plus the given
  fixture files (names relative to `tests/fixtures/targets/`). Bad-input fixtures
  are named after their problem, e.g. `duplicate-id.yaml`.
- `catalogue`: the real catalogue of `targets/`, loaded once per session.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from monitoring.catalogue import Catalogue, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TARGET_FIXTURES = FIXTURES / "targets"


@pytest.fixture
def targets_dir(tmp_path: Path) -> Callable[..., Path]:
    def make(*names: str) -> Path:
        folder = tmp_path / "targets"
        folder.mkdir(exist_ok=True)
        for common in (TARGET_FIXTURES / "_common").iterdir():
            shutil.copy(common, folder / common.name)
        for name in names:
            source = TARGET_FIXTURES / name
            if source.is_dir():
                for item in source.glob("*.yaml"):
                    shutil.copy(item, folder / item.name)
            else:
                shutil.copy(source, folder / source.name)
        return folder

    return make


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "targets")
