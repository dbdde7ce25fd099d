"""Year-over-year comparison across the format change, the cross-year warnings and the by-year charts."""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings

import pandas as pd
import pytest

from conftest import make_project, read_problems, write_xlsx
from pipeline import charts, compare

CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
AGENCY = "测试镇人民政府"


@pytest.fixture(autouse=True)
def missing_glyph_is_error():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")
        yield


def values(cells: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    """A values frame from {(table, row_code, col_code): value}; cells not given are 0."""
    return pd.DataFrame([(t, r, c, v) for (t, r, c), v in cells.items()],
                        columns=["table", "row_code", "col_code", "value"])


def requests_cells(rows: dict[str, int]) -> dict:
    """Table 三 with every count in column natural_person, total the same."""
    return {("requests", r, c): v for r, v in rows.items() for c in ("natural_person", "total")}


# 2020 (2019 format): 5 new + 1 carried in = 3 disclosed + 2 其他处理 + 1 carried out.
Y2020 = values({
    **requests_cells({"new": 5, "carried_in": 1, "disclosed": 3, "other": 2, "result_total": 5, "carried_out": 1}),
    ("proactive", "normative_docs", "made"): 4,
    ("proactive", "normative_docs", "published"): 3,
    ("proactive", "licensing", "decisions"): 100,
    ("proactive", "fees", "prev_items"): 2,
    ("channels", "website", "count"): 40, ("channels", "website", "m01"): 40,
    ("channels", "total", "count"): 40, ("channels", "total", "m01"): 40,
})
# 2021 (2021 format): 其他处理 split 1 + 2 + 1 = 4.
Y2021 = values({
    **requests_cells({"new": 9, "carried_in": 1, "disclosed": 6, "other.no_correction": 1, "other.no_fee": 2,
                      "other.other": 1, "result_total": 10, "carried_out": 0}),
    ("proactive", "normative_docs", "issued"): 3,
    ("proactive", "normative_docs", "repealed"): 1,
    ("proactive", "licensing", "decisions"): 120,
    ("proactive", "fees", "amount"): 1.5,
    ("channels", "website", "count"): 30, ("channels", "website", "m02"): 30,
    ("channels", "weibo", "count"): 20, ("channels", "weibo", "m02"): 20,
    ("channels", "total", "count"): 50, ("channels", "total", "m02"): 50,
})
HISTORY = {2020: ("2019", Y2020), 2021: ("2021", Y2021)}


def row(frame: pd.DataFrame, year: int, row_code: str, col_code: str) -> dict:
    (found,) = frame[(frame["year"] == year) & (frame["row_code"] == row_code) & (frame["col_code"] == col_code)].to_dict("records")
    return found


def test_requests_across_the_format_change():
    frame = compare.compare_table(HISTORY, "requests", CHANNELS)
    disclosed = row(frame, 2021, "disclosed", "total")
    assert (disclosed["value"], disclosed["prev_value"], disclosed["change"], disclosed["change_pct"], disclosed["说明"]) == (
        6, 3, 3, 100.0, "")
    other = row(frame, 2021, "other", "total")  # 1 + 2 + 1 = 4 against 2
    assert (other["row_label"], other["value"], other["prev_value"], other["change"], other["change_pct"]) == (
        "（六）其他处理（三项合计）", 4, 2, 2, 100.0)
    assert "分为三项" in other["说明"]
    no_fee = row(frame, 2021, "other.no_fee", "total")
    assert no_fee["value"] == 2 and math.isnan(no_fee["prev_value"]) and math.isnan(no_fee["change"])
    assert no_fee["说明"].startswith("不可比：2019年版“其他处理”不分细项")
    carried_out = row(frame, 2021, "carried_out", "natural_person")  # 1 → 0
    assert (carried_out["change"], carried_out["change_pct"]) == (-1, -100.0)
    first = row(frame, 2020, "disclosed", "total")
    assert math.isnan(first["prev_value"]) and first["说明"] == "没有2019年的数据"
    # the 2019-format year has no 三项合计 row; the 2021-format year has it right after its three items
    assert "other" in set(frame.loc[frame["year"] == 2020, "row_code"])
    codes = list(dict.fromkeys(frame.loc[frame["year"] == 2021, "row_code"]))
    assert codes[codes.index("other.other") + 1] == "other"


def test_proactive_across_the_format_change():
    frame = compare.compare_table(HISTORY, "proactive", CHANNELS)
    issued = row(frame, 2021, "normative_docs", "issued")  # 本年新制作数量 4 → 本年制发件数 3
    assert (issued["prev_value"], issued["change"], issued["change_pct"]) == (4, -1, -25.0)
    assert "本年新制作数量" in issued["说明"] and "可比" in issued["说明"]
    decisions = row(frame, 2021, "licensing", "decisions")
    assert (decisions["prev_value"], decisions["change"], decisions["change_pct"]) == (100, 20, 20.0)
    for code in ("repealed", "in_force"):
        cell = row(frame, 2021, "normative_docs", code)
        assert math.isnan(cell["prev_value"]) and cell["说明"].startswith("不可比：2019年版统计“本年新公开数量”")
    fees = row(frame, 2021, "fees", "amount")
    assert fees["value"] == 1.5 and math.isnan(fees["prev_value"]) and "收费金额" in fees["说明"]
    assert "prev_items" not in set(frame.loc[frame["year"] == 2021, "col_code"])  # only in the 2019 format


@pytest.mark.parametrize("older,newer", [("2019", "2021"), ("2021", "2019")])
def test_every_cell_that_does_not_compare_says_why(older, newer):
    empty = values({})
    frame = compare.compare_table({2020: (older, empty), 2021: (newer, empty)}, "proactive", CHANNELS)
    frame = pd.concat([frame, compare.compare_table({2020: (older, empty), 2021: (newer, empty)}, "requests", CHANNELS)])
    later = frame[frame["year"] == 2021]
    assert not later["说明"].str.contains("统计表没有此项").any()  # no fallback text: each has its reason
    assert later.loc[later["prev_value"].isna(), "说明"].str.startswith("不可比：").all()


def test_same_format_compares_every_cell_without_notes():
    frame = compare.compare_table({2020: ("2019", Y2020), 2021: ("2019", values({}))}, "proactive", CHANNELS)
    later = frame[frame["year"] == 2021]
    assert later["prev_value"].notna().all()
    assert (later["说明"] == "").all()
    published = row(frame, 2021, "normative_docs", "published")
    assert (published["prev_value"], published["change"]) == (3, -3)


def test_wide_lines_up_made_and_issued():
    table = compare.wide(compare.compare_table(HISTORY, "proactive", CHANNELS))
    docs = table.loc[("行政规范性文件", "本年制发件数")]
    assert (docs["2020年"], docs["2021年"], docs["增减"], docs["增减%"]) == (4, 3, -1, -25.0)
    assert list(table.columns) == ["2020年", "2021年", "增减", "增减%", "说明"]


def test_channel_counts_and_monthly():
    counts = compare.channel_counts(HISTORY, CHANNELS)
    latest = counts[counts["year"] == 2021].set_index("channel")
    assert latest["count"].to_dict() == {"website": 30, "weibo": 20, "wechat": 0, "total": 50}
    assert (latest.loc["website", "change"], latest.loc["website", "change_pct"]) == (-10, -25.0)
    assert (latest.loc["total", "change"], latest.loc["total", "change_pct"]) == (10, 25.0)
    assert math.isnan(latest.loc["weibo", "change_pct"])  # from 0: no percentage
    monthly = compare.monthly(HISTORY, CHANNELS)
    site = monthly[monthly["channel"] == "website"].set_index(["year", "month"])["count"]
    assert (site[(2020, 1)], site[(2020, 2)], site[(2021, 1)], site[(2021, 2)]) == (40, 0, 0, 30)
    assert len(monthly) == 2 * 4 * 12


def test_notes_lists_each_reason_once():
    frame = compare.compare_table(HISTORY, "requests", CHANNELS)
    assert compare.notes(frame[frame["year"] == 2021]) == [
        "不可比：2019年版“其他处理”不分细项，只能比较三项合计（见“（六）其他处理（三项合计）”行）。",
        "2019年版“（六）其他处理”为一项，2021年版分为三项；按三项合计与2019年版比较。",
    ]


# --------------------------------------------------------------------- cross-year checks


def test_carry_over_mismatch_names_both_years_the_column_and_both_numbers():
    before = values(requests_cells({"carried_out": 2}))  # 2019: 2 natural persons carried out
    now = values({("requests", "carried_in", "natural_person"): 1, ("requests", "carried_in", "business"): 1,
                  ("requests", "carried_in", "total"): 2})
    found = compare.carry_over_problems(2019, before, 2020, now)
    assert [(p.severity, p.rule, p.column, p.value) for p in found] == [
        ("warning", "carry_over_mismatch", "自然人", "2019年 2 / 2020年 1"),
        ("warning", "carry_over_mismatch", "商业企业", "2019年 0 / 2020年 1"),
    ]  # the totals agree (2 and 2): no warning for 总计
    assert "2020年" in found[0].message and "2019年" in found[0].message
    assert "“自然人”列为 1" in found[0].message and "同一列为 2" in found[0].message
    assert compare.carry_over_problems(2019, before, 2020, values(requests_cells({"carried_in": 2}))) == []


def test_identical_table_is_flagged_but_not_an_all_zero_one():
    same = {("appeals", "cases", "review.upheld"): 1, ("appeals", "cases", "review.total"): 1}
    found = compare.identical_problems(2021, ("2021", values(same)), 2022, ("2021", values(same)), CHANNELS)
    assert [(p.rule, p.value) for p in found] == [("identical_to_last_year", "四、政府信息公开行政复议、行政诉讼情况")]
    assert "2022年" in found[0].message and "2021年" in found[0].message and "内容雷同" in found[0].message
    # every table all zero in both years (a township with no appeals): nothing
    assert compare.identical_problems(2021, ("2021", values({})), 2022, ("2021", values({})), CHANNELS) == []
    # one cell different: nothing
    other = {**same, ("appeals", "cases", "review.upheld"): 2, ("appeals", "cases", "review.total"): 2}
    assert compare.identical_problems(2021, ("2021", values(same)), 2022, ("2021", values(other)), CHANNELS) == []
    # table 三 in two formats has different cells: not compared
    req = requests_cells({"new": 1, "disclosed": 1, "result_total": 1})
    assert compare.identical_problems(2020, ("2019", values(req)), 2021, ("2021", values(req)), CHANNELS) == []


def test_run_warns_on_identical_channel_table(tmp_path):
    """Same items per month in 2020 and 2021: table channels identical; the all-zero tables are not flagged."""
    project = make_project(tmp_path)
    rows = [["发布日期", "标题"]]
    for year in (2020, 2021):
        rows += [[dt.datetime(year, 3, 5), f"{year}年通知一"], [dt.datetime(year, 4, 10), f"{year}年通知二"]]
    write_xlsx(project.raw / "website" / "网站.xlsx", {"发布记录": rows})
    assert project.cli("run").exit_code == 0
    problems = read_problems(project.out)
    identical = problems[problems["rule"] == "identical_to_last_year"]
    assert identical[["severity", "value"]].values.tolist() == [["warning", "主动公开信息发布渠道统计"]]
    assert "2021年" in identical["message"].iloc[0] and "2020年" in identical["message"].iloc[0]
    assert "carry_over_mismatch" not in set(problems["rule"])
    assert (project.out / "2021" / "charts" / "channels_by_year.png").is_file()
    assert (project.out / "2021" / "charts" / "requests_by_outcome_by_year.svg").is_file()
    assert not (project.out / "2020" / "charts" / "channels_by_year.png").exists()  # no earlier year


# --------------------------------------------------------------------- charts


def render(fig) -> None:
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)


