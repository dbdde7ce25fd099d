"""The fast reader (fastexcel, every cell as text) against the exact one (python-calamine, typed cells).

.xlsx/.xlsm files take the fast path; where it cannot be sure of a cell it hands the whole
file to the exact reader, so the exact reader's reading wins. Each case below shows which
reader read the file and what came out.
"""

import datetime as dt

import pytest
from conftest import LOG_HEADER, write_xlsx

from pipeline import kinds, read, validate

D5 = dt.datetime(2019, 3, 5)


def read_both(path, kind=kinds.PUBLICATION):
    """(fast result, exact result) of one file."""
    return read.read_file(path, "website/log.xlsx", kind), read.read_file(path, "website/log.xlsx", kind, exact=True)


def accepted(result: read.ReadResult, kind=kinds.PUBLICATION) -> list[tuple]:
    """(Excel row, published/received day, title or id) of the rows validation accepts."""
    rows = []
    for sf in result.frames:
        v = validate.validate_sheet(sf, kind, "website/log.xlsx", {"channel": "website", "formats": {}})
        first = "published" if kind is kinds.PUBLICATION else "received"
        label = "title" if kind is kinds.PUBLICATION else "request_id"
        rows += [(r["excel_row"], f"{r[first]:%Y-%m-%d}", r[label]) for _, r in v.rows.iterrows()]
    return rows


def test_a_typical_log_is_read_fast_with_the_same_rows(tmp_path):
    # Title row, data starting in column B on row 3, an instructions sheet, vertically and
    # horizontally merged cells, text dates, an empty row with a pre-filled 序号 and a totals row.
    rows = [
        ["2019年政府网站信息发布台账"],
        [],
        [None, "序号", *LOG_HEADER],
        [None, 1, D5, "关于春季森林防火的通告", "通知公告", "https://a.gov.cn/1.html"],
        [None, 2, None, "掌起镇召开安全生产工作会议", "政务要闻", None],
        [None, 3, "2019/3/6", "四月份重点工作安排", "通知公告", None],
        [None, 4, "２０１９年３月７日", "合并栏目", "政策解读", None],
        [None, 5, 20190308, "八位数字日期", None, None],
        [None, 6],
        [None, "合计：", 5],
    ]
    path = write_xlsx(tmp_path / "log.xlsx", {"说明": [["本表由后台导出"]], "发布记录": rows}, merges={"发布记录": ["A1:F1", "C4:C5", "E7:F7"]})
    fast, exact = read_both(path)
    assert (fast.reader, exact.reader) == ("fast", "exact")
    assert accepted(fast) == accepted(exact) == [
        (4, "2019-03-05", "关于春季森林防火的通告"), (5, "2019-03-05", "掌起镇召开安全生产工作会议"),
        (6, "2019-03-06", "四月份重点工作安排"), (7, "2019-03-07", "合并栏目"), (8, "2019-03-08", "八位数字日期"),
    ]
    for result in (fast, exact):  # E7:F7 merged: the top-left value in both cells
        assert result.frames[0].frame[["category", "link"]].iloc[3].tolist() == ["政策解读", "政策解读"]
    assert [(p.rule, p.sheet, p.row) for p in fast.problems] == [(p.rule, p.sheet, p.row) for p in exact.problems] == [("totals_row", "发布记录", 10), ("sheet_without_header", "说明", None)]


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        (43530, "a number cell (an Excel serial day) and the text 43530 look alike once rendered as text"),
        (dt.datetime(2019, 3, 6, 13, 5, 7, 250000), "milliseconds: a date cell and the text '… 13:05:07.250' look alike"),
        (dt.time(10, 0), "a time-only cell renders as a day in 1899"),
    ],
)
def test_a_date_column_the_fast_reader_cannot_tell_apart_is_read_exactly(tmp_path, cell, why):
    path = write_xlsx(tmp_path / "log.xlsx", {"发布记录": [LOG_HEADER, [D5, "甲", None, None], [cell, "乙", None, None]]})
    fast, exact = read_both(path)
    assert fast.reader == "exact", why
    assert accepted(fast) == accepted(exact)


def test_a_text_43530_in_a_date_column_is_an_error_as_with_the_exact_reader(tmp_path):
    path = write_xlsx(tmp_path / "log.xlsx", {"发布记录": [LOG_HEADER, ["43530", "甲", None, None], [D5, "乙", None, None]]})
    fast, _ = read_both(path)
    assert fast.reader == "exact"
    assert accepted(fast) == [(3, "2019-03-05", "乙")]


def test_formulas_with_a_cached_value_are_read_fast_and_without_one_exactly(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "发布记录"
    ws.append(LOG_HEADER)
    ws.append([D5, '="通知"&"一"', None, None])  # openpyxl writes no cached value
    path = tmp_path / "log.xlsx"
    wb.save(path)
    fast, exact = read_both(path)
    assert fast.reader == "exact"  # the guard found a formula without a value: only the exact reader marks it
    v = validate.validate_sheet(fast.frames[0], kinds.PUBLICATION, "website/log.xlsx", {"channel": "website", "formats": {}})
    assert [p.rule for p in v.problems] == ["formula_without_value"]


def test_a_date_cell_in_a_text_column(tmp_path):
    # Not a case inputs.md defines, and not worth the exact reader: the fast reader wins and
    # writes the cell as Excel shows it, "2019-03-05 00:00:00". The exact reader gets a date (at
    # midnight) or a datetime from python-calamine and writes it in ISO form.
    path = write_xlsx(tmp_path / "log.xlsx", {"发布记录": [LOG_HEADER, [D5, D5, None, None], [D5, dt.datetime(2019, 3, 5, 13, 5), None, None]]})
    fast, exact = read_both(path)
    assert (fast.reader, accepted(fast)) == ("fast", [(2, "2019-03-05", "2019-03-05 00:00:00"), (3, "2019-03-05", "2019-03-05 13:05:00")])
    assert accepted(exact) == [(2, "2019-03-05", "2019-03-05"), (3, "2019-03-05", "2019-03-05T13:05:00")]


def test_a_register_with_number_ids_and_amounts_reads_the_same(tmp_path):
    header = ["申请编号", "收到日期", "申请人类型", "答复日期", "办理结果", "收费金额"]
    rows = [header, [1, D5, "公民", dt.datetime(2019, 3, 20), "予以公开", 12.5], ["ZQ-2", "2019.3.6", "企业", None, None, None]]
    path = write_xlsx(tmp_path / "reg.xlsx", {"台账": rows})
    fast, exact = read_both(path, kinds.APPLICATIONS)
    assert fast.reader == "fast"
    assert accepted(fast, kinds.APPLICATIONS) == accepted(exact, kinds.APPLICATIONS) == [(2, "2019-03-05", "1"), (3, "2019-03-06", "ZQ-2")]
