"""One request (or case) however many registers list it: updates, conflicts, counted once."""

import pandas as pd
import pytest

from helpers_registers import APPEALS, APPLICATIONS, RunResult, d, run_registers
from pipeline import reconcile

A, B = "applications/a.xlsx", "applications/b.xlsx"  # a sorts before b: a's rows are the earlier ones

REGISTER_A = [
    ["K-1", d("2020-03-01"), "自然人", d("2020-03-05"), "予以公开"],  # row 2
    ["K-2", d("2020-03-01"), "自然人", None, None],  # row 3: pending here, answered in b
    ["K-3", d("2020-03-02"), "企业", d("2020-03-09"), "部分公开"],  # row 4
    ["K-4", d("2020-04-01"), "自然人", None, None],  # row 5
    ["K-5", d("2020-05-01"), "自然人", d("2020-05-02"), "予以公开"],  # row 6: answered here, pending in b
]
REGISTER_B = [
    ["K-1", d("2020-03-02"), "自然人", d("2020-03-05"), "予以公开"],  # row 2: 收到日期 differs → conflict
    ["K-2", "2020.3.1", "个人", d("2020-03-10"), "属于国家秘密"],  # row 3: adds the answer → update
    ["K-3", d("2020-03-02"), "公司", d("2020-03-09"), "不予处理-重复申请"],  # row 4: both answered, 办理结果 differs
    ["K-4", d("2020-04-01"), "企业", None, None],  # row 5: 申请人类型 differs
    ["K-5", d("2020-05-01"), "公民", None, None],  # row 6: still pending in a later file → no update, no conflict
]


@pytest.fixture(scope="module")
def requests_run(tmp_path_factory) -> RunResult:
    return run_registers(tmp_path_factory.mktemp("reconcile"), {A: (APPLICATIONS, REGISTER_A), B: (APPLICATIONS, REGISTER_B)})


def test_conflicting_requests_are_counted_once_as_the_earlier_row_says(requests_run):
    assert requests_run.years == [2020]
    assert requests_run.nonzero(2020, "requests") == {
        # five requests, each once: K-1, K-2, K-4 (自然人 in a), K-5 np; K-3 bus
        ("new", "natural_person"): 4, ("new", "business"): 1, ("new", "total"): 5,
        ("disclosed", "natural_person"): 2, ("disclosed", "total"): 2,  # K-1 and K-5 as in a
        ("partial", "business"): 1, ("partial", "total"): 1,  # K-3 as in a, not 重复申请 as in b
        ("withheld.state_secret", "natural_person"): 1, ("withheld.state_secret", "total"): 1,  # K-2 answered in b
        ("result_total", "natural_person"): 3, ("result_total", "business"): 1, ("result_total", "total"): 4,
        ("carried_out", "natural_person"): 1, ("carried_out", "total"): 1,  # K-4, pending in both
    }


def test_each_conflict_is_an_error_on_the_later_row_naming_both_places(requests_run):
    assert requests_run.exit_code == 1
    assert requests_run.located("register_conflict") == [
        ("error", B, "2", "收到日期", "2020-03-02"),
        ("error", B, "4", "办理结果", "不予处理-重复申请"),
        ("error", B, "5", "申请人类型", "商业企业"),  # the official name, not an internal code
    ]
    k1, k3, k4 = requests_run.messages("register_conflict")
    assert "申请编号 K-1 在 applications/a.xlsx（台账）第 2 行 也有登记" in k1
    assert "此处为“2020-03-02”，该处为“2020-03-01”" in k1
    assert "applications/a.xlsx（台账）第 4 行" in k3 and "此处为“不予处理-重复申请”，该处为“部分公开”" in k3
    assert "applications/a.xlsx（台账）第 5 行" in k4 and "此处为“商业企业”，该处为“自然人”" in k4
    # an update and a repeated pending listing are not problems at all
    assert set(requests_run.problems["rule"]) == {"register_conflict", "no_service_figures"}


PENDING = ["R-1", d("2019-12-20"), "自然人", None, None]  # date cell, 自然人
ANSWERED = ["R-1", "2019-12-20", "公民", d("2020-01-08"), "予以公开"]  # text date, 公民: the same request


