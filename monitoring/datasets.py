"""Which measurements a view or report evaluates: the live data set, the demo data, or a folder.

The live data set is used as soon as it has any row; until then the demo data
is shown, clearly marked. The two are never mixed. A data set may hold several
counties (column `county`); the county pages and reports take one of them
(`for_county`), the 区县对比 all of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from monitoring.catalogue import Catalogue
from monitoring.measurements import COLUMNS, validate_bytes
from monitoring.store import DATA_DIR, Store

DEMO_LABEL = "示例数据（非真实统计）"
DATA_SUFFIXES = (".csv", ".xlsx", ".txt")


@dataclass
class Dataset:
    """Measurements to evaluate, with where they came from and which files were left out."""

    rows: pd.DataFrame
    source: str  # live | demo | folder
    location: Path
    skipped: list[dict] = field(default_factory=list)  # file, reason
    _counties: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def label(self) -> str:
        return {"live": "正式数据", "demo": DEMO_LABEL, "folder": f"文件夹 {self.location}"}[self.source]

    def years(self) -> list[int]:
        return sorted({int(y) for y in self.rows["year"].dropna()}) if not self.rows.empty else []

    def counties(self) -> list[str]:
        """The county codes the rows hold, in order of their count of rows (most first), then code.

        Counted once: every page run asks (the county choice, the navigation), and a data set's rows do not change.
        """
        if self._counties is None:
            counts = self.rows["county"].astype(str).value_counts() if not self.rows.empty else pd.Series(dtype=int)
            self._counties = sorted(counts.index, key=lambda code: (-counts[code], code))
        return list(self._counties)

    @property
    def several_counties(self) -> bool:
        """Whether a 区县对比 has anything to compare."""
        return len(self.counties()) > 1

    def for_county(self, county: str) -> Dataset:
        """One county's rows: what the county pages and reports evaluate."""
        if not self.several_counties and (self.rows.empty or self.rows["county"].iloc[0] == county):
            return self
        rows = self.rows[self.rows["county"] == county].reset_index(drop=True)
        return Dataset(rows, self.source, self.location, self.skipped)


def data_root() -> Path:
    """The data root: $MONITORING_DATA, else data/ beside the code."""
    value = os.environ.get("MONITORING_DATA")
    return Path(value) if value else DATA_DIR


def read_folder(folder: Path, catalogue: Catalogue) -> Dataset:
    """Every measurement file under a folder (recursively), validated; files with errors are skipped and listed.

    When files overlap, the one later in name order wins, so a folder of yearly
    files (2023.csv, 2024.csv) reads as one would expect.
    """
    frames = []
    skipped = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith((".", "~$"))):
        report = validate_bytes(path.read_bytes(), catalogue, path.name)
        if not report.ok:
            first = report.errors[0]
            where = f"第{first.line}行" if first.line else ""
            skipped.append({"file": str(path.relative_to(folder)), "reason": f"有 {len(report.errors)} 处错误（如{where}{first.message}）"})
            continue
        frame = report.rows[COLUMNS].copy()
        frame["file"] = str(path.relative_to(folder))
        frames.append(frame)
    if frames:
        rows = pd.concat(frames, ignore_index=True)
        rows = rows.drop_duplicates(["indicator_id", "year", "county", "region", "sex"], keep="last").reset_index(drop=True)
    else:
        rows = pd.DataFrame(columns=[*COLUMNS, "file"])
    return Dataset(rows, "folder", folder, skipped)


def load(catalogue: Catalogue, root: Path | None = None, folder: Path | None = None) -> Dataset:
    """A given folder; else the live data of the data root; else, while that is empty, the demo data."""
    if folder is not None:
        return read_folder(folder, catalogue)
    root = root or data_root()
    live = Store(root).live(catalogue)
    if not live.empty:
        return Dataset(live, "live", root, list(live.attrs.get("skipped", [])))
    demo = read_folder(root / "demo", catalogue)
    demo.source = "demo"
    return demo


def fingerprint(root: Path | None = None) -> tuple:
    """Names, sizes and modification times of every data file: a cache key that changes with any submission."""
    root = root or data_root()
    parts = []
    for sub in ("submissions/manifest.json", "measurements", "demo"):
        path = root / sub
        if path.is_file():
            stat = path.stat()
            parts.append((sub, stat.st_size, stat.st_mtime_ns))
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file():
                    stat = item.stat()
                    parts.append((str(item.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return (str(root), *parts)
