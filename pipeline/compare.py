"""Year-over-year comparison of the report tables, and the cross-year plausibility checks.

A *history* is ``{year: (fmt, values)}`` as ``run._aggregate`` builds it (values
frame: table,row_code,col_code,value). Each year's cells are compared with the
same quantity of the year before. Within one format every cell has its
counterpart. Across the 2019 → 2021 format change:

- table 三: every row compares except the three sub-items of （六）其他处理
  (2021 only); the 2019 row ``other`` compares with their sum, shown as the
  extra row “（六）其他处理（三项合计）”;
- table 二: 本年新制作数量 (2019, ``made``) ≙ 本年制发件数 (2021, ``issued``);
  处理决定数量 compares; 本年新公开数量/对外公开总数量 (2019) and 本年废止件数/
  现行有效件数 (2021) count different things; 上一年项目数量/本年增减, 其他对外管理
  服务事项 and 政府集中采购 exist only in 2019, 收费金额 only in 2021;
- tables 四 and channels are the same in both formats.

What does not compare says why, in Chinese, in the column ``说明``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.problems import Problem

OTHER_2021 = ("other.no_correction", "other.no_fee", "other.other")
OTHER_SUM_LABEL = "（六）其他处理（三项合计）"
# Codes that name the same quantity in the two formats, mapped to one key.
SAME_QUANTITY = {"made": "issued"}
MONTHS = [f"m{m:02d}" for m in range(1, 13)]
WAREHOUSE_ENV = "PIPELINE_WAREHOUSE"

# 说明 for quantities that compare across the format change although they are
# written differently. Keyed by (table, row_code or None, col_code or None).
CHANGED = {
    ("requests", "other", None): "2019年版“（六）其他处理”为一项，2021年版分为三项；按三项合计与2019年版比较。",
    **{("proactive", None, col): "2019年版“本年新制作数量”与2021年版“本年制发件数”都统计本年制发的件数，可比。"
       for col in ("made", "issued")},
    ("proactive", "normative_docs", None): "2021年版改称“行政规范性文件”，范围相同。",
    ("proactive", None, "decisions"): "2021年版改称“本年处理决定数量”，口径相同。",
}
# 说明 for quantities of only one format: why they do not compare.
NOT_COMPARABLE = {
    **{("requests", row, None): f"不可比：2019年版“其他处理”不分细项，只能比较三项合计（见“{OTHER_SUM_LABEL}”行）。"
       for row in OTHER_2021},
    ("proactive", "other_services", None): "不可比：2021年版不再单列“其他对外管理服务事项”。",
    ("proactive", "procurement", None): "不可比：2021年版不再统计政府集中采购。",
    ("proactive", "fees", "amount"): "不可比：2019年版行政事业性收费只统计项目数量，2021年版改为本年收费金额（万元）。",
    **{("proactive", None, col): "不可比：2021年版不再统计“上一年项目数量”和“本年增/减”。" for col in ("prev_items", "change")},
    **{("proactive", None, col): "不可比：2019年版统计“本年新公开数量”“对外公开总数量”，2021年版改为“本年废止件数”“现行有效件数”，口径不同。"
       for col in ("published", "total_published", "repealed", "in_force")},
}
COLUMNS = ["year", "table", "row_code", "row_label", "col_code", "col_label", "value", "prev_value",
           "change", "change_pct", "说明"]


@dataclass(frozen=True)
class Measure:
    """One compared quantity of a format: a cell, or the sum of several (其他处理 in 2021)."""

    row_code: str
    col_code: str
    row_label: str
    col_label: str
    cells: tuple[tuple[str, str], ...]

    @property
    def key(self) -> tuple[str, str]:
        return self.row_code, SAME_QUANTITY.get(self.col_code, self.col_code)


def measures(table: str, fmt: str, channels: dict[str, str]) -> list[Measure]:
    """The quantities of ``table`` in ``fmt``, in layout order (2021 table 三 adds the 其他处理 sum after its items)."""
    from pipeline import tables

    lay = tables.layout(table, fmt, channels)
    out = [Measure(r.code, c.code, r.label, c.label, ((r.code, c.code),)) for r, c in lay.grid]
    if table == "requests" and fmt == "2021":
        at = max(i for i, m in enumerate(out) if m.row_code in OTHER_2021) + 1
        out[at:at] = [Measure("other", c.code, OTHER_SUM_LABEL, c.label, tuple((r, c.code) for r in OTHER_2021))
                      for c in lay.cols]
    return out


def _note(notes: dict, table: str, row: str, col: str) -> str:
    """The notes that apply to a cell, most specific first, joined."""
    found = [notes.get(k) for k in ((table, row, col), (table, row, None), (table, None, col))]
    return "".join(dict.fromkeys(n for n in found if n))


def _cells(fmt: str, values: pd.DataFrame, channels: dict[str, str]) -> dict[tuple[str, str, str], float]:
    """Every cell of the format (absent cells 0, cells the rules leave empty NaN)."""
    from pipeline import render

    full = render.tidy(values, fmt, channels)
    return {(t, r, c): (math.nan if pd.isna(v) else float(v))
            for t, r, c, v in full[["table", "row_code", "col_code", "value"]].itertuples(index=False)}


def _total(cells: dict, table: str, m: Measure) -> float:
    return sum(cells[(table, r, c)] for r, c in m.cells)


def compare_table(history: dict[int, tuple[str, pd.DataFrame]], table: str, channels: dict[str, str]) -> pd.DataFrame:
    """Every quantity of ``table`` per year with the year before: value, prev_value, change, change_pct, 说明.

    The year before is ``year - 1`` (empty when it is not in ``history``).
    change_pct is in percent, one decimal, empty unless the year before is above 0.
    """
    cells = {y: _cells(fmt, values, channels) for y, (fmt, values) in history.items()}
    records = []
    for year, (fmt, _) in sorted(history.items()):
        prev = history.get(year - 1)
        before = {m.key: m for m in measures(table, prev[0], channels)} if prev else {}
        for m in measures(table, fmt, channels):
            value = _total(cells[year], table, m)
            counterpart = before.get(m.key)
            if prev is None:
                prev_value, note = math.nan, f"没有{year - 1}年的数据"
            elif counterpart is None:
                prev_value = math.nan
                note = _note(NOT_COMPARABLE, table, m.row_code, m.col_code) or f"不可比：{year - 1}年的统计表没有此项。"
            else:
                prev_value = _total(cells[year - 1], table, counterpart)
                note = "" if prev[0] == fmt else _note(CHANGED, table, m.row_code, m.col_code)
            change = value - prev_value
            pct = round(change / prev_value * 100, 1) if prev_value > 0 else math.nan  # 本年增/减 may be negative
            records.append((year, table, m.row_code, m.row_label, m.col_code, m.col_label, value, prev_value,
                            change, pct, note))
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def wide(compared: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per quantity, one column per year, then 增减, 增减% and 说明 of ``year`` (default the last)."""
    year = year or int(compared["year"].max())
    keys = ["row_code", "quantity"]
    compared = compared.assign(quantity=compared["col_code"].map(lambda c: SAME_QUANTITY.get(c, c)))
    order = compared.loc[compared["year"] == year, [*keys, "row_label", "col_label"]]
    values = compared.pivot_table(index=keys, columns="year", values="value", aggfunc="first", dropna=False)
    values.columns = [f"{y}年" for y in values.columns]
    last = compared.loc[compared["year"] == year, [*keys, "change", "change_pct", "说明"]]
    last = last.rename(columns={"change": "增减", "change_pct": "增减%"})
    out = order.merge(values.reset_index(), on=keys, how="left").merge(last, on=keys)
    return out.rename(columns={"row_label": "行", "col_label": "列"}).set_index(["行", "列"]).drop(columns=keys)


