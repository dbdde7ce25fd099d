"""Parse files in worker processes, one file at a time in each, under a memory and a time limit.

A reader can take the whole process down: calamine aborts (SIGABRT, which Python
cannot catch) when an allocation fails, and a huge sheet can exhaust memory or
time. In a worker that ends one file's read; the file gets an error and every
other file still loads. Files are read in parallel, at most one per CPU core
(and no more at once than the machine's memory holds at the per-worker limit);
a worker reads file after file and is replaced when it dies.

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

    A worker reads file after file (forking one per file cost the 500k workload a second: every
    page of the inherited heap and of a fresh heap is a page fault). A worker that dies, raises
    or runs out of time gives that file a `reader_failed` error instead of rows, and a worker
    that died is replaced; a file whose worker died or ran out of memory after reading other
    files is read again by a fresh worker, so that no file fails for memory an earlier file
    left behind. Each worker's stderr, and each file's accepted rows (Arrow IPC: written and
    read back as whole buffers, no pickling of every value through the pipe), go to files in
    `scratch` named like a temporary output (.NAME.HEX8.tmp), so that the next run removes
    them if this one is killed.
    """
    if work is None:
        from pipeline.run import parse_file as work
    ctx = context()
    waiting = deque((index, entry, False) for index, entry in enumerate(entries))  # False: any worker may read it
    busy: list[_Worker] = []
    idle: list[_Worker] = []
    ending: list[_Worker] = []
    slots = worker_count(limits, len(entries))

    def fill() -> None:
        while waiting and len(busy) < slots:
            index, entry, fresh = waiting.popleft()
            worker = idle.pop() if idle and not fresh else _Worker.start(ctx, work, limits, scratch)
            worker.assign(index, entry, limits)
            busy.append(worker)
        if not waiting:  # nothing left for them: idle workers end now and give their memory back
            while idle:
                ending.append(idle.pop().end())

    try:
        fill()
        while busy:
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([h for w in busy for h in (w.conn, w.process.sentinel)], timeout))
            done = [w for w in busy if w.conn in ready or w.process.sentinel in ready]
            late = [w for w in busy if w not in done and w.deadline <= time.monotonic()]
            finished = []
            # A worker out of time is killed here, before the next files start. The next files start
            # before a finished file's rows are read back and loaded.
            for worker in late + done:
                busy.remove(worker)
                outcome = worker.collect(limits)
                if outcome.retry:
                    waiting.appendleft((outcome.index, outcome.entry, True))
                else:
                    finished.append(outcome)
                if worker.reusable:
                    idle.append(worker)
                else:
                    ending.append(worker.end())
            fill()
            for outcome in finished:
                yield outcome.index, outcome.result()
    finally:
        for worker in busy:  # interrupted (Ctrl+C) or abandoned: leave no worker and no half-written rows behind
            worker.kill()
            worker.rows_file.unlink(missing_ok=True)
        for worker in busy + idle + ending:
            worker.end().reap()


def start_early() -> None:
    """Start the forkserver now (its imports take about 0.6 s) so that it is ready when the first file is.

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
class _Outcome:
    """What a worker said about one file: its result without rows (they are in `rows_file`), or why there is none."""

    index: int
    entry: FileEntry
    parsed: FileResult | None
    reason: str | None
    rows_file: Path
    detail: str = ""  # the worker's own first line of output, for a failure
    retry: bool = False  # read the file again in a fresh worker

    def result(self) -> FileResult:
        """The result with its rows read back, or a reader_failed error saying why there is none."""
        reason = self.reason
        if reason is None and self.rows_file.exists():
            reason = _read_rows(self.parsed, self.rows_file)
        self.rows_file.unlink(missing_ok=True)
        if reason is None:
            return self.parsed
        if self.detail:
            reason += f"；程序输出：{self.detail}"
        return FileResult(self.entry, None, 0, [Problem("error", "reader_failed", FAILED.format(reason=reason), file=self.entry.rel)])


def _read_rows(result: FileResult, rows_file: Path) -> str | None:
    """Put the rows the worker wrote back into its result; the reason when they cannot be read."""
    import pyarrow as pa

    try:
        with pa.OSFile(str(rows_file)) as f:  # read whole, not mapped: Windows cannot delete a mapped file
            result.rows = pa.ipc.open_file(f).read_all()
    except (OSError, pa.ArrowInvalid) as exc:
        return f"读取程序写出的数据不完整（{type(exc).__name__}）"
    return None


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: object
    stderr: Path  # the worker's stderr, so that a Rust abort message reaches the problem, not the console
    index: int = -1
    entry: FileEntry | None = None
    rows_file: Path | None = None  # the current file's accepted rows, as an Arrow IPC file
    log_from: int = 0  # where the current file's output starts in `stderr`
    deadline: float = float("inf")
    files: int = 0  # files given to this worker
    reusable: bool = True

    @classmethod
    def start(cls, ctx, work, limits: Limits, scratch: Path) -> _Worker:
        conn, child = ctx.Pipe()
        stderr = scratch / f".worker.{secrets.token_hex(4)}.tmp"
        stderr.touch(exist_ok=False)
        process = ctx.Process(target=_child, args=(child, str(stderr), work, limits), daemon=True, name="pipeline-read")
        process.start()
        child.close()  # the worker holds the only other end: its death reads as EOF here
        return cls(process, conn, stderr)

    def assign(self, index: int, entry: FileEntry, limits: Limits) -> None:
        self.index, self.entry, self.files = index, entry, self.files + 1
        self.rows_file = self.stderr.parent / f".rows-{index}.{secrets.token_hex(4)}.tmp"
        self.log_from = self.stderr.stat().st_size
        self.deadline = time.monotonic() + limits.worker_timeout_s
        self.conn.send((entry, str(self.rows_file)))

    def collect(self, limits: Limits) -> _Outcome:
        """The outcome of the current file; a worker out of time is killed, and one that is gone is not reusable."""
        said = None
        if self.conn.poll():
            try:
                said = self.conn.recv()
            except Exception:  # EOF, or a result cut short by the worker's death
                said = None
        retry = False
        if said is None:
            self.reusable = False
            self.process.join(max(0.0, self.deadline - time.monotonic()))
            if self.process.is_alive():
                self.kill()
                reason = f"超过 {limits.worker_timeout_s:g} 秒时间限制"
            else:
                reason = _exit_reason(self.process.exitcode)
                retry = self.files > 1
            result = None
        else:
            status, payload, keep = said
            self.reusable = keep
            result, reason = (payload, None) if status == "ok" else (None, payload)
            retry = status == "memory" and self.files > 1
        detail = _first_line(self.stderr, self.log_from) if reason else ""
        if retry:
            self.rows_file.unlink(missing_ok=True)
        return _Outcome(self.index, self.entry, result, reason, self.rows_file, detail, retry)

    def end(self) -> _Worker:
        """Close the pipe: an idle worker exits on it (reap waits for that)."""
        self.conn.close()
        return self

    def reap(self) -> None:
        """Wait for the worker to exit (kill it after 5 s) and remove its log."""
        self.process.join(5)
        if self.process.is_alive():
            self.kill()
        self.stderr.unlink(missing_ok=True)

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


def _first_line(path: Path, start: int) -> str:
    """The worker's first own line of output from byte `start` on (a Rust abort prints its reason, then notes)."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            lines = f.read(4000).decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    return next((ln.strip()[:200] for ln in lines if ln.strip() and not ln.startswith("note:")), "")


