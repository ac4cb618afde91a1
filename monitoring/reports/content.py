"""What a report says, apart from how it looks: the numbers (`Content`, which the Excel `workbook` reads too)
and the sentences and tables of each kind of report as blocks (`Heading`, `Paragraph`, `Table`, …) that
`layout` sets. Every judgement is the engine's; this module only words and orders them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pandas as pd

from monitoring.catalogue import Catalogue, Plan, provenance_sentence
from monitoring.comparison import CountyComparison
from monitoring.datasets import DEMO_LABEL, Dataset
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
    phase_statuses,
    status_label,
    status_record,
)
from monitoring.regions import COUNTY_REGION, UnknownRegion
from monitoring.reports.figures import DISABLED_NOTE
from monitoring.summaries import (
    REPORTED,
    attainment_help,
    completeness,
    completeness_by_department,
    display_places,
    domain_status_counts,
    phase_labels,
    plan_short,
)
from monitoring.units import format_value

TOTAL_ROW = "合计"  # the last row of a count table

KINDS: dict[str, str] = {"annual": "年度监测报告", "midterm": "中期评估报告", "final": "终期评估报告"}
DATA_PART = "（监测数据部分）"
OFFICE_SUFFIX = "妇女儿童工作委员会办公室"  # after the office region's name: 绛县妇女儿童工作委员会办公室

# The final verdict per target (the engine's final labels): 已实现, 未实现, 无法评估.
VERDICT_ACHIEVED, VERDICT_MISSED, VERDICT_NO_DATA = (status_label(s, final=True) for s in FINAL_STATUSES)
# Every label a status can be shown under in a table cell, with its colour (the period's and the verdict's).
LABEL_COLOURS = {label: STATUS_STYLE[s].colour for s, label in phase_labels(None)}
# Why a target with data cannot be judged, as a table note says it.
REASON_NOTES = {Reason.NO_IN_PERIOD: "规划期内尚无数据", Reason.NO_BASELINE: "缺少基期值", Reason.SINGLE_VALUE: "仅有一年数据"}
INSUFFICIENT_WHAT = "数据不足（缺少基期值或仅有一年数据）"
SHARED_NOTE = "两个规划共用的统计指标只计一次"

COMPARISON_TITLE = "区县对比"
APPENDIX_NAMES = 8  # counties named per indicator in the appendix ("…等23个区县"): a province has 117
# Header cells of the narrow count columns of the 区县对比 tables, broken where a reader would break them.
NARROW_HEADERS = {"进度正常": "进度\n正常", "预计难以达标": "预计\n难以\n达标", "严重滞后": "严重\n滞后", "数据不足": "数据\n不足",
                  "无法评估": "无法\n评估", "有预警的指标": "有预警\n的指标"}


class ReportError(ValueError):
    """A report cannot be made with these arguments (the message is Chinese and says why)."""


# ---------------------------------------------------------------- blocks: what `layout` sets


@dataclass(frozen=True)
class Title:
    """The document's title: the plans' part and the report's part, on lines of their own."""

    subject: str
    kind: str


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0: a part (第一部分), 1: 一、, 2: （一）


@dataclass(frozen=True)
class Paragraph:
    """Body text (**bold** spans allowed); `demo` and `demo_note` are the red marks of a report on demo data."""

    text: str = ""
    keep_with_next: bool = False
    role: Literal["body", "demo", "demo_note"] = "body"


@dataclass(frozen=True)
class Table:
    """A table with an optional title (numbered by the layout); widths are relative, None takes what is left."""

    title: str | None
    header: list[str]
    rows: list[list[Any]]
    widths: list[float | None] | None = None  # None: fitted to the text
    center: frozenset[int] = frozenset()  # centred columns
    bold_rows: frozenset[int] = frozenset()  # indices of `rows`
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → the colour of a status cell


@dataclass(frozen=True)
class Figure:
    key: str  # the chart's key in `Content.figures()`
    caption: str


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class AppendixTitle:
    number: int
    title: str


@dataclass(frozen=True)
class Signature:
    """附件 list and 落款 (the office and the date)."""

    attachments: list[str]
    office: str
    date: str


