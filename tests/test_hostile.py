"""Hostile and broken input files: each ends in a located problem, never a traceback, never stops the other files.

The files are built here: damaged and truncated archives, a workbook encrypted with
msoffcrypto, entity and decompression bombs, sheets past Excel's limits (which make
calamine abort the process), formulas saved without a value, macros and external parts.
The end-to-end tests run the real command in a child process.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from conftest import LOG_HEADER, cells, ingest, make_project, write_csv, write_xlsx

from pipeline import guard, kinds, read, workers
from pipeline.discover import FileEntry
from pipeline.guard import Limits
from pipeline.load import FileResult
from pipeline.problems import Problem

POSIX = pytest.mark.skipif(os.name == "nt", reason="signals, RLIMIT_AS and forkserver are POSIX only (docs/robustness.md)")
GOOD_ROWS = [["2019-03-05", "关于春季森林防火的通告"], ["2019-03-06", "掌起镇召开安全生产工作会议"], ["2019-04-01", "四月份重点工作安排"]]
SHEET = "xl/worksheets/sheet1.xml"


# --- building hostile files -------------------------------------------------


def log_workbook(path: Path, rows=GOOD_ROWS) -> Path:
    return write_xlsx(path, {"发布记录": [LOG_HEADER[:2], *rows]})


def rewrite(path: Path, edit, name: str = SHEET, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Replace one part of a workbook with edit(its text)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression) as zout:
        for filename, data in parts:
            zout.writestr(filename, edit(data.decode()).encode() if filename == name else data)
    return path


def add_parts(path: Path, extra: dict[str, bytes], content_types: str = "") -> Path:
    """Add parts to a workbook (macros, external links, embedded objects) and their content types."""
    rewrite(path, lambda xml: xml.replace("</Types>", content_types + "</Types>"), name="[Content_Types].xml")
    with zipfile.ZipFile(path, "a") as z:
        for name, data in extra.items():
            z.writestr(name, data)
    return path


def with_rows(xml: str, rows: str, dimension: str | None = None) -> str:
    """The sheet with `rows` appended to its data, and its <dimension> replaced (None: removed)."""
    xml = re.sub(r"<dimension [^>]*/>", f'<dimension ref="{dimension}"/>' if dimension else "", xml)
    return xml.replace("</sheetData>", rows + "</sheetData>")


def with_doctype(xml: str, dtd: str) -> str:
    """The part with a DOCTYPE before its root element (after the XML declaration, if any)."""
    head, decl, rest = xml.partition("?>") if xml.startswith("<?xml") else ("", "", xml)
    return head + decl + dtd + rest


def laughs(xml: str) -> str:
    """The classic billion laughs: ten levels of ten references, used in a cell."""
    dtd = '<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
    return with_rows(with_doctype(xml, dtd), '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>', "A1:B9")


def encrypted(path: Path, source: Path) -> Path:
    """`source` encrypted with a password by msoffcrypto, as Excel's 用密码进行加密 does."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as f, open(path, "wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    return path