@pytest.mark.parametrize("first, second", [(PENDING, ANSWERED), (ANSWERED, PENDING)], ids=["pending_first", "answer_first"])
def test_the_answer_is_taken_whichever_file_lists_it_first(tmp_path, first, second):
    run = run_registers(tmp_path, {"applications/1.xlsx": (APPLICATIONS, [first]), "applications/2.xlsx": (APPLICATIONS, [second])})
    assert run.located("register_conflict") == []
    # 2019: received, still open on 31 Dec; 2020: carried in and answered 2020-01-08
    assert run.nonzero(2019, "requests") == {
        ("new", "natural_person"): 1, ("new", "total"): 1,
        ("carried_out", "natural_person"): 1, ("carried_out", "total"): 1,
    }
    assert run.nonzero(2020, "requests") == {
        ("carried_in", "natural_person"): 1, ("carried_in", "total"): 1,
        ("disclosed", "natural_person"): 1, ("disclosed", "total"): 1,
        ("result_total", "natural_person"): 1, ("result_total", "total"): 1,
    }


def test_a_rejected_listing_makes_no_report_year(tmp_path):
    # the later listing says 2018 by mistake: a conflict, so 2018 has no request at all
    run = run_registers(tmp_path, {
        "applications/2019.xlsx": (APPLICATIONS, [["R-1", d("2019-12-20"), "自然人", None, None]]),
        "applications/2020.xlsx": (APPLICATIONS, [["R-1", d("2018-12-20"), "自然人", d("2019-12-28"), "予以公开"]]),
    })
    assert run.years == [2019]
    assert run.located("register_conflict") == [("error", "applications/2020.xlsx", "2", "收到日期", "2018-12-20")]
    assert run.value(2019, "requests", "carried_out", "total") == 1  # the earlier, pending listing counts


def test_appeal_cases_follow_the_same_rules(tmp_path):
    run = run_registers(tmp_path, {
        "appeals/a.xlsx": (APPEALS, [
            ["C-1", "复议", d("2020-01-10"), None, None],  # row 2: pending here
            ["C-2", "复议", d("2020-01-10"), d("2020-02-01"), "维持"],  # row 3
        ]),
        "appeals/b.xlsx": (APPEALS, [
            ["C-1", "行政复议", d("2020-01-10"), d("2020-06-01"), "纠正"],  # row 2: concluded → update
            ["C-2", "复议", d("2020-01-10"), d("2020-02-01"), "结果纠正"],  # row 3: different 结果 → conflict
        ]),
    })
    assert run.located("register_conflict") == [("error", "appeals/b.xlsx", "3", "结果", "纠正")]
    assert "案件编号 C-2 在 appeals/a.xlsx（台账）第 3 行 也有登记" in run.messages("register_conflict")[0]
    # C-1 corrected (from b), C-2 upheld (a counts): two cases, each once
    assert run.nonzero(2020, "appeals") == {
        ("cases", "review.upheld"): 1, ("cases", "review.corrected"): 1, ("cases", "review.total"): 2,
    }


def _request_row(file: str, row: int, received: str, answered: str | None, outcome: str | None) -> dict:
    return {
        "file": file, "sheet": "台账", "sheet_no": 0, "excel_row": row, "request_id": "X-1",
        "received": pd.Timestamp(received), "applicant": "natural_person",
        "answered": pd.Timestamp(answered) if answered else pd.NaT, "outcome": outcome, "outcome_text": outcome, "fee": None,
    }


def test_merge_orders_listings_by_place_not_by_arrival():
    # the frame lists the later file first; b.xlsx row 2 is still the later listing
    rows = pd.DataFrame([
        _request_row("applications/b.xlsx", 2, "2020-01-02", "2020-02-01", "disclosed"),
        _request_row("applications/a.xlsx", 9, "2020-01-01", None, None),
    ])
    merged, problems = reconcile.merge_cases(rows, reconcile.REQUESTS)
    assert len(merged) == 1
    assert merged.loc[0, "received"] == pd.Timestamp("2020-01-01")  # a.xlsx counts
    assert pd.isna(merged.loc[0, "answered"])  # a conflicting listing never adds its answer
    assert [(p.rule, p.file, p.row, p.column) for p in problems] == [("register_conflict", "applications/b.xlsx", 2, "收到日期")]