def channel_counts(history: dict[int, tuple[str, pd.DataFrame]], channels: dict[str, str]) -> pd.DataFrame:
    """Items per channel and year with change: year, channel, 渠道, count, change, change_pct."""
    rows = compare_table(history, "channels", channels)
    rows = rows[rows["col_code"] == "count"]
    return pd.DataFrame({
        "year": rows["year"], "channel": rows["row_code"], "渠道": rows["row_label"],
        "count": rows["value"].astype(int), "change": rows["change"], "change_pct": rows["change_pct"],
    }).reset_index(drop=True)


def monthly(history: dict[int, tuple[str, pd.DataFrame]], channels: dict[str, str]) -> pd.DataFrame:
    """Items per channel, year and month: year, channel, 渠道, month (1–12), count."""
    rows = compare_table(history, "channels", channels)
    rows = rows[rows["col_code"].isin(MONTHS)]
    return pd.DataFrame({
        "year": rows["year"], "channel": rows["row_code"], "渠道": rows["row_label"],
        "month": rows["col_code"].str[1:].astype(int), "count": rows["value"].astype(int),
    }).reset_index(drop=True)


def notes(compared: pd.DataFrame) -> list[str]:
    """The distinct 说明 of a comparison, in order: what compares only with care, and what does not."""
    return list(dict.fromkeys(n for n in compared["说明"] if n))


