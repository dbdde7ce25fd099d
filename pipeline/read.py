"""Read one input file into per-sheet frames of raw cell values, with lineage.

Every row carries `_row`, the row number Excel shows (for CSV, the 1-based line).
Header detection, merged cells, empty and totals rows are handled here; cell
values are left raw for validate.py to normalise.

Two readers give the same rows. The fast one (fastexcel) reads .xlsx/.xlsm as Arrow
text columns, vectorised. The exact one (python-calamine, or the csv module) gives
typed Python values row by row. The fast reader hands a file to the exact one
wherever it cannot be sure: formulas without a cached value, a layout the guard
could not see, and date columns where text and number cells would look alike
(tests/test_fast_read.py).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import guard, kinds
from pipeline.guard import FileError, Limits
from pipeline.kinds import Kind
from pipeline.normalise import SPACE_CLASS, TEXT
from pipeline.problems import Problem, cell_text
from pipeline.text import header_key

HEADER_SCAN_ROWS = 10
TOTALS = {"合计", "总计", "小计"}
TOTALS_MARK = "计"  # in every label of TOTALS
_COLON_SPACE = re.compile(r"[\s:：]+$|\s+")
TOTALS_NOTE = "合计/总计/小计行，不计入统计，已跳过。"


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its computed value (calamine reads it as empty); validate rejects its row."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass
class SheetFrame:
    """The data rows of one sheet: a column per kind column found, raw values, and `_row`."""

    sheet: str
    sheet_no: int
    header_row: int
    headers: dict[str, str]  # column key → header as written in the file
    frame: pd.DataFrame
    uncached: bool = False  # some cells hold an UncachedFormula


@dataclass
class ReadResult:
    frames: list[SheetFrame] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reader: str = "exact"  # or "fast"


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def match_header(cells: list, kind: Kind) -> dict[str, tuple[int, str]]:
    """Map the kind's columns to positions in a header row: own name beats alias, then leftmost."""
    keys = [header_key(c) if isinstance(c, str) else "" for c in cells]
    found: dict[str, tuple[int, str]] = {}
    for col in kind.columns:
        own = header_key(col.name)
        aliases = {header_key(a) for a in col.aliases}
        exact = [i for i, k in enumerate(keys) if k == own]
        alias = [i for i, k in enumerate(keys) if k and k in aliases]
        pick = (exact or alias or [None])[0]
        if pick is not None:
            found[col.key] = (pick, str(cells[pick]).strip())
    return found


def find_header(rows: list[list], kind: Kind) -> tuple[int, dict[str, tuple[int, str]]] | None:
    """The first row within the first 10 that has every required column of the kind."""
    for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = match_header(cells, kind)
        if all(c.key in found for c in kind.required):
            return i, found
    return None


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_totals(cells: list) -> bool:
    for value in cells:
        if not _is_empty(value):
            return isinstance(value, str) and _COLON_SPACE.sub("", value) in TOTALS
    return False


