"""The identities of report_tables.yaml, checked on the produced values before anything is written."""

from __future__ import annotations

import pandas as pd

from pipeline.problems import Problem


def _cells(values: pd.DataFrame, table: str) -> dict[tuple[str, str], float]:
    part = values[values["table"] == table]
    return {(r, c): (0.0 if pd.isna(v) else float(v)) for r, c, v in zip(part["row_code"], part["col_code"], part["value"])}


def _fail(year: int, table: str, text: str) -> Problem:
    return Problem("error", "identity_failed", f"{year}年统计表“{table}”不满足勾稽关系：{text}。这是程序或数据的矛盾，请把 problems.xlsx 发给维护人员。")


def check_channels(values: pd.DataFrame, year: int, channels: list[str]) -> list[Problem]:
    """total = sum of channel rows (every column); count = m01 + … + m12 (every row)."""
    cells = _cells(values, "channels")
    months = [f"m{m:02d}" for m in range(1, 13)]
    out = []
    for col in ["count", *months]:
        total = cells.get(("total", col), 0.0)
        parts = sum(cells.get((ch, col), 0.0) for ch in channels)
        if total != parts:
            out.append(_fail(year, "channels", f"列 {col} 合计 {total:g} ≠ 各渠道之和 {parts:g}"))
    for row in [*channels, "total"]:
        count = cells.get((row, "count"), 0.0)
        by_month = sum(cells.get((row, m), 0.0) for m in months)
        if count != by_month:
            out.append(_fail(year, "channels", f"行 {row} 全年 {count:g} ≠ 各月之和 {by_month:g}"))
    return out


APPLICANTS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org"]
RESULT_PREFIXES = ("withheld.", "unavailable.", "not_processed.")


def check_requests(values: pd.DataFrame, year: int, fmt: str) -> list[Problem]:
    """Applicant columns add up to total; outcomes add up to result_total; new + carried_in = result_total + carried_out."""
    cells = _cells(values, "requests")
    rows = sorted({r for r, _ in cells})
    out = []
    for row in rows:
        parts = sum(cells.get((row, c), 0.0) for c in APPLICANTS)
        if cells.get((row, "total"), 0.0) != parts:
            out.append(_fail(year, "requests", f"行 {row} 总计 {cells.get((row, 'total'), 0.0):g} ≠ 各类申请人之和 {parts:g}"))
    leaves = [r for r in rows if r in ("disclosed", "partial") or r.startswith(RESULT_PREFIXES) or (r == "other" if fmt == "2019" else r.startswith("other."))]
    for col in [*APPLICANTS, "total"]:
        get = lambda r: cells.get((r, col), 0.0)  # noqa: E731
        if get("result_total") != sum(get(r) for r in leaves):
            out.append(_fail(year, "requests", f"列 {col} 办理结果总计 {get('result_total'):g} ≠ 各项办理结果之和 {sum(get(r) for r in leaves):g}"))
        if get("new") + get("carried_in") != get("result_total") + get("carried_out"):
            out.append(_fail(year, "requests", f"列 {col} 第一项加第二项 {get('new') + get('carried_in'):g} ≠ 第三项加第四项 {get('result_total') + get('carried_out'):g}"))
    return out


def check_appeals(values: pd.DataFrame, year: int) -> list[Problem]:
    """G.total = G.upheld + G.corrected + G.other + G.pending for every group."""
    cells = _cells(values, "appeals")
    out = []
    for g in ("review", "lit_direct", "lit_after_review"):
        parts = sum(cells.get(("cases", f"{g}.{c}"), 0.0) for c in ("upheld", "corrected", "other", "pending"))
        if cells.get(("cases", f"{g}.total"), 0.0) != parts:
            out.append(_fail(year, "appeals", f"{g} 总计 {cells.get(('cases', f'{g}.total'), 0.0):g} ≠ 各结果之和 {parts:g}"))
    return out


def check(values: pd.DataFrame, year: int, fmt: str, channels: list[str]) -> list[Problem]:
    """Every identity that applies to the year's tables."""
    return check_channels(values, year, channels) + check_requests(values, year, fmt) + check_appeals(values, year)
