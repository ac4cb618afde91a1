"""Evaluation reports: the annual monitoring report and the mid-term and final evaluation reports as Word
documents in the form of Chinese official documents (GB/T 9704), plus the Excel summary (监测指标汇总表).

Everything in the documents comes from the engine: statuses, warnings and every sentence are
`monitoring.evaluation`'s; the tables are `monitoring.summaries`'; the charts are the dashboard's own
figures (`monitoring.charts`) rendered to PNG with Plotly/kaleido and the system's Chromium.

`build_report(...)` is pure (bytes out, nothing written) so the dashboard page and the command line share it.
Charts are optional: without a browser, or with charts switched off, the report is still written and says
so (in `ReportResult.chart_note` and in the document where the charts would be).

A data set of several counties (a city's data root): the report's body is about one county (`county`,
default the office's own county when the data holds it, else the county with the most rows), evaluated on
that county's rows alone; the title names it, and the appendix 附件4 区县对比 (and the Excel sheets 区县对比…)
compares every county of the data with `monitoring.comparison`. Data of one county make the same report
as before, without that appendix.

Switches for tests and servers without a browser:

- `MONITORING_REPORT_CHARTS=0` turns chart rendering off;
- `MONITORING_REPORT_BROWSER=/path/to/chromium` names the browser (a path that does not exist simulates
  a machine without one).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import queue
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from monitoring.catalogue import COUNTY_REGION, Catalogue, Plan, provenance_sentence
from monitoring.comparison import CountyComparison, compare
from monitoring.datasets import DEMO_LABEL, Dataset, default_county
from monitoring.evaluation import (
    FINAL_STATUSES,
    STATUS_STYLE,
    TOTAL_SEX,
    UNJUDGED,
    WARNING_LABELS,
    Evaluation,
    Reason,
    Result,
    Status,
    WarningCode,
    distinct_statistics,
    evaluate,
    phase_statuses,
    status_label,
    status_record,
)
from monitoring.summaries import (
    attainment_help,
    completeness,
    completeness_by_department,
    display_places,
    domain_status_counts,
    phase_labels,
    plan_short,
    warnings_table,
)
from monitoring.units import format_value

Progress = Callable[[float, str], None]

KINDS: dict[str, str] = {"annual": "年度监测报告", "midterm": "中期评估报告", "final": "终期评估报告"}
PLAN_ORDER = ("women", "children", "disability")
OFFICE = "绛县妇女儿童工作委员会办公室"
DATA_PART = "（监测数据部分）"

# GB/T 9704 fonts; the fallback is named in the document's font table (w:altName) for machines without them.
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
HEADING1_FONT = "黑体"
HEADING2_FONT, HEADING2_FALLBACK = "楷体_GB2312", "楷体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5.
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, CAPTION_SIZE, TABLE_SIZE = 22, 16, 14, 12, 10.5
LINE_PITCH = 28  # fixed line spacing of the body, points

# A4 and the GB/T 9704 margins, millimetres; the text block is 156 mm wide.
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37, 35, 28, 26
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

# The final verdict per target (the engine's final labels): 已实现, 未实现, 无法评估.
VERDICT_ACHIEVED, VERDICT_MISSED, VERDICT_NO_DATA = (status_label(s, final=True) for s in FINAL_STATUSES)
# Every label a status can be shown under in a table cell, with its colour (the period's and the verdict's).
LABEL_COLOURS = {label: STATUS_STYLE[s].colour for s, label in phase_labels(None)}
# Why a target with data cannot be judged, as a table note says it.
REASON_NOTES = {Reason.NO_IN_PERIOD: "规划期内尚无数据", Reason.NO_BASELINE: "缺少基期值", Reason.SINGLE_VALUE: "仅有一年数据"}
INSUFFICIENT_WHAT = "数据不足（缺少基期值或仅有一年数据）"
SHARED_NOTE = "两个规划共用的统计指标只计一次"

CELL_MARGIN = 1.2  # mm left and right inside table cells
CHAR_MM = TABLE_SIZE * 25.4 / 72  # width of one Chinese character in a table cell

CHART_WIDTH_PX = 700  # the figures' layout width when rendered; placed 150 mm wide in the document
CHART_SCALE = 2
CHART_TIMEOUT = 120  # seconds without any progress before chart rendering is given up

# Style names created in the document.
SHORT_TABLE = 12  # rows; a table this short stays on one page with its title
TABLE_STYLE = "报告表格"
TABLE_TEXT = "表格文字"
CAPTION = "图表标题"
FIGURE = "图片"
PART_HEADING = "部分标题"
COMPARISON_TITLE = "区县对比"
APPENDIX_NAMES = 8  # counties named per indicator in the appendix ("…等23个区县"): a province has 117
# Header cells of the narrow count columns of the 区县对比 tables, broken where a reader would break them.
NARROW_HEADERS = {"进度正常": "进度\n正常", "预计难以达标": "预计\n难以\n达标", "严重滞后": "严重\n滞后", "数据不足": "数据\n不足",
                  "无法评估": "无法\n评估", "有预警的指标": "有预警\n的指标"}
DEMO_STYLE = "示例数据标记"


class ReportError(ValueError):
    """A report cannot be made with these arguments (the message is Chinese and says why)."""


@dataclass
class ReportResult:
    """A finished report: the Word document, the Excel summary and whether the charts are in it."""

    docx: bytes
    xlsx: bytes
    charts_rendered: bool
    chart_note: str | None
    title: str
    kind: str = "annual"
    year: int = 0
    plan: str | None = None
    filename: str = "report.docx"
    charts: int = 0  # charts placed in the document
    seconds: float = 0.0
    county: str | None = None  # the county code the body covers
    counties: int = 1  # counties in the data (more than one: the report has the 区县对比 appendix)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def xlsx_filename(self) -> str:
        return self.filename.removesuffix(".docx") + "-监测指标汇总表.xlsx"


# ---------------------------------------------------------------- arguments


def default_year(catalogue: Catalogue, dataset: Dataset, kind: str) -> int:
    """Mid-term: the middle of the plan period (2023); final: its last year (2025); annual: the latest year with data."""
    plans = list(catalogue.plans.values())
    end = max(p.period_end for p in plans)
    if kind == "midterm":
        return _midpoint(plans[0])
    if kind == "final":
        return end
    years = dataset.years()
    return min(max(years), end) if years else end


def resolve_county(catalogue: Catalogue, dataset: Dataset, county: str | None = None) -> str | None:
    """The code of the county `county` names (code, name or alias) among the data's counties; the default when None.

    Raises ReportError (Chinese, listing the data's counties) for a county the data does not hold.
    """
    if county is None or not str(county).strip():
        return default_county(catalogue, dataset)
    text = str(county).strip()
    code = catalogue.county_codes().get(text, text)
    present = dataset.counties()
    if code in present:
        return code
    if not present:
        raise ReportError(f"数据中没有区县“{text}”：没有任何监测数据。")
    listing = "、".join(f"{catalogue.county_label(c)}（{c}）" for c in catalogue.in_file_order(present))
    raise ReportError(f"数据中没有区县“{text}”。数据中的区县：{listing}。")


def _midpoint(plan: Plan) -> int:
    return plan.baseline_year + (plan.period_end - plan.baseline_year + 1) // 2


def check_arguments(catalogue: Catalogue, kind: str, year: int, plan: str | None) -> None:
    """Raise ReportError (Chinese) for an unknown kind or plan, or a year the kind of report cannot have."""
    if kind not in KINDS:
        raise ReportError(f"报告类型“{kind}”无效，可选：annual（年度监测）、midterm（中期评估）、final（终期评估）。")
    if plan is not None and plan not in catalogue.plans:
        raise ReportError(f"没有规划“{plan}”，可选：{'、'.join(catalogue.plans)}。")
    chosen = [catalogue.plans[plan]] if plan else list(catalogue.plans.values())
    start = min(p.baseline_year for p in chosen)
    end = max(p.period_end for p in chosen)
    if kind == "final" and year != end:
        raise ReportError(f"终期评估的年份应为规划期末{end}年（给出的是{year}年）；其他年份请生成年度监测报告（--kind annual）。")
    if kind == "midterm" and not (start < year < end):
        raise ReportError(f"中期评估的年份应在{start + 1}—{end - 1}年之间（通常为{_midpoint(chosen[0])}年）。")
    if kind == "annual" and not (start <= year <= end + 5):
        raise ReportError(f"年度监测报告的年份应在{start}—{end + 5}年之间。")


def ordered_plans(catalogue: Catalogue, plan: str | None = None) -> list[str]:
    """The plans of a report: the one asked for, else all in the catalogue's order (妇女、儿童、残疾人)."""
    return [plan] if plan is not None else list(catalogue.plans)  # the catalogue keeps the plans' order


def report_title(catalogue: Catalogue, kind: str, year: int, plan: str | None = None, county: str | None = None) -> tuple[str, str]:
    """(the plans' part, the report's part) of the title, e.g. ('绛县儿童发展“十四五”规划', '中期评估报告（监测数据部分）').

    `county` (a county's name, given when the data hold several counties) is named in the report's part:
    '终期评估报告（闻喜县监测数据部分）', '2024年度监测报告（闻喜县）'.
    """
    keys = ordered_plans(catalogue, plan)
    if len(keys) == 1:
        subject = catalogue.plans[keys[0]].title
    elif set(keys) == set(PLAN_ORDER):
        subject = "绛县妇女、儿童发展“十四五”规划及“十四五”残疾人保障和发展规划"
    else:
        subject = "绛县" + "、".join(catalogue.plans[k].title.removeprefix("绛县") for k in keys)
    if kind == "annual":
        return subject, f"{year}年度监测报告" + (f"（{county}）" if county else "")
    return subject, KINDS[kind] + (f"（{county}监测数据部分）" if county else DATA_PART)


def verdict(result: Result) -> str:
    """The final evaluation's verdict: 已实现, 无法评估 (nothing to judge by), else 未实现.

    At or after the target year the engine gives only these three statuses, so this is the result's own label.
    """
    if result.status == Status.ACHIEVED:
        return VERDICT_ACHIEVED
    if result.status in UNJUDGED:
        return VERDICT_NO_DATA
    return VERDICT_MISSED


def warning_names(result: Result) -> str:
    """The result's warnings by name; a `maintain` target that missed years names them: 未能保持达标（2022年未达到）."""
    names = []
    for w in result.warnings:
        if w.code == WarningCode.SLIPPED and result.target.maintain and result.missed_years:
            names.append(f"{w.label}（{_year_list(result.missed_years)}未达到）")
        else:
            names.append(w.label)
    return "、".join(names)


def _year_list(years: Iterable[int]) -> str:
    return "、".join(str(y) for y in years) + "年"


# ---------------------------------------------------------------- charts


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


NO_BROWSER_NOTE = "未找到 Chromium 或 Chrome 浏览器，未能生成图表"
DISABLED_NOTE = "已按设置关闭图表生成"


def _figure_spec(fig: Any) -> tuple[str, dict, dict]:
    """(cache key, figure dict, kaleido options) of a Plotly figure, rendered as the dashboard lays it out."""
    layout = fig.layout
    width = int(layout.width or CHART_WIDTH_PX)
    height = int(layout.height or 450)
    opts = {"format": "png", "width": width, "height": height, "scale": CHART_SCALE}
    text = fig.to_json()
    key = hashlib.sha1(f"{text}|{width}|{height}|{CHART_SCALE}".encode()).hexdigest()
    return key, fig.to_dict(), opts


def render_figures(figures: Sequence[Any], progress: Progress | None = None, browser: str | None = None) -> tuple[list[bytes | None], str | None]:
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


# ---------------------------------------------------------------- the report


def build_report(catalogue: Catalogue, dataset: Dataset, kind: str, year: int | None = None, plan: str | None = None,
                 charts: bool = True, progress: Progress | None = None, browser: str | None = None,
                 now: datetime | None = None, county: str | None = None) -> ReportResult:
    """The Word report and the Excel summary of one plan (or all plans, as parts of one document).

    `kind` is annual, midterm or final; `year` defaults to 2023 for midterm, 2025 for final and the latest
    year with data for annual. `charts=False` (or MONITORING_REPORT_CHARTS=0) leaves the charts out;
    `browser` (or MONITORING_REPORT_BROWSER) names the browser that renders them. `progress(fraction, text)`
    is called as the work advances. When the data hold several counties, `county` (code or name; default
    `default_county`) is the county of the body and the report gets the 区县对比 appendix.
    Raises ReportError for arguments the report cannot have.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    now = now or datetime.now()

    def report(fraction: float, text: str) -> None:
        if progress:
            progress(max(0.0, min(1.0, fraction)), text)

    if kind not in KINDS:
        check_arguments(catalogue, kind, 0, plan)
    code = resolve_county(catalogue, dataset, county)
    several = dataset.several_counties
    body = dataset.for_county(code) if several and code is not None else dataset
    year = year if year is not None else default_year(catalogue, body, kind)
    check_arguments(catalogue, kind, year, plan)
    report(0.02, "正在评估指标……")
    evaluation = evaluate(catalogue, body.rows, year, plan=plan)
    comparison = compare(catalogue, dataset.rows, year, plan=plan) if several else None
    timings["evaluate"] = time.perf_counter() - started

    content = _Content(catalogue, body, evaluation, kind, year, plan, now, county=code, comparison=comparison, whole=dataset)
    pngs: dict[str, bytes] = {}
    chart_note: str | None = None
    mark = time.perf_counter()
    wanted = charts and charts_enabled()
    if wanted:
        report(0.03, "正在准备图表……")
    figures = content.figures() if wanted else []
    if not wanted:
        chart_note = DISABLED_NOTE
    elif figures:
        report(0.05, f"正在生成图表（共{len(figures)}幅）……")

        def on_chart(done: int, total: int) -> None:
            report(0.05 + 0.8 * done / max(total, 1), f"正在生成图表（{done}/{total}）……")

        images, chart_note = render_figures([fig for _, fig in figures], on_chart, browser if browser is not None else browser_path())
        pngs = {key: png for (key, _), png in zip(figures, images, strict=True) if png is not None}
    timings["charts"] = time.perf_counter() - mark

    report(0.88, "正在排版 Word 文档……")
    mark = time.perf_counter()
    document = _Document(content, pngs, chart_note)
    docx_bytes = document.build()
    timings["docx"] = time.perf_counter() - mark

    report(0.95, "正在生成 Excel 汇总表……")
    mark = time.perf_counter()
    xlsx_bytes = summary_xlsx(content)
    timings["xlsx"] = time.perf_counter() - mark

    title = content.title
    report(1.0, "报告已生成。")
    seconds = time.perf_counter() - started
    return ReportResult(
        docx=docx_bytes, xlsx=xlsx_bytes, charts_rendered=chart_note is None,
        chart_note=None if chart_note is None else chart_note.rstrip("。") + "。",
        title=title, kind=kind, year=year, plan=plan, filename=_filename(title, dataset), charts=document.charts_placed,
        seconds=seconds, timings=timings, county=code, counties=len(dataset.counties()) or 1,
    )


def _filename(title: str, dataset: Dataset) -> str:
    name = re.sub(r"[\\/:*?\"<>|]", "", title).replace(DATA_PART, "")
    name = re.sub(r"（(.+?)监测数据部分）", r"（\1）", name)
    if dataset.is_demo:
        name += "（示例数据）"
    return name + ".docx"


def bench_report(catalogue: Catalogue | None = None, kind: str = "final", year: int | None = None, plan: str | None = None,
                 charts: bool = True, cold: bool = True) -> float:
    """Seconds to build a full report (Word and Excel) on the demo data; `cold` empties the chart cache first."""
    from monitoring.catalogue import load_catalogue
    from monitoring.datasets import read_folder
    from monitoring.demo import DEMO_DIR

    catalogue = catalogue or load_catalogue()
    dataset = read_folder(DEMO_DIR, catalogue)
    dataset.source = "demo"
    if cold:
        clear_chart_cache()
    started = time.perf_counter()
    build_report(catalogue, dataset, kind, year, plan, charts=charts)
    return time.perf_counter() - started


# ---------------------------------------------------------------- content (what the documents say)


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (for headings 一、 and （一）)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _cn_count(n: int) -> str:
    """A count in words: 两 rather than 二 before a measure word (两个规划)."""
    return "两" if n == 2 else _cn(n)


def _rate(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value * 100:.1f}%"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _date(d: datetime) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _names(results: Iterable[Result]) -> str:
    return "、".join(r.target.name for r in results)


def value_text(result: Result) -> str:
    """The latest value for a table cell; its year on a second line when it is not the evaluation year (数据缺报)."""
    if result.latest is None:
        return "—"
    text = format_value(result.latest.value, result.target.unit, display_places(result))
    if result.latest.year != result.year:
        text += f"\n（{result.latest.year}年）"
    return text


def baseline_text(result: Result) -> str:
    if result.baseline_value is None:
        return "—"
    text = format_value(result.baseline_value, result.target.unit, display_places(result))
    if result.baseline_year is not None and result.baseline_year != result.target.baseline_year:
        text += f"（{result.baseline_year}年）"
    return text


@dataclass
class _PlanPart:
    key: str
    plan: Plan
    evaluation: Evaluation
    domains: list[tuple[str, list[Result]]]


class _Content:
    """The numbers and sentences of one report, shared by the Word document and the Excel summary."""

    def __init__(self, catalogue: Catalogue, dataset: Dataset, evaluation: Evaluation, kind: str, year: int,
                 plan: str | None, now: datetime, county: str | None = None, comparison: CountyComparison | None = None,
                 whole: Dataset | None = None):
        self.catalogue, self.dataset, self.evaluation = catalogue, dataset, evaluation
        self.kind, self.year, self.plan, self.now = kind, year, plan, now
        self.county = county  # the body's county (code)
        self.comparison = comparison  # every county of the data, when it holds several
        self.whole = whole if whole is not None else dataset  # the data set before taking the body's county
        home = catalogue.home_county
        self.county_name = catalogue.county_label(county or home) if (county or home) else "本县"
        self.parts: list[_PlanPart] = []
        for key in ordered_plans(catalogue, plan):
            sub = evaluation.subset(key)
            domains = []
            for domain in catalogue.plans[key].domains:
                group = [r for r in sub.results if r.target.domain == domain]
                if group:
                    domains.append((domain, group))
            self.parts.append(_PlanPart(key, catalogue.plans[key], sub, domains))
        self.subject, self.kind_title = report_title(catalogue, kind, year, plan, self.county_name if comparison is not None else None)
        self.title = self.subject + self.kind_title

    @property
    def final(self) -> bool:
        """A final evaluation report (the kind; its year is the plans' last)."""
        return self.kind == "final"

    @property
    def midterm(self) -> bool:
        return self.kind == "midterm"

    @property
    def phase(self) -> bool | None:
        """Whether the evaluation year is at or after the targets' year (`Evaluation.final`; None: plans differ)."""
        return self.evaluation.final

    @property
    def verdicts(self) -> bool:
        """Every target has its final verdict (已实现 / 未实现 / 无法评估): the final report, or an annual one of the last year."""
        return self.phase is True

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The statuses the report's tables and counts show, in display order."""
        return phase_statuses(self.phase)

    def label(self, status: Status) -> str:
        return status_label(status, self.verdicts)

    @property
    def verdict_lead(self) -> str:
        """The words before the counts of the verdicts: 终期评估结论 (or, in an annual report of the last year, 截至规划期末…)."""
        return "终期评估结论" if self.final else f"截至规划期末{self.year}年，评估结论"

    def count_phrase(self, record: dict[str, Any]) -> str:
        """已实现N项，未实现M项，无法评估K项 at the final year; during the period the statuses with targets (已达标 always)."""
        if self.verdicts:
            return "，".join(f"{self.label(s)}{record[s.value]}项" for s in self.statuses)
        return "，".join(f"{self.label(s)}{record[s.value]}项" for s in self.statuses if record[s.value] or s == Status.ACHIEVED)

    def provenance(self, plan: str | None) -> str:
        """The targets of a plan (None: of every plan) by source, honestly: “规划主要目标确定的指标…，规划重点任务中的量化要求…”."""
        return provenance_sentence(self.catalogue.provenance_counts(plan))

    def warned(self, part: _PlanPart) -> list[Result]:
        return [r for _, group in part.domains for r in group if r.warnings]

    def figures(self) -> list[tuple[str, Any]]:
        """(key, Plotly figure) of every chart of the report: a summary per plan, then each warned target's chart."""
        from monitoring import charts

        out: list[tuple[str, Any]] = []
        for part in self.parts:
            out.append((f"summary:{part.key}", charts.domain_status_figure(domain_status_counts(part.evaluation))))
        figure = getattr(charts, "indicator_figure", None)
        if figure is not None:
            for part in self.parts:
                for r in self.warned(part):
                    out.append((f"target:{r.target.id}", figure(r, title="")))  # the caption names it
        return out

    # ---- data

    def source_text(self) -> str:
        if self.dataset.is_demo:
            return f"平台内置的{DEMO_LABEL}，仅用于演示，不得引用或上报"
        if self.dataset.source == "live":
            return "各成员单位报送并经县妇儿工委办公室审核的统计数据"
        return f"数据文件夹“{self.dataset.location}”中的数据文件"

    def record(self, results: Sequence[Result]) -> dict[str, Any]:
        """Targets, counts per status, judged targets and 达标率 (`evaluation.status_record`)."""
        return status_record(list(results))

    def counts(self, results: Sequence[Result]) -> dict[Status, int]:
        record = self.record(results)
        return {s: record[s.value] for s in Status}

    def attainment(self, results: Sequence[Result]) -> float | None:
        return self.record(results)["attainment"]

    def ahead_of_clock(self, results: Sequence[Result]) -> tuple[list[Result], list[Result]]:
        """(at or ahead of the time progress, behind it) among targets judged: 目标完成进度 vs 序时进度."""
        ahead, behind = [], []
        for r in results:
            if r.status in UNJUDGED:
                continue
            if r.status == Status.ACHIEVED or (r.progress is not None and r.time_progress is not None and r.progress >= r.time_progress):
                ahead.append(r)
            else:
                behind.append(r)
        return ahead, behind

    def time_progress(self, part: _PlanPart) -> float:
        span = part.plan.period_end - part.plan.baseline_year
        return (self.year - part.plan.baseline_year) / span if span else 1.0

    def county_values(self) -> dict[str, dict[int, float]]:
        rows = self.dataset.rows
        if rows.empty:
            return {}
        county = rows[(rows["region"] == COUNTY_REGION) & (rows["sex"] == TOTAL_SEX) & rows["value"].notna() & (rows["year"] <= self.year)]
        out: dict[str, dict[int, float]] = {}
        for r in county.itertuples(index=False):
            out.setdefault(r.indicator_id, {})[int(r.year)] = float(r.value)
        return out

    def latest_note(self, result: Result) -> str:
        """The reporting unit's note (备注) on the row of the latest value, if any."""
        rows = self.dataset.rows
        if result.latest is None or rows.empty or "note" not in rows:
            return ""
        match = rows[(rows["indicator_id"] == result.target.series_key) & (rows["year"] == result.latest.year)
                     & (rows["region"] == COUNTY_REGION) & (rows["sex"] == TOTAL_SEX)]
        if match.empty:
            return ""
        note = match.iloc[-1]["note"]
        return "" if note is None or (isinstance(note, float) and note != note) else str(note).strip()

    def status_note(self, result: Result) -> str:
        """The table's 说明 cell: why a target with data cannot be judged, the warnings by name (a `maintain` target's
        missed years), and who should report what is missing."""
        parts = []
        if result.status in UNJUDGED and result.reason in REASON_NOTES:
            parts.append(REASON_NOTES[result.reason])
        if result.warnings:
            parts.append("预警：" + warning_names(result))
        lead = result.target.department.lead
        if result.latest is None:
            parts.append(f"请{lead}报送")
        elif result.reason == Reason.NO_BASELINE:
            parts.append(f"请{lead}补报{result.target.baseline_year}年数据")
        elif result.reason == Reason.NO_IN_PERIOD:
            parts.append(f"请{lead}报送{(result.target.baseline_year or 0) + 1}年以来的数据")
        return "；".join(parts) or "—"

    def comparison_summary(self) -> str:
        """The 区县对比's numbers in one paragraph: the best and worst 达标率, the body county's rank, the counties that warn."""
        cmp = self.comparison
        assert cmp is not None
        ranking = cmp.county_table()
        n = len(ranking)
        ranked = ranking[ranking["达标率"].notna()]
        if ranked.empty:
            return f"{self.year}年，{n}个区县均没有有数据的指标，无法比较达标率。"
        best, worst = ranked["达标率"].max(), ranked["达标率"].min()

        def names(rate: float) -> str:
            return "、".join(ranked.loc[ranked["达标率"] == rate, "区县"])

        text = f"{self.year}年，{n}个区县中达标率最高的是{names(best)}（{_rate(best)}）"
        text += f"，最低的是{names(worst)}（{_rate(worst)}）" if worst != best else "，各区县达标率相同"
        unranked = n - len(ranked)
        if unranked:
            text += f"，另有{unranked}个区县没有数据、未排名"
        warned = len(cmp.warning_counties())
        text += f"；{warned}个区县有预警指标。" if warned else "；各区县均没有预警指标。"
        own = ranking[ranking["区县代码"] == self.county]
        if not own.empty and own.iloc[0]["达标率"] is not None and not pd.isna(own.iloc[0]["达标率"]):
            text += f"{self.county_name}达标率为{_rate(own.iloc[0]['达标率'])}，在{n}个区县中排第{int(own.iloc[0]['排名'])}位。"
        return text

    def sentence(self, result: Result) -> str:
        """The engine's explanation: it states the verdict at the final year (已实现 / 未实现 / 无法评估, without projection),
        and a `maintain` target's missed years (本指标须每年达到目标，2022年未达到)."""
        return result.explanation

    def name_with_years(self, result: Result) -> str:
        """A target's name in a list; a `maintain` target that missed years says which: 名称（须每年达到，2022年未达到）."""
        if result.target.maintain and result.missed_years and any(w.code == WarningCode.SLIPPED for w in result.warnings):
            return f"{result.target.name}（须每年达到，{_year_list(result.missed_years)}未达到）"
        return result.target.name


# ---------------------------------------------------------------- Word


def _hex_tint(colour: str, share: float = 0.22) -> str:
    """A light fill of a status colour (share of the colour over white), as RRGGBB."""
    colour = colour.lstrip("#")
    rgb = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c * share + 255 * (1 - share)):02X}" for c in rgb)


