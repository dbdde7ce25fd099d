"""Reader workers of the `pipeline` console script, which runs by path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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
    args = [sys.executable, str(script), "validate", "--raw", str(ROOT / "data/raw"), "--out", str(tmp_path / "out"), "--config", str(ROOT / "pipeline.toml")]
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=tmp_path, env={**os.environ, "RUNS_LOG": str(log)})
    assert done.returncode == 0, done.stderr
    assert "检查完成（未改动数据仓库和统计表）：解析 10 个文件" in done.stdout
    # multiprocessing re-runs a main module given by path in each new process: 10 workers would make 11 lines.
    assert len(log.read_text().split()) == 1
