"""Helpers for the failure-injection tests: a warehouse in a scratch folder, the CLI in real processes
(DuckDB's locks are per process), and content hashes of the published marts."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[2]
TEST_HASH_KEY = "cx-test-key-failure-injection"
DAYS = ("2026-11-02", "2026-11-03", "2026-11-04")
FIRST, LAST = DAYS[0], DAYS[-1]
# Stamped with the dbt invocation's start: differs on every run by design, so left out of content hashes.
RUN_TIME_COLUMNS = {"_built_at"}


@dataclass(frozen=True)
class Site:
    """One self-contained installation: landing root, warehouse folder and Dagster home under `root`."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def marts(self) -> Path:
        return self.warehouse_dir / "marts.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CX_", "DAGSTER_"))}
        return {
            **env,
            "CX_LANDING_ROOT": str(self.landing),
            "CX_WAREHOUSE_DIR": str(self.warehouse_dir),
            "DAGSTER_HOME": str(self.dagster_home),
            "CX_HASH_KEY": TEST_HASH_KEY,
            "CX_PUBLISH_PARQUET": "1",
            # dbt's own unit and data tests run in tests/dbt and test_pipeline; these tests break the
            # orchestration, not the SQL, and would spend 30-40 % of every run on them.
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test test",
            "PYTHONWARNINGS": "ignore",
            # dbt's subprocess loads the privacy plugin from this checkout, like the CLI does
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")])),
        }

    def prepare(self) -> Site:
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT / "orchestration" / "dagster.yaml", self.dagster_home / "dagster.yaml")
        return self

    def copy(self, root: Path) -> Site:
        shutil.copytree(self.root, root, symlinks=True)
        return Site(root)


def cli(
    site: Site, *args: str, timeout: float = 600, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT,
        env=site.env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(site: Site, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT,
        env=site.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_python(site: Site, code: str, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=PROJECT, env=site.env(), text=True, **popen
    )


def run_python(site: Site, code: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=PROJECT,
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def reading(path: Path):
    """A short read-only connection: closed at once, so no other process is ever blocked by the test."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def query(path: Path, sql: str, params=None) -> list[tuple]:
    with reading(path) as con:
        return con.execute(sql, params or []).fetchall()


def _columns(con, table: str, schema: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def _select_list(columns) -> str:
    # Doubles rounded: a parallel sum may differ in the last bit between runs; that is not a content change.
    return ", ".join(
        f'round("{name}", 9) as "{name}"' if dtype in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, dtype in columns
        if name not in RUN_TIME_COLUMNS
    )


def marts_hashes(path: Path, schema: str = "main") -> dict[str, tuple[str, int]]:
    """table -> (md5 of its sorted rows, row count), run-time stamps left out: the marts' content."""
    hashes = {}
    with reading(path) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        for table in tables:
            select = _select_list(_columns(con, table, schema))
            hashes[table] = con.execute(
                f"select md5(coalesce(string_agg(row_json, chr(10) order by row_json), '')), count(*) "
                f"from (select to_json(content)::VARCHAR as row_json "
                f'from (select {select} from "{schema}"."{table}") as content)'
            ).fetchone()
    return hashes


def mart_rows(path: Path, table: str) -> list[dict]:
    """Every row of a published mart as a dict, run-time stamps left out."""
    with reading(path) as con:
        columns = _columns(con, table, "main")
        names = [name for name, _ in columns if name not in RUN_TIME_COLUMNS]
        rows = con.execute(f'select {_select_list(columns)} from "{table}"').fetchall()
    return [dict(zip(names, row, strict=True)) for row in rows]


def files_under(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in sorted(root.rglob("*")) if path.is_file()]
