"""Shared fixtures.

- `targets_dir(*files)`: a temporary targets folder holding the small common
  departments/regions files of `tests/fixtures/targets/_common/` plus the given
  fixture files (names relative to `tests/fixtures/targets/`). Bad-input fixtures
  are named after their problem, e.g. `duplicate-id.yaml`.
- `catalogue`: the real catalogue of `targets/`, loaded once per session.
- `data_root(demo=...)`, `demo_root`, `counties_root`, `empty_root`: data roots for the app
  (one county's demo data, 运城市's 13 counties' demo data, nothing).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitoring.catalogue import Catalogue, Target, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TARGET_FIXTURES = FIXTURES / "targets"


@pytest.fixture(autouse=True)
def no_users_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts in local mode (no users file), whatever config/users.yaml holds on the machine,
    with cheap bcrypt hashes; tests of login point MONITORING_USERS at a file of their own (`users_file`)."""
    path = tmp_path_factory.mktemp("users") / "users.yaml"
    monkeypatch.setenv("MONITORING_USERS", str(path))
    monkeypatch.setenv("MONITORING_BCRYPT_ROUNDS", "4")
    return path


@pytest.fixture(autouse=True)
def keep_main_module() -> Iterator[None]:
    """AppTest runs the page script as `__main__` and leaves it in sys.modules; a worker process started later
    (multiprocessing's spawn or forkserver) would then run dashboard.py again as its own main module, seconds per
    worker. Each test ends with the real main module back in its place."""
    main = sys.modules.get("__main__")
    yield
    if main is not None and sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True)
def scratch_data_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default data root of every test is a scratch folder whose demo/ is the repository's demo data
    (a link, or a copy where links are not allowed), so nothing a test does — an audit event, a lockout —
    lands in the repository's data/. Tests that need their own root set MONITORING_DATA (`data_root`)."""
    root = tmp_path_factory.mktemp("data")
    try:
        (root / "demo").symlink_to(ROOT / "data" / "demo", target_is_directory=True)
    except OSError:
        shutil.copytree(ROOT / "data" / "demo", root / "demo")
    monkeypatch.setenv("MONITORING_DATA", str(root))
    return root


def make_target(**overrides) -> Target:
    """A small valid target for engine tests (a %-indicator with a minimum of 90 by 2025); override any field.

    `measure` follows the unit unless given: ‰ and 1/10万 a rate, % a share, anything else a level.
    """
    spec = {
        "id": "X1-01", "plan": "sample", "domain": "示例", "goal_no": "1", "name": "示例指标", "unit": "%",
        "kind": "min", "target_value": 90, "target_year": 2025, "baseline_year": 2020, "maintain": False,
        "scope": "county", "department": {"lead": "县卫体局", "supporting": [], "assigned": "default"},
        "provenance": "goal", "source_text": "示例",
    }
    spec.update(overrides)
    if "measure" not in overrides:
        spec["measure"] = {"‰": "rate", "1/10万": "rate", "%": "share"}.get(spec["unit"], "level")
    return Target.model_validate(spec)


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


@pytest.fixture(scope="session")
def counties_demo(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """The demo data of the 13 counties of 运城市 (`demo.write_counties_demo`), made once per session."""
    from monitoring.demo import write_counties_demo

    folder = tmp_path_factory.mktemp("counties") / "demo"
    write_counties_demo(catalogue, folder)
    return folder


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counties_demo: Path) -> Iterator[Callable[..., Path]]:
    """A fresh data root for the app (MONITORING_DATA): `demo=True` copies in the demo data (one county),
    `demo="counties"` the demo data of 运城市's 13 counties (what a city office holds), `demo=False` nothing.

    Streamlit's caches are cleared so no test sees another's data.
    """

    def make(demo: bool | str = True) -> Path:
        import streamlit as st

        root = tmp_path / "data"
        root.mkdir(exist_ok=True)
        if demo == "counties":
            shutil.copytree(counties_demo, root / "demo", dirs_exist_ok=True)
        elif demo:
            shutil.copytree(ROOT / "data" / "demo", root / "demo", dirs_exist_ok=True)
        monkeypatch.setenv("MONITORING_DATA", str(root))
        st.cache_resource.clear()
        st.cache_data.clear()
        return root

    yield make
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def demo_root(data_root) -> Path:
    """A data root holding a copy of the demo data and no submissions."""
    return data_root(demo=True)


@pytest.fixture
def counties_root(data_root) -> Path:
    """A data root holding the 13 counties' demo data: the 区县对比 has something to compare."""
    return data_root(demo="counties")


@pytest.fixture
def empty_root(data_root) -> Path:
    """A data root with nothing in it."""
    return data_root(demo=False)


@pytest.fixture
def app_on(data_root):
    """`app_on(page, demo=True)`: the dashboard run through AppTest on a fresh data root (`demo` as for
    `data_root`), switched to `page`."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, demo: bool | str = True, query: dict | None = None):
        data_root(demo)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make


# ---------------------------------------------------------------- users and login

# One user per role; the department user sends data for 县卫体局 only.
ACCOUNTS = {
    "访客": ("viewer", []),
    "张三": ("department", ["县卫体局"]),
    "李四": ("department", ["县教育局"]),
    "王五": ("office", []),
    "管理员": ("admin", []),
}
PASSWORDS = {name: f"Pw-{index}-绛县-{name}-x9" for index, name in enumerate(ACCOUNTS)}


@pytest.fixture
def users_file(no_users_file: Path) -> Path:
    """A users file holding ACCOUNTS (passwords in PASSWORDS): login is on for the test."""
    from monitoring import users

    for name, (role, departments) in ACCOUNTS.items():
        users.add(name, role, departments, PASSWORDS[name], no_users_file)
    return no_users_file
