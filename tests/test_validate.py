"""Validating publication logs: dates in every accepted form, bad dates, required cells, duplicates."""

import datetime as dt

import pytest
from conftest import cells, ingest, make_project, write_csv, write_xls, write_xlsx

DAY = "2019-03-05"
# (cell as the clerk wrote it, what it is) — every form inputs.md accepts, each meaning 5 March 2019.
GOOD_DATES = [
    (dt.date(2019, 3, 5), "Excel 日期单元格"),
    (dt.datetime(2019, 3, 5, 13, 35), "日期时间单元格"),
    (43529, "序列号"),
    (43529.5625, "带时间的序列号"),
    (20190305, "8位数字"),
    ("2019-03-05", "短横线"),
    ("2019/3/5", "斜线，一位月日"),
    ("2019.3.5", "点"),
    ("20190305", "8位文本"),
    ("2019年3月5日", "年月日"),
    ("2019-03-05 13:35", "带时分"),
    ("2019/3/5 8:05:09", "带时分秒"),
    ("2019-03-05T13:35:00", "带T"),
    ("2019年3月5日 13:35", "年月日带时分"),
    ("２０１９年３月５日", "全角数字"),
    ("２０１９－０３－０５　１３：３５", "全角数字、连字符和空格"),
    (" 2019.03.05 ", "前后空格"),
]
BAD_DATES = ["2019-02-30", "2019-3/5", "明天", "2019-03-05 25:00", "2019-13-01", "2019-03-05 13", "190305"]


def test_dates_in_every_accepted_form(tmp_path):
    rows = [["发布日期", "标题"], *([value, what] for value, what in GOOD_DATES)]
    write_xlsx(tmp_path / "website/台账.xlsx", {"S": rows})
    got = ingest(tmp_path)
    assert got.problems == []
    assert [(r.title, f"{r.published:%Y-%m-%d %H:%M:%S}") for r in got.rows.itertuples()] == [
        (what, f"{DAY} 00:00:00") for _, what in GOOD_DATES
    ]


def test_text_dates_in_a_csv(tmp_path):
    texts = [v for v, _ in GOOD_DATES if isinstance(v, str)]
    write_csv(tmp_path / "weibo/导出.csv", [["发布时间", "微博内容"], *([t, f"第{i}条"] for i, t in enumerate(texts))])
    got = ingest(tmp_path)
    assert got.problems == []
    assert list(got.rows["published"].dt.strftime("%Y-%m-%d")) == [DAY] * 12


def test_dates_in_an_xls_file(tmp_path):
    write_xls(tmp_path / "wechat/文章.xls", {"S": [["发表时间", "文章标题"], [dt.datetime(2019, 3, 5, 9, 30), "a"], [43529, "b"], ["2019年3月5日", "c"]]})
    got = ingest(tmp_path)
    assert got.problems == []
    assert list(got.rows["published"].dt.strftime("%Y-%m-%d")) == [DAY] * 3


def test_bad_dates_are_located_errors_and_the_other_rows_count(tmp_path):
    rows = [["发布时间", "标题"], [dt.date(2019, 3, 4), "好的一条"], *([bad, f"坏日期{bad}"] for bad in BAD_DATES), [DAY, "另一条好的"]]
    write_xlsx(tmp_path / "website/台账.xlsx", {"2019年": rows})
    got = ingest(tmp_path)
    assert [r.title for r in got.rows.itertuples()] == ["好的一条", "另一条好的"]
    assert got.located() == [("error", "date_invalid", "website/台账.xlsx", "2019年", row, "发布时间") for row in range(3, 3 + len(BAD_DATES))]
    assert [p.value for p in got.problems] == BAD_DATES
    assert got.problems[0].message == (
        "“发布时间”的值“2019-02-30”不是有效日期。请写成 2019-03-05、2019/3/5、2019.3.5、20190305 或 2019年3月5日，或把单元格设为日期格式。"
    )


