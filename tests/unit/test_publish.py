"""Publishing: the marts file holds the marts only, is swapped in whole, and never blocks on readers."""

import os
import subprocess
import sys

import duckdb
import pytest

from orchestration.publish import publish_marts


def make_warehouse(path, value):
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    con.execute("create or replace table raw.voice_calls as select 'secret@example.com' as email")
    con.execute(
        f"create or replace table marts.csat_daily as select {value} as responses, now() as _built_at"
    )
    con.execute("create or replace table marts.nps_monthly as select * from range(3) t(n)")
    con.close()


def test_publish_copies_every_mart_and_nothing_else(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    make_warehouse(warehouse, 7)
    counts = publish_marts(warehouse, published)
    assert counts == {"csat_daily": 1, "nps_monthly": 3}
    con = duckdb.connect(str(published), read_only=True)
    schemas = {
        s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()
    }
    assert schemas == {"main"}
    # BI tools address the file's tables as marts.<table>, as in the warehouse
    assert con.execute("select * from marts.csat_daily").fetchall() == [(7,)]  # no _built_at for BI


def test_publish_leaves_no_temporary_files_and_exports_parquet(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "out" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, published, parquet_dir=tmp_path / "parquet")
    assert sorted(os.listdir(published.parent)) == ["marts.duckdb"]
    assert sorted(os.listdir(tmp_path / "parquet")) == ["csat_daily.parquet", "nps_monthly.parquet"]
    assert duckdb.sql(
        f"select count(*) from '{tmp_path / 'parquet' / 'nps_monthly.parquet'}'"
    ).fetchall() == [(3,)]


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:
    print(con.execute("select responses from marts.csat_daily").fetchone()[0], flush=True)
"""


def query_in_other_process(path):
    return subprocess.run(
        [sys.executable, "-c", READER, str(path)], input="q\n", capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_reader_holding_the_old_file_keeps_its_snapshot_and_new_readers_see_new_data(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, published)
    # a BI tool in another process holds the published file open read-only across the publish
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        reader.stdin.write("q\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"
        make_warehouse(warehouse, 2)
        publish_marts(warehouse, published)
        reader.stdin.write("q\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert query_in_other_process(published) == "2"


def test_a_failed_publish_keeps_the_previous_file(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, published)
    before = published.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_marts(empty, published)
    assert published.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["empty.duckdb", "marts.duckdb", "warehouse.duckdb"]
