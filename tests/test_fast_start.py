"""`pipeline --help` and a run with nothing changed start fast: they import neither pandas, pandera nor matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import LOG_HEADER, REPO, make_project, write_csv

HEAVY = ("pandas", "pandera", "matplotlib")
# Runs the CLI in a fresh interpreter, then reports the exit code and which heavy modules got imported.
PROBE = """
import json, sys
from pipeline.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(%r))}))
""" % (HEAVY,)


def probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_no_heavy_module():
    assert probe("--help") == {"code": 0, "heavy": []}
    assert probe("run", "--help") == {"code": 0, "heavy": []}


def test_a_run_with_nothing_changed_imports_no_heavy_module(tmp_path):
    project = make_project(tmp_path)
    write_csv(project.raw / "website" / "log.csv", [LOG_HEADER, ["2019-03-05", "关于春季森林防火的通告", "通知公告", "https://www.zhangqi.gov.cn/art/1.html"]])
    first = probe("run", *project.folders())
    assert first["code"] == 0 and "pandas" in first["heavy"]  # the probe does see imports
    assert probe("run", *project.folders()) == {"code": 0, "heavy": []}


# Counts the calls of workers.start_early (which starts the readers' server) through the console script's entry point.
EARLY = """
import sys
from pipeline import cli, workers
workers.start_early = lambda: print("start_early", flush=True)
sys.argv = ["pipeline", *sys.argv[1:]]
cli.main()
"""


def early_starts(*args: str) -> int:
    done = subprocess.run([sys.executable, "-c", EARLY, *args], cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=300)
    return done.stdout.splitlines().count("start_early")


def test_validate_starts_the_readers_server_before_reading_its_command_line(tmp_path):
    projects = [make_project(tmp_path / name) for name in ("validate", "run")]
    for project in projects:
        write_csv(project.raw / "website" / "log.csv", [LOG_HEADER, ["2019-03-05", "关于春季森林防火的通告", "通知公告", "https://www.zhangqi.gov.cn/art/1.html"]])
    assert early_starts("validate", "--help") == 0
    # At once in cli.main; run.execute then calls it again before the lock and once the plan shows files (no-ops).
    assert early_starts("validate", *projects[0].folders()) == 3
    assert early_starts("run", *projects[1].folders()) == 2  # a first run: only in run.execute, once the configuration is read
