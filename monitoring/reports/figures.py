"""Chart rendering for the reports, apart from them because it needs a browser: Plotly figures to PNG with
kaleido and Chromium in a thread of its own (so a page's progress bar moves), cached by the figure's content
so a second report of the same data needs no browser. `MONITORING_REPORT_CHARTS=0` turns it off;
`MONITORING_REPORT_BROWSER` names the browser (a missing path simulates a machine without one).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CHART_WIDTH_PX = 700  # the figures' layout width when rendered; placed 150 mm wide in the document
CHART_SCALE = 2
CHART_TIMEOUT = 120  # seconds without any progress before chart rendering is given up

NO_BROWSER_NOTE = "未找到 Chromium 或 Chrome 浏览器，未能生成图表"
DISABLED_NOTE = "已按设置关闭图表生成"

_PNG_CACHE: OrderedDict[str, bytes] = OrderedDict()
_PNG_CACHE_SIZE = 400
_CACHE_LOCK = threading.Lock()


def clear_chart_cache() -> None:
    with _CACHE_LOCK:
        _PNG_CACHE.clear()


def charts_enabled() -> bool:
    """False when MONITORING_REPORT_CHARTS is 0/off/false/no."""
    return os.environ.get("MONITORING_REPORT_CHARTS", "1").strip().lower() not in ("0", "off", "false", "no")


def browser_path() -> str | None:
    """The browser kaleido should use: MONITORING_REPORT_BROWSER, else kaleido's own search (None)."""
    return os.environ.get("MONITORING_REPORT_BROWSER") or None


def _figure_spec(fig: Any) -> tuple[str, dict, dict]:
    """(cache key, figure dict, kaleido options) of a Plotly figure, rendered as the dashboard lays it out."""
    layout = fig.layout
    width = int(layout.width or CHART_WIDTH_PX)
    height = int(layout.height or 450)
    opts = {"format": "png", "width": width, "height": height, "scale": CHART_SCALE}
    text = fig.to_json()
    key = hashlib.sha1(f"{text}|{width}|{height}|{CHART_SCALE}".encode()).hexdigest()
    return key, fig.to_dict(), opts


def render_figures(figures: Sequence[Any], progress: Callable[[int, int], None] | None = None,
                   browser: str | None = None) -> tuple[list[bytes | None], str | None]:
    """PNG bytes of each Plotly figure (None where it failed) and a note when charts could not be made.

    One browser session renders every figure not already in the cache (each distinct figure once).
    The browser runs in a thread of its own; `progress(done, total)` is called from the caller's thread,
    so a Streamlit page can update its progress bar.
    """
    specs = [_figure_spec(fig) for fig in figures]
    out: list[bytes | None] = [None] * len(specs)
    todo: dict[str, tuple[dict, dict]] = {}
    with _CACHE_LOCK:
        for i, (key, fig_dict, opts) in enumerate(specs):
            if key in _PNG_CACHE:
                out[i] = _PNG_CACHE[key]
                _PNG_CACHE.move_to_end(key)
            else:
                todo.setdefault(key, (fig_dict, opts))
    if not todo:
        return out, None
    if browser is not None and not Path(browser).exists():
        return out, f"{NO_BROWSER_NOTE}（{browser} 不存在）"
    try:
        import kaleido
        from kaleido.errors import ChromeNotFoundError
    except ImportError:
        return out, "未安装 kaleido，未能生成图表"

    events: queue.Queue = queue.Queue()

    async def run() -> None:
        # One tab per two processors (at most 4) renders figures side by side; on a small machine, one tab.
        options: dict[str, Any] = {"n": max(1, min(4, (os.cpu_count() or 1) // 2)), "mathjax": False, "timeout": 60}
        if browser:
            options["path"] = browser
        async with kaleido.Kaleido(**options) as k:

            async def one(key: str, fig_dict: dict, opts: dict) -> None:
                try:
                    events.put(("figure", key, await k.calc_fig(fig_dict, opts=opts)))
                except Exception as exc:  # one bad figure does not lose the others
                    events.put(("figure", key, exc))

            await asyncio.gather(*(one(key, fig_dict, opts) for key, (fig_dict, opts) in todo.items()))

    def worker() -> None:
        try:
            asyncio.run(run())
            events.put(("end", None, None))
        except BaseException as exc:  # reported to the caller's thread
            events.put(("end", None, exc))

    quiet = [logging.getLogger(name) for name in ("choreographer", "kaleido", "logistro")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL + 1)
    rendered: dict[str, bytes] = {}
    failed = 0
    note = None
    try:
        threading.Thread(target=worker, name="report-charts", daemon=True).start()
        while True:
            try:
                kind, key, value = events.get(timeout=CHART_TIMEOUT)
            except queue.Empty:
                note = "图表生成超时，未能生成图表"
                break
            if kind == "end":
                if isinstance(value, ChromeNotFoundError):
                    note = NO_BROWSER_NOTE
                elif type(value).__name__ == "BrowserFailedError":
                    note = f"浏览器{f'（{browser}）' if browser else ''}未能启动，未能生成图表"
                elif isinstance(value, BaseException):
                    note = f"图表生成失败（{type(value).__name__}：{_short(str(value))}）"
                break
            if isinstance(value, bytes):
                rendered[key] = value
            else:
                failed += 1
            if progress:
                progress(len(rendered) + failed, len(todo))
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    with _CACHE_LOCK:
        for key, png in rendered.items():
            _PNG_CACHE[key] = png
            _PNG_CACHE.move_to_end(key)
        while len(_PNG_CACHE) > _PNG_CACHE_SIZE:
            _PNG_CACHE.popitem(last=False)
    for i, (key, _, _) in enumerate(specs):
        if out[i] is None:
            out[i] = rendered.get(key)
    if note is None and failed:
        note = f"{failed}幅图表生成失败"
    if note is not None and rendered:
        note += f"（已生成{len(rendered)}幅）"
    return out, note


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
