"""Reader worker processes: how they are reused and what the forkserver sets up for them (crashes and limits: test_hostile.py)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from pipeline import workers
from pipeline.discover import FileEntry
from pipeline.guard import Limits
from pipeline.load import FileResult
from pipeline.problems import Problem

POSIX = pytest.mark.skipif(os.name == "nt", reason="signals and RLIMIT_AS are POSIX only (docs/robustness.md)")
_HELD: list[bytearray] = []  # what a worker keeps between files (work_leaky)
_READ: list[str] = []  # the files this worker process has read


def entries(folder: Path, *names: str) -> list[FileEntry]:
    return [FileEntry(folder / f"{n}.xlsx", f"website/{n}.xlsx", "publication", "website", 1, n) for n in names]


def attempt(entry) -> str:
    """Note this attempt (file, worker pid) in a log next to the entries, and return the file's name."""
    _READ.append(entry.rel)
    with open(entry.path.parent / "attempts.log", "a", encoding="utf-8") as log:
        log.write(f"{entry.path.stem} {os.getpid()}\n")
    return entry.path.stem


def attempts(folder: Path) -> list[tuple[str, int]]:
    return [(name, int(pid)) for name, pid in (line.split() for line in (folder / "attempts.log").read_text(encoding="utf-8").splitlines())]


def work_pid(entry, limits) -> FileResult:
    """A file named "abort" kills its worker; a file named "late" fails for memory in a worker that read another file before."""
    name = attempt(entry)
    if name == "abort":
        os.abort()
    if name == "late" and len(_READ) > 1:
        raise MemoryError
    return FileResult(entry, None, 0, [Problem("note", "ok", str(os.getpid()), file=entry.rel)])


def work_leaky(entry, limits) -> FileResult:
    """Keeps 200 MB after each file, as a reader that leaked would."""
    attempt(entry)
    _HELD.append(bytearray(200 << 20))
    return FileResult(entry, None, 0, [Problem("note", "ok", str(os.getpid()), file=entry.rel)])


def parse(tmp_path: Path, names, work, **limits) -> tuple[list[FileResult], list[tuple[str, int]]]:
    """The results, and the (file, worker pid) of every attempt; the scratch folder is left empty."""
    folder, scratch = tmp_path / "in", tmp_path / "scratch"
    folder.mkdir()
    scratch.mkdir()
    results = workers.parse_all(entries(folder, *names), Limits(**limits), scratch, work=work)
    assert list(scratch.iterdir()) == []  # the workers' logs and rows files are gone
    return results, attempts(folder)


def test_one_worker_reads_file_after_file(tmp_path):
    results, tried = parse(tmp_path, ["a", "b", "c"], work_pid, workers=1)
    assert [name for name, _ in tried] == ["a", "b", "c"]
    assert len({pid for _, pid in tried}) == 1
    assert [r.problems[0].message for r in results] == [str(tried[0][1])] * 3


@POSIX
def test_a_file_whose_reused_worker_died_is_read_again_by_a_fresh_one(tmp_path):
    results, tried = parse(tmp_path, ["a", "abort", "c"], work_pid, workers=1, worker_timeout_s=30)
    # abort kills the worker that read a; read again in a fresh worker it kills that one too: its own error.
    assert [name for name, _ in tried] == ["a", "abort", "abort", "c"]
    pids = [pid for _, pid in tried]
    assert pids[0] == pids[1] and len(set(pids)) == 3
    assert [[p.rule for p in r.problems] for r in results] == [["ok"], ["reader_failed"], ["ok"]]
    assert "信号 SIGABRT" in results[1].problems[0].message


@POSIX
def test_a_file_out_of_memory_in_a_reused_worker_is_read_again_by_a_fresh_one(tmp_path):
    results, tried = parse(tmp_path, ["a", "late", "c"], work_pid, workers=1)
    assert [name for name, _ in tried] == ["a", "late", "late", "c"]
    pids = [pid for _, pid in tried]
    assert pids[0] == pids[1] != pids[2] == pids[3]  # the worker out of memory ended; the fresh one reads on
    assert [[p.rule for p in r.problems] for r in results] == [["ok"], ["ok"], ["ok"]]


@POSIX
def test_a_worker_that_grew_past_half_its_memory_budget_ends_after_its_file(tmp_path):
    # 200 MB kept per file, budget 1,000 MB: past 500 MB after the third file, so the fourth gets a fresh worker.
    results, tried = parse(tmp_path, ["a", "b", "c", "d"], work_leaky, workers=1, worker_memory_mb=1000)
    pids = [pid for _, pid in tried]
    assert pids[0] == pids[1] == pids[2] != pids[3]
    assert all(r.problems[0].rule == "ok" for r in results)


POOL = """
import pyarrow as pa
from pipeline import workers
before = pa.default_memory_pool().backend_name
workers.reuse_freed_memory()
print(before, pa.default_memory_pool().backend_name, pa.array(["标题"] * 1000).nbytes > 0)
"""


def test_arrow_buffers_of_a_worker_come_from_the_heap_it_keeps():
    # One allocator: mimalloc beside glibc kept what the largest file took twice (docs/robustness.md).
    done = subprocess.run([sys.executable, "-c", POOL], cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["mimalloc", "system", "True"]


CPU_LIMIT = """
import resource
from pipeline import workers
from pipeline.guard import Limits
while resource.getrusage(resource.RUSAGE_SELF).ru_utime < 1.2:
    pass
usage = resource.getrusage(resource.RUSAGE_SELF)
workers._limit_cpu(resource, Limits(worker_timeout_s=5))
print(usage.ru_utime + usage.ru_stime, resource.getrlimit(resource.RLIMIT_CPU)[0])
"""


@POSIX
def test_each_file_gets_a_fresh_cpu_limit_on_top_of_the_time_used():
    done = subprocess.run([sys.executable, "-c", CPU_LIMIT], cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    used, limit = map(float, done.stdout.split())
    assert used >= 1.2 and limit == int(used + 2 * 5) + 10  # the CPU seconds used + 2 × the timeout + 10 s

# Page faults of touching a 32 MB block again after freeing one of that size, in a fresh interpreter.
REFAULTS = """
import resource, sys
from pipeline import workers
if sys.argv[1] == "reuse":
    workers.reuse_freed_memory()
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = bytearray(32 << 20)
del block
before = faults()
block = bytearray(32 << 20)
print(faults() - before)
"""


def refaults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", REFAULTS, mode], cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt parameters are glibc's")
def test_a_worker_reuses_the_memory_it_freed_instead_of_faulting_it_in_again():
    # 32 MB is 8,192 pages of 4 KB: by default every one faults again; reused, they are already there.
    assert refaults("default") > 7_000
    assert refaults("reuse") < 500
