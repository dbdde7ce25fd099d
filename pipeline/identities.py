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


def check(values: pd.DataFrame, year: int, fmt: str, channels: list[str]) -> list[Problem]:
    """Every identity that applies to the year's tables."""
    return check_channels(values, year, channels)
