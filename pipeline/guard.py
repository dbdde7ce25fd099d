"""Checks a file must pass before a reader sees it: size, zip bombs, XML entities, sheet extents.

calamine inflates whatever a workbook's zip holds and aborts the whole process
(SIGABRT, which Python cannot catch) when a sheet spans more cells than memory
can hold, so such files are refused here with a Chinese message first. The scan
also finds formula cells saved without a computed value, which calamine reads
as empty. What a cheap scan cannot see is caught by the worker process limits
of pipeline.workers. The limits are documented in docs/robustness.md.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

MB = 1 << 20
EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384
# A1 to a sheet's far corner: a million rows of 47 columns still fits; A1:XFD1048576 does not.
SHEET_CELLS = 50_000_000
# Below this many inflated MB a high ratio is harmless (a nearly empty sheet compresses very well).
RATIO_FROM_MB = 10
ZIP_TYPES = (".xlsx", ".xlsm", ".ods")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .xlsx is an OLE file; calamine reports its password
_CHUNK = 1 << 20

_ENTITIES = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
# The position of a cell outside A1:Z99999 that is not self-closing (<c r="B2" s="1"/> holds no value).
# Cells inside that range cannot make a sheet too large, and skipping them keeps the scan fast.
_FAR_CELL = re.compile(rb' r="([A-Za-z]{2,}|[A-Za-z](?=[0-9]{6}))([0-9]+)"[^>]*(?<!/)>')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_REF = re.compile(r"\$?([A-Za-z]+)\$?([0-9]+)")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# For the fast reader's layout (read.py): merged ranges, rows, cells and whether a cell holds a value.
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Za-z]+)([0-9]+)(?::([A-Za-z]+)([0-9]+))?"')
_ROW_XML = re.compile(rb"<(?:\w+:)?row\b[^>]*>(.*?)</(?:\w+:)?row>", re.DOTALL)
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_VALUE_TAG = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
_CELL_POS = re.compile(rb'\sr="([A-Za-z]+)([0-9]+)"')
HEAD_BYTES = 4 * MB  # how far into a sheet the first row holding a value is sought

DAMAGED = "文件已损坏或不完整（可能没有复制或下载完整），无法读取。请用 Excel/WPS 打开后重新另存为 .xlsx；打不开时请向发送方重新索取文件。"


@dataclass(frozen=True)
class Limits:
    """The documented caps; pipeline.toml [limits] may change them (docs/robustness.md)."""

    file_mb: float = 200  # size of one input file
    unpacked_mb: float = 300  # XML inside one workbook, inflated
    ratio: float = 100  # inflated : compressed, for that XML
    worker_memory_mb: float = 4096  # address space a reader process may add (POSIX)
    worker_timeout_s: float = 300  # wall time to read one file
    workers: int = 0  # reader processes at once; 0: one per CPU core
    warehouse_memory_mb: float = 128  # memory DuckDB may hold while loading and querying; beyond it, it works from disk


class FileError(Exception):
    """The file as a whole cannot be read; `rule` and the Chinese message go to the problems report."""

    def __init__(self, rule: str, message: str, sheet: str = ""):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.sheet = sheet


@dataclass
class Layout:
    """Where a worksheet's values sit (0-based), for the fast reader: the first row holding a value, the
    columns that hold one in it, and the merged ranges as ((row, col), (last row, last col))."""

    first_row: int | None = None  # None: no cell holds a value
    first_cols: set[int] = field(default_factory=set)
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


@dataclass
class Checked:
    """What the reader must know: per sheet name, the formula cells saved without a value (row, col 0-based, formula),
    and the layout of each worksheet whose layout the scan could tell (read.py reads the others exactly)."""

    uncached: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    layouts: dict[str, Layout] = field(default_factory=dict)


def check(path: Path, limits: Limits) -> Checked:
    """Refuse the file (FileError) when reading it could exhaust the machine or would mislead."""
    size = path.stat().st_size
    if size == 0:
        raise FileError("empty_file", "文件是空的（0 字节），没有任何内容。可能保存或复制时出错：请重新保存或重新复制该文件；如不需要，请删除。")
    if size > limits.file_mb * MB:
        raise FileError("file_too_large", f"文件大小 {size / MB:.0f} MB，超过上限 {limits.file_mb:g} MB，未读取。请删除无关的工作表、图片和多余的空行空列后另存，或按年度拆分成几个文件；确需处理更大的文件时，请管理员调高 pipeline.toml 中 [limits] 的 file_mb。")
    if path.suffix.lower() not in ZIP_TYPES:
        return Checked()
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic in _ZIP_MAGIC:
        return _check_zip(path, limits)
    if magic == _OLE_MAGIC:
        return Checked()
    raise FileError("unreadable_file", DAMAGED)


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _check_zip(path: Path, limits: Limits) -> Checked:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileError("unreadable_file", DAMAGED) from None
    with zf, open(path, "rb") as raw:
        parts = [i for i in zf.infolist() if _is_xml(i.filename)]
        budget = _Budget(limits)
        budget.declare(parts)
        by_name = {i.filename: i for i in parts}
        # The workbook and its relationships name the sheets; they pass the entity check before being parsed.
        head = {n: b"".join(_Part(raw, by_name[n], budget).chunks()) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") if n in by_name}
        names = _sheet_names(head)
        result = Checked()
        for info in parts:
            if info.filename in head:
                continue
            part = _Part(raw, info, budget)
            if info.filename not in names and not _SHEET_PART.fullmatch(info.filename):
                part.drain()
                continue
            name = names.get(info.filename, info.filename)
            formulas, layout = _scan_sheet(part, name)
            if formulas:
                result.uncached[name] = _uncached_formulas(_Part(raw, info, budget, recount=False), name)
            if layout is not None:
                result.layouts[name] = layout
        budget.check_ratio()
    return result


class _Budget:
    """Inflated bytes of a workbook's XML, against the size and ratio caps."""

    def __init__(self, limits: Limits):
        self.cap = limits.unpacked_mb * MB
        self.limits = limits
        self.inflated = 0
        self.compressed = 0

    def declare(self, parts: list[zipfile.ZipInfo]) -> None:
        declared = sum(i.file_size for i in parts)
        if declared > self.cap:
            raise self._too_large(declared)

    def add(self, n: int) -> None:
        self.inflated += n
        if self.inflated > self.cap:  # the sizes a zip declares can lie; the inflated bytes cannot
            raise self._too_large(self.inflated, counted=True)

    def check_ratio(self) -> None:
        if self.inflated > RATIO_FROM_MB * MB and self.inflated > self.limits.ratio * max(self.compressed, 1):
            raise FileError("compression_ratio", f"文件中的表格数据压缩比异常（{self.inflated / max(self.compressed, 1):.0f}:1，上限 {self.limits.ratio:g}:1），疑似“压缩炸弹”，未读取。正常导出的表格不会这样：请用 Excel/WPS 打开后另存为新文件，或向发送方重新索取。")

    def _too_large(self, size: int, counted: bool = False) -> FileError:
        what = f"解压后超过上限 {self.limits.unpacked_mb:g} MB（与文件声明的大小不符）" if counted else f"解压后为 {size / MB:,.0f} MB，超过上限 {self.limits.unpacked_mb:g} MB"
        return FileError("unpacked_too_large", f"文件中的表格数据{what}，疑似“压缩炸弹”或异常庞大的表格，未读取。请删除多余的空行空列和无关工作表后另存，或按年度拆分成几个文件；确需处理更大的文件时，请管理员调高 pipeline.toml 中 [limits] 的 unpacked_mb。")


