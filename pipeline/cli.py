"""Command line: `pipeline run | validate | status`. A thin shell over pipeline.run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="政府信息公开工作年度报告统计流水线：把 data/raw/ 中的台账和发布记录变成年报统计表、图表和问题清单。",
)

RawOpt = Annotated[Optional[Path], typer.Option("--raw", help="原始数据目录（默认取 pipeline.toml 的 raw_dir，即 data/raw/）。")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", help="输出目录（默认取 pipeline.toml 的 out_dir，即 data/processed/）。")]
ConfigOpt = Annotated[Path, typer.Option("--config", help="配置文件 pipeline.toml 的位置。")]
WaitOpt = Annotated[float, typer.Option("--wait", help="另一个运行占用输出目录时最多等待的秒数，超时则以退出码 2 结束。")]

EXIT_HELP = "退出码：0 完成（可能有警告和提示）；1 完成，但有错误行或错误文件（见 problems.xlsx）；2 无法开始（参数错误、找不到原始数据目录、配置文件错误或另一个运行正在进行）。"


def _config(config: Path, raw: Path | None, out: Path | None):
    from pipeline.config import ConfigError, load

    try:
        cfg = load(config, raw, out)
    except ConfigError as exc:
        _fail(str(exc))
    if not cfg.raw_dir.is_dir():
        _fail(f"找不到原始数据目录 {cfg.raw_dir}。请创建该目录并放入台账文件，或用 --raw 指定目录。")
    return cfg


def _fail(message: str):
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(2)


def _execute(command: str, config: Path, raw, out, years, wait: float) -> None:
    from pipeline.lock import LockBusy
    from pipeline.progress import Progress
    from pipeline.run import execute

    cfg = _config(config, raw, out)
    progress = Progress()
    try:
        outcome = execute(cfg, command, years or None, wait, progress)
    except LockBusy as exc:
        _fail(str(exc))
    c = outcome.counts
    if outcome.nothing_changed:
        typer.echo(f"没有变化：解析 0 个文件，输出未改写。上次运行的错误 {c.get('error', 0)} 处，详见 {cfg.out_dir / 'problems.xlsx'}。")
    else:
        done = "检查完成（未改动数据仓库和统计表）" if command == "validate" else "运行完成"
        years_text = "、".join(str(y) for y in outcome.years) or "无"
        typer.echo(
            f"{done}：解析 {outcome.files_parsed} 个文件，未变 {outcome.files_unchanged} 个，移除 {outcome.files_removed} 个；"
            f"报告年度：{years_text}；错误 {c['error']} 处，警告 {c['warning']} 处，提示 {c['note']} 处。问题清单：{cfg.out_dir / 'problems.xlsx'}"
        )
    raise typer.Exit(outcome.exit_code)


@app.command(epilog=EXIT_HELP)
def run(
    year: Annotated[Optional[list[int]], typer.Option("--year", help="只生成这些年度（可重复，如 --year 2019 --year 2020）；默认生成所有有数据的年度。")] = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = Path("pipeline.toml"),
    wait: WaitOpt = 120.0,
) -> None:
    """读取原始目录中新增或修改的文件，校验、入库，并生成每个报告年度的统计表、图表和问题清单。"""
    _execute("run", config, raw, out, year, wait)


@app.command(epilog=EXIT_HELP)
def validate(
    raw: RawOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = Path("pipeline.toml"),
    wait: WaitOpt = 120.0,
) -> None:
    """只做与 run 相同的检查，不改动数据仓库和统计表；写出问题清单 problems.csv / problems.xlsx。"""
    _execute("validate", config, raw, out, None, wait)


@app.command(epilog=EXIT_HELP)
def status(
    raw: RawOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = Path("pipeline.toml"),
) -> None:
    """显示数据仓库的内容：已知文件及其状态、各类数据按年度的行数、上次运行、未解决的问题。"""
    from pipeline.status import status_text

    cfg = _config(config, raw, out)
    typer.echo(status_text(cfg))


def main() -> None:
    app()
