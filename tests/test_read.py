"""Reading publication logs: file types, sheets, header detection, title/empty/totals rows, merges, wrong folder."""

import datetime as dt

import pandas as pd
import pytest
from conftest import LOG_HEADER, ingest, write_csv, write_ods, write_xls, write_xlsx

from pipeline import kinds, read

D5, D6, D7 = dt.date(2019, 3, 5), dt.date(2019, 3, 6), dt.date(2019, 4, 1)
ROWS = [
    [D5, "关于春季森林防火的通告", "通知公告", "https://www.zhangqi.gov.cn/art/1.html"],
    [D6, "掌起镇召开安全生产工作会议", "政务要闻", None],
    [D7, "四月份重点工作安排", None, "https://www.zhangqi.gov.cn/art/3.html"],
]
TEXT_ROWS = [["2019-03-05", *ROWS[0][1:]], ["2019/3/6", *ROWS[1][1:]], ["2019年4月1日", *ROWS[2][1:]]]
EXPECTED = [
    (2, "2019-03-05", "关于春季森林防火的通告", "通知公告", "https://www.zhangqi.gov.cn/art/1.html"),
    (3, "2019-03-06", "掌起镇召开安全生产工作会议", "政务要闻", None),
    (4, "2019-04-01", "四月份重点工作安排", None, "https://www.zhangqi.gov.cn/art/3.html"),
]


def items(rows: pd.DataFrame) -> list[tuple]:
    """Accepted rows as (Excel row, day, title, category, link), None for empty."""
    def v(x):
        return None if pd.isna(x) else x

    return [(r.excel_row, f"{r.published:%Y-%m-%d}", r.title, v(r.category), v(r.link)) for r in rows.itertuples()]


def read_one(path, rel="website/log.xlsx") -> read.ReadResult:
    return read.read_file(path, rel, kinds.PUBLICATION)


def first_row(frame: pd.DataFrame) -> dict:
    """The first data row as read; 发布日期 as a day, since the fast reader gives a date cell as text."""
    from pipeline import normalise as nz

    return {key: (nz.dates(frame[key]).dt.date.iloc[0] if key == "published" else frame[key].iloc[0]) for key in frame if key != "_row"}


# --- file types ------------------------------------------------------------

WRITERS = {
    "xlsx": ("log.xlsx", lambda p: write_xlsx(p, {"发布记录": [LOG_HEADER, *ROWS]})),
    "xlsm": ("log.xlsm", lambda p: write_xlsx(p, {"发布记录": [LOG_HEADER, *ROWS]})),
    "xls": ("log.xls", lambda p: write_xls(p, {"发布记录": [LOG_HEADER, *ROWS]})),
    "ods": ("log.ods", lambda p: write_ods(p, {"发布记录": [LOG_HEADER, *ROWS]})),
    "csv-utf8-bom": ("log.csv", lambda p: write_csv(p, [LOG_HEADER, *TEXT_ROWS], "utf-8-sig")),
    "csv-utf8": ("log.csv", lambda p: write_csv(p, [LOG_HEADER, *TEXT_ROWS], "utf-8")),
    "csv-gb18030": ("log.csv", lambda p: write_csv(p, [LOG_HEADER, *TEXT_ROWS], "gb18030")),
}


@pytest.mark.parametrize("kind", WRITERS)
def test_each_file_type_is_read(tmp_path, kind):
    name, write = WRITERS[kind]
    write(tmp_path / "website" / name)
    got = ingest(tmp_path)
    assert got.problems == []
    assert items(got.rows) == EXPECTED
    assert set(got.rows["file"]) == {f"website/{name}"}
    assert set(got.rows["sheet"]) == {"" if name.endswith(".csv") else "发布记录"}
    assert set(got.rows["channel"]) == {"website"}


def test_gb18030_csv_with_a_character_outside_gbk(tmp_path):
    # 𠮷 exists in GB18030 but not in GBK: the decoder must be GB18030, not GBK.
    write_csv(tmp_path / "weibo/导出.csv", [["发布时间", "微博内容"], ["2019/3/5 10:00", "𠮷祥如意"]], "gb18030")
    got = ingest(tmp_path)
    assert got.problems == []
    assert list(got.rows["title"]) == ["𠮷祥如意"]


def test_every_sheet_of_a_workbook_is_read(tmp_path):
    write_xlsx(tmp_path / "wechat/文章.xlsx", {
        "上半年": [LOG_HEADER, ROWS[0], ROWS[1]],
        "下半年": [["发表时间", "文章标题"], [dt.date(2019, 9, 1), "九月开学安全提示"]],
    })
    got = ingest(tmp_path)
    assert got.problems == []
    assert list(zip(got.rows["sheet"], got.rows["sheet_no"], got.rows["excel_row"], got.rows["title"])) == [
        ("上半年", 0, 2, "关于春季森林防火的通告"),
        ("上半年", 0, 3, "掌起镇召开安全生产工作会议"),
        ("下半年", 1, 2, "九月开学安全提示"),
    ]


