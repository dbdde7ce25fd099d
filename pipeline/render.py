"""Render the tables of a report year: tables.csv, tables.md and 统计表.xlsx.

All three are drawn from pipeline.tables layouts; every file is written to a
temporary name beside its target and renamed into place.
"""

from __future__ import annotations

import csv
import math
import os
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from .tables import FORMATS, Col, Row, TableLayout, is_money, layout, table_names

COLUMNS = ["table", "row_code", "row_label", "col_code", "col_label", "value"]
SHEET_NAMES = {
    "channels": "渠道统计",
    "proactive": "二、主动公开",
    "requests": "三、依申请公开",
    "appeals": "四、复议诉讼",
}
_PORTRAIT = {"proactive"}  # the narrow table; the others print landscape

# Text a spreadsheet would take as the start of a formula.
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- writing


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.touch(exist_ok=False)  # exclusive create; unlike mkstemp the mode follows the umask
    try:
        yield tmp
        with open(tmp, "r+b") as f:  # flushed to disk before the rename makes it visible
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write `text` as UTF-8 with LF line ends, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def safe_text(text: str) -> str:
    """`text` for a CSV field: a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_LEAD) else text


def set_cell(cell, value) -> None:
    """Put `value` in an openpyxl cell: numbers as numbers, missing as empty, text always as a string cell."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # openpyxl refuses control characters
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
    elif value is None or pd.isna(value):
        cell.value = None
    else:
        cell.value = value


# ---------------------------------------------------------------- tidy


def tidy(values: pd.DataFrame, fmt: str, channels: dict[str, str]) -> pd.DataFrame:
    """Every cell of every table of `fmt` in layout order, labelled, with its value from `values`.

    Cells absent from `values` are 0, NA stays NA; counts must be whole and
    money is rounded to 4 decimals. A row of `values` that is not a cell of
    `fmt`, or a cell given twice, raises ValueError.
    """
    frame = pd.DataFrame(
        [
            (name, r.code, r.label, c.code, c.label)
            for name in table_names(fmt)
            for r, c in layout(name, fmt, channels).grid
        ],
        columns=COLUMNS[:-1],
    )
    keys = list(zip(frame["table"], frame["row_code"], frame["col_code"]))
    given = list(zip(values["table"], values["row_code"], values["col_code"]))
    known = set(keys)
    stray = [k for k in given if k not in known]
    if stray:
        raise ValueError(f"not cells of format {fmt}: {stray[:5]}")
    twice = [k for k, n in Counter(given).items() if n > 1]
    if twice:
        raise ValueError(f"cells given more than once: {twice[:5]}")
    found = dict(zip(given, values["value"]))
    frame["value"] = pd.array([_checked(k, found.get(k, 0)) for k in keys], dtype="Float64")
    return frame


def _checked(key: tuple[str, str, str], value) -> float | None:
    if pd.isna(value):
        return None
    value = float(value)
    table, _, col_code = key
    if not math.isfinite(value):
        raise ValueError(f"{key}: value {value} is not finite")
    if is_money(table, col_code):
        return round(value, 4)
    if not value.is_integer():
        raise ValueError(f"{key}: count {value} is not a whole number")
    return value


def _number(table: str, col_code: str, value) -> int | float | None:
    """A tidy value as written out: int for counts, float for money, None for NA."""
    if pd.isna(value):
        return None
    if is_money(table, col_code):
        return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(value)


def _number_text(number: int | float | None) -> str:
    if number is None:
        return ""
    if isinstance(number, int):
        return str(number)
    return f"{number:.4f}".rstrip("0").rstrip(".")


def _numbers(tidy_df: pd.DataFrame) -> dict[tuple[str, str, str], int | float | None]:
    return {
        (t, r, c): _number(t, c, v)
        for t, r, c, v in tidy_df[["table", "row_code", "col_code", "value"]].itertuples(index=False)
    }


def _incomplete(n_errors: int) -> str:
    return f"数据不完整：{n_errors} 处错误，详见 problems.xlsx"


def _blocks(lay: TableLayout) -> list[tuple[str | None, tuple[Row, ...], tuple[Col, ...]]]:
    """The parts printed one under another, each with its own header.

    The official table 二 prints each 第二十条 item as its own block under a
    caption row; every other table is one block.
    """
    if lay.name != "proactive":
        return [(None, lay.rows, lay.cols)]
    captions = dict.fromkeys(r.group for r in lay.rows)
    return [
        (g, tuple(r for r in lay.rows if r.group == g), tuple(c for c in lay.cols if c.parent == g))
        for g in captions
    ]


