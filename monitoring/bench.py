"""`python -m monitoring bench`: the engine's speed on seeded synthetic data of a county, a city, a province, the nation.

The data is made for the benchmark only (never shown as statistics) by
`monitoring.synthetic`: every county gets the demo county's series
(`monitoring.demo.generate`, plus a simple series for the few targets the demo
leaves without data), moved by a seeded county level and year noise, rare-event
counts redrawn for the county's size, and thinned (some years, townships and
女/男 rows not reported) so the national scale holds about two million rows. Each county is one file `<code>.csv` in the
layout of a filled department template, every row carrying its county's code in
the 区县代码 column; the first county is 绛县 (140826).

Each scale has its own targets folder (`write_targets`): the repository's plans
and departments.yaml with a regions.yaml holding that scale's hierarchy, and the
engine loads its catalogue from there, so rows are checked against the hierarchy
exactly as a city's or province's installation would check them:

- county: targets/regions.yaml itself (office 绛县);
- city: the same regions, office 运城市 (140800): its 13 real counties, 绛县 first;
  only 绛县's towns and townships are listed, so only 绛县 reports township rows;
- province, national: a synthetic hierarchy under the real 山西省 (140000) or a synthetic
  root `000000 全国（基准测试）`: 绛县 under the real 运城市 and 山西省, then synthetic
  provinces, cities and counties (codes `XP01`, `XC0001`, `X00001`, …, not real codes),
  each synthetic county with ten townships named like 绛县's, so every county reports township rows.

One run measures, each phase in a fresh subprocess so memory figures are clean
(the engine phase loads the scale's catalogue first, untimed):

- floor: reading the same files with `pd.read_csv(path, engine="pyarrow")` and nothing else;
- load_validate: reading and validating every file (`measurements.validate_many`);
- evaluate: every target of every county (`evaluation.evaluate_many(..., by="county")`, the column validation fills);
- peak_mb: the engine subprocess's peak resident memory (load, validation and evaluation);

and, on county data, the server-side time of the overview and indicator pages
(streamlit's AppTest, cold and warm cache; driven by tools/bench_pages.py, since
the engine never imports streamlit) and the time to write a full final report
(`reports.bench_report`). Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring import demo, synthetic
from monitoring.catalogue import DEPARTMENTS_FILE, REGIONS_FILE, TARGETS_DIR, Catalogue, load_catalogue, plan_files
from monitoring.synthetic import HOME_COUNTY, Generated, county_codes

ROOT = Path(__file__).resolve().parent.parent

SCALES: dict[str, int] = {"county": 1, "city": 13, "province": 117, "national": 2851}
SCALE_LABELS = {"county": "一个县", "city": "一个市（13个县）", "province": "一个省（117个县）", "national": "全国（2851个县）"}
BENCH_SEED = 2025
EVALUATION_YEAR = 2025
BENCH_MARK = "基准测试数据（随机生成，非真实统计）"


# ---------------------------------------------------------------- data


def generate(catalogue: Catalogue, counties: int, folder: Path, seed: int = BENCH_SEED, codes: list[str] | None = None,
             mark: str = BENCH_MARK, hierarchy: Catalogue | None = None) -> Generated:
    """The benchmark's data: one CSV per county into `folder`, made from the demo county's rows (`synthetic.generate`).

    `codes` names the counties (default: 绛县, then synthetic codes); township rows are written only for
    counties whose towns and townships `hierarchy` (default: `catalogue`) lists; `mark` fills 数据来源.
    """
    return synthetic.generate(catalogue, demo.generate(catalogue, seed), counties, folder, seed, mark, codes=codes, hierarchy=hierarchy)


# ---------------------------------------------------------------- the region hierarchy of a scale

CITY_CODE = "140800"       # 运城市
PROVINCE_CODE = "140000"   # 山西省
NATIONAL_ROOT = "000000"   # synthetic
NATIONAL_NAME = "全国（基准测试）"
# The shape of the synthetic hierarchies: 山西省 has 11 cities and 117 counties, 运城市 13 of them;
# the country 31 provinces, 333 cities and 2,851 counties.
SHANXI_CITIES = 11
YUNCHENG_COUNTIES = 13
NATIONAL_PROVINCES = 31
NATIONAL_CITIES = 333


@dataclass
class Hierarchy:
    """A scale's targets folder: the repository's plans and departments with that scale's regions.yaml."""

    folder: Path
    office: str
    codes: list[str]   # the counties that get data, 绛县 first
    counties: int      # county-level regions listed in regions.yaml
    regions: int       # regions listed in regions.yaml


