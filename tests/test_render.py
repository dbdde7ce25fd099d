"""Renderings of the tables: tidy frame, tables.csv, tables.md, 统计表.xlsx, atomic writes."""

import os
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
import pandas as pd
import pytest

from pipeline.render import (
    COLUMNS,
    atomic_path,
    markdown,
    safe_text,
    set_cell,
    tidy,
    write_csv,
    write_text_atomic,
    write_xlsx,
)
from pipeline.tables import layout, table_names

FIXTURES = Path(__file__).parent / "fixtures" / "render"
CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
AGENCY = "慈溪市掌起镇人民政府"
INCOMPLETE = "数据不完整：{} 处错误，详见 problems.xlsx"
SIZES = {
    "2019": {"channels": 52, "proactive": 22, "requests": 161, "appeals": 15},
    "2021": {"channels": 52, "proactive": 10, "requests": 175, "appeals": 15},
}


def full_values(fmt, channels=CHANNELS):
    """Every cell of `fmt` with a distinct count (1, 2, …), money 12.5 and change −5."""
    records = []
    for name in table_names(fmt):
        for r, c in layout(name, fmt, channels).grid:
            value = len(records) + 1
            if c.code == "amount":
                value = 12.5
            elif c.code == "change":
                value = -5
            records.append((name, r.code, c.code, value))
    return pd.DataFrame(records, columns=["table", "row_code", "col_code", "value"])


def values_of(*cells):
    return pd.DataFrame(list(cells), columns=["table", "row_code", "col_code", "value"])


def cell(df, table, row_code, col_code):
    hit = df[(df["table"] == table) & (df["row_code"] == row_code) & (df["col_code"] == col_code)]
    assert len(hit) == 1
    return hit.iloc[0]


# ---------------------------------------------------------------- tidy


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_tidy_has_every_cell_of_the_format(fmt):
    t = tidy(values_of(), fmt, CHANNELS)
    assert list(t.columns) == COLUMNS
    assert t.groupby("table", sort=False).size().to_dict() == SIZES[fmt]
    assert list(dict.fromkeys(t["table"])) == ["channels", "proactive", "requests", "appeals"]
    assert (t["value"] == 0).all()


def test_tidy_layout_order_and_labels():
    t = tidy(values_of(), "2021", CHANNELS)
    requests = t[t["table"] == "requests"]
    assert list(requests["col_code"][:7]) == [
        "natural_person",
        "business",
        "research",
        "nonprofit",
        "legal_services",
        "other_org",
        "total",
    ]
    assert list(requests["row_code"][:8]) == ["new"] * 7 + ["carried_in"]
    row = cell(t, "requests", "other.no_correction", "business")
    assert row["row_label"] == "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert row["col_label"] == "商业企业"
    assert cell(t, "appeals", "cases", "lit_direct.pending")["col_label"] == "行政诉讼/未经复议直接起诉/尚未审结"
    assert cell(t, "proactive", "fees", "amount")["col_label"] == "本年收费金额（单位：万元）"
    assert cell(t, "channels", "total", "m07")[["row_label", "col_label"]].tolist() == ["合计", "7月"]


def test_tidy_values_absent_zero_and_na():
    given = values_of(
        ("requests", "new", "total", 7.0),
        ("proactive", "licensing", "prev_items", None),
        ("proactive", "licensing", "change", -5),
        ("proactive", "procurement", "amount", 1.23456),
    )
    t = tidy(given, "2019", CHANNELS)
    assert cell(t, "requests", "new", "total")["value"] == 7
    assert pd.isna(cell(t, "proactive", "licensing", "prev_items")["value"])
    assert cell(t, "proactive", "licensing", "change")["value"] == -5
    assert cell(t, "proactive", "procurement", "amount")["value"] == 1.2346
    assert cell(t, "requests", "carried_in", "total")["value"] == 0
    assert t["value"].isna().sum() == 1


@pytest.mark.parametrize(
    ("fmt", "stray"),
    [
        ("2021", ("requests", "other", "total")),
        ("2019", ("requests", "other.other", "total")),
        ("2019", ("proactive", "fees", "amount")),
        ("2021", ("proactive", "procurement", "projects")),
        ("2021", ("proactive", "rules", "decisions")),
        ("2019", ("channels", "toutiao", "count")),
        ("2019", ("summary", "new", "total")),
    ],
)
def test_tidy_refuses_cells_of_another_format(fmt, stray):
    with pytest.raises(ValueError, match="not cells"):
        tidy(values_of((*stray, 1)), fmt, CHANNELS)


