"""Working days from receipt to answer under the official calendar, the 20/40-day limits, answer_times.csv.

Official 2021 arrangement (国办发明电〔2020〕27号): 春节 2月11日—17日 off, 2月7日 (Sunday)
and 2月20日 (Saturday) worked; 清明 4月3日—5日 off; 劳动节 5月1日—5日 off, 4月25日 (Sunday)
worked; 中秋 9月19日—21日 off, 9月18日 (Saturday) worked; 国庆 10月1日—7日 off, 9月26日
(Sunday) and 10月9日 (Saturday) worked.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

import pandas as pd
import pytest

from conftest import make_project, read_problems, write_xlsx
from pipeline import charts, workdays

D = dt.date


@pytest.fixture(autouse=True)
def missing_glyph_is_error():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")
        yield


def test_spring_festival_2021_with_adjusted_sunday_and_saturday():
    # Received Wed 3 Feb (day 0). Counted: Thu 4, Fri 5, Sun 7 (worked), Mon 8, Tue 9, Wed 10 = 6;
    # 11–17 holiday; Thu 18, Fri 19, Sat 20 (worked) = 9; Sun 21 off; Mon 22 = 10.
    # Monday-to-Friday alone would give 13.
    assert workdays.working_days(D(2021, 2, 3), D(2021, 2, 22)) == 10


def test_national_day_2021_with_adjusted_saturday():
    # Received Thu 23 Sep. Fri 24 = 1; Sat 25 off; Sun 26 (worked) = 2; Mon 27 – Thu 30 = 6;
    # 1–7 Oct holiday; Fri 8 = 7; Sat 9 (worked) = 8; Sun 10 off; Mon 11 = 9.
    assert workdays.working_days(D(2021, 9, 23), D(2021, 10, 11)) == 9


def test_day_of_receipt_is_day_zero_and_weekends_count_only_when_worked():
    assert workdays.working_days(D(2021, 3, 3), D(2021, 3, 3)) == 0
    assert workdays.working_days(D(2021, 10, 8), D(2021, 10, 9)) == 1  # Saturday 9 Oct was worked
    assert workdays.working_days(D(2021, 10, 9), D(2021, 10, 10)) == 0  # an ordinary Sunday
    assert workdays.working_days(D(2021, 9, 30), D(2021, 10, 7)) == 0  # all National Day holiday


def test_every_day_of_the_calendar_is_counted_as_chinese_calendar_says():
    """The whole-calendar count applies is_workday's rule to all days at once: day by day, they agree."""
    import chinese_calendar

    start, counted = workdays._workday_counts()
    day = dt.date.fromisoformat(str(start))
    flags = [bool(b) for b in counted[1:] - counted[:-1]]
    expected = [chinese_calendar.is_workday(day + dt.timedelta(days=i)) for i in range(len(flags))]
    assert len(flags) == 8401  # 2004-01-01 … 2026-12-31
    assert flags == expected
    assert sum(flags) == 5744


def test_dates_outside_the_calendar_are_not_counted():
    first, last = workdays.calendar_years()
    assert (first, last) == (2004, 2026)  # chinese-calendar 1.11.0
    assert workdays.working_days(D(2026, 12, 28), D(2027, 1, 5)) is None
    assert workdays.working_days(D(2003, 12, 29), D(2004, 1, 5)) is None
    assert workdays.calendar_text() == "节假日日历 chinese-calendar 1.11.0 覆盖 2004—2026 年"


def test_answer_before_receipt_is_refused():
    with pytest.raises(ValueError, match="早于"):
        workdays.working_days(D(2021, 3, 5), D(2021, 3, 4))


def frame(rows):
    """Requests as answer_times gives them: (id, received, answered, extended), placed at rows 2, 3, …"""
    return pd.DataFrame({
        "request_id": [r[0] for r in rows],
        "received": pd.to_datetime([r[1] for r in rows]),
        "answered": pd.to_datetime([r[2] for r in rows]),
        "extended": [r[3] for r in rows],
        "file": "applications/台账.xlsx",
        "sheet": "台账",
        "excel_row": list(range(2, 2 + len(rows))),
    })


# Received Mon 1 March 2021. Working days: 2–5 Mar = 4, 8–12 = 9, 15–19 = 14, 22–26 = 19,
# 29 = 20, 30 = 21, 31 = 22, 1 Apr = 23, 2 Apr = 24, 3–5 Apr 清明 off, 6–9 = 28, 12 = 29,
# 13 = 30, 14–16 = 33, 19–23 = 38, Sun 25 Apr (worked) = 39, 26 = 40, 27 = 41.
LIMIT_CASES = [
    ("A-20", "2021-03-01", "2021-03-29", False),  # day 20: in time
    ("B-21", "2021-03-01", "2021-03-30", False),  # day 21: overdue
    ("C-30", "2021-03-01", "2021-04-13", True),  # day 30, extended: in time
    ("D-40", "2021-03-01", "2021-04-26", True),  # day 40, extended: in time
    ("E-41", "2021-03-01", "2021-04-27", True),  # day 41, extended: overdue
]


