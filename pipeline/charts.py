"""Charts for the annual report: PNG (150 dpi) and SVG with Chinese labels.

Each public ``*_charts`` function takes data plus explicit parameters, writes its
files under ``out_dir`` and returns the written paths. Each chart has a pure
counting function (``monthly_counts``, ``weekly_counts``, ``request_outcomes``,
``request_applicants``) and a ``*_figure`` builder returning the matplotlib
``Figure``, so tests can read the plotted values back.

Figures are created as ``matplotlib.figure.Figure`` objects, not through pyplot: they
are never registered with pyplot's figure manager, so nothing has to be closed and
nothing leaks between charts, and a notebook's inline backend does not display
them twice. ``savefig`` renders PNG through the Agg canvas and SVG through the SVG
canvas. matplotlib and pandas are imported inside the functions only, so importing
this module is cheap.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pipeline import fonts

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 150
WEEKLY_TARGET = 5  # "保持每周5次以上推送"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#e377c2", "#7f7f7f"]
WARN_COLOR = "#d62728"  # weeks below the weekly target; not used for any channel
TOTAL_COLOR = "#4c72b0"
NOTE_COLOR = "#555555"

MONTH_LABELS = [f"{m}月" for m in range(1, 13)]

# Table `requests` (see pipeline/report_tables.yaml).
APPLICANTS = {
    "natural_person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他",
}
ORG_COLS = ["business", "research", "nonprofit", "legal_services", "other_org"]  # 法人或其他组织
REQUEST_FORMATS = ("2019", "2021")
NON_RESULT_ROWS = {"new", "carried_in", "result_total", "carried_out"}


def _outcome_groups(fmt: str) -> dict[str, Callable[[str], bool]]:
    """Outcome group label → predicate on row_code, for the table format ``fmt``."""
    if fmt not in REQUEST_FORMATS:
        raise ValueError(f"未知的统计表格式 {fmt!r}，应为 {' 或 '.join(REQUEST_FORMATS)}")
    if fmt == "2019":
        other = lambda code: code == "other"  # noqa: E731
    else:
        other = lambda code: code.startswith("other.")  # noqa: E731
    return {
        "予以公开": lambda code: code == "disclosed",
        "部分公开": lambda code: code == "partial",
        "不予公开": lambda code: code.startswith("withheld."),
        "无法提供": lambda code: code.startswith("unavailable."),
        "不予处理": lambda code: code.startswith("not_processed."),
        "其他处理": other,
    }


# --------------------------------------------------------------------- common bits


def _new_figure(title: str, *, nrows: int = 1, figsize: tuple[float, float] = (10, 5.6),
                sharex: bool = False) -> tuple[Figure, list[Axes]]:
    """A constrained-layout figure with ``nrows`` stacked axes and the chart title."""
    fonts.setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    axes = list(fig.subplots(nrows, 1, sharex=sharex, squeeze=False)[:, 0])
    fig.suptitle(title, fontsize=16)  # the font has no bold face
    return fig, axes


def warm_up() -> None:
    """What a chart process does before its first chart: import matplotlib and its canvases, load the CJK font (about 0.6 s)."""
    from io import BytesIO

    fig, axes = _new_figure("年度报告")
    axes[0].set_xlabel("月份")
    for ext in ("png", "svg"):
        fig.savefig(BytesIO(), format=ext)


def _write(fig: Figure, out_dir: Path, stem: str) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (150 dpi) and ``stem.svg``; drop its contents afterwards.

    Each file is written to a temporary name and renamed into place.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, kwargs in (("png", {"dpi": DPI}), ("svg", {"metadata": {"Date": None}})):
        path = out_dir / f"{stem}.{ext}"
        tmp = out_dir / f".{stem}.tmp.{ext}"
        fig.savefig(tmp, format=ext, facecolor="white", **kwargs)
        tmp.replace(path)
        written.append(path)
        fig.set_layout_engine("none")  # the SVG keeps the layout the PNG's drawing computed, instead of computing it again
    fig.clear()  # the pyplot-free figure is then garbage; nothing to close
    return written


def _note(ax: Axes, text: str) -> None:
    """A centred grey note over an empty chart."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=16, color=NOTE_COLOR)


def _as_int(value: float, what: str) -> int:
    if value != round(value):
        raise ValueError(f"{what} 应为整数，实际为 {value}")
    return int(round(value))


