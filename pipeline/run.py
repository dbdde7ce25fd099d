"""The flow of one run: discover → read → validate → load → aggregate → publish.

`execute` is what both `pipeline run` and `pipeline validate` call; validate rolls
the warehouse back and writes only the problems report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__, kinds
from pipeline.config import Config
from pipeline.discover import FileEntry, discover
from pipeline.guard import Limits
from pipeline.load import FileResult
from pipeline.problems import Problem

WAREHOUSE = "warehouse.duckdb"
# What a write cut short by a killed run leaves under the output folder: render.atomic_path,
# export.write_parquet and the workers' logs are ".NAME.HEX8.tmp" (and ".NAME.HEX8.old"), charts ".STEM.tmp.EXT".
_LEFTOVER = re.compile(r"\..+\.(?:[0-9a-f]{8}\.(?:tmp|old)|tmp\.\w+)")


@dataclass
class Outcome:
    exit_code: int
    years: list[int] = field(default_factory=list)
    files_parsed: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    nothing_changed: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def parse_file(entry: FileEntry, limits: Limits = Limits()) -> FileResult:
    """Read and validate one file (pure: no warehouse, no outputs); the unit of work of pipeline.workers."""
    import pandas as pd

    from pipeline import read, validate

    kind = kinds.BY_CODE[entry.kind]
    result = read.read_file(entry.path, entry.rel, kind, limits)
    problems = list(result.problems)
    if any(p.severity == "error" and p.row is None for p in problems):
        return FileResult(entry, None, 0, problems)
    accepted, rejected = [], 0
    context = {"channel": entry.channel}
    for sf in result.frames:
        v = validate.validate_sheet(sf, kind, entry.rel, context)
        accepted.append(v.rows)
        rejected += v.rejected
        problems.extend(v.problems)
    rows = pd.concat(accepted, ignore_index=True) if accepted else None
    return FileResult(entry, rows, rejected, problems)


def fingerprint(cfg: Config, years: list[int] | None) -> str:
    """What the outputs depend on besides the data: configuration, years asked for, code version."""
    blob = json.dumps([cfg.agency, list(cfg.channels.items()), sorted(cfg.formats.items()), years, __version__], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def execute(cfg: Config, command: str = "run", years: list[int] | None = None, wait: float = 0.0, progress=None) -> Outcome:
    """One whole run under the output folder's lock."""
    from pipeline import load, lock

    if command == "validate" or not (cfg.out_dir / WAREHOUSE).exists():
        # A first run reads every file, and validate is run when files changed: the readers start warming up
        # now, during the lock, discovery and plan (0.1-0.2 s). If nothing is to be read, the server exits with the run.
        from pipeline import workers

        workers.start_early()
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    with lock.hold(cfg.out_dir, wait, on_wait=lambda p: progress and progress.log(f"等待另一个运行结束（{p}）…")) as stale, \
            load.out_of_memory(cfg.limits.warehouse_memory_mb):
        if stale and progress:
            progress.log(f"上次运行未正常结束（{stale}），已接管锁并从上次完整状态继续。")
        removed = remove_leftovers(cfg.out_dir)
        if removed and progress:
            progress.log(f"已清理上次中断的运行留下的 {removed} 个临时文件。")
        return _execute_locked(cfg, command, years, progress)


def remove_leftovers(out_dir: Path) -> int:
    """Delete the temporary files and folders of writes cut short by a killed run (the caller holds the lock)."""
    removed = 0
    for folder, dirnames, filenames in os.walk(out_dir):
        for name in [*dirnames, *filenames]:
            if _LEFTOVER.fullmatch(name):
                path = Path(folder, name)
                if name in dirnames:
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
        dirnames[:] = [d for d in dirnames if not _LEFTOVER.fullmatch(d)]
    return removed


def _execute_locked(cfg: Config, command: str, years: list[int] | None, progress) -> Outcome:
    from pipeline import load

    entries, notes = discover(cfg.raw_dir, cfg.channels)
    con = load.connect(cfg.out_dir / WAREHOUSE, memory_mb=cfg.limits.warehouse_memory_mb)
    with ExitStack() as stack:
        stack.callback(con.close)
        plan = load.plan(con, entries)
        # A file that is there but could not be opened (held by another program) keeps its rows.
        unavailable = {p.file for p in notes if p.rule == "file_unavailable"}
        plan.removed = [f for f in plan.removed if f not in unavailable]
        fp = fingerprint(cfg, years)
        if command == "run" and not plan.to_parse and not plan.removed and _published(con, fp, cfg.out_dir):
            return _nothing_changed(con, plan, progress)
        if plan.to_parse:
            from pipeline import workers

            workers.start_early()
        from pipeline import aggregate, publish  # pandas, openpyxl: imported while the readers' server imports on the other core
        if command == "validate":
            load.throwaway(con)
        con.begin()
        run_id = load.next_run_id(con)
        first_seen = load.remove(con, plan.removed + [e.rel for e in plan.to_parse])
        _load_each(con, _each_parsed(plan.to_parse, cfg, progress), first_seen, run_id)
        load.cap_for_queries(con, cfg.limits.warehouse_memory_mb)
        found = _cross_file(con, cfg, notes)
        chosen = sorted(set(years)) if years else aggregate.report_years(con)
        charts = None
        if command == "run" and chosen:
            # The chart processes warm up on the core that the checks and the commit leave idle.
            charts = stack.enter_context(publish.chart_pool(cfg.limits.workers, publish.CHART_JOBS * len(chosen)))
        outcome, problems, per_year = _aggregate(con, cfg, chosen, found)
        outcome.files_parsed, outcome.files_removed, outcome.files_unchanged = len(plan.to_parse), len(plan.removed), len(plan.unchanged)
        _record_run(con, run_id, command, outcome, problems, fp)
        if command == "validate":
            con.rollback()
            publish.problems_report(problems, cfg.out_dir)
        else:
            con.commit()
            publish.year_outputs(con, cfg, per_year, problems, charts)
            # The export comes after the chart processes have ended, not while they draw: that was 2 s faster at
            # 500k rows, but its memory on top of theirs took the run's peak from 570 to 640 MiB (docs/robustness.md).
            if charts:
                charts.shutdown()
            load.cap_for_export(con, cfg.limits.warehouse_memory_mb)
            publish.parquet_export(con, cfg, per_year)
            con.execute("update runs set published = true where run_id = ?", [run_id])
        return outcome


