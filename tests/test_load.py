"""The warehouse's memory cap: fixed while loading, growing with the rows for queries."""

from __future__ import annotations

from pipeline import load


def _cap(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_connect_caps_memory_and_queries_get_more_as_rows_grow(tmp_path):
    con = load.connect(tmp_path / "warehouse.duckdb", memory_mb=16)
    assert _cap(con) == "16.0 MiB"
    con.execute(
        "insert into items select 'a.xlsx', 'Sheet1', 0, i + 2, 'website', date '2019-01-01', 't' || i, null, null, 't' || i, null "
        "from range(70000) t(i)"
    )
    load.cap_for_queries(con, 16)
    assert _cap(con) == "17.0 MiB"  # 70,000 rows × 256 bytes = 17.1 MiB, in whole MiB
    load.cap_for_queries(con, 64)
    assert _cap(con) == "64.0 MiB"  # the configured cap when the rows need less
    con.close()


def test_a_frame_loaded_by_name_is_not_kept_by_the_connection(tmp_path):
    import gc

    import pyarrow as pa

    con = load.connect(tmp_path / "warehouse.duckdb")
    table = pa.table({"file": ["a.xlsx"] * 1000, "severity": ["note"] * 1000, "rule": ["r"] * 1000, "message": ["m" * 1000] * 1000})
    before = pa.total_allocated_bytes()
    load.insert_frame(con, "file_problems", table)
    del table
    gc.collect()
    assert pa.total_allocated_bytes() < before  # con.register would have kept the table alive
    assert con.execute("select count(*) from file_problems").fetchall() == [(1000,)]
    con.close()


def _title_compression(con) -> list[str]:
    return sorted({c for (c,) in con.execute(
        "select compression from pragma_storage_info('items') where column_name = 'title' and segment_type = 'VARCHAR'"
    ).fetchall()})


ITEMS = (
    "insert into items select 'a.xlsx', 'Sheet1', 0, i + 2, 'website', date '2019-01-01', '关于开展第' || (i % 50) || '次检查的通知', "
    "null, null, '关于开展第' || (i % 50) || '次检查的通知', null from range(300000) t(i)"
)


def test_throwaway_rows_are_written_uncompressed_and_the_next_connection_compresses_again(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = load.connect(path, memory_mb=16)
    load.throwaway(con)  # pipeline validate: its rows are rolled back, so compressing them is wasted work
    con.execute(ITEMS)
    assert _title_compression(con) == ["Uncompressed"]
    con.close()
    con = load.connect(path, memory_mb=16)  # the next run
    con.execute("delete from items")
    con.execute(ITEMS)
    con.execute("checkpoint")
    assert "Uncompressed" not in _title_compression(con)
    assert con.execute("select count(*) from items").fetchall() == [(300000,)]
    con.close()
