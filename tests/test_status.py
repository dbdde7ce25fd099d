"""`pipeline status`: files and their state, rows per kind and year, the last run, open problems."""

from __future__ import annotations

import os

import duckdb
from conftest import LOG_HEADER, make_project, write_csv, write_xlsx

from pipeline import lock


def test_status_before_any_run(tmp_path):
    project = make_project(tmp_path)
    result = project.cli("status")
    assert result.exit_code == 0
    assert "还不存在：请先运行 pipeline run" in result.output


def test_status_shows_each_files_state_rows_per_year_last_run_and_open_problems(tmp_path):
    project = make_project(tmp_path)
    raw = project.raw
    write_xlsx(raw / "website/2019.xlsx", {"发布记录": [LOG_HEADER, ["2019-03-05", "甲"], ["2019-03-06", "乙"], ["2020-01-02", "丙"]]})
    write_xlsx(raw / "weibo/微博.xlsx", {"微博": [LOG_HEADER, ["2019-05-01", "微博一"], ["不是日期", "微博二"]]})
    write_csv(raw / "wechat/文章.csv", [LOG_HEADER, ["2019-07-01", "文章一"]])
    write_xlsx(raw / "applications/台账.xlsx", {"登记": [["申请编号", "收到日期", "申请人类型"], ["2019-1", "2019-02-01", "自然人"], ["2020-1", "2020-03-01", "企业"]]})
    assert project.cli("run").exit_code == 1  # the bad date in 微博.xlsx

    # Afterwards: one file changed, one removed, one new, the others unchanged.
    write_xlsx(raw / "website/2019.xlsx", {"发布记录": [LOG_HEADER, ["2019-03-05", "甲（改）"]]})
    (raw / "wechat/文章.csv").unlink()
    write_csv(raw / "wechat/新文章.csv", [LOG_HEADER, ["2019-08-01", "新文章"]])

    result = project.cli("status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    files = [ln.strip() for ln in lines if ln.startswith("  ") and ("行，" in ln or "待下次运行" in ln or "未变" in ln)]
    assert [f.split("  ")[0] for f in files] == ["applications/台账.xlsx", "website/2019.xlsx", "wechat/文章.csv", "wechat/新文章.csv", "weibo/微博.xlsx"]
    assert "[applications]  接受 2 行，拒绝 0 行，未变" in files[0]
    assert "[website]  接受 3 行，拒绝 0 行，已修改，待下次运行" in files[1]
    assert "[wechat]  接受 1 行，拒绝 0 行，已删除，待下次运行" in files[2]
    assert files[3] == "wechat/新文章.csv  新文件，待下次运行"
    assert "[weibo]  接受 1 行，拒绝 1 行，1 处错误，未变" in files[4]
    years = lines[lines.index("各年度行数：") + 1:]
    assert years[:4] == [
        "  发布记录（条） 2019年：4",
        "  发布记录（条） 2020年：1",
        "  依申请公开登记（按收到日期，行） 2019年：1",
        "  依申请公开登记（按收到日期，行） 2020年：1",
    ]
    [last] = [ln for ln in lines if ln.startswith("上次运行：")]
    assert last.startswith("上次运行：第 1 次（run），") and "读取 4 个文件，错误 1，" in last and last.endswith("退出码 1")
    problems = lines[lines.index("未解决的问题（前 20 条，完整清单见 problems.xlsx）：") + 1:]
    assert problems[0].startswith("  [错误] weibo/微博.xlsx，微博，第 3 行：“发布日期”的值“不是日期”不是有效日期。")


def test_status_says_when_the_last_run_did_not_finish_its_outputs(tmp_path):
    project = make_project(tmp_path)
    write_xlsx(project.raw / "website/a.xlsx", {"发布记录": [LOG_HEADER, ["2019-03-05", "甲"]]})
    assert project.cli("run").exit_code == 0
    with duckdb.connect(str(project.out / "warehouse.duckdb")) as con:  # as a run killed while writing outputs leaves it
        con.execute("update runs set published = false").fetchall()
    result = project.cli("status")
    assert "这次运行的统计表没有写完（运行被中断）：下次运行会重新生成。" in result.output


def test_status_while_a_run_holds_the_output_folder(tmp_path):
    project = make_project(tmp_path)
    write_xlsx(project.raw / "website/a.xlsx", {"发布记录": [LOG_HEADER, ["2019-03-05", "甲"]]})
    assert project.cli("run").exit_code == 0
    with lock.hold(project.out):  # a run in progress also has the warehouse open for writing
        result = project.cli("status")
    assert result.exit_code == 2
    assert str(project.out / lock.LOCK_NAME) in result.output and f"进程 {os.getpid()}" in result.output
