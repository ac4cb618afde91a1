"""Plotly figures shared by the dashboard and the reports (the reports render the same figures to PNG).

Colours and labels of statuses come from `monitoring.evaluation.STATUS_STYLE` (labels through
`status_label`: at or after the target year the verdict's 已实现 / 未实现 / 无法评估); every figure
also writes the status as text, never colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from monitoring.catalogue import DIRECTION_ONLY, KIND_LABELS, Kind
from monitoring.evaluation import STATUS_STYLE, Point, Result, Status, interval_for, meets, status_label
from monitoring.summaries import effective_target, phase_labels, target_text, value_formatter
from monitoring.units import format_value

if TYPE_CHECKING:  # comparison imports this module
    from monitoring.comparison import IndicatorComparison

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"
# Every label a status can be shown under (the period's and the verdict's), with its colour, in display order.
STATUS_COLOURS = {label: STATUS_STYLE[s].colour for s, label in phase_labels(None)}
STATUS_ORDER = list(STATUS_COLOURS)


def status_options(final: bool | None) -> tuple[list[str], list[str]]:
    """(labels, colours) of the statuses a table of this phase shows, for a MultiselectColumn or a filter."""
    labels = [label for _, label in phase_labels(final)]
    return labels, [STATUS_COLOURS[label] for label in labels]


def _layout(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False, linecolor="#cccccc")
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return fig


def domain_status_figure(counts: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Stacked horizontal bars: per 领域, how many targets are in each status (labels inside the bars).

    `counts` is `monitoring.summaries.domain_status_counts(...)` (规划, 领域, 状态, 指标数).
    """
    fig = go.Figure()
    if counts.empty:
        return _layout(fig, title)
    frame = counts.copy()
    single_plan = frame["规划"].nunique() == 1
    frame["行"] = frame["领域"] if single_plan else frame["规划"] + "｜" + frame["领域"]
    order = list(dict.fromkeys(frame["行"]))
    # One bar per status label the counts hold (a period's statuses, or the final verdicts), in display order.
    shown = frame[["status", "状态"]].drop_duplicates()
    shown = sorted(shown.itertuples(index=False), key=lambda row: (STATUS_STYLE[Status(row[0])].order, STATUS_ORDER.index(row[1])))
    for status, label in shown:
        part = frame[(frame["状态"] == label) & (frame["status"] == status)].set_index("行").reindex(order)
        values = part["指标数"].fillna(0).astype(int)
        fig.add_bar(
            y=order, x=values, name=label, orientation="h", marker_color=STATUS_STYLE[Status(status)].colour,
            text=[f"{label} {v}" if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            hovertemplate="%{y}<br>" + label + "：%{x} 项<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, xaxis_title="指标数",
                      uniformtext={"minsize": 10, "mode": "hide"}, legend={"traceorder": "normal"})
    return _layout(fig, title, height=max(320, 34 * len(order) + 90))


# ---------------------------------------------------------------- one indicator

AT_RISK_COLOUR = STATUS_STYLE[Status.AT_RISK].colour
MET_COLOUR = "#81c784"  # a light tint of the 已达标 green, so the target line stays visible across the bars
TOWNSHIP_TARGET_COLOUR = "#263238"
SERIES_COLOUR = "#37474f"
TARGET_COLOUR = "#2e7d32"
BASELINE_COLOUR = "#6d4c41"
PATH_COLOUR = "#7e57c2"
PROJECTION_COLOUR = "#ef8f00"
CI_COLOUR = "#90a4ae"
SEX_COLOURS = {"女": "#c2185b", "男": "#1565c0", "合计": "#37474f"}
STATUS_TAG_COLOURS = [STATUS_COLOURS[label] for label in STATUS_ORDER]


def status_text(result: Result) -> str:
    """The badge's text: 状态：进度正常 during the period, 终期结论：未实现 at or after the target year."""
    return f"{'终期结论' if result.final else '状态'}：{result.label}"


def _point_text(result: Result, p: Point, ci: tuple[float, float] | None) -> str:
    t = result.target
    fmt = value_formatter(result)
    lines = [f"{p.year}年：{fmt(p.value)}"]
    if p.has_counts:
        lines.append(f"{_count(p.numerator)}{t.numerator_label or ''} / {_count(p.denominator)}{t.denominator_label or ''}")
    if ci is not None:
        lines.append(f"95%置信区间 {fmt(ci[0])}—{fmt(ci[1])}")
    return "<br>".join(lines)


def _count(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _years_axis(fig: go.Figure, first: int, last: int) -> None:
    fig.update_xaxes(range=[first - 0.5, last + 0.5], tickmode="linear", tick0=first, dtick=1, tickformat="d", ticksuffix="年")


def _frame(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    """The shared layout, with the title at the left above the plot (where a status badge may sit at the right)."""
    _layout(fig, title, height)
    fig.update_layout(title={"x": 0, "xanchor": "left", "xref": "paper"})
    return fig


def _status_badge(fig: go.Figure, result: Result) -> None:
    style = STATUS_STYLE[result.status]
    fig.add_annotation(
        text=f"<b>{status_text(result)}</b>", xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
        showarrow=False, font={"color": "white", "size": 13}, bgcolor=style.colour, borderpad=4,
    )


def indicator_figure(result: Result, title: str | None = None) -> go.Figure:
    """The county series of one target with its target, baseline, expected path (序时进度), projection and 95% intervals.

    Traces (by name, for the legend and the tests): 报送值; 95%置信区间 (where counts were reported);
    the target line (目标 …, a band for “左右” targets, the baseline for “逐步提高/下降”); 基期 …;
    序时进度（基期至目标匀速）; 趋势推算 … (only where the engine projected: never at or after the target
    year, whose verdict rests on the values themselves). The status is written in a badge above the plot.
    """
    t = result.target
    fmt = value_formatter(result)
    fig = go.Figure()
    points = result.points
    T = effective_target(result)
    b, b_year = result.baseline_value, result.baseline_year
    target_year = t.target_year or (points[-1].year if points else result.year)
    years = [p.year for p in points] + [y for y in (t.baseline_year, b_year, target_year) if y is not None]
    first, last = min(years), max(years)

    # Reported county values, with their intervals where counts exist.
    if points:
        intervals = [interval_for(t, p.numerator, p.denominator) if p.has_counts else None for p in points]  # type: ignore[arg-type]
        fig.add_scatter(
            x=[p.year for p in points], y=[p.value for p in points], mode="lines+markers", name="报送值",
            line={"color": SERIES_COLOUR, "width": 2.5}, marker={"size": 9, "color": SERIES_COLOUR},
            customdata=[_point_text(result, p, ci) for p, ci in zip(points, intervals, strict=True)],
            hovertemplate="%{customdata}<extra>报送值</extra>",
        )
        if any(ci is not None for ci in intervals):
            fig.add_scatter(
                x=[p.year for p in points], y=[p.value for p in points], mode="markers", name="95%置信区间",
                marker={"symbol": "line-ns-open", "size": 12, "color": CI_COLOUR, "line": {"width": 1.5, "color": CI_COLOUR}},
                error_y={
                    "type": "data", "symmetric": False, "color": CI_COLOUR, "thickness": 1.5, "width": 6,
                    "array": [ci[1] - p.value if ci else None for p, ci in zip(points, intervals, strict=True)],
                    "arrayminus": [p.value - ci[0] if ci else None for p, ci in zip(points, intervals, strict=True)],
                },
                customdata=[f"{p.year}年 95%置信区间：{fmt(ci[0])}—{fmt(ci[1])}" if ci else f"{p.year}年：未报送分子、分母"
                            for p, ci in zip(points, intervals, strict=True)],
                hovertemplate="%{customdata}<extra></extra>",
            )

    # The target: a line, a band (左右), or the baseline for direction-only targets.
    label = target_text(result)
    if T is not None:
        if t.kind == Kind.APPROX and t.tolerance:
            low, high = T - t.tolerance, T + t.tolerance
            fig.add_scatter(x=[first - 0.5, last + 0.5], y=[high, high], mode="lines", line={"width": 0, "color": TARGET_COLOUR},
                            showlegend=False, hoverinfo="skip", name=f"{label}（上限）")
            fig.add_scatter(x=[first - 0.5, last + 0.5], y=[low, low], mode="lines", line={"width": 0, "color": TARGET_COLOUR},
                            fill="tonexty", fillcolor="rgba(46,125,50,0.12)", name=f"{label}（范围 {fmt(low)}—{fmt(high)}）",
                            hoverinfo="skip")
        colour = BASELINE_COLOUR if t.kind in DIRECTION_ONLY else TARGET_COLOUR
        fig.add_scatter(
            x=[first - 0.5, last + 0.5], y=[T, T], mode="lines", name=label, line={"color": colour, "width": 2, "dash": "longdash"},
            hovertemplate=f"{label}<extra></extra>",
        )
        fig.add_annotation(x=last + 0.5, y=T, text=label, showarrow=False, xanchor="right", yanchor="bottom",
                           font={"color": colour, "size": 12})

    # The baseline, marked where it sits.
    if b is not None and b_year is not None and t.kind not in DIRECTION_ONLY:
        source = {"catalogue": "（目标库）", "earliest": "（最早报送年份）"}.get(result.baseline_source or "", "")
        name = f"基期 {b_year}年 {fmt(b)}{source}"
        fig.add_scatter(
            x=[b_year], y=[b], mode="markers", name=name,
            marker={"symbol": "diamond-open", "size": 14, "color": BASELINE_COLOUR, "line": {"width": 2}},
            hovertemplate=f"{name}<extra></extra>",
        )

    # The expected path: straight from the baseline to the target by the target year (when the baseline
    # did not already meet it).
    if b is not None and b_year is not None and T is not None and result.direction * (T - b) > 1e-12 and t.target_year:
        fig.add_scatter(
            x=[b_year, t.target_year], y=[b, T], mode="lines", name="序时进度（基期至目标匀速）",
            line={"color": PATH_COLOUR, "width": 1.5, "dash": "dot"},
            hovertemplate="序时进度：%{x}年应达到 %{y}<extra></extra>",
        )

    # The projection to the target year, where the engine made one (during the period, from two years on).
    if (result.projected_value is not None and result.projected_year is not None and result.latest is not None
            and result.latest.year < result.projected_year):
        name = f"趋势推算 {result.projected_year}年约{fmt(result.projected_value)}"
        xs, ys = [result.latest.year, result.projected_year], [result.latest.value, result.projected_value]
        fig.add_scatter(
            x=xs, y=ys, mode="lines+markers", name=name,
            line={"color": PROJECTION_COLOUR, "width": 2, "dash": "dash"},
            marker={"symbol": ["circle-open"] * (len(xs) - 1) + ["circle"], "size": [0] * (len(xs) - 1) + [9], "color": PROJECTION_COLOUR},
            hovertemplate=f"{name}<extra></extra>",
        )

    if not points:
        fig.add_annotation(text="尚无报送数据", xref="paper", yref="paper", x=0.5, y=0.8, showarrow=False,
                           font={"size": 16, "color": STATUS_STYLE[Status.NO_DATA].colour})
        if T is None:
            fig.update_yaxes(showticklabels=False)

    _frame(fig, title if title is not None else f"{t.id} {t.name}", height=460)
    _years_axis(fig, first, last)
    fig.update_yaxes(title_text=f"单位：{t.unit}", rangemode="tozero" if _near_zero(result) else "normal")
    if not points and T is not None:  # only the target line: keep it inside the plot, not on its edge
        fig.update_yaxes(range=[0, T * 1.3] if T > 0 else [T - 1, T + 1])
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "xanchor": "left", "x": 0, "traceorder": "normal"},
        margin={"l": 70, "r": 20, "t": 70, "b": 30},
        hoverlabel={"font": {"family": FONT}},
    )
    _status_badge(fig, result)
    return fig


def _near_zero(result: Result) -> bool:
    """Rates of rare events read best from zero (an interval's lower end is often 0)."""
    return result.target.unit in ("‰", "1/10万")


# ---------------------------------------------------------------- breakdowns


def township_values(result: Result, table: pd.DataFrame | None = None) -> tuple[int | None, dict[str, float], list[str]]:
    """(year, values, below target) of the towns and townships for the result's latest year.

    From the evaluation for an each_township target; else from a `summaries.breakdown(...)['region']` table
    (region × year), judged against the same effective target.
    """
    if result.township_values and result.latest is not None:
        return result.latest.year, dict(result.township_values), list(result.townships_below)
    if table is None or table.empty:
        return None, {}, []
    years = [int(y) for y in table.columns if int(y) <= result.year]
    if not years:
        return None, {}, []
    year = max(years)
    column = table[year] if year in table.columns else table[str(year)]
    values = {str(k): float(v) for k, v in column.dropna().items()}
    T = effective_target(result)
    below = [n for n, x in values.items() if T is not None and not meets(result.target, x, T, result.baseline_value)]
    return year, values, below


def township_figure(result: Result, table: pd.DataFrame | None = None, title: str | None = None) -> go.Figure:
    """Bars per town/township for the latest year; those below the target in the 预计难以达标 colour, labelled 未达标."""
    t = result.target
    fmt = value_formatter(result)
    year, values, below = township_values(result, table)
    fig = go.Figure()
    if not values:
        fig.add_annotation(text="没有分乡（镇）数据", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font={"size": 15, "color": STATUS_STYLE[Status.NO_DATA].colour})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _frame(fig, title if title is not None else f"{t.name}：各乡（镇）", height=300)
    order = sorted(values, key=lambda n: (-t.direction or -1) * values[n])
    missed = set(below)
    for name, chosen, colour, suffix, position in (
        ("达标的乡（镇）", [n for n in order if n not in missed], MET_COLOUR, "", "outside"),
        ("未达标的乡（镇）", [n for n in order if n in missed], AT_RISK_COLOUR, "<br><b>未达标</b>", "inside"),
    ):
        if not chosen:
            continue
        fig.add_bar(
            x=chosen, y=[values[n] for n in chosen], name=name, marker_color=colour,
            text=[f"{fmt(values[n])}{suffix}" for n in chosen], textposition=position, cliponaxis=False,
            insidetextanchor="end", insidetextfont={"color": "white", "size": 13}, outsidetextfont={"color": "#263238"},
            customdata=[f"{n}：{fmt(values[n])}{'（未达标）' if suffix else ''}" for n in chosen],
            hovertemplate="%{customdata}<extra></extra>",
        )
    T = effective_target(result)
    if T is not None:
        line = {"color": TOWNSHIP_TARGET_COLOUR, "width": 2, "dash": "longdash"}
        fig.add_hline(y=T, line=line, layer="above")
        fig.add_scatter(x=[None], y=[None], mode="lines", line=line, name=target_text(result), hoverinfo="skip")
    fig.update_layout(barmode="overlay", xaxis={"categoryorder": "array", "categoryarray": order})
    _frame(fig, title if title is not None else f"{t.name}：各乡（镇）{year}年", height=400)
    fig.update_yaxes(title_text=f"单位：{t.unit}", range=_bar_range([*values.values(), *([T] if T is not None else [])]))
    fig.update_layout(margin={"l": 70, "r": 20, "t": 90, "b": 40}, legend={"y": 1.04, "traceorder": "normal"})
    return fig


def _bar_range(values: list[float]) -> list[float]:
    """From zero, unless every value sits in a narrow band far from zero (coverage rates of 88–99%):
    then from a little below the lowest, so a township 1.4 points under the target is visible."""
    low, high = min(values), max(values)
    if high <= 0:
        return [min(low * 1.15, -1), 1]
    spread = high - low
    if low > 0 and spread < 0.3 * high:
        margin = max(spread, 0.02 * high)
        return [max(0.0, low - margin), high + 0.35 * margin]
    return [min(0.0, low), high * 1.12]


def sex_figure(table: pd.DataFrame, result: Result | None = None, title: str | None = None, unit: str | None = None) -> go.Figure:
    """女/男 (and 合计) lines by year from `summaries.breakdown(...)['sex']` (sex × year).

    With `result`, values are formatted in its unit, and the county total (合计) of a both-sexes target comes
    from its points.
    """
    fmt = value_formatter(result) if result is not None else (lambda v: "—" if v is None else format_value(v, unit or ""))
    unit = result.target.unit if result is not None else unit
    fig = go.Figure()
    lines: dict[str, dict[int, float]] = {}
    if table is not None and not table.empty:
        for sex, row in table.iterrows():
            lines[str(sex)] = {int(y): float(v) for y, v in row.dropna().items()}
    if result is not None and result.points and "合计" not in lines and result.target.sex == "合计":
        lines["合计"] = {p.year: p.value for p in result.points}  # a women's target's points are the 女 line, not 合计
    ordered = sorted(lines, key=lambda s: (list(SEX_COLOURS).index(s) if s in SEX_COLOURS else 9, s))
    for sex in ordered:
        series = dict(sorted(lines[sex].items()))
        fig.add_scatter(
            x=list(series), y=list(series.values()), mode="lines+markers", name=sex,
            line={"color": SEX_COLOURS.get(sex, SERIES_COLOUR), "width": 2.5 if sex != "合计" else 1.5,
                  "dash": "solid" if sex != "合计" else "dot"},
            marker={"size": 8},
            customdata=[f"{sex} {y}年：{fmt(v)}" for y, v in series.items()],
            hovertemplate="%{customdata}<extra></extra>",
        )
    default = f"{result.target.name}：分性别" if result is not None else "分性别"
    _frame(fig, title if title is not None else default, height=360)
    if not lines:
        fig.add_annotation(text="没有分性别数据", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font={"size": 15, "color": STATUS_STYLE[Status.NO_DATA].colour})
        return fig
    years = [y for s in lines.values() for y in s]
    _years_axis(fig, min(years), max(years))
    fig.update_yaxes(title_text=f"单位：{unit}" if unit else None)
    fig.update_layout(margin={"l": 70, "r": 20, "t": 80, "b": 40}, legend={"y": 1.04})
    return fig


# ---------------------------------------------------------------- counties


def county_figure(comparison: IndicatorComparison, title: str | None = None, highlight: str | None = None) -> go.Figure:
    """One target in every county: horizontal bars in ranking order (best at the top), coloured and labelled by status.

    The target is a vertical line where every county has the same one, else a mark per county (targets
    set from each county's own baseline, like “较2020年下降20%” or “逐步提高”). A county without a value
    has no bar: “无数据” is written on its row. `highlight` (a county's label, e.g. the office's own) is bold.
    One bar trace per status present (named by the status label), for the legend and the tests.
    """
    target = comparison.target
    table = comparison.table
    results = list(comparison.results.values())
    fmt = value_formatter(results[0]) if results else (lambda v: "—" if v is None or v != v else f"{v:g}")
    order = list(table["区县"])
    targets = {county: effective_target(r) for county, r in zip(order, results, strict=True)}
    known = {county: t for county, t in targets.items() if t is not None}
    fig = go.Figure()
    with_value = table[table["value"].notna()]
    for status in sorted(Status, key=lambda s: STATUS_STYLE[s].order):
        part = with_value[with_value["status"] == status.value]
        if part.empty:
            continue
        fig.add_bar(
            y=list(part["区县"]), x=list(part["value"]), name=str(part["状态"].iloc[0]), orientation="h",
            marker_color=STATUS_STYLE[status].colour,
            customdata=[_county_hover(row) for row in part.to_dict("records")],
            hovertemplate="%{customdata}<extra></extra>",
        )

    # The target: one line, or each county's own where it depends on the county's baseline.
    line = {"color": TOWNSHIP_TARGET_COLOUR, "width": 2, "dash": "longdash"}
    shared = set(known.values())
    if len(shared) == 1:
        (T,) = shared
        name = target_text(next(r for c, r in zip(order, results, strict=True) if c in known))
        if target.kind == Kind.APPROX and target.tolerance:
            fig.add_vrect(x0=T - target.tolerance, x1=T + target.tolerance, fillcolor="rgba(46,125,50,0.12)", line_width=0, layer="below")
        fig.add_vline(x=T, line=line, layer="below")  # behind the bars, seen between them
        fig.add_scatter(x=[None], y=[None], mode="lines", line=line, name=name, hoverinfo="skip")
    elif known:
        direction_only = target.kind in DIRECTION_ONLY
        name = f"各区县基期值（目标：{KIND_LABELS[target.kind]}）" if direction_only else f"各区县目标（{target.target_label()}，依各自基期值）"
        fig.add_scatter(
            x=list(known.values()), y=list(known), mode="markers", name=name,
            marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": TOWNSHIP_TARGET_COLOUR}},
            customdata=[f"{c}：{'基期值' if direction_only else '目标'} {fmt(t)}" for c, t in known.items()],
            hovertemplate="%{customdata}<extra></extra>",
        )

    # Each county's value and status, written right of its bar or of its target, whichever ends later
    # (the target mark never crosses the text).
    if not with_value.empty:
        fig.add_scatter(
            x=[max(v, known.get(c, v)) for c, v in zip(with_value["区县"], with_value["value"], strict=True)],
            y=list(with_value["区县"]), mode="text", name="数值", showlegend=False, hoverinfo="skip", cliponaxis=False,
            text=[f" {v}（{s}）" for v, s in zip(with_value["数值"], with_value["状态"], strict=True)],
            textposition="middle right", textfont={"color": "#263238", "size": 12},
        )

    values = [float(v) for v in with_value["value"]] + list(known.values())
    low, high = _bar_range(values) if values else [0.0, 1.0]
    high += (high - low) * 0.3  # room for the value and status written beside the longest bar
    for county in table.loc[table["value"].isna(), "区县"]:
        fig.add_annotation(x=low, y=county, text="无数据", showarrow=False, xanchor="left", xref="x", yref="y",
                           font={"color": STATUS_STYLE[Status.NO_DATA].colour, "size": 12})
    if not order:
        fig.add_annotation(text="没有区县数据", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font={"size": 15, "color": STATUS_STYLE[Status.NO_DATA].colour})
    ticks = [f"<b>{c}</b>" if c == highlight else c for c in order]
    title = title if title is not None else f"{target.id} {target.name}：各区县{comparison.year}年"
    _frame(fig, title, height=max(320, 30 * len(order) + (160 if title else 130)))
    fig.update_layout(
        barmode="overlay", bargap=0.3,
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed", "tickvals": order, "ticktext": ticks,
               "showgrid": False},
        legend={"y": 1.01, "traceorder": "normal"}, margin={"l": 80, "r": 20, "t": 100 if title else 60, "b": 40},
        hoverlabel={"font": {"family": FONT}},
    )
    if title:  # at the very top, the legend (one or two rows) below it
        fig.update_layout(title={"yref": "container", "y": 0.985, "yanchor": "top"})
    fig.update_xaxes(title_text=f"单位：{target.unit}", range=[low, high], showgrid=True, gridcolor="#eeeeee", zeroline=False)
    return fig


