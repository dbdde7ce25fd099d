"""The DuckDB warehouse: connect, plan an incremental load, apply it inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.discover import FileEntry
from pipeline.problems import COLUMNS, Problem

if TYPE_CHECKING:  # pandas is imported only when rows are loaded: a no-op run never needs it
    import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"
MIB = 1 << 20
# Warehouse table of each kind's accepted rows.
KIND_TABLES = {"publication": "items", "applications": "request_rows", "appeals": "appeal_rows", "documents": "document_rows", "services": "service_rows"}


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


# What DuckDB needs per warehouse row to sort a year's rows for the export and to find duplicates
# (measured: 500,000 rows need 64–80 MiB, 100,000 rows 16–32 MiB); the query cap grows with the data.
QUERY_BYTES_PER_ROW = 256
# The export needs no more to finish, but at 256 bytes a row its sorts and scans went through disk: the 500k
# workload's export took 2.5 s instead of 1.4 s (1.1-1.2 s instead of 0.7-0.9 s once it left out the match keys).
# It runs after the chart processes have ended, so the run's peak stays that of reading (main process 380
# instead of 330 MiB, 490 MiB in all, against 560 while reading).
EXPORT_BYTES_PER_ROW = 512


class WarehouseMemory(Exception):
    """DuckDB ran out of the memory `[limits] warehouse_memory_mb` allows; the message says how to raise it."""

    def __init__(self, memory_mb: float):
        super().__init__(
            f"运行未完成：数据仓库（DuckDB）处理时超出内存上限 {memory_mb:g} MB。已保存的数据不受影响；输出可能不完整，下次运行会重新生成。"
            "请在 pipeline.toml 中调高 warehouse_memory_mb：已有 [limits] 一节时改这一项，没有时在文件末尾加两行 [limits] 和 warehouse_memory_mb = 512，然后重新运行。"
        )


@contextmanager
def out_of_memory(memory_mb: float):
    """DuckDB's out-of-memory error, wherever in the block, as WarehouseMemory."""
    import duckdb

    try:
        yield
    except duckdb.OutOfMemoryException:
        raise WarehouseMemory(memory_mb) from None


def connect(path: Path, read_only: bool = False, memory_mb: float | None = None):
    """The warehouse; `memory_mb` caps what DuckDB holds in memory (a run's new rows then go through disk)."""
    import duckdb

    config = {"memory_limit": _mib(memory_mb)} if memory_mb else {}
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    if not read_only:
        con.execute(sql("warehouse"))
    return con


@contextmanager
def one_thread(con):
    """DuckDB works in one thread inside the block (loading), in one per core again after it (the queries).

    Inserting a file's Arrow table gains nothing from a second thread (the 500k workload's 24
    files took the same wall time as CPU time either way), but coordinating two costs: 0.57-0.67
    CPU-s instead of 0.31-0.47 for pipeline validate's inserts, 1.22-1.58 instead of 1.05-1.18
    for a run's, on the cores the reader workers need.
    """
    con.execute("set threads = 1")
    try:
        yield
    finally:
        con.execute("reset threads")


def throwaway(con) -> None:
    """Keep this connection's new rows out of the database file: they will be rolled back (pipeline validate).

    By default DuckDB writes a large insert to the file, compressed, before the commit;
    compressing text (dict_fsst) is half the cost of loading. Held as the transaction's
    own rows instead, they stay under the memory cap and go to the temporary folder
    beyond it, and loading 544,000 rows takes 0.6 s instead of 1.6 s.
    """
    con.execute("set enable_optimistic_write = false")


def cap_for_queries(con, memory_mb: float) -> None:
    """Raise the cap to what the warehouse's queries need: `memory_mb`, or QUERY_BYTES_PER_ROW per row if more.

    Loading spills a run's new rows to disk at any cap, but a sort and a window do
    not spill all they hold: a fixed cap would make a large warehouse run out.
    """
    _cap_per_row(con, memory_mb, QUERY_BYTES_PER_ROW)


def cap_for_export(con, memory_mb: float) -> None:
    """Raise the cap for the Parquet export, which runs alone at the end of a run: EXPORT_BYTES_PER_ROW per row."""
    _cap_per_row(con, memory_mb, EXPORT_BYTES_PER_ROW)


