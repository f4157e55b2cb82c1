"""Deleted rows: kept by the pipeline's checkpoints (no vacuum), reclaimed by the compaction."""

from pathlib import Path

import duckdb
import yaml

from orchestration.maintenance import DAILY_VACUUM_TASKS, compact_tables, table_rows
from orchestration.resources import SESSION_SETTINGS, connect_warehouse
from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, DUCKDB_MEMORY_LIMIT_ENV

ROWS = 400_000  # a little over three row groups


def scattered_deletes(con) -> None:
    """A table of ROWS rows, checkpointed, then two rows in three deleted all over it (as replace_keys
    leaves a table whose rows were restamped), checkpointed again."""
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.fct as select range as id, range % 7 as k from range({ROWS})")
    con.execute("create or replace table marts.small as select range as id from range(10)")
    con.execute("checkpoint")
    con.execute("delete from marts.fct where id % 3 <> 0")
    con.execute("delete from marts.small where id < 8")
    con.execute("checkpoint")


def rows_of(con, table: str) -> dict:
    return next(entry for entry in table_rows(con) if entry["table"] == table)


def test_pipeline_connections_leave_deleted_rows_in_place_where_duckdb_would_vacuum(tmp_path):
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    scattered_deletes(con)
    assert rows_of(con, "marts.fct") == {"table": "marts.fct", "stored_rows": ROWS, "live_rows": 133_334}
    con.close()

    default = duckdb.connect(str(tmp_path / "default.duckdb"))  # DuckDB's own setting vacuums them
    scattered_deletes(default)
    assert rows_of(default, "marts.fct")["stored_rows"] < ROWS


def storage_info_rows(con, table: str) -> int:
    """The rows a table's row groups hold, from every segment DuckDB lists (what table_rows reads faster)."""
    (rows,) = con.execute(
        "select sum(count) from pragma_storage_info(?) where column_id = 0 and column_path = '[0]'", [table]
    ).fetchone()
    return int(rows)


def test_stored_rows_are_what_the_row_groups_hold(tmp_path):
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    scattered_deletes(con)
    # rows replaced as a patch or replace_keys does: some deleted, as many appended, then a commit's
    # checkpoint, and an uncheckpointed append on top
    con.execute("delete from marts.fct where id % 3 = 0 and id < 100000")
    con.execute("insert into marts.fct select range, 1 from range(1000000, 1033334)")
    con.execute("checkpoint")
    con.execute("insert into marts.small select range from range(100, 105)")
    for table in ("marts.fct", "marts.small"):
        assert rows_of(con, table)["stored_rows"] == storage_info_rows(con, table)
    assert rows_of(con, "marts.fct") == {
        "table": "marts.fct",
        "stored_rows": ROWS + 33_334,
        "live_rows": 133_334,
    }
    con.close()


def test_the_dbt_profile_has_the_pipeline_session_settings_so_it_does_not_vacuum_either():
    profiles = Path(__file__).parents[2] / "dbt_project" / "profiles.yml"
    settings = yaml.safe_load(profiles.read_text())["cx_warehouse"]["outputs"]["dev"]["settings"]
    assert {name: str(settings.get(name)).lower() for name in SESSION_SETTINGS} == SESSION_SETTINGS
    assert settings["max_vacuum_tasks"] == DAILY_VACUUM_TASKS == 0
    # and the pipeline's memory limit, with the same default
    limit = f"{{{{ env_var('{DUCKDB_MEMORY_LIMIT_ENV}', '{DEFAULT_DUCKDB_MEMORY_LIMIT}') }}}}"
    assert settings["memory_limit"] == limit


def test_compaction_rewrites_only_sparse_tables_and_keeps_their_rows_in_order(tmp_path):
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    scattered_deletes(con)
    before = con.execute("select id, k from marts.fct order by rowid").fetchall()
    report = {entry["table"]: entry for entry in compact_tables(con)}
    fct, small = report["marts.fct"], report["marts.small"]
    assert fct["rewritten"] and fct["dead_share"] == round(1 - 133_334 / ROWS, 4) and fct["seconds"] >= 0
    # 8 of 10 rows deleted, but far less than a row group: not worth a rewrite
    assert not small["rewritten"] and small["dead_share"] == 0.8
    assert rows_of(con, "marts.fct") == {"table": "marts.fct", "stored_rows": 133_334, "live_rows": 133_334}
    # same rows in the same (written) order, so `_built_at` zone maps keep skipping old row groups
    assert con.execute("select id, k from marts.fct order by rowid").fetchall() == before
    # nothing left to do: a second pass rewrites nothing
    assert not any(entry["rewritten"] for entry in compact_tables(con))


def test_the_weekly_job_compacts_the_warehouse_it_is_given_and_republishes_the_marts_fresh(tmp_path):
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.publish import publish_marts
    from orchestration.settings import Settings

    settings = Settings(
        landing_root=str(tmp_path / "landing"), warehouse_dir=tmp_path, duckdb_memory_limit="1GB"
    )
    con = connect_warehouse(settings.warehouse_path)
    scattered_deletes(con)
    con.close()
    # a published file holding deleted rows, as the daily publish leaves them (it does not vacuum)
    publish_marts(settings.warehouse_path, settings.marts_path)
    marts = duckdb.connect(str(settings.marts_path))
    marts.execute("set max_vacuum_tasks = 0")
    marts.execute("insert into fct select range, 0 from range(200000)")
    marts.execute("checkpoint")
    marts.execute("delete from fct where k = 0 and id % 2 = 0")
    marts.execute("checkpoint")
    assert rows_of(marts, "main.fct")["stored_rows"] > rows_of(marts, "main.fct")["live_rows"]
    marts.close()
    defs = build_definitions(settings)
    assert defs.get_schedule_def("compact_warehouse_job_schedule").cron_schedule == "0 5 * * 0"
    result = defs.resolve_job_def("compact_warehouse_job").execute_in_process(
        instance=DagsterInstance.ephemeral()
    )
    assert result.success
    (fct,) = [entry for entry in result.output_for_node("compact_warehouse") if entry["rewritten"]]
    assert fct["table"] == "marts.fct"
    con = connect_warehouse(settings.warehouse_path, read_only=True)
    assert rows_of(con, "marts.fct")["stored_rows"] == 133_334
    con.close()
    # then the marts file, rebuilt from the warehouse's marts: no deleted rows, nothing else
    assert result.output_for_node("republish_marts")["rows"] == 133_334 + 2
    marts = duckdb.connect(str(settings.marts_path), read_only=True)
    assert rows_of(marts, "main.fct") == {"table": "main.fct", "stored_rows": 133_334, "live_rows": 133_334}
    marts.close()


def test_cli_compact_runs_the_job_and_says_what_it_rewrote(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    monkeypatch.setenv("CX_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("CX_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    scattered_deletes(con)
    con.close()
    assert main(["compact"]) == 0
    out = capsys.readouterr().out
    assert "marts.fct: 67% deleted rows, rewritten in" in out and "Compacted 1 of 2 tables." in out
    assert "No marts file published yet: nothing to republish." in out