def test_limits_20_and_40_working_days():
    times = workdays.assess(frame(LIMIT_CASES))
    assert times["workdays"].tolist() == [20, 21, 30, 40, 41]
    assert times["limit"].tolist() == [20, 20, 40, 40, 40]
    assert times["overdue"].tolist() == [False, True, False, False, True]
    found = workdays.problems(times)
    assert [(p.severity, p.rule, p.row, p.column, p.value) for p in found] == [
        ("warning", "answer_overdue", 3, "答复日期", "2021-03-30"),
        ("warning", "answer_overdue", 6, "答复日期", "2021-04-27"),
    ]
    assert "B-21" in found[0].message and "21 个工作日" in found[0].message and "是否延期" in found[0].message
    assert "已延期，期限为 40 个工作日，仍超出 1 个工作日" in found[1].message


def test_outside_calendar_is_a_note_not_a_check():
    times = workdays.assess(frame([("Z-1", "2026-12-28", "2027-01-05", False)]))
    assert times["workdays"].isna().all() and times["overdue"].isna().all()
    (note,) = workdays.problems(times)
    assert (note.severity, note.rule, note.row) == ("note", "workdays_outside_calendar", 2)
    assert "2004—2026" in note.message and "Z-1" in note.message
    assert workdays.csv_frame(times).iloc[0].tolist() == ["Z-1", "2026-12-28", "2027-01-05", pd.NA, "否", 20, ""]


def test_register_run_flags_day_21_not_extended_day_30(tmp_path):
    project = make_project(tmp_path)
    header = ["申请编号", "收到日期", "申请人类型", "答复日期", "办理结果", "是否延期"]
    rows = [[rid, dt.datetime.fromisoformat(r), "自然人", dt.datetime.fromisoformat(a), "予以公开",
             "是" if ext else None] for rid, r, a, ext in LIMIT_CASES]
    write_xlsx(project.raw / "applications" / "台账.xlsx", {"台账": [header, *rows]})
    assert project.cli("run").exit_code == 0
    problems = read_problems(project.out)
    overdue = problems[problems["rule"] == "answer_overdue"]
    assert overdue[["file", "sheet", "row", "column", "value"]].values.tolist() == [
        ["applications/台账.xlsx", "台账", "3", "答复日期", "2021-03-30"],
        ["applications/台账.xlsx", "台账", "6", "答复日期", "2021-04-27"],
    ]
    csv = pd.read_csv(project.out / "2021" / "answer_times.csv", encoding="utf-8-sig", dtype=str)
    assert (project.out / "2021" / "answer_times.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv.values.tolist() == [
        ["A-20", "2021-03-01", "2021-03-29", "20", "否", "20", "否"],
        ["B-21", "2021-03-01", "2021-03-30", "21", "否", "20", "是"],
        ["C-30", "2021-03-01", "2021-04-13", "30", "是", "40", "否"],
        ["D-40", "2021-03-01", "2021-04-26", "40", "是", "40", "否"],
        ["E-41", "2021-03-01", "2021-04-27", "41", "是", "40", "是"],
    ]
    # a year without earlier years gets the answer-time chart but no by-year charts
    charts_dir = project.out / "2021" / "charts"
    assert (charts_dir / "answer_times.png").is_file() and (charts_dir / "answer_times.svg").is_file()
    assert not (charts_dir / "channels_by_year.png").exists()


def test_extension_recorded_on_the_pending_listing_counts(tmp_path):
    """是否延期 written on last year's row (still pending) applies to the answer in this year's register."""
    project = make_project(tmp_path)
    header = ["申请编号", "收到日期", "申请人类型", "答复日期", "办理结果", "是否延期"]
    received = dt.datetime(2020, 12, 1)
    write_xlsx(project.raw / "applications" / "2020.xlsx", {"台账": [header, ["X-1", received, "自然人", None, None, "是"]]})
    write_xlsx(project.raw / "applications" / "2021.xlsx",
               {"台账": [header, ["X-1", received, "自然人", dt.datetime(2021, 1, 25), "予以公开", None]]})
    assert project.cli("run").exit_code == 0
    # 2 Dec 2020 – 31 Dec: 22 working days; 1 Jan holiday, 4–8 Jan = 27, 11–15 = 32, 18–22 = 37, 25 Jan = 38
    csv = pd.read_csv(project.out / "2021" / "answer_times.csv", encoding="utf-8-sig", dtype=str)
    assert csv.values.tolist() == [["X-1", "2020-12-01", "2021-01-25", "38", "是", "40", "否"]]
    assert "answer_overdue" not in read_problems(project.out)["rule"].tolist()


def test_answer_times_chart_plots_each_answer_and_the_limits():
    times = {
        2020: workdays.assess(frame([("P-1", "2020-03-02", "2020-03-16", False)])),  # 10 working days
        2021: workdays.assess(frame(LIMIT_CASES[:3] + [("Z-1", "2026-12-28", "2027-01-05", False)])),
    }
    fig = charts.answer_times_figure(times, "测试镇人民政府", 2021)
    ax = fig.axes[0]
    xs = sorted(float(x) for coll in ax.collections for x, _ in coll.get_offsets())
    assert xs == [10, 20, 21, 30]  # Z-1 has no working days and is not drawn
    assert sorted(line.get_xdata()[0] for line in ax.lines) == [20, 40]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2020年", "2021年"]
    assert ax.get_title() == "2021年答复4件，用时中位数21个工作日，超期1件"
    note = fig.get_supxlabel()
    assert "收到申请当日为第0日" in note and "2004—2026" in note and "2021年1件申请的日期超出节假日日历的年份" in note
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
