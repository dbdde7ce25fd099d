"""Vectorised cell normalisers: raw cell values (object Series) → typed Series, NA where unusable.

Each function returns the typed Series; whoever validates compares it with the raw
values to tell "empty" from "unreadable".
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np
import pandas as pd

from pipeline.text import fold, squash

_TIME = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
_DATE_TEXT = re.compile(
    r"^(?:(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2}))" + _TIME + r"$"
)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # 1900 system; serials from 61 on (past Lotus' 1900-02-29)


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty."""
    return raw.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()), na_action=None).astype(bool)


def dates(raw: pd.Series) -> pd.Series:
    """Dates in every form inputs.md accepts, as datetime64[s] at midnight; NaT otherwise."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    kind = raw.map(_date_kind)
    obj = kind == "date"
    if obj.any():
        out[obj] = pd.to_datetime([dt.datetime(v.year, v.month, v.day) for v in raw[obj]]).astype("datetime64[s]")
    num = kind == "number"
    if num.any():
        values = raw[num].astype(float)
        ymd = (values >= 19000101) & (values <= 29991231) & (values % 1 == 0)
        out[num] = _combine(values.where(ymd) // 10000, values.where(ymd) // 100 % 100, values.where(ymd) % 100)
        serial = ~ymd & (values >= 1) & (values < 2958466)
        if serial.any():
            days = np.floor(values[serial].to_numpy()).astype("int64")
            out.loc[serial[serial].index] = (_EXCEL_EPOCH + days.astype("timedelta64[D]")).astype("datetime64[s]")
    txt = kind == "text"
    if txt.any():
        parts = raw[txt].map(lambda v: fold(v).strip()).str.extract(_DATE_TEXT)
        y = parts["y1"].fillna(parts["y2"]).fillna(parts["y3"])
        m = parts["m1"].fillna(parts["m2"]).fillna(parts["m3"])
        d = parts["d1"].fillna(parts["d2"]).fillna(parts["d3"])
        h, mi, s = (pd.to_numeric(parts[c]) for c in ("H", "M", "S"))
        time_ok = (h.isna() | ((h <= 23) & (mi <= 59) & (s.isna() | (s <= 59))))
        combined = _combine(pd.to_numeric(y), pd.to_numeric(m), pd.to_numeric(d))
        out[txt] = combined.where(time_ok)
    return out


def _date_kind(v) -> str:
    if isinstance(v, (dt.date, pd.Timestamp)):  # datetime is a date subclass
        return "date"
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return "number" if not np.isnan(v) else "none"
    if isinstance(v, str):
        return "text"
    return "none"


def _combine(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    """Year, month, day numbers → datetime64[s]; impossible dates (2019-02-30) → NaT."""
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[s]")


def text(raw: pd.Series) -> pd.Series:
    """Trimmed text; whole numbers without '.0'; NA for empty cells."""
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (dt.datetime, dt.date)):
            return v.isoformat()
        s = str(v).strip()
        return s or None

    return raw.map(one).astype("str")


def whole_numbers(raw: pd.Series) -> pd.Series:
    """Whole numbers (counts, years) as Int64; NA for empty or non-whole values."""
    nums = numbers(raw)
    return nums.where(nums % 1 == 0).astype("Int64")


def numbers(raw: pd.Series) -> pd.Series:
    """Numbers (amounts) as Float64; text is folded and trimmed first; NA where not a number."""
    def one(v):
        if isinstance(v, bool) or v is None:
            return None
        if isinstance(v, (int, float, np.integer, np.floating)):
            return None if np.isnan(v) else float(v)
        if isinstance(v, str):
            s = fold(v).strip().replace(",", "")
            try:
                return float(s) if s else None
            except ValueError:
                return None
        return None

    return raw.map(one).astype("Float64")


def title_key(titles: pd.Series) -> pd.Series:
    """Titles as compared for duplicates: trimmed, half-width, single spaces."""
    return titles.map(lambda t: squash(t) if isinstance(t, str) else None).astype("str")


def link_key(links: pd.Series) -> pd.Series:
    """Links as compared for duplicates: no scheme, host in lower case, no trailing '/'."""
    def one(u):
        if not isinstance(u, str) or not u.strip():
            return None
        s = fold(u).strip()
        s = re.sub(r"^https?://", "", s, flags=re.I)
        host, slash, rest = s.partition("/")
        return (host.lower() + slash + rest).rstrip("/")

    return links.map(one).astype("str")


def choice(raw: pd.Series, accepted: dict[str, str]) -> pd.Series:
    """Map folded, space-free text to a code through `accepted` (spelling → code); NA if unknown."""
    table = {_choice_key(k): v for k, v in accepted.items()}
    return raw.map(lambda v: table.get(_choice_key(v)) if isinstance(v, str) else None).astype("str")


def _choice_key(v: str) -> str:
    return re.sub(r"\s+", "", fold(v))


def closest(value: str, options: list[str], n: int = 3) -> list[str]:
    """The accepted spellings closest to a wrong one, for the message."""
    hits = difflib.get_close_matches(_choice_key(value), options, n=n, cutoff=0.0)
    return hits