class _Document:
    """Writes a `_Content` as a GB/T 9704-style .docx."""

    def __init__(self, content: _Content, pngs: dict[str, bytes], chart_note: str | None):
        from docx import Document

        self.c = content
        self.pngs = pngs
        self.chart_note = chart_note
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self.charts_placed = 0
        self._setup()

    # ---- styles and page

    def _setup(self) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Mm, Pt, RGBColor, Twips

        doc = self.doc
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word writes it
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance, section.footer_distance = Mm(15), Mm(26)

        self._doc_defaults()
        styles = doc.styles

        normal = styles["Normal"]
        _style_fonts(normal, BODY_FONT, BODY_SIZE)
        pf = normal.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PITCH)
        pf.space_before = pf.space_after = Pt(0)
        pf.widow_control = True
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _first_line_chars(normal.element, 200, BODY_SIZE)

        title = styles["Title"]
        _style_fonts(title, TITLE_FONT, TITLE_SIZE, color=RGBColor(0, 0, 0))
        _drop(title.element, "w:pPr/w:pBdr", "w:rPr/w:spacing", "w:rPr/w:kern")
        pf = title.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(36)
        pf.space_before, pf.space_after = Pt(0), Pt(LINE_PITCH)
        pf.keep_with_next = True
        _first_line_chars(title.element, 0, TITLE_SIZE)

        for name, font, size in (("Heading 1", HEADING1_FONT, BODY_SIZE), ("Heading 2", HEADING2_FONT, BODY_SIZE)):
            style = styles[name]
            _style_fonts(style, font, size, bold=False, color=RGBColor(0, 0, 0))
            pf = style.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(LINE_PITCH)
            pf.space_before = pf.space_after = Pt(0)
            pf.keep_with_next = True
            _first_line_chars(style.element, 200, size)

        part = styles.add_style(PART_HEADING, WD_STYLE_TYPE.PARAGRAPH)
        part.base_style = styles["Heading 1"]
        _style_fonts(part, HEADING1_FONT, BODY_SIZE, bold=False, color=RGBColor(0, 0, 0))
        part.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        part.paragraph_format.space_before = part.paragraph_format.space_after = Pt(LINE_PITCH / 2)
        part.paragraph_format.keep_with_next = True
        _first_line_chars(part.element, 0, BODY_SIZE)

        caption = styles.add_style(CAPTION, WD_STYLE_TYPE.PARAGRAPH)
        caption.base_style = normal
        _style_fonts(caption, HEADING1_FONT, CAPTION_SIZE)
        caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(6)
        _first_line_chars(caption.element, 0, CAPTION_SIZE)

        figure = styles.add_style(FIGURE, WD_STYLE_TYPE.PARAGRAPH)
        figure.base_style = normal
        figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        figure.paragraph_format.keep_with_next = True
        figure.paragraph_format.space_before = Pt(6)
        _first_line_chars(figure.element, 0, BODY_SIZE)

        cell = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = normal
        _style_fonts(cell, BODY_FONT, TABLE_SIZE)
        cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        cell.paragraph_format.widow_control = False
        _first_line_chars(cell.element, 0, TABLE_SIZE)

        table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        table.base_style = styles["Table Grid"]
        _style_fonts(table, BODY_FONT, TABLE_SIZE)
        _cell_margins(table.element, CELL_MARGIN)

        demo = styles.add_style(DEMO_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        demo.base_style = normal
        _style_fonts(demo, HEADING1_FONT, BODY_SIZE, color=RGBColor(0xC6, 0x28, 0x28))
        demo.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _first_line_chars(demo.element, 0, BODY_SIZE)

        for name in ("Header", "Footer"):
            _style_fonts(styles[name], PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
            _first_line_chars(styles[name].element, 0, PAGE_NUMBER_SIZE)
            styles[name].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self._font_table()
        self._footer(section)
        if self.c.dataset.is_demo:
            header = section.header.paragraphs[0]
            header.style = styles["Header"]
            header.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = header.add_run(f"{DEMO_LABEL}——仅供演示，不得引用")
            _run_fonts(run, HEADING1_FONT, CAPTION_SIZE)
            run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)

        props = doc.core_properties
        props.title = self.c.title
        props.author = props.last_modified_by = OFFICE
        props.subject = KINDS[self.c.kind]
        props.comments = f"{self.c.year}年；数据：{self.c.dataset.label}；生成于{_date(self.c.now)}。"
        props.created = props.modified = self.c.now.replace(microsecond=0)
        props.revision = 1
        props.keywords = "示例数据" if self.c.dataset.is_demo else ""
        # python-docx's template carries a thumbnail of an unrelated page: drop it.
        package_rels = doc.part.package.rels
        for key in [k for k, rel in package_rels.items() if rel.reltype.endswith("/thumbnail")]:
            package_rels.pop(key)

    def _doc_defaults(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_rfonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            spacing.set(qn("w:after"), "0")

    def _font_table(self) -> None:
        """Name the GB/T 9704 fonts with their fallbacks (w:altName), so Word substitutes sensibly."""
        part = next(rel.target_part for rel in self.doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
        entries = [
            (TITLE_FONT, TITLE_FALLBACK, "roman"), (BODY_FONT, BODY_FALLBACK, "modern"), (HEADING2_FONT, HEADING2_FALLBACK, "modern"),
            (HEADING1_FONT, None, "modern"), (BODY_FALLBACK, None, "modern"), (HEADING2_FALLBACK, None, "modern"),
            (PAGE_NUMBER_FONT, None, "auto"),
        ]
        xml = []
        for name, alt, family in entries:
            alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
            xml.append(f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>')
        blob = part.blob.decode("utf-8")
        blob = blob.replace("</w:fonts>", "".join(xml) + "</w:fonts>")
        part._blob = blob.encode("utf-8")

    def _footer(self, section) -> None:
        """Page numbers “— 1 —”, centred, 宋体 四号, with a PAGE field."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = section.footer.paragraphs[0]
        paragraph.style = self.doc.styles["Footer"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run_fonts(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = paragraph.add_run()
            _run_fonts(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
                run._r.append(element)
            elif text == " PAGE ":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
                run._r.append(element)
            else:
                run.text = text
        _run_fonts(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)

    # ---- blocks

    def para(self, text: str = "", style: str | None = None, bold_prefix: str | None = None, keep_with_next: bool = False):
        paragraph = self.doc.add_paragraph(style=style)
        if bold_prefix:
            run = paragraph.add_run(bold_prefix)
            run.bold = True
        if text:
            _add_inline(paragraph, text)
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def heading(self, text: str, level: int):
        return self.doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def caption(self, text: str, keep_with_next: bool = True):
        paragraph = self.doc.add_paragraph(text, style=CAPTION)
        paragraph.paragraph_format.keep_with_next = keep_with_next
        return paragraph

    def table(self, title: str | None, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float] | None = None,
              shade: dict[int, Callable[[Any], str | None]] | None = None, center: Iterable[int] = (), bold_last: bool = False,
              bold_rows: Iterable[int] = ()):
        """A table with a numbered title, a bold header repeated on every page, fixed column widths and shaded status cells.

        The title is the table's first row (repeated with the header on every page): a title paragraph tied to the
        table with keep-with-next would make LibreOffice move a whole table to the next page. A short table is
        kept on one page; a long one breaks between rows, never inside a row.
        """
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        short = len(rows) <= SHORT_TABLE
        top = 1 if title else 0  # the title is the table's first row, so it never parts from the table
        widths_mm = widths_mm or _auto_widths(header, rows)
        scale = TEXT_WIDTH / sum(widths_mm)
        widths = [Mm(w * scale) for w in widths_mm]
        table = self.doc.add_table(rows=top + 1 + len(rows), cols=len(header))
        table.style = self.doc.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_layout(table, widths)
        center = set(center)
        bold = {i + 1 for i in bold_rows}  # indices of `rows`; 0 is the header
        shade = shade or {}
        cell_style = self.doc.styles[TABLE_TEXT].style_id
        if title:
            self.tables += 1
            row = table.rows[0]
            _row_flags(row, header=True)
            cell = row.cells[0].merge(row.cells[-1])
            paragraph = cell.paragraphs[0]
            paragraph._p.style = self.doc.styles[CAPTION].style_id
            paragraph.paragraph_format.space_before = Pt(0)
            paragraph.paragraph_format.keep_with_next = short
            paragraph.add_run(f"表{self.tables}　{title}")
            _no_borders(cell, "top", "left", "right")
        for r_index, values in enumerate([list(header), *[list(r) for r in rows]]):
            row = table.rows[top + r_index]
            _row_flags(row, header=r_index == 0)
            for c_index, value in enumerate(values):
                cell = row.cells[c_index]
                cell.width = widths[c_index]
                paragraph = cell.paragraphs[0]
                paragraph._p.style = cell_style  # the style id, set directly: python-docx's lookup is slow
                text = "" if value is None else str(value)
                run = paragraph.add_run(text)
                if r_index == 0 or (bold_last and r_index == len(rows)) or r_index in bold:
                    run.bold = True
                if r_index == 0 or c_index in center:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if short and r_index < len(rows):
                    paragraph.paragraph_format.keep_with_next = True
                if r_index > 0 and c_index in shade:
                    colour = shade[c_index](value)
                    if colour:
                        _shade(cell, _hex_tint(colour))
                _valign(cell)
            if r_index == 0:
                for cell in row.cells:
                    _shade(cell, "E8EDF3")
        # A little air after the table, so the next paragraph does not touch it.
        self.doc.add_paragraph(style=TABLE_TEXT)
        return table

    def figure(self, key: str, caption: str, width_mm: float = 150) -> bool:
        from docx.shared import Mm

        png = self.pngs.get(key)
        if png is None:
            return False
        paragraph = self.doc.add_paragraph(style=FIGURE)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.figures += 1
        self.charts_placed += 1
        self.caption(f"图{self.figures}　{caption}", keep_with_next=False)
        return True

    def missing_charts_sentence(self) -> str:
        if self.chart_note == DISABLED_NOTE:
            return "（说明：本报告按设置未包含图表，图表所示数据均已列在表格中。）"
        reason = (self.chart_note or "图表未能生成").rstrip("。")
        return (f"（说明：生成本报告时{reason}，此处缺少图表。图表所示数据均已列在表格中；如需图表，"
                "请在装有 Chromium 浏览器的电脑上重新生成报告。）")

    # ---- the document

    def build(self) -> bytes:
        c = self.c
        self._title()
        self._lead()
        if len(c.parts) > 1:
            self._overall()
        for index, part in enumerate(c.parts):
            if len(c.parts) > 1:
                if index:
                    self.page_break()
                self.doc.add_paragraph(f"第{_cn(index + 1)}部分　{part.plan.title}", style=PART_HEADING)
            self._part(part)
        self._signature()
        self._appendices()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    def _title(self) -> None:
        from docx.enum.text import WD_BREAK

        c = self.c
        paragraph = self.doc.add_paragraph(style="Title")
        subject = c.subject
        if "及" in subject and len(subject) > 20:  # break a long title at its natural joint, not inside “十四五”
            head, tail = subject.split("及", 1)
            paragraph.add_run(head + "及")
            paragraph.add_run().add_break(WD_BREAK.LINE)
            subject = tail
        paragraph.add_run(subject)
        paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(c.kind_title)
        if c.dataset.is_demo:
            self.para(DEMO_LABEL, style=DEMO_STYLE)
            note = self.para(f"本报告由示例数据生成，仅用于演示监测平台，其中的数字不是{c.county_name}的统计数据，不得引用、上报或作为正式材料使用。",
                             style=DEMO_STYLE)
            for run in note.runs:
                run.font.size = _pt(CAPTION_SIZE)
            note.paragraph_format.space_after = _pt(LINE_PITCH / 2)

    def _basis(self) -> str:
        """《title》《title》（文号）和《title》（文号）."""
        groups: dict[str, list[Plan]] = {}
        for part in self.c.parts:
            groups.setdefault(part.plan.document, []).append(part.plan)
        pieces = ["".join(f"《{p.title}》" for p in plans) + f"（{doc}）" for doc, plans in groups.items()]
        return pieces[0] if len(pieces) == 1 else "、".join(pieces[:-1]) + "和" + pieces[-1]

    def _lead(self) -> None:
        c = self.c
        targets = sum(len(p.evaluation.results) for p in c.parts)
        if c.kind == "annual":
            what = f"对纳入监测的{targets}项量化指标{c.year}年度的监测数据进行了汇总分析"
        elif c.midterm:
            what = f"对纳入监测的{targets}项量化指标截至{c.year}年的实施情况进行了中期评估。{c.year}年是规划实施的中期，时间过半"
        else:
            what = f"对纳入监测的{targets}项量化指标截至规划期末{c.year}年的完成情况进行了终期评估"
        self.para(
            f"根据{self._basis()}关于监测评估的要求，县妇儿工委办公室依托监测平台，{what}。"
            f"评估所用数据为{c.source_text()}；各项指标的状态和预警按附件1所列方法计算，数据来源见附件2。"
            + (f"评估数据含{len(c.comparison.counties)}个区县，本报告正文为{c.county_name}的{'监测' if c.kind == 'annual' else '评估'}结果，"
               f"各区县的对比见附件4。" if c.comparison is not None else "")
            + f"本报告由监测平台于{_date(c.now)}生成。现将{'监测' if c.kind == 'annual' else '评估'}结果报告如下。"
        )

    def _overall(self) -> None:
        """For a report of all plans: one table of the plans' totals before the parts.

        The 合计 counts a statistic two plans share once (`distinct_statistics`), so it is not the sum of the rows.
        """
        c = self.c
        rows = []
        total: list[Result] = []
        for part in c.parts:
            results = part.evaluation.results
            total.extend(results)
            rows.append(self._count_row(plan_short(c.catalogue, part.key), results))
        counted = distinct_statistics(total)
        shared = len(total) - len(counted)
        rows.append(self._count_row("合计", counted))
        record = c.record(counted)
        text = f"{_cn_count(len(c.parts))}个规划纳入监测的量化指标共{len(total)}项，其中{c.provenance(None)}。"
        if shared:
            text += f"{shared}项指标与另一规划的指标为同一统计指标，合并计算时只计一次，合计{len(counted)}项。"
        if c.verdicts:
            text += (f"{c.verdict_lead}：{c.count_phrase(record)}，总体达标率为{_rate(record['attainment'])}"
                     f"（{attainment_help(True)}）。")
        else:
            text += (f"截至{c.year}年，{c.count_phrase(record)}，总体达标率为{_rate(record['attainment'])}"
                     f"（{attainment_help(c.phase)}）。")
        self.para(text + "各规划情况如下表。")
        self.table(f"各规划指标{'终期评估结论' if c.verdicts else '状态'}汇总", self._count_header("规划"), rows, self._count_widths(),
                   center=range(1, len(c.statuses) + 3), bold_last=True)
        if shared:
            self.para(f"注：合计行中{SHARED_NOTE}（{shared}项），故合计不等于各规划之和。")

    def _count_header(self, first: str) -> list[str]:
        return [first, "指标数", *[self.c.label(s) for s in self.c.statuses], "达标率"]

    def _count_widths(self) -> list[float]:
        statuses = [self.c.label(s) for s in self.c.statuses]
        first = 156 - 18 * (len(statuses) + 2) if len(statuses) <= 4 else 36
        return [first, 13, *[15 if len(label) == 3 else 17 for label in statuses], 16]

    def _count_row(self, label: str, results: Sequence[Result]) -> list[Any]:
        record = self.c.record(results)
        return [label, len(results), *[record[s.value] for s in self.c.statuses], _rate(record["attainment"])]

    def _part(self, part: _PlanPart) -> None:
        self._summary(part)
        self._domains(part)
        self._warnings(part)
        self._completeness(part)

    # ---- 一、总体情况

    def _summary(self, part: _PlanPart) -> None:
        c = self.c
        results = part.evaluation.results
        record = c.record(results)
        counts = c.counts(results)
        with_data = record["with_data"]
        self.heading("一、总体情况", 1)
        text = f"纳入监测的量化指标共{len(results)}项，其中{c.provenance(part.key)}。"
        if c.verdicts:
            text += (f"{c.verdict_lead}：{c.count_phrase(record)}，达标率为{_rate(record['attainment'])}"
                     f"（{attainment_help(True)}）。")
        else:
            text += (f"截至{c.year}年，{c.count_phrase(record)}，达标率为{_rate(record['attainment'])}"
                     f"（{attainment_help(c.phase)}）。")
            unjudged = []
            if counts[Status.INSUFFICIENT]:
                unjudged.append(f"{INSUFFICIENT_WHAT}的{counts[Status.INSUFFICIENT]}项")
            if counts[Status.NO_DATA]:
                unjudged.append(f"无数据的{counts[Status.NO_DATA]}项")
            if unjudged:
                text += f"{'和'.join(unjudged)}暂无法判断进展，不计入达标率的分母。"
        if c.midterm:
            tau = c.time_progress(part)
            ahead, behind = c.ahead_of_clock(results)
            half = "，时间过半" if 0.5 <= tau < 1 else ""
            text += (f"{c.year}年序时进度为{_percent(tau)}{half}；有数据的{with_data}项指标中，已达标或目标完成进度不慢于序时进度的"
                     f"{len(ahead)}项，慢于序时进度的{len(behind)}项。")
        self.para(text)
        rows = [self._count_row(domain, group) for domain, group in part.domains]
        rows.append(self._count_row("合计", results))
        self.table(f"{plan_short(c.catalogue, part.key)}各领域指标{'终期评估结论' if c.verdicts else '状态'}", self._count_header("领域"), rows,
                   self._count_widths(), center=range(1, len(c.statuses) + 3), bold_last=True)
        if not self.figure(f"summary:{part.key}", f"{plan_short(c.catalogue, part.key)}各领域指标{'终期评估结论' if c.verdicts else '状态'}（{c.year}年）"):
            self.para(self.missing_charts_sentence())

        n = 0
        achieved_label = c.label(Status.ACHIEVED)
        achieved = [r for r in results if r.status == Status.ACHIEVED]
        n += 1
        self.heading(f"（{_cn(n)}）{achieved_label}的指标", 2)
        if achieved:
            self.para(f"{achieved_label}的{len(achieved)}项指标，按领域分：", keep_with_next=True)
            i = 0
            for domain, group in part.domains:
                done = [r for r in group if r.status == Status.ACHIEVED]
                if done:
                    i += 1
                    self.para(f"{i}．{domain}（{len(done)}项）：{'、'.join(c.name_with_years(r) for r in done)}。")
        else:
            self.para(f"截至{c.year}年尚无指标{achieved_label}。")

        n += 1
        if c.verdicts:
            missed_label = c.label(Status.NOT_ACHIEVED)
            missed_list = [r for r in results if r.status == Status.NOT_ACHIEVED]
            self.heading(f"（{_cn(n)}）{missed_label}的指标及原因", 2)
            if missed_list:
                self.para(f"{missed_label}的{len(missed_list)}项指标及原因如下：", keep_with_next=True)
                for i, r in enumerate(missed_list, 1):
                    self.para(f"{i}．{r.target.name}（{r.target.department.lead}）。{c.sentence(r)}")
            else:
                self.para(f"有数据的指标全部{achieved_label}。")
        else:
            concern = [r for r in results if r.status in (Status.AT_RISK, Status.OFF_TRACK)]
            self.heading(f"（{_cn(n)}）预计难以达标的指标及原因", 2)
            if concern:
                at_risk = sum(1 for r in concern if r.status == Status.AT_RISK)
                self.para(f"{c.label(Status.AT_RISK)}{at_risk}项、{c.label(Status.OFF_TRACK)}{len(concern) - at_risk}项，"
                          "按期完成目标有困难，需重点推进：", keep_with_next=True)
                for i, r in enumerate(concern, 1):
                    self.para(f"{i}．{r.target.name}（{r.target.department.lead}，{r.label}）。{c.sentence(r)}")
            else:
                self.para("没有预计难以达标或严重滞后的指标。")
            on_track = [r for r in results if r.status == Status.ON_TRACK]
            if on_track:
                self.para(f"此外，进度正常但尚未达标的{len(on_track)}项指标是：{'、'.join(c.name_with_years(r) for r in on_track)}。")

        n += 1
        self._unjudged(part, n)

    def _unjudged(self, part: _PlanPart, n: int) -> None:
        """The targets without a judgement: at the final year 无法评估; during the period 无数据, and 数据不足 apart."""
        c = self.c
        results = part.evaluation.results
        no_data = [r for r in results if r.status == Status.NO_DATA]
        insufficient = [r for r in results if r.status == Status.INSUFFICIENT]

        def named(group: list[Result]) -> str:
            return "、".join(f"{r.target.name}（{REASON_NOTES[r.reason]}）" if r.reason in REASON_NOTES else r.target.name for r in group)

        def departments(group: list[Result]) -> str:
            return "、".join(dict.fromkeys(r.target.department.lead for r in group))

        if c.verdicts:
            label = c.label(Status.NO_DATA)
            self.heading(f"（{_cn(n)}）{label}的指标", 2)
            if no_data:
                self.para(f"{named(no_data)}等{len(no_data)}项指标在规划期内没有可用于评估的数据，{label}，未计入达标率的分母；"
                          f"请{departments(no_data)}补报或说明原因。")
            else:
                self.para("全部指标均有规划期内的数据，均已作出评估结论。")
            return
        self.heading(f"（{_cn(n)}）无数据{'和数据不足' if insufficient else ''}的指标", 2)
        if not no_data and not insufficient:
            self.para("全部指标均有数据。")
            return
        if no_data:
            self.para(f"截至{c.year}年，{_names(no_data)}等{len(no_data)}项指标尚无数据，无法判断进展，"
                      f"未计入达标率的分母；请{departments(no_data)}报送或说明原因。")
        if insufficient:
            asked = [r for r in insufficient if r.reason in (Reason.NO_BASELINE, Reason.NO_IN_PERIOD)]
            text = (f"{INSUFFICIENT_WHAT}的{len(insufficient)}项：{named(insufficient)}。这些指标已有数据，但尚不足以判断进展，"
                    "未计入达标率的分母")
            text += f"；请{departments(asked)}补报基期或规划期内的数据。" if asked else "，待有更多年份的数据后再作判断。"
            self.para(text)

    # ---- 二、分领域情况

    def _domains(self, part: _PlanPart) -> None:
        c = self.c
        self.heading("二、分领域监测情况" if c.kind == "annual" else "二、分领域评估情况", 1)
        for index, (domain, group) in enumerate(part.domains, 1):
            self.heading(f"（{_cn(index)}）{domain}", 2)
            record = c.record(group)
            intro = f"本领域共{len(group)}项指标，{c.count_phrase(record)}，达标率{_rate(record['attainment'])}。"
            self.para(intro)
            self._indicator_table(domain, group)
            for i, r in enumerate(group, 1):
                self.para(f"{i}．{c.sentence(r)}")

    def _indicator_table(self, domain: str, group: list[Result]) -> None:
        c = self.c
        value = f"{c.year}年值"
        if c.verdicts:
            header = ["指标", "目标值", "基期值", value, "结论", "说明"]
            widths = [38, 22, 19, 23, 15, 39]
            rows = [[r.target.name, r.target.target_label(), baseline_text(r), value_text(r), r.label, c.status_note(r)] for r in group]
            shade = {4: _status_colour}
        elif c.midterm:
            header = ["指标", "目标值", "基期值", value, "完成进度", "序时进度", "状态", "说明"]
            widths = [30, 20, 17, 21, 14, 14, 19, 21]
            rows = [[r.target.name, r.target.target_label(), baseline_text(r), value_text(r), *self._progress_cells(r),
                     r.label, c.status_note(r)] for r in group]
            shade = {6: _status_colour}
        else:
            header = ["指标", "目标值", "基期值", value, "状态", "说明"]
            widths = [38, 22, 19, 23, 18, 36]
            rows = [[r.target.name, r.target.target_label(), baseline_text(r), value_text(r), r.label, c.status_note(r)]
                    for r in group]
            shade = {4: _status_colour}
        status_column = next(iter(shade))
        self.table(f"{domain}指标{'终期评估结论' if c.verdicts else '监测情况'}", header, rows, widths, shade=shade,
                   center=[1, 2, 3, status_column] + ([4, 5] if c.midterm else []))

    def _progress_cells(self, r: Result) -> tuple[str, str]:
        """目标完成进度 and 序时进度 of a target (— where there is no progress to measure, e.g. 逐步提高, or nothing to judge)."""
        if r.status in UNJUDGED:
            return "—", "—"
        return _percent(r.progress), _percent(r.time_progress)

    # ---- 三、预警

    def _warnings(self, part: _PlanPart) -> None:
        c = self.c
        self.heading("三、预警情况", 1)
        warned = c.warned(part)
        items = [(r, w) for r in warned for w in r.warnings]
        if not items:
            self.para(f"{c.year}年没有指标发出预警。")
            return
        by_code: dict[WarningCode, list[tuple[Result, Any]]] = {}
        for r, w in items:
            by_code.setdefault(w.code, []).append((r, w))
        listing = "，".join(f"{WARNING_LABELS[code]}{len(by_code[code])}条" for code in WarningCode if code in by_code)
        self.para(f"按附件1的预警规则，{c.year}年共有{len(warned)}项指标发出预警{len(items)}条（一项指标可同时有多条预警），其中{listing}。"
                  "规划要求对预计达标困难、波动较大的监测指标及时进行预警，各项预警及其依据如下。", keep_with_next=True)
        for index, code in enumerate((code for code in WarningCode if code in by_code), 1):
            entries = by_code[code]
            self.heading(f"（{_cn(index)}）{WARNING_LABELS[code]}（{len(entries)}项）", 2)
            for i, (r, w) in enumerate(entries, 1):
                self.para(f"{i}．{r.target.name}（{r.target.department.lead}）：{w.message}")
        if self.pngs:
            self.para("各预警指标的走势图见附件3。")
        else:
            self.para(self.missing_charts_sentence())

    # ---- 四、数据报送

    def _completeness(self, part: _PlanPart) -> None:
        c = self.c
        self.heading("四、数据报送情况", 1)
        table = completeness(c.catalogue, c.dataset.rows, c.year, plan=part.key)
        by_department = completeness_by_department(table)
        if table.empty:
            self.para("本规划没有需要报送的统计数据。")
            return
        reported = int((table["报送情况"] == "已报送").sum())
        total = len(table)
        self.para(f"{c.year}年本规划应报送全县统计数据{total}项（两个规划共用的统计数据只报一次），已报送{reported}项，"
                  f"报送率{_rate(reported / total)}。各单位报送情况如下表（按报送率由低到高排列）。")
        rows = [[r["单位"], r["应报"], r["已报送"], r["待审核"], r["未报送"], _rate(r["报送率"])] for r in by_department.to_dict("records")]
        self.table(f"{plan_short(c.catalogue, part.key)}{c.year}年数据报送情况", ["单位", "应报", "已报送", "待审核", "未报送", "报送率"],
                   rows, [50, 20, 20, 20, 20, 26], center=range(1, 6),
                   shade={5: lambda v: None if v == "100.0%" else STATUS_STYLE[Status.AT_RISK].colour})
        missing = table[table["报送情况"] != "已报送"]
        if missing.empty:
            self.para("各单位均已报送。")
            return
        lines = []
        for department, group in missing.groupby("单位", sort=False):
            names = "、".join(f"{name}（{ids}）" for name, ids in zip(group["指标"], group["编号"], strict=True))
            lines.append(f"{department}：{names}")
        self.para(f"{c.year}年尚未报送的统计数据是：" + "；".join(lines) + "。请以上单位尽快报送；未报送的指标按此前最近一年的数据评估，并发出“数据缺报”预警。")

    # ---- 落款与附件

    def _signature(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.para("")
        attachments = ["监测评估方法说明", "数据来源", "预警指标走势图"]
        if self.c.comparison is not None:
            attachments.append(COMPARISON_TITLE)
        first = self.para(f"附件：1．{attachments[0]}")
        first.paragraph_format.keep_with_next = True
        for i, name in enumerate(attachments[1:], 2):
            p = self.para(f"{i}．{name}")
            p.paragraph_format.first_line_indent = None
            _first_line_chars(p._p, 0, BODY_SIZE)
            p.paragraph_format.left_indent = Pt(BODY_SIZE * 5)
            p.paragraph_format.keep_with_next = True
        self.para("").paragraph_format.keep_with_next = True
        self.para("").paragraph_format.keep_with_next = True
        for text, right in ((OFFICE, 2), (_date(self.c.now), 4)):
            p = self.para(text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _first_line_chars(p._p, 0, BODY_SIZE)
            p.paragraph_format.right_indent = Pt(BODY_SIZE * right)
            p.paragraph_format.keep_with_next = text == OFFICE

    def _appendix_title(self, number: int, title: str) -> None:
        self.page_break()
        p = self.doc.add_paragraph(f"附件{number}")
        _first_line_chars(p._p, 0, BODY_SIZE)
        for run in p.runs:
            _run_fonts(run, HEADING1_FONT, BODY_SIZE)
        self.doc.add_paragraph(title, style="Title")

    def _appendices(self) -> None:
        from monitoring.docs import methodology_markdown

        self._appendix_title(1, "监测评估方法说明")
        self._markdown(methodology_markdown(examples=False))
        self._sources()
        self._appendix_title(3, "预警指标走势图")
        self._charts_appendix()
        if self.c.comparison is not None:
            self._appendix_title(4, COMPARISON_TITLE)
            self._counties_appendix()

    def _markdown(self, text: str) -> None:
        """docs/methodology.md (without the worked examples) as document paragraphs, headings and tables."""
        lines = text.splitlines()
        i = 0
        sub = 0  # the （一）（二） numbering of ### headings within a ## section, as GB/T 9704 numbers the second level
        while i < len(lines):
            line = lines[i].rstrip()
            if not line.strip() or line.startswith("# "):
                i += 1
                continue
            if line.startswith("### "):
                title = _plain_md(line[4:])
                if not re.match(r"^（[一二三四五六七八九十]+）", title):
                    sub += 1
                    title = f"（{_cn(sub)}）{title}"
                self.heading(title, 2)
            elif line.startswith("## "):
                if "示例" in line:  # the worked examples are tests for the maintainers, not part of a report
                    break
                sub = 0
                self.heading(_plain_md(line[3:]), 1)
            elif line.startswith("|"):
                block = []
                while i < len(lines) and lines[i].startswith("|"):
                    block.append(lines[i])
                    i += 1
                self._markdown_table(block)
                continue
            else:
                text = _methodology_text(line[2:] if line.startswith(("- ", "* ")) else line)
                if text:
                    self.para(text)
            i += 1

    def _markdown_table(self, block: list[str]) -> None:
        rows = [_md_cells(line) for line in block if not re.fullmatch(r"\|[\s:|-]+\|?", line.strip())]
        if not rows:
            return
        header, body = rows[0], rows[1:]
        keep = [i for i, name in enumerate(header) if name != "代码"]  # the engine's codes mean nothing to a reader
        header = [header[i] for i in keep]
        body = [[_plain_md(row[i]) if i < len(row) else "" for i in keep] for row in body]
        self.table(None, header, body)

    def _sources(self) -> None:
        c = self.c
        self._appendix_title(2, "数据来源")
        self.heading("一、规划文件", 1)
        rows = [[p.plan.title, p.plan.document, p.plan.issuer, _iso_date(p.plan.issued), p.plan.published_in, len(p.evaluation.results)]
                for p in c.parts]
        self.table(None, ["规划", "文号", "印发机关", "印发日期", "刊载", "指标数"], rows, [40, 30, 24, 24, 26, 12], center=[3, 5])
        self.heading("二、监测数据", 1)
        data = c.dataset
        years = data.years()
        span = f"{years[0]}—{years[-1]}年" if years else "无"
        self.para(f"数据：{data.label}。{c.source_text()}。")
        if data.source != "demo":
            self.para(f"数据位置：{data.location}。")
        if c.comparison is not None:
            self.para(f"数据共含{len(c.comparison.counties)}个区县{len(c.whole.rows)}行；正文只使用其中{c.county_name}的{len(data.rows)}行数据"
                      f"（年份范围{span}），附件4的区县对比使用全部区县的数据。评估年份为{c.year}年，只使用{c.year}年及以前的数据。")
        else:
            self.para(f"共{len(data.rows)}行数据，年份范围{span}；评估年份为{c.year}年，只使用{c.year}年及以前的数据。")
        if data.is_demo:
            self.para(f"示例数据由监测平台按固定随机种子生成，每一行的“数据来源”和“备注”都写明“{DEMO_LABEL}”；正式数据报送后，平台即不再使用示例数据。")
        if data.skipped:
            self.para(f"以下{len(data.skipped)}个数据文件因校验未通过而未使用：", keep_with_next=True)
            for i, item in enumerate(data.skipped, 1):
                self.para(f"{i}．{item['file']}：{item['reason']}")
        else:
            self.para("所有数据文件均通过校验，没有未使用的文件。")
        self.heading("三、计算与生成", 1)
        self.para(f"各项指标的基期值、目标完成进度、序时进度、趋势推算、状态和预警由监测平台按附件1的方法计算；"
                  f"本报告及所附监测指标汇总表（Excel）由监测平台于{_date(c.now)}生成，正文中的说明均由计算结果生成。")

    def _charts_appendix(self) -> None:
        c = self.c
        any_warned = False
        if not self.pngs:
            self.para(self.missing_charts_sentence())
        elif any(c.warned(part) for part in c.parts):
            if c.verdicts:
                self.para("以下为发出预警的各项指标历年报送值的走势。图中深色实线为报送值，绿色长虚线为目标，紫色点线为从基期匀速达到目标的"
                          "序时进度；终期评估以规划期内的实际数值作结论，不作趋势推算；报送了分子、分母的率同时画出95%置信区间。"
                          "右上角标出终期评估结论。")
            else:
                self.para("以下为发出预警的各项指标历年报送值的走势。图中深色实线为报送值，绿色长虚线为目标，紫色点线为从基期匀速达到目标的"
                          "序时进度，橙色虚线为趋势推算；报送了分子、分母的率同时画出95%置信区间。右上角标出指标状态。")
        for part in c.parts:
            warned = c.warned(part)
            if not warned:
                continue
            any_warned = True
            if not self.pngs:
                continue
            if len(c.parts) > 1:
                self.heading(f"{_cn(c.parts.index(part) + 1)}、{part.plan.title}", 1)
            for r in warned:
                labels = warning_names(r)
                if not self.figure(f"target:{r.target.id}", f"{r.target.id} {r.target.name}（{r.label}；预警：{labels}）"):
                    self.para(f"（{r.target.id} {r.target.name}的走势图未能生成。）")
        if not any_warned:
            self.para(f"{c.year}年没有指标发出预警。")


    def _counties_appendix(self) -> None:
        """附件4 区县对比: the counties ranked by 达标率, each target's counties by status, and the counties that warn."""
        c = self.c
        cmp = c.comparison
        assert cmp is not None
        self.para(c.comparison_summary())
        status_columns = cmp.status_columns()
        what = "终期评估结论" if cmp.final else "状态和预警"
        shared = f"；各区县的指标数和达标率中{SHARED_NOTE}" if cmp.shared else ""
        self.para(f"各区县均按本报告的规划目标和附件1的方法，用各自的全县数据评估{c.year}年的{what}；达标率为{attainment_help(cmp.final)}，"
                  f"达标率相同的区县并列{shared}。")

        self.heading(f"一、各区县指标{'终期评估结论' if cmp.final else '状态'}和达标率", 1)
        cities = cmp.several_cities  # a province's counties: each one's city (regions.yaml) in a column of its own
        ranking = cmp.county_table(with_city=cities)
        place = ["区县", "所属市"] if cities else ["区县"]
        header = [NARROW_HEADERS.get(h, h) for h in ("排名", *place, "指标数", "有数据", *status_columns, "达标率", "有预警的指标")]
        rows = [["—" if pd.isna(r["排名"]) else int(r["排名"]), *[r[p] for p in place], r["指标数"], r["有数据"],
                 *[r[s] for s in status_columns], _rate(r["达标率"]), r["有预警的指标"]] for r in ranking.to_dict("records")]
        body = [i for i, r in enumerate(ranking.to_dict("records")) if r["区县代码"] == c.county]
        counts = [13.5 if len(s) == 3 else 11 for s in status_columns]
        widths = [10, 15, 14, 13.5, 13.5, *counts, 13.5, 13.5] if cities else [10, 17, 13.5, 13.5, *counts, 15, 15]
        self.table(f"{c.year}年各区县指标{'终期评估结论' if cmp.final else '状态'}和达标率", header, rows, widths,
                   center=[0, *range(len(place) + 1, len(header))], bold_rows=body)
        if body:
            self.para(f"表中加粗的一行为本报告正文所述的{c.county_name}。")

        self.heading("二、各指标的区县分布", 1)
        overview = cmp.indicator_overview(names=APPENDIX_NAMES)
        plans = {t.id: t.plan for t in cmp.evaluation.targets}
        achieved = status_label(Status.ACHIEVED, bool(cmp.final))
        worst = status_label(Status.NOT_ACHIEVED if cmp.final else Status.OFF_TRACK, bool(cmp.final))
        everyone = int(((overview["有数据的区县"] > 0) & (overview[achieved] == overview["有数据的区县"])).sum())
        lagging = int((overview[worst] > 0).sum())
        self.para(f"{len(overview)}项指标中，有数据的区县全部{achieved}的{everyone}项，至少一个区县{worst}的{lagging}项。"
                  f"下表列出每项指标{'各评估结论' if cmp.final else '处于各状态'}的区县数，以及发出预警的区县（预警较重的在前）。")
        keys = [key for key in ordered_plans(c.catalogue, c.plan) if any(plans.get(i) == key for i in overview["编号"])]
        for index, key in enumerate(keys, 1):
            part = overview[[plans.get(i) == key for i in overview["编号"]]]
            if len(keys) > 1:
                self.heading(f"（{_cn(index)}）{c.catalogue.plans[key].title}", 2)
            rows = [[r["编号"], r["指标"], *[r[s] for s in status_columns], r["有预警的区县"] or "—"] for r in part.to_dict("records")]
            widths = [14.5 if len(s) == 3 else 10.5 for s in status_columns]  # 已达标 and 无数据 on one line, the others on two or three
            self.table(f"{plan_short(c.catalogue, key)}各指标的区县{'评估结论' if cmp.final else '状态'}分布（{c.year}年）",
                       ["编号", "指标", *[NARROW_HEADERS.get(s, s) for s in status_columns], "有预警的区县"],
                       rows, [16, 34, *widths, TEXT_WIDTH - 50 - sum(widths)], center=range(2, 2 + len(status_columns)))

        self.heading("三、有预警的区县", 1)
        warned = cmp.warning_counties()
        if warned.empty:
            self.para(f"{c.year}年各区县均没有指标发出预警。")
            return
        self.para(f"{c.year}年{len(warned)}个区县有预警指标，按有预警的指标数由多到少排列如下（一项指标可同时有多条预警，"
                  "预警的种类按严重程度排列）。")
        warned = cmp.warning_counties(with_city=cities)
        rows = [[*[r[p] for p in place], r["有预警的指标"], r["预警"]] for r in warned.to_dict("records")]
        body = [i for i, r in enumerate(warned.to_dict("records")) if r["区县代码"] == c.county]
        self.table(f"{c.year}年有预警的区县", [*place, NARROW_HEADERS["有预警的指标"], "预警"], rows,
                   [20, 16, 16, 104] if cities else [20, 16, 120], center=[len(place)], bold_rows=body)


def _display_chars(text: str) -> float:
    """Width of a text in Chinese characters (Latin letters and digits count about half)."""
    longest = max((line for line in str(text).split("\n")), key=len, default="")
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in longest)


def _auto_widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths (mm): short columns exactly as wide as their longest cell, long ones share the rest."""
    need = []
    for i, name in enumerate(header):
        cells = [name] + ["" if i >= len(r) or r[i] is None else str(r[i]) for r in rows]
        need.append(max(_display_chars(x) for x in cells) * CHAR_MM + 2 * CELL_MARGIN + 1)
    if sum(need) <= TEXT_WIDTH:
        return need
    short = [n if n <= 32 else None for n in need]
    rest = TEXT_WIDTH - sum(n for n in short if n is not None)
    long_total = sum(n for n, s in zip(need, short, strict=True) if s is None) or 1
    return [s if s is not None else max(20.0, rest * n / long_total) for n, s in zip(need, short, strict=True)]


def _status_colour(label: Any) -> str | None:
    """The colour of a status shown by its label (the period's or the verdict's)."""
    return LABEL_COLOURS.get(label)


def _iso_date(text: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{match[1]}年{int(match[2])}月{int(match[3])}日" if match else text


def _md_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _plain_md(text: str) -> str:
    return text.replace("**", "").replace("`", "").replace("\\|", "|").strip()


def _methodology_text(text: str) -> str:
    """A methodology paragraph for a report: without the references to the worked examples and the tests."""
    text = re.sub(r"文末的每个示例都作为自动测试运行，文档与程序始终一致。", "", text)
    text = re.sub(r"[^。]*示例 ?\d+[^。]*。", "", text)  # sentences pointing at the worked examples, which a report leaves out
    text = re.sub(r"（`?thresholds`? ?字段[^）]*）", "", text)  # field names are for the maintainers, not the readers
    text = re.sub(r"，?见 ?docs/targets\.md", "", text)
    return text.replace("`", "").strip()


# ---------------------------------------------------------------- docx helpers


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _set_rfonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts on a w:rPr: w:eastAsia for the Chinese text, Times New Roman for digits and Latin; no theme fonts."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_fonts(style, east_asia: str, size: float, bold: bool | None = None, color=None) -> None:
    from docx.shared import Pt

    font = style.font
    font.size = Pt(size)
    if bold is not None:
        font.bold = bold
        rpr = style.element.get_or_add_rPr()
        _drop(rpr, "w:bCs")
    if color is not None:
        font.color.rgb = color
        rpr = style.element.get_or_add_rPr()
        colour = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}color")
        if colour is not None:
            for attr in ("themeColor", "themeShade", "themeTint"):
                colour.attrib.pop(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attr}", None)
    _set_rfonts(style.element.get_or_add_rPr(), east_asia)


def _run_fonts(run, east_asia: str, size: float) -> None:
    from docx.shared import Pt

    run.font.size = Pt(size)
    _set_rfonts(run._r.get_or_add_rPr(), east_asia, latin=east_asia if east_asia == PAGE_NUMBER_FONT else LATIN_FONT)


def _first_line_chars(element, chars: int, size: float) -> None:
    """A first-line indent in characters (w:firstLineChars, hundredths), with the equivalent twips for other readers."""
    from docx.oxml.ns import qn

    ind = element.get_or_add_pPr().get_or_add_ind()  # python-docx puts w:ind where the schema wants it
    ind.set(qn("w:firstLineChars"), str(chars))
    ind.set(qn("w:firstLine"), str(round(chars / 100 * size * 20)))


def _drop(element, *paths: str) -> None:
    from docx.oxml.ns import qn

    for path in paths:
        parts = path.split("/")
        parent = element
        for part in parts[:-1]:
            parent = parent.find(qn(part)) if parent is not None else None
        if parent is None:
            continue
        for child in parent.findall(qn(parts[-1])):
            parent.remove(child)


# Child order the schema requires (Word rejects a document whose elements are out of order).
_TBL_PR_AFTER_W = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                   "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_TC_PR_SEQUENCE = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap", "w:tcMar",
                   "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
                   "w:tcPrChange")


def _fixed_layout(table, widths) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    table.autofit = False  # w:tblLayout fixed
    existing = tbl_pr.find(qn("w:tblW"))
    if existing is not None:
        tbl_pr.remove(existing)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    width.set(qn("w:type"), "dxa")
    tbl_pr.insert_element_before(width, *_TBL_PR_AFTER_W)
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w


def _row_flags(row, header: bool) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.insert_element_before(shd, *_TC_PR_SEQUENCE[_TC_PR_SEQUENCE.index("w:shd") + 1:])


def _cell_margins(style_element, mm: float) -> None:
    """Left and right cell margins of a table style (w:tblCellMar), so more text fits in a column."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = style_element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        style_element.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblCellMar")):
        tbl_pr.remove(old)
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(mm / 25.4 * 1440)) if side in ("left", "right") else "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def _no_borders(cell, *sides: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *_TC_PR_SEQUENCE[_TC_PR_SEQUENCE.index("w:tcBorders") + 1:])
    for side in sides:
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)


