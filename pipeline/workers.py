"""Parse each file in its own process, under a memory and a time limit.

A reader can take the whole process down: calamine aborts (SIGABRT, which Python
cannot catch) when an allocation fails, and a huge sheet can exhaust memory or
time. In a worker that ends one file's read; the file gets an error and every
other file still loads. Files are read in parallel, at most one per CPU core
(and no more at once than the machine's memory holds at the per-worker limit).

POSIX: workers fork from a forkserver that has the reading modules imported, so
each starts in milliseconds, and RLIMIT_AS caps its memory. Windows: spawn, and
only the time limit applies (docs/robustness.md).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import secrets
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

from pipeline.discover import FileEntry
from pipeline.guard import MB, Limits
from pipeline.load import FileResult
from pipeline.problems import Problem

# Imports what parse_file needs and runs it once, in the forkserver instead of in every worker.
PRELOAD = ["pipeline.warmup"]


def worker_count(limits: Limits, files: int) -> int:
    """Workers at once: one per core (or limits.workers), no more than memory holds at the per-worker limit."""
    n = limits.workers or os.cpu_count() or 1
    try:
        ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        n = min(n, max(1, int(ram // (limits.worker_memory_mb * MB))))
    except (AttributeError, ValueError, OSError):  # no sysconf on Windows
        pass
    return max(1, min(n, files))


def parse_all(entries: list[FileEntry], limits: Limits, scratch: Path, on_done: Callable[[FileResult], None] | None = None, work: Callable | None = None) -> list[FileResult]:
    """`work(entry, limits)` (run.parse_file) for every entry in worker processes; results in entry order.

    `on_done` is called as each file finishes. See `each_parsed`.
    """
    results: list[FileResult | None] = [None] * len(entries)
    for index, result in each_parsed(entries, limits, scratch, work):
        results[index] = result
        if on_done:
            on_done(result)
    return results


def each_parsed(entries: list[FileEntry], limits: Limits, scratch: Path, work: Callable | None = None) -> Iterator[tuple[int, FileResult]]:
    """(index in `entries`, result) of every file as its worker finishes, so that the caller holds one file's rows at a time.

    A worker that dies, raises or runs out of time gives that file a `reader_failed`
    error instead of rows. Each worker's stderr, and its accepted rows (Arrow IPC: written
    and read back as whole buffers, no pickling of every value through the pipe), go to
    files in `scratch` named like a temporary output (.NAME.HEX8.tmp), so that the next
    run removes them if this one is killed.
    """
    if work is None:
        from pipeline.run import parse_file as work
    ctx = context()
    waiting = deque(enumerate(entries))
    running: list[_Job] = []
    done: list[_Job] = []
    slots = worker_count(limits, len(entries))

    def fill() -> None:
        while waiting and len(running) < slots:
            running.append(_Job.start(ctx, *waiting.popleft(), work, limits, scratch))

    try:
        fill()
        while running:
            timeout = max(0.0, min(j.deadline for j in running) - time.monotonic())
            ready = set(wait([h for j in running for h in (j.conn, j.process.sentinel)], timeout))
            done = [j for j in running if j.conn in ready or j.process.sentinel in ready]
            late = [j for j in running if j not in done and j.deadline <= time.monotonic()]
            for job in done + late:
                running.remove(job)
            # A worker out of time is killed (in finish) before the next files start. One that sent its result
            # or died is gone or exiting: the next files start before its result is read back and loaded.
            timed_out = [(job.index, job.finish(limits)) for job in late]
            fill()
            yield from timed_out
            while done:
                job = done.pop(0)
                yield job.index, job.finish(limits)
    finally:
        for job in running + done:  # interrupted (Ctrl+C) or abandoned: leave no worker behind
            job.kill()


def start_early() -> None:
    """Start the forkserver now (it imports and warms up for about 0.7 s) so that it is ready when the first file is.

    Meanwhile this process imports what reading the results back takes, on the core the
    server leaves idle. Windows has no forkserver: only the import.
    """
    if os.name != "nt":
        context()
        from multiprocessing import forkserver

        forkserver.ensure_running()
    import pyarrow.ipc  # noqa: F401


def context():
    """The start method for worker processes: a forkserver with PRELOAD (POSIX), spawn (Windows)."""
    if os.name == "nt":
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # takes effect when the server starts, once per run
    return ctx


@dataclass
class _Job:
    index: int
    entry: FileEntry
    process: mp.process.BaseProcess
    conn: object
    deadline: float
    stderr: Path  # the worker's stderr, so that a Rust abort message reaches the problem, not the console
    rows_file: Path  # the accepted rows, as an Arrow IPC file

    @classmethod
    def start(cls, ctx, index: int, entry: FileEntry, work, limits: Limits, scratch: Path) -> _Job:
        receive, send = ctx.Pipe(duplex=False)
        token = secrets.token_hex(4)
        stderr, rows_file = scratch / f".worker-{index}.{token}.tmp", scratch / f".rows-{index}.{token}.tmp"
        stderr.touch(exist_ok=False)
        process = ctx.Process(target=_child, args=(send, str(stderr), str(rows_file), work, entry, limits), daemon=True, name=f"pipeline-read-{index}")
        process.start()
        send.close()  # the worker holds the only writing end: its death reads as EOF here
        return cls(index, entry, process, receive, time.monotonic() + limits.worker_timeout_s, stderr, rows_file)

    def finish(self, limits: Limits) -> FileResult:
        """The worker's result, or a reader_failed error saying why there is none."""
        outcome = None
        if self.conn.poll():
            try:
                outcome = self.conn.recv()
            except Exception:  # EOF, or a result cut short by the worker's death
                outcome = None
        if outcome is None:
            self.process.join(max(0.0, self.deadline - time.monotonic()))
            if self.process.is_alive():
                self.kill()
                reason = f"超过 {limits.worker_timeout_s:g} 秒时间限制"
            else:
                reason = _exit_reason(self.process.exitcode)
        else:
            reason = None if outcome[0] == "ok" else outcome[1]
            self.process.join(5)  # it exits right after sending
            if self.process.is_alive():
                self.kill()
        self.conn.close()
        detail = _first_line(self.stderr)
        self.stderr.unlink(missing_ok=True)
        if reason is None and self.rows_file.exists():
            reason = self._read_rows(outcome[1])
        self.rows_file.unlink(missing_ok=True)
        if reason is None:
            return outcome[1]
        if detail:
            reason += f"；程序输出：{detail}"
        return FileResult(self.entry, None, 0, [Problem("error", "reader_failed", FAILED.format(reason=reason), file=self.entry.rel)])

    def _read_rows(self, result: FileResult) -> str | None:
        """Put the rows the worker wrote back into its result; the reason when they cannot be read."""
        import pyarrow as pa

        try:
            with pa.OSFile(str(self.rows_file)) as f:  # read whole, not mapped: Windows cannot delete a mapped file
                result.rows = pa.ipc.open_file(f).read_all()
        except (OSError, pa.ArrowInvalid) as exc:
            return f"读取程序写出的数据不完整（{type(exc).__name__}）"
        return None

    def kill(self) -> None:
        self.process.kill()
        self.process.join()