# --------------------------------------------------------------------- channels


def _published_dates(items: pd.DataFrame, channels: dict[str, str], year: int) -> pd.DataFrame:
    """``items`` reduced to columns channel, date; checks channel codes and the year."""
    import pandas as pd

    unknown = sorted(set(map(str, items["channel"].unique())) - set(channels))
    if unknown:
        raise ValueError(f"发布记录中有未配置的渠道 {unknown}；已配置：{list(channels)}")
    dates = pd.to_datetime(items["published"]).dt.normalize()
    if dates.isna().any():
        raise ValueError("发布记录中有缺少发布日期的行")
    outside = dates[dates.dt.year != year]
    if len(outside):
        raise ValueError(f"发布记录中有 {len(outside)} 条不属于 {year} 年，例如 {outside.iloc[0]:%Y-%m-%d}")
    return pd.DataFrame({"channel": items["channel"].astype(str).to_numpy(), "date": dates.to_numpy()})


def monthly_counts(items: pd.DataFrame, channels: dict[str, str], year: int) -> pd.DataFrame:
    """Items per month (index 1..12) and channel (columns in ``channels`` order)."""
    import pandas as pd

    df = _published_dates(items, channels, year)
    counts = pd.crosstab(df["date"].dt.month, df["channel"])
    return counts.reindex(index=range(1, 13), columns=list(channels), fill_value=0).astype(int)


def week_table(year: int) -> pd.DataFrame:
    """The year's weeks: index week 1..N, columns start, end (dates within the year), days.

    Weeks run Monday to Sunday. Week 1 is the week containing 1 January, clipped to
    start on 1 January; the last week ends on 31 December. So the weeks cover every
    day of the year exactly once; the first and last week usually have fewer than 7
    days. N is 53 (54 only in a leap year starting on a Sunday, e.g. 2012 and 2040).
    Unlike ISO weeks, no week reaches into the previous or next year.
    """
    import pandas as pd

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    monday = first - dt.timedelta(days=first.weekday())
    rows = []
    while monday <= last:
        start, end = max(monday, first), min(monday + dt.timedelta(days=6), last)
        rows.append({"start": start, "end": end, "days": (end - start).days + 1})
        monday += dt.timedelta(days=7)
    table = pd.DataFrame(rows)
    table.index = pd.RangeIndex(1, len(rows) + 1, name="week")
    return table


def week_number(dates: pd.Series, year: int) -> pd.Series:
    """Week number (see ``week_table``) of each date of ``year``."""
    import pandas as pd

    first = dt.date(year, 1, 1)
    monday = dt.datetime.combine(first - dt.timedelta(days=first.weekday()), dt.time())
    return (pd.to_datetime(dates) - monday).dt.days // 7 + 1


def weekly_counts(items: pd.DataFrame, channels: dict[str, str], year: int) -> pd.DataFrame:
    """Items per week (index 1..N as in ``week_table``) and channel (columns in order)."""
    import pandas as pd

    df = _published_dates(items, channels, year)
    counts = pd.crosstab(week_number(df["date"], year), df["channel"])
    weeks = week_table(year).index
    return counts.reindex(index=weeks, columns=list(channels), fill_value=0).astype(int)


def weekly_average(total: int, year: int) -> float:
    """Posts per 7 days over the year: total ÷ (days in the year ÷ 7)."""
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    return total / (days / 7)


def channels_by_month_figure(items: pd.DataFrame, channels: dict[str, str], agency: str,
                             year: int) -> Figure:
    """Stacked bars of items per month by channel, month total above each bar."""
    import numpy as np

    counts = monthly_counts(items, channels, year)
    fig, (ax,) = _new_figure(f"{agency}{year}年各渠道每月发布条数")
    x = np.arange(12)
    bottom = np.zeros(12, dtype=int)
    for i, (code, label) in enumerate(channels.items()):
        heights = counts[code].to_numpy()
        ax.bar(x, heights, 0.7, bottom=bottom, color=PALETTE[i % len(PALETTE)],
               label=f"{label}（全年{heights.sum()}条）")
        bottom = bottom + heights
    total = int(bottom.sum())
    if ax.containers:
        ax.bar_label(ax.containers[-1], labels=[str(v) for v in bottom], padding=3, fontsize=10)
    ax.set_title(f"全年合计{total}条", fontsize=11, color=NOTE_COLOR)
    ax.set_xticks(x, MONTH_LABELS)
    ax.set_ylabel("条数")
    ax.set_ylim(0, max(1, bottom.max()) * 1.12)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="渠道")
    if total == 0:
        _note(ax, "本年度无发布记录")
    return fig


