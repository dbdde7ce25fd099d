"""Vectorised cell normalisers: raw cell values → typed Series, NA where unusable.

Raw values come either as Arrow-backed text (the fast reader renders every cell as
text, see read.py) or as an object Series of Python cell values (the exact reader:
str, int/float, date/datetime, others). Object columns are split by cell type in one
pass; all parsing then runs in Arrow compute or numpy, never a Python call per cell
(except for the rare cells that need folding or are of an exotic type).

Each function returns the typed Series; whoever validates compares it with the raw
values to tell "empty" from "unreadable".
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.text import fold

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # 1900 system; serials from 61 on (past Lotus' 1900-02-29)
# Python's str.isspace() set, for RE2 (whose \s is ASCII only); titles collapse runs of these.
SPACE_CLASS = r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
# yyyy-mm-dd with an optional hh:mm:ss: how the fast reader renders a date cell, and the commonest text; parsed by position.
_ISO = r"^\d{4}-\d\d-\d\d(?: \d\d:\d\d:\d\d)?$"
# Every other accepted text form; RE2 has no backreferences, so each separator is its own branch.
_DATE_TEXT = (
    r"^(?P<y>\d{4})(?:-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})|/(?P<m2>\d{1,2})/(?P<d2>\d{1,2})|\.(?P<m3>\d{1,2})\.(?P<d3>\d{1,2})"
    r"|年(?P<m4>\d{1,2})月(?P<d4>\d{1,2})日|(?P<m5>\d\d)(?P<d5>\d\d))"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?)?$"
)
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3 "str": Arrow-backed, NaN for missing
_EMPTY = pa.scalar("", pa.large_string())


@dataclass
class _Cells:
    """One raw column split by cell type; each part is NA where the cell is of another type."""

    text: pa.Array  # strings (untrimmed)
    number: np.ndarray  # float64, NaN elsewhere
    when: np.ndarray  # datetime64[s] of date/datetime cells (time kept), NaT elsewhere
    date_only: np.ndarray  # bool: a date cell without time (written as yyyy-mm-dd by text())
    other: np.ndarray  # bool: booleans, times, formula markers: not blank, never a valid date or number
    raw: pd.Series


def _split(raw: pd.Series) -> _Cells:
    n = len(raw)
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    if raw.dtype != object:
        if pd.api.types.is_string_dtype(raw.dtype):
            return _Cells(pa.array(raw, type=pa.large_string(), from_pandas=True), np.full(n, np.nan), nat, np.zeros(n, bool), np.zeros(n, bool), raw)
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            return _Cells(pa.nulls(n, pa.large_string()), raw.to_numpy(dtype=float, na_value=np.nan), nat, np.zeros(n, bool), np.zeros(n, bool), raw)
        raw = raw.astype(object)
    types = raw.map(type)  # one pass in C: the cell type of each value
    is_text = (types == str).to_numpy()
    is_number = types.isin([int, float, np.int64, np.float64, np.int32, np.float32]).to_numpy()
    is_date = types.isin([dt.date]).to_numpy()
    is_when = is_date | types.isin([dt.datetime, pd.Timestamp]).to_numpy()
    text = pa.array(raw.where(is_text, None), type=pa.large_string(), from_pandas=True)
    number = pd.to_numeric(raw.where(is_number, np.nan), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    when = nat.copy()
    if is_when.any():
        when[is_when] = pd.to_datetime(list(raw[is_when]), errors="coerce").to_numpy().astype("datetime64[s]")
    missing = raw.isna().to_numpy()
    other = ~(is_text | is_number | is_when | missing)
    return _Cells(text, number, when, is_date, other, raw)


def _trimmed(text: pa.Array) -> pa.Array:
    """Folded and trimmed text; "" stays ""."""
    return pc.utf8_trim_whitespace(_fold(text))


def _fold(text: pa.Array) -> pa.Array:
    """text.fold on the UTF-8 bytes: full-width U+FF01–U+FF5E (EF BC 81–EF BD 9E) and U+3000 (E3 80 80) to one ASCII byte."""
    valid = pc.is_valid(text)
    text = pc.fill_null(text, "")  # nulls are put back below
    offsets, data = _utf8(text)
    if len(data) < 3:
        return text
    # 0xEF and 0xE3 are always lead bytes in UTF-8, so a match is a whole character.
    lead = np.flatnonzero((data[:-2] == 0xEF) | (data[:-2] == 0xE3))
    b, c = data[lead + 1], data[lead + 2]
    wide = data[lead] == 0xEF
    low, high = wide & (b == 0xBC) & (c >= 0x81), wide & (b == 0xBD) & (c <= 0x9E)
    ideo = ~wide & (b == 0x80) & (c == 0x80)
    hit = low | high | ideo
    at = lead[hit]
    if not len(at):
        return text
    out = data.copy()
    out[at] = np.where(low[hit], c[hit] - 0x60, np.where(high[hit], c[hit] - 0x20, 0x20))
    keep = np.ones(len(data), bool)
    keep[at + 1] = keep[at + 2] = False
    starts = offsets - offsets[0]
    shifted = starts - 2 * np.searchsorted(at, starts)  # two bytes dropped per folded character before each start
    folded = pa.LargeStringArray.from_buffers(len(text), pa.py_buffer(shifted), pa.py_buffer(out[keep].tobytes()))
    return pc.if_else(valid, folded, pa.scalar(None, pa.large_string()))


def _utf8(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A large_string array's offsets and UTF-8 bytes, as numpy views (no copy)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if data is not None else np.zeros(0, np.uint8)


def _spaced(text: pa.Array) -> np.ndarray:
    """Rows holding a character of SPACE_CLASS, found in the UTF-8 bytes: the rows a regex on spaces can change."""
    offsets, data = _utf8(text)
    at = [np.flatnonzero(((data >= 0x09) & (data <= 0x0D)) | ((data >= 0x1C) & (data <= 0x20)))]
    two = np.flatnonzero(data[:-1] == 0xC2)  # U+0085, U+00A0
    at.append(two[(data[two + 1] == 0x85) | (data[two + 1] == 0xA0)])
    three = np.flatnonzero((data[:-2] >= 0xE1) & (data[:-2] <= 0xE3))  # U+1680, U+2000-U+205F, U+3000
    lead, b, c = data[three], data[three + 1], data[three + 2]
    space = ((lead == 0xE1) & (b == 0x9A) & (c == 0x80)) | ((lead == 0xE3) & (b == 0x80) & (c == 0x80)) \
        | ((lead == 0xE2) & (b == 0x80) & ((c <= 0x8A) | (c == 0xA8) | (c == 0xA9) | (c == 0xAF))) \
        | ((lead == 0xE2) & (b == 0x81) & (c == 0x9F))
    at.append(three[space])
    rows = np.zeros(len(text), bool)
    rows[np.searchsorted(offsets - offsets[0], np.concatenate(at), side="right") - 1] = True
    return rows


def _only_where(rows: np.ndarray, change, text: pa.Array) -> pa.Array:
    """change(text) in the rows marked, text elsewhere; change sees the other rows as null, which string kernels skip."""
    if not rows.any():
        return text
    marked = pa.array(rows)
    return pc.if_else(marked, change(pc.if_else(marked, text, pa.scalar(None, text.type))), text)


def _text_series(arr: pa.Array, index) -> pd.Series:
    return pd.Series(pd.array(arr, dtype=TEXT), index=index)


def _empty_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty."""
    cells = _split(raw)
    text_blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(cells.text), ""), False).to_numpy(zero_copy_only=False)
    has_value = ~np.isnan(cells.number) | ~np.isnat(cells.when) | cells.other | pc.is_valid(cells.text).to_numpy(zero_copy_only=False)
    return pd.Series(~has_value | text_blank, index=raw.index)


