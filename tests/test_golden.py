"""Golden files for the demo years: tables.csv (compared as data), tables.md (as text), xlsx cells and merges.

The golden files under tests/golden/ were checked by hand against scripts/README.md.
Regenerate them only on purpose: REGEN_GOLDEN=1 pytest tests/test_golden.py, then
review the diff before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.config import load
from pipeline.run import execute

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
YEARS = (2019, 2020, 2021)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_out")
    cfg = load(REPO / "pipeline.toml", REPO / "data" / "raw", out)
    outcome = execute(cfg, "run")
    assert outcome.exit_code == 0
    assert outcome.years == list(YEARS)
    if os.environ.get("REGEN_GOLDEN"):
        for year in YEARS:
            (GOLDEN / str(year)).mkdir(parents=True, exist_ok=True)
            for name in ("tables.csv", "tables.md"):
                shutil.copyfile(out / str(year) / name, GOLDEN / str(year) / name)
    return out


@pytest.mark.parametrize("year", YEARS)
def test_tables_csv_matches_golden(demo_out, year):
    got = pd.read_csv(demo_out / str(year) / "tables.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    want = pd.read_csv(GOLDEN / str(year) / "tables.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("year", YEARS)
def test_tables_md_matches_golden(demo_out, year):
    got = (demo_out / str(year) / "tables.md").read_text(encoding="utf-8")
    assert got == (GOLDEN / str(year) / "tables.md").read_text(encoding="utf-8")


def test_golden_2019_channels_are_the_seed_report_figures():
    """The seed report: 主动公开信息934条，其中政府网站236条，政务微博392条，政务微信306条."""
    t = pd.read_csv(GOLDEN / "2019" / "tables.csv", encoding="utf-8-sig")
    counts = t[(t["table"] == "channels") & (t["col_code"] == "count")].set_index("row_code")["value"]
    assert counts.to_dict() == {"website": 236, "weibo": 392, "wechat": 306, "total": 934}
    months = t[(t["table"] == "channels") & (t["col_code"] != "count")].groupby("row_code")["value"].sum()
    assert months.to_dict() == {"website": 236, "weibo": 392, "wechat": 306, "total": 934}


def _sheet(path: Path, title_part: str):
    wb = openpyxl.load_workbook(path)
    return next(ws for ws in wb.worksheets if title_part in ws.title)


def _find(ws, text: str):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def _merged_span(ws, cell) -> tuple[int, int]:
    """(rows, cols) of the merged range that starts at cell, (1, 1) if none."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            return rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1
    return 1, 1


@pytest.mark.parametrize("year, result_rows, fmt_label", [(2019, 20, "（六）其他处理"), (2021, 22, "3.其他")])
def test_xlsx_requests_sheet_layout_and_values(demo_out, year, result_rows, fmt_label):
    ws = _sheet(demo_out / str(year) / "统计表.xlsx", "三")
    assert "慈溪市掌起镇人民政府" in str(ws["A1"].value) and str(year) in str(ws["A1"].value)
    assert _merged_span(ws, _find(ws, "三、本年度办理结果"))[0] == result_rows
    corner = _find(ws, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert _merged_span(ws, corner)[1] == 3
    assert _merged_span(ws, _find(ws, "法人或其他组织"))[1] == 5
    _find(ws, fmt_label)
    new_row = _find(ws, "一、本年新收政府信息公开申请数量").row
    numbers = [c.value for c in ws[new_row] if isinstance(c.value, (int, float))]
    # natural person, business, research, nonprofit, legal services, other, total (scripts/README.md)
    assert numbers == {2019: [6, 1, 0, 0, 0, 0, 7], 2021: [4, 1, 0, 0, 1, 0, 6]}[year]


def test_xlsx_appeals_and_proactive_2021(demo_out):
    path = demo_out / "2021" / "统计表.xlsx"
    appeals = _sheet(path, "四")
    assert _merged_span(appeals, _find(appeals, "行政诉讼"))[1] == 10
    assert _merged_span(appeals, _find(appeals, "行政复议"))[1] == 5
    values = [c.value for row in appeals.iter_rows() for c in row if isinstance(c.value, (int, float))]
    assert values == [1, 0, 0, 0, 1] + [0] * 10  # one 行政复议 结果维持 (2021-07-20)
    proactive = _sheet(path, "二")
    fee_row = _find(proactive, "行政事业性收费").row
    assert [c.value for c in proactive[fee_row] if isinstance(c.value, float)] == [6.8473]
    assert _find(proactive, "本年收费金额（单位：万元）")


def test_xlsx_channels_2019(demo_out):
    ws = _sheet(demo_out / "2019" / "统计表.xlsx", "渠道")
    total = _find(ws, "合计").row
    assert [c.value for c in ws[total] if isinstance(c.value, int)] == [934, 69, 45, 92, 87, 83, 84, 82, 63, 82, 69, 91, 87]