def _region(code: str, name: str, full_name: str, level: str, parent: str | None, aliases: tuple[str, ...] = (), note: str | None = None) -> dict[str, Any]:
    return {"code": code, "name": name, "full_name": full_name, "level": level, "parent": parent, "aliases": list(aliases), "note": note}


def _split(total: int, parts: int) -> list[int]:
    """`total` items over `parts` groups, as evenly as possible (the larger groups first)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _synthetic_regions(scale: str, reference: Catalogue) -> tuple[str, list[dict[str, Any]]]:
    """The office and regions of the province or national scale (synthetic but for 山西省, 运城市 and 绛县)."""
    counties = SCALES[scale]
    real = {r.code: r for r in reference.regions}
    towns = reference.regions.townships(HOME_COUNTY)  # 绛县's towns and townships: the names every synthetic county's take
    prefix = HOME_COUNTY
    codes = iter(county_codes(counties)[1:])
    regions: list[dict[str, Any]] = []

    def county(parent: str) -> None:
        code = next(codes)
        name = f"测试县{code[1:]}"
        regions.append(_region(code, name, name, "county", parent))
        for town in towns:
            suffix = town.code[len(prefix):] if town.code.startswith(prefix) else town.code
            regions.append(_region(f"{code}{suffix}", town.name, f"{name}{town.name}", town.level, code))

    def real_region(code: str, parent: str | None) -> None:
        r = real[code]
        regions.append(_region(r.code, r.name, r.full_name, r.level, parent, tuple(r.aliases), r.note))

    city_numbers = iter(range(1, NATIONAL_CITIES + 1))

    def city(parent: str, count: int) -> None:
        code = f"XC{next(city_numbers):04d}"
        regions.append(_region(code, f"测试市{code[2:]}", f"测试市{code[2:]}", "city", parent))
        for _ in range(count):
            county(code)

    national = scale == "national"
    root = NATIONAL_ROOT if national else PROVINCE_CODE
    if national:
        regions.append(_region(NATIONAL_ROOT, NATIONAL_NAME, NATIONAL_NAME, "country", None, note="基准测试用的合成上级地区，不是真实区划"))
    # 山西省: 运城市 (绛县 with its own towns, then synthetic counties), then synthetic cities up to 117 counties.
    shanxi = SCALES["province"]
    real_region(PROVINCE_CODE, NATIONAL_ROOT if national else None)
    real_region(CITY_CODE, PROVINCE_CODE)
    real_region(HOME_COUNTY, CITY_CODE)
    regions.extend(_region(r.code, r.name, r.full_name, r.level, HOME_COUNTY, tuple(r.aliases), r.note)
                   for r in reference.regions if r.parent == HOME_COUNTY)
    for _ in range(YUNCHENG_COUNTIES - 1):
        county(CITY_CODE)
    for count in _split(shanxi - YUNCHENG_COUNTIES, SHANXI_CITIES - 1):
        city(PROVINCE_CODE, count)
    if national:
        per_city = _split(counties - shanxi, NATIONAL_CITIES - SHANXI_CITIES)
        start = 0
        for number, cities in enumerate(_split(NATIONAL_CITIES - SHANXI_CITIES, NATIONAL_PROVINCES - 1), start=1):
            code = f"XP{number:02d}"
            regions.append(_region(code, f"测试省{code[2:]}", f"测试省{code[2:]}", "province", NATIONAL_ROOT))
            for count in per_city[start:start + cities]:
                city(code, count)
            start += cities
    return root, regions


def _regions_yaml(office: str, regions: list[dict[str, Any]], comment: list[str]) -> str:
    """regions.yaml text in the repository's layout (one flow mapping per region; strings JSON-quoted, valid YAML)."""

    def scalar(value: Any) -> str:
        return "null" if value is None else json.dumps(value, ensure_ascii=False)

    lines = [f"# {line}" for line in comment]
    lines += [f"office: {scalar(office)}", "regions:"]
    for r in regions:
        aliases = ", ".join(scalar(a) for a in r["aliases"])
        lines.append(f"  - {{code: {scalar(r['code'])}, name: {scalar(r['name'])}, full_name: {scalar(r['full_name'])}, level: {r['level']}, "
                     f"parent: {scalar(r['parent'])}, aliases: [{aliases}], note: {scalar(r['note'])}}}")
    return "\n".join(lines) + "\n"


