"""Command line: `pipeline run | validate | status | export`. A thin shell over pipeline.run."""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer 0.29 vendors click and does not re-export these
from typer.core import TyperGroup


@contextmanager
def _usage_in_chinese():
    """A bad flag, value or command name: say so in Chinese, keeping click's detail (which option, which value)."""
    try:
        yield
    except NoArgsIsHelpError:
        raise  # shows the help
    except UsageError as exc:
        path = exc.ctx.command_path if exc.ctx else "pipeline"
        raise UsageError(f"命令行参数有误（{exc.format_message()}）。请运行 {path} --help 查看可用的命令和选项。", exc.ctx) from None


class _Commands(TyperGroup):
    """The command group; usage errors of the group and of each command come out in Chinese."""

    def make_context(self, *args, **kwargs):
        with _usage_in_chinese():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _usage_in_chinese():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="政府信息公开工作年度报告统计流水线：把 data/raw/ 中的台账和发布记录变成年报统计表、图表和问题清单。",
)

RawOpt = Annotated[Optional[Path], typer.Option("--raw", help="原始数据目录（默认取 pipeline.toml 的 raw_dir，即 data/raw/）。")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", help="输出目录（默认取 pipeline.toml 的 out_dir，即 data/processed/）。")]
ConfigOpt = Annotated[Path, typer.Option("--config", help="配置文件 pipeline.toml 的位置。")]
WaitOpt = Annotated[float, typer.Option("--wait", help="另一个运行占用输出目录时最多等待的秒数，超时则以退出码 2 结束。")]

EXIT_HELP = "退出码：0 完成（可能有警告和提示）；1 完成，但有错误行或错误文件（见 problems.xlsx）；2 无法开始（参数错误、找不到原始数据目录、配置文件错误或另一个运行正在进行），或数据仓库超出内存上限而未完成（见 pipeline.toml 的 warehouse_memory_mb）。"


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
    from pipeline.load import WarehouseMemory
    from pipeline.lock import LockBusy
    from pipeline.progress import Progress
    from pipeline.run import execute

    cfg = _config(config, raw, out)
    progress = Progress()
    try:
        outcome = execute(cfg, command, years or None, wait, progress)
    except (LockBusy, WarehouseMemory) as exc:
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
    from pipeline.lock import LockBusy
    from pipeline.status import status_text

    cfg = _config(config, raw, out)
    try:
        typer.echo(status_text(cfg))
    except LockBusy as exc:
        _fail(str(exc))


@app.command(epilog="退出码：0 完成；2 无法开始（参数错误、还没有数据仓库或另一个运行正在进行）。")
def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="导出目录：写入按 kind=…/year=… 分区的 Parquet 文件，目录中原有内容会被替换。")],
    raw: RawOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = Path("pipeline.toml"),
    wait: WaitOpt = 120.0,
) -> None:
    """把数据仓库中所有已接受的行和各年度统计表导出为 Parquet，供 DuckDB、Spark、Trino 等直接读取（不需要本程序）。"""
    from pipeline import load, lock
    from pipeline.export import write_parquet
    from pipeline.run import WAREHOUSE

    cfg = _config(config, raw, out)
    warehouse = cfg.out_dir / WAREHOUSE
    if not warehouse.is_file():
        _fail(f"找不到数据仓库 {warehouse}。请先运行 pipeline run。")
    try:
        with lock.hold(cfg.out_dir, wait):  # a run may be writing the warehouse
            con = load.connect(warehouse, read_only=True)
            try:
                target = write_parquet(con, cfg, parquet)
            finally:
                con.close()
    except lock.LockBusy as exc:
        _fail(str(exc))
    typer.echo(f"导出完成：{target}")


def main() -> None:
    """The `pipeline` command: the CLI, then a prompt exit."""
    main_module = sys.modules["__main__"]
    if getattr(main_module, "__spec__", None) is None:
        # Run by path (the `pipeline` console script): it is `python -m pipeline` under another name. Saying
        # so keeps multiprocessing from running the script again in every reader worker, which imported the CLI.
        main_module.__spec__ = importlib.util.find_spec("pipeline.__main__")
    if sys.argv[1:2] == ["validate"] and "--help" not in sys.argv:
        # validate reads every file: the readers' server starts warming up now, not after the command line
        # and the configuration are read and the run's modules imported (0.1 s later).
        from pipeline import workers

        workers.start_early()
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int):  # sys.exit(None) or sys.exit("message")
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    # Every file, the warehouse and the lock are closed by now, and the workers joined. Tearing
    # down the interpreter would free a run's objects one by one (pandas, Arrow, DuckDB): 0.2 s.
    # The exit handlers still run: multiprocessing's removes the temporary folder of the readers'
    # server (without it, every run left an empty pymp-* folder in the system's temporary folder).
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (pipeline run | head): nothing more to say
            pass
    os._exit(code)
