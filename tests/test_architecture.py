"""The engine stays pure: monitoring/ never imports streamlit, pages hold no engine logic."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_monitoring_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "monitoring").rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def test_no_module_shadows_the_standard_library():
    import sys

    names = {p.stem for p in (ROOT / "monitoring").glob("*.py")} | {p.stem for p in (ROOT / "views").glob("*.py")}
    assert names & set(sys.stdlib_module_names) == set()


def test_yaml_is_only_loaded_safely():
    for path in (ROOT / "monitoring").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "yaml.load(" not in text and "yaml.unsafe_load" not in text, path.name