class _Part:
    """One zip entry inflated in bounded chunks straight from its compressed bytes, with the entity check."""

    def __init__(self, raw, info: zipfile.ZipInfo, budget: _Budget, recount: bool = True):
        self.raw, self.info, self.budget, self.recount = raw, info, budget, recount

    def chunks(self):
        """Inflated bytes cut before a '<', so that no tag straddles two chunks."""
        held: list[bytes] = []  # bytes since the last '<'
        for piece in self._inflate():
            cut = piece.rfind(b"<")
            if cut == -1:
                held.append(piece)
                continue
            block = b"".join([*held, piece[:cut]])
            held = [piece[cut:]]
            yield _no_entities(block)
        yield _no_entities(b"".join(held))

    def drain(self) -> None:
        for _ in self.chunks():
            pass

    def _inflate(self):
        info = self.info
        if info.flag_bits & 0x1:
            raise FileError("password_protected", PASSWORD)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileError("unreadable_file", DAMAGED)
        self.raw.seek(info.header_offset)
        header = self.raw.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise FileError("unreadable_file", DAMAGED)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        self.raw.seek(info.header_offset + 30 + name_len + extra_len)
        if self.recount:
            self.budget.compressed += info.compress_size
        inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
        left, pending, first = info.compress_size, b"", True
        while True:
            if not pending and left:
                pending = self.raw.read(min(_CHUNK, left))
                if not pending:
                    raise FileError("unreadable_file", DAMAGED)
                left -= len(pending)
            try:
                # max_length bounds each step's output, however much one compressed chunk inflates to
                out, pending = (inflater.decompress(pending, _CHUNK), inflater.unconsumed_tail) if inflater else (pending, b"")
            except zlib.error:
                raise FileError("unreadable_file", DAMAGED) from None
            if first and out:
                _check_encoding(out)
                first = False
            yield self._count(out)
            if not pending and not left and (inflater is None or inflater.eof or not out):
                break
        if inflater and not inflater.eof:
            raise FileError("unreadable_file", DAMAGED)

    def _count(self, out: bytes) -> bytes:
        if self.recount:
            self.budget.add(len(out))
        return out