def dates(raw: pd.Series) -> pd.Series:
    """Dates in every form inputs.md accepts, as datetime64[s] at midnight; NaT otherwise."""
    cells = _split(raw)
    out = cells.when.astype("datetime64[D]").astype("datetime64[s]")
    values = cells.number
    if not np.isnan(values).all():
        whole = np.floor(values) == values
        ymd = whole & (values >= 19000101) & (values <= 29991231)
        serial = ~ymd & (values >= 1) & (values < 2958466)
        if ymd.any():
            v = np.where(ymd, values, 0).astype("int64")
            out = np.where(ymd, _ymd(v // 10000, v // 100 % 100, v % 100, ymd), out)
        if serial.any():
            days = np.floor(np.where(serial, values, 0)).astype("int64").astype("timedelta64[D]")
            out = np.where(serial, (_EXCEL_EPOCH + days).astype("datetime64[s]"), out)
    if pc.any(pc.is_valid(cells.text)).as_py():
        out = np.where(np.isnat(out), _text_dates(_trimmed(cells.text)), out)
    return pd.Series(out, index=raw.index, dtype="datetime64[s]")


def _text_dates(text: pa.Array) -> np.ndarray:
    """Text dates (already folded and trimmed) → datetime64[s] at midnight, NaT where not an accepted form."""
    n = len(text)
    y, m, d, hour, minute, second = (np.full(n, -1, dtype=np.int64) for _ in range(6))  # -1: not given
    iso = pc.fill_null(pc.match_substring_regex(text, _ISO), False).to_numpy(zero_copy_only=False)
    if iso.any():
        _iso_fields(text, iso, y, m, d, hour, minute, second)
    rest = ~iso & pc.is_valid(text).to_numpy(zero_copy_only=False)
    if rest.any():
        found = pc.extract_regex(pc.filter(text, pa.array(rest)), _DATE_TEXT)  # the few other rows alone
        # A branch not taken yields "", so joining a field's branches gives the one that matched.
        other = {
            "y": pc.struct_field(found, "y"),
            "m": pc.binary_join_element_wise(*(pc.struct_field(found, f"m{i}") for i in range(1, 6)), _EMPTY),
            "d": pc.binary_join_element_wise(*(pc.struct_field(found, f"d{i}") for i in range(1, 6)), _EMPTY),
            **{k: pc.struct_field(found, k) for k in ("H", "M", "S")},
        }
        for field, key in zip((y, m, d, hour, minute, second), ("y", "m", "d", "H", "M", "S")):
            field[rest] = _int(other[key])
    time_ok = (hour < 0) | ((hour <= 23) & (minute <= 59) & (second <= 59))
    return _ymd(y, m, d, (y > 0) & time_ok)


def _iso_fields(text: pa.Array, iso: np.ndarray, *fields: np.ndarray) -> None:
    """Fill year, month, day (and hour, minute, second where given) of the rows matching _ISO, read by position.

    _ISO holds only ASCII digits and separators, so the n-th character is the n-th byte of the row.
    """
    offsets, data = _utf8(text)
    rows = np.flatnonzero(iso)
    start = offsets[rows] - offsets[0]
    timed = offsets[rows + 1] - offsets[rows] == 19

    def number(first: int, width: int, where: np.ndarray) -> np.ndarray:
        at = start[where]
        value = np.zeros(len(at), dtype=np.int64)
        for k in range(first, first + width):
            value = value * 10 + data[at + k] - 48
        return value

    for field, (first, width) in zip(fields[:3], ((0, 4), (5, 2), (8, 2))):
        field[rows] = number(first, width, slice(None))
    for field, first in zip(fields[3:], (11, 14, 17)):
        field[rows[timed]] = number(first, 2, timed)


def _int(arr: pa.Array) -> np.ndarray:
    """Digits → int64; -1 where missing or empty (regex groups that took no part)."""
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return pc.fill_null(pc.cast(arr, pa.int64()), -1).to_numpy(zero_copy_only=False)


def _ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Year, month, day numbers → datetime64[s]; impossible dates (2019-02-30) and rows not ok → NaT."""
    ok = ok & (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1) & (y <= 9999)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    ok &= d <= ((month + 1).astype("datetime64[D]") - first).astype(int)
    days = first + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    return np.where(ok, days.astype("datetime64[s]"), np.datetime64("NaT", "s"))


def text(raw: pd.Series) -> pd.Series:
    """Trimmed text; whole numbers without '.0'; NA for empty cells."""
    cells = _split(raw)
    out = _empty_to_null(pc.utf8_trim_whitespace(cells.text))
    fill = ~np.isnan(cells.number) | ~np.isnat(cells.when) | cells.other
    if fill.any():  # cells of other types in a text column are rare: write them as Python would
        values = out.to_pylist()
        for i in np.flatnonzero(fill):
            v = cells.raw.iloc[i]
            if isinstance(v, (dt.date, pd.Timestamp)):
                values[i] = v.isoformat()
            elif isinstance(v, (float, np.floating)) and float(v).is_integer():
                values[i] = str(int(v))
            else:
                values[i] = str(v).strip() or None
        out = pa.array(values, type=pa.large_string())
    return _text_series(out, raw.index)


def whole_numbers(raw: pd.Series) -> pd.Series:
    """Whole numbers (counts, years) as Int64; NA for empty or non-whole values."""
    nums = numbers(raw)
    return nums.where(nums % 1 == 0).astype("Int64")


def numbers(raw: pd.Series) -> pd.Series:
    """Numbers (amounts) as Float64; text is folded and trimmed first; NA where not a number."""
    cells = _split(raw)
    out = cells.number
    if pc.any(pc.is_valid(cells.text)).as_py():
        cleaned = pc.replace_substring(_trimmed(cells.text), ",", "")
        # Only plain decimal notation, as a clerk writes it (float() would also take "nan", "1e3", "1_0").
        plain = pc.fill_null(pc.match_substring_regex(cleaned, r"^[+-]?(?:\d+\.?\d*|\.\d+)$"), False)
        parsed = pc.cast(pc.if_else(plain, cleaned, pa.scalar(None, cleaned.type)), pa.float64())
        out = np.where(np.isnan(out), pc.fill_null(parsed, np.nan).to_numpy(zero_copy_only=False), out)
    return pd.Series(out, index=raw.index).astype("Float64")


def title_key(titles: pd.Series) -> pd.Series:
    """Titles as compared for duplicates: trimmed, half-width, single spaces."""
    text = _empty_to_null(_trimmed(_split(titles).text))  # a missing 文号 must stay missing, not match another
    # Few titles hold a space: the regex (a third of the cost of reading a title column) runs on those alone.
    collapsed = _only_where(_spaced(text), lambda t: pc.replace_substring_regex(t, SPACE_CLASS + "+", " "), text)
    return _text_series(collapsed, titles.index)


def link_key(links: pd.Series) -> pd.Series:
    """Links as compared for duplicates: no scheme, host in lower case, no trailing '/'."""
    text = _empty_to_null(_trimmed(_split(links).text))
    bare = pc.replace_substring_regex(text, r"^(?i:https?://)", "")
    upper = pc.fill_null(pc.match_substring_regex(bare, r"^[^/]*[A-Z]"), False)
    if pc.any(upper).as_py():  # a host with capitals: lower it, and it alone (the path keeps its case)
        parts = pc.extract_regex(pc.if_else(upper, bare, pa.scalar(None, bare.type)), r"^(?P<host>[^/]*)(?P<rest>(?s:.*))$")
        lowered = pc.binary_join_element_wise(pc.utf8_lower(pc.struct_field(parts, "host")), pc.struct_field(parts, "rest"), _EMPTY)
        bare = pc.if_else(upper, lowered, bare)
    slash = pc.fill_null(pc.ends_with(bare, "/"), False).to_numpy(zero_copy_only=False)
    return _text_series(_only_where(slash, lambda t: pc.replace_substring_regex(t, r"/+$", ""), bare), links.index)


def choice(raw: pd.Series, accepted: dict[str, str]) -> pd.Series:
    """Map folded, space-free text to a code through `accepted` (spelling → code); NA if unknown."""
    table = {_choice_key(k): v for k, v in accepted.items()}
    keys = pc.replace_substring_regex(_trimmed(_split(raw).text), SPACE_CLASS + "+", "")
    return _text_series(keys, raw.index).map(table).astype("str")


def _choice_key(v: str) -> str:
    return re.sub(r"\s+", "", fold(v))


def closest(value: str, options: list[str], n: int = 3) -> list[str]:
    """The accepted spellings closest to a wrong one, for the message."""
    hits = difflib.get_close_matches(_choice_key(value), options, n=n, cutoff=0.0)
    return hits