def channels_by_week_figure(items: pd.DataFrame, channels: dict[str, str], agency: str,
                            year: int) -> Figure:
    """One panel per channel: posts per week, weekly average, and the 5-per-week line.

    Weeks are Monday–Sunday, week 1 being the week of 1 January (``week_table``).
    The first and last weeks usually have fewer than 7 days: they are drawn hatched
    and not counted among the weeks below 5. The weekly average is the year's total
    ÷ (days in the year ÷ 7).
    """
    import numpy as np
    from matplotlib.patches import Patch

    weeks = week_table(year)
    counts = weekly_counts(items, channels, year)
    n = len(channels)
    fig, axes = _new_figure(f"{agency}{year}年各渠道每周发布条数", nrows=n,
                            figsize=(11, 1.0 + 2.25 * n), sharex=True)
    x = weeks.index.to_numpy()
    full = (weeks["days"] == 7).to_numpy()
    ymax = max(WEEKLY_TARGET + 1, int(counts.to_numpy().max(initial=0))) * 1.15
    for i, (ax, (code, label)) in enumerate(zip(axes, channels.items())):
        color = PALETTE[i % len(PALETTE)]
        y = counts[code].to_numpy()
        below = full & (y < WEEKLY_TARGET)
        bars = ax.bar(x, y, 0.8, color=[WARN_COLOR if b else color for b in below])
        for bar, is_full in zip(bars, full):
            if not is_full:
                bar.set_alpha(0.45)
                bar.set_hatch("///")
        empty = below & (y == 0)  # a zero bar is invisible: mark the week on the axis
        if empty.any():
            ax.plot(x[empty], np.zeros(int(empty.sum())), linestyle="none", marker="x", markersize=5,
                    color=WARN_COLOR, clip_on=False, zorder=3)
        avg = weekly_average(int(y.sum()), year)
        ax.axhline(avg, color="black", linestyle="--", linewidth=1.2, label=f"周均 {avg:.1f} 条")
        ax.axhline(WEEKLY_TARGET, color=WARN_COLOR, linestyle=":", linewidth=1.6,
                   label=f"每周{WEEKLY_TARGET}次")
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Patch(color=WARN_COLOR, label=f"少于{WEEKLY_TARGET}条的周（×为0条）"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
                  fontsize=9)
        ax.set_title(f"{label}：全年{int(y.sum())}条，{int(below.sum())}个完整周少于{WEEKLY_TARGET}条",
                     loc="left", fontsize=11)
        ax.set_ylim(0, ymax)
        ax.set_ylabel("条数")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    ticks = [1, *range(5, len(x), 5), len(x)]
    axes[-1].set_xticks(ticks, [str(t) for t in ticks])
    axes[-1].set_xlim(0.4, len(x) + 0.6)
    axes[-1].set_xlabel("周次")
    partial = weeks[weeks["days"] < 7]
    parts = "、".join(
        f"第{w}周（{r.start.month}月{r.start.day}日—{r.end.month}月{r.end.day}日，{r.days}天）"
        for w, r in partial.iterrows()
    )
    lines = ["注：周次按周一至周日划分，第1周为1月1日所在的周；周均 = 全年条数 ÷（全年天数 ÷ 7）。"]
    if parts:
        lines.append(f"{parts}不足7天，以斜线表示，不计入少于{WEEKLY_TARGET}条的周数。")
    fig.supxlabel("\n".join(lines), fontsize=9, color=NOTE_COLOR, x=0.01, ha="left",
                  linespacing=1.6)
    return fig


def channel_charts(items: pd.DataFrame, channels: dict[str, str], agency: str, year: int,
                   out_dir: Path) -> list[Path]:
    """Write ``channels_by_month`` and ``channels_by_week`` (.png, .svg) under ``out_dir``.

    ``items``: one row per accepted published item of ``year``, columns ``channel``
    (folder code) and ``published`` (datetime64 or date). ``channels``: {code: label}
    in report order. Raises ValueError for a channel not in ``channels`` or a date
    outside ``year``.
    """
    return [
        *_write(channels_by_month_figure(items, channels, agency, year), out_dir, "channels_by_month"),
        *_write(channels_by_week_figure(items, channels, agency, year), out_dir, "channels_by_week"),
    ]