def decode_csv(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError("csv_encoding", "CSV 文件编码无法识别（既不是 UTF-8 也不是 GB18030/GBK）。请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”。") from None


def sheets(path: Path, checked: guard.Checked | None = None):
    """Yield (sheet name, rows as lists of raw values starting at A1) for every sheet of the file.

    `checked` is what guard.check found; it must have passed before calamine opens the file.
    """
    if path.suffix.lower() == ".csv":
        text = decode_csv(path.read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            rows = [list(r) for r in reader]
        except csv.Error:  # a field longer than the csv module's limit (131,072 characters)
            raise FileError("unreadable_file", f"CSV 文件第 {reader.line_num} 行格式有误（单元格内容过长，或引号不配对），无法读取。请用 Excel/WPS 打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx。") from None
        yield "", rows
        return
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise FileError("password_protected", guard.PASSWORD) from None
    except Exception as exc:  # calamine raises several error types for damaged files
        fake = "如果是从业务系统导出的 .xls（实际是网页格式），请用 Excel/WPS 打开后另存为 .xlsx。" if path.suffix.lower() == ".xls" else ""
        raise FileError("unreadable_file", f"文件已损坏或不是有效的表格文件，无法读取（{type(exc).__name__}）。请用 Excel/WPS 打开后重新另存为 .xlsx。{fake}") from None
    uncached = checked.uncached if checked else {}
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise FileError("unreadable_sheet", f"工作表“{name}”已损坏，无法读取（{type(exc).__name__}）。请用 Excel/WPS 打开后重新另存。", sheet=name) from None
        for r, c, formula in uncached.get(name, ()):
            # A row holding only such cells lies outside calamine's range: extend it so the row is not lost.
            rows.extend([] for _ in range(r + 1 - len(rows)))
            rows[r].extend("" for _ in range(c + 1 - len(rows[r])))
            rows[r][c] = UncachedFormula(formula)
        for (r0, c0), (r1, c1) in merges:
            # A merged range shows its top-left value in every cell (a date merged over several items).
            if r0 >= len(rows):
                continue
            value = rows[r0][c0] if c0 < len(rows[r0]) else ""
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                row = rows[r]
                for c in range(c0, min(c1, len(row) - 1) + 1):
                    row[c] = value
        yield name, rows


def frame_from_rows(rows: list[list], header: int, found: dict[str, tuple[int, str]], sheet: str, sheet_no: int, rel: str) -> tuple[SheetFrame, list[Problem]]:
    """Data rows below the header as a frame; empty rows dropped, totals rows dropped with a note.

    Column by column (one comprehension per column, no Python call per cell): this is
    the hot path of every read.
    """
    body = rows[header + 1:]
    positions = {key: pos for key, (pos, _) in found.items()}
    width = max((len(r) for r in body), default=0)
    # Transposed, padded with None: a CSV row or a sheet row may be shorter than the header.
    columns = list(itertools.zip_longest(*body)) if body else []
    blank = {pos: np.fromiter((v is None or (v.__class__ is str and (not v or v.isspace())) for v in columns[pos]), bool, len(body))
             if pos < width else np.ones(len(body), bool) for pos in set(positions.values())}
    empty = np.logical_and.reduce(list(blank.values())) if blank else np.ones(len(body), bool)
    # A totals row's first non-empty cell is 合计/总计/小计 (any column): only rows with a 计 anywhere are looked at.
    suspects = np.zeros(len(body), bool)
    for col in columns:
        suspects |= np.fromiter((v.__class__ is str and "计" in v for v in col), bool, len(body))
    totals = np.zeros(len(body), bool)
    notes = []
    for i in np.flatnonzero(suspects & ~empty):
        if _is_totals(body[i]):
            totals[i] = True
            notes.append(Problem("note", "totals_row", TOTALS_NOTE, file=rel, sheet=sheet, row=header + 2 + int(i), value=cell_text(next(c for c in body[i] if not _is_empty(c)))))
    keep = ~empty & ~totals
    data = {}
    for key, pos in positions.items():
        values = np.empty(len(body), object)
        if pos < width:
            values[:] = columns[pos]
            values[blank[pos]] = None
        data[key] = pd.Series(values[keep], dtype=object)
    frame = pd.DataFrame(data)
    frame["_row"] = pd.Series(np.arange(header + 2, header + 2 + len(body), dtype="int64")[keep])
    headers = {key: written for key, (_, written) in found.items()}
    return SheetFrame(sheet, sheet_no, header + 1, headers, frame), notes


def read_file(path: Path, rel: str, kind: Kind, limits: Limits = Limits(), exact: bool = False) -> ReadResult:
    """Read every sheet of one file as the given kind, once guard.check has passed it (`exact`: never the fast reader)."""
    result = ReadResult()
    seen_rows: list[tuple[str, list]] = []
    try:
        checked = guard.check(path, limits)
        if not exact and _fast_applies(path, checked):
            try:
                return _read_fast(path, rel, kind, checked)
            except _Unsure:
                pass
        for sheet_no, (sheet, rows) in enumerate(sheets(path, checked)):
            hit = find_header(rows, kind)
            if hit is None:
                seen_rows.append((sheet, rows))
                continue
            frame, notes = frame_from_rows(rows, hit[0], hit[1], sheet, sheet_no, rel)
            frame.uncached = bool(checked.uncached.get(sheet))
            result.frames.append(frame)
            result.problems.extend(notes)
    except FileError as exc:
        result.frames.clear()
        result.problems.append(Problem("error", exc.rule, exc.message, file=rel, sheet=exc.sheet))
        return result
    if result.frames:
        result.problems.extend(_without_header(rel, kind, [sheet for sheet, _ in seen_rows]))
    elif all(_is_empty(v) for _, rows in seen_rows for cells in rows for v in cells):
        result.problems.append(Problem("error", "empty_workbook", f"文件中没有任何数据（所有工作表都是空的）。请检查是否保存了错误的文件；如不需要，请删除。{kind.label}的必需列：{'、'.join(c.name for c in kind.required)}。", file=rel))
    else:
        result.problems.append(_no_header_problem(rel, kind, seen_rows))
    return result


def _without_header(rel: str, kind: Kind, sheets: list[str]) -> list[Problem]:
    """A note for each sheet without the kind's header, when another sheet had it."""
    return [Problem("note", "sheet_without_header", f"工作表前 {HEADER_SCAN_ROWS} 行中没有{kind.label}的表头（必需列：{'、'.join(c.name for c in kind.required)}），已跳过（如说明页）。", file=rel, sheet=sheet) for sheet in sheets]


class _Unsure(Exception):
    """The fast reader cannot be sure of a cell or of the layout: the exact reader reads the file."""


# A date column holding one of these is read exactly: rendered as text, a number cell and a text
# cell look alike ("43530"), so do a date cell with milliseconds and a text one, and a time-only
# cell renders as a day in 1899.
# (A yyyymmdd number reads as the same day as the text "yyyymmdd", so 8 digits are not ambiguous.)
_AMBIGUOUS_DATE = r"^\s*[+-]?(?:\d{1,7}|\d{9,}|\d*\.\d*)\s*$|^1899-12-3|:\d\d\.\d+$"
_NULL = pa.scalar(None, pa.large_string())
_MIDNIGHT = r"^(\d{4}-\d\d-\d\d) 00:00:00$"
_TOTALS_NOISE = rf"(?:{SPACE_CLASS}|[:：])+$|{SPACE_CLASS}+"  # _COLON_SPACE for RE2, whose \s is ASCII only


def _fast_applies(path: Path, checked: guard.Checked) -> bool:
    """fastexcel reads .xlsx/.xlsm; formulas without a cached value need the exact reader's markers."""
    return path.suffix.lower() in (".xlsx", ".xlsm") and bool(checked.layouts) and not checked.uncached


def _read_fast(path: Path, rel: str, kind: Kind, checked: guard.Checked) -> ReadResult:
    """Every sheet through fastexcel as Arrow text columns; header, merges, empty and totals rows vectorised."""
    import fastexcel

    result = ReadResult(reader="fast")
    seen: list[str] = []
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except Exception:  # damaged files get the exact reader's message
        raise _Unsure from None
    for sheet_no, name in enumerate(names):
        layout = checked.layouts.get(name)
        if layout is None:
            raise _Unsure
        columns = _fast_columns(reader, name, layout)
        head = _head_rows(columns, layout.first_row or 0)
        hit = find_header(head, kind)
        if hit is None:
            seen.append(name)
            continue
        frame, notes = _fast_frame(columns, layout.first_row, hit[0], hit[1], kind, name, sheet_no, rel)
        result.frames.append(frame)
        result.problems.extend(notes)
    if not result.frames:
        raise _Unsure  # the exact reader words the file's error (empty, wrong folder, header not found)
    result.problems.extend(_without_header(rel, kind, seen))
    return result


def _fast_columns(reader, name: str, layout: guard.Layout) -> dict[int, pa.Array]:
    """Sheet column index → the column's cells as text from the first row that holds a value, merges applied."""
    if layout.first_row is None:
        return {}
    try:
        sheet = reader.load_sheet(name, header_row=None, dtypes="string")
        batch = sheet.to_arrow()
        positions = [c.absolute_index for c in sheet.selected_columns]
    except Exception:
        raise _Unsure from None
    columns = {c: batch.column(i).cast(pa.large_string()) for i, c in enumerate(positions)}
    # fastexcel starts at the first row holding a value; the guard saw which row and columns that is.
    if not batch.num_rows or {c for c, arr in columns.items() if arr[0].is_valid} != layout.first_cols:
        raise _Unsure
    return _merged(columns, layout, batch.num_rows)


def _merged(columns: dict[int, pa.Array], layout: guard.Layout, n: int) -> dict[int, pa.Array]:
    """Each merged range shows its top-left value in every cell: one take per column over the source columns."""
    sources: dict[int, list[int]] = {}  # column → the columns its cells are taken from (itself first)
    index: dict[int, np.ndarray] = {}
    for (r0, c0), (r1, c1) in layout.merges:
        top, bottom = r0 - layout.first_row, min(r1 - layout.first_row, n - 1)
        if c0 not in columns or not 0 <= top < n:
            continue  # the top-left cell is empty or outside the data: nothing to spread
        for c in range(c0, c1 + 1):
            src = sources.setdefault(c, [c])
            if c0 not in src:
                src.append(c0)
            if c not in index:
                index[c] = np.arange(n)
            index[c][top:bottom + 1] = src.index(c0) * n + top
    empty = pa.nulls(n, pa.large_string())
    out = dict(columns)
    for c, src in sources.items():
        out[c] = pa.concat_arrays([columns.get(s, empty) for s in src]).take(pa.array(index[c]))
    return dict(sorted(out.items()))


def _head_rows(columns: dict[int, pa.Array], first_row: int) -> list[list]:
    """The first rows from A1 as lists of text (None: empty), as header detection and messages take them."""
    n = max(0, HEADER_SCAN_ROWS - first_row)
    cells = {c: arr.slice(0, n).to_pylist() for c, arr in columns.items()}
    height = max((len(v) for v in cells.values()), default=0)
    width = max(columns, default=-1) + 1
    return [[] for _ in range(first_row)] + [[cells[c][i] if c in cells else None for c in range(width)] for i in range(height)]


def _blank(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True).to_numpy(zero_copy_only=False)


def _fast_frame(columns, first_row: int, header: int, found, kind: Kind, sheet: str, sheet_no: int, rel: str) -> tuple[SheetFrame, list[Problem]]:
    """frame_from_rows on Arrow columns: empty rows dropped, totals rows dropped with a note."""
    start = header - first_row + 1
    data = {c: arr.slice(start) for c, arr in columns.items()}
    n = len(next(iter(data.values())))
    blank = {c: _blank(arr) for c, arr in data.items()}
    positions = {key: pos for key, (pos, _) in found.items()}
    empty = np.logical_and.reduce([blank[pos] for pos in positions.values()])
    cells = {c: pc.if_else(pa.array(blank[c]), _NULL, arr) if blank[c].any() else arr for c, arr in data.items()}  # blank → null
    first = pa.nulls(n, pa.large_string())  # the row's first non-empty cell
    for c in sorted(cells):
        first = pc.coalesce(first, cells[c])
    # The regex runs only on the cells that hold the character every totals label has (the others are null to it).
    label = pc.if_else(pc.fill_null(pc.match_substring(first, TOTALS_MARK), False), first, _NULL)
    totals = pc.fill_null(pc.is_in(pc.replace_substring_regex(label, _TOTALS_NOISE, ""), pa.array(sorted(TOTALS))), False)
    totals = totals.to_numpy(zero_copy_only=False) & ~empty
    rows = np.arange(n) + header + 2
    notes = [Problem("note", "totals_row", TOTALS_NOTE, file=rel, sheet=sheet, row=int(rows[i]), value=cell_text(first[i].as_py())) for i in np.flatnonzero(totals)]
    keep = ~empty & ~totals
    values = {key: cells[pos] if keep.all() else pc.filter(cells[pos], pa.array(keep)) for key, pos in positions.items()}
    for key in [c.key for c in kind.columns if c.date and c.key in values]:
        if pc.any(pc.match_substring_regex(values[key], _AMBIGUOUS_DATE)).as_py():
            raise _Unsure
        # python-calamine gives a date cell at midnight as a date, which a problem quotes as "2019-03-05": so here too.
        values[key] = pc.replace_substring_regex(values[key], _MIDNIGHT, r"\1")
    frame = pd.DataFrame({key: pd.Series(pd.array(arr, dtype=TEXT)) for key, arr in values.items()})
    frame["_row"] = pd.Series(rows[keep], dtype="int64")
    return SheetFrame(sheet, sheet_no, header + 1, {key: written for key, (_, written) in found.items()}, frame), notes


def _no_header_problem(rel: str, kind: Kind, seen: list[tuple[str, list]]) -> Problem:
    """No sheet had the kind's header: say which folder the file belongs in, or what was found."""
    for other in kinds.ALL:
        if other is kind:
            continue
        for sheet, rows in seen:
            if find_header(rows, other):
                where = f"{other.folder}/" if other.folder else "对应渠道的（如 website/、weibo/、wechat/）"
                return Problem("error", "wrong_folder", f"这是{other.label}，不是{kind.label}，放错了文件夹。请把它移到 {where} 文件夹。", file=rel, sheet=sheet)
    found = []
    for sheet, rows in seen:
        for cells in rows[:HEADER_SCAN_ROWS]:
            texts = [str(c).strip() for c in cells if isinstance(c, str) and c.strip()]
            if len(texts) >= 2:
                found = texts
                break
        if found:
            break
    required = "、".join(c.name for c in kind.required)
    seen_text = "、".join(found[:20]) if found else "（没有找到任何表头）"
    return Problem("error", "header_not_found", f"在任何工作表的前 {HEADER_SCAN_ROWS} 行都没有找到{kind.label}的表头。必需列：{required}；找到的表头：{seen_text}。请把表头改为必需列的名称（或其别名）。", file=rel)
