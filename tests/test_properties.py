"""Property tests: any date text, header spelling or cell content gives the documented value or a located problem.

Never an exception: the readers and normalisers meet every input with a value, NA, or a
problem naming the file, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import kinds
from pipeline import normalise as nz
from pipeline.discover import FileEntry, sha256
from pipeline.read import match_header
from pipeline.run import parse_file

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789-/.:T"}


def parsed_date(text) -> dt.date | None:
    value = nz.dates(pd.Series([text], dtype=object)).iloc[0]
    return None if pd.isna(value) else value.date()


# --- dates -----------------------------------------------------------------------


@st.composite
def date_texts(draw):
    """Text in the documented date grammar (inputs.md), with the date it means, or None for an impossible one."""
    y, m, d = draw(st.integers(1900, 2999)), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    form = draw(st.sampled_from(["-", "/", ".", "年月日", "compact"]))
    pad = draw(st.booleans()) or form == "compact"
    mm, dd = (f"{m:02d}", f"{d:02d}") if pad else (str(m), str(d))
    if form == "compact":
        text = f"{y}{mm}{dd}"
    elif form == "年月日":
        text = f"{y}年{mm}月{dd}日"
    else:
        text = f"{y}{form}{mm}{form}{dd}"
    hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.none() | st.integers(0, 61))
    timed = draw(st.booleans())
    if timed:
        text += draw(st.sampled_from([" ", "T"])) + f"{hour:02d}:{minute:02d}" + ("" if second is None else f":{second:02d}")
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH.get(c, c) for c in text)
    text = draw(st.sampled_from(["", " ", "\u3000"])) + text + draw(st.sampled_from(["", " "]))
    try:
        day = dt.date(y, m, d)
    except ValueError:
        day = None
    if m > 12 or (timed and (hour > 23 or minute > 59 or (second or 0) > 59)):
        day = None
    return text, day


@SETTINGS
@given(date_texts())
def test_date_text_in_the_grammar_parses_to_its_date_or_is_rejected(case):
    text, day = case
    assert parsed_date(text) == day


@SETTINGS
@given(st.text(max_size=40))
def test_any_text_is_a_date_or_nat(text):
    value = nz.dates(pd.Series([text], dtype=object)).iloc[0]
    assert pd.isna(value) or isinstance(value, pd.Timestamp)


CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)),
)


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.text(max_size=30), st.text(" \t\u3000\u00a0\u2003\u205f“”—《》、a标", max_size=12)), max_size=20))
def test_title_key_is_the_space_regex_on_every_row(values):
    # title_key runs its regex only on the rows nz._spaced marks: that must change no row's result.
    text = nz._empty_to_null(nz._trimmed(nz._split(pd.Series(values, dtype=object)).text))
    expected = pc.replace_substring_regex(text, nz.SPACE_CLASS + "+", " ").to_pylist()
    assert [None if pd.isna(v) else v for v in nz.title_key(pd.Series(values, dtype=object))] == expected


@SETTINGS
@given(st.lists(CELLS, max_size=20))
def test_normalisers_take_any_cell_values(values):
    raw = pd.Series(values, dtype=object)
    for fn in (nz.dates, nz.text, nz.numbers, nz.whole_numbers, nz.is_blank):
        out = fn(raw)
        assert len(out) == len(raw) and list(out.index) == list(raw.index)
    whole = nz.whole_numbers(raw)
    assert all(pd.isna(v) or float(v).is_integer() for v in whole)
    numbers = nz.numbers(raw)
    for v, n in zip(values, numbers):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            assert n == float(v)


# --- header spellings ----------------------------------------------------------------


@st.composite
def spellings(draw):
    """A column of some kind and one way a clerk may write its name or an alias."""
    kind = draw(st.sampled_from(kinds.ALL))
    column = draw(st.sampled_from(kind.columns))
    name = draw(st.sampled_from([column.name, *column.aliases]))
    out = ""
    for ch in name:
        out += draw(st.sampled_from(["", "", " ", "\u3000", "\t"]))
        if ch.isascii() and ch.isalpha():
            ch = draw(st.sampled_from([ch.lower(), ch.upper(), chr(ord(ch.upper()) + 0xFEE0)]))
        elif "\uff01" <= chr(ord(ch) + 0xFEE0) <= "\uff5e" and draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)
        out += ch
    out += draw(st.sampled_from(["", " ", "*", "＊", " *"]))
    return kind, column, out


@SETTINGS
@given(spellings())
def test_any_documented_spelling_of_a_header_matches_its_column(case):
    kind, column, header = case
    found = match_header(["序号", header, "备注"], kind)
    assert found[column.key] == (1, header.strip())


@SETTINGS
@given(spellings(), st.sampled_from(["新", "原", "X", "的"]))
def test_a_header_containing_a_name_is_not_that_column(case, extra):
    kind, column, header = case
    found = match_header([extra + header], kind)
    assert column.key not in found or header_of(kind, extra + header)


def header_of(kind, header) -> bool:
    """Whether `header` is itself, after folding, the name or an alias of some column of the kind."""
    from pipeline.text import header_key

    return any(header_key(header) in {header_key(n) for n in (c.name, *c.aliases)} for c in kind.columns)


# --- whole files with random cells ----------------------------------------------------

TEXT = st.one_of(st.text(max_size=20), st.sampled_from(["合计", "小计：", " 总计 ", "=SUM(A1)", "2019-13-01", "2019/2/29", "2020年2月29日", "１２"]))
FILE_CELLS = st.one_of(st.none(), TEXT, st.integers(-10**9, 10**9), st.floats(-1e12, 1e12, allow_nan=False), st.dates(dt.date(1900, 3, 1), dt.date(2999, 12, 31)))
ROWS = st.lists(st.tuples(FILE_CELLS, FILE_CELLS, FILE_CELLS), min_size=1, max_size=12)


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def write_xlsx(path: Path, rows) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("发布记录")
    when = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["发布日期", "标题", "备注"])
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), when)
            elif v is not None:
                ws.write_number(r, c, v)
    wb.close()


def write_csv(path: Path, rows) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["发布日期", "标题", "备注"], *[["" if v is None else str(v) for v in row] for row in rows]])


def check_every_row_accounted(path: Path, rel: str, rows, as_written) -> None:
    entry = FileEntry(path, rel, "publication", "website", path.stat().st_size, sha256(path))
    result = parse_file(entry)
    assert all(p.file == rel for p in result.problems)
    accepted = set() if result.rows is None else set(result.rows["excel_row"])
    flagged = {p.row for p in result.problems if p.row is not None}
    for excel_row, row in enumerate(as_written, start=2):
        if blank(row[0]) and blank(row[1]):
            assert excel_row not in accepted
            continue
        # A data row is accepted, or has a problem (an error, or the note of a totals row) on its own row.
        assert (excel_row in accepted) != (excel_row in flagged), (excel_row, row, result.problems)
    errors = {p.row for p in result.problems if p.severity == "error"}
    assert result.rejected == len(errors)
    assert not [p for p in result.problems if p.row is None and p.severity == "error"]


@SETTINGS
@given(ROWS)
def test_random_cells_in_an_xlsx_are_read_or_located(rows):
    # What calamine gives back for these values is what a clerk's file holds; text stays text.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "log.xlsx")
        write_xlsx(path, rows)
        as_written = [[None if isinstance(v, str) and v == "" else v for v in row] for row in rows]
        check_every_row_accounted(path, "website/log.xlsx", rows, as_written)


@SETTINGS
@given(ROWS)
def test_random_cells_in_a_csv_are_read_or_located(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "log.csv")
        write_csv(path, rows)
        as_written = [["" if v is None else str(v) for v in row] for row in rows]
        check_every_row_accounted(path, "website/log.csv", rows, as_written)