# --- header detection ------------------------------------------------------

def test_header_found_on_row_7_under_title_rows(tmp_path):
    rows = [
        ["2019年政府网站信息发布台账"],
        ["填报单位：掌起镇党政综合办公室"],
        [],
        [],
        [None, None, "（单位：条）"],
        ["填报日期：2020年1月10日"],
        LOG_HEADER,
        *ROWS[:2],
    ]
    write_xlsx(tmp_path / "website/台账.xlsx", {"2019年": rows}, merges={"2019年": ["A1:D1"]})
    result = read_one(tmp_path / "website/台账.xlsx")
    assert [(f.sheet, f.header_row) for f in result.frames] == [("2019年", 7)]
    got = ingest(tmp_path)
    assert got.problems == []
    assert items(got.rows) == [(8, *EXPECTED[0][1:]), (9, *EXPECTED[1][1:])]


def test_header_below_row_10_is_not_found(tmp_path):
    rows = [["2019年政府网站信息发布台账"], *[[] for _ in range(9)], LOG_HEADER, ROWS[0]]
    write_xlsx(tmp_path / "website/台账.xlsx", {"Sheet1": rows})
    got = ingest(tmp_path)
    assert got.rows.empty
    assert got.located() == [("error", "header_not_found", "website/台账.xlsx", "", None, "")]
    message = got.problems[0].message
    assert "前 10 行" in message and "必需列：发布日期、标题" in message and "（没有找到任何表头）" in message


def test_header_not_found_lists_required_columns_and_found_headers(tmp_path):
    write_xlsx(tmp_path / "weibo/导出.xlsx", {
        "说明": [["本表由平台导出"]],
        "数据": [["序号", "日期时间", "信息名称", "备注"], [1, D5, "某条微博", None]],
    })
    got = ingest(tmp_path)
    assert got.rows.empty
    assert got.located() == [("error", "header_not_found", "weibo/导出.xlsx", "", None, "")]
    assert "必需列：发布日期、标题；找到的表头：序号、日期时间、信息名称、备注。" in got.problems[0].message


def test_sheet_without_header_is_skipped_with_a_note_while_another_counts(tmp_path):
    write_xlsx(tmp_path / "wechat/文章.xlsx", {
        "说明": [["填表说明"], ["1. 每篇文章一行"], ["2. 日期写成 2019-03-05"]],
        "文章列表": [LOG_HEADER, *ROWS],
    })
    got = ingest(tmp_path)
    assert items(got.rows) == EXPECTED
    assert got.located() == [("note", "sheet_without_header", "wechat/文章.xlsx", "说明", None, "")]
    assert "必需列：发布日期、标题" in got.problems[0].message


# Every name and alias of inputs.md, "Publication logs".
SPEC_ALIASES = {
    "published": ["发布日期", "发布时间", "发表时间", "日期", "时间"],
    "title": ["标题", "信息标题", "标题名称", "文章标题", "内容标题", "内容", "微博内容", "微博正文"],
    "category": ["栏目", "信息类别", "类别", "分类", "公开目录"],
    "link": ["链接", "网址", "URL", "原文链接", "文章链接", "微博链接"],
}
OWN = {key: names[0] for key, names in SPEC_ALIASES.items()}
VALUES = {"published": D5, "title": "标题文字", "category": "栏目文字", "link": "http://a.gov.cn/1"}


@pytest.mark.parametrize(("key", "alias"), [(k, a) for k, names in SPEC_ALIASES.items() for a in names])
def test_every_alias_of_the_contract_matches(tmp_path, key, alias):
    header = [alias if k == key else OWN[k] for k in SPEC_ALIASES]
    write_xlsx(tmp_path / "log.xlsx", {"S": [header, list(VALUES.values())]})
    (frame,) = read_one(tmp_path / "log.xlsx").frames
    assert frame.headers == {k: (alias if k == key else OWN[k]) for k in SPEC_ALIASES}
    assert len(frame.frame) == 1 and first_row(frame.frame)[key] == VALUES[key]


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("发布日期*", "published"),
        ("标题＊", "title"),  # full-width star
        ("发 布 日 期", "published"),
        ("\u3000标题\u3000", "title"),  # ideographic spaces
        ("发布\n日期", "published"),  # wrapped header cell
        ("ＵＲＬ", "link"),  # full-width letters
        ("url", "link"),
        ("Url*", "link"),
    ],
)
def test_header_ignores_spaces_width_case_and_trailing_star(tmp_path, written, key):
    header = [written if k == key else OWN[k] for k in SPEC_ALIASES]
    write_xlsx(tmp_path / "log.xlsx", {"S": [header, list(VALUES.values())]})
    (frame,) = read_one(tmp_path / "log.xlsx").frames
    assert frame.headers[key] == written.strip()
    assert len(frame.frame) == 1 and first_row(frame.frame)[key] == VALUES[key]


