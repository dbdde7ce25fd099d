"""Write a run's files: the problems report and, per report year, tables and charts.

Every file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import render
from pipeline.config import Config
from pipeline.problems import REPORT_COLUMNS, as_records

# Header of problems.xlsx: the contract's column code with its Chinese name.
PROBLEM_HEADERS = {
    "severity": "级别 severity", "file": "文件 file", "sheet": "工作表 sheet", "row": "行 row",
    "column": "列 column", "value": "值 value", "rule": "规则 rule", "message": "说明 message",
}


def problems_frame(problems) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(as_records(problems), columns=[*REPORT_COLUMNS])
    frame["row"] = frame["row"].astype("Int64")
    return frame[REPORT_COLUMNS]


def problems_report(problems, out_dir: Path) -> None:
    """problems.csv (UTF-8 with BOM) and problems.xlsx, in report order."""
    frame = problems_frame(problems)
    text_cols = [c for c in REPORT_COLUMNS if c != "row"]
    safe = frame.copy()
    for c in text_cols:
        safe[c] = safe[c].map(lambda v: render.safe_text(v) if isinstance(v, str) else v)
    with render.atomic_path(out_dir / "problems.csv") as tmp:
        safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    _problems_xlsx(frame, out_dir / "problems.xlsx")


# Rows of an Excel sheet: the problems beyond the first sheet's continue on the next.
SHEET_ROWS = 1_048_576


def _problems_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Streamed (openpyxl write-only), so that a report of a million problems does not take gigabytes."""
    from copy import copy

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook(write_only=True)
    per_sheet = SHEET_ROWS - 1  # below the header
    parts = [frame.iloc[start:start + per_sheet] for start in range(0, max(len(frame), 1), per_sheet)]
    sheets = [wb.create_sheet("问题清单" if i == 0 else f"问题清单{i + 1}") for i in range(len(parts))]

    def style(bold: bool = False, wrap: bool = False, fill: str | None = None):
        """A cell style built once (the workbook holds it); every cell of its kind gets a copy."""
        proto = WriteOnlyCell(sheets[0])
        proto.font = Font(name="宋体", size=10, bold=bold)
        proto.alignment = Alignment(vertical="top", wrap_text=wrap)
        if fill:
            proto.fill = PatternFill("solid", fgColor=fill)
        return proto._style

    fills = {"error": "FFC7CE", "warning": "FFEB9C", "note": "DDEBF7"}
    severity = {level: style(fill=color) for level, color in fills.items()}
    plain, message = style(), style(wrap=True)
    header, header_message = style(bold=True), style(bold=True, wrap=True)

    def cell(ws, value, cell_style):
        c = WriteOnlyCell(ws)
        render.set_cell(c, value)  # text from an input is never a formula
        c._style = copy(cell_style)
        return c

    for ws, rows in zip(sheets, parts):
        # Widths, panes, filter and page set-up come before the rows in a streamed sheet.
        for letter, width in zip("ABCDEFGH", (8, 36, 12, 6, 14, 24, 22, 80)):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:H{len(rows) + 1}"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.append([cell(ws, PROBLEM_HEADERS[name], header_message if name == "message" else header) for name in REPORT_COLUMNS])
        for rec in rows.itertuples(index=False):
            ws.append([cell(ws, value, severity[rec.severity] if c == 0 else message if c == 7 else plain) for c, value in enumerate(rec)])
    with render.atomic_path(path) as tmp:
        wb.save(tmp)


def year_items(con, year: int) -> pd.DataFrame:
    """The year's counted items (duplicates left out), for the channel charts."""
    return con.execute(
        "select channel, published::timestamp as published from items anti join item_duplicates using (file, sheet_no, excel_row) "
        "where year(published) = ? order by all", [year]
    ).df()