FAILED = "读取该文件时超出内存/时间限制或读取程序异常退出（{reason}），该文件未计入统计，其他文件照常读取。文件可能过大或已损坏：请用 Excel/WPS 打开，删除多余的空行、空列和无关的工作表后另存为 .xlsx；文件很大时请按年度或月份拆分成几个文件。文件修改后，下次运行会重新读取。"


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        hint = "，多为内存不足" if name in ("SIGABRT", "SIGKILL", "SIGSEGV", "SIGBUS") else ""
        return f"读取程序被信号 {name} 终止{hint}"
    return f"读取程序异常退出，退出码 {code}"


def _first_line(path: Path) -> str:
    """The worker's first own line of output (a Rust abort prints its reason, then notes)."""
    try:
        with open(path, "rb") as f:
            lines = f.read(4000).decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    return next((ln.strip()[:200] for ln in lines if ln.strip() and not ln.startswith("note:")), "")


def _child(conn, stderr: str, rows_file: str, work, entry: FileEntry, limits: Limits) -> None:
    """Worker process: limit itself, parse one file, write its rows to `rows_file`, send ("ok", result) or ("failed", reason)."""
    with open(stderr, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 2)
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust abort then prints one line, the reason, which the problem quotes
    _limit_resources(limits)
    try:
        result = work(entry, limits)
        if result.rows is not None:
            _write_rows(result, rows_file)
        outcome = ("ok", result)
    except MemoryError:
        outcome = ("failed", "内存不足" if os.name == "nt" else f"超过 {limits.worker_memory_mb:g} MB 内存限制")
    except Exception as exc:
        outcome = ("failed", f"读取程序出错：{type(exc).__name__}: {str(exc)[:200]}")
    try:
        conn.send(outcome)
    except Exception:  # the parent is gone, or the result could not be pickled within the memory limit
        os._exit(1)


def _write_rows(result: FileResult, path: str) -> None:
    """Move the result's rows into an Arrow IPC file (the Arrow-backed columns are written as they are)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(result.rows, preserve_index=False)
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    result.rows = None


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def reuse_freed_memory() -> None:
    """glibc: a process forked from this one keeps the memory it frees for its next allocations.

    By default glibc maps blocks over 128 KB afresh and hands freed heap back to the system,
    so a reader worker, which lives for one file, takes a page fault (3-4 µs on this machine)
    for every 4 KB it touches again: a third of its page faults, about 0.3 CPU-s per 500,000
    rows. Blocks under 64 MB now come from the heap, which is not trimmed below 1 GB. A no-op
    where malloc is not glibc's (Windows, macOS; musl ignores these parameters).
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 64 * MB)
    mallopt(_M_TRIM_THRESHOLD, 1024 * MB)


def _limit_resources(limits: Limits) -> None:
    """RLIMIT_AS: what the worker holds at start (the imported modules) plus the configured budget.

    RLIMIT_CPU ends a worker whose parent was killed and so can no longer enforce the timeout.
    """
    try:
        import resource
    except ImportError:  # Windows: only the parent's timeout applies
        return
    _lower(resource, resource.RLIMIT_AS, _address_space() + int(limits.worker_memory_mb * MB))
    _lower(resource, resource.RLIMIT_CPU, int(2 * limits.worker_timeout_s) + 10)


def _lower(resource, which: int, value: int) -> None:
    """Set the soft limit to `value` unless the process already has a lower one (e.g. from ulimit)."""
    soft, hard = resource.getrlimit(which)
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            value = min(value, limit)
    resource.setrlimit(which, (value, hard))


def _address_space() -> int:
    """Bytes of address space this process holds now (Linux); 0 where /proc is missing (macOS does not enforce RLIMIT_AS)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
