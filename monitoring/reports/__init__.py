"""Evaluation reports: the annual, mid-term and final reports as Word documents in the form of Chinese official
documents (GB/T 9704), and their Excel summary (监测指标汇总表).

In four parts so that a change of wording, layout, charts or workbook touches one module: `content`, `layout`,
`figures`, `workbook`. `build_report` runs them and is pure (bytes out), so the page and the CLI share it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from monitoring.catalogue import Catalogue
from monitoring.comparison import compare
from monitoring.datasets import Dataset
from monitoring.evaluation import evaluate
from monitoring.reports.content import (
    APPENDIX_NAMES,
    COMPARISON_TITLE,
    KINDS,
    Content,
    ReportError,
    check_arguments,
    default_county,
    default_year,
    document_blocks,
    report_filename,
    resolve_county,
    verdict,
)
from monitoring.reports.figures import DISABLED_NOTE, browser_path, charts_enabled, clear_chart_cache, render_figures
from monitoring.reports.layout import PART_HEADING, TABLE_STYLE, TABLE_TEXT, write_docx
from monitoring.reports.workbook import summary_xlsx

__all__ = [
    "APPENDIX_NAMES", "COMPARISON_TITLE", "KINDS", "PART_HEADING", "TABLE_STYLE", "TABLE_TEXT", "Progress", "ReportError",
    "ReportResult", "bench_report", "build_report", "check_arguments", "clear_chart_cache", "default_county", "default_year",
    "resolve_county", "verdict",
]

Progress = Callable[[float, str], None]


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


def build_report(catalogue: Catalogue, dataset: Dataset, kind: str, year: int | None = None, plan: str | None = None,
                 charts: bool = True, progress: Progress | None = None, browser: str | None = None,
                 now: datetime | None = None, county: str | None = None) -> ReportResult:
    """The Word report and the Excel summary of one plan (or all plans, as parts of one document).

    `kind` is annual, midterm or final; `year` defaults to 2023 for midterm, 2025 for final and the latest
    year with data for annual. `charts=False` (or MONITORING_REPORT_CHARTS=0) leaves the charts out;
    `browser` (or MONITORING_REPORT_BROWSER) names the browser that renders them. `progress(fraction, text)`
    is called as the work advances. When the data hold several counties, `county` (code or name; default
    `default_county`) is the county of the body and the report gets the 区县对比 appendix.
    Without a browser the report is still written and says so (in `chart_note` and where the charts would be).
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

    content = Content(catalogue, body, evaluation, kind, year, plan, now, county=code, comparison=comparison, whole=dataset)
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
    docx_bytes, placed = write_docx(document_blocks(content, pngs, chart_note), content.info(), pngs)
    timings["docx"] = time.perf_counter() - mark

    report(0.95, "正在生成 Excel 汇总表……")
    mark = time.perf_counter()
    xlsx_bytes = summary_xlsx(content)
    timings["xlsx"] = time.perf_counter() - mark

    report(1.0, "报告已生成。")
    return ReportResult(
        docx=docx_bytes, xlsx=xlsx_bytes, charts_rendered=chart_note is None,
        chart_note=None if chart_note is None else chart_note.rstrip("。") + "。",
        title=content.title, kind=kind, year=year, plan=plan, filename=report_filename(content.title, dataset.is_demo),
        charts=placed, seconds=time.perf_counter() - started, timings=timings, county=code, counties=len(dataset.counties()) or 1,
    )


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