def open_warehouse(root: Path):
    """Read-only connection to the warehouse named by $PIPELINE_WAREHOUSE, and root's pipeline.toml.

    The default is data/processed/warehouse.duckdb; a relative path is taken from ``root``
    (the project folder). Returns (connection, config).
    """
    from pipeline import config, load

    path = Path(os.environ.get(WAREHOUSE_ENV, "data/processed/warehouse.duckdb"))
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise FileNotFoundError(f"找不到数据仓库 {path}：请先运行 pipeline run，或用环境变量 {WAREHOUSE_ENV} 指定位置。")
    return load.connect(path, read_only=True), config.load(root / "pipeline.toml")


def history(con, cfg, years: list[int] | None = None) -> dict[int, tuple[str, pd.DataFrame]]:
    """``{year: (fmt, values)}`` from the warehouse for ``years`` (default every report year)."""
    from pipeline import aggregate

    chosen = aggregate.report_years(con) if years is None else years
    return {y: (cfg.format_for(y), aggregate.table_values(con, y, cfg.format_for(y), cfg.channels)) for y in chosen}


# --------------------------------------------------------------------- cross-year checks


def carry_over_problems(prev_year: int, prev_values: pd.DataFrame, year: int, values: pd.DataFrame) -> list[Problem]:
    """carry_over_mismatch: this year's carried_in ≠ last year's carried_out in a column of table 三."""
    from pipeline import tables

    def row(values: pd.DataFrame, code: str) -> dict[str, float]:
        part = values[(values["table"] == "requests") & (values["row_code"] == code)]
        return {c: float(v) for c, v in zip(part["col_code"], part["value"]) if not pd.isna(v)}

    carried_in, carried_out = row(values, "carried_in"), row(prev_values, "carried_out")
    out = []
    for col in tables.layout("requests", "2021", {}).cols:  # the columns are the same in both formats
        now, before = carried_in.get(col.code, 0.0), carried_out.get(col.code, 0.0)
        if now != before:
            out.append(Problem(
                "warning", "carry_over_mismatch",
                f"{year}年表三“二、上年结转政府信息公开申请数量”的“{col.label}”列为 {now:g}，"
                f"而{prev_year}年表三“四、结转下年度继续办理”的同一列为 {before:g}，两者应相等。"
                f"请核对跨年度办理的申请在两年台账中的申请编号、收到日期和答复日期。",
                column=col.label, value=f"{prev_year}年 {before:g} / {year}年 {now:g}",
            ))
    return out


def identical_problems(prev_year: int, prev: tuple[str, pd.DataFrame], year: int, cur: tuple[str, pd.DataFrame],
                       channels: dict[str, str]) -> list[Problem]:
    """identical_to_last_year: a table whose every cell equals last year's.

    Only tables with the same cells in both years' formats, and not when every
    cell is 0 or empty: a township with no appeals reports the same all-zero
    table 四 every year, which is normal.
    """
    from pipeline import tables

    before, now = _cells(*prev, channels), _cells(*cur, channels)
    out = []
    for name in tables.table_names(cur[0]):
        mine = {k: v for k, v in now.items() if k[0] == name}
        theirs = {k: v for k, v in before.items() if k[0] == name}
        if mine.keys() != theirs.keys() or all(v == 0 or math.isnan(v) for v in mine.values()):
            continue
        if all(v == theirs[k] or (math.isnan(v) and math.isnan(theirs[k])) for k, v in mine.items()):
            title = tables.layout(name, cur[0], channels).title
            out.append(Problem(
                "warning", "identical_to_last_year",
                f"{year}年“{title}”的每个数字都与{prev_year}年完全相同。国家年报格式把“内容雷同”列为问题；"
                f"请核对是否沿用了上一年的数据。",
                value=title,
            ))
    return out


def cross_year_problems(con, cfg, per_year: dict[int, tuple[str, pd.DataFrame]]) -> list[Problem]:
    """The cross-year checks for every year of the run whose previous year has data in the warehouse."""
    from pipeline import aggregate

    with_data = set(aggregate.report_years(con))
    out = []
    for year, cur in sorted(per_year.items()):
        if year not in with_data or year - 1 not in with_data:
            continue
        prev = per_year.get(year - 1) or history(con, cfg, [year - 1])[year - 1]
        out += carry_over_problems(year - 1, prev[1], year, cur[1])
        out += identical_problems(year - 1, prev, year, cur, cfg.channels)
    return out
