"""Discovery: which files under raw/ are read, as what kind, and which are skipped with a note."""

import hashlib

import pytest
from conftest import CHANNELS, LOG_HEADER, write_csv, write_xlsx

from pipeline.discover import discover

LOG = {"发布记录": [LOG_HEADER]}


def touch(raw, rel, data=b"x"):
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_channel_files_at_any_depth(tmp_path):
    write_xlsx(tmp_path / "website/台账.xlsx", LOG)
    write_csv(tmp_path / "weibo/2019下半年/导出.csv", [LOG_HEADER])
    write_xlsx(tmp_path / "wechat/2019/12月/第3周/文章.XLSX", LOG)
    entries, notes = discover(tmp_path, CHANNELS)
    assert [(e.rel, e.kind, e.channel) for e in entries] == [
        ("website/台账.xlsx", "publication", "website"),
        ("wechat/2019/12月/第3周/文章.XLSX", "publication", "wechat"),
        ("weibo/2019下半年/导出.csv", "publication", "weibo"),
    ]
    assert notes == []


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("applications/2019/依申请公开登记台账.xlsx", "applications"),
        ("appeals/复议.xls", "appeals"),
        ("documents/目录.ods", "documents"),
        ("services/统计.xlsm", "services"),
    ],
)
def test_register_folders_give_their_kind(tmp_path, rel, kind):
    touch(tmp_path, rel)
    entries, notes = discover(tmp_path, CHANNELS)
    assert [(e.rel, e.kind, e.channel) for e in entries] == [(rel, kind, None)]
    assert notes == []


def test_a_configured_channel_is_a_publication_log_folder(tmp_path):
    touch(tmp_path, "toutiao/头条号.csv")
    entries, notes = discover(tmp_path, CHANNELS | {"toutiao": "政务头条号"})
    assert [(e.rel, e.kind, e.channel) for e in entries] == [("toutiao/头条号.csv", "publication", "toutiao")]
    assert notes == []


def test_entry_records_size_and_content_hash(tmp_path):
    data = b"\xef\xbb\xbf\xe5\x8f\x91\xe5\xb8\x83\xe6\x97\xa5\xe6\x9c\x9f\r\n"
    touch(tmp_path, "website/a.csv", data)
    (entry,), _ = discover(tmp_path, CHANNELS)
    assert entry.size == len(data) == 17
    assert entry.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("rel", "noted_as", "rule"),
    [
        ("website/~$2019年台账.xlsx", "website/~$2019年台账.xlsx", "skipped_lock_file"),
        ("weibo/.~导出.csv", "weibo/.~导出.csv", "skipped_hidden"),
        ("website/.DS_Store", "website/.DS_Store", "skipped_hidden"),
        ("website/.备份/台账.xlsx", "website/.备份/", "skipped_hidden"),
        ("website/说明.txt", "website/说明.txt", "skipped_file_type"),
        ("applications/申请表模板.docx", "applications/申请表模板.docx", "skipped_file_type"),
        ("wechat/Thumbs.db", "wechat/Thumbs.db", "skipped_file_type"),
        ("website/无扩展名", "website/无扩展名", "skipped_file_type"),
        ("台账.xlsx", "台账.xlsx", "skipped_top_level"),
        ("说明.csv", "说明.csv", "skipped_top_level"),
        ("toutiao/头条号.xlsx", "toutiao/头条号.xlsx", "skipped_unknown_folder"),
        ("旧数据/2018/website/台账.xlsx", "旧数据/2018/website/台账.xlsx", "skipped_unknown_folder"),
    ],
)
def test_skipped_with_a_note(tmp_path, rel, noted_as, rule):
    touch(tmp_path, rel)
    write_xlsx(tmp_path / "website/有效.xlsx", LOG)
    entries, notes = discover(tmp_path, CHANNELS)
    assert [e.rel for e in entries] == ["website/有效.xlsx"]
    assert [(n.severity, n.rule, n.file, n.sheet, n.row) for n in notes] == [("note", rule, noted_as, "", None)]


def test_skip_notes_say_why_in_chinese(tmp_path):
    for rel in ("website/~$a.xlsx", "website/.a.xlsx", "website/a.txt", "a.xlsx", "toutiao/a.xlsx"):
        touch(tmp_path, rel)
    _, notes = discover(tmp_path, CHANNELS)
    messages = {n.rule: n.message for n in notes}
    assert "临时锁文件" in messages["skipped_lock_file"]
    assert "隐藏文件" in messages["skipped_hidden"]
    assert "（.txt）" in messages["skipped_file_type"] and ".xlsx、.xlsm、.xls、.ods、.csv" in messages["skipped_file_type"]
    assert "data/raw/" in messages["skipped_top_level"]
    # the unknown folder note names the folder and how to add a channel
    assert "toutiao/" in messages["skipped_unknown_folder"] and "[channels]" in messages["skipped_unknown_folder"]


def test_entries_sorted_by_path_whatever_the_creation_order(tmp_path):
    for rel in ("weibo/b.csv", "website/b.xlsx", "weibo/a.csv", "website/a/z.xlsx"):
        touch(tmp_path, rel)
    entries, _ = discover(tmp_path, CHANNELS)
    assert [e.rel for e in entries] == ["website/a/z.xlsx", "website/b.xlsx", "weibo/a.csv", "weibo/b.csv"]