# --------------------------------------------------------------------- requests


def _requests_cells(values: pd.DataFrame) -> pd.DataFrame:
    """Table ``requests`` as a row_code × col_code grid of ints (missing cells 0)."""
    import pandas as pd

    df = values.loc[values["table"] == "requests", ["row_code", "col_code", "value"]]
    df = df.assign(value=pd.to_numeric(df["value"]).fillna(0).astype(float))
    grid = df.pivot_table(index="row_code", columns="col_code", values="value", aggfunc="sum",
                          fill_value=0.0)
    grid = grid.reindex(columns=[*APPLICANTS, "total"], fill_value=0.0).fillna(0.0)
    for (row, col), v in grid.stack().items():
        _as_int(float(v), f"申请情况表 {row}/{col}")
    return grid.round().astype(int)


def request_outcomes(values: pd.DataFrame, fmt: str) -> pd.Series:
    """The year's results (column total) by outcome group, sub-items summed, in table order.

    Raises ValueError for a result row the format ``fmt`` does not have (e.g. ``other``
    in a 2021 table) or when the groups do not add up to ``result_total``.
    """
    import pandas as pd

    groups = _outcome_groups(fmt)
    total = _requests_cells(values)["total"]
    stray = [code for code in total.index
             if code not in NON_RESULT_ROWS and not any(match(code) for match in groups.values())]
    if stray:
        raise ValueError(f"申请情况表中有 {fmt} 格式没有的行 {stray}")
    result = pd.Series({label: int(total[[c for c in total.index if match(c)]].sum())
                        for label, match in groups.items()}, name="total")
    if "result_total" in total.index and int(total["result_total"]) != int(result.sum()):
        raise ValueError(
            f"申请情况表办理结果各项之和 {int(result.sum())} 不等于（七）总计 {int(total['result_total'])}"
        )
    return result


def request_applicants(values: pd.DataFrame) -> pd.Series:
    """New requests (row ``new``) by applicant type, labelled as in the table.

    Raises ValueError when the types do not add up to the row's ``total`` cell.
    """
    import pandas as pd

    grid = _requests_cells(values)
    new = grid.loc["new"] if "new" in grid.index else pd.Series(0, index=grid.columns)
    result = pd.Series({label: int(new[code]) for code, label in APPLICANTS.items()}, name="new")
    if "new" in grid.index and int(new["total"]) not in (0, int(result.sum())):
        raise ValueError(f"本年新收申请各类申请人之和 {int(result.sum())} 不等于总计 {int(new['total'])}")
    return result


def _row_totals(values: pd.DataFrame) -> dict[str, int]:
    """Column ``total`` of rows new, carried_in and carried_out (0 when absent)."""
    total = _requests_cells(values)["total"]
    return {row: int(total.get(row, 0)) for row in ("new", "carried_in", "carried_out")}


def _no_requests_note(totals: dict[str, int], empty_text: str) -> str:
    """The note for an empty chart: no requests at all, or only none of this kind."""
    if totals["new"] == 0 and totals["carried_in"] == 0:
        return "本年度无依申请公开申请"
    return empty_text


def requests_by_outcome_figure(values: pd.DataFrame, fmt: str, agency: str, year: int) -> Figure:
    """Horizontal bars of the year's results by outcome group, value labels on the bars."""
    outcomes = request_outcomes(values, fmt)
    fig, (ax,) = _new_figure(f"{agency}{year}年依申请公开办理结果", figsize=(10, 5.2))
    bars = ax.barh(outcomes.index, outcomes.to_numpy(), 0.65, color=TOTAL_COLOR)
    ax.bar_label(bars, labels=[str(v) for v in outcomes], padding=4, fontsize=11)
    ax.invert_yaxis()  # table order from the top
    total, rows = int(outcomes.sum()), _row_totals(values)
    ax.set_title(f"办理结果合计{total}件（本年新收{rows['new']}件，上年结转{rows['carried_in']}件，"
                 f"结转下年度{rows['carried_out']}件）", fontsize=11, color=NOTE_COLOR)
    ax.set_xlabel("件数")
    ax.set_xlim(0, max(1, outcomes.max()) * 1.12)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", labelsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    if total == 0:
        _note(ax, _no_requests_note(rows, "本年度无办结的申请"))
    return fig


