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


# Incremental publish: the previous file patched with what was rebuilt since equals a full copy.

KEYS = {"fct": ["channel", "interaction_id"], "daily": ["client_id"]}


def write_marts(path, statements):
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    for statement in statements:
        con.execute(statement)
    con.close()


def published_rows(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()]
        return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in sorted(tables)}
    finally:
        con.close()


def publish_both(tmp_path, warehouse, **options):
    """Incremental publish to marts.duckdb and a full one to full.duckdb; returns how each table went."""
    how = {}
    publish_marts(
        warehouse, tmp_path / "marts.duckdb", keys=KEYS, work_dir=tmp_path / "tmp", report=how, **options
    )
    publish_marts(warehouse, tmp_path / "full.duckdb", work_dir=tmp_path / "tmp_full")
    assert published_rows(tmp_path / "marts.duckdb") == published_rows(tmp_path / "full.duckdb")
    return how


def test_incremental_publish_patches_changed_keys_and_equals_a_full_copy(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    write_marts(
        warehouse,
        [
            "create table marts.fct as select * from (values "
            "('voice', 'a', 1, timestamp '2025-01-01'), ('voice', 'b', 2, timestamp '2025-01-01'), "
            "('chat', 'a', 3, timestamp '2025-01-01'), ('chat', null, 4, timestamp '2025-01-01')) "
            "t(channel, interaction_id, value, _built_at)",
            "create table marts.daily as select * from (values "
            "('c1', 10, timestamp '2025-01-01'), ('c1', 11, timestamp '2025-01-01'), "
            "('c2', 20, timestamp '2025-01-01')) t(client_id, n, _built_at)",
            "create table marts.dim as select 1 as id",  # no key, no _built_at: always copied
        ],
    )
    assert publish_both(tmp_path, warehouse) == {"fct": "copied", "daily": "copied", "dim": "copied"}

    # a day later: b changed, chat/a gone, voice/c new, the null key untouched; client c1's scope rebuilt
    # with one row fewer; client c2 untouched
    write_marts(
        warehouse,
        [
            "update marts.fct set value = 22, _built_at = timestamp '2025-01-02' where interaction_id = 'b'",
            "delete from marts.fct where channel = 'chat' and interaction_id = 'a'",
            "insert into marts.fct values ('voice', 'c', 5, timestamp '2025-01-02')",
            "delete from marts.daily where client_id = 'c1'",
            "insert into marts.daily values ('c1', 12, timestamp '2025-01-02')",
        ],
    )
    how = publish_both(tmp_path, warehouse)
    assert how == {"fct": "patched (2 rows)", "daily": "patched (1 rows)", "dim": "copied"}
    assert published_rows(tmp_path / "marts.duckdb")["daily"] == [("c1", 12), ("c2", 20)]

    # nothing rebuilt: a rerun publishes the same content, patching nothing
    assert publish_both(tmp_path, warehouse)["fct"] == "patched (0 rows)"


def test_incremental_publish_falls_back_to_a_full_copy_when_in_doubt(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    rows = "select range as interaction_id, 'voice' as channel, range as value, timestamp '2025-01-01' as _built_at"
    write_marts(warehouse, [f"create table marts.fct as {rows} from range(10)"])
    publish_both(tmp_path, warehouse)

    # a new column: the table is copied whole
    write_marts(warehouse, ["alter table marts.fct add column extra integer default 1"])
    assert publish_both(tmp_path, warehouse) == {"fct": "copied"}

    # most rows rebuilt (a full refresh): copied rather than patched
    write_marts(
        warehouse, ["update marts.fct set _built_at = timestamp '2025-01-03' where interaction_id < 8"]
    )
    assert publish_both(tmp_path, warehouse) == {"fct": "copied"}

    # the published file is not the one the state describes (restored by hand): copied
    publish_marts(warehouse, tmp_path / "other.duckdb")
    os.replace(tmp_path / "other.duckdb", published)
    write_marts(
        warehouse,
        ["update marts.fct set value = 0, _built_at = timestamp '2025-01-04' where interaction_id = 1"],
    )
    assert publish_both(tmp_path, warehouse) == {"fct": "copied"}

    # asked for a fresh file (after an erasure): copied
    write_marts(
        warehouse,
        ["update marts.fct set value = 1, _built_at = timestamp '2025-01-05' where interaction_id = 1"],
    )
    assert publish_both(tmp_path, warehouse, full=True) == {"fct": "copied"}

    # a mart dropped from the warehouse leaves the published file too
    write_marts(warehouse, [f"create table marts.other as {rows} from range(2)", "drop table marts.fct"])
    publish_both(tmp_path, warehouse)
    assert set(published_rows(published)) == {"other"}


def test_a_patch_by_a_key_coarser_than_the_rebuild_copies_the_table_whole(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    write_marts(
        warehouse,
        [
            "create table marts.daily as select * from (values "
            "('c1', 10, timestamp '2025-01-01'), ('c1', 11, timestamp '2025-01-01'), "
            "('c2', 20, timestamp '2025-01-01'), ('c3', 30, timestamp '2025-01-01'), "
            "('c4', 40, timestamp '2025-01-01')) t(client_id, n, _built_at)"
        ],
    )
    publish_both(tmp_path, warehouse)
    # dbt replaced one row of client c1 by a finer key than the publish knows (a stale manifest): a patch
    # by client_id would delete c1's other row and insert only the changed one
    write_marts(warehouse, ["update marts.daily set n = 12, _built_at = timestamp '2025-01-02' where n = 10"])
    assert publish_both(tmp_path, warehouse) == {"daily": "copied (a patch by its key lost rows)"}


def test_a_patched_file_left_mostly_free_by_deletes_is_rebuilt_whole(tmp_path, monkeypatch):
    import orchestration.publish as publish

    monkeypatch.setattr(publish, "MIN_FREE_BYTES", 0)
    warehouse = tmp_path / "warehouse.duckdb"
    rows = "select range as interaction_id, 'voice' as channel, md5(range::varchar) || md5((range + 1)::varchar) as text, timestamp '2025-01-01' as _built_at"
    write_marts(warehouse, [f"create table marts.fct as {rows} from range(200000)"])
    publish_both(tmp_path, warehouse)
    write_marts(warehouse, ["delete from marts.fct where interaction_id >= 50000"])  # keys gone: deletes only
    before = (tmp_path / "marts.duckdb").stat().st_size
    assert publish_both(tmp_path, warehouse) == {"fct": "copied"}
    assert (tmp_path / "marts.duckdb").stat().st_size < before


def stored_and_live(path, table):
    from orchestration.maintenance import table_rows

    con = duckdb.connect(str(path), read_only=True)
    try:
        entry = next(entry for entry in table_rows(con) if entry["table"] == f"main.{table}")
        return entry["stored_rows"], entry["live_rows"]
    finally:
        con.close()


def test_a_patch_keeps_the_rows_it_replaces_until_they_reach_max_dead_share_then_the_file_is_fresh(
    tmp_path, monkeypatch
):
    """The daily publish does not vacuum (DuckDB's default would rewrite every row group holding a
    replaced row); deleted rows are reclaimed by a fresh file once they reach MAX_DEAD_SHARE of what it
    stores (a missed weekly compaction)."""
    import orchestration.publish as publish

    monkeypatch.setattr(publish, "MAX_DEAD_SHARE", 0.3)
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    rows = "select range as interaction_id, 'voice' as channel, range as value, timestamp '2025-01-01' as _built_at"
    write_marts(warehouse, [f"create table marts.fct as {rows} from range(400000)"])
    publish_both(tmp_path, warehouse)
    assert stored_and_live(published, "fct") == (400_000, 400_000)

    def restamp(day, quarter):  # a quarter of the rows rebuilt, scattered over every row group
        write_marts(
            warehouse,
            [
                f"update marts.fct set value = value + 1, _built_at = timestamp '2025-01-0{day}' "
                f"where interaction_id % 4 = {quarter}"
            ],
        )
        return publish_both(tmp_path, warehouse)

    assert restamp(2, quarter=0) == {"fct": "patched (100000 rows)"}
    assert stored_and_live(published, "fct") == (500_000, 400_000)  # the replaced rows are still stored
    # the next patch leaves deleted rows at 200,000 of 600,000 stored rows (a third): a fresh file instead
    assert restamp(3, quarter=1) == {"fct": "copied"}
    assert stored_and_live(published, "fct") == (400_000, 400_000)
    # and the day after, the fresh file is patched again
    assert restamp(4, quarter=2) == {"fct": "patched (100000 rows)"}
    assert stored_and_live(published, "fct") == (500_000, 400_000)


# Copy ahead: the published file copied while dbt builds, for the publish to patch.


def publish_with(tmp_path, warehouse, **options):
    """`publish_both`; what the incremental file started from."""
    started = {}
    publish_both(tmp_path, warehouse, file_report=started, **options)
    return started["started_from"]


def leftovers(tmp_path):
    return sorted(path.name for path in (tmp_path / "tmp").iterdir() if not path.name.endswith(".json"))


FCT = (
    "select range as interaction_id, 'voice' as channel, range as value, timestamp '2025-01-01' as _built_at"
)


def test_a_copy_made_ahead_is_what_the_publish_patches_and_nothing_is_left_behind(tmp_path):
    from orchestration.publish import copy_ahead

    warehouse = tmp_path / "warehouse.duckdb"
    write_marts(warehouse, [f"create table marts.fct as {FCT} from range(1000)"])
    assert not copy_ahead(tmp_path / "marts.duckdb", tmp_path / "tmp")  # nothing published yet
    assert publish_with(tmp_path, warehouse) == "an empty file"

    write_marts(
        warehouse, ["update marts.fct set value = -1, _built_at = '2025-01-02' where interaction_id < 10"]
    )
    assert copy_ahead(tmp_path / "marts.duckdb", tmp_path / "tmp")
    assert publish_with(tmp_path, warehouse) == "the published file, copied ahead"
    assert leftovers(tmp_path) == []

    # without a copy ahead (another process, or none asked for), the publish copies the file itself
    write_marts(
        warehouse, ["update marts.fct set value = -2, _built_at = '2025-01-03' where interaction_id < 5"]
    )
    assert publish_with(tmp_path, warehouse) == "the published file, copied now"

    # a fresh file (after an erasure) ignores the copy and removes it
    assert copy_ahead(tmp_path / "marts.duckdb", tmp_path / "tmp")
    assert publish_with(tmp_path, warehouse, full=True) == "an empty file"
    assert leftovers(tmp_path) == []


def test_a_copy_ahead_of_a_file_replaced_since_is_not_used(tmp_path, monkeypatch):
    """Another publish in between (the copy is of yesterday's file): patching it would lose that publish's
    rows, so the current file is copied instead."""
    import orchestration.publish as publish

    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    write_marts(warehouse, [f"create table marts.fct as {FCT} from range(1000)"])
    publish_with(tmp_path, warehouse)
    assert publish.copy_ahead(published, tmp_path / "tmp")
    copy, identity = publish._take_ahead(published)  # the copy, made ahead, of the file published so far
    stale = (copy.rename(copy.with_name("kept-copy")), identity)  # out of the sweeps' reach
    write_marts(
        warehouse, ["update marts.fct set value = -1, _built_at = '2025-01-02' where interaction_id < 10"]
    )
    publish_with(tmp_path, warehouse)  # a publish from elsewhere replaces the file (and its state)
    monkeypatch.setattr(publish, "_take_ahead", lambda path: stale)

    write_marts(
        warehouse, ["update marts.fct set value = -2, _built_at = '2025-01-03' where interaction_id < 20"]
    )
    assert publish_with(tmp_path, warehouse) == "the published file, copied now"
    assert published_rows(published)["fct"].count((5, "voice", -2)) == 1
    assert not stale[0].exists()  # removed, not left behind


def test_a_copy_left_by_a_killed_process_is_swept_by_the_next_publish(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    write_marts(warehouse, [f"create table marts.fct as {FCT} from range(10)"])
    publish_with(tmp_path, warehouse)
    (tmp_path / "tmp" / ".marts.duckdb.0123abcd.ahead").write_bytes(b"half a copy")
    publish_with(tmp_path, warehouse)
    assert leftovers(tmp_path) == []


def test_marts_published_two_at_a_time_equal_one_at_a_time(tmp_path, monkeypatch):
    """Workers on cursors of their own, the largest table first: the same file and the same report as one
    table at a time, and no cursor left open (the file is opened for writing again)."""
    import orchestration.publish as publish

    warehouse = tmp_path / "warehouse.duckdb"
    statements = [f"create table marts.fct_{n} as {FCT} from range({1000 * n})" for n in range(1, 7)]
    statements += [f"create table marts.dim_{n} as select range as id from range({n})" for n in range(6)]
    keys = {f"fct_{n}": ["channel", "interaction_id"] for n in range(1, 7)}
    changed = "set value = -1, _built_at = '2025-01-02' where interaction_id < 50"
    days = [
        statements,
        [f"update marts.fct_{n} {changed}" for n in (2, 5)],
        [f"delete from marts.fct_{n} where interaction_id % 7 = 0" for n in (1, 6)],
    ]
    reports = {1: [], 2: []}
    for day in days:
        write_marts(warehouse, day)
        for workers in (1, 2):
            monkeypatch.setattr(publish, "PUBLISH_WORKERS", workers)
            how, out = {}, tmp_path / f"workers_{workers}"
            counts = publish_marts(
                warehouse, out / "marts.duckdb", keys=keys, work_dir=out / "tmp", report=how
            )
            reports[workers].append((list(counts.items()), how))
    assert reports[1] == reports[2]
    assert reports[2][1][1]["fct_2"] == "patched (50 rows)"
    assert published_rows(tmp_path / "workers_1" / "marts.duckdb") == published_rows(
        tmp_path / "workers_2" / "marts.duckdb"
    )
    # another process can open the file for writing: no cursor of the publish holds its lock
    opener = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
    subprocess.run([sys.executable, "-c", opener, str(tmp_path / "workers_2" / "marts.duckdb")], check=True)


def test_publish_runs_under_the_memory_limit_it_is_given(tmp_path):
    # DuckDB's default would be 80 % of the machine's memory: CX_DUCKDB_MEMORY_LIMIT bounds the publish too
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute("create table marts.fct as select range as id, range::varchar as label from range(300000)")
    con.close()
    with pytest.raises(duckdb.OutOfMemoryException):
        publish_marts(warehouse, published, memory_limit="1MB")
    assert not published.exists()  # nothing half-built swapped in
    assert publish_marts(warehouse, published, memory_limit="256MB") == {"fct": 300_000}


class Forwarded(Exception):
    pass


def test_every_publish_of_the_pipeline_passes_the_configured_memory_limit(tmp_path, monkeypatch):
    from dagster import build_asset_context, build_op_context

    from orchestration import erasure
    from orchestration.assets.publish import marts_file
    from orchestration.jobs import republish_marts
    from orchestration.resources import WarehouseResource
    from orchestration.settings import Settings

    seen = []

    def spy(*args, memory_limit, **kwargs):
        seen.append(memory_limit)
        raise Forwarded

    for module in ("orchestration.publish", "orchestration.assets.publish", "orchestration.erasure"):
        monkeypatch.setattr(f"{module}.publish_marts", spy)
    (tmp_path / "marts.duckdb").touch()  # the weekly republish starts only where a file was published

    def warehouse(memory_limit):
        return WarehouseResource(
            path=str(tmp_path / "warehouse.duckdb"),
            published_path=str(tmp_path / "marts.duckdb"),
            memory_limit=memory_limit,
        )

    settings = Settings(landing_root=str(tmp_path), warehouse_dir=tmp_path, duckdb_memory_limit="5GB")
    for publish in (
        lambda: marts_file(context=build_asset_context(), warehouse=warehouse("3GB")),  # the daily publish
        lambda: republish_marts(build_op_context(), warehouse=warehouse("4GB")),  # the weekly compaction's
        lambda: erasure.republish(settings),  # after an erasure
    ):
        with pytest.raises(Forwarded):
            publish()
    assert seen == ["3GB", "4GB", "5GB"]