Block = Title | Heading | Paragraph | Table | Figure | PageBreak | AppendixTitle | Signature


@dataclass(frozen=True)
class DocumentInfo:
    """The document's properties and the mark in every page's header (None: no mark)."""

    title: str
    author: str
    subject: str
    comments: str
    created: datetime
    keywords: str
    header_mark: str | None


@dataclass(frozen=True)
class Column:
    """One column of a table built from a list of items: its header, relative width and cell."""

    header: str
    width: float | None
    cell: Callable[[Any], Any]
    centre: bool = False
    fill: Callable[[Any], str | None] | None = None  # the cell's colour from its value


def table_of(title: str | None, columns: Sequence[Column], items: Iterable[Any], bold: Callable[[Any], bool] | None = None) -> Table:
    """A table with a row per item: the one builder of the reports' same-shape tables."""
    items = list(items)
    rows = [[col.cell(item) for col in columns] for item in items]
    fills = {}
    for c_index, col in enumerate(columns):
        if col.fill is not None:
            for r_index, row in enumerate(rows):
                colour = col.fill(row[c_index])
                if colour:
                    fills[(r_index, c_index)] = colour
    return Table(title, [col.header for col in columns], rows, [col.width for col in columns],
                 center=frozenset(i for i, col in enumerate(columns) if col.centre),
                 bold_rows=frozenset(i for i, item in enumerate(items) if bold is not None and bold(item)), fills=fills)


def status_colour(label: Any) -> str | None:
    """The colour of a status shown by its label (the period's or the verdict's)."""
    return LABEL_COLOURS.get(label)


# ---------------------------------------------------------------- arguments and titles


def office_name(catalogue: Catalogue) -> str:
    """The office that issues the reports, named after the region it monitors (regions.yaml `office`)."""
    region = catalogue.regions.office_region
    return (region.full_name if region is not None else "县") + OFFICE_SUFFIX


def ordered_plans(catalogue: Catalogue, plan: str | None = None) -> list[str]:
    """The plans of a report: the one asked for, else all in the plan files' order (`order`)."""
    if plan is not None:
        return [plan]
    return [key for key, _ in sorted(catalogue.plans.items(), key=lambda item: item[1].order)]


def default_year(catalogue: Catalogue, dataset: Dataset, kind: str) -> int:
    """Mid-term: the middle of the plan period (2023); final: its last year (2025); annual: the latest year with data."""
    plans = [catalogue.plans[key] for key in ordered_plans(catalogue)]
    end = max(p.period_end for p in plans)
    if kind == "midterm":
        return plans[0].midterm_year
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
    try:
        return catalogue.regions.resolve(str(county), among=dataset.counties())
    except UnknownRegion as exc:
        raise ReportError(str(exc)) from exc


def default_county(catalogue: Catalogue, dataset: Dataset) -> str | None:
    """The county a report covers unless one is chosen (`Regions.default_county`); None for empty data."""
    return catalogue.regions.default_county(dataset.counties()) if dataset.counties() else None


def check_arguments(catalogue: Catalogue, kind: str, year: int, plan: str | None) -> None:
    """Raise ReportError (Chinese) for an unknown kind or plan, or a year the kind of report cannot have."""
    if kind not in KINDS:
        raise ReportError(f"报告类型“{kind}”无效，可选：annual（年度监测）、midterm（中期评估）、final（终期评估）。")
    if plan is not None and plan not in catalogue.plans:
        raise ReportError(f"没有规划“{plan}”，可选：{'、'.join(catalogue.plans)}。")
    chosen = [catalogue.plans[key] for key in ordered_plans(catalogue, plan)]
    start = min(p.baseline_year for p in chosen)
    end = max(p.period_end for p in chosen)
    if kind == "final" and year != end:
        raise ReportError(f"终期评估的年份应为规划期末{end}年（给出的是{year}年）；其他年份请生成年度监测报告（--kind annual）。")
    if kind == "midterm" and not (start < year < end):
        raise ReportError(f"中期评估的年份应在{start + 1}—{end - 1}年之间（通常为{chosen[0].midterm_year}年）。")
    if kind == "annual" and not (start <= year <= end + 5):
        raise ReportError(f"年度监测报告的年份应在{start}—{end + 5}年之间。")


