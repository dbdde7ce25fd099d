"""Aggregation in DuckDB: the derived tables and each report table's values for a year."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from pipeline import reconcile
from pipeline.load import sql
from pipeline.problems import Problem

# Report table → the SQL file that computes its values (columns table,row_code,col_code,value).
TABLE_SQL = {"channels": "channels", "proactive": "proactive", "requests": "requests", "appeals": "appeals"}
SERVICE_NAMES = {
    "licensing": "行政许可", "other_services": "其他对外管理服务事项", "penalty": "行政处罚",
    "enforcement": "行政强制", "fees": "行政事业性收费", "procurement": "政府集中采购",
}
# 事项 each format's table 二 needs.
SERVICE_ITEMS = {
    "2019": ["licensing", "other_services", "penalty", "enforcement", "fees", "procurement"],
    "2021": ["licensing", "penalty", "enforcement", "fees"],
}


def build_derived(con, format_for: Callable[[int], str]) -> list[Problem]:
    """Rebuild the cross-file tables (duplicates, reconciled registers) and return what they found."""
    problems = _duplicates(con, "item_duplicates", "items", "title", "信息")
    problems += _duplicates(con, "document_duplicates", "document_rows", "name", "文件")
    problems += reconcile.rebuild(con)
    for file, sheet, row, text, year in con.execute(
        "select file, sheet, excel_row, outcome_text, year(answered) from requests where outcome = 'other' and answered is not null order by all"
    ).fetchall():
        if format_for(year) == "2021":
            problems.append(Problem(
                "warning", "outcome_other_unspecified",
                f"{year}年使用2021年版格式，“其他处理”分为三项；只写“其他处理”时计入“3.其他”。如属逾期不补正或逾期未缴费，请写明。",
                file=file, sheet=sheet, row=row, column="办理结果", value=text or "",
            ))
    return problems


def _duplicates(con, table: str, rows_table: str, label_col: str, noun: str) -> list[Problem]:
    con.execute(sql(table))
    rows = con.execute(
        f"select d.file, d.sheet, d.excel_row, d.first_file, d.first_sheet, d.first_row, d.matched_on, r.{label_col} "
        f"from {table} d join {rows_table} r using (file, sheet_no, excel_row) order by all"
    ).fetchall()
    return [
        Problem(
            "warning", f"duplicate_{'item' if rows_table == 'items' else 'document'}",
            f"与 {ff}{'（' + fs + '）' if fs else ''}第 {fr} 行是同一条{noun}（{on}相同），只计一次。如确为两条不同{noun}，请修改其中一条的{on}。",
            file=f, sheet=s, row=r, column=on.split("和")[0], value=label,
        )
        for f, s, r, ff, fs, fr, on, label in rows
    ]


def report_years(con) -> list[int]:
    return [y for (y,) in con.execute(sql("report_years")).fetchall()]


def table_values(con, year: int, fmt: str, channels: dict[str, str]) -> pd.DataFrame:
    """Values of every report table for one year, only the cells of the year's format."""
    from pipeline import tables

    params = {"year": year, "fmt": fmt}
    values = pd.concat([run_sql(con, name, params).df() for name in TABLE_SQL.values()], ignore_index=True)
    cells = {(t, r, c) for t in tables.table_names(fmt) for r, c in tables.layout(t, fmt, channels).cells}
    keep = [(t, r, c) in cells for t, r, c in zip(values["table"], values["row_code"], values["col_code"])]
    return values[keep].reset_index(drop=True)


def service_problems(con, formats: dict[int, str]) -> list[Problem]:
    """Warnings for service figures missing in the report years (and, in the 2019 format, the year before).

    With no service figures at all, a single note for the whole run instead.
    """
    have = {(y, i) for y, i in con.execute("select year, item from services").fetchall()}
    if not have:
        years = "、".join(f"{y}年" for y in formats) or "各年度"
        return [Problem("note", "no_service_figures", f"没有管理服务事项统计（services/ 文件夹为空），{years}表二的相关数字按 0 填写，“上一年项目数量”“本年增/减”留空。")]
    out = []
    for year, fmt in formats.items():
        for item in SERVICE_ITEMS[fmt]:
            if (year, item) not in have:
                out.append(Problem("warning", "service_missing", f"管理服务事项统计中没有 {year}年“{SERVICE_NAMES[item]}”的行，表二按 0 填写。请补充该行（数量为 0 也请填 0）。", value=SERVICE_NAMES[item]))
            if fmt == "2019" and item != "procurement" and (year - 1, item) not in have:
                out.append(Problem("warning", "service_previous_missing", f"管理服务事项统计中没有 {year - 1}年“{SERVICE_NAMES[item]}”的行，{year}年表二的“上一年项目数量”和“本年增/减”留空。请补充上一年的行。", value=SERVICE_NAMES[item]))
    return out


def run_sql(con, name: str, params: dict):
    """Execute pipeline/sql/<name>.sql binding only the $parameters the file uses."""
    text = sql(name)
    return con.execute(text, {k: v for k, v in params.items() if f"${k}" in text})