def requests_by_applicant_figure(values: pd.DataFrame, agency: str, year: int) -> Figure:
    """Bars of the year's new requests by applicant type, integer y ticks."""
    import numpy as np
    from matplotlib.transforms import blended_transform_factory

    applicants = request_applicants(values)
    fig, (ax,) = _new_figure(f"{agency}{year}年新收政府信息公开申请的申请人情况", figsize=(10, 5.6))
    x = np.arange(len(applicants))
    bars = ax.bar(x, applicants.to_numpy(), 0.6, color=TOTAL_COLOR)
    ax.bar_label(bars, labels=[str(v) for v in applicants], padding=3, fontsize=11)
    ax.set_xticks(x, list(applicants.index), fontsize=11)
    total = int(applicants.sum())
    ax.set_title(f"本年新收申请{total}件", fontsize=11, color=NOTE_COLOR)
    ax.set_ylabel("件数")
    ax.set_ylim(0, max(1, applicants.max()) * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    # bracket under the five organisation types, as in the table header
    orgs = [list(APPLICANTS).index(c) for c in ORG_COLS]
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    left, right = min(orgs) - 0.35, max(orgs) + 0.35
    ax.plot([left, left, right, right], [-0.09, -0.11, -0.11, -0.09], transform=trans,
            color=NOTE_COLOR, linewidth=1, clip_on=False)
    ax.text((left + right) / 2, -0.125, "法人或其他组织", transform=trans, ha="center", va="top",
            fontsize=11, color=NOTE_COLOR)
    if total == 0:
        _note(ax, _no_requests_note(_row_totals(values), "本年度无新收申请"))
    return fig


def request_charts(values: pd.DataFrame, fmt: str, agency: str, year: int,
                   out_dir: Path) -> list[Path]:
    """Write ``requests_by_outcome`` and ``requests_by_applicant`` (.png, .svg) under ``out_dir``.

    ``values``: values frame (table,row_code,col_code,value); rows of other tables are
    ignored. ``fmt``: "2019" or "2021" (decides whether （六）其他处理 is the row
    ``other`` or the rows ``other.*``). All-zero data gives charts with a centred note.
    """
    return [
        *_write(requests_by_outcome_figure(values, fmt, agency, year), out_dir, "requests_by_outcome"),
        *_write(requests_by_applicant_figure(values, agency, year), out_dir, "requests_by_applicant"),
    ]


# --------------------------------------------------------------------- year over year


def _year_colors(years: list[int]) -> dict[int, object]:
    """Earlier years in greys, lighter the older; the last year in the main colour."""
    from matplotlib import colormaps

    earlier = years[:-1]
    steps = max(1, len(earlier) - 1)
    shades = [colormaps["Greys"](0.7 - 0.4 * (len(earlier) - 1 - i) / steps) for i in range(len(earlier))]
    return {**dict(zip(earlier, shades)), years[-1]: TOTAL_COLOR}


def _pct_text(change_pct: float) -> str:
    import math

    return "" if math.isnan(change_pct) else f"{change_pct:+.1f}%"


def channels_by_year_figure(counts: pd.DataFrame, agency: str, year: int) -> Figure:
    """Grouped bars of items per channel, one bar per year; the last year's bars carry the change in %.

    ``counts``: ``compare.channel_counts`` (year, channel, 渠道, count, change, change_pct),
    the row ``total`` included; it goes into the subtitle, not into the bars.
    """
    import numpy as np

    years = sorted(int(y) for y in counts["year"].unique())
    colors = _year_colors(years)
    parts = counts[counts["channel"] != "total"]
    labels = list(dict.fromkeys(parts["渠道"]))
    fig, (ax,) = _new_figure(f"{agency}{years[0]}—{year}年各渠道发布条数", figsize=(10, 5.6))
    x = np.arange(len(labels))
    width = 0.8 / len(years)
    for i, y in enumerate(years):
        rows = parts[parts["year"] == y].set_index("渠道").reindex(labels)
        bars = ax.bar(x - 0.4 + width * (i + 0.5), rows["count"].to_numpy(), width * 0.92, color=colors[y], label=f"{y}年")
        texts = [str(int(c)) for c in rows["count"]]
        if y == year:
            texts = [f"{t}\n{_pct_text(p)}".strip() for t, p in zip(texts, rows["change_pct"])]
        ax.bar_label(bars, labels=texts, padding=2, fontsize=9)
    totals = counts[counts["channel"] == "total"].set_index("year")
    summary = "，".join(f"{y}年{int(totals.loc[y, 'count'])}条" for y in years)
    change = _pct_text(float(totals.loc[year, "change_pct"]))
    ax.set_title(f"合计：{summary}" + (f"（{year}年比上年{change}）" if change else ""), fontsize=11, color=NOTE_COLOR)
    ax.set_xticks(x, labels, fontsize=12)
    ax.set_ylabel("条数")
    ax.set_ylim(0, max(1, parts["count"].max()) * 1.2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="年度")
    fig.supxlabel("注：柱上百分比为本年比上年的增减；上年为0条时不计算百分比。", fontsize=9, color=NOTE_COLOR,
                  x=0.01, ha="left")
    return fig


def requests_by_outcome_by_year_figure(history: dict[int, tuple[str, pd.DataFrame]], agency: str, year: int) -> Figure:
    """Grouped horizontal bars of results by outcome group, one bar per year.

    ``history``: {year: (fmt, values)}. 其他处理 is the row ``other`` in the 2019 format
    and the sum of the three ``other.*`` rows in the 2021 format, so it compares.
    """
    import numpy as np
    import pandas as pd

    years = sorted(history)
    colors = _year_colors(years)
    outcomes = pd.DataFrame({y: request_outcomes(values, fmt) for y, (fmt, values) in history.items()})[years]
    fig, (ax,) = _new_figure(f"{agency}{years[0]}—{year}年依申请公开办理结果", figsize=(10, 6.2))
    y_pos = np.arange(len(outcomes.index))
    height = 0.8 / len(years)
    for i, y in enumerate(years):
        bars = ax.barh(y_pos - 0.4 + height * (i + 0.5), outcomes[y].to_numpy(), height * 0.92, color=colors[y],
                       label=f"{y}年")
        ax.bar_label(bars, labels=[str(v) for v in outcomes[y]], padding=3, fontsize=9)
    ax.set_yticks(y_pos, list(outcomes.index), fontsize=12)
    ax.invert_yaxis()  # table order from the top
    ax.set_title("办理结果合计：" + "，".join(f"{y}年{int(outcomes[y].sum())}件" for y in years),
                 fontsize=11, color=NOTE_COLOR)
    ax.set_xlabel("件数")
    ax.set_xlim(0, max(1, int(outcomes.to_numpy().max())) * 1.15)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="年度")
    if len({fmt for fmt, _ in history.values()}) > 1:
        fig.supxlabel("注：2019年版“其他处理”为一项，2021年版分为三项，图中2021年版年度的“其他处理”为三项合计。",
                      fontsize=9, color=NOTE_COLOR, x=0.01, ha="left")
    return fig


