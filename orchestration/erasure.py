"""Erasing a person: every record of a customer removed from the warehouse and the files it publishes.

`python -m orchestration.cli erase <CRM id | e-mail | phone>` (or `make erase CUSTOMER=...`):
1. resolves the person's identities in raw: the identifier, the CRM customers it names, their e-mails and
   phones (every version), and the e-mails, phones and social handles their own records carry;
2. in one transaction, deletes their rows from every raw table (structured identity fields, the surveys and
   QA evaluations of their interactions, and any row whose text holds one of their identifiers) and from
   quarantine; adds their identifiers, as keyed hashes, to the suppression list that landing applies; and
   records the erasure in `ops.erasures` (when, a keyed hash of the identifier, counts — never an identifier);
3. rebuilds every dbt model from raw (`--full-refresh`), then rewrites the warehouse into a fresh file:
   DuckDB leaves deleted rows' bytes in freed blocks, so DELETE alone does not erase;
4. republishes the marts file and the Parquet exports (fresh files, swapped in).
Each step is idempotent: rerunning the command after a failure finishes the job. Finding and deleting
the rows is `orchestration/privacy/person.py`; the suppression list, `orchestration/privacy/suppression.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.locking import writer_lock
from orchestration.privacy.identities import guess_kind, normalise
from orchestration.privacy.keys import hmac_hex
from orchestration.privacy.person import person_keys, purge, resolve
from orchestration.publish import publish_marts
from orchestration.resources import connect_warehouse
from orchestration.settings import Settings, hash_key

AUDIT_DDL = """
create schema if not exists ops;
create table if not exists ops.erasures (
    erasure_id VARCHAR primary key,
    requested_at TIMESTAMP not null,
    completed_at TIMESTAMP,
    subject_key VARCHAR not null,
    identifier_kind VARCHAR not null,
    identities_found INTEGER not null,
    rows_removed_by_table JSON not null,
    status VARCHAR not null
)"""


class ErasureError(RuntimeError):
    pass


@dataclass
class ErasureReport:
    erasure_id: str
    identifier_kind: str
    identities_found: int = 0
    rows_removed: dict[str, int] = field(default_factory=dict)
    leftovers_removed: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total_removed(self) -> int:
        return sum(self.rows_removed.values())


def subject_key(key: bytes, kind: str, value: str) -> str:
    """The audit's handle on the request: a keyed hash in a domain of its own (never a customer_key)."""
    return hmac_hex(key, f"erasure|{kind}|{value}")


def rebuild_derived(log: Callable[[str], None]) -> None:
    """Every dbt model rebuilt from raw; data tests run after and are reported, not blocking."""
    from dagster_dbt import DbtCliResource

    from orchestration.assets.dbt import dbt_project

    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt"))
    build = dbt.cli(
        ["build", "--full-refresh", "--exclude-resource-type", "test", "unit_test"],
        manifest=dbt_project.manifest_path,
        raise_on_error=False,
    ).wait()
    if not build.is_successful():
        raise ErasureError(
            "dbt could not rebuild the derived tables; they and the published files still hold the person: "
            f"see {build.target_path / 'run_results.json'}, fix, then run the same erase command again."
        )
    # DBT_EXCLUDE_RESOURCE_TYPES, when set, says which tests this deployment runs; else the data tests
    exclude = [] if os.environ.get("DBT_EXCLUDE_RESOURCE_TYPES") else ["--exclude-resource-type", "unit_test"]
    tests = dbt.cli(
        ["test", *exclude],
        manifest=dbt_project.manifest_path,
        raise_on_error=False,
    ).wait()
    log(
        "dbt data tests after the rebuild: "
        + ("passed" if tests.is_successful() else "FAILED (see dbt logs)")
    )


