"""Warehouse maintenance: rewrite the tables that deleted rows have left sparse.

Incremental models replace rows by deleting and re-inserting them (`replace_keys`), and a deleted row
stays in its row group until that group is rewritten. DuckDB rewrites ("vacuums") such groups at every
checkpoint, and every large commit of a build checkpoints. For these tables (a day restamps the rows
whose FCR windows or SLAs moved, scattered over two weeks of row groups) that is costly and repetitive:
measured on 1M interactions a day, 4.9 s of the dbt build; over 29 days at 100k a day, ≈ 5.5 s of the
build by day 30, where one rewrite of the sparse tables after those 29 days took 20 s. So the pipeline's
connections to the warehouse do not vacuum (`max_vacuum_tasks = 0`: `resources.connect_warehouse`, the
dbt profile), and deleted rows are reclaimed lazily instead: the weekly `compact_warehouse_job` (or
`make compact`) rewrites each table whose deleted rows reach MIN_DEAD_SHARE of its stored rows. The
published marts file is not vacuumed by the daily publish either (`publish.PUBLISH_VACUUM_TASKS`): the
same job then republishes it as a fresh file (`republish_fresh`).

Row groups whose every row was deleted are still dropped at each checkpoint (DuckDB does that without
vacuuming). Erasures do not rely on any of this: they rewrite the whole file (`erasure.compact`).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT

# DuckDB's setting for the warehouse's pipeline connections (and the dbt profile's `max_vacuum_tasks`).
DAILY_VACUUM_TASKS = 0
# A table is rewritten once deleted rows are this share of its stored rows, and at least a row group's
# worth (DuckDB's 122,880 rows): a small table's few deleted rows cost nothing worth a rewrite.
MIN_DEAD_SHARE = 0.25
MIN_DEAD_ROWS = 122_880


def _quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


def table_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every base table's stored rows (live and deleted, as its row groups hold them) and live rows.

    The stored rows are the catalog's `estimated_size`: the rows the table's row groups hold, deleted ones
    included, exactly what `pragma_storage_info` counts (`test_stored_rows_are_what_the_row_groups_hold`),
    without listing every segment of every column. Measured at day 30 of 100k interactions a day and at
    1M a day: 0.001 s against 0.13 s for the marts file (which every publish reads) and 0.40–0.86 s for
    the warehouse.
    """
    tables = con.execute(
        "select schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary order by 1, 2"
    ).fetchall()
    out = []
    for schema, table, stored in tables:
        (live,) = con.execute(f"select count(*) from {_quoted(schema, table)}").fetchone()
        out.append({"table": f"{schema}.{table}", "stored_rows": int(stored), "live_rows": int(live)})
    return out


def stored_and_live(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Rows the database's tables store (deleted ones included) and their live rows."""
    tables = table_rows(con)
    return sum(entry["stored_rows"] for entry in tables), sum(entry["live_rows"] for entry in tables)


def compact_tables(
    con: duckdb.DuckDBPyConnection, min_dead_share: float = MIN_DEAD_SHARE, min_dead_rows: int = MIN_DEAD_ROWS
) -> list[dict]:
    """Rewrite each table whose deleted rows are at least `min_dead_share` of its stored rows and at least
    `min_dead_rows`.

    The rewrite keeps the rows' order (the order they were written in, so `_built_at` zone maps keep
    skipping old row groups for the high water marks), columns and types. Returns what was found and
    done per table (`rewritten`, `seconds`).
    """
    con.execute("set preserve_insertion_order = true")
    report = []
    for entry in table_rows(con):
        stored, live = entry["stored_rows"], entry["live_rows"]
        dead = stored - live
        entry["dead_share"] = round(dead / stored, 4) if stored else 0.0
        entry["rewritten"] = bool(stored) and dead >= min_dead_rows and dead / stored >= min_dead_share
        if entry["rewritten"]:
            schema, table = entry["table"].split(".", 1)
            started = time.perf_counter()
            con.execute("begin")
            con.execute(f"create or replace table {_quoted(schema, table)} as from {_quoted(schema, table)}")
            con.execute("commit")
            entry["seconds"] = round(time.perf_counter() - started, 3)
        report.append(entry)
    con.execute("checkpoint")
    return report


def republish_fresh(
    warehouse_path: Path,
    marts_path: Path,
    work_dir: Path,
    parquet_dir: Path | None,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
) -> dict:
    """The published marts file rebuilt as a fresh file (no deleted rows, no free blocks), swapped in as
    every publish is, with the state the next day's patch publish starts from. Returns the rows and bytes
    published and the seconds taken."""
    from orchestration.publish import mart_unique_keys, publish_marts

    if not marts_path.exists():  # nothing published yet: the first build's publish will be fresh
        return {"rows": 0, "bytes": 0, "seconds": 0.0}
    started = time.perf_counter()
    rows = publish_marts(
        warehouse_path,
        marts_path,
        parquet_dir=parquet_dir,
        work_dir=work_dir,
        keys=mart_unique_keys(),
        full=True,
        memory_limit=memory_limit,
    )
    return {
        "rows": sum(rows.values()),
        "bytes": marts_path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 3),
    }
