"""The engine's shape: monitoring/ never imports streamlit, has no import circle, and keeps its layers.

The import graph is read with `ast` from the source, so it counts every import:
module-level, inside functions, under TYPE_CHECKING, `from monitoring.x import`,
`import monitoring.x` and relative imports. A circle is a circle even when
Python happens to resolve it at run time (an import inside a function): it
means two modules each need the other, and the shared part belongs lower down.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = "monitoring"


@dataclass(frozen=True)
class Edge:
    source: str  # module names relative to the package: "store", "reports.content"
    target: str
    where: str  # file:line of the import

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.where})"


def modules(folder: Path) -> dict[str, Path]:
    """Every module of the package in `folder`, by its name relative to the package ("" for the package itself)."""
    out = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(dotted: str, known: Iterable[str]) -> str | None:
    """The module an absolute name inside the package means: the longest known prefix ("monitoring.reports.x" → "reports.x")."""
    if dotted != PACKAGE and not dotted.startswith(PACKAGE + "."):
        return None
    parts = dotted.split(".")[1:]
    known = set(known)
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts)


def edges(folder: Path) -> list[Edge]:
    """Every import of one module of the package by another, wherever in the file it stands."""
    found = modules(folder)
    out = []
    for name, path in found.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_resolve(alias.name, found) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's own package, one level up per extra dot
                    package = [PACKAGE, *name.split(".")] if name else [PACKAGE]
                    if not is_package:
                        package = package[:-1]
                    base = package[: len(package) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                for alias in node.names:  # `from monitoring import store` names a module, `from monitoring.store import Store` a name
                    submodule = _resolve(f"{module}.{alias.name}", found)
                    targets.append(submodule if submodule is not None and submodule != _resolve(module, found) else _resolve(module, found))
            for target in targets:
                if target is not None and target != name and target != "":
                    out.append(Edge(name, target, f"{path.relative_to(folder.parent)}:{node.lineno}"))
    return out


def graph(folder: Path) -> dict[str, dict[str, Edge]]:
    out: dict[str, dict[str, Edge]] = {name: {} for name in modules(folder)}
    for edge in edges(folder):
        out[edge.source].setdefault(edge.target, edge)
    return out


def cycles(imports: dict[str, dict[str, Edge]]) -> list[list[Edge]]:
    """One circle through each group of modules that import each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in imports.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(imports):
        if node not in index:
            visit(node)
    return [_circle(imports, group) for group in groups]