def _child(conn, stderr: str, work, limits: Limits) -> None:
    """Worker process: limit itself, then for each (entry, rows file) received parse the file, write its rows there
    and send (status, result or reason, whether it takes another file) until the pipe closes.

    status is "ok", "memory" (out of memory: the worker ends, its state is suspect) or "failed".
    """
    with open(stderr, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 2)
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust abort then prints one line, the reason, which the problem quotes
    start = _address_space()
    resource = _limit_memory(limits, start)
    # Past this, a worker ends after its file: what earlier files left must not cut a later file's budget by half.
    retire_at = start + int(limits.worker_memory_mb * MB) // 2
    while True:
        try:
            entry, rows_file = conn.recv()
        except EOFError:  # no more files, or the parent is gone
            return
        _limit_cpu(resource, limits)
        try:
            result = work(entry, limits)
            if result.rows is not None:
                _write_rows(result, rows_file)
            said = ("ok", result)
        except MemoryError:
            said = ("memory", "内存不足" if os.name == "nt" else f"超过 {limits.worker_memory_mb:g} MB 内存限制")
        except Exception as exc:
            said = ("failed", f"读取程序出错：{type(exc).__name__}: {str(exc)[:200]}")
        keep = said[0] != "memory" and _address_space() < retire_at
        try:
            conn.send((*said, keep))
        except Exception:  # the parent is gone, or the result could not be pickled within the memory limit
            os._exit(1)
        if not keep:
            return


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
    """A process forked from this one keeps the memory it frees for its next allocations, in one heap.

    By default glibc maps blocks over 128 KB afresh and hands freed heap back to the system,
    so a reader worker took a page fault (3-4 µs on this machine) for every 4 KB it touched
    again: a third of its page faults, about 0.3 CPU-s per 500,000 rows. Blocks under 64 MB
    now come from the heap, which is not trimmed below 1 GB. Arrow's buffers come from that
    heap too (its system pool), not from mimalloc beside it: a worker reads file after file,
    and two allocators each keeping what the largest file took held about 40 MB more per
    worker (the 500k run's peak was 640 instead of 560 MiB), for no gain in time.
    glibc's parameters do nothing where malloc is not glibc's (Windows, macOS; musl ignores them).
    """
    import ctypes

    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 64 * MB)
    mallopt(_M_TRIM_THRESHOLD, 1024 * MB)


def _limit_memory(limits: Limits, start: int):
    """RLIMIT_AS: what the worker holds at start (`start` bytes: the imported modules) plus the configured budget.

    Returns the resource module, or None on Windows, where only the parent's timeout applies.
    """
    try:
        import resource
    except ImportError:
        return None
    value = start + int(limits.worker_memory_mb * MB)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for limit in (soft, hard):  # a lower limit (e.g. from ulimit) stays
        if limit != resource.RLIM_INFINITY:
            value = min(value, limit)
    resource.setrlimit(resource.RLIMIT_AS, (value, hard))
    return resource


def _limit_cpu(resource, limits: Limits) -> None:
    """RLIMIT_CPU for the next file: the CPU time used so far + 2 × the timeout + 10 s (at most the hard limit).

    It ends a worker whose parent was killed and so can no longer enforce the timeout.
    """
    if resource is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    value = int(usage.ru_utime + usage.ru_stime + 2 * limits.worker_timeout_s) + 10
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (value, hard))


def _address_space() -> int:
    """Bytes of address space this process holds now (Linux); 0 where /proc is missing (macOS does not enforce RLIMIT_AS)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
