"""The real CLI on the shipped demo data (data/raw/), against the numbers of scripts/README.md.

The run goes to a temporary folder; data/raw/ is only read.
"""

import re

import pytest
from conftest import REPO, cells, read_problems, read_tables, run_pipeline

RAW = REPO / "data" / "raw"
CONFIG = REPO / "pipeline.toml"
# scripts/README.md, "Channels table 2019": count, then January … December
CHANNELS_2019 = {
    "website": (236, [20, 8, 22, 24, 22, 20, 20, 14, 22, 18, 22, 24]),
    "weibo": (392, [29, 20, 39, 35, 33, 37, 35, 27, 35, 29, 39, 34]),
    "wechat": (306, [20, 17, 31, 28, 28, 27, 27, 22, 25, 22, 30, 29]),
    "total": (934, [69, 45, 92, 87, 83, 84, 82, 63, 82, 69, 91, 87]),
}
MONTHS = [f"m{m:02d}" for m in range(1, 13)]
YEAR = re.compile(r"\d{4}")
REGISTER_FOLDERS = ("applications/", "appeals/", "documents/", "services/")
# A file line of `pipeline status`: "  rel  [kind]  接受 N 行，拒绝 M 行，state，…"
FILE_LINE = re.compile(r"^  (\S+)  \[\w+\]  接受 (\d+) 行，拒绝 (\d+) 行，([^，]+)，", re.M)
# Files of the demo data and the rows each one contributes (duplicates included).
DEMO_FILES = {
    "appeals/行政复议行政诉讼台账.xlsx": 1,
    "applications/依申请公开登记台账2019.xlsx": 7,
    "applications/依申请公开登记台账2020.xlsx": 6,
    "applications/依申请公开登记台账2021.xlsx": 6,
    "documents/规范性文件目录.xlsx": 5,
    "services/管理服务事项统计.xlsx": 24,
    "website/2019年政府网站信息发布台账.xlsx": 236,
    "wechat/掌起发布公众号文章.xlsx": 306,
    "weibo/微博发布记录-上半年.xlsx": 193,
    "weibo/2019下半年/微博导出.csv": 200,
}


def cli(*args, out):
    return run_pipeline(*args, "--config", str(CONFIG), "--raw", str(RAW), "--out", str(out))


def year_folders(out):
    return sorted(p.name for p in out.iterdir() if p.is_dir() and YEAR.fullmatch(p.name))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One `pipeline run` on the demo data: (the finished process, the output folder)."""
    out = tmp_path_factory.mktemp("demo-out")
    return cli("run", out=out), out


def test_run_exits_0_and_says_what_it_did(demo):
    result, _ = demo
    assert result.returncode == 0, result.stderr
    assert "运行完成：解析 10 个文件，未变 0 个，移除 0 个；报告年度：2019、2020、2021；错误 0 处" in result.stdout


def test_one_folder_per_report_year_and_no_other(demo):
    _, out = demo
    # service figures go back to 2018, but they alone make no report year
    assert year_folders(out) == ["2019", "2020", "2021"]
    for year in ("2019", "2020", "2021"):
        assert {"tables.csv", "tables.md", "统计表.xlsx", "charts"} <= {p.name for p in (out / year).iterdir()}


@pytest.mark.parametrize("row", CHANNELS_2019)
def test_channels_2019_as_in_the_readme(demo, row):
    got = cells(read_tables(demo[1], 2019))
    count, months = CHANNELS_2019[row]
    assert got[(row, "count")] == count
    assert [got[(row, m)] for m in MONTHS] == months
    assert sum(months) == count


@pytest.mark.parametrize("year", [2020, 2021])
def test_channel_cells_are_0_in_the_other_years(demo, year):
    got = cells(read_tables(demo[1], year))
    assert sorted({r for r, _ in got}) == ["total", "website", "wechat", "weibo"]
    assert len(got) == 4 * 13
    assert set(got.values()) == {0}


def test_publication_logs_give_one_duplicate_warning_four_notes_no_error(demo):
    problems = read_problems(demo[1])
    assert list(problems.columns) == ["severity", "file", "sheet", "row", "column", "value", "rule", "message"]
    assert "error" not in set(problems["severity"])
    logs = problems[~problems["file"].str.startswith(REGISTER_FOLDERS)]
    assert list(logs["severity"]) == ["warning", "note", "note", "note", "note"]
    warning = logs.iloc[0]
    assert (warning["file"], warning["sheet"], warning["row"], warning["column"], warning["rule"]) == (
        "weibo/微博发布记录-上半年.xlsx", "微博列表", "194", "链接", "duplicate_item",
    )
    assert warning["message"].startswith("与 weibo/2019下半年/微博导出.csv第 201 行是同一条信息（链接相同），只计一次。")
    assert sorted(map(tuple, logs.iloc[1:][["file", "sheet", "row", "rule"]].values.tolist())) == [
        ("website/2019年政府网站信息发布台账.xlsx", "2019年", "242", "totals_row"),
        ("website/~$2019年政府网站信息发布台账.xlsx", "", "", "skipped_lock_file"),
        ("wechat/掌起发布公众号文章.xlsx", "说明", "", "sheet_without_header"),
        ("说明.txt", "", "", "skipped_file_type"),
    ]


def test_registers_give_only_the_overdue_answer_warning(demo):
    """Not in scripts/README.md's expected problems: ZQ2021-003 (received 2021-05-06, answered
    2021-06-18) took 31 working days, which the answer-time check (pipeline/workdays.py) flags."""
    problems = read_problems(demo[1])
    registers = problems[problems["file"].str.startswith(REGISTER_FOLDERS)]
    assert registers[["severity", "file", "sheet", "row", "column", "value", "rule"]].values.tolist() == [
        ["warning", "applications/依申请公开登记台账2021.xlsx", "2021年", "4", "答复日期", "2021-06-18", "answer_overdue"],
    ]


def test_status_lists_every_file(demo):
    result = run_pipeline("status", "--config", str(CONFIG), "--raw", str(RAW), "--out", str(demo[1]))
    assert result.returncode == 0, result.stderr
    listed = {m[1]: (int(m[2]), int(m[3]), m[4]) for m in FILE_LINE.finditer(result.stdout)}
    assert listed == {rel: (rows, 0, "未变") for rel, rows in DEMO_FILES.items()}


def test_second_run_without_changes_parses_nothing(demo):
    _, out = demo
    before = (out / "2019" / "tables.csv").stat().st_mtime_ns
    again = cli("run", out=out)
    assert again.returncode == 0, again.stderr
    assert "没有变化：解析 0 个文件，输出未改写。" in again.stdout
    assert (out / "2019" / "tables.csv").stat().st_mtime_ns == before


def test_validate_in_a_fresh_folder_writes_no_year_folders(demo, tmp_path):
    result = cli("validate", out=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "检查完成（未改动数据仓库和统计表）：解析 10 个文件" in result.stdout
    assert year_folders(tmp_path) == []
    assert list(tmp_path.rglob("tables.csv")) == []
    assert read_problems(tmp_path)["rule"].value_counts().to_dict() == read_problems(demo[1])["rule"].value_counts().to_dict()
