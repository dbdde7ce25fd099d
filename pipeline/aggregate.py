"""Aggregation in DuckDB: the derived tables and each report table's values for a year."""

from __future__ import annotations

import pandas as pd

from pipeline.load import sql
from pipeline.problems import Problem

# Report table → the SQL file that computes its values (columns table,row_code,col_code,value).
TABLE_SQL = {"channels": "channels"}


def build_derived(con) -> list[Problem]:
    """Rebuild the cross-file tables (duplicates …) and return the warnings they raise."""
    con.execute(sql("item_duplicates"))
    rows = con.execute(
        "select d.file, d.sheet, d.excel_row, d.first_file, d.first_sheet, d.first_row, d.matched_on, i.title "
        "from item_duplicates d join items i using (file, sheet_no, excel_row) order by all"
    ).fetchall()
    return [
        Problem(
            "warning", "duplicate_item",
            f"与 {ff}{'（' + fs + '）' if fs else ''}第 {fr} 行是同一条信息（{on}相同），只计一次。如确为两条不同信息，请修改其中一条的{on}。",
            file=f, sheet=s, row=r, value=title,
        )
        for f, s, r, ff, fs, fr, on, title in rows
    ]


def report_years(con) -> list[int]:
    return [y for (y,) in con.execute(sql("report_years")).fetchall()]


def table_values(con, year: int, fmt: str) -> pd.DataFrame:
    """Values of every report table that has SQL, for one year."""
    params = {"year": year, "fmt": fmt}
    frames = [run_sql(con, name, params).df() for name in TABLE_SQL.values()]
    return pd.concat(frames, ignore_index=True)


def run_sql(con, name: str, params: dict):
    """Execute pipeline/sql/<name>.sql binding only the $parameters the file uses."""
    text = sql(name)
    return con.execute(text, {k: v for k, v in params.items() if f"${k}" in text})
