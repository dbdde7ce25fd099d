"""Answer-time compliance: working days from receipt to answer of each request.

Counting rule (《政府信息公开条例》第三十三条, "自收到申请之日起20个工作日内"):
the day of receipt is day 0; every later day up to and including the day of
the answer counts 1 when it is a working day. Working days are Monday to Friday
except public holidays, plus the weekend days the State Council declares
working days (调休上班), from the package chinese-calendar. An answer on the day
of receipt takes 0 working days. The limit is 20 working days; with 是否延期 =
是 (an approved extension of at most 20 working days) it is 40. A request over
its limit is a warning located at the listing that gave the answer. Time the
law does not count (补正, 征求第三方意见, 缴费) is not in the registers, so the
warning says to check such a request by hand.

chinese-calendar covers only the years whose holiday notices it ships (2004–2026
in 1.11.0). When the receipt or the answer falls outside them, the working days
are not counted (left empty) and the request gets a note instead.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.problems import Problem

LIMIT = 20  # working days, 第三十三条第二款
EXTENSION = 20  # at most this many more with approval
CSV_COLUMNS = ["申请编号", "收到日期", "答复日期", "工作日", "是否延期", "期限", "是否超期"]


@cache
def calendar_years() -> tuple[int, int]:
    """First and last year the installed chinese-calendar has official holidays for."""
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays]
    return min(years), max(years)


def calendar_text() -> str:
    """What the calendar covers, for notes and charts."""
    import chinese_calendar

    first, last = calendar_years()
    return f"节假日日历 chinese-calendar {chinese_calendar.__version__} 覆盖 {first}—{last} 年"


def working_days(received: dt.date, answered: dt.date) -> int | None:
    """Working days after ``received`` up to and including ``answered``; None outside the calendar's years."""
    frame = pd.DataFrame({"received": [received], "answered": [answered], "extended": [False]})
    days = assess(frame)["workdays"].iloc[0]
    return None if pd.isna(days) else int(days)


def assess(requests: pd.DataFrame) -> pd.DataFrame:
    """Add ``workdays`` (Int64, NA outside the calendar), ``limit`` and ``overdue`` (boolean, NA when unknown).

    ``requests`` has columns received, answered (dates) and extended (bool).
    """
    import numpy as np

    start, counted = _workday_counts()
    received = (pd.to_datetime(requests["received"]).to_numpy().astype("datetime64[D]") - start).astype(int)
    answered = (pd.to_datetime(requests["answered"]).to_numpy().astype("datetime64[D]") - start).astype(int)
    if (answered < received).any():
        first = int((answered < received).argmax())
        raise ValueError(f"答复日期 {requests['answered'].iloc[first]} 早于收到日期 {requests['received'].iloc[first]}")
    inside = (received >= 0) & (answered < len(counted) - 1)
    # workdays in (received, answered]: counted[k] is the number of workdays before day k
    days = counted[np.clip(answered, -1, len(counted) - 2) + 1] - counted[np.clip(received, -1, len(counted) - 2) + 1]
    out = requests.assign(workdays=pd.Series(days, index=requests.index, dtype="Int64").where(inside))
    out["limit"] = [LIMIT + EXTENSION if e else LIMIT for e in out["extended"]]
    out["overdue"] = (out["workdays"] > out["limit"]).astype("boolean")
    return out


@cache
def _workday_counts():
    """First day of the calendar and the running count of workdays from it.

    chinese_calendar's rule (is_workday), applied to every day at once: an adjusted
    workday, or Monday to Friday and not a holiday.
    """
    import numpy as np
    from chinese_calendar import constants

    first, last = calendar_years()
    days = np.arange(np.datetime64(f"{first}-01-01"), np.datetime64(f"{last + 1}-01-01"))
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday: Monday is 0

    def listed(dates) -> np.ndarray:
        return np.isin(days, np.array(sorted(dates), dtype="datetime64[D]"))

    flags = listed(constants.workdays) | ((weekday <= 4) & ~listed(constants.holidays))
    return days[0], np.concatenate([[0], np.cumsum(flags)])


def answer_times(con, year: int) -> pd.DataFrame:
    """The requests answered in ``year`` with their working days, limit and whether overdue.

    Columns: request_id, received, answered, extended, file, sheet, excel_row,
    workdays, limit, overdue; ordered by answer date.
    """
    from pipeline.aggregate import run_sql

    rows = run_sql(con, "answer_times", {"year": year}).df()
    rows["extended"] = rows["extended"].astype(bool)
    return assess(rows)


def problems(times: pd.DataFrame) -> list[Problem]:
    """answer_overdue warnings and workdays_outside_calendar notes, at the answering listing."""
    out = []
    flagged = times["workdays"].isna() | times["overdue"].fillna(False).astype(bool)
    for r in times[flagged].itertuples(index=False):
        where = {"file": r.file, "sheet": r.sheet, "row": int(r.excel_row), "column": "答复日期",
                 "value": f"{r.answered:%Y-%m-%d}"}
        said = f"申请 {r.request_id}（{r.received:%Y-%m-%d} 收到，{r.answered:%Y-%m-%d} 答复）"
        if pd.isna(r.workdays):
            out.append(Problem(
                "note", "workdays_outside_calendar",
                f"{said}的日期超出{calendar_text()}的范围，未计算答复用时，也未检查是否超期。"
                "请升级 chinese-calendar（pip install -U chinese-calendar）后重新运行。", **where))
        elif r.overdue:
            if r.limit > LIMIT:
                fix = f"已延期，期限为 {r.limit} 个工作日，仍超出 {r.workdays - r.limit} 个工作日。请核对收到日期和答复日期。"
            else:
                fix = (f"如已经批准延期，请在“是否延期”列填“是”（延期最长 {EXTENSION} 个工作日，"
                       f"期限为 {LIMIT + EXTENSION} 个工作日）；补正、征求第三方意见等时间依法不计入期限，"
                       "台账不记录这些时间，如有请核对后忽略本提示；否则请核对收到日期和答复日期。")
            out.append(Problem(
                "warning", "answer_overdue",
                f"{said}用了 {r.workdays} 个工作日（收到当日不计，节假日不计、调休上班日计入），"
                f"超过《政府信息公开条例》第三十三条规定的 {LIMIT} 个工作日。{fix}", **where))
    return out


def csv_frame(times: pd.DataFrame) -> pd.DataFrame:
    """answer_times.csv: one row per answered request, columns CSV_COLUMNS, as people read them."""
    return pd.DataFrame({
        "申请编号": times["request_id"].astype(str),
        "收到日期": pd.to_datetime(times["received"]).dt.strftime("%Y-%m-%d"),
        "答复日期": pd.to_datetime(times["answered"]).dt.strftime("%Y-%m-%d"),
        "工作日": times["workdays"],
        "是否延期": ["是" if e else "否" for e in times["extended"]],
        "期限": times["limit"],
        "是否超期": ["" if pd.isna(o) else ("是" if o else "否") for o in times["overdue"]],
    }, columns=CSV_COLUMNS)


def write_csv(times: pd.DataFrame, path: Path) -> None:
    """Write answer_times.csv (UTF-8 with BOM, CRLF) atomically; 申请编号 never runs as a formula."""
    from pipeline.render import atomic_path, safe_text

    frame = csv_frame(times)
    frame["申请编号"] = frame["申请编号"].map(safe_text)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