def _county_hover(row: dict) -> str:
    lines = [f"<b>{row['区县']}</b>：{row['数值']}（{row['数据年份']}年）", f"排名：第{row['排名']}名", f"状态：{row['状态']}"]
    if row["预警"]:
        lines.append(f"预警：{row['预警']}")
    return "<br>".join(lines)


# ---------------------------------------------------------------- tables beside the figures


def status_tags(table: pd.DataFrame, column: str = "状态") -> pd.DataFrame:
    """The table with `column` as one-element lists, so st.dataframe's MultiselectColumn shows each status as a coloured tag.

    Pair with `options, color = status_options(final)` (or every label: `STATUS_ORDER`, `STATUS_TAG_COLOURS`).
    """
    out = table.copy()
    if column in out:
        out[column] = [[label] if isinstance(label, str) and label else [] for label in out[column]]
    return out


def indicator_display(table: pd.DataFrame) -> pd.DataFrame:
    """`summaries.indicator_table(...)` ready for st.dataframe: 状态 as a coloured tag (see `status_tags`), and the
    趋势 sparkline without the years not reported (a LineChartColumn cannot draw a gap and shows raw text instead).

    An achieved target shows 完成进度 100%: where the baseline already met the target the formula gives ≤0,
    which beside “已达标” (“已实现”) would read as no progress at all.
    """
    out = status_tags(table)
    if "完成进度" in out and ("status" in table or "状态" in table):
        if "status" in table:
            achieved = (table["status"] == Status.ACHIEVED.value).to_numpy()
        else:  # labels only: the period's 已达标 or the verdict's 已实现
            achieved = table["状态"].isin([status_label(Status.ACHIEVED, final) for final in (False, True)]).to_numpy()
        out["完成进度"] = [1.0 if done else value for done, value in zip(achieved, out["完成进度"], strict=True)]
    if "趋势" in out:
        out["趋势"] = [[v for v in values if v is not None and v == v] if isinstance(values, list) else [] for values in out["趋势"]]
    return out


def county_display(table: pd.DataFrame) -> pd.DataFrame:
    """A 区县对比 table (`IndicatorComparison.table`, `CountyComparison.county_table()`) ready for st.dataframe:
    without the helper columns for charts, 状态 as a coloured tag (see `status_tags`), and 排名/数据年份 written
    “—” for a county without data (st.dataframe would print None)."""
    out = status_tags(table.drop(columns=[c for c in ("value", "status") if c in table]))
    for column in ("排名", "数据年份"):
        if column in out:
            out[column] = ["—" if pd.isna(v) else str(int(v)) for v in out[column]]
    return out


def breakdown_table(table: pd.DataFrame, label: str, result: Result | None = None) -> pd.DataFrame:
    """A breakdown (region or sex × year) as people read it: first column `label`, one column per year (2023年), values with the unit."""
    if table is None or table.empty:
        return pd.DataFrame(columns=[label])
    fmt = value_formatter(result) if result is not None else (lambda v: "—" if v is None or v != v else f"{v:g}")
    out = pd.DataFrame({label: [str(i) for i in table.index]})
    for year in table.columns:
        out[f"{int(year)}年"] = [fmt(v) if v == v else "—" for v in table[year]]
    return out