ENTITIES = "文件内部声明了 XML 实体（DOCTYPE/ENTITY），这是 Excel/WPS 从不生成的内容，可能是恶意构造的“实体炸弹”，未读取。请向发送方重新索取由 Excel/WPS 正常保存的文件。"


def _no_entities(block: bytes) -> bytes:
    # "!" is rare in XML and found at memchr speed; "<" is in every tag, so searching "<!" first is 20x slower.
    if b"!" in block and b"<!" in block and _ENTITIES.search(block):
        raise FileError("xml_entities", ENTITIES)
    return block


PASSWORD = "工作簿设有打开密码，无法读取。请在 Excel 中打开（需输入密码），点击“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码后保存；WPS 中为“文件 → 文档加密 → 密码加密”，删除打开密码后保存。然后把文件放回此处。"


def _check_encoding(start: bytes) -> None:
    """The byte patterns above assume ASCII-compatible XML; Excel and WPS always write UTF-8."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:64]:
        raise FileError("unreadable_file", "文件内部的 XML 不是 UTF-8 编码（Excel/WPS 从不这样保存），无法安全读取。请用 Excel/WPS 打开后另存为 .xlsx。")


def _sheet_names(head: dict[str, bytes]) -> dict[str, str]:
    """Worksheet part path → sheet name, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(head["xl/workbook.xml"])
        rels = ElementTree.fromstring(head["xl/_rels/workbook.xml.rels"])
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
    names = {}
    for el in book.iter():
        if el.tag.rpartition("}")[2] == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), None)
            if rid in targets:
                names[targets[rid]] = el.get("name", "")
    return names


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _scan_sheet(part: _Part, name: str) -> tuple[bool, Layout | None]:
    """Check the declared and the actual extent of one sheet; whether it holds formulas, and its layout."""
    far_row = far_col = 0
    formulas = in_data = False
    layout = _LayoutScan()
    for block in part.chunks():
        layout.feed(block)
        if not in_data:  # <dimension> comes before <sheetData>
            dim = _DIMENSION.search(block)
            ref = dim.group(1).decode("ascii", "replace") if dim else ""
            if end := _REF.fullmatch(ref.rpartition(":")[2]):  # an unreadable ref is calamine's to ignore
                _check_extent(name, int(end.group(2)), _col_number(end.group(1)), f"声明的数据范围 {ref}")
            in_data = b"sheetData" in block
        if cells := _FAR_CELL.findall(block):
            row = max(map(int, (r for _, r in cells)))
            col = max(_col_number(c.decode()) for c in {c for c, _ in cells})
            if row > far_row or col > far_col:
                far_row, far_col = max(row, far_row), max(col, far_col)
                _check_extent(name, far_row, far_col, f"有内容的单元格最远到第 {far_row:,} 行、第 {far_col:,} 列")
        formulas = formulas or (b"f>" in block and bool(_FORMULA.search(block)))
    return formulas, layout.done()


