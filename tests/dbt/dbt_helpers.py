"""Run the dbt project in-process on a throwaway warehouse (tests only)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from orchestration.ingest.schemas import SOURCES, raw_table_ddl
from orchestration.settings import DBT_PROJECT_DIR

TEST_HASH_KEY = "cx-test-key-for-dbt-tests"


def create_raw_tables(warehouse_path: Path) -> None:
    """The nine raw tables exactly as ingest creates them, empty."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute("create schema if not exists raw")
        for source in SOURCES.values():
            con.execute(raw_table_ddl(source))
    finally:
        con.close()


def query(warehouse_path: Path, sql: str) -> list[tuple]:
    """`sql`'s rows, read through a short read-only connection to the warehouse."""
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_dbt(args: list[str], work_dir: Path, dbt_vars: dict | None = None) -> None:
    """`dbt <args>` with target and logs under work_dir; raises with the failing nodes on failure."""
    command = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--quiet",
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    try:
        result = dbtRunner().invoke(command)
    finally:
        release_warehouse()
    if not result.success:
        failures = []
        for node_result in getattr(result.result, "results", None) or []:
            if str(node_result.status) in ("error", "fail"):
                failures.append(f"{node_result.node.unique_id}: {node_result.message}")
        raise AssertionError(f"dbt {' '.join(args)} failed: {result.exception or failures}")


def release_warehouse() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open in-process, so the test can open the file itself."""
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None
