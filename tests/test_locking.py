"""Runs that are killed, run at the same time, or find the lock held: the outputs are never lost or mixed.

Each test drives the real command in child processes. The workload (four 20,000-row
logs over two years) is big enough for a run to be killed while it reads or while it
writes its outputs.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, make_project

from pipeline import lock

pytestmark = pytest.mark.skipif(os.name == "nt", reason="kills process groups with SIGKILL (POSIX)")
ROWS = 20_000
FILES = ["website/网站台账.xlsx", "weibo/微博导出.xlsx", "wechat/公众号文章.xlsx", "website/2020 年 网站.xlsx"]


def write_log(path: Path, seed: int) -> None:
    """A publication log of ROWS items over 2019–2020, written in constant memory."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("发布记录")
    ws.write_row(0, 0, ["发布日期", "标题", "栏目", "链接"])
    start = dt.date(2019, 1, 1)
    for i in range(1, ROWS + 1):
        day = start + dt.timedelta(days=(i * 7 + seed) % 730)
        ws.write_row(i, 0, [day.isoformat(), f"第{seed}号文件的第{i}条信息", "政务要闻", f"https://www.example.gov.cn/{seed}/{i}.html"])
    wb.close()


def outputs(out: Path) -> dict[str, object]:
    """What a reader of the output folder sees: bytes of every file, cell values for workbooks.

    The warehouse is compared by its content (files and rows), not bytes: run numbers and times differ.
    """
    from openpyxl import load_workbook

    seen = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if not path.is_file() or rel in ("warehouse.duckdb", lock.LOCK_NAME):
            continue
        if path.suffix == ".xlsx":  # the workbook's metadata records when it was written
            wb = load_workbook(path)
            seen[rel] = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
        else:
            seen[rel] = path.read_bytes()
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        seen["warehouse: files"] = con.execute("select file, sha256, rows_accepted, rows_rejected from files order by file").fetchall()
        seen["warehouse: items"] = con.execute("select file, count(*), min(published), max(published) from items group by file order by file").fetchall()
    return seen


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    """The raw folder and the outputs of one uninterrupted run over it."""
    root = tmp_path_factory.mktemp("workload")
    project = make_project(root)
    for seed, rel in enumerate(FILES):
        write_log(project.raw / rel, seed)
    done = project.subprocess("run")
    assert done.returncode == 0, done.stderr
    return project, outputs(project.out)


def same_raw(workload, tmp_path):
    """A project over the workload's raw folder with an empty output folder of its own."""
    project, _ = workload
    other = make_project(tmp_path)
    other.raw.rmdir()
    other.raw.symlink_to(project.raw, target_is_directory=True)
    return other


def start(project, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *args, *project.folders()], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True,
    )


def kill_when(proc: subprocess.Popen, ready, group: bool) -> str:
    """SIGKILL the run (with its worker processes when `group`) as soon as ready(stderr so far) holds."""
    seen = ""
    for line in proc.stderr:
        seen += line
        if ready(seen):
            break
    else:
        pytest.fail(f"the run ended before the moment to kill it: {seen}")
    if group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return seen


def leftovers(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(".*") if p.name != lock.LOCK_NAME)


def test_runs_killed_at_different_moments_then_a_normal_run_give_the_uninterrupted_outputs(workload, tmp_path):
    project = same_raw(workload, tmp_path)
    # 1. While the first files are read: nothing committed yet. Only the main process dies; its workers are orphaned.
    kill_when(start(project), lambda err: "[1/4]" in err, group=False)
    assert not (project.out / "2019").exists()
    # 2. A moment after the files were read: loading, committing, aggregating or writing; the whole process group dies.
    kill_when(start(project), lambda err: "[4/4]" in err, group=True)
    # 3. While the outputs are written (a new tables.csv has just been renamed into place).
    tables = project.out / "2019" / "tables.csv"
    before = tables.stat().st_ino if tables.exists() else None
    proc = start(project)
    while not tables.exists() or tables.stat().st_ino == before:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    # Writes cut short leave temporary files; plant some as a killed write would, in case the kills above left none.
    (project.out / "2019" / ".tables.csv.0123abcd.tmp").write_text("half a file", encoding="utf-8")
    (project.out / ".parquet.89abcdef.tmp").mkdir(exist_ok=True)
    (project.out / "2020" / "charts").mkdir(parents=True, exist_ok=True)
    (project.out / "2020" / "charts" / ".channels.tmp.png").write_bytes(b"\x89PNG half")

    done = project.subprocess("run")
    assert done.returncode == 0, done.stderr
    assert "上次运行未正常结束（进程 " in done.stderr  # the killed holder is named and its lock taken over
    assert "已清理上次中断的运行留下的" in done.stderr
    assert leftovers(project.out) == []
    assert outputs(project.out) == workload[1]


def test_two_runs_started_together_both_end_cleanly(workload, tmp_path):
    project = same_raw(workload, tmp_path)
    first, second = start(project), start(project)
    results = [p.communicate(timeout=600) + (p.returncode,) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    stdouts = sorted(out for out, _, _ in results)
    assert stdouts[0].startswith("没有变化：解析 0 个文件") and stdouts[1].startswith("运行完成：解析 4 个文件")
    assert any("等待另一个运行结束" in err for _, err, _ in results)
    assert outputs(project.out) == workload[1]


def test_a_held_lock_with_wait_0_exits_2_naming_the_lock_file(workload, tmp_path):
    project = same_raw(workload, tmp_path)
    with lock.hold(project.out):
        done = project.subprocess("run", "--wait", "0")
    assert done.returncode == 2
    assert f"锁文件 {project.out / lock.LOCK_NAME}" in done.stderr and f"进程 {os.getpid()}" in done.stderr
    assert not (project.out / "warehouse.duckdb").exists()


def test_a_stale_lock_is_taken_over_with_a_message(workload, tmp_path):
    project = same_raw(workload, tmp_path)
    project.out.mkdir()
    (project.out / lock.LOCK_NAME).write_text("进程 424242，开始于 2020-01-01 08:00:00", encoding="utf-8")  # its holder was killed
    done = project.subprocess("run")
    assert done.returncode == 0
    assert "上次运行未正常结束（进程 424242，开始于 2020-01-01 08:00:00），已接管锁并从上次完整状态继续。" in done.stderr
    assert (project.out / lock.LOCK_NAME).read_text(encoding="utf-8") == ""  # released cleanly this time
    assert outputs(project.out) == workload[1]