def answer_times_figure(times: dict[int, pd.DataFrame], agency: str, year: int) -> Figure:
    """One strip per year of the working days each answer took, the 20- and 40-day limits marked.

    ``times``: {year: ``workdays.answer_times`` frame} (workdays, extended, overdue).
    Equal values are stacked so every answer shows. Answers whose dates are outside
    the holiday calendar have no working days; the footnote counts them.
    """
    import numpy as np
    import pandas as pd
    from matplotlib.lines import Line2D

    from pipeline import workdays

    years = sorted(times)
    fig, (ax,) = _new_figure(f"{agency}{year}年依申请公开答复用时（工作日）", figsize=(10, 1.9 + 0.9 * len(years)))
    kinds = {
        "in_time": ("o", TOTAL_COLOR, "按期答复"),
        "extended": ("D", PALETTE[1], "已延期、按期答复"),
        "overdue": ("X", WARN_COLOR, "超过期限"),
    }
    top = 0
    for row, y in enumerate(years):
        known = times[y][times[y]["workdays"].notna()]
        days = known["workdays"].astype(int).to_numpy()
        level = pd.Series(days).groupby(days).cumcount().to_numpy()  # stack equal values
        kind = np.where(known["overdue"].astype(bool), "overdue", np.where(known["extended"], "extended", "in_time"))
        for k, (marker, color, _) in kinds.items():
            pick = kind == k
            ax.scatter(days[pick], row - 0.16 * level[pick], marker=marker, s=46, color=color, zorder=3)
        top = max(top, int(days.max(initial=0)))
    limit, extended = workdays.LIMIT, workdays.LIMIT + workdays.EXTENSION
    ax.axvline(limit, color=WARN_COLOR, linestyle="--", linewidth=1.3)
    ax.axvline(extended, color=PALETTE[1], linestyle=":", linewidth=1.6)
    ax.text(limit, 1.0, f" 法定期限{limit}个工作日", transform=ax.get_xaxis_transform(), color=WARN_COLOR,
            fontsize=9, va="bottom")
    ax.text(extended, 1.0, f" 延期后{extended}个工作日", transform=ax.get_xaxis_transform(), color=PALETTE[1],
            fontsize=9, va="bottom")
    ax.set_yticks(range(len(years)), [f"{y}年" for y in years], fontsize=12)
    ax.set_ylim(len(years) - 0.5, -0.75)
    ax.set_xlim(-1, max(extended, top) + 3)
    ax.set_xlabel("从收到申请到答复的工作日数")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(handles=[Line2D([], [], linestyle="none", marker=m, color=c, label=text) for m, c, text in kinds.values()],
              loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    this = times[year]
    known = this["workdays"].dropna()
    if len(known):
        subtitle = (f"{year}年答复{len(this)}件，用时中位数{known.median():g}个工作日，"
                    f"超期{int(this['overdue'].fillna(False).sum())}件")
    else:
        subtitle = f"{year}年答复{len(this)}件"
    ax.set_title(subtitle, fontsize=11, color=NOTE_COLOR, pad=18)
    lines = [f"注：收到申请当日为第0日，节假日不计、调休上班日计入（{workdays.calendar_text()}）；"
             f"“是否延期”为“是”的申请期限为{extended}个工作日。"]
    unknown = {y: int(t["workdays"].isna().sum()) for y, t in times.items() if t["workdays"].isna().any()}
    if unknown:
        lines.append("、".join(f"{y}年{n}件" for y, n in unknown.items())
                     + "申请的日期超出节假日日历的年份，未计算用时，图中未画出。")
    if not len(this):
        _note(ax, "本年度无答复的申请")
    fig.supxlabel("\n".join(lines), fontsize=9, color=NOTE_COLOR, x=0.01, ha="left", linespacing=1.6)
    return fig


def monthly_by_year_figure(monthly: pd.DataFrame, agency: str) -> Figure:
    """One panel per channel: items per month, one line per year (``compare.monthly`` without the total)."""
    parts = monthly[monthly["channel"] != "total"]
    labels = list(dict.fromkeys(parts["渠道"]))
    years = sorted(int(y) for y in parts["year"].unique())
    colors = _year_colors(years)
    fig, axes = _new_figure(f"{agency}{years[0]}—{years[-1]}年各渠道每月发布条数", nrows=len(labels),
                            figsize=(10, 1.2 + 2.3 * len(labels)), sharex=True)
    for ax, label in zip(axes, labels):
        for y in years:
            rows = parts[(parts["渠道"] == label) & (parts["year"] == y)].sort_values("month")
            ax.plot(rows["month"], rows["count"], marker="o", color=colors[y], linewidth=2 if y == years[-1] else 1.3,
                    label=f"{y}年")
        ax.set_title(label, loc="left", fontsize=11)
        ax.set_ylabel("条数")
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    axes[-1].set_xticks(range(1, 13), MONTH_LABELS)
    return fig


def year_over_year_charts(history: dict[int, tuple[str, pd.DataFrame]], times: dict[int, pd.DataFrame],
                          channels: dict[str, str], agency: str, year: int, out_dir: Path) -> list[Path]:
    """Write ``answer_times`` and, when ``history`` has years before ``year``, ``channels_by_year`` and
    ``requests_by_outcome_by_year`` (.png, .svg) under ``out_dir``.

    ``history``: {year: (fmt, values)} up to ``year``; ``times``: {year: ``workdays.answer_times``}.
    """
    from pipeline import compare

    written = _write(answer_times_figure(times, agency, year), out_dir, "answer_times")
    if len(history) > 1:
        written += _write(channels_by_year_figure(compare.channel_counts(history, channels), agency, year), out_dir,
                          "channels_by_year")
        written += _write(requests_by_outcome_by_year_figure(history, agency, year), out_dir,
                          "requests_by_outcome_by_year")
    return written
