"""The warehouse's memory cap: fixed while loading, growing with the rows for queries and more for the export."""

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
    load.cap_for_export(con, 16)
    assert _cap(con) == "34.0 MiB"  # 70,000 rows × 512 bytes = 34.2 MiB
    load.cap_for_queries(con, 64)
    assert _cap(con) == "64.0 MiB"  # the configured cap when the rows need less
    load.cap_for_export(con, 64)
    assert _cap(con) == "64.0 MiB"
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



def test_loading_uses_one_duckdb_thread_and_the_queries_all_again(tmp_path):
    con = load.connect(tmp_path / "warehouse.duckdb")
    threads = lambda: con.execute("select current_setting('threads')").fetchall()[0][0]  # noqa: E731
    cores = threads()
    with load.one_thread(con):
        assert threads() == 1
    assert threads() == cores
    try:
        with load.one_thread(con):
            raise ValueError("a failed load")
    except ValueError:
        pass
    assert threads() == cores
    con.close()


def test_problems_go_in_and_come_back_as_they_were(tmp_path):
    from pipeline.problems import Problem

    con = load.connect(tmp_path / "warehouse.duckdb")
    problems = [
        Problem("error", "date_invalid", "“发布日期”的值“2022-02-30”不是有效日期。", file="website/台账.xlsx", sheet="Sheet1", row=12, column="发布日期", value="2022-02-30"),
        Problem("note", "sheet_without_header", "已跳过（如说明页）。", file="website/台账.xlsx", sheet="说明"),
    ]
    load.insert_frame(con, "file_problems", load.problems_table(problems))
    assert load.stored_file_problems(con) == problems
    load.insert_frame(con, "problems", load.problems_table(problems, 7))
    assert con.execute("select run_id, rule, excel_row from problems order by rule").fetchall() == [(7, "date_invalid", 12), (7, "sheet_without_header", None)]
    con.close()


def _items(n: int):
    import pyarrow as pa

    titles = [f"关于开展第{i}次检查的通知" for i in range(n)]
    return pa.table({
        "file": ["a.xlsx"] * n, "sheet": ["Sheet1"] * n, "sheet_no": [0] * n, "excel_row": list(range(2, n + 2)),
        "channel": ["website"] * n, "published": pa.array([0] * n, pa.date32()), "title": titles, "title_key": titles,
    })


def test_throwaway_rows_stay_out_of_the_database_file_and_the_next_run_writes_as_before(tmp_path):
    path, rows = tmp_path / "warehouse.duckdb", _items(300_000)
    con = load.connect(path, memory_mb=16)
    load.throwaway(con)  # pipeline validate: its rows are rolled back
    con.begin()
    load.insert_frame(con, "items", rows)
    assert con.execute("select count(*), max(excel_row) from items").fetchall() == [(300_000, 300_001)]
    assert path.stat().st_size < 1 << 20  # beyond the 16 MB cap they went to the temporary folder
    con.rollback()
    con.close()
    con = load.connect(path, memory_mb=16)  # the next run: a large insert goes to the file before the commit
    con.begin()
    load.insert_frame(con, "items", rows)
    assert path.stat().st_size > 4 << 20
    con.commit()
    assert con.execute("select count(*) from items").fetchall() == [(300_000,)]
    con.close()