def test_channels_by_year_chart_bars_and_change():
    fig = charts.channels_by_year_figure(compare.channel_counts(HISTORY, CHANNELS), AGENCY, 2021)
    ax = fig.axes[0]
    assert [[p.get_height() for p in c] for c in ax.containers] == [[40, 0, 0], [30, 20, 0]]
    labels = [t.get_text() for t in ax.texts]
    assert "30\n-25.0%" in labels and "20" in labels  # weibo from 0: no percentage
    assert ax.get_title() == "合计：2020年40条，2021年50条（2021年比上年+25.0%）"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["政府网站", "政务微博", "政务微信"]
    render(fig)


def test_requests_by_outcome_by_year_chart_sums_other_in_2021_format():
    fig = charts.requests_by_outcome_by_year_figure(HISTORY, AGENCY, 2021)
    ax = fig.axes[0]
    widths = [[p.get_width() for p in c] for c in ax.containers]
    assert widths == [[3, 0, 0, 0, 0, 2], [6, 0, 0, 0, 0, 4]]  # 其他处理 2021: 1 + 2 + 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert ax.get_title() == "办理结果合计：2020年5件，2021年10件"
    assert "三项合计" in fig.get_supxlabel()
    render(fig)


def test_monthly_by_year_chart_one_panel_per_channel():
    fig = charts.monthly_by_year_figure(compare.monthly(HISTORY, CHANNELS), AGENCY)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["政府网站", "政务微博", "政务微信"]
    site = fig.axes[0]
    assert [list(line.get_ydata()) for line in site.lines] == [[40] + [0] * 11, [0, 30] + [0] * 10]
    render(fig)
