"""`pipeline status`: what the warehouse holds, as text for a person."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.discover import discover
from pipeline.problems import SEVERITY_LABELS

# Warehouse table → (date column that gives the year, label)
ROWS_BY_YEAR = {
    "items": ("published", "发布记录（条）"),
    "request_rows": ("received", "依申请公开登记（按收到日期，行）"),
    "appeal_rows": ("received", "复议诉讼登记（按收到日期，行）"),
    "document_rows": ("made", "规范性文件目录（按制发日期，行）"),
    "service_rows": ("make_date(year, 1, 1)", "管理服务事项统计（行）"),
}
STATES = {"unchanged": "未变", "changed": "已修改，待下次运行", "removed": "已删除，待下次运行", "new": "新文件，待下次运行", "unavailable": "暂时无法打开"}


def file_states(known: dict[str, str], cfg: Config) -> dict[str, str]:
    """Each file in the warehouse or the raw folder → unchanged, changed, removed, new or unavailable."""
    entries, notes = discover(cfg.raw_dir, cfg.channels)
    current = {e.rel: e.sha256 for e in entries}
    unavailable = {p.file for p in notes if p.rule == "file_unavailable"}
    states = {}
    for rel in sorted(set(known) | set(current) | unavailable):
        if rel in unavailable:
            states[rel] = "unavailable"
        elif rel not in current:
            states[rel] = "removed"
        elif rel not in known:
            states[rel] = "new"
        else:
            states[rel] = "unchanged" if known[rel] == current[rel] else "changed"
    return states


def status_text(cfg: Config) -> str:
    """The report; raises lock.LockBusy while a run is writing the warehouse (DuckDB allows no reader then)."""
    from pipeline import load, lock
    from pipeline.run import WAREHOUSE

    path = cfg.out_dir / WAREHOUSE
    if not path.exists():
        return f"数据仓库 {path} 还不存在：请先运行 pipeline run。"
    with lock.hold(cfg.out_dir):
        con = load.connect(path, read_only=True)
        try:
            return "\n".join(_lines(con, cfg, path))
        finally:
            con.close()


def _lines(con, cfg: Config, path) -> list[str]:
    lines = [f"数据仓库：{path}"]
    files = {
        f[0]: f for f in con.execute(
            "select f.file, f.kind, f.channel, f.sha256, f.rows_accepted, f.rows_rejected, f.parsed_at, "
            "(select count(*) from file_problems p where p.file = f.file and p.severity = 'error') "
            "from files f order by f.file"
        ).fetchall()
    }
    states = file_states({rel: f[3] for rel, f in files.items()}, cfg)
    lines.append(f"\n文件（数据仓库中 {len(files)} 个）：")
    for rel, state in states.items():
        if rel in files:
            _, kind, channel, _, ok, bad, parsed, errors = files[rel]
            flagged = f"，{errors} 处错误" if errors else ""
            lines.append(f"  {rel}  [{channel or kind}]  接受 {ok} 行，拒绝 {bad} 行{flagged}，{STATES[state]}，读取于 {parsed:%Y-%m-%d %H:%M}")
        else:
            lines.append(f"  {rel}  {STATES[state]}")
    lines.append("\n各年度行数：")
    for table, (date_col, label) in ROWS_BY_YEAR.items():
        for year, n in con.execute(f"select year({date_col}) as y, count(*) from {table} group by y order by y").fetchall():
            lines.append(f"  {label} {year}年：{n}")
    last = con.execute("select run_id, command, finished_at, files_parsed, errors, warnings, notes, exit_code, published from runs order by run_id desc limit 1").fetchall()
    if not last:
        return lines
    rid, cmd, at, parsed, e, w, n, code, published = last[0]
    lines.append(f"\n上次运行：第 {rid} 次（{cmd}），{at:%Y-%m-%d %H:%M:%S}，读取 {parsed} 个文件，错误 {e}，警告 {w}，提示 {n}，退出码 {code}")
    if cmd == "run" and not published:
        lines.append("  这次运行的统计表没有写完（运行被中断）：下次运行会重新生成。")
    open_problems = con.execute(
        "select severity, file, sheet, excel_row, message from problems where run_id = ? and severity <> 'note' "
        "order by severity, file, excel_row limit 20", [rid]).fetchall()
    if open_problems:
        lines.append("未解决的问题（前 20 条，完整清单见 problems.xlsx）：")
        for sev, file, sheet, row, msg in open_problems:
            where = "，".join(x for x in (file, sheet, f"第 {row} 行" if row else "") if x)
            lines.append(f"  [{SEVERITY_LABELS[sev]}] {where}：{msg}")
    return lines
