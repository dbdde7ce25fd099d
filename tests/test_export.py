"""The open Parquet export: read with DuckDB alone, same cells as tables.csv, replaced whole."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import export
from pipeline.cli import app
from pipeline.config import load
from pipeline.run import execute

REPO = Path(__file__).resolve().parents[1]
YEARS = (2019, 2020, 2021)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The repository's demo data (data/raw, read only) run into a temporary output folder."""
    out = tmp_path_factory.mktemp("demo")
    cfg = load(REPO / "pipeline.toml", REPO / "data" / "raw", out)
    assert execute(cfg).exit_code == 0
    return cfg


def parquet(folder: Path, kind: str, query: str) -> list[tuple]:
    """Run ``query`` over the relation ``rows`` = one kind of the export, with DuckDB only."""
    con = duckdb.connect()
    con.read_parquet(str(folder / f"kind={kind}" / "*" / "*.parquet"), hive_partitioning=True).create_view("rows")
    return con.execute(query).fetchall()


def test_parquet_tables_have_the_cells_of_tables_csv(demo):
    got = {(y, t, r, c): v for y, t, r, c, v in parquet(
        demo.out_dir / "parquet", "tables", 'select year, "table", row_code, col_code, value from rows')}
    want = {}
    for year in YEARS:
        with open(demo.out_dir / str(year) / "tables.csv", encoding="utf-8-sig", newline="") as f:
            for rec in csv.DictReader(f):
                want[(year, rec["table"], rec["row_code"], rec["col_code"])] = float(rec["value"]) if rec["value"] else None
    assert got == want
    # by hand from the demo files: 236 website + (193 + 200 − 1 duplicate) weibo + 306 wechat
    assert got[(2019, "channels", "total", "count")] == 934
    assert got[(2019, "proactive", "procurement", "amount")] == 2147.3856
    assert got[(2021, "requests", "other.no_fee", "total")] == 1
    assert got[(2020, "requests", "carried_in", "natural_person")] == 1  # ZQ2019-007, answered 2020-01-08
    assert parquet(demo.out_dir / "parquet", "tables", "select distinct year, format from rows order by 1") == [
        (2019, "2019"), (2020, "2019"), (2021, "2021")]


def test_parquet_rows_of_every_kind(demo):
    folder = demo.out_dir / "parquet"
    # request registers: 7 rows (2019 file) + 6 (2020, one of them ZQ2019-007 received 2019) + 6 (2021)
    assert parquet(folder, "applications", "select year, count(*) from rows group by year order by year") == [
        (2019, 8), (2020, 5), (2021, 6)]
    assert parquet(folder, "publication", "select count(*), count(*) filter (where duplicate) from rows") == [(935, 1)]
    columns = {kind: [name for name, *_ in parquet(folder, kind, "describe rows")] for kind in ("publication", "documents")}
    assert columns == {  # the duplicate checks' match keys (title_key, …) stay in the warehouse
        "publication": ["file", "sheet", "sheet_no", "excel_row", "channel", "published", "title", "category", "link", "duplicate", "kind", "year"],
        "documents": ["file", "sheet", "sheet_no", "excel_row", "name", "doc_no", "category", "made", "published", "repealed", "duplicate", "kind", "year"],
    }
    assert parquet(folder, "publication", "select channel, count(*) from rows where not duplicate group by all order by all") == [
        ("website", 236), ("wechat", 306), ("weibo", 392)]
    assert parquet(folder, "appeals", "select case_id, year from rows") == [("慈政复〔2021〕58号", 2021)]
    assert parquet(folder, "documents", "select year, count(*) from rows group by year order by year") == [
        (2019, 3), (2020, 1), (2021, 1)]
    assert parquet(folder, "services", "select count(*), min(year), max(year) from rows") == [(24, 2018, 2021)]
    lineage = parquet(folder, "applications", "select file, sheet, excel_row from rows where request_id = 'ZQ2021-003'")
    assert lineage == [("applications/依申请公开登记台账2021.xlsx", "2021年", 4)]


def test_tidy_tables_builds_only_the_years_it_is_not_given(demo, monkeypatch):
    from pipeline import aggregate

    con = duckdb.connect(str(demo.out_dir / "warehouse.duckdb"), read_only=True)
    whole = export.tidy_tables(con, demo)
    known = {y: (demo.format_for(y), aggregate.table_values(con, y, demo.format_for(y), demo.channels)) for y in (2019, 2021)}
    built = []
    real = aggregate.table_values
    monkeypatch.setattr(aggregate, "table_values", lambda con, year, *rest: built.append(year) or real(con, year, *rest))
    given = export.tidy_tables(con, demo, known)
    con.close()
    assert built == [2020]
    assert len(whole) == 250 + 250 + 252 and given.equals(whole)  # the cells of tables.csv of 2019, 2020, 2021


def cli_export(demo, target: Path):
    return CliRunner().invoke(app, ["export", "--parquet", str(target), "--config", str(REPO / "pipeline.toml"),
                                    "--raw", str(REPO / "data" / "raw"), "--out", str(demo.out_dir)])


def test_cli_export_replaces_the_folder_whole(demo, tmp_path):
    target = tmp_path / "lake"
    (target / "kind=old").mkdir(parents=True)
    (target / "kind=old" / "stale.parquet").write_text("old")
    result = cli_export(demo, target)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [
        "kind=appeals", "kind=applications", "kind=documents", "kind=publication", "kind=services", "kind=tables"]
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]  # no temporary folder left beside it


def test_failed_export_leaves_the_previous_one(demo, tmp_path, monkeypatch):
    target = tmp_path / "lake"
    assert cli_export(demo, target).exit_code == 0
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    calls = []

    def failing_copy(con, query, folder, **options):
        calls.append(folder)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_copy(con, query, folder, **options)

    real_copy = export._copy
    monkeypatch.setattr(export, "_copy", failing_copy)
    con = duckdb.connect(str(demo.out_dir / "warehouse.duckdb"), read_only=True)
    with pytest.raises(OSError, match="disk full"):
        export.write_parquet(con, demo, target)
    con.close()
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]


def test_cli_export_without_warehouse_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["export", "--parquet", str(tmp_path / "lake"), "--config", str(REPO / "pipeline.toml"),
                                      "--raw", str(REPO / "data" / "raw"), "--out", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "找不到数据仓库" in result.output and "pipeline run" in result.output
    assert not (tmp_path / "lake").exists()