def test_header_must_equal_an_alias_not_contain_it(tmp_path):
    # 收到日期 contains 日期 but is not 日期: no 发布日期 column, so no header at all.
    write_xlsx(tmp_path / "website/a.xlsx", {"S": [["收到日期", "标题"], [D5, "某条信息"]]})
    # 链接地址 / 栏目名称 contain 链接 / 栏目 but are not them: those optional columns are absent.
    write_xlsx(tmp_path / "website/b.xlsx", {"S": [["发布日期", "标题", "栏目名称", "链接地址"], [D5, "某条信息", "要闻", "http://x.cn/1"]]})
    (frame,) = read_one(tmp_path / "website/b.xlsx", "website/b.xlsx").frames
    assert frame.headers == {"published": "发布日期", "title": "标题"}
    got = ingest(tmp_path)
    assert got.located() == [("error", "header_not_found", "website/a.xlsx", "", None, "")]
    assert items(got.rows) == [(2, "2019-03-05", "某条信息", None, None)]


def test_own_name_beats_alias_then_leftmost(tmp_path):
    header = ["日期", "内容", "发布日期", "标题", "信息类别", "分类", "网址", "链接", "标题"]
    row = [D5, "内容列", D6, "标题列", "信息类别列", "分类列", "http://g.cn/1", "http://h.cn/1", "右边的标题列"]
    write_xlsx(tmp_path / "log.xlsx", {"S": [header, row]})
    (frame,) = read_one(tmp_path / "log.xlsx").frames
    # 发布日期 and 标题 are own names (标题 leftmost of two); 信息类别 is the leftmost alias; 链接 is own name.
    assert first_row(frame.frame) == {
        "published": D6, "title": "标题列", "category": "信息类别列", "link": "http://h.cn/1",
    }


def test_unknown_extra_columns_are_ignored_whatever_they_hold(tmp_path):
    header = ["序号", *LOG_HEADER, "阅读数", "点赞数"]
    # "=SUM(B2:B3)" is a formula that openpyxl saves without a cached value.
    write_xlsx(tmp_path / "weibo/导出.xlsx", {"S": [header, [1, *ROWS[0], "很多", "=SUM(B2:B3)"], [2, *ROWS[1], -1, "#N/A"]]})
    got = ingest(tmp_path)
    assert got.problems == []
    assert [r[1:] for r in items(got.rows)] == [e[1:] for e in EXPECTED[:2]]


# --- title, empty and totals rows --------------------------------------------

def test_empty_rows_and_a_prefilled_serial_number_are_not_data_rows(tmp_path):
    rows = [
        ["序号", "发布日期", "标题"],
        [1, D5, "第一条"],
        [2, None, None],  # 序号 pre-filled, nothing else
        [],
        [None, "  ", "\u3000"],  # only spaces
        [5, D6, "第二条"],
        [6],
        [7],
    ]
    write_xlsx(tmp_path / "website/台账.xlsx", {"S": rows})
    got = ingest(tmp_path)
    assert got.problems == []
    assert [(r.excel_row, r.title) for r in got.rows.itertuples()] == [(2, "第一条"), (6, "第二条")]


def test_totals_rows_are_skipped_with_a_note(tmp_path):
    rows = [
        ["序号", "发布日期", "标题"],
        [1, D5, "第一条"],
        ["合计", None, 2],
        [None, "总 计：", 2],
        [None, None, "小计:"],
        [None, None, " 合计 ： "],
        [2, D6, "合计情况说明"],  # a title that merely contains 合计 is an item
        [3, D6, "总计"],  # first non-empty cell is 3: an item titled 总计
    ]
    write_xlsx(tmp_path / "website/台账.xlsx", {"S": rows})
    got = ingest(tmp_path)
    assert [(r.excel_row, r.title) for r in got.rows.itertuples()] == [(2, "第一条"), (7, "合计情况说明"), (8, "总计")]
    assert [(p.severity, p.rule, p.file, p.sheet, p.row, p.value) for p in got.problems] == [
        ("note", "totals_row", "website/台账.xlsx", "S", 3, "合计"),
        ("note", "totals_row", "website/台账.xlsx", "S", 4, "总 计："),
        ("note", "totals_row", "website/台账.xlsx", "S", 5, "小计:"),
        ("note", "totals_row", "website/台账.xlsx", "S", 6, " 合计 ： "),
    ]


def test_every_totals_label_holds_the_character_the_fast_reader_looks_for():
    # read._fast_frame runs its totals regex only on cells holding TOTALS_MARK.
    assert read.TOTALS and all(read.TOTALS_MARK in label for label in read.TOTALS)


