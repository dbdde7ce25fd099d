"""Small registers run through the real pipeline, for the tests of tables 二, 三 and 四.

Built on conftest's generic helpers. Each register file is one sheet named 台账
with the header on Excel row 1, so the n-th data row is Excel row n + 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from conftest import make_project, read_problems, read_tables, write_xlsx

APPLICATIONS = ["申请编号", "收到日期", "申请人类型", "答复日期", "办理结果"]
APPEALS = ["案件编号", "类型", "收到日期", "审结日期", "结果"]
DOCUMENTS = ["文件名称", "文号", "类别", "制发日期", "公开日期", "废止日期"]
SERVICES = ["年度", "事项", "项目数量", "处理决定数量", "金额（万元）"]
SHEET = "台账"


def d(text: str) -> dt.datetime:
    """An Excel date cell: d("2020-01-08")."""
    return dt.datetime.fromisoformat(text)


@dataclass
class RunResult:
    """A finished `pipeline run`: exit code, years produced, tables.csv per year, problems.csv."""

    exit_code: int
    years: list[int]
    tables: dict[int, pd.DataFrame]
    problems: pd.DataFrame
    out: Path

    def value(self, year: int, table: str, row_code: str, col_code: str) -> float:
        """One cell of tables.csv (NaN when the field is empty); exactly one must exist."""
        t = self.tables[year]
        hit = t[(t["table"] == table) & (t["row_code"] == row_code) & (t["col_code"] == col_code)]
        assert len(hit) == 1, f"{year} {table} {row_code}/{col_code}: {len(hit)} cells"
        return hit.iloc[0]["value"]

    def table(self, year: int, table: str) -> dict[tuple[str, str], float | None]:
        """(row_code, col_code) → value of every cell of a table, None for an empty field."""
        t = self.tables[year]
        part = t[t["table"] == table]
        return {(r, c): (None if pd.isna(v) else float(v)) for r, c, v in zip(part["row_code"], part["col_code"], part["value"])}

    def nonzero(self, year: int, table: str) -> dict[tuple[str, str], float]:
        """(row_code, col_code) → value of every cell of a table that is neither 0 nor empty."""
        t = self.tables[year]
        part = t[(t["table"] == table) & t["value"].notna() & (t["value"] != 0)]
        return {(r, c): float(v) for r, c, v in zip(part["row_code"], part["col_code"], part["value"])}

    def located(self, rule: str) -> list[tuple]:
        """(severity, file, row, column, value) of each problem with this rule, in report order."""
        p = self.problems[self.problems["rule"] == rule]
        return list(zip(p["severity"], p["file"], p["row"], p["column"], p["value"]))

    def messages(self, rule: str) -> list[str]:
        return list(self.problems.loc[self.problems["rule"] == rule, "message"])


def run_registers(root: Path, files: dict[str, tuple[list[str], list[list]]], years: list[int] | None = None,
                  formats: dict[int, str] | None = None) -> RunResult:
    """Write each `path under raw/ → (header, rows)` as a one-sheet xlsx, run the pipeline, read its outputs."""
    from pipeline.config import load
    from pipeline.run import execute

    project = make_project(root, formats=formats)
    for rel, (header, rows) in files.items():
        write_xlsx(project.raw / rel, {SHEET: [header, *rows]})
    outcome = execute(load(project.config, project.raw, project.out), "run", years=years)
    tables = {y: read_tables(project.out, y) for y in outcome.years}
    return RunResult(outcome.exit_code, outcome.years, tables, read_problems(project.out), project.out)