def _cap_per_row(con, memory_mb: float, bytes_per_row: int) -> None:
    counts = " + ".join(f"(select count(*) from {table})" for table in KIND_TABLES.values())
    rows = con.execute(f"select {counts}").fetchall()[0][0]
    con.execute(f"set memory_limit = '{_mib(max(memory_mb, rows * bytes_per_row / MIB))}'")


def _mib(mb: float) -> str:
    return f"{max(1, int(mb))}MiB"


@dataclass
class FileResult:
    """What reading and validating one file produced."""

    entry: FileEntry
    rows: pd.DataFrame | None  # accepted rows of the file's kind, or None when the file could not be read
    rejected: int
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Plan:
    to_parse: list[FileEntry]
    unchanged: list[FileEntry]
    removed: list[str]


def plan(con, entries: list[FileEntry]) -> Plan:
    """Which files are new or changed (by content hash and kind), unchanged, or gone."""
    known = dict(con.execute("select file, sha256 || '|' || kind || '|' || coalesce(channel, '') from files").fetchall())
    to_parse, unchanged = [], []
    for e in entries:
        if known.get(e.rel) == f"{e.sha256}|{e.kind}|{e.channel or ''}":
            unchanged.append(e)
        else:
            to_parse.append(e)
    present = {e.rel for e in entries}
    return Plan(to_parse, unchanged, sorted(set(known) - present))


def remove(con, files: list[str]) -> dict[str, dt.datetime]:
    """Drop every row of these files (changed or gone); return when each was first seen (caller holds the transaction)."""
    if not files:
        return {}
    gone = "file in (select unnest(?::varchar[]))"
    for table in (*KIND_TABLES.values(), "file_problems"):
        con.execute(f"delete from {table} where {gone}", [files])
    first_seen = dict(con.execute(f"select file, first_seen from files where {gone}", [files]).fetchall())
    con.execute(f"delete from files where {gone}", [files])
    return first_seen


def insert(con, r: FileResult, first_seen: dt.datetime, run_id: int) -> None:
    """Load one file's accepted rows (in bulk, from its frame) and problems; its old rows are already removed."""
    e = r.entry
    if r.rows is not None and len(r.rows):
        insert_frame(con, KIND_TABLES[e.kind], r.rows)
    con.execute(
        "insert into files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [e.rel, e.sha256, e.size, e.kind, e.channel, 0 if r.rows is None else len(r.rows), r.rejected, first_seen, dt.datetime.now(), run_id],
    )
    if r.problems:
        insert_frame(con, "file_problems", problems_table(r.problems))


def insert_frame(con, table: str, frame) -> None:
    """INSERT … BY NAME every row of a pandas frame or Arrow table into `table`.

    The frame is scanned by its variable name (DuckDB's replacement scan), not passed to
    con.register: a registered frame stays referenced by the connection after unregister
    (DuckDB 2.0.1), so the run would hold every file's rows until it ends.
    """
    _rows = frame
    con.execute(f"insert into {table} by name select * from _rows")


def problems_table(problems, run_id: int | None = None):
    """The problems as an Arrow table of the warehouse's problem columns (and `run_id` first, when given).

    Arrow, not pandas: built column by column, it takes a third of the time to build and insert (1.2 vs 3.3 ms for a file's 60).
    """
    import pyarrow as pa

    # Problem's fields, inserted by name: its `row` is the warehouse's excel_row.
    columns = {"excel_row" if name == "row" else name: [getattr(p, name) for p in problems] for name in COLUMNS}
    columns["excel_row"] = pa.array(columns["excel_row"], pa.int32())
    if run_id is not None:
        columns = {"run_id": pa.array([run_id] * len(problems), pa.int32()), **columns}
    return pa.table(columns)


def stored_file_problems(con) -> list[Problem]:
    rows = con.execute('select severity, rule, message, file, sheet, excel_row, "column", value from file_problems').fetchall()
    return [Problem(s, r, m, file=f, sheet=sh or "", row=row, column=c or "", value=v or "") for s, r, m, f, sh, row, c, v in rows]


def next_run_id(con) -> int:
    return con.execute("select coalesce(max(run_id), 0) + 1 from runs").fetchall()[0][0]