def _common_suffix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return a[len(a) - n:]


def _share_rest(a: str, b: str) -> bool:
    """Two titles that differ only in their opening words (妇女发展“十四五”规划, 儿童发展“十四五”规划)."""
    rest = _common_suffix(a, b)
    return len(rest) * 2 >= max(len(a), len(b)) and len(rest) < min(len(a), len(b))


def plans_subject(catalogue: Catalogue, keys: Sequence[str]) -> str:
    """The plans' titles as one phrase: titles that differ only in their opening words share the rest
    (妇女、儿童发展“十四五”规划), the groups are joined by 及, and the office's region (绛县) is named once, in front."""
    titles = [catalogue.plans[k].title for k in keys]
    if len(titles) == 1:
        return titles[0]
    region = catalogue.regions.office_region
    prefix = region.full_name if region is not None and all(t.startswith(region.full_name) for t in titles) else ""
    groups: list[list[str]] = []
    for title in (t.removeprefix(prefix) for t in titles):
        if groups and _share_rest(groups[-1][0], title):
            groups[-1].append(title)
        else:
            groups.append([title])
    phrases = []
    for group in groups:
        rest = functools.reduce(_common_suffix, group) if len(group) > 1 else ""
        phrases.append("、".join(t.removesuffix(rest) for t in group) + rest)
    return prefix + (phrases[0] if len(phrases) == 1 else "、".join(phrases[:-1]) + "及" + phrases[-1])


def report_title(catalogue: Catalogue, kind: str, year: int, plan: str | None = None, county: str | None = None) -> tuple[str, str]:
    """(the plans' part, the report's part) of the title, e.g. ('绛县儿童发展“十四五”规划', '中期评估报告（监测数据部分）').

    `county` (a county's name, given when the data hold several counties) is named in the report's part:
    '终期评估报告（闻喜县监测数据部分）', '2024年度监测报告（闻喜县）'.
    """
    subject = plans_subject(catalogue, ordered_plans(catalogue, plan))
    if kind == "annual":
        return subject, f"{year}年度监测报告" + (f"（{county}）" if county else "")
    return subject, KINDS[kind] + (f"（{county}监测数据部分）" if county else DATA_PART)


def report_filename(title: str, demo: bool) -> str:
    """The .docx file name: the title without the （监测数据部分） and without characters a file name cannot hold."""
    name = re.sub(r"[\\/:*?\"<>|]", "", title).replace(DATA_PART, "")
    name = re.sub(r"（(.+?)监测数据部分）", r"（\1）", name)
    if demo:
        name += "（示例数据）"
    return name + ".docx"


# ---------------------------------------------------------------- wording


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


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (for headings 一、 and （一）)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _cn_count(n: int) -> str:
    """A count in words: 两 rather than 二 before a measure word (两个规划)."""
    return "两" if n == 2 else cn_number(n)


def _rate(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value * 100:.1f}%"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def cn_date(d: datetime) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _iso_date(text: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{match[1]}年{int(match[2])}月{int(match[3])}日" if match else text


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


def _progress_cells(r: Result) -> tuple[str, str]:
    """目标完成进度 and 序时进度 of a target (— where there is no progress to measure, e.g. 逐步提高, or nothing to judge)."""
    if r.status in UNJUDGED:
        return "—", "—"
    return _percent(r.progress), _percent(r.time_progress)


# ---------------------------------------------------------------- the report's numbers


@dataclass
class PlanPart:
    key: str
    plan: Plan
    evaluation: Evaluation
    domains: list[tuple[str, list[Result]]]