class _LayoutScan:
    """Fed a sheet's XML block by block: the first row holding a value, and the merged ranges."""

    def __init__(self):
        self.layout = Layout()
        self.head: bytes | None = b""  # the XML so far, until that row is found (None: found, or given up)
        self.unsure = False

    def feed(self, block: bytes) -> None:
        if self.head is not None:
            self.head += block
            self._first_row()
        if b"mergeCell" in block:
            for c0, r0, c1, r1 in _MERGE.findall(block):
                first, last = (int(r0) - 1, _col_number(c0.decode()) - 1), (int(r1 or r0) - 1, _col_number((c1 or c0).decode()) - 1)
                self.layout.merges.append((first, last))

    def done(self) -> Layout | None:
        return None if self.unsure else self.layout

    def _first_row(self) -> None:
        data = self.head.partition(b"sheetData")[2]
        for row in _ROW_XML.finditer(data):
            cells = row.group(1)
            for tag in _CELL_TAG.finditer(cells):
                if tag.group(2) or not _VALUE_TAG.search(cells, tag.end(), _cell_end(cells, tag.end())):
                    continue  # <c r="A1" s="3"/> or a cell without <v>/<is>: no value
                pos = _CELL_POS.search(tag.group(1))
                if pos is None:  # cells without a position: calamine counts them, this scan does not
                    self.head, self.unsure = None, True
                    return
                self.layout.first_row = int(pos.group(2)) - 1
                self.layout.first_cols.add(_col_number(pos.group(1).decode()) - 1)
            if self.layout.first_cols:
                self.head = None
                return
        if len(self.head) > HEAD_BYTES:
            self.head, self.unsure = None, True


def _cell_end(cells: bytes, start: int) -> int:
    end = _CELL_END.search(cells, start)
    return end.start() if end else len(cells)


def _check_extent(name: str, rows: int, cols: int, where: str) -> None:
    if rows > EXCEL_ROWS or cols > EXCEL_COLS:
        raise FileError("sheet_too_large", f"工作表“{name}”{where}，超出 Excel 的上限（1,048,576 行 × 16,384 列），文件已损坏或被恶意构造，未读取。请用 Excel/WPS 打开，把数据复制到新建的工作簿中保存后再放回。", sheet=name)
    if rows * cols > SHEET_CELLS:
        raise FileError("sheet_too_large", f"工作表“{name}”{where}，从 A1 算起约 {_count_text(rows * cols)}个单元格，超过上限 {_count_text(SHEET_CELLS)}个，读取会耗尽内存，未读取。通常是数据区下方或右侧远处有误填或设置过格式的单元格：请在 Excel/WPS 中选中数据区以外的所有行和列，右键“删除”后保存。", sheet=name)


def _count_text(n: int) -> str:
    return f"{n / 1e8:,.1f} 亿" if n >= 1e8 else f"{n / 1e4:,.0f} 万"


class _FormulaScan:
    """expat handlers that track each cell's position as calamine does and note formulas saved without a value.

    No value: no <v>, or an empty <v/> (openpyxl writes that) unless the cell is typed
    as text, where an empty <v></v> is the cached result "" (=IF(A2="","",A2)).
    """

    def __init__(self):
        self.found: list[tuple[int, int, str]] = []
        self.row = self.col = 0
        self.in_cell = self.in_formula = self.in_value = False
        self.formula: list[str] | None = None
        self.value_seen = False
        self.text_type = False
        self.has_value = False

    def start(self, tag, attrs):
        local = tag.rpartition(":")[2]
        if local == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.col = 0
        elif local == "c":
            ref = _REF.fullmatch(attrs.get("r", ""))
            self.row, self.col = (int(ref.group(2)), _col_number(ref.group(1))) if ref else (self.row, self.col + 1)
            self.in_cell, self.formula, self.has_value = True, None, False
            self.text_type = attrs.get("t") in ("str", "s", "inlineStr")
        elif self.in_cell and local == "f":
            self.in_formula, self.formula = True, []
        elif self.in_cell and local == "v":
            self.in_value, self.value_seen = True, False
        elif self.in_cell and local == "is":
            self.has_value = True

    def end(self, tag):
        local = tag.rpartition(":")[2]
        if local == "f":
            self.in_formula = False
        elif local == "v" and self.in_value:
            self.in_value = False
            self.has_value = self.has_value or self.value_seen or self.text_type
        elif local == "c":
            if self.formula is not None and not self.has_value:
                text = "".join(self.formula)[:200]
                self.found.append((self.row - 1, self.col - 1, f"={text}" if text else ""))
            self.in_cell = False

    def chars(self, data):
        if self.in_formula:
            self.formula.append(data)
        elif self.in_value:
            self.value_seen = self.value_seen or bool(data.strip())


def _uncached_formulas(part: _Part, name: str) -> list[tuple[int, int, str]]:
    """Formula cells without a cached value, as (row, col) 0-based and the formula, with an exact XML parse."""
    scan = _FormulaScan()
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = scan.start, scan.end, scan.chars
    try:
        for block in part.chunks():
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise FileError("unreadable_file", DAMAGED, sheet=name) from None
    return scan.found