def _published(con, fp: str, out_dir: Path) -> bool:
    """The last run committed with the same fingerprint, and its outputs were written completely."""
    row = con.execute("select fingerprint, published from runs where command = 'run' order by run_id desc limit 1").fetchall()
    return bool(row) and row[0][0] == fp and bool(row[0][1]) and (out_dir / "problems.csv").exists()


def _nothing_changed(con, plan, progress) -> Outcome:
    counts = dict(con.execute("select 'error', errors from runs where command = 'run' order by run_id desc limit 1").fetchall())
    errors = counts.get("error", 0)
    if progress:
        progress.log(f"没有新增、修改或删除的文件（{len(plan.unchanged)} 个文件未变），输出保持不变。")
    return Outcome(1 if errors else 0, files_unchanged=len(plan.unchanged), nothing_changed=True, counts={"error": errors})


def _each_parsed(entries: list[FileEntry], cfg: Config, progress):
    """parse_file's result for every entry as its worker process finishes (pipeline.workers), with progress."""
    from pipeline import workers

    if not entries:
        return
    if progress:
        progress.start(len(entries))
    try:
        for _, result in workers.each_parsed(entries, cfg.limits, cfg.out_dir):
            if progress:
                progress.advance(result.entry.rel, 0 if result.rows is None else len(result.rows))
            yield result
    finally:
        if progress:
            progress.stop()


def _load_each(con, results, first_seen: dict[str, dt.datetime], run_id: int) -> None:
    """Each file's rows into the warehouse as its worker finishes: the run holds at most two files' rows at a time.

    A file loads in a thread (DuckDB lets go of the GIL while it inserts) while this one goes back
    to the workers, so that a core freed meanwhile gets its next file at once, not after the load.
    DuckDB loads in one thread of its own (load.one_thread).
    """
    from concurrent.futures import ThreadPoolExecutor

    from pipeline import load

    now = dt.datetime.now()

    def load_one(result: FileResult) -> None:
        load.insert(con, result, first_seen.get(result.entry.rel, now), run_id)
        result.rows = None  # freed once loaded, not when the next file arrives

    with load.one_thread(con), ThreadPoolExecutor(1, thread_name_prefix="pipeline-load") as loader:
        loading = None
        for result in results:
            if loading:
                loading.result()  # the connection serves one thread at a time; a failed load stops the run here
            loading = loader.submit(load_one, result)
        if loading:
            loading.result()


def _cross_file(con, cfg: Config, notes: list[Problem]) -> list[Problem]:
    """The problems so far: discovery's notes, each file's own, and those of the cross-file tables (rebuilt here)."""
    from pipeline import aggregate, load

    return list(notes) + load.stored_file_problems(con) + aggregate.build_derived(con, cfg.format_for)


def _aggregate(con, cfg: Config, chosen: list[int], problems: list[Problem]):
    """Each chosen year's table values and their checks: (outcome, `problems` with those checks' added, year → (format, values))."""
    from pipeline import aggregate, compare, identities, workdays

    problems = list(problems)
    per_year = {}
    for year in chosen:
        fmt = cfg.format_for(year)
        values = aggregate.table_values(con, year, fmt, cfg.channels)
        problems += identities.check(values, year, fmt, list(cfg.channels))
        problems += workdays.problems(workdays.answer_times(con, year))
        per_year[year] = (fmt, values)
    problems += aggregate.service_problems(con, {year: fmt for year, (fmt, _) in per_year.items()})
    problems += compare.cross_year_problems(con, cfg, per_year)
    counts = {s: sum(p.severity == s for p in problems) for s in ("error", "warning", "note")}
    return Outcome(1 if counts["error"] else 0, years=chosen, counts=counts), problems, per_year


def _record_run(con, run_id: int, command: str, outcome: Outcome, problems: list[Problem], fp: str) -> None:
    from pipeline import load

    now = dt.datetime.now()
    con.execute(
        "insert into runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)",
        [run_id, command, now, now, outcome.files_parsed, outcome.files_removed, outcome.counts["error"],
         outcome.counts["warning"], outcome.counts["note"], outcome.exit_code, fp],
    )
    load.insert_frame(con, "problems", load.problems_table(problems, run_id))
