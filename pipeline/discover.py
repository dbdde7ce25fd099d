"""Find the input files under the raw folder and tell their kind from the folder they sit in."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline import kinds
from pipeline.problems import Problem

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class FileEntry:
    """One input file: where it is, what kind it is, and its content fingerprint."""

    path: Path
    rel: str  # relative to the raw folder, "/" separators
    kind: str  # a code of pipeline.kinds
    channel: str | None  # folder code for publication logs
    size: int
    sha256: str


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _skip_note(rel: str, rule: str, message: str) -> Problem:
    return Problem("note", rule, message, file=rel)


def discover(raw_dir: Path, channels: dict[str, str]) -> tuple[list[FileEntry], list[Problem]]:
    """Every readable input file under raw_dir, sorted by path, and a note for each file skipped."""
    entries: list[FileEntry] = []
    notes: list[Problem] = []
    folder_kind = {c: "publication" for c in channels} | {k.folder: k.code for k in kinds.REGISTERS}
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        # Hidden folders (.git, .~tmp) are never data; prune them so os.walk does not descend.
        hidden = sorted(d for d in dirnames if d.startswith("."))
        for d in hidden:
            rel = Path(dirpath, d).relative_to(raw_dir).as_posix()
            notes.append(_skip_note(rel + "/", "skipped_hidden", "隐藏文件夹，已跳过。"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            rel = path.relative_to(raw_dir).as_posix()
            parts = rel.split("/")
            if name.startswith("~$"):
                notes.append(_skip_note(rel, "skipped_lock_file", "Excel/WPS 打开文件时产生的临时锁文件，已跳过（关闭表格后会自动消失）。"))
                continue
            if name.startswith("."):
                notes.append(_skip_note(rel, "skipped_hidden", "隐藏文件，已跳过。"))
                continue
            if path.suffix.lower() not in EXTENSIONS:
                notes.append(_skip_note(rel, "skipped_file_type", f"不支持的文件类型（{path.suffix or '无扩展名'}），已跳过。只读取 .xlsx、.xlsm、.xls、.ods、.csv 文件。"))
                continue
            if len(parts) == 1:
                notes.append(_skip_note(rel, "skipped_top_level", "文件直接放在 data/raw/ 下，无法判断类型，已跳过。请放入对应的文件夹（如 website/、applications/）。"))
                continue
            kind = folder_kind.get(parts[0])
            if kind is None:
                known = "、".join(f"{f}/" for f in folder_kind)
                notes.append(_skip_note(rel, "skipped_unknown_folder", f"文件夹 {parts[0]}/ 不是已配置的渠道或固定文件夹，已跳过。可用的文件夹：{known}；新增渠道请在 pipeline.toml 的 [channels] 中添加一行。"))
                continue
            if not path.is_file() or path.is_symlink():
                notes.append(_skip_note(rel, "skipped_not_regular", "不是普通文件（链接或特殊文件），已跳过。"))
                continue
            try:
                size, digest = path.stat().st_size, sha256(path)
            except FileNotFoundError:
                continue  # deleted while the run looked: it is gone, like any removed file
            except OSError as exc:
                notes.append(Problem("error", "file_unavailable", f"文件无法打开（{exc.strerror or type(exc).__name__}），可能正被其他程序占用或没有读取权限，本次未读取；以前读取过的内容照常计入统计表。请关闭占用该文件的程序（或检查权限）后重新运行。", file=rel))
                continue
            entries.append(
                FileEntry(
                    path=path,
                    rel=rel,
                    kind=kind,
                    channel=parts[0] if kind == "publication" else None,
                    size=size,
                    sha256=digest,
                )
            )
    # os.walk yields a folder's files before those of its subfolders; the documented order is by whole path.
    return sorted(entries, key=lambda e: e.rel), notes
