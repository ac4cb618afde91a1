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


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A fresh data root for the app (MONITORING_DATA), with the demo data copied in unless `demo=False`.

    Streamlit's caches are cleared so no test sees another's data.
    """

    def make(demo: bool = True) -> Path:
        import streamlit as st

        root = tmp_path / "data"
        root.mkdir(exist_ok=True)
        if demo:
            shutil.copytree(ROOT / "data" / "demo", root / "demo", dirs_exist_ok=True)
        monkeypatch.setenv("MONITORING_DATA", str(root))
        st.cache_resource.clear()
        st.cache_data.clear()
        return root

    return make


@pytest.fixture
def app_on(data_root):
    """`app_on(page, demo=True)`: the dashboard run through AppTest on a fresh data root, switched to `page`."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, demo: bool = True, query: dict | None = None):
        data_root(demo)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make