def test_required_cells_may_not_be_empty(tmp_path):
    rows = [
        ["发布日期", "标题*", "链接"],
        [dt.date(2019, 3, 5), "第一条", None],
        [dt.date(2019, 3, 5), None, "http://a.cn/2"],  # title empty
        [dt.date(2019, 3, 6), "   ", None],  # title only spaces
        [None, "没有日期的一条", None],
        [dt.date(2019, 3, 7), "第二条", None],
    ]
    write_xlsx(tmp_path / "website/台账.xlsx", {"S": rows})
    got = ingest(tmp_path)
    assert [(r.excel_row, r.title) for r in got.rows.itertuples()] == [(2, "第一条"), (6, "第二条")]
    assert sorted(got.located()) == [
        ("error", "required_missing", "website/台账.xlsx", "S", 3, "标题*"),
        ("error", "required_missing", "website/台账.xlsx", "S", 4, "标题*"),
        ("error", "required_missing", "website/台账.xlsx", "S", 5, "发布日期"),
    ]
    messages = {p.row: p.message for p in got.problems}
    assert messages[3] == "必填项“标题*”为空。请填写标题，或删除这一行。"
    assert messages[5] == "必填项“发布日期”为空。请填写发布日期，或删除这一行。"


def test_a_row_with_an_error_is_left_out_of_the_tables_and_the_run_exits_1(tmp_path):
    project = make_project(tmp_path)
    write_xlsx(project.raw / "website/台账.xlsx", {"S": [["发布日期", "标题"], [dt.date(2019, 3, 5), "a"], ["2019-02-30", "b"], [dt.date(2019, 4, 1), "c"]]})
    result = project.cli("run")
    assert result.exit_code == 1, result.output
    counts = cells(project.tables(2019))
    assert (counts[("website", "count")], counts[("website", "m03")], counts[("website", "m04")], counts[("total", "count")]) == (2, 1, 1, 2)
    errors = project.problems().query("severity == 'error'")
    assert errors[["file", "sheet", "row", "column", "value", "rule"]].values.tolist() == [
        ["website/台账.xlsx", "S", "3", "发布日期", "2019-02-30", "date_invalid"],
    ]
    assert "数据不完整：1 处错误" in (project.out / "2019/tables.md").read_text(encoding="utf-8")


# --- duplicates: found across files in the warehouse, so checked through one real run ---------

DUP_CHANNELS = {
    "website": "政府网站", "weibo": "政务微博", "wechat": "政务微信",
    "links": "链接写法不同", "titles": "无链接同日同题", "relinked": "同日同题不同链接",
}
D5, D6 = dt.date(2019, 3, 5), dt.date(2019, 3, 6)


@pytest.fixture(scope="module")
def dup_run(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("duplicates"), channels=DUP_CHANNELS)
    raw = project.raw
    header = ["发布日期", "标题", "链接"]
    # same link written four ways (scheme, host case, trailing /, spaces); a different path case is another item
    write_xlsx(raw / "links/log.xlsx", {"S": [
        header,
        [D5, "春季防火通告", "https://www.zhangqi.gov.cn/art/1.html"],
        [D6, "春季防火通告（转载）", "http://WWW.ZhangQi.gov.cn/art/1.html/"],
        [D6, "又一条", " HTTPS://www.zhangqi.gov.cn/art/1.html "],
        [D6, "路径大小写不同", "https://www.zhangqi.gov.cn/ART/1.html"],
    ]})
    # no links: same day and title (spaces and full width folded) is one item; another day is another item;
    # with a link on one side only, same day and title still decide
    write_xlsx(raw / "titles/log.xlsx", {"S": [
        header,
        [D5, "掌起镇召开 安全生产会议", None],
        [D5, " 掌起镇召开  安全生产会议\u3000", None],
        [D6, "掌起镇召开 安全生产会议", None],
        [D6, "ＡＢＣ村 通报", "https://weibo.com/zqfb/1"],
        [D6, "ABC村 通报", None],
        [D6, "ABC村  通报", None],
    ]})
    # same day and title, different links: two items
    write_xlsx(raw / "relinked/log.xlsx", {"S": [
        header,
        [D5, "每日疫情通报", "https://weibo.com/zqfb/100"],
        [D5, "每日疫情通报", "https://weibo.com/zqfb/101"],
    ]})
    # one item in two files of one channel (xlsx and csv)
    write_xlsx(raw / "website/上半年.xlsx", {"网站": [header, [D5, "一条信息", "https://www.zhangqi.gov.cn/art/7.html"], [D6, "另一条", None]]})
    write_csv(raw / "website/补录/补录.csv", [header, ["2019-03-06", "补录的信息", None], ["2019/3/5 10:00", "一条信息（补录）", "http://www.zhangqi.gov.cn/art/7.html/"]])
    # the same post in two channels counts in each
    for channel in ("weibo", "wechat"):
        write_xlsx(raw / f"{channel}/log.xlsx", {"S": [header, [D5, "七一问候", "https://weibo.com/zqfb/HzQ7pKx2m"]]})
    result = project.cli("run")
    assert result.exit_code == 0, result.output
    return project


