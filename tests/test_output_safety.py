"""Text from inputs never becomes a formula in an output, never becomes SQL, and odd names work everywhere."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import duckdb
from conftest import LOG_HEADER, cells, make_project, write_xlsx
from openpyxl import load_workbook

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
HYPERLINK = '=HYPERLINK("http://evil.example/x","点我")'
HOSTILE_TEXTS = [HYPERLINK, "+1", "-cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=2"]


def config(project, channels: dict[str, str]) -> None:
    """pipeline.toml with quoted channel folder names (TOML allows any text as a quoted key)."""
    lines = ['agency = "测试镇人民政府"', "", "[channels]"]
    lines += [f"{_toml(folder)} = {_toml(label)}" for folder, label in channels.items()]
    project.config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") + '"'


def write_text_xlsx(path: Path, sheet: str, rows: list[list]) -> Path:
    """A workbook whose text cells are text, even when they start with '=' (openpyxl would make those formulas)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    wb.close()
    return path


def csv_fields(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def sheet_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def test_input_text_is_never_a_formula_and_numbers_stay_numbers(tmp_path):
    project = make_project(tmp_path)
    config(project, {"website": HYPERLINK, "weibo": "+1", "wechat": "-cmd"})
    # Titles that would be formulas, each listed twice (the duplicate warning quotes the title, trimmed);
    # dates that would be formulas (the error quotes the cell as written); a sheet whose name would be one.
    items = [["2019-03-05", t] for t in HOSTILE_TEXTS]
    dates = [[t, f"日期{i}"] for i, t in enumerate(["=1+2", "-3-4", "\t=1", "\r=2"])]
    write_text_xlsx(project.raw / "website/台账.xlsx", "=SUM(1)", [LOG_HEADER, *items, *items, *dates])
    # 项目数量 falls from 10 to 5: 本年增/减 is −5, a number.
    write_xlsx(project.raw / "services/统计.xlsx", {"统计": [["年度", "事项", "项目数量", "处理决定数量"], [2018, "行政许可", 10, 1], [2019, "行政许可", 5, 2]]})
    done = project.subprocess("run")
    assert done.returncode == 1, done.stderr

    out = project.out
    for path in [out / "problems.csv", *out.rglob("*.csv")]:
        for row in csv_fields(path):
            for field in row:
                assert not field.startswith(FORMULA_LEAD) or NUMBER.fullmatch(field), (path.name, field)
    problems = project.problems()
    quoted = problems[problems["rule"] == "duplicate_item"]["value"].tolist()
    assert sorted(quoted) == sorted("'" + t.strip() for t in HOSTILE_TEXTS)
    bad_dates = problems[problems["rule"] == "date_invalid"]
    assert sorted(bad_dates["value"]) == ["'\t=1", "'\r=2", "'-3-4", "'=1+2"] and set(bad_dates["sheet"]) == {"'=SUM(1)"}
    tables = project.tables(2019)
    labels = dict(zip(tables[tables["table"] == "channels"]["row_code"], tables[tables["table"] == "channels"]["row_label"]))
    assert (labels["website"], labels["weibo"], labels["wechat"]) == ("'" + HYPERLINK, "'+1", "'-cmd")
    change = tables[(tables["table"] == "proactive") & (tables["row_code"] == "licensing") & (tables["col_code"] == "change")]
    assert change["value"].tolist() == [-5]
    assert "proactive,licensing,行政许可,change,本年增/减,-5" in (out / "2019/tables.csv").read_text(encoding="utf-8-sig")

    for book in (out / "problems.xlsx", out / "2019/统计表.xlsx"):
        assert not any(re.search(r"<(?:\w+:)?f[ >/]", xml) for xml in sheet_xml(book)), book.name  # no formula cell at all
    wb = load_workbook(out / "problems.xlsx")
    texts = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(FORMULA_LEAD)]
    assert {c.value for c in texts} >= {*(t.strip() for t in HOSTILE_TEXTS), "=1+2", "-3-4", "\t=1", "=SUM(1)"}
    assert {c.data_type for c in texts} == {"s"}
    wb = load_workbook(out / "2019/统计表.xlsx")
    values = {c.value: c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert values[HYPERLINK] == values["+1"] == values["-cmd"] == "s"
    assert values[-5] == "n"


def test_file_sheet_and_channel_names_with_quotes_spaces_and_sql_load_as_data(tmp_path):
    project = make_project(tmp_path)
    config(project, {"website": "政府网站", "o'neil": "O'Neil 号"})
    sql_name = "x'; drop table items; --.xlsx"
    write_xlsx(project.raw / "o'neil" / sql_name, {'it\'s "quoted"': [LOG_HEADER, ["2019-03-05", "甲'); delete from files; --"], ["2019-03-06", "乙"]]})
    write_xlsx(project.raw / "website" / "2019 年 '重点' 信息.xlsx", {"发布 记录": [LOG_HEADER, ["2019-03-07", "丙"]]})
    done = project.subprocess("run")
    assert done.returncode == 0, done.stderr

    with duckdb.connect(str(project.out / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select file, sheet, channel, title from items order by file, excel_row").fetchall() == [
            (f"o'neil/{sql_name}", 'it\'s "quoted"', "o'neil", "甲'); delete from files; --"),
            (f"o'neil/{sql_name}", 'it\'s "quoted"', "o'neil", "乙"),
            ("website/2019 年 '重点' 信息.xlsx", "发布 记录", "website", "丙"),
        ]
        assert con.execute("select count(*) from files").fetchall() == [(2,)]
    counts = cells(project.tables(2019))
    assert (counts[("o'neil", "count")], counts[("website", "count")]) == (2, 1)
    assert "没有变化：解析 0 个文件" in project.subprocess("run").stdout
    status = project.subprocess("status")
    assert f"o'neil/{sql_name}  [o'neil]  接受 2 行，拒绝 0 行，未变" in status.stdout

    (project.raw / "o'neil" / sql_name).unlink()  # removing it deletes exactly its rows
    done = project.subprocess("run")
    assert "移除 1 个" in done.stdout
    with duckdb.connect(str(project.out / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select file from items").fetchall() == [("website/2019 年 '重点' 信息.xlsx",)]
