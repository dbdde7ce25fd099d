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


def status_text(cfg: Config) -> str:
    from pipeline import load
    from pipeline.run import WAREHOUSE

    path = cfg.out_dir / WAREHOUSE
    if not path.exists():
        return f"数据仓库 {path} 还不存在：请先运行 pipeline run。"
    con = load.connect(path, read_only=True)
    try:
        lines = [f"数据仓库：{path}"]
        entries, _ = discover(cfg.raw_dir, cfg.channels)
        current = {e.rel: e.sha256 for e in entries}
        files = con.execute("select file, kind, channel, sha256, rows_accepted, rows_rejected, parsed_at from files order by file").fetchall()
        lines.append(f"\n文件（{len(files)} 个）：")
        for file, kind, channel, sha, ok, bad, parsed in files:
            state = "未变" if current.get(file) == sha else ("已删除" if file not in current else "已修改，待下次运行")
            lines.append(f"  {file}  [{channel or kind}]  接受 {ok} 行，拒绝 {bad} 行，{state}，解析于 {parsed:%Y-%m-%d %H:%M}")
        for rel in sorted(set(current) - {f[0] for f in files}):
            lines.append(f"  {rel}  新文件，待下次运行")
        lines.append("\n各年度行数：")
        for table, (date_col, label) in ROWS_BY_YEAR.items():
            for year, n in con.execute(f"select year({date_col}) as y, count(*) from {table} group by y order by y").fetchall():
                lines.append(f"  {label} {year}年：{n}")
        last = con.execute("select run_id, command, finished_at, files_parsed, errors, warnings, notes, exit_code from runs order by run_id desc limit 1").fetchall()
        if last:
            rid, cmd, at, parsed, e, w, n, code = last[0]
            lines.append(f"\n上次运行：第 {rid} 次（{cmd}），{at:%Y-%m-%d %H:%M:%S}，解析 {parsed} 个文件，错误 {e}，警告 {w}，提示 {n}，退出码 {code}")
            open_problems = con.execute(
                "select severity, file, sheet, excel_row, message from problems where run_id = ? and severity <> 'note' "
                "order by severity, file, excel_row limit 20", [rid]).fetchall()
            if open_problems:
                lines.append("未解决的问题（前 20 条，完整清单见 problems.xlsx）：")
                for sev, file, sheet, row, msg in open_problems:
                    where = "，".join(x for x in (file, sheet, f"第 {row} 行" if row else "") if x)
                    lines.append(f"  [{SEVERITY_LABELS[sev]}] {where}：{msg}")
        return "\n".join(lines)
    finally:
        con.close()
