"""notebooks/year_over_year.ipynb: committed without outputs, and runs headless on a demo warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from pipeline.config import load
from pipeline.run import execute

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "year_over_year.ipynb"


def test_committed_notebook_has_no_outputs_and_no_execution_counts():
    raw = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    assert len(code) == 8
    assert [(c["outputs"], c["execution_count"]) for c in code] == [([], None)] * len(code)
    nbformat.validate(nbformat.reads(NOTEBOOK.read_text(encoding="utf-8"), as_version=4))


def test_notebook_runs_headless_on_the_demo_warehouse(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert execute(load(REPO / "pipeline.toml", REPO / "data" / "raw", out)).exit_code == 0
    for var in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(out / "warehouse.duckdb"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()  # raises on a failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "missing from font" not in streams  # a tofu box in a chart
    assert "慈溪市掌起镇人民政府：报告年度 [2019, 2020, 2021]" in streams
    assert "不可比：2019年版“其他处理”不分细项" in streams
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "（六）其他处理（三项合计）" in html and "ZQ2021-003" in html
    assert not (out / "warehouse.duckdb.wal").exists()  # opened read-only