def _circle(imports: dict[str, dict[str, Edge]], group: set[str]) -> list[Edge]:
    """The shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, edge in sorted(imports[node].items()):
                if target == start:
                    return [*paths[node], edge]
                if target in group and target not in paths:
                    paths[target] = [*paths[node], edge]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle in {group}")  # pragma: no cover - a strongly connected group always has one


def reach(imports: dict[str, dict[str, Edge]], start: str) -> dict[str, list[Edge]]:
    """Every module `start` imports directly or through others, with the chain of imports that gets there."""
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, edge in sorted(imports.get(node, {}).items()):
                if target not in paths:
                    paths[target] = [*paths[node], edge]
                    following.append(target)
        frontier = following
    del paths[start]
    return paths


def _in(name: str, group: Iterable[str]) -> bool:
    """Whether a module belongs to a group of names; a package counts with its submodules ("reports" holds "reports.word")."""
    return any(name == g or name.startswith(g + ".") for g in group)


# ---------------------------------------------------------------- the package itself


MONITORING = ROOT / PACKAGE
IMPORTS = graph(MONITORING)


def test_monitoring_has_no_import_circle():
    found = cycles(IMPORTS)
    assert not found, "import circles in monitoring/ (move what both need into a lower module):\n" + "\n".join(
        " → ".join([c[0].source, *(e.target for e in c)]) + "\n    " + "\n    ".join(map(str, c)) for c in found)


# The layers as they stand: each rule says what a module (or group) must never reach, directly or through
# other modules, at module level or inside a function. Packages count with their submodules.
BASE = ["problems", "units", "files", "exports", "docs"]
MODEL = ["catalogue", "regions", "rows"]
DATA = ["measurements", "store", "datasets"]
JUDGEMENT = ["evaluation", "summaries", "comparison", "charts"]
OUTPUT = ["reports", "intake", "templates", "demo", "synthetic"]
ACCESS = ["users", "permissions", "audit", "backup", "actions"]
ENTRY = ["cli", "cli_access", "cli_base", "bench", "__main__"]

RULES: list[tuple[list[str], list[str], str]] = [
    (BASE, [*MODEL, *DATA, *JUDGEMENT, *OUTPUT, *ACCESS, *ENTRY], "the small helpers everything uses import nothing above them"),
    (MODEL, [*DATA, *JUDGEMENT, *OUTPUT, *ACCESS, *ENTRY], "the catalogue and the regions know nothing of data, evaluation, reports or pages"),
    (["measurements"], ["store", "datasets", *JUDGEMENT, *OUTPUT, *ACCESS, *ENTRY], "validation reads files, it does not keep or judge them"),
    (["store"], ["datasets", *JUDGEMENT, *OUTPUT, *ACCESS, *ENTRY], "the store keeps files; who may write is the service layer's business"),
    (["evaluation"], [*DATA, "summaries", "comparison", "charts", *OUTPUT, *ACCESS, *ENTRY], "evaluation judges the rows it is given"),
    (["summaries", "comparison"], ["charts", *DATA, *OUTPUT, *ACCESS, *ENTRY], "tables are built from evaluations, not from files"),
    (["charts"], [*DATA, *OUTPUT, *ACCESS, *ENTRY], "charts draw evaluations"),
    (["reports"], [*ACCESS, *ENTRY, "intake", "templates"], "a report is content; who asked for it is recorded by actions"),
    (["intake", "templates"], ["reports", "charts", *ACCESS, *ENTRY], "the reporting pages' tables need no report or chart"),
    (["demo", "synthetic"], ["reports", *JUDGEMENT, *ACCESS, *ENTRY], "made-up data is made from the catalogue alone"),
    (["users", "permissions", "audit"], [*MODEL, *DATA, *JUDGEMENT, *OUTPUT, "backup", "actions", *ENTRY], "access control stays light (no pandas)"),
    (["backup"], [*JUDGEMENT, *OUTPUT, "actions", *ENTRY], "a backup copies files"),
    (["actions"], ENTRY, "the service layer serves the command line and the pages, never the other way round"),
]


@pytest.mark.parametrize(("modules_", "forbidden", "why"), RULES, ids=[", ".join(r[0]) for r in RULES])
def test_layers(modules_, forbidden, why):
    present = [m for m in IMPORTS if _in(m, modules_)]
    assert present, f"none of {modules_} exists any more: update RULES"
    broken = []
    for module in present:
        for target, chain in reach(IMPORTS, module).items():
            if _in(target, forbidden) and not _in(target, modules_):
                broken.append(f"{module} reaches {target}:\n    " + "\n    ".join(map(str, chain)))
    assert not broken, f"{why}:\n" + "\n".join(broken)


def _names(path: Path) -> set[str]:
    """The top-level names of every package a file imports (relative imports are the package's own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_monitoring_never_imports_streamlit_or_the_pages():
    offenders = {str(p.relative_to(ROOT)): sorted(_names(p) & {"streamlit", "views", "tools"}) for p in MONITORING.rglob("*.py")}
    assert {p: n for p, n in offenders.items() if n} == {}


def test_users_and_audit_do_not_pull_in_pandas():
    code = "import sys, monitoring.users, monitoring.audit, monitoring.permissions; print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_no_module_shadows_the_standard_library():
    names = {p.stem for p in MONITORING.glob("*.py")} | {p.stem for p in (ROOT / "views").glob("*.py")}
    assert names & set(sys.stdlib_module_names) == set()


def test_yaml_is_only_loaded_safely():
    for path in MONITORING.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "yaml.load(" not in text and "yaml.unsafe_load" not in text, path.name


# ---------------------------------------------------------------- the graph reader itself


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / PACKAGE
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_every_kind_of_import_is_an_edge(tmp_path):
    folder = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from monitoring.b import thing\n",
        "b.py": "def f():\n    import monitoring.c\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from monitoring import d\n",
        "d.py": "from . import e\n",
        "e.py": "from .pkg.inner import x\nimport os\n",
        "pkg/__init__.py": "from .inner import x\n",
        "pkg/inner.py": "from .. import a\nfrom monitoring.pkg import x\n",
    })
    found = {(e.source, e.target) for e in edges(folder)}
    assert found == {("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "pkg.inner"), ("pkg", "pkg.inner"),
                     ("pkg.inner", "a"), ("pkg.inner", "pkg")}


def test_a_circle_is_named_with_its_imports(tmp_path):
    folder = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from monitoring.b import x\n",
        "b.py": "def f():\n    from monitoring.c import y\n",
        "c.py": "import monitoring.a\n",
        "d.py": "from monitoring import a\n",
    })
    [circle] = cycles(graph(folder))
    assert [(e.source, e.target) for e in circle] == [("a", "b"), ("b", "c"), ("c", "a")]
    assert str(circle[1]) == "b → c (monitoring/b.py:2)"


def test_reach_follows_chains(tmp_path):
    folder = _package(tmp_path, {"__init__.py": "", "a.py": "import monitoring.b\n", "b.py": "import monitoring.c\n", "c.py": ""})
    paths = reach(graph(folder), "a")
    assert {k: [e.target for e in v] for k, v in paths.items()} == {"b": ["b"], "c": ["b", "c"]}
