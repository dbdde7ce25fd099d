"""Table 二 (proactive) from a documents register and service figures, both formats."""

import pytest

from helpers_registers import DOCUMENTS, SERVICES, RunResult, d, run_registers

DOCS, FIGURES = "documents/文件目录.xlsx", "services/管理服务事项.xlsx"

DOCUMENT_ROWS = [  # Excel row = position + 2
    ["甲规定", "掌政发〔2019〕1号", "规范性文件", d("2019-03-01"), None, None],  # row 2: 公开日期 defaults to 制发日期
    ["乙办法", "掌政发〔2019〕2号", "行政规范性文件", d("2019-12-26"), "2020.1.3", None],  # row 3: published next year
    ["丙规章", None, "规章", d("2019-05-01"), d("2019-05-10"), d("2021-06-30")],  # row 4: repealed 2021
    ["甲规定（重复登记）", "掌政发〔2019〕1号", "规范性文件", d("2019-03-01"), None, None],  # row 5: same 文号 as row 2
    ["丁通知", "掌政办〔2020〕9号", "通知", d("2020-01-01"), None, None],  # row 6: unknown 类别
    ["戊办法", "掌政发〔2020〕5号", "规范性文件", d("2020-02-01"), d("2020-02-05"), d("2021-01-01")],  # row 7
    ["己规定", "掌政发〔2021〕1号", "行政规范性文件", d("2021-03-01"), d("2021-03-05"), None],  # row 8
]
SERVICE_ROWS = [  # 年度, 事项, 项目数量, 处理决定数量, 金额（万元）
    [2018, "行政许可", 6, None, None],  # row 2
    [2018, "其他对外管理服务事项", 20, None, None],  # row 3
    [2018, "行政处罚", 12, None, None],  # row 4
    [2018, "行政事业性收费", 3, None, None],  # row 5 (no 2018 行政强制 row)
    [2019, "行政许可", 5, 148, None],  # row 6
    [2019, "其他对外管理服务事项", 22, 2598, None],  # row 7
    [2019, "行政处罚", 12, 45, None],  # row 8
    [2019, "行政强制", 3, 6, None],  # row 9
    [2019, "行政事业性收费", 2, None, None],  # row 10
    [2019, "政府集中采购", 31, None, 2147.3856],  # row 11
    [2020, "行政许可", 5, 131, None],  # row 12
    [2020, "其他对外管理服务事项", 22, 2471, None],  # row 13
    [2020, "行政处罚", 15, 52, None],  # row 14
    [2020, "行政强制", 3, 5, None],  # row 15
    [2020, "行政事业性收费", 2, None, None],  # row 16 (no 2020 政府集中采购 row)
    [2020, "行政许可", 9, 999, None],  # row 17: second row for (2020, 行政许可) → error, row 12 counts
    [2021, "行政许可", 4, 127, None],  # row 18
    [2021, "行政处罚", 15, 186, None],  # row 19
    [2021, "行政强制", 3, 14, None],  # row 20
    [2021, "行政事业性收费", None, None, 6.847361],  # row 21: 万元, 4 decimals → 6.8474
]

