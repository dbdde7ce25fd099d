"""The official statistics tables as data, read from report_tables.yaml.

A TableLayout holds one table of one format: its rows and columns in printed
order, the label cells printed beside and above them, and the cells that
exist. render.py draws tables.csv, tables.md and 统计表.xlsx from it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path

import yaml

SPEC = Path(__file__).with_name("report_tables.yaml")

# Format code -> how the report names it.
FORMATS = {
    "2019": "2019年版格式（国办公开办函〔2019〕60号）",
    "2021": "2021年版格式（国办公开办函〔2021〕30号）",
}

# Official wording the yaml keeps only in comments: the header cell over the
# row labels, and the header spanning all number columns.
_CORNERS = {
    "channels": "渠道",
    "proactive": "信息内容",
    "requests": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
}
_BANNERS = {"requests": "申请人情况"}

# In table 三 every group other than this one sits inside it (yaml comment).
_RESULTS = "三、本年度办理结果"

# (table, col_code) holding money in 万元; every other cell is a count.
_MONEY = {("proactive", "amount")}


@dataclass(frozen=True)
class Row:
    """A printed row.

    `group` is the merged cell left of the row (requests) or the block the
    row sits in (proactive). `path` is the label cells printed left of the
    row's numbers, outermost first; empty when the official table prints no
    label (table 四).
    """

    code: str
    label: str
    group: str | None
    path: tuple[str, ...]


@dataclass(frozen=True)
class Col:
    """A printed column.

    `parent` is the outermost merged header above it (法人或其他组织,
    行政复议, 行政诉讼; for proactive, its group). `path` is the header cells
    printed above its numbers within its block, outermost first, leaf last.
    """

    code: str
    label: str
    parent: str | None
    path: tuple[str, ...]


@dataclass(frozen=True)
class TableLayout:
    """One table of one format.

    `grid` pairs every existing cell's row and column in layout order;
    `cells` is the same as (row_code, col_code). `corner` heads the row-label
    columns; `banner` spans all number columns above their headers.
    """

    name: str
    title: str
    rows: tuple[Row, ...]
    cols: tuple[Col, ...]
    grid: tuple[tuple[Row, Col], ...]
    corner: str | None = None
    banner: str | None = None
    cells: tuple[tuple[str, str], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple((r.code, c.code) for r, c in self.grid))


def is_money(table: str, col_code: str) -> bool:
    """Whether the cells of this column hold money (万元, up to 4 decimals) rather than counts."""
    return (table, col_code) in _MONEY


def table_names(fmt: str) -> list[str]:
    """The tables of format `fmt`, in report order."""
    _check_format(fmt)
    return [name for name, spec in _spec().items() if _in(spec, fmt)]


def layout(name: str, fmt: str, channels: dict[str, str]) -> TableLayout:
    """Table `name` in format `fmt`; `channels` ({folder: label}, in order) gives the rows of table channels."""
    if name not in table_names(fmt):
        raise ValueError(f"no table {name!r} in format {fmt}")
    spec = _spec()[name]
    rows, cols, grid = _BUILDERS[name](spec, fmt, channels)
    return TableLayout(
        name=name,
        title=spec["title"],
        rows=tuple(rows),
        cols=tuple(cols),
        grid=tuple(grid),
        corner=_CORNERS.get(name),
        banner=_BANNERS.get(name),
    )


@cache
def _spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))["tables"]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; expected one of {sorted(FORMATS)}")


def _in(item: dict, fmt: str) -> bool:
    """Whether a yaml table, group, row or column exists in `fmt` (all formats when it lists none)."""
    return fmt in item.get("formats", list(FORMATS))


def _channels(spec: dict, fmt: str, channels: dict[str, str]):
    total = next(r for r in spec["rows"] if r["code"] == "total")
    if total["code"] in channels:
        raise ValueError(f"channel folder {total['code']!r} clashes with the total row")
    rows = [Row(code, label, None, (label,)) for code, label in channels.items()]
    rows.append(Row(total["code"], total["label"], None, (total["label"],)))
    cols = [Col(c["code"], c["label"], None, (c["label"],)) for c in spec["cols"] if _in(c, fmt)]
    return rows, cols, product(rows, cols)


def _proactive(spec: dict, fmt: str, channels: dict[str, str]):
    rows, cols, grid = [], [], []
    for group in (g for g in spec["groups"] if _in(g, fmt)):
        label = group["label"]
        g_rows = [Row(r["code"], r["label"], label, (r["label"],)) for r in group["rows"] if _in(r, fmt)]
        g_cols = [Col(c["code"], c["label"], label, (c["label"],)) for c in group["cols"] if _in(c, fmt)]
        rows += g_rows
        cols += g_cols
        grid += product(g_rows, g_cols)
    return rows, cols, grid


def _requests(spec: dict, fmt: str, channels: dict[str, str]):
    rows = []
    for r in (r for r in spec["rows"] if _in(r, fmt)):
        group = r.get("group")
        if group is None:
            path = (r["label"],)
        elif group == _RESULTS:
            path = (group, r["label"])
        else:
            path = (_RESULTS, group, r["label"])
        rows.append(Row(r["code"], r["label"], group, path))
    cols = []
    for c in (c for c in spec["cols"] if _in(c, fmt)):
        parent = c.get("parent")
        path = (parent, c["label"]) if parent else (c["label"],)
        cols.append(Col(c["code"], c["label"], parent, path))
    return rows, cols, product(rows, cols)


def _appeals(spec: dict, fmt: str, channels: dict[str, str]):
    # The official table prints its one row without a label, hence path ().
    rows = [Row(r["code"], r["label"], None, ()) for r in spec["rows"] if _in(r, fmt)]
    cols = []
    for g in (g for g in spec["col_groups"] if _in(g, fmt)):
        for c in (c for c in spec["cols"] if _in(c, fmt)):
            outer = (g["parent"],) if "parent" in g else ()
            path = (*outer, g["label"], c["label"])
            cols.append(Col(f"{g['code']}.{c['code']}", "/".join(path), path[0], path))
    return rows, cols, product(rows, cols)


_BUILDERS = {
    "channels": _channels,
    "proactive": _proactive,
    "requests": _requests,
    "appeals": _appeals,
}
