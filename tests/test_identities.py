"""The identities of report_tables.yaml (pipeline.identities) on hand-made values frames, and in a run."""

import pandas as pd
import pytest

from conftest import make_project, write_xlsx
from helpers_registers import APPLICATIONS, SHEET, d
from pipeline import aggregate, identities

CHANNELS = ["website", "weibo"]


def values(*cells) -> pd.DataFrame:
    """A values frame from (table, row_code, col_code, value); cells not given are 0."""
    return pd.DataFrame(list(cells), columns=["table", "row_code", "col_code", "value"])


def req(row, np_, total=None):
    """Cells of one requests row with only natural_person filled; total defaults to the same."""
    return [("requests", row, "natural_person", np_), ("requests", row, "total", np_ if total is None else total)]


# Consistent: 2 new; 1 answered 予以公开; 1 carried out. website 1 in Jan, 2 in Feb. One review upheld.
CHANNEL_CELLS = [
    ("channels", "website", "count", 3), ("channels", "website", "m01", 1), ("channels", "website", "m02", 2),
    ("channels", "total", "count", 3), ("channels", "total", "m01", 1), ("channels", "total", "m02", 2),
]
REQUEST_CELLS = [*req("new", 2), *req("disclosed", 1), *req("result_total", 1), *req("carried_out", 1)]
APPEAL_CELLS = [("appeals", "cases", "review.upheld", 1), ("appeals", "cases", "review.total", 1)]


def failures(frame: pd.DataFrame, fmt: str = "2019") -> list[str]:
    """The messages of the problems found; each must be an identity_failed error."""
    found = identities.check(frame, 2020, fmt, CHANNELS)
    assert {(p.severity, p.rule) for p in found} <= {("error", "identity_failed")}
    return [p.message for p in found]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_consistent_values_pass(fmt):
    assert failures(values(*CHANNEL_CELLS, *REQUEST_CELLS, *APPEAL_CELLS), fmt) == []


def test_channel_total_differs_from_the_sum_of_channels():
    # total row: Jan 2, Feb 1 (count 3 still = 2 + 1); website: Jan 1, Feb 2 → m01 2 ≠ 1, m02 1 ≠ 2
    frame = values(*CHANNEL_CELLS[:3], ("channels", "total", "count", 3), ("channels", "total", "m01", 2), ("channels", "total", "m02", 1))
    found = failures(frame)
    assert len(found) == 2
    assert "列 m01 合计 2 ≠ 各渠道之和 1" in found[0] and "列 m02 合计 1 ≠ 各渠道之和 2" in found[1]


def test_channel_count_differs_from_the_sum_of_months():
    # count 4 in both rows (so the total column still adds up), months 1 + 2 = 3
    frame = values(*(("channels", r, "count", 4) for r in ("website", "total")), *(c for c in CHANNEL_CELLS if c[2] != "count"))
    found = failures(frame)
    assert len(found) == 2
    assert "行 website 全年 4 ≠ 各月之和 3" in found[0] and "行 total 全年 4 ≠ 各月之和 3" in found[1]


def test_request_total_differs_from_the_sum_of_applicants():
    # new total 3 and carried_out total 2 (np 2 and 1): the total column still balances, 3 + 0 = 1 + 2
    frame = values(*req("new", 2, 3), *req("disclosed", 1), *req("result_total", 1), *req("carried_out", 1, 2))
    found = failures(frame)
    assert len(found) == 2
    assert "行 carried_out 总计 2 ≠ 各类申请人之和 1" in found[0] and "行 new 总计 3 ≠ 各类申请人之和 2" in found[1]


def test_result_total_differs_from_the_sum_of_outcomes():
    # result_total 2 but one 予以公开; carried_out 0 keeps 2 + 0 = 2 + 0
    frame = values(*req("new", 2), *req("disclosed", 1), *req("result_total", 2))
    found = failures(frame)
    assert len(found) == 2  # columns natural_person and total
    assert all("办理结果总计 2 ≠ 各项办理结果之和 1" in m for m in found)


# （六）其他处理 is a leaf only in the 2019 format, its sub-items only in 2021; where the row is not a
# leaf, result_total 1 ≠ 0 fails in columns natural_person and total.
@pytest.mark.parametrize("leaf, fmt, n_failures", [
    ("other", "2019", 0), ("other", "2021", 2),
    ("other.no_fee", "2021", 0), ("other.no_fee", "2019", 2),
])
def test_the_other_rows_of_each_format(leaf, fmt, n_failures):
    frame = values(*req("new", 1), *req(leaf, 1), *req("result_total", 1))
    assert len(failures(frame, fmt)) == n_failures


def test_new_plus_carried_in_differs_from_results_plus_carried_out():
    # 2 new + 0 carried in ≠ 1 answered + 0 carried out
    frame = values(*req("new", 2), *req("disclosed", 1), *req("result_total", 1))
    found = failures(frame)
    assert len(found) == 2
    assert all("第一项加第二项 2 ≠ 第三项加第四项 1" in m for m in found)


def test_appeal_group_total_differs_from_its_parts():
    # 1 upheld + 1 pending = 2, total says 1
    frame = values(("appeals", "cases", "review.upheld", 1), ("appeals", "cases", "review.pending", 1), ("appeals", "cases", "review.total", 1))
    found = failures(frame)
    assert len(found) == 1
    assert "review 总计 1 ≠ 各结果之和 2" in found[0]


def test_a_failed_identity_is_an_error_in_the_report_and_exit_code_1(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    write_xlsx(project.raw / "applications/台账.xlsx", {SHEET: [APPLICATIONS, ["R-1", d("2020-03-01"), "自然人", d("2020-03-02"), "予以公开"]]})
    # the real values would balance; this frame has 1 new request and nothing answered or carried out
    broken = values(*req("new", 1))
    monkeypatch.setattr(aggregate, "table_values", lambda con, year, fmt, channels: broken)
    result = project.cli("run")
    assert result.exit_code == 1, result.output
    problems = project.problems()
    failed = problems[problems["rule"] == "identity_failed"]
    # columns natural_person and total: 1 + 0 ≠ 0 + 0
    assert list(failed["severity"]) == ["error", "error"]
    assert all("2020年统计表“requests”不满足勾稽关系" in m and "1 ≠" in m for m in failed["message"])
    assert "数据不完整：2 处错误" in (project.out / "2020" / "tables.md").read_text(encoding="utf-8")
    tables = project.tables(2020)
    assert (tables["table"] == "requests").sum() == 161  # tables.csv keeps its shape