class Content:
    """The numbers and sentences of one report, shared by the Word document and the Excel summary."""

    def __init__(self, catalogue: Catalogue, dataset: Dataset, evaluation: Evaluation, kind: str, year: int,
                 plan: str | None, now: datetime, county: str | None = None, comparison: CountyComparison | None = None,
                 whole: Dataset | None = None):
        self.catalogue, self.dataset, self.evaluation = catalogue, dataset, evaluation
        self.kind, self.year, self.plan, self.now = kind, year, plan, now
        self.county = county  # the body's county (code)
        self.comparison = comparison  # every county of the data, when it holds several
        self.whole = whole if whole is not None else dataset  # the data set before taking the body's county
        home = catalogue.regions.home_county
        self.county_name = catalogue.regions.label(county or home) if (county or home) else "本县"
        self.office = office_name(catalogue)
        self.parts: list[PlanPart] = []
        for key in ordered_plans(catalogue, plan):
            sub = evaluation.subset(key)
            domains = []
            for domain in catalogue.plans[key].domains:
                group = [r for r in sub.results if r.target.domain == domain]
                if group:
                    domains.append((domain, group))
            self.parts.append(PlanPart(key, catalogue.plans[key], sub, domains))
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
    def status_word(self) -> str:
        """What the tables of counts show: 终期评估结论 at the final year, else 状态."""
        return "终期评估结论" if self.verdicts else "状态"

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

    def warned(self, part: PlanPart) -> list[Result]:
        return [r for _, group in part.domains for r in group if r.warnings]

    def figures(self) -> list[tuple[str, Any]]:
        """(key, Plotly figure) of every chart of the report: a summary per plan, then each warned target's chart."""
        from monitoring import charts

        out: list[tuple[str, Any]] = []
        for part in self.parts:
            out.append((f"summary:{part.key}", charts.domain_status_figure(domain_status_counts(part.evaluation))))
        for part in self.parts:
            for r in self.warned(part):
                out.append((f"target:{r.target.id}", charts.indicator_figure(r, title="")))  # the caption names it
        return out

    def info(self) -> DocumentInfo:
        demo = self.dataset.is_demo
        return DocumentInfo(
            title=self.title, author=self.office, subject=KINDS[self.kind],
            comments=f"{self.year}年；数据：{self.dataset.label}；生成于{cn_date(self.now)}。",
            created=self.now.replace(microsecond=0), keywords="示例数据" if demo else "",
            header_mark=f"{DEMO_LABEL}——仅供演示，不得引用" if demo else None,
        )

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

    def time_progress(self, part: PlanPart) -> float:
        span = part.plan.period_end - part.plan.baseline_year
        return (self.year - part.plan.baseline_year) / span if span else 1.0

    def latest_note(self, result: Result) -> str:
        """The reporting unit's note (备注) on the row of the latest value, if any."""
        rows = self.dataset.rows
        if result.latest is None or rows.empty or "note" not in rows:
            return ""
        sex = result.target.sex if result.target.sex in ("女", "男") else TOTAL_SEX  # the row the latest value came from
        match = rows[(rows["indicator_id"] == result.target.series_key) & (rows["year"] == result.latest.year)
                     & (rows["region"] == COUNTY_REGION) & rows["sex"].isin({sex, TOTAL_SEX})]
        if (match["sex"] == sex).any():
            match = match[match["sex"] == sex]
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

    def name_with_years(self, result: Result) -> str:
        """A target's name in a list; a `maintain` target that missed years says which: 名称（须每年达到，2022年未达到）."""
        if result.target.maintain and result.missed_years and any(w.code == WarningCode.SLIPPED for w in result.warnings):
            return f"{result.target.name}（须每年达到，{_year_list(result.missed_years)}未达到）"
        return result.target.name


# ---------------------------------------------------------------- the document, block by block


def document_blocks(content: Content, charts: Collection[str], chart_note: str | None) -> list[Block]:
    """Everything the Word document says, in order; `charts` are the keys of the charts rendered (the others are
    said to be missing, with `chart_note` as the reason)."""
    return _Writer(content, charts, chart_note).blocks


