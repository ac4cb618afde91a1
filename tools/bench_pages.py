"""Server-side time of the overview and indicator pages, for `python -m monitoring bench`.

Usage: python tools/bench_pages.py DATA_ROOT — runs dashboard.py through
streamlit's AppTest on the data root (MONITORING_DATA) and prints one JSON
line: the first run in a fresh process (imports and empty caches), then the
overview cold (caches cleared) and warm (run again), then the indicator page
cold and warm. It lives outside monitoring/ because the engine never imports
streamlit (tests/test_architecture.py).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1])), ensure_ascii=False))
