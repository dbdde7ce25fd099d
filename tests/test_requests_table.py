"""Table 三 (requests) from small request registers, through the real pipeline.

Every expected cell is worked out by hand in the comments next to it. Columns:
np = natural_person, bus = business, res = research, npo = nonprofit,
law = legal_services, org = other_org.
"""

import pytest

from helpers_registers import APPLICATIONS, RunResult, d, run_registers

APPLICANT_COLS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org"]
A2019, A2020 = "applications/2019年台账.xlsx", "applications/2020年台账.xlsx"

# Report years 2019 and 2020 (2019 format). Excel row = list position + 2.
REGISTER_2019 = [
    ["R19-01", d("2019-12-20"), "自然人", None, None],  # row 2: pending at year end → carried to 2020
    ["R19-02", d("2019-03-01"), "公民", d("2019-12-31"), "予以公开"],  # row 3: answered 31 Dec → a 2019 result
    ["R19-03", d("2019-06-01"), "企业", d("2020-01-01"), "部分公开"],  # row 4: answered 1 Jan → carried out of 2019
    ["R19-04", d("2019-07-01"), "公司", d("2019-07-10"), "不予公开-属于国家秘密"],  # row 5
    ["R19-05", d("2019-08-01"), "律师事务所", d("2019-08-05"), "（四）无法提供：1.本机关不掌握相关政府信息"],  # row 6
    ["R19-06", d("2019-08-02"), "其他组织", d("2019-08-06"), "“不予处理”／“重复申请”"],  # row 7
    # row 8: a 2021 sub-item of 其他处理 in a 2019-format year counts as （六）其他处理
    ["R19-07", d("2019-09-01"), "个人", d("2019-09-02"), "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    ["R19-08", d("2019-09-03"), "科研机构", d("2019-09-04"), "不予公开"],  # row 9: parent only → error
    ["R19-09", d("2019-09-03"), "社会公益组织", d("2019-09-04"), "不予公开-本机关不掌握相关政府信息"],  # row 10: unknown → error
    ["R19-10", d("2019-09-03"), "外星人", d("2019-09-04"), "予以公开"],  # row 11: unknown applicant → error
    ["R19-11", d("2019-09-05"), "自然人", d("2019-09-04"), "予以公开"],  # row 12: answered before received → error
    ["R19-12", d("2019-10-01"), "社会公益组织", d("2019-10-08"), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],  # row 13
    ["R19-13", d("2019-10-02"), "科研机构", d("2019-10-09"), "其他处理"],  # row 14: 2019 format → other, no warning
]
REGISTER_2020 = [
    # row 2: R19-01 again, now answered; 收到日期 as text and 公民 for 自然人 → the same request, no conflict
    ["R19-01", "2019/12/20", "公民", d("2020-01-08"), "予以公开"],
    ["R20-01", d("2020-02-01"), "自然人", d("2020-02-10"), "其他处理"],  # row 3
    ["R20-02", d("2020-12-30"), "公司", None, None],  # row 4: pending at the end of 2020
    ["R19-03", d("2019-06-01"), "公司", d("2020-01-01"), "（二）部分公开"],  # row 5: same as 2019 row 4 after normalising
]

# Report year 2021 (2021 format).
REGISTER_2021 = [
    # row 2: received 2020, answered 2021 → carried_in of 2021
    ["Q-01", d("2020-12-15"), "自然人", d("2021-01-01"), "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
    ["Q-02", d("2021-01-05"), "企业", d("2021-02-01"), "（六）其他处理-2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],  # row 3
    ["Q-03", d("2021-01-06"), "律师事务所", d("2021-02-02"), "其他处理"],  # row 4: alone in 2021 → 3.其他 with a warning
    ["Q-04", d("2021-01-07"), "个人", d("2021-02-03"), "3.其他"],  # row 5: explicit 3.其他, no warning
    ["Q-05", d("2021-03-01"), "其他", d("2021-03-02"), "不予公开：危及“三安全一稳定”"],  # row 6
    ["Q-06", d("2021-12-31"), "科研机构", None, None],  # row 7: pending → carried_out
    ["Q-07", d("2021-06-01"), "社会公益组织", d("2021-12-31"), "予以公开"],  # row 8
    ["Q-08", d("2020-11-01"), "公司", d("2020-11-20"), "予以公开"],  # row 9: closed in 2020, not in 2021 at all
]


@pytest.fixture(scope="module")
def run1920(tmp_path_factory) -> RunResult:
    return run_registers(tmp_path_factory.mktemp("requests1920"), {
        A2019: (APPLICATIONS, REGISTER_2019),
        A2020: (APPLICATIONS, REGISTER_2020),
    })


@pytest.fixture(scope="module")
def run2021(tmp_path_factory) -> RunResult:
    return run_registers(tmp_path_factory.mktemp("requests2021"), {"applications/2021.xlsx": (APPLICATIONS, REGISTER_2021)}, years=[2021])


def test_2019_table(run1920):
    assert run1920.years == [2019, 2020]
    assert run1920.nonzero(2019, "requests") == {
        # received in 2019, valid rows only: np R19-01, 02, 07; bus 03, 04; res 13; npo 12; law 05; org 06
        ("new", "natural_person"): 3, ("new", "business"): 2, ("new", "research"): 1,
        ("new", "nonprofit"): 1, ("new", "legal_services"): 1, ("new", "other_org"): 1, ("new", "total"): 9,
        # carried_in: nothing received before 2019
        ("disclosed", "natural_person"): 1, ("disclosed", "total"): 1,  # R19-02, answered 31 Dec
        ("partial", "nonprofit"): 1, ("partial", "total"): 1,  # R19-12
        ("withheld.state_secret", "business"): 1, ("withheld.state_secret", "total"): 1,  # R19-04
        ("unavailable.not_held", "legal_services"): 1, ("unavailable.not_held", "total"): 1,  # R19-05
        ("not_processed.duplicate", "other_org"): 1, ("not_processed.duplicate", "total"): 1,  # R19-06
        ("other", "natural_person"): 1, ("other", "research"): 1, ("other", "total"): 2,  # R19-07 (no_fee), R19-13
        # 7 answered in 2019: np 02, 07; bus 04; res 13; npo 12; law 05; org 06
        ("result_total", "natural_person"): 2, ("result_total", "business"): 1, ("result_total", "research"): 1,
        ("result_total", "nonprofit"): 1, ("result_total", "legal_services"): 1, ("result_total", "other_org"): 1,
        ("result_total", "total"): 7,
        # still open on 31 Dec 2019: R19-01 (np, answered 2020-01-08), R19-03 (bus, answered 2020-01-01)
        ("carried_out", "natural_person"): 1, ("carried_out", "business"): 1, ("carried_out", "total"): 2,
    }


def test_2020_table_carries_the_2019_requests_in(run1920):
    assert run1920.nonzero(2020, "requests") == {
        ("new", "natural_person"): 1, ("new", "business"): 1, ("new", "total"): 2,  # R20-01, R20-02
        ("carried_in", "natural_person"): 1, ("carried_in", "business"): 1, ("carried_in", "total"): 2,  # R19-01, R19-03
        ("disclosed", "natural_person"): 1, ("disclosed", "total"): 1,  # R19-01 on 2020-01-08
        ("partial", "business"): 1, ("partial", "total"): 1,  # R19-03 on 2020-01-01
        ("other", "natural_person"): 1, ("other", "total"): 1,  # R20-01 其他处理 alone, 2019 format
        ("result_total", "natural_person"): 2, ("result_total", "business"): 1, ("result_total", "total"): 3,
        ("carried_out", "business"): 1, ("carried_out", "total"): 1,  # R20-02
    }


def test_2019_errors_are_located_and_their_rows_left_out(run1920):
    assert run1920.exit_code == 1
    errors = run1920.problems[run1920.problems["severity"] == "error"]
    assert list(zip(errors["rule"], errors["file"], errors["sheet"], errors["row"], errors["column"], errors["value"])) == [
        ("outcome_parent_only", A2019, "台账", "9", "办理结果", "不予公开"),
        ("outcome_unknown", A2019, "台账", "10", "办理结果", "不予公开-本机关不掌握相关政府信息"),
        ("unknown_applicant_type", A2019, "台账", "11", "申请人类型", "外星人"),
        ("answer_before_receipt", A2019, "台账", "12", "答复日期", "2019-09-04"),
    ]
    parent_only, unknown, applicant, before = errors["message"]
    # the parent's sub-items are offered: the first and the last of 不予公开
    assert "不予公开-属于国家秘密" in parent_only and "不予公开-属于行政查询事项" in parent_only
    # the closest accepted outcome: the same sub-item under its real parent
    assert "最接近的有：无法提供-本机关不掌握相关政府信息" in unknown
    assert all(name in applicant for name in ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
    assert "答复日期早于收到日期" in before


def test_one_request_in_two_registers_is_no_conflict_and_other_is_silent_in_2019_format(run1920):
    # R19-01 and R19-03 are listed twice with the same data after normalising
    assert run1920.located("register_conflict") == []
    assert run1920.located("outcome_other_unspecified") == []


def test_2021_table(run2021):
    assert run2021.exit_code == 0
    assert run2021.nonzero(2021, "requests") == {
        # received in 2021: bus Q-02, law Q-03, np Q-04, org Q-05, res Q-06, npo Q-07
        ("new", "natural_person"): 1, ("new", "business"): 1, ("new", "research"): 1,
        ("new", "nonprofit"): 1, ("new", "legal_services"): 1, ("new", "other_org"): 1, ("new", "total"): 6,
        ("carried_in", "natural_person"): 1, ("carried_in", "total"): 1,  # Q-01; Q-08 closed in 2020
        ("disclosed", "nonprofit"): 1, ("disclosed", "total"): 1,  # Q-07 on 31 Dec
        ("withheld.security_stability", "other_org"): 1, ("withheld.security_stability", "total"): 1,
        ("other.no_correction", "natural_person"): 1, ("other.no_correction", "total"): 1,
        ("other.no_fee", "business"): 1, ("other.no_fee", "total"): 1,
        # Q-03 (其他处理 alone) and Q-04 (3.其他)
        ("other.other", "legal_services"): 1, ("other.other", "natural_person"): 1, ("other.other", "total"): 2,
        ("result_total", "natural_person"): 2, ("result_total", "business"): 1, ("result_total", "nonprofit"): 1,
        ("result_total", "legal_services"): 1, ("result_total", "other_org"): 1, ("result_total", "total"): 6,
        ("carried_out", "research"): 1, ("carried_out", "total"): 1,
    }


def test_other_alone_in_a_2021_year_warns_on_its_row(run2021):
    assert run2021.located("outcome_other_unspecified") == [("warning", "applications/2021.xlsx", "4", "办理结果", "其他处理")]


@pytest.mark.parametrize("fixture, year", [("run1920", 2019), ("run1920", 2020), ("run2021", 2021)])
def test_identities_hold_in_the_produced_tables(request, fixture, year):
    t = request.getfixturevalue(fixture).tables[year]
    requests = t[t["table"] == "requests"]
    grid = {(r, c): v for r, c, v in zip(requests["row_code"], requests["col_code"], requests["value"])}
    for row in set(requests["row_code"]):  # total = sum of the applicant columns
        assert grid[(row, "total")] == sum(grid[(row, c)] for c in APPLICANT_COLS), row
    for col in [*APPLICANT_COLS, "total"]:  # 一 + 二 = 三 + 四
        assert grid[("new", col)] + grid[("carried_in", col)] == grid[("result_total", col)] + grid[("carried_out", col)], col


# Row codes of table 三 in each format, counted by hand from report_tables.yaml:
# new, carried_in, disclosed, partial (4) + 8 withheld + 3 unavailable + 5 not_processed (16)
# + other (2019) or other.no_correction/no_fee/other (2021) + result_total, carried_out (2).
ROWS_2019 = 4 + 16 + 1 + 2  # 23 rows × 7 columns = 161 cells
ROWS_2021 = 4 + 16 + 3 + 2  # 25 rows × 7 columns = 175 cells


OTHER_2019 = {"other"}
OTHER_2021 = {"other.no_correction", "other.no_fee", "other.other"}


@pytest.mark.parametrize("fixture, year, cells, own, foreign", [
    ("run1920", 2019, ROWS_2019 * 7, OTHER_2019, OTHER_2021),
    ("run2021", 2021, ROWS_2021 * 7, OTHER_2021, OTHER_2019),
])
def test_each_format_has_exactly_its_own_cells(request, fixture, year, cells, own, foreign):
    t = request.getfixturevalue(fixture).tables[year]
    requests = t[t["table"] == "requests"]
    assert len(requests) == cells
    assert set(requests["col_code"]) == {*APPLICANT_COLS, "total"}
    assert own <= set(requests["row_code"])
    assert not foreign & set(requests["row_code"])


def test_pending_request_with_other_outcome_written_in_advance_is_just_pending(tmp_path):
    """其他处理 filled in before any 答复日期: the request is still pending, the run does not fail."""
    run = run_registers(tmp_path, {"applications/2021.xlsx": (APPLICATIONS, [["Q1", d("2021-03-01"), "自然人", None, "其他处理"]])})
    assert run.exit_code == 0
    cells = run.table(2021, "requests")
    assert (cells[("new", "total")], cells[("carried_out", "total")], cells[("result_total", "total")]) == (1, 1, 0)