def remove_leftover_keys(con, keys: set[str]) -> dict[str, int]:
    """Rows holding the person's keys in tables dbt did not rebuild (a model removed since); normally none."""
    if not keys:
        return {}
    removed = {}
    columns = con.execute(
        "select schema_name, table_name, list(column_name) from duckdb_columns() "
        "where database_name = current_database() and data_type = 'VARCHAR' "
        "and schema_name not in ('raw', 'quarantine', 'ops') group by all"
    ).fetchall()
    literal = ", ".join(f"'{k}'" for k in sorted(keys))
    for schema, table, names in columns:
        kind = con.execute(
            "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        if not kind or kind[0] != "BASE TABLE":
            continue
        condition = " or ".join(f'"{name}" in ({literal})' for name in names)
        (count,) = con.execute(f'delete from "{schema}"."{table}" where {condition}').fetchone()
        if count:
            removed[f"{schema}.{table}"] = count
    return removed


def compact(path: Path, work_dir: Path) -> None:
    """Rewrite the database into a fresh file and swap it in: freed blocks keep deleted rows' bytes."""
    work_dir.mkdir(parents=True, exist_ok=True)
    for leftover in work_dir.glob(f".{path.name}.*.compacting*"):  # a copy a crashed erasure left: PII
        leftover.unlink(missing_ok=True)
    fresh = work_dir / f".{path.name}.{uuid.uuid4().hex}.compacting"
    try:
        con = duckdb.connect(str(path))  # replays and folds any write-ahead log into the file
        con.execute("checkpoint")
        con.close()
        con = duckdb.connect()
        try:
            con.execute(f"attach '{path}' as {path.stem} (read_only)")
            con.execute(f"attach '{fresh}' as _fresh")
            con.execute(f"copy from database {path.stem} to _fresh")
            con.execute("detach _fresh")
        finally:
            con.close()
        if Path(f"{path}.wal").exists():
            raise ErasureError(f"{path}.wal appeared during compaction: another writer? Nothing was swapped.")
        os.replace(fresh, path)
    finally:
        fresh.unlink(missing_ok=True)
        Path(f"{fresh}.wal").unlink(missing_ok=True)


def republish(settings: Settings) -> dict[str, int]:
    parquet_dir = settings.parquet_dir if settings.publish_parquet or settings.parquet_dir.exists() else None
    return publish_marts(
        settings.warehouse_path,
        settings.marts_path,
        parquet_dir=parquet_dir,
        work_dir=settings.temp_dir,
        full=True,  # a fresh file: no erased value may survive in the free blocks of a patched one
        memory_limit=settings.duckdb_memory_limit,
    )


def _report_to_dagster(report: ErasureReport, tables: int) -> None:
    """The republished marts file as a materialization in Dagster's history: counts only."""
    if not os.environ.get("DAGSTER_HOME"):
        return
    from dagster import AssetMaterialization, DagsterInstance

    with DagsterInstance.get() as instance:
        instance.report_runless_asset_event(
            AssetMaterialization(
                asset_key=["publish", "marts_file"],
                description="Republished after an erasure",
                metadata={
                    "erasure_id": report.erasure_id,
                    "tables": tables,
                    "rows_removed": report.total_removed,
                },
            )
        )


def _record(con, report: ErasureReport, subject: str) -> None:
    """The audit row. Nothing removed means nothing derived changes: it is complete at once."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    done = report.total_removed == 0
    con.execute(
        "insert into ops.erasures values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.erasure_id,
            now,
            now if done else None,
            subject,
            report.identifier_kind,
            report.identities_found,
            json.dumps(report.rows_removed, sort_keys=True),
            "completed" if done else "purged",
        ],
    )


def erase(
    identifier: str,
    *,
    kind: str | None = None,
    client_id: str | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    log: Callable[[str], None] = print,
) -> ErasureReport:
    """Erase the person an identifier names; see the module docstring. Logs counts, never identifiers."""
    settings = settings or Settings.from_env()
    kind = kind or guess_kind(identifier)
    value = normalise(kind, identifier)
    if not value:
        raise ErasureError("An empty identifier names nobody.")
    key = hash_key()
    report = ErasureReport(erasure_id=uuid.uuid4().hex, identifier_kind=kind, dry_run=dry_run)
    with writer_lock(settings.warehouse_dir, label="cx erase"):
        if not settings.warehouse_path.exists():
            raise ErasureError(f"No warehouse at {settings.warehouse_path}.")
        con = connect_warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit)
        try:
            con.execute(AUDIT_DDL)
            con.execute("begin transaction")
            try:
                identities = resolve(con, kind, value, client_id)
                report.identities_found = sum(1 for client, _, _ in identities if client)
                report.rows_removed, _ = purge(con, identities, key, report.erasure_id)
                _record(con, report, subject_key(key, kind, value))
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("rollback" if dry_run else "commit")
            (pending,) = con.execute(
                "select count(*) from ops.erasures where status <> 'completed'"
            ).fetchone()
        finally:
            con.close()
        log(
            f"Erasure {report.erasure_id}: {report.identities_found} identities, {report.total_removed} rows "
            f"{'would be ' if dry_run else ''}removed from raw and quarantine."
        )
        for table, count in sorted(report.rows_removed.items()):
            if count:
                log(f"  {table}: {count}")
        if dry_run:
            return report
        if not pending:
            log("Nothing to rebuild: no records of that identifier, and no unfinished erasure.")
            return report
        log("Rebuilding every dbt model from raw (full refresh)…")
        rebuild_derived(log)
        con = connect_warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit)
        try:
            report.leftovers_removed = remove_leftover_keys(con, person_keys(key, identities))
        finally:
            con.close()
        for table, count in report.leftovers_removed.items():
            log(f"  WARNING: {table} was not rebuilt by dbt and held {count} of the person's rows: removed.")
        log("Rewriting the warehouse file, then republishing the marts…")
        compact(settings.warehouse_path, settings.temp_dir)
        tables = republish(settings)
        con = connect_warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit)
        try:
            con.execute(
                "update ops.erasures set status = 'completed', completed_at = ? where status <> 'completed'",
                [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )
        finally:
            con.close()
    _report_to_dagster(report, len(tables))
    log(f"Erasure {report.erasure_id} completed: {len(tables)} marts republished to {settings.marts_path}.")
    return report