# Counted documents (row 5 is a duplicate, row 6 an error), as (category, made, public, repealed):
# 甲 normative 2019-03-01 / 2019-03-01 / -;  乙 normative 2019-12-26 / 2020-01-03 / -;
# 丙 rules 2019-05-01 / 2019-05-10 / 2021-06-30;  戊 normative 2020-02-01 / 2020-02-05 / 2021-01-01;
# 己 normative 2021-03-01 / 2021-03-05 / -.
EXPECTED_2019 = {
    ("rules", "made"): 1, ("rules", "published"): 1, ("rules", "total_published"): 1,  # 丙
    ("normative_docs", "made"): 2,  # 甲, 乙
    ("normative_docs", "published"): 1, ("normative_docs", "total_published"): 1,  # 甲 (乙 is public in 2020)
    ("licensing", "prev_items"): 6, ("licensing", "change"): -1, ("licensing", "decisions"): 148,  # 5 − 6
    ("other_services", "prev_items"): 20, ("other_services", "change"): 2, ("other_services", "decisions"): 2598,
    ("penalty", "prev_items"): 12, ("penalty", "change"): 0, ("penalty", "decisions"): 45,
    ("enforcement", "prev_items"): None, ("enforcement", "change"): None, ("enforcement", "decisions"): 6,  # no 2018 row
    ("fees", "prev_items"): 3, ("fees", "change"): -1,  # 2 − 3
    ("procurement", "projects"): 31, ("procurement", "amount"): 2147.3856,
}
EXPECTED_2020 = {
    ("rules", "made"): 0, ("rules", "published"): 0, ("rules", "total_published"): 1,  # 丙
    ("normative_docs", "made"): 1,  # 戊
    ("normative_docs", "published"): 2,  # 乙 (2020-01-03), 戊
    ("normative_docs", "total_published"): 3,  # 甲, 乙, 戊
    ("licensing", "prev_items"): 5, ("licensing", "change"): 0, ("licensing", "decisions"): 131,  # row 12, not row 17
    ("other_services", "prev_items"): 22, ("other_services", "change"): 0, ("other_services", "decisions"): 2471,
    ("penalty", "prev_items"): 12, ("penalty", "change"): 3, ("penalty", "decisions"): 52,  # 15 − 12
    ("enforcement", "prev_items"): 3, ("enforcement", "change"): 0, ("enforcement", "decisions"): 5,
    ("fees", "prev_items"): 2, ("fees", "change"): 0,
    ("procurement", "projects"): 0, ("procurement", "amount"): 0,  # no 2020 row
}
EXPECTED_2021 = {
    ("rules", "issued"): 0, ("rules", "repealed"): 1, ("rules", "in_force"): 0,  # 丙 repealed 2021-06-30
    ("normative_docs", "issued"): 1,  # 己
    ("normative_docs", "repealed"): 1,  # 戊 on 2021-01-01
    ("normative_docs", "in_force"): 3,  # 甲, 乙, 己
    ("licensing", "decisions"): 127, ("penalty", "decisions"): 186, ("enforcement", "decisions"): 14,
    ("fees", "amount"): 6.8474,
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> RunResult:
    return run_registers(tmp_path_factory.mktemp("proactive"), {DOCS: (DOCUMENTS, DOCUMENT_ROWS), FIGURES: (SERVICES, SERVICE_ROWS)})


def test_service_figures_alone_make_no_report_year(run):
    # 2018 has only service figures
    assert run.years == [2019, 2020, 2021]


# Cells counted by hand from report_tables.yaml. 2019: 2 document rows × 3 + (行政许可, 其他对外管理服务事项)
# × 3 + (行政处罚, 行政强制) × 3 + 行政事业性收费 × 2 + 政府集中采购 × 2 = 6 + 6 + 6 + 2 + 2 = 22.
# 2021: 2 × 3 + 行政许可 × 1 + (行政处罚, 行政强制) × 1 + 行政事业性收费 × 1 = 10.
@pytest.mark.parametrize("year, count", [(2019, 22), (2020, 22), (2021, 10)])
def test_cell_count_per_format(run, year, count):
    t = run.tables[year]
    assert (t["table"] == "proactive").sum() == count


@pytest.mark.parametrize("year, expected", [(2019, EXPECTED_2019), (2020, EXPECTED_2020), (2021, EXPECTED_2021)])
def test_every_cell_of_the_year_and_none_of_the_other_format(run, year, expected):
    assert run.table(year, "proactive") == expected


def test_amounts_are_written_in_wan_yuan_with_4_decimals_and_empty_fields_stay_empty(run):
    lines_2019 = (run.out / "2019" / "tables.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "proactive,procurement,政府集中采购,amount,采购总金额,2147.3856" in lines_2019
    assert "proactive,enforcement,行政强制,prev_items,上一年项目数量," in lines_2019
    assert "proactive,licensing,行政许可,change,本年增/减,-1" in lines_2019
    lines_2021 = (run.out / "2021" / "tables.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "proactive,fees,行政事业性收费,amount,本年收费金额（单位：万元）,6.8474" in lines_2021


@pytest.mark.parametrize("year, docs_label, decisions_label", [(2019, "规范性文件", "处理决定数量"), (2021, "行政规范性文件", "本年处理决定数量")])
def test_labels_follow_the_format(run, year, docs_label, decisions_label):
    t = run.tables[year]
    p = t[t["table"] == "proactive"]
    assert set(p.loc[p["row_code"] == "normative_docs", "row_label"]) == {docs_label}
    assert set(p.loc[p["col_code"] == "decisions", "col_label"]) == {decisions_label}


def test_problems(run):
    assert run.exit_code == 1
    assert run.located("unknown_document_category") == [("error", DOCS, "6", "类别", "通知")]
    assert "规章、规范性文件" in run.messages("unknown_document_category")[0]
    assert run.located("service_conflict") == [("error", FIGURES, "17", "事项", "行政许可")]
    assert f"{FIGURES}（台账）第 12 行" in run.messages("service_conflict")[0]
    assert run.located("duplicate_document") == [("warning", DOCS, "5", "文号", "甲规定（重复登记）")]
    assert "第 2 行" in run.messages("duplicate_document")[0] and "文号" in run.messages("duplicate_document")[0]
    # 2019 lacks only the 2018 行政强制 row; 2020 lacks only its 政府集中采购 row; 2021 lacks nothing
    assert run.located("service_previous_missing") == [("warning", "", "", "", "行政强制")]
    assert "2018年“行政强制”" in run.messages("service_previous_missing")[0]
    assert run.located("service_missing") == [("warning", "", "", "", "政府集中采购")]
    assert "2020年“政府集中采购”" in run.messages("service_missing")[0]
    assert run.located("no_service_figures") == []


@pytest.mark.parametrize("year, zero_cells, empty_cells", [
    # 2019: decisions of 4 rows, projects and amount of 政府集中采购 are 0; prev_items and change of 5 rows empty
    (2019, [("licensing", "decisions"), ("other_services", "decisions"), ("penalty", "decisions"),
            ("enforcement", "decisions"), ("procurement", "projects"), ("procurement", "amount")],
     [(r, c) for r in ["licensing", "other_services", "penalty", "enforcement", "fees"] for c in ["prev_items", "change"]]),
    # 2021: three decisions and the fees amount are 0; the format has no prev_items/change
    (2021, [("licensing", "decisions"), ("penalty", "decisions"), ("enforcement", "decisions"), ("fees", "amount")], []),
])
def test_no_service_figures_at_all_gives_zeros_empty_fields_and_one_note(tmp_path, year, zero_cells, empty_cells):
    run = run_registers(tmp_path, {DOCS: (DOCUMENTS, [["庚规定", None, "规范性文件", d(f"{year}-05-01"), None, None]])})
    assert run.years == [year]
    cells = run.table(year, "proactive")
    services = {k: v for k, v in cells.items() if k[0] not in ("rules", "normative_docs")}
    assert services == {**dict.fromkeys(zero_cells, 0), **dict.fromkeys(empty_cells, None)}
    assert list(run.problems["rule"]) == ["no_service_figures"]
    assert run.exit_code == 0


def test_no_service_figures_over_several_years_is_a_single_note(tmp_path):
    run = run_registers(tmp_path, {DOCS: (DOCUMENTS, [["甲规定", None, "规范性文件", d("2019-05-01"), None, None],
                                                      ["乙规定", None, "规范性文件", d("2021-05-01"), None, None]])})
    assert run.years == [2019, 2021]
    assert list(run.problems["rule"]) == ["no_service_figures"]
    assert "2019年、2021年表二" in run.messages("no_service_figures")[0]
