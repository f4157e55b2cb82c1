"""Publish the marts as their own DuckDB file: built aside, checkpointed, swapped in atomically.

A BI tool holding the previous file open keeps reading its snapshot (the old inode); the next reader
opens the new file. The working warehouse is never opened by readers, so they never block a run.

In the published file the marts are in its default schema, so with the file named `marts.duckdb` a BI
tool writes `marts.csat_daily` (catalog `marts`), exactly as in the warehouse (schema `marts`); a schema
also named `marts` would make every such reference ambiguous in DuckDB.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _sweep(directory: Path, pattern: str) -> None:
    """Remove what a publish killed mid-way left behind: writers are serialised, so nothing else owns it."""
    if directory.is_dir():
        _remove_quietly(*directory.glob(pattern))


def _build_dir(marts_path: Path, work_dir: Path | None) -> Path:
    """Where the new file is built: `work_dir` when on the marts file's filesystem (os.replace needs that)."""
    if work_dir is None:
        return marts_path.parent
    work_dir.mkdir(parents=True, exist_ok=True)
    return work_dir if work_dir.stat().st_dev == marts_path.parent.stat().st_dev else marts_path.parent


# Pipeline bookkeeping that BI tools should not see: it changes on every run, so a rerun of the same
# day would publish different bytes for the same figures.
INTERNAL_COLUMNS = ("_built_at",)


def _published_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = 'warehouse' and table_schema = ? and table_name = ?",
            [MARTS_SCHEMA, table],
        ).fetchall()
    }
    internal = [f'"{name}"' for name in INTERNAL_COLUMNS if name in columns]
    return f"* exclude ({', '.join(internal)})" if internal else "*"


def publish_marts(
    warehouse_path: Path,
    marts_path: Path,
    *,
    parquet_dir: Path | None = None,
    work_dir: Path | None = None,
) -> dict[str, int]:
    """Copy every table of schema `marts` into a fresh file and swap it in; returns row counts.

    The file is built in `work_dir` (the pipeline passes the warehouse's private temp folder), so a crash
    mid-publish leaves nothing beside the published file; the next publish sweeps such leftovers.
    """
    marts_path.parent.mkdir(parents=True, exist_ok=True)
    build_dir = _build_dir(marts_path, work_dir)
    leftovers = f".{marts_path.name}.*.building*"
    _sweep(marts_path.parent, leftovers)
    _sweep(build_dir, leftovers)
    staging_path = build_dir / f".{marts_path.name}.{uuid.uuid4().hex}.building"
    wal_path = staging_path.with_name(staging_path.name + ".wal")
    row_counts: dict[str, int] = {}
    try:
        con = duckdb.connect(str(staging_path))
        try:
            con.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
            for table in mart_tables(con, "warehouse"):
                con.execute(
                    f'create table main."{table}" as select {_published_columns(con, table)} '
                    f'from warehouse.{MARTS_SCHEMA}."{table}"'
                )
                (row_counts[table],) = con.execute(f'select count(*) from main."{table}"').fetchone()
            con.execute("detach warehouse")
            if parquet_dir is not None:
                export_parquet(con, row_counts, parquet_dir)
            con.execute("checkpoint")
        finally:
            con.close()
        if not row_counts:
            raise RuntimeError(f"No tables in schema {MARTS_SCHEMA} of {warehouse_path}: nothing to publish.")
        os.replace(staging_path, marts_path)
    finally:
        _remove_quietly(staging_path, wal_path)
    return row_counts


def export_parquet(con: duckdb.DuckDBPyConnection, tables, parquet_dir: Path) -> None:
    """One Parquet file per mart, each written aside and renamed into place."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    _sweep(parquet_dir, ".*.parquet.*")
    for table in tables:
        target = parquet_dir / f"{table}.parquet"
        partial = parquet_dir / f".{table}.parquet.{uuid.uuid4().hex}"
        try:
            con.execute(f"copy main.\"{table}\" to '{partial}' (format parquet, compression zstd)")
            os.replace(partial, target)
        finally:
            _remove_quietly(partial)