def _spans(paths: Sequence[tuple[str, ...]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """Merged label cells of a nested axis, as (first, last, level_from, level_to, text).

    Neighbours sharing a path prefix share its cell; a path's leaf stretches
    to the last level. Used for header rows (levels = rows) and for row labels
    (levels = columns).
    """
    spans = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if level >= len(path):
                i += 1
                continue
            leaf = level == len(path) - 1
            j = i
            while (
                not leaf
                and j + 1 < len(paths)
                and len(paths[j + 1]) > level + 1
                and paths[j + 1][: level + 1] == path[: level + 1]
            ):
                j += 1
            spans.append((i, j, level, depth - 1 if leaf else level, path[level]))
            i = j + 1
    return spans


def _label_depth(lay: TableLayout) -> int:
    return max(len(r.path) for r in lay.rows)


# ---------------------------------------------------------------- CSV


def write_csv(tidy_df: pd.DataFrame, path: Path | str) -> None:
    """tables.csv: UTF-8 with BOM, COLUMNS in order, counts as integers, money trimmed, NA empty."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for table, row_code, row_label, col_code, col_label, value in tidy_df[COLUMNS].itertuples(index=False):
            texts = [safe_text(t) for t in (table, row_code, row_label, col_code, col_label)]
            writer.writerow([*texts, _number_text(_number(table, col_code, value))])


# ---------------------------------------------------------------- Markdown


def markdown(tidy_df: pd.DataFrame, fmt: str, channels: dict[str, str], agency: str, year: int, n_errors: int) -> str:
    """tables.md: each table as pipe tables mirroring the official layout, flattened."""
    numbers = _numbers(tidy_df)
    out = [f"# {agency}{year}年政府信息公开工作年度报告统计表", "", f"表格格式：{FORMATS[fmt]}"]
    for name in table_names(fmt):
        lay = layout(name, fmt, channels)
        out += ["", f"## {lay.title}"]
        if n_errors > 0:
            out += ["", _incomplete(n_errors)]
        for caption, rows, cols in _blocks(lay):
            if caption:
                out += ["", f"### {caption}"]
            out += ["", *_md_block(lay, rows, cols, numbers)]
    return "\n".join(out) + "\n"


def _md_block(lay: TableLayout, rows, cols, numbers) -> list[str]:
    depth = _label_depth(lay)
    header = ([lay.corner or ""] + [""] * (depth - 1) if depth else []) + ["/".join(c.path) for c in cols]
    # A merged label shows once, on its first row, as in the printed table.
    labels = [[""] * depth for _ in rows]
    for first, _, level, _, text in _spans([r.path for r in rows], depth):
        labels[first][level] = text
    body = [
        labels[i] + [_number_text(numbers[lay.name, r.code, c.code]) for c in cols]
        for i, r in enumerate(rows)
    ]
    align = ["---"] * depth + ["---:"] * len(cols)
    return [_md_row(cells) for cells in (header, align, *body)]


def _md_row(cells: Sequence[str]) -> str:
    escaped = (c.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ") for c in cells)
    return "| " + " | ".join(escaped) + " |"


# ---------------------------------------------------------------- xlsx

# A box is one cell or merged range: (top, left, bottom, right, value, kind).
_FONT = "宋体"
_THIN = Side(style="thin")
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
_STYLES = {  # kind -> font, alignment, bordered
    "title": (Font(name=_FONT, size=14, bold=True), _CENTRED, False),
    "subtitle": (Font(name=_FONT, size=12, bold=True), Alignment(horizontal="left", vertical="center"), False),
    "warning": (Font(name=_FONT, size=11, bold=True, color="FFC00000"), Alignment(horizontal="left", vertical="center"), False),
    "head": (Font(name=_FONT, size=11, bold=True), _CENTRED, True),
    "label": (Font(name=_FONT, size=11), _LEFT, True),
    "group": (Font(name=_FONT, size=11), _CENTRED, True),
    "number": (Font(name=_FONT, size=11), Alignment(horizontal="center", vertical="center"), True),
}
# Widest a one-column box may make its column (Excel units); longer text wraps.
_WIDTH_CAPS = {"head": 12.0, "group": 18.0, "label": 40.0, "number": 40.0}
_MIN_WIDTH = 8.0
# Printable width of A4 with 0.5" margins, in Excel units: narrower tables are
# widened to it, as the official tables span the page.
_PAGE_WIDTH = {"portrait": 90.0, "landscape": 135.0}


def write_xlsx(
    tidy_df: pd.DataFrame,
    path: Path | str,
    fmt: str,
    channels: dict[str, str],
    agency: str,
    year: int,
    n_errors: int,
) -> None:
    """统计表.xlsx: one sheet per table, laid out like the official format and fit to A4."""
    numbers = _numbers(tidy_df)
    report = f"{agency}{year}年政府信息公开工作年度报告"
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{report}统计表"
    wb.properties.subject = FORMATS[fmt]
    for name in table_names(fmt):
        lay = layout(name, fmt, channels)
        ws = wb.create_sheet(SHEET_NAMES[name])
        orientation = "portrait" if name in _PORTRAIT else "landscape"
        boxes, header_rows = _sheet_boxes(lay, numbers, report, n_errors)
        _draw(ws, boxes, _PAGE_WIDTH[orientation], _label_depth(lay) + 1)
        _page_setup(ws, orientation, header_rows)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _sheet_boxes(lay: TableLayout, numbers, report: str, n_errors: int):
    """The boxes of one sheet and the header rows to repeat on each printed page (None: no single header)."""
    blocks = _blocks(lay)
    depth = _label_depth(lay)
    width = depth + max(len(cols) for _, _, cols in blocks)
    boxes = [(1, 1, 1, width, report, "title"), (2, 1, 2, width, lay.title, "subtitle")]
    if n_errors > 0:
        boxes.append((3, 1, 3, width, _incomplete(n_errors), "warning"))
    top = boxes[-1][0] + 1
    for caption, rows, cols in blocks:
        if caption:
            boxes.append((top, 1, top, width, caption, "head"))
            top += 1
        head, body = _block_boxes(lay, rows, cols, numbers, top, depth, width)
        header_rows = (top, top + head - 1)
        boxes += body
        top = max(b[2] for b in body) + 1
    # Blocks each carry their own header, so only a one-block table repeats one.
    return boxes, header_rows if len(blocks) == 1 else None


def _block_boxes(lay, rows, cols, numbers, top: int, depth: int, width: int):
    """Header and body boxes of one block starting at row `top`; returns (header row count, boxes)."""
    # The last column stretches to the sheet width, as the official table 二 does for short blocks.
    def right(j: int) -> int:
        return width if j == len(cols) - 1 else depth + j + 1

    banner = 1 if lay.banner else 0
    col_depth = max(len(c.path) for c in cols)
    head = banner + col_depth
    boxes = []
    if depth:
        boxes.append((top, 1, top + head - 1, depth, lay.corner, "head"))
    if banner:
        boxes.append((top, depth + 1, top, width, lay.banner, "head"))
    for first, last, lo, hi, text in _spans([c.path for c in cols], col_depth):
        boxes.append((top + banner + lo, depth + 1 + first, top + banner + hi, right(last), text, "head"))
    body_top = top + head
    for first, last, lo, hi, text in _spans([r.path for r in rows], depth):
        kind = "group" if last > first else "label"
        boxes.append((body_top + first, 1 + lo, body_top + last, 1 + hi, text, kind))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            boxes.append((body_top + i, depth + 1 + j, body_top + i, right(j), numbers[lay.name, r.code, c.code], "number"))
    return head, boxes


def _draw(ws, boxes, page_width: float, first_number_col: int) -> None:
    for top, left, bottom, right, value, kind in boxes:
        set_cell(ws.cell(top, left), value)
        if (top, left) != (bottom, right):
            ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        font, alignment, bordered = _STYLES[kind]
        for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
            for cell in row:
                cell.font = font
                cell.alignment = alignment
                if bordered:
                    cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    widths = _column_widths(boxes, page_width, first_number_col)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, height in _row_heights(boxes, widths).items():
        ws.row_dimensions[row].height = height


def _box_text(value) -> str:
    return value if isinstance(value, str) else _number_text(value)


def _text_width(text: str, size: float = 11) -> float:
    """Excel width units `text` takes on one line in `size`-point 宋体 (CJK characters count double)."""
    chars = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return chars * 1.1 * size / 11


def _column_widths(boxes, page_width: float, first_number_col: int) -> dict[int, float]:
    """Widths from the one-column boxes, number columns alike, then widened proportionally to `page_width`."""
    widths = {c: _MIN_WIDTH for c in range(1, max(b[3] for b in boxes) + 1)}
    for top, left, bottom, right, value, kind in boxes:
        if kind in _WIDTH_CAPS and left == right:
            want = _text_width(_box_text(value)) + 2  # + cell padding
            widths[left] = max(widths[left], min(want, _WIDTH_CAPS[kind]))
    number_width = max(w for c, w in widths.items() if c >= first_number_col)
    widths.update({c: number_width for c in widths if c >= first_number_col})
    scale = max(1.0, page_width / sum(widths.values()))
    return {c: round(w * scale, 1) for c, w in widths.items()}


def _row_heights(boxes, widths: dict[int, float]) -> dict[int, float]:
    """Heights (points) that fit each box's wrapped text, split evenly over the rows it spans."""
    heights: dict[int, float] = {}
    for top, left, bottom, right, value, kind in boxes:
        size = _STYLES[kind][0].sz
        room = sum(widths[c] for c in range(left, right + 1)) - 2
        lines = max(1, math.ceil(_text_width(_box_text(value), size) / room))
        need = (lines * size * 1.35 + 4) / (bottom - top + 1)
        for row in range(top, bottom + 1):
            heights[row] = max(heights.get(row, 0.0), round(need, 1))
    return heights


def _page_setup(ws, orientation: str, header_rows: tuple[int, int] | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.sheet_view.showGridLines = False
    if header_rows:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