def test_tidy_refuses_duplicates_and_fractional_counts():
    with pytest.raises(ValueError, match="more than once"):
        tidy(values_of(("appeals", "cases", "review.total", 1), ("appeals", "cases", "review.total", 2)), "2019", CHANNELS)
    with pytest.raises(ValueError, match="whole"):
        tidy(values_of(("appeals", "cases", "review.total", 1.5)), "2019", CHANNELS)


def test_tidy_fourth_channel():
    channels = {**CHANNELS, "toutiao": "政务头条号"}
    t = tidy(values_of(("channels", "toutiao", "m03", 4)), "2021", channels)
    assert (t["table"] == "channels").sum() == 5 * 13
    assert cell(t, "channels", "toutiao", "m03")[["row_label", "value"]].tolist() == ["政务头条号", 4]


# ---------------------------------------------------------------- CSV


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_csv_round_trip(tmp_path, fmt):
    t = tidy(full_values(fmt), fmt, CHANNELS)
    path = tmp_path / "tables.csv"
    write_csv(t, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"table,row_code,row_label,col_code,col_label,value\r\n")
    assert b".0," not in raw and not raw.rstrip().endswith(b".0")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"value": float}, keep_default_na=False, na_values=[""])
    assert list(back.columns) == COLUMNS
    assert len(back) == sum(SIZES[fmt].values())
    pd.testing.assert_frame_equal(back[COLUMNS[:-1]].astype(object), t[COLUMNS[:-1]].astype(object))
    assert back["value"].tolist() == t["value"].astype(float).tolist()


