"""Table 四 (appeals) from a small appeals register, through the real pipeline."""

import pytest

from helpers_registers import APPEALS, RunResult, d, run_registers

FILE = "appeals/复议诉讼台账.xlsx"
REGISTER = [  # Excel row = position + 2
    ["F-1", "行政复议", d("2020-11-01"), d("2021-03-01"), "结果纠正"],  # row 2: pending across the 2020 year end
    ["F-2", "直接起诉", d("2019-05-01"), d("2020-12-31"), "维持"],  # row 3: alias of 行政诉讼-未经复议直接起诉
    ["F-3", "复议后起诉", d("2021-01-01"), None, None],  # row 4: alias of 行政诉讼-复议后起诉, pending
    ["F-4", "行政诉讼-复议后起诉", d("2021-02-01"), d("2021-12-31"), "其他结果"],  # row 5
    ["F-5", "行政诉讼-未经复议直接起诉", d("2021-04-01"), d("2021-05-01"), "纠正"],  # row 6
    ["F-6", "复议", d("2020-01-01"), d("2020-06-30"), "其他"],  # row 7: concluded in 2020
    ["F-7", "申诉", d("2021-01-01"), None, None],  # row 8: unknown 类型
    ["F-8", "复议", d("2021-01-01"), d("2021-02-01"), "撤销"],  # row 9: unknown 结果
    ["F-9", "复议", d("2021-03-01"), d("2021-02-01"), "维持"],  # row 10: 审结日期 before 收到日期
]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> RunResult:
    return run_registers(tmp_path_factory.mktemp("appeals"), {FILE: (APPEALS, REGISTER)})


def test_report_years_come_from_received_and_concluded(run):
    # F-2 received 2019; F-1, F-6 in 2020; the rest in 2021
    assert run.years == [2019, 2020, 2021]


def test_2019(run):
    # only F-2 is open in 2019, concluded the year after
    assert run.nonzero(2019, "appeals") == {("cases", "lit_direct.pending"): 1, ("cases", "lit_direct.total"): 1}


def test_2020(run):
    assert run.nonzero(2020, "appeals") == {
        # F-1 received 2020-11-01, not concluded by 31 Dec; F-6 concluded 2020-06-30 其他
        ("cases", "review.other"): 1, ("cases", "review.pending"): 1, ("cases", "review.total"): 2,
        ("cases", "lit_direct.upheld"): 1, ("cases", "lit_direct.total"): 1,  # F-2 concluded 31 Dec 2020
    }


def test_2021(run):
    assert run.nonzero(2021, "appeals") == {
        # F-1 concluded 2021-03-01 结果纠正; F-6 was concluded before 2021: not counted
        ("cases", "review.corrected"): 1, ("cases", "review.total"): 1,
        # F-5; F-2 was concluded in 2020: not counted
        ("cases", "lit_direct.corrected"): 1, ("cases", "lit_direct.total"): 1,
        # F-3 pending, F-4 concluded 31 Dec 其他结果
        ("cases", "lit_after_review.other"): 1, ("cases", "lit_after_review.pending"): 1, ("cases", "lit_after_review.total"): 2,
    }


def test_bad_rows_are_located_errors_listing_what_is_accepted(run):
    assert run.exit_code == 1
    errors = run.problems[run.problems["severity"] == "error"]
    assert list(zip(errors["rule"], errors["file"], errors["row"], errors["column"], errors["value"])) == [
        ("unknown_case_type", FILE, "8", "类型", "申诉"),
        ("unknown_case_result", FILE, "9", "结果", "撤销"),
        ("conclusion_before_receipt", FILE, "10", "审结日期", "2021-02-01"),
    ]
    case_type, result, before = errors["message"]
    assert "行政复议、行政诉讼-未经复议直接起诉、行政诉讼-复议后起诉" in case_type
    assert "维持、纠正、其他" in result
    assert "审结日期早于收到日期" in before


# The 15 cells of table 四, the same in both formats, written out by hand from
# report_tables.yaml: 3 column groups × (结果维持, 结果纠正, 其他结果, 尚未审结, 总计).
CELLS = [
    ("review.upheld", "行政复议/结果维持"), ("review.corrected", "行政复议/结果纠正"),
    ("review.other", "行政复议/其他结果"), ("review.pending", "行政复议/尚未审结"), ("review.total", "行政复议/总计"),
    ("lit_direct.upheld", "行政诉讼/未经复议直接起诉/结果维持"), ("lit_direct.corrected", "行政诉讼/未经复议直接起诉/结果纠正"),
    ("lit_direct.other", "行政诉讼/未经复议直接起诉/其他结果"), ("lit_direct.pending", "行政诉讼/未经复议直接起诉/尚未审结"),
    ("lit_direct.total", "行政诉讼/未经复议直接起诉/总计"),
    ("lit_after_review.upheld", "行政诉讼/复议后起诉/结果维持"), ("lit_after_review.corrected", "行政诉讼/复议后起诉/结果纠正"),
    ("lit_after_review.other", "行政诉讼/复议后起诉/其他结果"), ("lit_after_review.pending", "行政诉讼/复议后起诉/尚未审结"),
    ("lit_after_review.total", "行政诉讼/复议后起诉/总计"),
]


@pytest.mark.parametrize("year", [2020, 2021])  # 2019 format, 2021 format
def test_cells_are_group_dot_col_with_joined_labels(run, year):
    t = run.tables[year]
    appeals = t[t["table"] == "appeals"]
    assert list(zip(appeals["row_code"], appeals["row_label"])) == [("cases", "件数")] * 15
    assert list(zip(appeals["col_code"], appeals["col_label"])) == CELLS