def _valign(cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _add_inline(paragraph, text: str) -> None:
    """Text with **bold** spans."""
    for i, piece in enumerate(re.split(r"\*\*", text)):
        if piece:
            run = paragraph.add_run(piece)
            if i % 2 == 1:
                run.bold = True


# ---------------------------------------------------------------- Excel


def summary_frame(content: _Content) -> pd.DataFrame:
    """监测指标汇总表: one row per target with each year's county value, status, warnings and notes."""
    c = content
    first = min(p.plan.baseline_year for p in c.parts)
    years = list(range(first, c.year + 1))
    values = c.county_values()
    rows = []
    for part in c.parts:
        for _, group in part.domains:
            for r in group:
                t = r.target
                series = values.get(t.series_key, {})
                row: dict[str, Any] = {
                    "规划": plan_short(c.catalogue, t.plan), "领域": t.domain, "编号": t.id, "指标": t.name, "单位": t.unit,
                    "目标": t.target_label(), "基期值": r.baseline_value,
                }
                for y in years:
                    row[f"{y}年"] = series.get(y)
                row["终期结论" if c.verdicts else "状态"] = r.label  # at the final year the status is the verdict
                if c.midterm:
                    row["目标完成进度"] = r.progress
                    row["序时进度"] = r.time_progress
                row["预警"] = warning_names(r)
                row["说明"] = r.explanation
                row["牵头单位"] = t.department.lead
                row["报送单位备注"] = c.latest_note(r)
                rows.append(row)
    return pd.DataFrame(rows)


def summary_xlsx(content: _Content) -> bytes:
    """The Excel summary: 监测指标汇总表 (coloured status cells), 预警, and 说明 (what the file is)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from monitoring.exports import excel_bytes

    c = content
    frame = summary_frame(c)
    warnings = warnings_table(c.evaluation)
    if "code" in warnings:
        warnings = warnings.drop(columns=["code"])
    subject, part = c.subject, c.kind_title
    about = pd.DataFrame([
        {"项目": "报告", "内容": subject + part},
        {"项目": "评估年份", "内容": f"{c.year}年"},
        {"项目": "数据", "内容": c.dataset.label},
        {"项目": "生成时间", "内容": c.now.strftime("%Y-%m-%d %H:%M")},
        {"项目": "终期结论" if c.verdicts else "状态", "内容": "；".join(c.label(s) for s in c.statuses)},
        {"项目": "达标率", "内容": attainment_help(c.phase)},
        {"项目": "指标出处", "内容": c.provenance(c.plan)},
        {"项目": "年份列", "内容": "全县合计的报送值；空白为未报送"},
    ])
    if c.dataset.is_demo:
        about = pd.concat([pd.DataFrame([{"项目": "注意", "内容": f"{DEMO_LABEL}，仅供演示，不得引用"}]), about], ignore_index=True)
    sheets = comparison_sheets(c)
    if sheets:
        about = pd.concat([about, pd.DataFrame([
            {"项目": "区县", "内容": f"数据含{len(c.comparison.counties)}个区县；汇总表和预警表为{c.county_name}的数据，"  # type: ignore[union-attr]
                                   f"各区县的对比见“{'”“'.join(sheets)}”表（达标率相同的区县并列）"},
        ])], ignore_index=True)
    main = "监测指标汇总表（示例数据）" if c.dataset.is_demo else "监测指标汇总表"
    widths = {"规划": 11, "领域": 18, "编号": 10, "指标": 30, "单位": 8, "目标": 16, "基期值": 9, "状态": 13, "终期结论": 10,
              "目标完成进度": 12, "序时进度": 10, "预警": 14, "说明": 60, "牵头单位": 14, "报送单位备注": 36}
    widths.update({column: 9 for column in frame.columns if re.fullmatch(r"\d{4}年", column)})
    data = excel_bytes({main: frame, "预警": warnings, **sheets, "说明": about},
                       widths=widths | {"内容": 80, "项目": 12, "区县": 10, "有预警的区县": 60, "有数据的区县": 8, "有预警的指标": 8},
                       wrap=("领域", "指标", "预警", "说明", "报送单位备注", "内容", "有预警的区县"))
    book = load_workbook(io.BytesIO(data))
    white = Font(color="FFFFFF", bold=True)
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        for name in ("状态", "终期结论"):
            if name not in header:
                continue
            column = header.index(name) + 1
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row=row, column=column)
                colour = LABEL_COLOURS.get(cell.value)
                if colour:
                    cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
                    cell.font = white
                    cell.alignment = Alignment(horizontal="center", vertical="top")
        for name in ("目标完成进度", "序时进度"):
            if name in header:
                column = header.index(name) + 1
                for row in range(2, sheet.max_row + 1):
                    sheet.cell(row=row, column=column).number_format = "0%"
        if sheet.title in sheets and "达标率" in header:
            column = header.index("达标率") + 1
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row=row, column=column).number_format = "0.0%"
        if sheet.title == main:
            sheet.freeze_panes = "E2"  # the header and 规划、领域、编号、指标 stay in view
            sheet.column_dimensions[sheet.cell(row=1, column=header.index("预警") + 1).column_letter].width = 22
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.alignment.horizontal is None:
                        cell.alignment = Alignment(vertical="top", wrap_text=cell.alignment.wrap_text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def comparison_sheets(content: _Content) -> dict[str, pd.DataFrame]:
    """The Excel sheets of the 区县对比 (none for data of one county): the ranking, each target's counties by status,
    and the counties that warn; 达标率 a fraction (the sheet shows it as a percentage)."""
    cmp = content.comparison
    if cmp is None:
        return {}
    return {
        COMPARISON_TITLE: cmp.county_table(with_city=cmp.several_cities),
        f"{COMPARISON_TITLE}（分指标）": cmp.indicator_overview(),
        f"{COMPARISON_TITLE}（预警）": cmp.warning_counties(with_city=cmp.several_cities),
    }