def year_outputs(con, cfg: Config, per_year: dict[int, tuple[str, pd.DataFrame]], problems, pool) -> list[Path]:
    """The problems report, and tables.csv, tables.md, 统计表.xlsx, answer_times.csv and charts/ of every report year in ``per_year``.

    The charts (matplotlib, the slow part) are drawn in the processes of ``pool``
    (`chart_pool`) from data read here. Their jobs go out first, so that the chart
    processes draw while this process writes the problems report and the tables
    (500k rows: they waited 0.3 s for the problems report before). The year-over-year
    charts draw the report years before each year from the warehouse.
    """
    from pipeline import aggregate, charts, compare, workdays

    # Each year's history is the report years before it plus itself: read each year's values and answer times once.
    earlier = [y for y in aggregate.report_years(con) if y < max(per_year, default=0)]
    pending, year_over_year, request_jobs, tables = [], [], [], []
    try:
        known = {**compare.history(con, cfg, [y for y in earlier if y not in per_year]), **per_year}
        all_times = {y: workdays.answer_times(con, y) for y in {*earlier, *per_year}}
        for year, (fmt, values) in per_year.items():
            folder = cfg.out_dir / str(year)
            chart_dir = folder / "charts"
            chart_dir.mkdir(parents=True, exist_ok=True)
            history = {y: known[y] for y in earlier if y < year} | {year: (fmt, values)}
            times = {y: all_times[y] for y in history}
            requests = values[values["table"] == "requests"]
            # The longest jobs first, so that the last to finish are short (500k rows: channels about 0.9 s a year,
            # year over year 0.3-0.9 s, growing with the history, requests 0.4 s): the channel charts at once.
            pending.append(pool.submit(charts.channel_charts, year_items(con, year), dict(cfg.channels), cfg.agency, year, chart_dir))
            year_over_year.append((charts.year_over_year_charts, history, times, dict(cfg.channels), cfg.agency, year, chart_dir))
            if len(requests):
                request_jobs.append((charts.request_charts, requests, fmt, cfg.agency, year, chart_dir))
            tables.append((year, fmt, values, folder, times[year]))
        pending += [pool.submit(*job) for job in [*reversed(year_over_year), *request_jobs]]
    finally:
        problems_report(problems, cfg.out_dir)  # also when reading the charts' data failed
    n_errors = sum(p.severity == "error" for p in problems)
    written: list[Path] = []
    for year, fmt, values, folder, times in tables:
        tidy = render.tidy(values, fmt, cfg.channels)
        render.write_csv(tidy, folder / "tables.csv")
        render.write_text_atomic(folder / "tables.md", render.markdown(tidy, fmt, cfg.channels, cfg.agency, year, n_errors))
        render.write_xlsx(tidy, folder / "统计表.xlsx", fmt, cfg.channels, cfg.agency, year, n_errors)
        workdays.write_csv(times, folder / "answer_times.csv")
        written += [folder / "tables.csv", folder / "tables.md", folder / "统计表.xlsx", folder / "answer_times.csv"]
    for job in pending:
        written += job.result()
    return written


# Chart jobs of a report year at most (year_outputs): channels, requests, year over year.
CHART_JOBS = 3


def chart_pool(workers: int, jobs: int):
    """Processes for `jobs` chart jobs, one per core (or [limits] workers) at most, forked like the reader workers.

    They warm up at once (matplotlib and the font, about 0.6 s each), so that a caller that
    starts the pool before the checks and the commit has them ready when the charts are due.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    from pipeline import charts
    from pipeline.workers import context

    n = max(1, min(jobs, workers or os.cpu_count() or 1))
    pool = ProcessPoolExecutor(n, mp_context=context())
    for _ in range(n):
        pool.submit(charts.warm_up)
    return pool


def parquet_export(con, cfg: Config, per_year: dict[int, tuple[str, pd.DataFrame]]) -> Path:
    """<out>/parquet/: every accepted row and every report year's tidy tables (see pipeline.export), those of ``per_year`` as built."""
    from pipeline import export

    return export.write_parquet(con, cfg, cfg.out_dir / "parquet", per_year)
