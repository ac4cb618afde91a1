"""Page timings, two ways: server side through streamlit's AppTest, and in a real browser.

    python tools/bench_pages.py DATA_ROOT
        Server side, for `python -m monitoring bench`: runs dashboard.py through
        streamlit's AppTest on the data root (MONITORING_DATA) and prints one JSON
        line: the first run in a fresh process (imports and empty caches), then the
        overview cold (caches cleared) and warm (run again), then the indicator page
        cold and warm.

    python tools/bench_pages.py --browser [--data DATA_ROOT] [--pages overview,detail] [--repeat N] [--json]
        In a real browser (Debian's Chromium driven by Playwright): for every page in
        the navigation, a fresh `streamlit run dashboard.py` on the data root (default:
        a copy of data/demo), then the page loaded twice. *cold* is the first load after
        the server started (empty caches, empty browser cache), *warm* the second (a new
        load of the same address in the same browser: a new Streamlit session on warm
        caches). A load ends when the page has settled: the app is connected, its script
        run has ended (the state Streamlit's status widget shows) and the page's title is
        visible. 区县对比, listed only when the data holds several counties, is measured on
        the 13 counties' demo data (`monitoring.demo.write_counties_demo`).

It lives outside monitoring/ because the engine never imports streamlit
(tests/test_architecture.py). tests/test_browser.py uses `serving`, `settle`
and `CHROMIUM` from here, so the test and the benchmark wait for the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
DETAIL_ID = "C1-03b"  # the detail link measured: /detail?id=C1-03b
TARGETS = {"warm_s": 1.0, "cold_s": 3.0}
PRELOADED = "--serve-preloaded"  # the first argument that makes this script a server (`_serve_preloaded`)  # issue 13: every page settles in ≤ 1 s warm and ≤ 3 s cold on the demo data


# ---------------------------------------------------------------- server side (AppTest)


def measure(root: Path) -> dict:
    os.environ["MONITORING_DATA"] = str(root)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    app = str(ROOT / "dashboard.py")

    def clear() -> None:
        st.cache_resource.clear()
        st.cache_data.clear()

    def timed(run) -> float:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started

    out: dict = {}
    at = AppTest.from_file(app, default_timeout=300)
    out["overview_first_s"] = timed(at.run)
    clear()
    at = AppTest.from_file(app, default_timeout=300)
    out["overview_cold_s"] = timed(at.run)
    out["overview_warm_s"] = timed(at.run)
    out["overview_title"] = at.title[0].value if len(at.title) else None
    problems = [str(e.value) for e in at.exception]
    clear()
    out["indicators_cold_s"] = timed(lambda: at.switch_page("views/indicators.py").run())
    out["indicators_warm_s"] = timed(at.run)
    out["indicators_title"] = at.title[0].value if len(at.title) else None
    problems += [str(e.value) for e in at.exception]
    if problems:
        out["page_errors"] = problems
    return out


# ---------------------------------------------------------------- the real app in a real browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serving(root: Path, env: dict[str, str] | None = None, timeout: float = 120, options: list[str] | None = None,
            preload: bool = False) -> Iterator[str]:
    """`streamlit run dashboard.py` on a data root (MONITORING_DATA), on a free port; its address, once it answers
    its health check, until the block ends. `options` are more of streamlit's options (`runner.postScriptGC=false`);
    `preload` imports the engine in the server before it serves (`_serve_preloaded`). Raises RuntimeError with the
    server's output when it does not start."""
    port = _free_port()
    environment = {**os.environ, **(env or {}), "MONITORING_DATA": str(root)}
    extra = [arg for option in options or [] for arg in (f"--{option.split('=', 1)[0]}", option.split("=", 1)[1])]
    launcher = [str(Path(__file__).resolve()), PRELOADED] if preload else ["-m", "streamlit", "run"]
    url = f"http://127.0.0.1:{port}"
    # The server's output goes to a file, shown when it does not start (a pipe nobody reads could fill up and stall it).
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, *launcher, "dashboard.py", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *extra],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            # A bounded poll of the condition (the health check answers), not a fixed wait: each attempt blocks up
            # to 2 s in the request itself, and waiting on the process returns at once when the server died.
            while not _healthy(url):
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    process.wait()
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(f"streamlit did not start within {timeout:.0f} s:\n{output[-3000:]}")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# The page has settled: the app is connected, no script run is going on or asked for (what Streamlit's status
# widget shows; the widget itself appears only after 500 ms of running, so its absence alone proves nothing),
# no element is still a placeholder (the first table or chart of a session waits for its code to load, shown
# as a skeleton, after the run has ended) and, when given, a heading holding the title is visible.
SETTLED = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
      || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stSkeleton"]')) return false;
  if (!title) return true;
  return [...document.querySelectorAll('h1, h2, h3')].some(h => h.offsetParent !== null && h.innerText.includes(title));
}"""

# Everything in view drawn, for screenshots: the fonts are loaded, and every chart and table that is shown and
# reaches into the window has its SVG or canvas (tables further down, or in a closed expander, are drawn only when
# scrolled to or opened).
DRAWN = """() => {
  const inView = e => !e.closest('details:not([open])') && e.checkVisibility() && e.getBoundingClientRect().top < window.innerHeight;
  return document.fonts.status === 'loaded'
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(inView).every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(inView).every(d => d.querySelector('canvas'));
}"""


def settle(page, title: str | None = None, timeout: float = 120) -> None:
    """Wait until the page has settled (`SETTLED`), with `title` (a heading's text) visible when given."""
    page.wait_for_function(SETTLED, arg=title, timeout=timeout * 1000)


def drawn(page, timeout: float = 60) -> None:
    """Wait until the settled page's charts and tables are drawn (before a screenshot)."""
    page.wait_for_function(DRAWN, timeout=timeout * 1000)


def browser_pages(several_counties: bool = False) -> list[dict]:
    """The pages of the local user's navigation (every page: local mode holds office and admin rights), in its order:
    label, address and the title the settled page shows. 区县对比 only with `several_counties`, as in the app."""
    from monitoring.catalogue import load_catalogue
    from monitoring.docs import methodology_markdown
    from monitoring.permissions import PAGES, local_user, pages_for

    allowed = {spec.path for specs in pages_for(local_user()).values() for spec in specs}
    target = load_catalogue(ROOT / "targets").get(DETAIL_ID)
    heading = next(line.lstrip("#").strip() for line in methodology_markdown().splitlines() if line.startswith("#"))
    titles = {"detail": f"{DETAIL_ID} {target.name}" if target else DETAIL_ID, "methodology": heading}
    out = []
    for spec in PAGES:
        if spec.path not in allowed or spec.requires_counties != several_counties:
            continue
        address = "/" if spec.default else f"/{spec.url_path}"
        if spec.url_path == "detail":
            address += f"?id={DETAIL_ID}"
        out.append({"page": spec.url_path, "label": spec.title, "address": address, "title": titles.get(spec.url_path, spec.title)})
    return out


# Installed in every document before its own scripts: notes when the app's script run state changes, on the
# page's clock (milliseconds since the navigation started), so a load splits into the time until the first
# script run starts (HTML, JavaScript, connection), the script runs, and what follows until the page settles.
MARKS = """window.__runs = [];
new MutationObserver(changes => {
  for (const c of changes) window.__runs.push([c.target.getAttribute('data-test-script-state'), performance.now()]);
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});"""


def _load(page, url: str, spec: dict, timeout: float) -> dict:
    """One load of a page until it has settled: the seconds (wall clock), and their split from the page's own clock."""
    started = time.perf_counter()
    page.goto(url + spec["address"], wait_until="commit", timeout=timeout * 1000)
    settle(page, spec["title"], timeout)
    total = time.perf_counter() - started
    runs, now = page.evaluate("() => [window.__runs, performance.now()]")
    starts = [t for state, t in runs if state == "running"]
    ends = [t for state, t in runs if state == "notRunning"]
    split = {}
    if starts and ends:
        split = {"until_run_s": starts[0] / 1000, "runs_s": (ends[-1] - starts[0]) / 1000, "after_run_s": (now - ends[-1]) / 1000,
                 "runs": len(starts)}
    return {"s": total, **split}


def _rounded(load: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in load.items() if k != "s"}


def _exceptions(page) -> list[str]:
    return [text[:300] for text in page.locator('[data-testid="stException"]').all_inner_texts()]


def measure_browser(root: Path, pages: list[dict], repeat: int = 1, timeout: float = 120, options: list[str] | None = None,
                    preload: bool = False) -> list[dict]:
    """Each page on a fresh server: the first load (cold), then `repeat` more loads (warm: the first of them, and
    their median)."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    env = {"MONITORING_USERS": str(root.parent / "no-users.yaml")}  # local mode: no login, every page
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for spec in pages:
            with serving(root, env, options=options, preload=preload) as url:
                context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
                context.add_init_script(MARKS)
                page = context.new_page()
                cold = _load(page, url, spec, timeout)
                warm = [_load(page, url, spec, timeout) for _ in range(repeat)]
                row = {**spec, "cold_s": round(cold["s"], 3), "warm_s": round(warm[0]["s"], 3),
                       "warm_median_s": round(statistics.median(w["s"] for w in warm), 3),
                       "cold_split": _rounded(cold), "warm_split": _rounded(warm[0])}
                if problems := _exceptions(page):
                    row["errors"] = problems
                context.close()
            out.append(row)
            print(f"{spec['label']}: cold {cold['s']:.2f} s, warm {warm[0]['s']:.2f} s", file=sys.stderr, flush=True)
        browser.close()
    return out


def run_browser(data: Path | None, only: list[str] | None, repeat: int, counties: bool, options: list[str] | None = None,
                preload: bool = False) -> dict:
    from monitoring.bench import machine

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        root = Path(tmp) / "data"
        if data is None:
            shutil.copytree(ROOT / "data" / "demo", root / "demo")
        else:
            shutil.copytree(data, root)
        chosen = [p for p in browser_pages() if not only or p["page"] in only]
        rows = measure_browser(root, chosen, repeat, options=options, preload=preload)
        if counties and (not only or "compare" in only):
            from monitoring.catalogue import load_catalogue
            from monitoring.demo import write_counties_demo

            several = Path(tmp) / "counties"
            write_counties_demo(load_catalogue(ROOT / "targets"), several / "demo")
            rows += [{**row, "data": "13 counties"}
                     for row in measure_browser(several, browser_pages(several_counties=True), repeat, options=options, preload=preload)]
    for row in rows:
        row["met"] = row["warm_s"] <= TARGETS["warm_s"] and row["cold_s"] <= TARGETS["cold_s"] and "errors" not in row
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"pages": rows, "targets": TARGETS, "repeat": repeat, "options": options or [], "preload": preload, "load_average": load,
            "machine": machine()}


def table(result: dict) -> str:
    lines = ["| page | address | cold | warm | met |", "| --- | --- | ---: | ---: | --- |"]
    for row in result["pages"]:
        label = row["label"] + (f" ({row['data']})" if "data" in row else "")
        met = "yes" if row["met"] else "**no**" + (" (errors)" if "errors" in row else "")
        lines.append(f"| {label} | `{row['address']}` | {row['cold_s']:.2f} s | {row['warm_s']:.2f} s | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, help="data root (server-side AppTest timing, for python -m monitoring bench)")
    parser.add_argument("--browser", action="store_true", help="time every page in Chromium on `streamlit run dashboard.py`")
    parser.add_argument("--data", type=Path, help="with --browser: the data root to copy (default: data/demo as the demo data)")
    parser.add_argument("--pages", help="with --browser: only these pages (url paths, comma-separated: overview,detail,…)")
    parser.add_argument("--repeat", type=int, default=1, help="with --browser: warm loads per page (the first is reported, and the median)")
    parser.add_argument("--no-counties", action="store_true", help="with --browser: skip 区县对比 on the 13 counties' demo data")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="with --browser: a streamlit option for the server, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--preload", action="store_true",
                        help="with --browser: the server imports the engine before it serves (what a launcher could do)")
    parser.add_argument("--json", action="store_true", help="with --browser: print JSON instead of a table")
    args = parser.parse_args(argv)
    if not args.browser:
        if args.root is None:
            parser.error("give a data root, or --browser")
        print(json.dumps(measure(args.root), ensure_ascii=False))
        return
    only = args.pages.split(",") if args.pages else None
    result = run_browser(args.data, only, max(1, args.repeat), counties=not args.no_counties, options=args.option, preload=args.preload)
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))


def _serve_preloaded(arguments: list[str]) -> None:
    """`streamlit run ARGUMENTS` after importing what the pages import (an experiment for --preload: the first request
    then finds pandas, plotly and the engine loaded, as it would behind a launcher that imports them before serving)."""
    import importlib
    import pkgutil

    import monitoring

    for module in pkgutil.iter_modules(monitoring.__path__):
        if module.name not in ("__main__", "bench"):
            importlib.import_module(f"monitoring.{module.name}")
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *arguments]
    cli.main()


if __name__ == "__main__":
    if sys.argv[1:2] == [PRELOADED]:
        _serve_preloaded(sys.argv[2:])
    else:
        main()