def test_csv_numbers_and_empty_fields(tmp_path):
    given = values_of(
        ("proactive", "licensing", "prev_items", None),
        ("proactive", "licensing", "change", -5),
        ("proactive", "licensing", "decisions", 3),
        ("proactive", "procurement", "amount", 1234.56789),
        ("proactive", "procurement", "projects", 2.0),
    )
    path = tmp_path / "tables.csv"
    write_csv(tidy(given, "2019", CHANNELS), path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert "proactive,licensing,行政许可,prev_items,上一年项目数量," in lines
    assert "proactive,licensing,行政许可,change,本年增/减,-5" in lines
    assert "proactive,licensing,行政许可,decisions,处理决定数量,3" in lines
    assert "proactive,procurement,政府集中采购,amount,采购总金额,1234.5679" in lines
    assert "proactive,procurement,政府集中采购,projects,采购项目数量,2" in lines
    assert "proactive,procurement,政府集中采购,amount,采购总金额,0" not in lines


def test_csv_neutralises_formula_labels(tmp_path):
    channels = {"website": "=1+1", "weibo": "@SUM(A1)", "wechat": "政务微信"}
    path = tmp_path / "tables.csv"
    write_csv(tidy(values_of(("channels", "website", "count", 3)), "2021", channels), path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert "channels,website,'=1+1,count,全年发布条数,3" in lines
    assert "channels,weibo,'@SUM(A1),m01,1月,0" in lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("政府网站", "政府网站"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text(text, expected):
    assert safe_text(text) == expected


# ---------------------------------------------------------------- Markdown


def golden_values():
    """Small, readable values for the golden file: each table's cells count 1, 2, … in layout order."""
    records = []
    for name in table_names("2021"):
        for i, (r, c) in enumerate(layout(name, "2021", CHANNELS).grid, start=1):
            records.append((name, r.code, c.code, 3.25 if c.code == "amount" else i))
    return pd.DataFrame(records, columns=["table", "row_code", "col_code", "value"])


def test_markdown_golden():
    text = markdown(tidy(golden_values(), "2021", CHANNELS), "2021", CHANNELS, AGENCY, 2023, 2)
    assert text == (FIXTURES / "tables_2021.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("fmt", "n_errors"), [("2019", 0), ("2019", 3), ("2021", 0), ("2021", 1)])
def test_markdown_headings_and_incomplete_line(fmt, n_errors):
    t = tidy(full_values(fmt), fmt, CHANNELS)
    text = markdown(t, fmt, CHANNELS, AGENCY, 2020, n_errors)
    lines = text.splitlines()
    assert lines[0] == "# 慈溪市掌起镇人民政府2020年政府信息公开工作年度报告统计表"
    assert {"2019": "表格格式：2019年版格式（国办公开办函〔2019〕60号）", "2021": "表格格式：2021年版格式（国办公开办函〔2021〕30号）"}[fmt] in lines
    assert [x for x in lines if x.startswith("## ")] == [
        "## 主动公开信息发布渠道统计",
        "## 二、主动公开政府信息情况",
        "## 三、收到和处理政府信息公开申请情况",
        "## 四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert lines.count(INCOMPLETE.format(n_errors)) == (4 if n_errors else 0)
    assert not any(x.startswith("数据不完整") for x in lines) or n_errors
    assert text == markdown(t, fmt, CHANNELS, AGENCY, 2020, n_errors)


def test_markdown_requests_rows_2019():
    t = tidy(full_values("2019"), "2019", CHANNELS)
    lines = markdown(t, "2019", CHANNELS, AGENCY, 2019, 0).splitlines()
    assert "### 第二十条第（九）项" in lines
    table = [x for x in lines if x.startswith("| （本列数据")]
    assert table == [
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  | 自然人 | 法人或其他组织/商业企业 "
        "| 法人或其他组织/科研机构 | 法人或其他组织/社会公益组织 | 法人或其他组织/法律服务机构 | 法人或其他组织/其他 | 总计 |"
    ]
    assert any(x.startswith("|  | （六）其他处理 |  | ") for x in lines)
    assert sum(x.startswith("|  |  | ") for x in lines) == 8 - 1 + 3 - 1 + 5 - 1
    # counts run on from the 52 channel cells; 本年增/减 keeps its sign
    assert "| 行政许可 | 59 | -5 | 61 |" in lines


def test_markdown_escapes_pipes():
    channels = {"website": "网站|A", "weibo": "政务微博", "wechat": "政务微信"}
    text = markdown(tidy(values_of(), "2021", channels), "2021", channels, AGENCY, 2021, 0)
    assert "| 网站\\|A | 0 |" in text


# ---------------------------------------------------------------- xlsx


def render_xlsx(tmp_path, fmt, n_errors=0, channels=CHANNELS, values=None):
    path = tmp_path / "统计表.xlsx"
    t = tidy(full_values(fmt, channels) if values is None else values, fmt, channels)
    write_xlsx(t, path, fmt, channels, AGENCY, 2021, n_errors)
    return path, openpyxl.load_workbook(path)


def merges(ws):
    return {str(r) for r in ws.merged_cells.ranges}


def find(ws, value):
    hits = [c for row in ws.iter_rows() for c in row if c.value == value]
    assert len(hits) == 1, (value, hits)
    return hits[0]


def merge_of(ws, cell):
    return next(r for r in ws.merged_cells.ranges if cell.coordinate in r)


def outline(ws, cell_):
    """The sides of `cell_` on the outline of its merged range (all four when not merged)."""
    rng = next((r for r in ws.merged_cells.ranges if cell_.coordinate in r), None)
    if rng is None:
        return ["left", "right", "top", "bottom"]
    sides = {
        "left": cell_.column == rng.min_col,
        "right": cell_.column == rng.max_col,
        "top": cell_.row == rng.min_row,
        "bottom": cell_.row == rng.max_row,
    }
    return [side for side, on in sides.items() if on]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_xlsx_sheets_and_titles(tmp_path, fmt):
    _, wb = render_xlsx(tmp_path, fmt)
    assert wb.sheetnames == ["渠道统计", "二、主动公开", "三、依申请公开", "四、复议诉讼"]
    titles = ["主动公开信息发布渠道统计", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    for ws, title in zip(wb.worksheets, titles):
        assert ws["A1"].value == "慈溪市掌起镇人民政府2021年政府信息公开工作年度报告"
        assert ws["A2"].value == title
        assert merge_of(ws, ws["A1"]).max_col == ws.max_column  # spans the table width


@pytest.mark.parametrize("n_errors", [0, 4])
def test_xlsx_incomplete_line(tmp_path, n_errors):
    _, wb = render_xlsx(tmp_path, "2021", n_errors)
    for ws in wb.worksheets:
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert texts.count(INCOMPLETE.format(4)) == (1 if n_errors else 0)
        assert not any(t.startswith("数据不完整") for t in texts) or n_errors
        if n_errors:
            assert ws["A3"].value == INCOMPLETE.format(4)


@pytest.mark.parametrize(("fmt", "n_results"), [("2019", 20), ("2021", 22)])
def test_xlsx_requests_layout(tmp_path, fmt, n_results):
    _, wb = render_xlsx(tmp_path, fmt)
    ws = wb["三、依申请公开"]
    corner = find(ws, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert str(merge_of(ws, corner)) == "A3:C5"  # three header rows × three label columns
    assert str(merge_of(ws, find(ws, "申请人情况"))) == "D3:J3"
    assert str(merge_of(ws, find(ws, "自然人"))) == "D4:D5"
    assert str(merge_of(ws, find(ws, "法人或其他组织"))) == "E4:I4"
    assert str(merge_of(ws, find(ws, "总计"))) == "J4:J5"
    assert [ws.cell(5, c).value for c in range(5, 10)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert str(merge_of(ws, find(ws, "一、本年新收政府信息公开申请数量"))) == "A6:C6"
    results = merge_of(ws, find(ws, "三、本年度办理结果"))
    assert (results.min_col, results.max_col, results.min_row) == (1, 1, 8)
    assert results.max_row - results.min_row + 1 == n_results
    assert str(merge_of(ws, find(ws, "（一）予以公开"))) == "B8:C8"
    assert str(merge_of(ws, find(ws, "（三）不予公开"))) == "B10:B17"
    assert str(merge_of(ws, find(ws, "（四）无法提供"))) == "B18:B20"
    assert str(merge_of(ws, find(ws, "（五）不予处理"))) == "B21:B25"
    assert find(ws, "1.属于国家秘密").coordinate == "C10"
    six = merge_of(ws, find(ws, "（六）其他处理"))
    assert str(six) == ("B26:C26" if fmt == "2019" else "B26:B28")
    total = find(ws, "（七）总计")
    assert total.row == 7 + n_results
    assert str(merge_of(ws, find(ws, "四、结转下年度继续办理"))) == f"A{8 + n_results}:C{8 + n_results}"
    assert ws.max_row == 8 + n_results
    # first number: 一 × 自然人 is the first requests cell after channels and proactive
    first = 52 + {"2019": 22, "2021": 10}[fmt] + 1
    assert ws["D6"].value == first and ws["J6"].value == first + 6


def test_xlsx_appeals_layout(tmp_path):
    _, wb = render_xlsx(tmp_path, "2021")
    ws = wb["四、复议诉讼"]
    assert str(merge_of(ws, find(ws, "行政复议"))) == "A3:E3"
    assert str(merge_of(ws, find(ws, "行政诉讼"))) == "F3:O3"
    assert str(merge_of(ws, find(ws, "未经复议直接起诉"))) == "F4:J4"
    assert str(merge_of(ws, find(ws, "复议后起诉"))) == "K4:O4"
    assert [ws.cell(4, c).value for c in range(1, 6)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert str(merge_of(ws, ws["A4"])) == "A4:A5"
    assert [ws.cell(5, c).value for c in range(6, 16)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    first = 52 + 10 + 175 + 1
    assert [ws.cell(6, c).value for c in range(1, 16)] == list(range(first, first + 15))
    assert ws.max_row == 6 and ws.max_column == 15


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_xlsx_proactive_blocks(tmp_path, fmt):
    _, wb = render_xlsx(tmp_path, fmt)
    ws = wb["二、主动公开"]
    assert ws.max_column == 4
    captions = [c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("第二十条")]
    expected = ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    assert [c.value for c in captions] == expected + (["第二十条第（九）项"] if fmt == "2019" else [])
    for c in captions:
        assert str(merge_of(ws, c)) == f"A{c.row}:D{c.row}"
        assert ws.cell(c.row + 1, 1).value == "信息内容"
    header = [ws.cell(captions[0].row + 1, c).value for c in range(2, 5)]
    assert header == (["本年新制作数量", "本年新公开数量", "对外公开总数量"] if fmt == "2019" else ["本年制发件数", "本年废止件数", "现行有效件数"])
    if fmt == "2021":
        fee = find(ws, "本年收费金额（单位：万元）")
        assert str(merge_of(ws, fee)) == f"B{fee.row}:D{fee.row}"
        amount = ws.cell(fee.row + 1, 2)
        assert ws.cell(fee.row + 1, 1).value == "行政事业性收费"
        assert amount.value == 12.5 and isinstance(amount.value, float)
        assert str(merge_of(ws, amount)) == f"B{amount.row}:D{amount.row}"
        assert sum(c.value == "本年处理决定数量" for c in ws["B"]) == 2
    else:
        change = find(ws, "行政许可")
        assert [ws.cell(change.row, c).value for c in range(2, 5)] == [52 + 7, -5, 52 + 9]
        assert str(merge_of(ws, find(ws, "采购总金额"))).startswith("C")


def test_xlsx_numbers_and_empty_cells(tmp_path):
    given = values_of(
        ("proactive", "licensing", "prev_items", None),
        ("proactive", "licensing", "decisions", 3),
        ("proactive", "procurement", "amount", 0.1),
    )
    _, wb = render_xlsx(tmp_path, "2019", values=given)
    ws = wb["二、主动公开"]
    row = find(ws, "行政许可").row
    assert ws.cell(row, 2).value is None
    assert ws.cell(row, 4).value == 3 and type(ws.cell(row, 4).value) is int
    assert ws.cell(find(ws, "政府集中采购").row, 3).value == 0.1


def test_xlsx_formula_label_is_text(tmp_path):
    channels = {"website": "=1+1", "weibo": "+cmd|' /C calc'!A0", "wechat": "政务微信"}
    path, wb = render_xlsx(tmp_path, "2021", channels=channels)
    ws = wb["渠道统计"]
    for label in channels.values():
        cell_ = find(ws, label)
        assert cell_.data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)


def test_xlsx_style_and_page_setup(tmp_path):
    _, wb = render_xlsx(tmp_path, "2021", n_errors=1)
    for ws in wb.worksheets:
        landscape = ws.title != "二、主动公开"
        assert ws.page_setup.paperSize == 9
        assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        table_rows = range(4, ws.max_row + 1)  # below title, table title and incomplete line
        for row in ws.iter_rows(min_row=table_rows.start):
            for c in row:
                # a merged range shows its first cell's font, and borders on its outline
                assert isinstance(c, MergedCell) or c.font.name == "宋体"
                assert all(getattr(c.border, side).style == "thin" for side in outline(ws, c))
        assert ws["A1"].font.name == "宋体" and ws["A1"].font.b
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABCD")
    assert wb["三、依申请公开"].print_title_rows == "$4:$6"
    assert wb["四、复议诉讼"].print_title_rows == "$4:$6"
    assert wb["渠道统计"].print_title_rows == "$4:$4"
    requests = wb["三、依申请公开"]
    assert find(requests, "申请人情况").font.b
    assert find(requests, "自然人").alignment.wrap_text
    long_row = find(requests, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请").row
    assert requests.row_dimensions[long_row].height > requests.row_dimensions[long_row - 1].height


def test_set_cell(tmp_path):
    ws = openpyxl.Workbook().active
    set_cell(ws["A1"], "=SUM(1)")
    set_cell(ws["A2"], "bad\x01char")
    set_cell(ws["A3"], -5)
    set_cell(ws["A4"], pd.NA)
    assert (ws["A1"].value, ws["A1"].data_type) == ("=SUM(1)", "s")
    assert ws["A2"].value == "bad\ufffdchar"
    assert (ws["A3"].value, ws["A3"].data_type) == (-5, "n")
    assert ws["A4"].value is None


# ---------------------------------------------------------------- atomic writes


def test_atomic_path_replaces_on_success(tmp_path):
    target = tmp_path / "tables.md"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables.md"]


def test_atomic_path_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "tables.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables.csv"]


def test_failed_xlsx_save_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "统计表.xlsx"
    target.write_bytes(b"previous")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"PK half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_xlsx(tidy(values_of(), "2021", CHANNELS), target, "2021", CHANNELS, AGENCY, 2021, 0)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["统计表.xlsx"]


def test_write_text_atomic_mode_follows_umask(tmp_path):
    write_text_atomic(tmp_path / "a.md", "第一行\n第二行\n")
    plain = tmp_path / "plain"
    plain.touch()
    assert (tmp_path / "a.md").read_bytes() == "第一行\n第二行\n".encode()
    assert os.stat(tmp_path / "a.md").st_mode == os.stat(plain).st_mode