def write_targets(scale: str, folder: Path, source: Path = TARGETS_DIR) -> Hierarchy:
    """A targets folder for `scale`: `source`'s plans and departments.yaml, with the scale's regions.yaml (see the module doc)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    reference = load_catalogue(source)
    folder.mkdir(parents=True, exist_ok=True)
    for path in [*plan_files(source), source / DEPARTMENTS_FILE]:
        shutil.copyfile(path, folder / path.name)
    if scale == "county":
        shutil.copyfile(source / REGIONS_FILE, folder / REGIONS_FILE)
        office, regions = reference.office or HOME_COUNTY, None
        codes = [HOME_COUNTY]
    elif scale == "city":
        office = CITY_CODE
        regions = [_region(r.code, r.name, r.full_name, r.level, r.parent, tuple(r.aliases), r.note) for r in reference.regions]
        codes = [r.code for r in reference.regions.counties() if r.parent == CITY_CODE]
        codes.sort(key=lambda code: code != HOME_COUNTY)  # 绛县 first, then file order
        comment = [f"基准测试生成（python -m monitoring bench --scale city）：{source / REGIONS_FILE} 的全部地区，office 改为运城市 {CITY_CODE}。",
                   "运城市13个县（市、区）的代码为真实区划代码；只有绛县列出了乡（镇），其余各县只有全县数据。"]
    else:
        office, regions = _synthetic_regions(scale, reference)
        codes = county_codes(SCALES[scale])
        comment = [f"基准测试生成（python -m monitoring bench --scale {scale}）：合成的地区层级，不是真实区划。",
                   "只有山西省 140000、运城市 140800、绛县 140826 及其乡（镇）是真实的；"
                   "XP、XC、X 开头的省、市、县和它们的乡（镇）都是合成的（乡镇名称照搬绛县的）。"]
    if regions is not None:
        (folder / REGIONS_FILE).write_text(_regions_yaml(office, regions, comment), encoding="utf-8")
        count = len(regions)
        county_count = sum(1 for r in regions if r["level"] == "county")
    else:
        count, county_count = len(reference.regions), len(reference.regions.counties())
    if len(codes) != SCALES[scale]:
        raise ValueError(f"the {scale} hierarchy has {len(codes)} counties with data, not {SCALES[scale]}")
    return Hierarchy(folder, office, codes, county_count, count)


# ---------------------------------------------------------------- measuring (each phase in its own process)

# What the issue asks of the engine at national scale, and of the overview page on county data.
TARGETS = {
    "engine_over_floor": 3.0,      # load, validation and evaluation together: at most three times the floor
    "evaluate_over_floor": 1.0,    # evaluation alone: at most the floor
    "peak_mb": 1536.0,             # peak memory under 1.5 GB
    "overview_warm_s": 0.3,
    "overview_cold_s": 2.0,
}


def _peak_mb() -> float:
    """This process's peak resident memory in MiB.

    /proc/self/status VmHWM belongs to this program alone; ru_maxrss is kept across exec on Linux,
    so a phase started from a large process would report its parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _warm(paths: list[Path]) -> None:
    """Read every file once so each phase finds them in the page cache."""
    for path in paths:
        path.read_bytes()