# --- merged cells --------------------------------------------------------------

MERGED_ROWS = [
    ["序号", "发布日期", "标题"],
    [1, D5, "三月五日第一条"],
    [2, None, "三月五日第二条"],
    [3, None, "三月五日第三条"],
    [4, D6, "三月六日第一条"],
    [5, None, "三月六日第二条"],
    [6, D7, "四月一日"],
]
MERGED_EXPECTED = [
    (2, "2019-03-05"), (3, "2019-03-05"), (4, "2019-03-05"), (5, "2019-03-06"), (6, "2019-03-06"), (7, "2019-04-01"),
]


@pytest.mark.parametrize(("name", "write"), [("log.xlsx", write_xlsx), ("log.xls", write_xls)])
def test_merged_date_applies_to_every_row_of_the_range(tmp_path, name, write):
    write(tmp_path / "website" / name, {"S": MERGED_ROWS}, merges={"S": ["B2:B4", "B5:B6"]})
    got = ingest(tmp_path)
    assert got.problems == []
    assert [(r.excel_row, f"{r.published:%Y-%m-%d}") for r in got.rows.itertuples()] == MERGED_EXPECTED


def write_ods_with_merged_dates(path):
    """MERGED_ROWS as an .ods whose date cells span rows (table:number-rows-spanned), as LibreOffice saves a merge."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    spans = {2: 3, 5: 2}  # Excel row of the top cell → rows merged
    covered = {3, 4, 6}
    doc = OpenDocumentSpreadsheet()
    table = Table(name="S")
    for excel_row, values in enumerate(MERGED_ROWS, start=1):
        tr = TableRow()
        for col, value in enumerate(values):
            if col == 1 and excel_row in covered:
                tr.addElement(CoveredTableCell())
                continue
            if isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat(), numberrowsspanned=spans.get(excel_row, 1))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def test_ods_merged_dates_are_not_seen_so_covered_rows_are_errors(tmp_path):
    """Known limitation: python-calamine 0.9.1 reports no merged ranges for .ods files.

    The rows under a merged date therefore have an empty 发布日期: each is a located
    required_missing error (never a silently wrong date or a lost row), and the clerk
    fills the date in or saves the file as .xlsx, where merges are applied.
    """
    write_ods_with_merged_dates(tmp_path / "website/log.ods")
    got = ingest(tmp_path)
    assert [(r.excel_row, f"{r.published:%Y-%m-%d}") for r in got.rows.itertuples()] == [(2, "2019-03-05"), (5, "2019-03-06"), (7, "2019-04-01")]
    assert got.located() == [("error", "required_missing", "website/log.ods", "S", row, "发布日期") for row in (3, 4, 6)]


# --- wrong folder and unreadable files -------------------------------------------

def test_register_dropped_into_a_channel_folder_names_its_folder(tmp_path):
    write_xlsx(tmp_path / "website/依申请公开登记台账.xlsx", {
        "2019": [["依申请公开登记台账"], ["申请编号", "收到日期", "申请人类型", "答复日期", "办理结果"], ["ZQ2019-001", D5, "公民", D6, "予以公开"]],
    })
    write_xlsx(tmp_path / "website/台账.xlsx", {"S": [LOG_HEADER, ROWS[0]]})
    got = ingest(tmp_path)
    assert got.located() == [("error", "wrong_folder", "website/依申请公开登记台账.xlsx", "2019", None, "")]
    assert got.problems[0].message == "这是依申请公开登记台账，不是发布记录，放错了文件夹。请把它移到 applications/ 文件夹。"
    assert items(got.rows) == [EXPECTED[0]]


def test_publication_log_dropped_into_a_register_folder_says_channel_folder(tmp_path):
    write_xlsx(tmp_path / "documents/微博.xlsx", {"S": [LOG_HEADER, ROWS[0]]})
    got = ingest(tmp_path)
    assert got.located() == [("error", "wrong_folder", "documents/微博.xlsx", "S", None, "")]
    assert got.problems[0].message == "这是发布记录，不是规章、规范性文件目录，放错了文件夹。请把它移到 对应渠道的（如 website/、weibo/、wechat/） 文件夹。"


def test_damaged_file_is_an_error_and_the_other_files_are_read(tmp_path):
    (tmp_path / "website").mkdir()
    (tmp_path / "website/坏文件.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    write_csv(tmp_path / "website/好文件.csv", [LOG_HEADER, TEXT_ROWS[0]])
    got = ingest(tmp_path)
    assert got.located() == [("error", "unreadable_file", "website/坏文件.xlsx", "", None, "")]
    assert "另存为 .xlsx" in got.problems[0].message
    assert [(r.file, r.title) for r in got.rows.itertuples()] == [("website/好文件.csv", "关于春季森林防火的通告")]