def dup_warnings(project, channel):
    problems = project.problems()
    hits = problems[(problems["rule"] == "duplicate_item") & problems["file"].str.startswith(f"{channel}/")]
    assert set(hits["severity"]) <= {"warning"}
    return [(r.file, r.sheet, int(r.row), r.message) for r in hits.itertuples()]


def count(project, channel):
    return cells(project.tables(2019))[(channel, "count")]


def test_same_link_ignoring_scheme_host_case_and_trailing_slash(dup_run):
    assert count(dup_run, "links") == 2
    same = "与 links/log.xlsx（S）第 2 行是同一条信息（链接相同），只计一次。如确为两条不同信息，请修改其中一条的链接。"
    assert dup_warnings(dup_run, "links") == [("links/log.xlsx", "S", 3, same), ("links/log.xlsx", "S", 4, same)]


def test_same_day_and_title_without_links(dup_run):
    assert count(dup_run, "titles") == 3
    by_title = "是同一条信息（发布日期和标题相同），只计一次。如确为两条不同信息，请修改其中一条的发布日期和标题。"
    assert dup_warnings(dup_run, "titles") == [
        ("titles/log.xlsx", "S", 3, f"与 titles/log.xlsx（S）第 2 行{by_title}"),
        ("titles/log.xlsx", "S", 6, f"与 titles/log.xlsx（S）第 5 行{by_title}"),
        ("titles/log.xlsx", "S", 7, f"与 titles/log.xlsx（S）第 5 行{by_title}"),
    ]


def test_same_day_and_title_with_different_links_are_two_items(dup_run):
    assert count(dup_run, "relinked") == 2
    assert dup_warnings(dup_run, "relinked") == []


def test_duplicate_across_two_files_of_one_channel_names_both_places(dup_run):
    assert count(dup_run, "website") == 3
    assert dup_warnings(dup_run, "website") == [(
        "website/补录/补录.csv", "", 3,
        "与 website/上半年.xlsx（网站）第 2 行是同一条信息（链接相同），只计一次。如确为两条不同信息，请修改其中一条的链接。",
    )]


def test_same_item_in_two_channels_counts_in_both(dup_run):
    assert (count(dup_run, "weibo"), count(dup_run, "wechat")) == (1, 1)
    assert dup_warnings(dup_run, "weibo") == dup_warnings(dup_run, "wechat") == []


def test_duplicates_are_counted_once_in_the_total(dup_run):
    # 2 + 3 + 2 + 3 + 1 + 1 items, March only: 5 March and 6 March
    tables = cells(dup_run.tables(2019))
    assert (tables[("total", "count")], tables[("total", "m03")]) == (12, 12)
    assert (dup_run.problems()["severity"] == "warning").sum() == 6
