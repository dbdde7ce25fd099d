"""Incremental runs of the real command: only what changed is read, and the warehouse follows the raw folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from conftest import LOG_HEADER, cells, make_project, write_csv, write_xlsx

from pipeline import discover as discover_module
from pipeline.config import load
from pipeline.run import execute


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under the output folder, by relative path, with its bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def query(out: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture
def project(tmp_path):
    project = make_project(tmp_path)
    write_xlsx(project.raw / "website/网站.xlsx", {"发布记录": [LOG_HEADER, ["2019-03-05", "甲"], ["2019-03-06", "乙"], ["2019-04-01", "丙"]]})
    write_csv(project.raw / "weibo/微博.csv", [LOG_HEADER, ["2019-05-01", "微博一"], ["坏日期", "微博二"]])
    write_xlsx(project.raw / "applications/台账.xlsx", {"登记": [["申请编号", "收到日期", "申请人类型"], ["2019-1", "2019-02-01", "自然人"]]})
    done = project.subprocess("run")
    assert done.returncode == 1, done.stderr  # the bad date
    return project


def test_rerun_with_nothing_changed_reads_nothing_and_rewrites_nothing(project):
    before = snapshot(project.out)
    assert "warehouse.duckdb" in before and "2019/tables.csv" in before and "problems.xlsx" in before
    done = project.subprocess("run")
    assert done.returncode == 1  # the errors of the last run still stand
    assert "没有变化：解析 0 个文件，输出未改写。上次运行的错误 1 处" in done.stdout
    assert "[1/" not in done.stderr  # no file was read
    assert snapshot(project.out) == before  # byte for byte, the warehouse included


def test_a_replaced_file_replaces_its_rows(project):
    write_xlsx(project.raw / "website/网站.xlsx", {"发布记录": [LOG_HEADER, ["2019-06-01", "新甲"], ["2019-06-02", "新乙"]]})
    done = project.subprocess("run")
    assert "解析 1 个文件，未变 2 个，移除 0 个" in done.stdout
    assert query(project.out, "select title, published::varchar from items where file = 'website/网站.xlsx' order by excel_row") == [("新甲", "2019-06-01"), ("新乙", "2019-06-02")]
    assert cells(project.tables(2019))[("website", "count")] == 2
    assert cells(project.tables(2019))[("weibo", "count")] == 1  # the unchanged file keeps its rows


def test_a_deleted_file_removes_its_rows_and_its_problems(project):
    (project.raw / "weibo/微博.csv").unlink()
    done = project.subprocess("run")
    assert done.returncode == 0  # its bad date went with it
    assert "解析 0 个文件，未变 2 个，移除 1 个" in done.stdout
    assert query(project.out, "select count(*) from items where file = 'weibo/微博.csv'") == [(0,)]
    assert query(project.out, "select count(*) from files where file = 'weibo/微博.csv'") == [(0,)]
    assert "weibo/微博.csv" not in set(project.problems()["file"])
    assert cells(project.tables(2019))[("weibo", "count")] == 0


def test_the_files_table_records_each_file(project):
    rows = query(project.out, "select file, sha256, size, kind, channel, rows_accepted, rows_rejected, first_seen, parsed_at from files order by file")
    assert [r[:7] for r in rows] == [
        (rel, hashlib.sha256((project.raw / rel).read_bytes()).hexdigest(), (project.raw / rel).stat().st_size, kind, channel, ok, bad)
        for rel, kind, channel, ok, bad in [
            ("applications/台账.xlsx", "applications", None, 1, 0),
            ("website/网站.xlsx", "publication", "website", 3, 0),
            ("weibo/微博.csv", "publication", "weibo", 1, 1),
        ]
    ]
    first = {r[0]: (r[7], r[8]) for r in rows}
    write_csv(project.raw / "weibo/微博.csv", [LOG_HEADER, ["2019-05-01", "微博一"], ["2019-05-02", "微博二"]])
    project.subprocess("run")
    again = {r[0]: (r[1], r[2], r[3], r[4]) for r in query(project.out, "select file, first_seen, parsed_at, rows_accepted, rows_rejected from files")}
    assert again["weibo/微博.csv"][0] == first["weibo/微博.csv"][0]  # first seen is kept
    assert again["weibo/微博.csv"][1] > first["weibo/微博.csv"][1]  # read again
    assert again["weibo/微博.csv"][2:] == (2, 0)
    assert again["website/网站.xlsx"][:2] == first["website/网站.xlsx"]  # not read again


def test_moving_a_file_to_another_channel_reads_it_as_that_channel(project):
    (project.raw / "wechat").mkdir()
    (project.raw / "website/网站.xlsx").rename(project.raw / "wechat/网站.xlsx")
    done = project.subprocess("run")
    assert "解析 1 个文件，未变 2 个，移除 1 个" in done.stdout
    counts = cells(project.tables(2019))
    assert (counts[("website", "count")], counts[("wechat", "count")]) == (0, 3)


def test_a_file_that_cannot_be_opened_keeps_its_rows(project, monkeypatch):
    # As when another program holds the file: discovery cannot hash it. Its rows must not be dropped.
    real = discover_module.sha256
    monkeypatch.setattr(discover_module, "sha256", lambda p: (_ for _ in ()).throw(PermissionError(13, "Permission denied")) if p.name == "网站.xlsx" else real(p))
    write_csv(project.raw / "weibo/微博.csv", [LOG_HEADER, ["2019-05-01", "微博一"]])  # something else changed
    outcome = execute(load(project.config, project.raw, project.out), "run")
    assert outcome.exit_code == 1
    [problem] = project.problems().query("rule == 'file_unavailable'").itertuples()
    assert (problem.severity, problem.file) == ("error", "website/网站.xlsx")
    assert problem.message.startswith("文件无法打开（Permission denied），可能正被其他程序占用或没有读取权限，本次未读取；以前读取过的内容照常计入统计表。")
    assert query(project.out, "select count(*) from items where file = 'website/网站.xlsx'") == [(3,)]
    assert cells(project.tables(2019))[("website", "count")] == 3
