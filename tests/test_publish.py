"""problems.xlsx: streamed, continued on further sheets past a sheet's rows, and written even when a run's charts fail."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from pipeline import publish
from pipeline.problems import Problem


def _problems(n: int) -> list[Problem]:
    return [Problem("error", "date_invalid", f"第 {i} 个问题", file="website/台账.xlsx", sheet="S", row=i + 2, column="发布日期", value=f"2019-02-{30 + i % 2}") for i in range(n)]


def test_problems_past_a_sheets_rows_continue_on_the_next_sheet_with_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "SHEET_ROWS", 4)  # a header and 3 problems per sheet
    publish.problems_report(_problems(7), tmp_path)
    wb = load_workbook(tmp_path / "problems.xlsx")
    assert wb.sheetnames == ["问题清单", "问题清单2", "问题清单3"]
    rows = {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in wb.worksheets}
    assert [len(r) for r in rows.values()] == [4, 4, 2]
    for ws in wb.worksheets:
        assert ws["A1"].value == "级别 severity" and ws["H1"].value == "说明 message"
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:H{ws.max_row}"
    assert [r[3] for name in rows for r in rows[name][1:]] == list(range(2, 9))  # Excel rows of the 7 problems, in order
    assert rows["问题清单3"][1] == ["error", "website/台账.xlsx", "S", 8, "发布日期", "2019-02-30", "date_invalid", "第 6 个问题"]
    assert len(pd.read_csv(tmp_path / "problems.csv", encoding="utf-8-sig")) == 7  # the CSV is one table


def test_a_report_without_problems_has_one_sheet_with_the_header(tmp_path):
    publish.problems_report([], tmp_path)
    wb = load_workbook(tmp_path / "problems.xlsx")
    assert wb.sheetnames == ["问题清单"]
    assert [[c.value for c in r] for r in wb.active.iter_rows()] == [list(publish.PROBLEM_HEADERS.values())]


def test_cells_keep_their_styles(tmp_path):
    problems = [*_problems(1), Problem("warning", "duplicate_item", "重复", file="a.xlsx"), Problem("note", "totals_row", "合计行", file="a.xlsx")]
    publish.problems_report(problems, tmp_path)
    ws = load_workbook(tmp_path / "problems.xlsx").active
    assert [ws[f"A{r}"].fill.fgColor.rgb for r in (2, 3, 4)] == ["00FFC7CE", "00FFEB9C", "00DDEBF7"]
    assert ws["A1"].font.b and not ws["A2"].font.b and ws["B2"].font.name == "宋体"
    assert [ws.cell(2, c).alignment.wrap_text for c in range(1, 9)] == [None] * 7 + [True]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_problems_report_is_written_when_reading_the_charts_data_fails(tmp_path, monkeypatch):
    import pytest
    from conftest import REPO

    from pipeline.config import load
    from pipeline.run import execute

    def broken(con, year):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(publish, "year_items", broken)  # the first thing year_outputs reads for the charts
    cfg = load(REPO / "pipeline.toml", REPO / "data" / "raw", tmp_path)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        execute(cfg)
    report = pd.read_csv(tmp_path / "problems.csv", encoding="utf-8-sig")
    assert report["severity"].value_counts().to_dict() == {"note": 4, "warning": 2}
    assert not (tmp_path / "2019" / "tables.csv").exists()