def phase_floor(folder: Path) -> dict[str, Any]:
    """The floor: the same files read by pandas' pyarrow CSV engine, nothing else."""
    paths = sorted(folder.glob("*.csv"))
    _warm(paths)
    pd.read_csv(paths[0], engine="pyarrow")  # first call: lazy imports, not reading
    started = time.perf_counter()
    frames = [pd.read_csv(path, engine="pyarrow") for path in paths]
    seconds = time.perf_counter() - started
    return {"floor_s": seconds, "floor_rows": sum(len(f) for f in frames), "floor_peak_mb": _peak_mb()}


def phase_engine(folder: Path, targets: Path | None = None, year: int = EVALUATION_YEAR) -> dict[str, Any]:
    """Load and validate every county's file, then evaluate every target of every county.

    The catalogue (plans and the scale's region hierarchy) comes from `targets` (default: the
    repository's targets/) and is loaded before the timed section, as a running installation
    holds it. Rows get their county from the 区县代码 column, and evaluation groups by it.
    """
    from monitoring.evaluation import evaluate_many
    from monitoring.measurements import validate_many

    started = time.perf_counter()
    catalogue = load_catalogue(targets) if targets is not None else load_catalogue()
    catalogue_s = time.perf_counter() - started
    paths = sorted(folder.glob("*.csv"))
    codes = [path.stem for path in paths]  # each county's file is named by its code
    _warm(paths)
    first = validate_many([(paths[0].stem, paths[0].read_bytes())], catalogue)  # first call: lazy imports, not work
    evaluate_many(catalogue, first.rows, year, by="county")
    del first
    started = time.perf_counter()
    batch = validate_many(((path.stem, path.read_bytes()) for path in paths), catalogue)
    loaded = time.perf_counter()
    many = evaluate_many(catalogue, batch.rows, year, by="county", counties=codes)
    evaluated = time.perf_counter()
    statuses = many.table["status"].value_counts()
    warned = (many.table["warnings"] != "").sum()
    pairs = batch.rows[["file", "county"]].drop_duplicates()
    return {
        "load_validate_s": loaded - started,
        "evaluate_s": evaluated - loaded,
        "peak_mb": _peak_mb(),
        "catalogue_s": catalogue_s,
        "accepted_rows": len(batch.rows),
        "rejected_files": len(batch.failed),
        "results": len(many.table),
        "counties": int(many.table["county"].nunique()),
        "files_with_other_counties": int(pairs.loc[pairs["file"].astype(str) != pairs["county"].astype(str), "file"].nunique()),
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "results_with_warnings": int(warned),
    }


def phase_report() -> dict[str, Any]:
    """Seconds to write a full final report (Word and Excel, charts rendered cold) on the demo data."""
    from monitoring.reports import bench_report

    return {"report_s": bench_report(kind="final", charts=True, cold=True)}


PAGES_SCRIPT = ROOT / "tools" / "bench_pages.py"  # drives the pages with streamlit's AppTest; the engine never imports streamlit


