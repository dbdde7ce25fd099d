"""Open export: the warehouse's accepted rows and the tidy tables as Hive-partitioned Parquet.

Layout under the target folder, readable by DuckDB, Spark or Trino without this package::

    kind=publication/year=2019/data_0.parquet   items of the channel logs (year of 发布日期)
    kind=applications/year=…                    request register rows (year of 收到日期)
    kind=appeals/year=…                         appeal register rows (year of 收到日期)
    kind=documents/year=…                       documents register rows (year of 制发日期)
    kind=services/year=…                        service figure rows (年度)
    kind=tables/year=…                          tables.csv of every report year, plus its format

Rows keep their lineage (file, sheet, excel_row). Publication and document rows
carry ``duplicate`` (true for a second listing, which the tables count once), not
the normalised keys that the duplicate checks compare.
A kind with no rows has no folder. The whole folder is written under a
temporary name beside the target and then renamed into place: a reader sees the
old export or the new one, never a mix (between the two renames, for an instant,
neither).
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pandas as pd

# kind → query of its rows with a `year` column. The normalised match keys of the duplicate checks (title_key, …)
# stay in the warehouse: `duplicate` says what they found, and leaving them out halved the export's time.
KINDS = {
    "publication": "select i.* exclude (title_key, link_key), d.file is not null as duplicate, year(i.published) as year "
                   "from items as i left join item_duplicates as d using (file, sheet_no, excel_row)",
    "applications": "select *, year(received) as year from request_rows",
    "appeals": "select *, year(received) as year from appeal_rows",
    "documents": "select r.* exclude (name_key, doc_no_key), d.file is not null as duplicate, year(r.made) as year "
                 "from document_rows as r left join document_duplicates as d using (file, sheet_no, excel_row)",
    "services": "select * from service_rows",
}


def tidy_tables(con, cfg, known: dict[int, tuple[str, pd.DataFrame]] | None = None) -> pd.DataFrame:
    """tables.csv of every report year in one frame, with columns year and format added.

    ``known``: {year: (format, values)} a run has already built; the other years are built here.
    """
    from pipeline import aggregate, compare, render

    years = aggregate.report_years(con)
    known = known or {}
    built = {**compare.history(con, cfg, [y for y in years if y not in known]), **known}
    frames = []
    for year in years:
        fmt, values = built[year]
        frames.append(render.tidy(values, fmt, cfg.channels).assign(format=fmt, year=year))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_parquet(con, cfg, target: Path, known: dict[int, tuple[str, pd.DataFrame]] | None = None) -> Path:
    """Write the export to ``target`` (replacing what is there); return it. ``known``: as for `tidy_tables`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    tmp = target.with_name(f".{target.name}.{token}.tmp")
    old = target.with_name(f".{target.name}.{token}.old")
    tmp.mkdir()
    try:
        for kind, query in KINDS.items():
            # Ordered by lineage: rows arrive in the warehouse in the order workers finish.
            _copy(con, query, tmp / f"kind={kind}", order="order by file, sheet_no, excel_row")
        tables = tidy_tables(con, cfg, known)
        if len(tables):
            con.register("export_tables", tables)
            try:
                _copy(con, "select * from export_tables", tmp / "kind=tables")
            finally:
                con.unregister("export_tables")
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


def _copy(con, query: str, folder: Path, order: str = "") -> None:
    """COPY the query's rows to ``folder``/year=…/data_0.parquet, one year at a time (no folder when there are none).

    One COPY per year, not one partitioned COPY: a partitioned write holds a buffer per
    year that cannot go to disk, and under the warehouse's memory cap ([limits]
    warehouse_memory_mb) a ten-year export would run out of memory; a single file's
    sort can. As with a partitioned write, the year is in the folder name, not in the file.
    """
    years = [y for (y,) in con.execute(f"select distinct year from ({query}) order by year").fetchall()]
    for year in years:
        target = folder / f"year={'NULL' if year is None else year}"
        target.mkdir(parents=True)
        con.execute(
            f"copy (select * exclude (year) from ({query}) where year is not distinct from $year {order}) to $path (format parquet)",
            {"year": year, "path": str(target / "data_0.parquet")},
        ).fetchall()