class _Writer:
    def __init__(self, content: Content, charts: Collection[str], chart_note: str | None):
        self.c = content
        self.charts = charts
        self.chart_note = chart_note
        self.blocks: list[Block] = []
        c = content
        self._title()
        self._lead()
        if len(c.parts) > 1:
            self._overall()
        for index, part in enumerate(c.parts):
            if len(c.parts) > 1:
                if index:
                    self.blocks.append(PageBreak())
                self.blocks.append(Heading(f"第{cn_number(index + 1)}部分　{part.plan.title}", 0))
            self._part(part)
        self._signature()
        self._appendices()

    # ---- blocks

    def para(self, text: str = "", keep_with_next: bool = False) -> None:
        self.blocks.append(Paragraph(text, keep_with_next))

    def heading(self, text: str, level: int) -> None:
        self.blocks.append(Heading(text, level))

    def figure(self, key: str, caption: str) -> bool:
        if key not in self.charts:
            return False
        self.blocks.append(Figure(key, caption))
        return True

    def missing_charts_sentence(self) -> str:
        if self.chart_note == DISABLED_NOTE:
            return "（说明：本报告按设置未包含图表，图表所示数据均已列在表格中。）"
        reason = (self.chart_note or "图表未能生成").rstrip("。")
        return (f"（说明：生成本报告时{reason}，此处缺少图表。图表所示数据均已列在表格中；如需图表，"
                "请在装有 Chromium 浏览器的电脑上重新生成报告。）")

    def count_table(self, title: str, first: str, groups: Sequence[tuple[str, Sequence[Result]]]) -> None:
        """Targets and their counts per status, one row per group (plan or domain), the last group (合计) in bold."""
        c = self.c
        labels = [c.label(s) for s in c.statuses]
        items = [(label, len(results), c.record(results)) for label, results in groups]
        columns = [
            Column(first, 156 - 18 * (len(labels) + 2) if len(labels) <= 4 else 36, lambda item: item[0]),
            Column("指标数", 13, lambda item: item[1], centre=True),
            *[Column(label, 15 if len(label) == 3 else 17, lambda item, s=s: item[2][s.value], centre=True)
              for s, label in zip(c.statuses, labels, strict=True)],
            Column("达标率", 16, lambda item: _rate(item[2]["attainment"]), centre=True),
        ]
        self.blocks.append(table_of(title, columns, items, bold=lambda item: item is items[-1]))

    # ---- the document

    def _title(self) -> None:
        c = self.c
        self.blocks.append(Title(c.subject, c.kind_title))
        if c.dataset.is_demo:
            self.blocks.append(Paragraph(DEMO_LABEL, role="demo"))
            self.blocks.append(Paragraph(f"本报告由示例数据生成，仅用于演示监测平台，其中的数字不是{c.county_name}的统计数据，"
                                         "不得引用、上报或作为正式材料使用。", role="demo_note"))

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
            + f"本报告由监测平台于{cn_date(c.now)}生成。现将{'监测' if c.kind == 'annual' else '评估'}结果报告如下。"
        )

    def _overall(self) -> None:
        """For a report of all plans: one table of the plans' totals before the parts.

        The 合计 counts a statistic two plans share once (`distinct_statistics`), so it is not the sum of the rows.
        """
        c = self.c
        groups: list[tuple[str, Sequence[Result]]] = []
        total: list[Result] = []
        for part in c.parts:
            results = part.evaluation.results
            total.extend(results)
            groups.append((plan_short(c.catalogue, part.key), results))
        counted = distinct_statistics(total)
        shared = len(total) - len(counted)
        groups.append((TOTAL_ROW, counted))
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
        self.count_table(f"各规划指标{c.status_word}汇总", "规划", groups)
        if shared:
            self.para(f"注：合计行中{SHARED_NOTE}（{shared}项），故合计不等于各规划之和。")

    def _part(self, part: PlanPart) -> None:
        self._summary(part)
        self._domains(part)
        self._warnings(part)
        self._completeness(part)

    # ---- 一、总体情况

    def _summary(self, part: PlanPart) -> None:
        c = self.c
        results = part.evaluation.results
        record = c.record(results)
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
            if record[Status.INSUFFICIENT.value]:
                unjudged.append(f"{INSUFFICIENT_WHAT}的{record[Status.INSUFFICIENT.value]}项")
            if record[Status.NO_DATA.value]:
                unjudged.append(f"无数据的{record[Status.NO_DATA.value]}项")
            if unjudged:
                text += f"{'和'.join(unjudged)}暂无法判断进展，不计入达标率的分母。"
        if c.midterm:
            tau = c.time_progress(part)
            ahead, behind = c.ahead_of_clock(results)
            half = "，时间过半" if 0.5 <= tau < 1 else ""
            text += (f"{c.year}年序时进度为{_percent(tau)}{half}；有数据的{with_data}项指标中，已达标或目标完成进度不慢于序时进度的"
                     f"{len(ahead)}项，慢于序时进度的{len(behind)}项。")
        self.para(text)
        short = plan_short(c.catalogue, part.key)
        self.count_table(f"{short}各领域指标{c.status_word}", "领域", [*part.domains, (TOTAL_ROW, results)])
        if not self.figure(f"summary:{part.key}", f"{short}各领域指标{c.status_word}（{c.year}年）"):
            self.para(self.missing_charts_sentence())

        n = 0
        achieved_label = c.label(Status.ACHIEVED)
        achieved = [r for r in results if r.status == Status.ACHIEVED]
        n += 1
        self.heading(f"（{cn_number(n)}）{achieved_label}的指标", 2)
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
            self.heading(f"（{cn_number(n)}）{missed_label}的指标及原因", 2)
            if missed_list:
                self.para(f"{missed_label}的{len(missed_list)}项指标及原因如下：", keep_with_next=True)
                for i, r in enumerate(missed_list, 1):
                    self.para(f"{i}．{r.target.name}（{r.target.department.lead}）。{r.explanation}")
            else:
                self.para(f"有数据的指标全部{achieved_label}。")
        else:
            concern = [r for r in results if r.status in (Status.AT_RISK, Status.OFF_TRACK)]
            self.heading(f"（{cn_number(n)}）预计难以达标的指标及原因", 2)
            if concern:
                at_risk = sum(1 for r in concern if r.status == Status.AT_RISK)
                self.para(f"{c.label(Status.AT_RISK)}{at_risk}项、{c.label(Status.OFF_TRACK)}{len(concern) - at_risk}项，"
                          "按期完成目标有困难，需重点推进：", keep_with_next=True)
                for i, r in enumerate(concern, 1):
                    self.para(f"{i}．{r.target.name}（{r.target.department.lead}，{r.label}）。{r.explanation}")
            else:
                self.para("没有预计难以达标或严重滞后的指标。")
            on_track = [r for r in results if r.status == Status.ON_TRACK]
            if on_track:
                self.para(f"此外，进度正常但尚未达标的{len(on_track)}项指标是：{'、'.join(c.name_with_years(r) for r in on_track)}。")

        n += 1
        self._unjudged(part, n)

    def _unjudged(self, part: PlanPart, n: int) -> None:
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
            self.heading(f"（{cn_number(n)}）{label}的指标", 2)
            if no_data:
                self.para(f"{named(no_data)}等{len(no_data)}项指标在规划期内没有可用于评估的数据，{label}，未计入达标率的分母；"
                          f"请{departments(no_data)}补报或说明原因。")
            else:
                self.para("全部指标均有规划期内的数据，均已作出评估结论。")
            return
        self.heading(f"（{cn_number(n)}）无数据{'和数据不足' if insufficient else ''}的指标", 2)
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

    def _domains(self, part: PlanPart) -> None:
        c = self.c
        self.heading("二、分领域监测情况" if c.kind == "annual" else "二、分领域评估情况", 1)
        for index, (domain, group) in enumerate(part.domains, 1):
            self.heading(f"（{cn_number(index)}）{domain}", 2)
            record = c.record(group)
            self.para(f"本领域共{len(group)}项指标，{c.count_phrase(record)}，达标率{_rate(record['attainment'])}。")
            self._indicator_table(domain, group)
            for i, r in enumerate(group, 1):
                self.para(f"{i}．{r.explanation}")

    def _indicator_table(self, domain: str, group: list[Result]) -> None:
        """Each target of a domain: its target, baseline and latest value, status (progress at mid-term) and notes."""
        c = self.c

        def head(*widths: float) -> list[Column]:
            return [Column("指标", widths[0], lambda r: r.target.name),
                    Column("目标值", widths[1], lambda r: r.target.target_label(), centre=True),
                    Column("基期值", widths[2], baseline_text, centre=True),
                    Column(f"{c.year}年值", widths[3], value_text, centre=True)]

        def status(header: str, width: float) -> Column:
            return Column(header, width, lambda r: r.label, centre=True, fill=status_colour)

        if c.verdicts:
            columns = [*head(38, 22, 19, 23), status("结论", 15), Column("说明", 39, c.status_note)]
        elif c.midterm:
            columns = [*head(30, 20, 17, 21), Column("完成进度", 14, lambda r: _progress_cells(r)[0], centre=True),
                       Column("序时进度", 14, lambda r: _progress_cells(r)[1], centre=True), status("状态", 19),
                       Column("说明", 21, c.status_note)]
        else:
            columns = [*head(38, 22, 19, 23), status("状态", 18), Column("说明", 36, c.status_note)]
        self.blocks.append(table_of(f"{domain}指标{'终期评估结论' if c.verdicts else '监测情况'}", columns, group))

    # ---- 三、预警

    def _warnings(self, part: PlanPart) -> None:
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
            self.heading(f"（{cn_number(index)}）{WARNING_LABELS[code]}（{len(entries)}项）", 2)
            for i, (r, w) in enumerate(entries, 1):
                self.para(f"{i}．{r.target.name}（{r.target.department.lead}）：{w.message}")
        if self.charts:
            self.para("各预警指标的走势图见附件3。")
        else:
            self.para(self.missing_charts_sentence())

    # ---- 四、数据报送

    def _completeness(self, part: PlanPart) -> None:
        c = self.c
        self.heading("四、数据报送情况", 1)
        table = completeness(c.catalogue, c.dataset.rows, c.year, plan=part.key)
        by_department = completeness_by_department(table)
        if table.empty:
            self.para("本规划没有需要报送的统计数据。")
            return
        reported = int((table["报送情况"] == REPORTED).sum())
        total = len(table)
        self.para(f"{c.year}年本规划应报送全县统计数据{total}项（两个规划共用的统计数据只报一次），已报送{reported}项，"
                  f"报送率{_rate(reported / total)}。各单位报送情况如下表（按报送率由低到高排列）。")
        behind = STATUS_STYLE[Status.AT_RISK].colour
        columns = [Column("单位", 50, lambda r: r["单位"]),
                   *[Column(name, 20, lambda r, name=name: r[name], centre=True) for name in ("应报", "已报送", "待审核", "未报送")],
                   Column("报送率", 26, lambda r: _rate(r["报送率"]), centre=True, fill=lambda v: None if v == "100.0%" else behind)]
        self.blocks.append(table_of(f"{plan_short(c.catalogue, part.key)}{c.year}年数据报送情况", columns, by_department.to_dict("records")))
        missing = table[table["报送情况"] != REPORTED]
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
        attachments = ["监测评估方法说明", "数据来源", "预警指标走势图"]
        if self.c.comparison is not None:
            attachments.append(COMPARISON_TITLE)
        self.blocks.append(Signature(attachments, self.c.office, cn_date(self.c.now)))

    def _appendix_title(self, number: int, title: str) -> None:
        self.blocks.append(AppendixTitle(number, title))

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
                    title = f"（{cn_number(sub)}）{title}"
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
        self.blocks.append(Table(None, header, body))

    def _sources(self) -> None:
        c = self.c
        self._appendix_title(2, "数据来源")
        self.heading("一、规划文件", 1)
        columns = [Column("规划", 40, lambda p: p.plan.title), Column("文号", 30, lambda p: p.plan.document),
                   Column("印发机关", 24, lambda p: p.plan.issuer), Column("印发日期", 24, lambda p: _iso_date(p.plan.issued), centre=True),
                   Column("刊载", 26, lambda p: p.plan.published_in), Column("指标数", 12, lambda p: len(p.evaluation.results), centre=True)]
        self.blocks.append(table_of(None, columns, c.parts))
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
                  f"本报告及所附监测指标汇总表（Excel）由监测平台于{cn_date(c.now)}生成，正文中的说明均由计算结果生成。")

    def _charts_appendix(self) -> None:
        c = self.c
        any_warned = False
        if not self.charts:
            self.para(self.missing_charts_sentence())
        elif any(c.warned(part) for part in c.parts):
            if c.verdicts:
                self.para("以下为发出预警的各项指标历年报送值的走势。图中深色实线为报送值，绿色长虚线为目标，紫色点线为从基期匀速达到目标的"
                          "序时进度；终期评估以规划期内的实际数值作结论，不作趋势推算；报送了分子、分母的率同时画出95%置信区间。"
                          "右上角标出终期评估结论。")
            else:
                self.para("以下为发出预警的各项指标历年报送值的走势。图中深色实线为报送值，绿色长虚线为目标，紫色点线为从基期匀速达到目标的"
                          "序时进度，橙色虚线为趋势推算；报送了分子、分母的率同时画出95%置信区间。右上角标出指标状态。")
        for index, part in enumerate(c.parts, 1):
            warned = c.warned(part)
            if not warned:
                continue
            any_warned = True
            if not self.charts:
                continue
            if len(c.parts) > 1:
                self.heading(f"{cn_number(index)}、{part.plan.title}", 1)
            for r in warned:
                if not self.figure(f"target:{r.target.id}", f"{r.target.id} {r.target.name}（{r.label}；预警：{warning_names(r)}）"):
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
        word = "终期评估结论" if cmp.final else "状态"
        cities = cmp.several_cities  # a province's counties: each one's city (regions.yaml) in a column of its own

        def place(widths: Sequence[float]) -> list[Column]:
            """区县 (and 所属市 when the counties lie in several cities)."""
            names = ["区县", "所属市"] if cities else ["区县"]
            return [Column(name, width, lambda r, name=name: r[name]) for name, width in zip(names, widths, strict=True)]

        def own(r: dict[str, Any]) -> bool:
            return r["区县代码"] == c.county

        self.heading(f"一、各区县指标{word}和达标率", 1)
        ranking = cmp.county_table(with_city=cities).to_dict("records")
        counts = [13.5 if len(s) == 3 else 11 for s in status_columns]
        columns = [Column("排名", 10, lambda r: "—" if pd.isna(r["排名"]) else int(r["排名"]), centre=True),
                   *place([15, 14] if cities else [17]),
                   *[Column(NARROW_HEADERS.get(h, h), w, lambda r, h=h: r[h], centre=True)
                     for h, w in zip(["指标数", "有数据", *status_columns], [13.5, 13.5, *counts], strict=True)],
                   Column("达标率", 13.5 if cities else 15, lambda r: _rate(r["达标率"]), centre=True),
                   Column(NARROW_HEADERS["有预警的指标"], 13.5 if cities else 15, lambda r: r["有预警的指标"], centre=True)]
        self.blocks.append(table_of(f"{c.year}年各区县指标{word}和达标率", columns, ranking, bold=own))
        if any(own(r) for r in ranking):
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
        # 已达标 and 无数据 on one line, the others on two or three
        columns = [Column("编号", 16, lambda r: r["编号"]), Column("指标", 34, lambda r: r["指标"]),
                   *[Column(NARROW_HEADERS.get(s, s), 14.5 if len(s) == 3 else 10.5, lambda r, s=s: r[s], centre=True) for s in status_columns],
                   Column("有预警的区县", None, lambda r: r["有预警的区县"] or "—")]
        for index, key in enumerate(keys, 1):
            part = overview[[plans.get(i) == key for i in overview["编号"]]]
            if len(keys) > 1:
                self.heading(f"（{cn_number(index)}）{c.catalogue.plans[key].title}", 2)
            self.blocks.append(table_of(f"{plan_short(c.catalogue, key)}各指标的区县{'评估结论' if cmp.final else '状态'}分布（{c.year}年）",
                                        columns, part.to_dict("records")))

        self.heading("三、有预警的区县", 1)
        warned = cmp.warning_counties()
        if warned.empty:
            self.para(f"{c.year}年各区县均没有指标发出预警。")
            return
        self.para(f"{c.year}年{len(warned)}个区县有预警指标，按有预警的指标数由多到少排列如下（一项指标可同时有多条预警，"
                  "预警的种类按严重程度排列）。")
        columns = [*place([20, 16] if cities else [20]), Column(NARROW_HEADERS["有预警的指标"], 16, lambda r: r["有预警的指标"], centre=True),
                   Column("预警", 104 if cities else 120, lambda r: r["预警"])]
        self.blocks.append(table_of(f"{c.year}年有预警的区县", columns, cmp.warning_counties(with_city=cities).to_dict("records"), bold=own))


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
