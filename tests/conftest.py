"""Shared test helpers: build input files in tmp_path and run the pipeline on them.

A workbook is given as {sheet name: rows}; a row is a list of cell values
written from column A, None leaving a cell empty. date/datetime values become
Excel date cells, int/float number cells, str text cells. Import the helpers
with `from conftest import ...`; the `project` fixture gives a ready
pipeline.toml + raw folder + output folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
AGENCY = "测试镇人民政府"
CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
LOG_HEADER = ["发布日期", "标题", "栏目", "链接"]


def _target(path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_xlsx(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """An .xlsx (or .xlsm) workbook; merges: sheet → ranges like "B2:B4" (only the top-left value is kept, as in Excel)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    path = _target(path)
    wb.save(path)
    return path


def write_xls(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """An Excel 97–2003 .xls workbook (xlwt); dates get a date format so that readers see date cells."""
    import xlwt
    from openpyxl.utils import range_boundaries

    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    plain = xlwt.Style.default_style
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        spans = {}  # top-left (row, col) → (last row, last col), 0-based
        for ref in (merges or {}).get(name, []):
            c0, r0, c1, r1 = range_boundaries(ref)
            spans[(r0 - 1, c0 - 1)] = (r1 - 1, c1 - 1)
        covered = {(r, c) for (r0, c0), (r1, c1) in spans.items() for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style = date_style if isinstance(value, dt.date) else plain
                if (r, c) in spans:
                    ws.write_merge(r, spans[(r, c)][0], c, spans[(r, c)][1], value, style)
                elif (r, c) not in covered and value is not None:
                    ws.write(r, c, value, style)
    path = _target(path)
    wb.save(str(path))
    return path


def write_ods(path, sheets: dict[str, list[list]]) -> Path:
    """An OpenDocument .ods workbook, written by pandas with odfpy."""
    path = _target(path)
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows, dtype=object).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def write_csv(path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    """A comma-separated file with CRLF line ends, as Excel and WPS save them."""
    path = _target(path)
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def write_config(path, agency: str = AGENCY, channels: dict[str, str] | None = None, formats: dict[int, str] | None = None) -> Path:
    """A pipeline.toml with the given agency, channels (folder → label) and formats per year."""
    lines = [f'agency = "{agency}"', "", "[channels]"]
    lines += [f'{folder} = "{label}"' for folder, label in (channels or CHANNELS).items()]
    if formats:
        lines += ["", "[formats]", *(f'{year} = "{fmt}"' for year, fmt in formats.items())]
    path = _target(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def where(p) -> tuple:
    """A problem's severity, rule and location, for exact comparison."""
    return (p.severity, p.rule, p.file, p.sheet, p.row, p.column)


@dataclass
class Ingest:
    """What discovery, reading and validation made of a raw folder (no warehouse)."""

    rows: pd.DataFrame
    problems: list = field(default_factory=list)

    def located(self, severity: str | None = None) -> list[tuple]:
        return [where(p) for p in self.problems if severity in (None, p.severity)]


def ingest(raw: Path, channels: dict[str, str] | None = None) -> Ingest:
    """Discover and parse every file under raw as `pipeline run` does, without loading the warehouse."""
    from pipeline.discover import discover
    from pipeline.run import parse_file

    entries, problems = discover(raw, channels or CHANNELS)
    frames = []
    for entry in entries:
        result = parse_file(entry)
        problems += result.problems
        if result.rows is not None:
            frames.append(result.rows)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Ingest(rows, problems)


def read_problems(out: Path) -> pd.DataFrame:
    """problems.csv as text columns ('' for empty), as a clerk would see it."""
    return pd.read_csv(out / "problems.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def read_tables(out: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(out / str(year) / "tables.csv", encoding="utf-8-sig", dtype={"row_code": str, "col_code": str})


def cells(tables: pd.DataFrame, table: str = "channels") -> dict[tuple[str, str], float]:
    """(row_code, col_code) → value of one table of tables.csv."""
    part = tables[tables["table"] == table]
    return dict(zip(zip(part["row_code"], part["col_code"]), part["value"]))


@dataclass
class Project:
    """A pipeline.toml, a raw folder and an output folder under one temporary folder."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def config(self) -> Path:
        return self.root / "pipeline.toml"

    def folders(self) -> list[str]:
        return ["--config", str(self.config), "--raw", str(self.raw), "--out", str(self.out)]

    def cli(self, *args: str):
        """`pipeline ARGS --config … --raw … --out …` in this process; returns typer's Result."""
        from typer.testing import CliRunner

        from pipeline.cli import app

        return CliRunner().invoke(app, [*args, *self.folders()])

    def subprocess(self, *args: str) -> subprocess.CompletedProcess:
        """`python -m pipeline ARGS --config … --raw … --out …` as a separate process."""
        return run_pipeline(*args, *self.folders())

    def problems(self) -> pd.DataFrame:
        return read_problems(self.out)

    def tables(self, year: int) -> pd.DataFrame:
        return read_tables(self.out, year)


def make_project(root: Path, channels: dict[str, str] | None = None, formats: dict[int, str] | None = None) -> Project:
    project = Project(Path(root))
    project.raw.mkdir(parents=True, exist_ok=True)
    write_config(project.config, channels=channels, formats=formats)
    return project


@pytest.fixture
def project(tmp_path) -> Project:
    """An empty raw folder with a pipeline.toml for the three default channels."""
    return make_project(tmp_path)


def run_pipeline(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in a child process, output captured as text."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or REPO, capture_output=True, text=True, encoding="utf-8", timeout=600)