def _run_phase(*args: str, script: Path | None = None) -> dict[str, Any]:
    """Run one phase in a fresh Python process; its result is the last line it prints (JSON)."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environment.get("PYTHONPATH", "")) if p)
    command = [sys.executable, str(script), *args] if script else [sys.executable, "-m", "monitoring.bench", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bench phase {script.name if script else args[0]} failed:\n{done.stderr[-4000:]}")
    return json.loads(lines[-1])


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import pyarrow

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": np.__version__,
    }


def run(scale: str = "county", repeat: int = 1, pages: bool = True, report: bool = True, seed: int = BENCH_SEED) -> dict[str, Any]:
    """Generate the data of a scale into a temporary folder and measure every phase; the figures as a dict."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as tmp:
        folder = Path(tmp) / scale
        started = time.perf_counter()
        hierarchy = write_targets(scale, Path(tmp) / "targets")
        regions = load_catalogue(hierarchy.folder)
        generated = generate(catalogue, SCALES[scale], folder, seed, codes=hierarchy.codes, hierarchy=regions)
        del regions
        generate_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in generated.paths)
        floors = [_run_phase("floor", str(folder)) for _ in range(max(1, repeat))]
        engines = [_run_phase("engine", str(folder), str(hierarchy.folder)) for _ in range(max(1, repeat))]
        floor = min(floors, key=lambda r: r["floor_s"])
        engine = min(engines, key=lambda r: r["load_validate_s"] + r["evaluate_s"])
        result: dict[str, Any] = {
            "scale": scale,
            "counties": generated.counties,
            "rows": generated.rows,
            "files": len(generated.paths),
            "megabytes": round(size / 1e6, 1),
            "hierarchy": {"office": hierarchy.office, "counties": hierarchy.counties, "regions": hierarchy.regions,
                          "catalogue_s": min(r["catalogue_s"] for r in engines)},
            "year": EVALUATION_YEAR,
            "seed": seed,
            "repeat": max(1, repeat),
            "generate_s": generate_s,
            "floor_s": floor["floor_s"],
            "load_validate_s": engine["load_validate_s"],
            "evaluate_s": engine["evaluate_s"],
            "engine_s": engine["load_validate_s"] + engine["evaluate_s"],
            "peak_mb": max(r["peak_mb"] for r in engines),
            "floor_peak_mb": max(r["floor_peak_mb"] for r in floors),
        }
        rows = generated.rows
        result["rows_per_s"] = {
            "floor": rows / result["floor_s"],
            "load_validate": rows / result["load_validate_s"],
            "evaluate": rows / result["evaluate_s"],
            "engine": rows / result["engine_s"],
        }
        result["ratios"] = {
            "load_validate_over_floor": result["load_validate_s"] / result["floor_s"],
            "evaluate_over_floor": result["evaluate_s"] / result["floor_s"],
            "engine_over_floor": result["engine_s"] / result["floor_s"],
        }
        result["results"] = {k: engine[k] for k in ("accepted_rows", "rejected_files", "results", "counties", "files_with_other_counties",
                                                    "statuses", "results_with_warnings")}
        if pages:
            root = Path(tmp) / "pages"
            generate(catalogue, 1, root / "demo", seed)  # the county data, shown as the demo data
            result["pages"] = _run_phase(str(root), script=PAGES_SCRIPT)
        if report:
            result.update(_run_phase("report"))
    result["targets"] = dict(TARGETS)
    met = {"peak_mb": result["peak_mb"] < TARGETS["peak_mb"]}
    if scale == "national":  # the ratios are a national-scale target: on small data fixed costs dominate
        met["engine_over_floor"] = result["ratios"]["engine_over_floor"] <= TARGETS["engine_over_floor"]
        met["evaluate_over_floor"] = result["ratios"]["evaluate_over_floor"] <= TARGETS["evaluate_over_floor"]
    if "pages" in result:
        met["overview_warm_s"] = result["pages"]["overview_warm_s"] < TARGETS["overview_warm_s"]
        met["overview_cold_s"] = result["pages"]["overview_cold_s"] < TARGETS["overview_cold_s"]
    result["met"] = met
    result["machine"] = machine()
    return result