def bomb(path: Path, inflated_mb: int) -> Path:
    """A workbook whose sheet inflates to `inflated_mb` MB of identical rows (about 270:1), written in a stream."""
    log_workbook(path)
    with zipfile.ZipFile(path) as zin:
        parts = [(i.filename, zin.read(i.filename)) for i in zin.infolist() if i.filename != SHEET]
    row = b"<row>" + b"<c><v>1</v></c>" * 6 + b"</row>"
    block = row * (io.DEFAULT_BUFFER_SIZE * 16 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts:
            zout.writestr(name, data)
        with zout.open(SHEET, "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:F2"/><sheetData>')
            for _ in range(inflated_mb * (1 << 20) // len(block) + 1):
                f.write(block)
            f.write(b"</sheetData></worksheet>")
    return path


def _local_header(data: bytes, name: str) -> int:
    at = data.find(b"PK\x03\x04")
    while data[at + 30: at + 30 + len(name.encode())] != name.encode():
        at = data.find(b"PK\x03\x04", at + 4)
    return at


def lie_about_size(path: Path, name: str = SHEET) -> Path:
    """Patch the declared inflated size of one part to 100 bytes, in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    local = _local_header(data, name)
    data[local + 22: local + 26] = (100).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while data[central + 46: central + 46 + len(name.encode())] != name.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24: central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def spoil_deflate(path: Path, name: str = SHEET) -> Path:
    """Overwrite part of one entry's compressed bytes, as a bad disk sector or a broken download would."""
    data = bytearray(path.read_bytes())
    local = _local_header(data, name)
    start = local + 30 + int.from_bytes(data[local + 26: local + 28], "little") + int.from_bytes(data[local + 28: local + 30], "little")
    data[start + 20: start + 60] = b"\xff" * 40
    path.write_bytes(bytes(data))
    return path


def bare_far_cells(xml: str) -> str:
    """A last row at 1,048,576 whose 16,384 cells carry no position: calamine counts them and aborts (SIGABRT)."""
    return with_rows(xml, '<row r="1048576">' + '<c t="n"><v>1</v></c>' * 16384 + "</row>")


def sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


# --- end to end: every hostile file in one raw folder ------------------------

# file under website/ → (rule, sheet, row, column, a phrase of the message)
EXPECTED = {
    "截断.xlsx": ("unreadable_file", "", "", "", "损坏或不完整"),
    "压缩数据损坏.xlsx": ("unreadable_file", "", "", "", "损坏或不完整"),
    "不是表格.xlsx": ("unreadable_file", "", "", "", "损坏或不完整"),
    "加密.xlsx": ("password_protected", "", "", "", "清空密码后保存"),
    "空文件.xlsx": ("empty_file", "", "", "", "0 字节"),
    "空文件.csv": ("empty_file", "", "", "", "0 字节"),
    "空工作簿.xlsx": ("empty_workbook", "", "", "", "所有工作表都是空的"),
    "实体炸弹.xlsx": ("xml_entities", "", "", "", "实体炸弹"),
    "压缩比炸弹.xlsx": ("compression_ratio", "", "", "", "上限 100:1"),
    "解压炸弹.xlsx": ("unpacked_too_large", "", "", "", "超过上限 300 MB"),
    "声明范围过大.xlsx": ("sheet_too_large", "发布记录", "", "", "A1:XFD1048576"),
    "声明范围超出上限.xlsx": ("sheet_too_large", "发布记录", "", "", "超出 Excel 的上限"),
    "远端单元格.xlsx": ("sheet_too_large", "发布记录", "", "", "第 1,048,576 行、第 16,384 列"),
    "无位置单元格.xlsx": ("reader_failed", "", "", "", "SIGABRT"),
    "超大文件.csv": ("file_too_large", "", "", "", "超过上限 200 MB"),
    "超长字段.csv": ("unreadable_file", "", "", "", "CSV 文件第 2 行格式有误（单元格内容过长"),
    "公式无结果.xlsx": ("formula_without_value", "发布记录", "3", "发布日期", "没有保存它的计算结果"),
    "申请台账放错.xlsx": ("wrong_folder", "登记", "", "", "applications/"),
}


def build_hostile_folder(raw: Path) -> None:
    web = raw / "website"
    log_workbook(web / "正常.xlsx")
    good = log_workbook(raw.parent / "source.xlsx")
    data = good.read_bytes()
    (web / "截断.xlsx").write_bytes(data[: len(data) // 2])
    spoil_deflate(log_workbook(web / "压缩数据损坏.xlsx"))
    (web / "不是表格.xlsx").write_text("<html><body>这是网页，不是表格</body></html>", encoding="utf-8")
    encrypted(web / "加密.xlsx", good)
    (web / "空文件.xlsx").write_bytes(b"")
    (web / "空文件.csv").write_bytes(b"")
    write_xlsx(web / "空工作簿.xlsx", {"Sheet1": []})
    rewrite(log_workbook(web / "实体炸弹.xlsx"), laughs)
    bomb(web / "压缩比炸弹.xlsx", 12)
    bomb(web / "解压炸弹.xlsx", 310)
    rewrite(log_workbook(web / "声明范围过大.xlsx"), lambda x: with_rows(x, "", "A1:XFD1048576"))
    rewrite(log_workbook(web / "声明范围超出上限.xlsx"), lambda x: with_rows(x, "", "A1:B1048577"))
    rewrite(log_workbook(web / "远端单元格.xlsx"), lambda x: with_rows(x, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'))
    rewrite(log_workbook(web / "无位置单元格.xlsx"), bare_far_cells)
    sparse(web / "超大文件.csv", 201 * guard.MB)
    write_csv(web / "超长字段.csv", [LOG_HEADER[:2], ["2019-05-03", "长" * 200_000]])
    write_xlsx(web / "公式无结果.xlsx", {"发布记录": [
        ["发布日期", "标题", "备注"],
        ["2019-05-01", "五一假期安全提示", "=A2&B2"],  # a formula in an unknown column is no error
        ["=TODAY()", "日期是公式的一行"],
        ["2019-05-02", "五月工作安排"],
    ]})
    write_xlsx(web / "申请台账放错.xlsx", {"登记": [["申请编号", "收到日期", "申请人类型"], ["2019-001", "2019-03-01", "自然人"]]})


@POSIX
def test_hostile_files_each_end_in_a_located_error_and_the_rest_still_counts(tmp_path):
    project = make_project(tmp_path)
    build_hostile_folder(project.raw)
    done = project.subprocess("run")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    problems = project.problems()
    errors = problems[problems["severity"] == "error"]
    got = {r.file.removeprefix("website/"): (r.rule, r.sheet, r.row, r.column) for r in errors.itertuples()}
    assert got == {name: want[:4] for name, want in EXPECTED.items()}
    assert len(errors) == len(EXPECTED)
    for r in errors.itertuples():
        assert EXPECTED[r.file.removeprefix("website/")][4] in r.message
    formula = errors[errors["rule"] == "formula_without_value"].iloc[0]
    assert formula["value"] == "'=TODAY()"  # quoted from the file, written so that no spreadsheet runs it
    # 正常.xlsx (3 items) and the two good rows of 公式无结果.xlsx count; every other file adds nothing.
    assert cells(project.tables(2019))[("website", "count")] == 5


def test_password_message_says_how_to_remove_it(tmp_path):
    source = log_workbook(tmp_path / "source.xlsx")
    result = read.read_file(encrypted(tmp_path / "加密.xlsx", source), "website/加密.xlsx", kinds.PUBLICATION)
    [problem] = result.problems
    assert (problem.rule, problem.file) == ("password_protected", "website/加密.xlsx")
    assert "用密码进行加密" in problem.message and "文档加密" in problem.message  # Excel's and WPS's menus
    assert result.frames == []


# --- guard: sizes, bombs, extents ---------------------------------------------


def guard_rule(path: Path, limits: Limits = Limits()) -> tuple[str, str]:
    with pytest.raises(guard.FileError) as caught:
        guard.check(path, limits)
    return caught.value.rule, caught.value.sheet


def test_declared_size_over_the_cap_is_refused_before_inflating(tmp_path):
    assert guard_rule(bomb(tmp_path / "b.xlsx", 3), Limits(unpacked_mb=2)) == ("unpacked_too_large", "")


def test_a_part_that_inflates_past_its_declared_size_is_stopped_at_the_cap(tmp_path):
    path = lie_about_size(bomb(tmp_path / "b.xlsx", 3))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size == 100  # the zip claims almost nothing
    with pytest.raises(guard.FileError) as caught:
        guard.check(path, Limits(unpacked_mb=2))
    assert caught.value.rule == "unpacked_too_large"
    assert "与文件声明的大小不符" in caught.value.message


GUARD_CHILD = """
import sys
from pathlib import Path
from pipeline import guard
for name in sys.argv[1:]:
    try:
        guard.check(Path(name), guard.Limits())
        print(name, "passed")
    except guard.FileError as exc:
        print(name, exc.rule)
"""


@POSIX
def test_bombs_are_refused_in_bounded_memory_and_time(tmp_path):
    # The guard runs in a child limited to 256 MB of address space and 120 s: a bomb that
    # inflates to 310 MB while claiming 100 bytes, the billion laughs, and sheets of 17 billion
    # cells must all be refused within that, or the child dies and the test fails.
    import resource
    import subprocess
    import sys

    files = {
        "lie.xlsx": lie_about_size(bomb(tmp_path / "lie.xlsx", 310)),
        "laughs.xlsx": rewrite(log_workbook(tmp_path / "laughs.xlsx"), laughs),
        "dimension.xlsx": rewrite(log_workbook(tmp_path / "dimension.xlsx"), lambda x: with_rows(x, "", "A1:XFD1048576")),
        "far.xlsx": rewrite(log_workbook(tmp_path / "far.xlsx"), lambda x: with_rows(x, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')),
    }

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))

    done = subprocess.run([sys.executable, "-c", GUARD_CHILD, *map(str, files.values())], capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert done.returncode == 0, done.stderr
    assert dict(line.rsplit(" ", 1) for line in done.stdout.splitlines()) == {
        str(files["lie.xlsx"]): "unpacked_too_large",
        str(files["laughs.xlsx"]): "xml_entities",
        str(files["dimension.xlsx"]): "sheet_too_large",
        str(files["far.xlsx"]): "sheet_too_large",
    }


def test_well_compressed_small_sheets_are_not_bombs(tmp_path):
    # Under 10 MB inflated a high ratio is harmless: an almost empty sheet compresses extremely well.
    path = bomb(tmp_path / "b.xlsx", 5)
    assert guard.check(path, Limits()).uncached == {}


@pytest.mark.parametrize(("rows", "dimension", "refused"), [
    ("", "A1:XFD1048576", True),  # within Excel's limits, but 17 billion cells
    ("", "A1:XFE1", True),  # column 16,385
    ("", "A1:A1048577", True),  # row 1,048,577
    ("", "A1:Z1048576", False),  # 27 million cells: a full-height sheet of 26 columns is allowed
    ('<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', None, False),  # 16,384 × 2
    ('<row r="3000"><c r="ZZ3000" t="inlineStr"><is><t>x</t></is></c></row>', None, False),
    ('<row r="1048576"><c r="XFD1048576" s="1"/></row>', None, False),  # formatted only: calamine skips it
    ('<row r="2"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>', None, True),  # far cell in a near row
    ('<row r="2"><c s="0" r="AAAA2" t="inlineStr"><is><t>x</t></is></c></row>', None, True),  # position not first
])
def test_sheet_extent(tmp_path, rows, dimension, refused):
    path = rewrite(log_workbook(tmp_path / "s.xlsx"), lambda x: with_rows(x, rows, dimension))
    if refused:
        assert guard_rule(path) == ("sheet_too_large", "发布记录")
    else:
        guard.check(path, Limits())


def test_entities_anywhere_in_the_workbook_are_refused(tmp_path):
    # Not only the sheet: calamine also parses the shared strings, styles and workbook parts.
    path = rewrite(log_workbook(tmp_path / "s.xlsx"), lambda x: with_doctype(x, '<!DOCTYPE x [<!ENTITY a "b">]>'), name="xl/styles.xml")
    assert guard_rule(path) == ("xml_entities", "")


def test_utf16_parts_are_refused(tmp_path):
    # The scans look for ASCII tags; a UTF-16 part would slip past them.
    path = log_workbook(tmp_path / "s.xlsx")
    with zipfile.ZipFile(path) as zin:
        parts = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts:
            zout.writestr(name, ('<?xml version="1.0" encoding="UTF-16"?>' + data.decode()).encode("utf-16") if name == SHEET else data)
    assert guard_rule(path) == ("unreadable_file", "")


def test_files_over_the_size_cap_are_refused_unread(tmp_path):
    assert guard_rule(sparse(tmp_path / "big.xlsx", 3 * guard.MB), Limits(file_mb=2)) == ("file_too_large", "")


# --- formulas without a cached value --------------------------------------------


def test_formula_without_value_is_an_error_for_its_row_only(tmp_path):
    write_xlsx(tmp_path / "website/f.xlsx", {"发布记录": [
        ["发布日期", "标题", "阅读数"],
        ["2019-05-01", "有结果的行", "=1+1"],
        ["2019-05-02", "=B2&\"（续）\""],
        ["2019-05-04", "有值的行"],
        ["=DATE(2019,5,3)", "=B2"],  # only formulas without a value: beyond the range calamine returns
    ]})
    got = ingest(tmp_path)
    assert sorted((p.rule, p.row, p.column, p.value) for p in got.problems) == [
        ("formula_without_value", 3, "标题", '=B2&"（续）"'),
        ("formula_without_value", 5, "发布日期", "=DATE(2019,5,3)"),
        ("formula_without_value", 5, "标题", "=B2"),
    ]
    assert list(got.rows["title"]) == ["有结果的行", "有值的行"]


def test_formula_with_a_cached_empty_text_result_is_a_value(tmp_path):
    # Excel saves =IF(A2="","",A2) that came out empty as t="str" with an empty <v>: a value, not a missing one.
    path = rewrite(log_workbook(tmp_path / "s.xlsx"), lambda x: with_rows(x, '<row r="5"><c r="A5" t="str"><f>IF(1,"","")</f><v></v></c><c r="B5" t="inlineStr"><is><t>标题</t></is></c></row>'))
    assert guard.check(path, Limits()).uncached == {"发布记录": []}


# --- macros, external links and embedded objects are never followed ---------------


def test_xlsm_with_macros_external_links_and_embedded_objects_reads_as_data(tmp_path):
    path = add_parts(
        log_workbook(tmp_path / "website/宏.xlsm"),
        {
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + os.urandom(2000),
            "xl/externalLinks/externalLink1.xml": b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook/></externalLink>',
            "xl/externalLinks/_rels/externalLink1.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="file:///C:/secret/other.xlsx" TargetMode="External"/></Relationships>',
            "xl/embeddings/oleObject1.bin": os.urandom(3000),
        },
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    got = ingest(tmp_path)
    assert got.problems == []
    assert list(got.rows["title"]) == [r[1] for r in GOOD_ROWS]


# --- worker processes -------------------------------------------------------------


def _entries(tmp_path: Path, n: int) -> list[FileEntry]:
    return [FileEntry(tmp_path / f"{i}.xlsx", f"website/{i}.xlsx", "publication", "website", 1, str(i)) for i in range(n)]


def work_ok(entry, limits) -> FileResult:
    return FileResult(entry, None, 0, [Problem("note", "ok", "读取完成", file=entry.rel)])


def work_by_name(entry, limits) -> FileResult:
    """File 1 aborts the process, 2 runs out of memory, 3 never ends, 4 raises; the others succeed."""
    kind = entry.rel.split("/")[1].split(".")[0]
    if kind == "1":
        os.abort()
    if kind == "2":
        bytearray(8 << 30)  # 8 GiB: beyond the worker's address-space limit
    if kind == "3":
        import time

        time.sleep(600)
    if kind == "4":
        raise ValueError("坏数据")
    return work_ok(entry, limits)


@POSIX
def test_a_crashing_worker_is_one_files_error(tmp_path):
    entries = _entries(tmp_path, 6)
    done = []
    results = workers.parse_all(entries, Limits(worker_timeout_s=10, worker_memory_mb=512, workers=3), tmp_path, on_done=done.append, work=work_by_name)
    assert [r.entry.rel for r in results] == [e.rel for e in entries]  # in entry order, whatever the finishing order
    assert sorted(r.entry.rel for r in done) == sorted(e.rel for e in entries)
    rules = [[p.rule for p in r.problems] for r in results]
    assert rules == [["ok"], ["reader_failed"], ["reader_failed"], ["reader_failed"], ["reader_failed"], ["ok"]]
    messages = [r.problems[0].message for r in results]
    assert "信号 SIGABRT" in messages[1]
    assert "超过 512 MB 内存限制" in messages[2] or "SIGABRT" in messages[2]
    assert "超过 10 秒时间限制" in messages[3]
    assert "ValueError: 坏数据" in messages[4]
    assert all(m.startswith("读取该文件时超出内存/时间限制或读取程序异常退出") for m in messages[1:5])
    assert all(r.rows is None for r in results[1:5])
    assert list(tmp_path.iterdir()) == []  # the workers' logs are gone


@POSIX
def test_the_memory_limit_applies_inside_the_worker(tmp_path):
    [result] = workers.parse_all(_entries(tmp_path, 3)[2:], Limits(worker_memory_mb=256), tmp_path, work=work_by_name)
    assert result.problems[0].message.count("超过 256 MB 内存限制") == 1


def test_worker_count_stays_within_cores_and_memory():
    cores = os.cpu_count() or 1
    assert workers.worker_count(Limits(), 100) <= cores
    assert workers.worker_count(Limits(), 1) == 1
    assert workers.worker_count(Limits(workers=64, worker_memory_mb=1), 100) == 64
    assert workers.worker_count(Limits(worker_memory_mb=1 << 30), 100) == 1  # a 1 PB budget: one at a time


@POSIX
def test_memory_and_time_limits_from_pipeline_toml(tmp_path):
    project = make_project(tmp_path)
    with open(project.config, "a", encoding="utf-8") as f:
        f.write("\n[limits]\nworker_memory_mb = 100\n")
    log_workbook(project.raw / "website/正常.xlsx")
    # 26 × 500,000 cells passes the guard, but calamine needs 416 MB for it: its allocation fails and it aborts.
    rewrite(log_workbook(project.raw / "website/大表.xlsx"), lambda x: with_rows(x, '<row r="500000"><c r="Z500000" t="inlineStr"><is><t>x</t></is></c></row>'))
    done = project.subprocess("run")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    errors = project.problems().query("severity == 'error'")
    assert list(zip(errors["file"], errors["rule"])) == [("website/大表.xlsx", "reader_failed")]
    assert "memory allocation of 416000000 bytes failed" in errors["message"].iloc[0]
    assert cells(project.tables(2019))[("website", "count")] == 3

    project.config.write_text(project.config.read_text(encoding="utf-8").replace("worker_memory_mb = 100", "worker_timeout_s = 0.001"), encoding="utf-8")
    (project.raw / "website/大表.xlsx").unlink()
    log_workbook(project.raw / "website/另一个.xlsx", [["2019-06-01", "六月"]])
    done = project.subprocess("run")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    errors = project.problems().query("severity == 'error'")
    assert list(zip(errors["file"], errors["rule"])) == [("website/另一个.xlsx", "reader_failed")]
    assert "超过 0.001 秒时间限制" in errors["message"].iloc[0]
    assert cells(project.tables(2019))[("website", "count")] == 3  # 正常.xlsx, unchanged, keeps its rows


def test_warehouse_memory_cap_too_small_is_a_chinese_message_and_keeps_the_warehouse(tmp_path):
    project = make_project(tmp_path)
    log_workbook(project.raw / "website/正常.xlsx")
    assert project.subprocess("run").returncode == 0
    with open(project.config, "a", encoding="utf-8") as f:
        f.write("\n[limits]\nwarehouse_memory_mb = 1\n")
    log_workbook(project.raw / "website/另一个.xlsx", [["2019-06-01", "六月"]])
    done = project.subprocess("run")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "数据仓库（DuckDB）处理时超出内存上限 1 MB" in done.stderr
    assert "调高 warehouse_memory_mb" in done.stderr
    assert cells(project.tables(2019))[("website", "count")] == 3  # the last complete run's tables, untouched

    project.config.write_text(project.config.read_text(encoding="utf-8").replace("warehouse_memory_mb = 1", "warehouse_memory_mb = 64"), encoding="utf-8")
    assert project.subprocess("run").returncode == 0
    assert cells(project.tables(2019))[("website", "count")] == 4
