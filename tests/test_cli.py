"""The command line: help for every command, commands documented in README.md, exit code 2 with a Chinese message,
and the console script in worker processes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import REPO, run_pipeline
from typer.testing import CliRunner

from pipeline import lock
from pipeline.cli import app

COMMANDS = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
# Options outputs.md and the issue require; the rest of each command's options is read from the command itself.
REQUIRED_OPTIONS = {"run": {"--year", "--wait"}, "validate": {"--wait"}}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def invoke(*args):
    return CliRunner().invoke(app, list(args), prog_name="pipeline")


def test_commands_are_read_from_the_app():
    assert {"run", "validate", "status"} <= set(COMMANDS)


def test_top_level_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    assert "Usage: pipeline" in result.output
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_mentions_every_option(name):
    command = typer.main.get_command(app).commands[name]
    options = {opt for param in command.params for opt in param.opts if opt.startswith("--")}
    assert {"--raw", "--out", "--config"} | REQUIRED_OPTIONS.get(name, set()) <= options
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pipeline {name} [OPTIONS]" in result.output
    for opt in sorted(options | {"--help"}):
        assert re.search(rf"{opt}\b", result.output), f"{name} --help does not mention {opt}"


def test_every_command_is_described_in_readme():
    readme = REPO / "README.md"
    assert readme.is_file(), "README.md is missing"
    text = readme.read_text(encoding="utf-8")
    assert [n for n in COMMANDS if not re.search(rf"pipeline\s+{n}\b", text)] == []


def test_python_dash_m_pipeline_help():
    result = run_pipeline("--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: python -m pipeline" in result.stdout
    for name in COMMANDS:
        assert name in result.stdout


def test_console_script_help():
    script = Path(sys.executable).with_name("pipeline")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: pipeline [OPTIONS] COMMAND [ARGS]...")


# --- exit code 2: could not start -----------------------------------------------------------


def assert_cannot_start(result, *expected):
    """Exit code 2, a Chinese message containing every expected piece, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert CHINESE.search(result.output)
    for text in expected:
        assert text in result.output


@pytest.mark.parametrize("command", ["run", "validate", "status"])
def test_missing_raw_folder(project, command):
    project.raw.rmdir()
    result = project.cli(command)
    assert_cannot_start(result, f"错误：找不到原始数据目录 {project.raw}。", "--raw")
    assert not project.out.exists()


def test_unreadable_pipeline_toml(project):
    project.config.write_text('agency = "测试镇人民政府\n[channels]\nwebsite = "政府网站"\n', encoding="utf-8")
    result = project.cli("run")
    assert_cannot_start(result, f"错误：配置文件 {project.config} 格式错误", "请按 TOML 格式修改后重试。")
    assert not project.out.exists()


def test_missing_pipeline_toml(project):
    project.config.unlink()
    assert_cannot_start(project.cli("validate"), f"错误：找不到配置文件 {project.config}。")


@pytest.mark.parametrize(
    ("args", "detail"),
    [
        (["run", "--bogus"], "--bogus"),
        (["run", "--year", "二〇一九"], "--year"),
        (["run", "--year"], "--year"),
        (["status", "--wait", "5"], "--wait"),
        (["frobnicate"], "frobnicate"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_flag_or_command(args, detail):
    result = invoke(*args)
    assert_cannot_start(result, "命令行参数有误", detail, "--help 查看可用的命令和选项")


def test_bad_flag_from_the_console_is_chinese_too():
    result = run_pipeline("run", "--bogus")
    assert result.returncode == 2
    assert "命令行参数有误（No such option: --bogus" in result.stderr
    assert "Traceback" not in result.stderr


def test_another_run_holds_the_lock(project):
    with lock.hold(project.out):
        result = project.cli("run", "--wait", "0")
    assert_cannot_start(result, "另一个运行正在使用输出目录", str(project.out / ".pipeline.lock"))


# --- the `pipeline` console script, which runs by path -----------------------------------------

# What pip writes to .venv/bin/pipeline, plus a line that logs every process that runs the file.
SCRIPT = """import os, re, sys
with open(os.environ["RUNS_LOG"], "a") as log:
    log.write(f"{os.getpid()}\\n")
from pipeline.cli import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""


def test_the_console_script_runs_once_not_again_in_every_worker(tmp_path):
    script, log = tmp_path / "pipeline", tmp_path / "runs.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    args = [sys.executable, str(script), "validate", "--raw", str(REPO / "data/raw"), "--out", str(tmp_path / "out"), "--config", str(REPO / "pipeline.toml")]
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=tmp_path, env={**os.environ, "RUNS_LOG": str(log)})
    assert done.returncode == 0, done.stderr
    assert "检查完成（未改动数据仓库和统计表）：解析 10 个文件" in done.stdout
    # multiprocessing re-runs a main module given by path in each new process: 10 workers would make 11 lines.
    assert len(log.read_text().split()) == 1


def test_a_run_leaves_nothing_in_the_temporary_folder(tmp_path):
    """cli.main ends with os._exit; the exit handlers still run (multiprocessing's removes the readers' server's folder)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    args = [sys.executable, "-m", "pipeline", "run", "--raw", str(REPO / "data/raw"), "--out", str(tmp_path / "out"), "--config", str(REPO / "pipeline.toml")]
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=REPO,
                          env={**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)})
    assert done.returncode == 0, done.stderr
    assert "运行完成：解析 10 个文件" in done.stdout
    assert sorted(p.name for p in temp.iterdir()) == []