def format_text(result: dict[str, Any]) -> str:
    """The figures as a person reads them in a terminal."""
    import unicodedata

    def s(x: float) -> str:
        return f"{x:.3f} s"

    def rate(x: float) -> str:
        return f"{x:,.0f} 行/秒"

    def pad(text: str, width: int = 26) -> str:
        shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        return text + " " * max(0, width - shown)

    m = result["machine"]
    h = result["hierarchy"]
    lines = [
        f"基准测试：{SCALE_LABELS[result['scale']]}，{result['counties']} 个县，{result['rows']:,} 行，{result['files']} 个文件（{result['megabytes']} MB），评估年份 {result['year']}",
        f"地区层级：office {h['office']}，regions.yaml 列出 {h['counties']:,} 个县级地区、共 {h['regions']:,} 个地区（载入目标库 {s(h['catalogue_s'])}，不计入下列用时）",
        f"机器：{m['nproc']} 核，{m['memory_gb']} GB 内存，{m['cpu']}；Python {m['python']}，pandas {m['pandas']}，pyarrow {m['pyarrow']}",
        "",
        f"  {pad('下限（pandas pyarrow 读取）')}{s(result['floor_s']):>10}   {rate(result['rows_per_s']['floor'])}",
        f"  {pad('读取和校验')}{s(result['load_validate_s']):>10}   {rate(result['rows_per_s']['load_validate'])}，为下限的 {result['ratios']['load_validate_over_floor']:.2f} 倍",
        f"  {pad('评估')}{s(result['evaluate_s']):>10}   {rate(result['rows_per_s']['evaluate'])}，为下限的 {result['ratios']['evaluate_over_floor']:.2f} 倍（全国规模目标 ≤ {TARGETS['evaluate_over_floor']:g}）",
        f"  {pad('读取、校验和评估合计')}{s(result['engine_s']):>10}   {rate(result['rows_per_s']['engine'])}，为下限的 {result['ratios']['engine_over_floor']:.2f} 倍（全国规模目标 ≤ {TARGETS['engine_over_floor']:g}）",
        f"  {pad('峰值内存')}{result['peak_mb']:>7.0f} MiB   目标 < {TARGETS['peak_mb']:.0f} MiB（下限进程 {result['floor_peak_mb']:.0f} MiB）",
        f"  {pad('评估结果')}{result['results']['results']:,} 项（{result['results']['counties']:,} 个县 × 指标），{result['results']['rejected_files']} 个文件未通过校验",
    ]
    if "pages" in result:
        p = result["pages"]
        lines += [
            "",
            "页面服务端用时（一个县的数据，AppTest）：",
            f"  总览       冷缓存 {s(p['overview_cold_s'])}（目标 < {TARGETS['overview_cold_s']:g} s），热缓存 {s(p['overview_warm_s'])}（目标 < {TARGETS['overview_warm_s']:g} s），进程首次 {s(p['overview_first_s'])}",
            f"  指标监测   冷缓存 {s(p['indicators_cold_s'])}，热缓存 {s(p['indicators_warm_s'])}",
        ]
        for problem in p.get("page_errors", []):
            lines.append(f"  页面出错：{problem}")
    if "report_s" in result:
        lines += ["", f"终期评估报告（Word 和 Excel，图表冷缓存）：{s(result['report_s'])}"]
    missed = [k for k, ok in result["met"].items() if not ok]
    lines += ["", "全部达到目标。" if not missed else f"未达到目标：{'、'.join(missed)}"]
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    """Internal: `python -m monitoring.bench PHASE [FOLDER]` runs one phase and prints its JSON."""
    parser = argparse.ArgumentParser(prog="python -m monitoring.bench")
    parser.add_argument("phase", choices=["floor", "engine", "report"])
    parser.add_argument("folder", nargs="?")
    parser.add_argument("targets", nargs="?", help="engine: the targets folder of the scale (default: targets/)")
    args = parser.parse_args(argv)
    if args.phase == "floor":
        out = phase_floor(Path(args.folder))
    elif args.phase == "engine":
        out = phase_engine(Path(args.folder), Path(args.targets) if args.targets else None)
    else:
        out = phase_report()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
