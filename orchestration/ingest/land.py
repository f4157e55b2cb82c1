"""Landing a partition (source, export day): validate every file, then replace it in one transaction.

Callable without Dagster: `land_partition` for one partition, `land_all` for everything under a landing
root (tests, benchmarks, ad-hoc reloads).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from dataclasses import dataclass, field

from orchestration.ingest import batch, manifest
from orchestration.ingest.batch import BATCH
from orchestration.ingest.files import ExportFile, list_export_days, local_export_files
from orchestration.ingest.manifest import FileOutcome
from orchestration.ingest.schemas import LINEAGE_COLUMNS, SOURCES, Source, raw_table_ddl
from orchestration.ingest.sql import ident
from orchestration.privacy.suppression import apply_suppressions

MAX_BAD_ROW_SHARE_ENV = "CX_MAX_BAD_ROW_SHARE"
DEFAULT_MAX_BAD_ROW_SHARE = 0.05
QUARANTINE_COLUMNS = (
    "_source_file VARCHAR, _row_number BIGINT, _export_date DATE, _loaded_at TIMESTAMP, "
    "rule VARCHAR, failed_rules VARCHAR[], record JSON"
)


def max_bad_row_share() -> float:
    """The share of bad rows above which a whole file is refused: `CX_MAX_BAD_ROW_SHARE`, else 5 %."""
    return float(os.environ.get(MAX_BAD_ROW_SHARE_ENV, DEFAULT_MAX_BAD_ROW_SHARE))


@dataclass
class LandingReport:
    """What landing one partition did: per file outcome, counts per failed rule (never values)."""

    source: str
    day: str
    status: str  # landed | unchanged | no_files
    files: list[FileOutcome] = field(default_factory=list)
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    removed_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "refused"]


def ensure_tables(con, source: Source) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    con.execute(raw_table_ddl(source))
    con.execute(f"create table if not exists quarantine.{source.name} ({QUARANTINE_COLUMNS})")
    con.execute(manifest.MANIFEST_DDL)


def _commit(con, table_of_batch: str, source: Source, day: str, accepted: dict[int, str], loaded_at) -> None:
    """Replace the partition in raw and quarantine by the accepted files' rows (caller's transaction)."""
    table, columns = source.table, [*source.columns, *LINEAGE_COLUMNS]
    con.execute("create or replace temp table _ingest_files (_file_index INTEGER, path VARCHAR)")
    if accepted:
        con.executemany("insert into _ingest_files values (?, ?)", list(accepted.items()))
    con.execute(f"delete from {table} where _export_date = ?", [day])
    con.execute(f"delete from quarantine.{source.name} where _export_date = ?", [day])
    values = ", ".join(ident(name) for name in source.columns)
    con.execute(
        f"insert into {table} ({', '.join(ident(c) for c in columns)}) "
        f"select {values}, path, _row_number, ?::DATE, ?::TIMESTAMP, _extra "  # the order of LINEAGE_COLUMNS
        f"from {table_of_batch} join _ingest_files using (_file_index) where _failed_rules is null",
        [day, loaded_at],
    )
    con.execute(
        f"insert into quarantine.{source.name} "
        f"select path, _row_number, ?::DATE, ?::TIMESTAMP, _failed_rules[1], _failed_rules, _record "
        f"from {table_of_batch} join _ingest_files using (_file_index) where _failed_rules is not null",
        [day, loaded_at],
    )


def _classify(
    files: list[ExportFile], refusals: dict, current: dict[str, str] | None = None
) -> tuple[list[FileOutcome], list]:
    """Each file's outcome so far, and the candidates to read: neither a copy nor an unchanged refusal.

    Of several files with the same content the one already landed is kept (a copy re-sent under another
    name, even one sorting first, is then a no-op), else the first.
    """
    outcomes, candidates, first_with_sha = [], [], {}
    hashed = [(export, export.sha256()) for export in files]
    for export, sha in hashed:
        if (current or {}).get(export.name) == sha:
            first_with_sha.setdefault(sha, export.name)
    for export, sha in hashed:
        first_with_sha.setdefault(sha, export.name)
    for export, sha in hashed:
        outcome = FileOutcome(export.name, sha, export.bytes, "landed")
        outcomes.append(outcome)
        if first_with_sha[sha] != export.name:
            outcome.status, outcome.reason = "duplicate", f"same content as {first_with_sha[outcome.sha256]}"
        elif (export.name, outcome.sha256) in refusals:
            outcome.status = "refused"
            outcome.reason = f"{refusals[(export.name, outcome.sha256)]} (unchanged since refused)"
        else:
            candidates.append((export, outcome))
    return outcomes, candidates


def land_partition(
    con,
    source_name: str,
    day: str,
    files: list[ExportFile],
    *,
    max_bad_share: float | None = None,
    force: bool = False,
) -> LandingReport:
    """Land one (source, day) from its delivered files; refusals are reported, not raised."""
    started, source = time.perf_counter(), SOURCES[source_name]
    limit = max_bad_row_share() if max_bad_share is None else max_bad_share
    ensure_tables(con, source)
    con.execute("set TimeZone = 'UTC'")
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = LandingReport(source_name, day, "no_files")
    if not files:
        return report
    current = manifest.current_files(con, source_name, day)
    report.files, candidates = _classify(
        files, {} if force else manifest.last_refusals(con, source_name, day), current
    )
    rebuild = force or {o.path: o.sha256 for _, o in candidates} != current
    # The batch lives in an in-memory database of this landing's own, which the cursors reading files
    # side by side also see (a temp table is its connection's only); detached, it is gone.
    memory = f"_cx_batch_{uuid.uuid4().hex[:12]}"
    con.execute(f"attach ':memory:' as {memory}")
    table_of_batch = f"{memory}.main.{BATCH}"
    try:
        if not rebuild:
            for _, outcome in candidates:
                outcome.status, outcome.reason = "duplicate", "already landed, unchanged"
            report.status = "unchanged"
        else:
            report.status = "landed"
            report.removed_files = sorted(set(current) - {f.path for f in report.files})
            _read_and_validate(con, table_of_batch, source, candidates, limit, report)
        con.execute("begin transaction")
        try:
            if rebuild:
                accepted = {i: o.path for i, (_, o) in enumerate(candidates) if o.status != "refused"}
                _commit(con, table_of_batch, source, day, accepted, loaded_at)
                # erased people stay erased (privacy/suppression.py)
                apply_suppressions(con, source_name, day)
            load_id = uuid.uuid4().hex
            manifest.record(
                con, source_name, day, report.files, loaded_at=loaded_at, load_id=load_id, rebuilt=rebuild
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"detach {memory}")
    report.seconds = time.perf_counter() - started
    return report


def _read_and_validate(
    con, table_of_batch: str, source: Source, candidates, limit: float, report: LandingReport
) -> None:
    """Read and validate every candidate; set each file's outcome and the report's counts."""
    stats, refusals = batch.read_and_validate(
        con, table_of_batch, source, [export for export, _ in candidates], limit
    )
    previous = manifest.current_files(con, source.name, report.day)
    for index, (_, outcome) in enumerate(candidates):
        if index in refusals:
            outcome.status, outcome.reason = "refused", refusals[index]
            continue
        stat = stats[index]
        outcome.rows_landed, outcome.rows_quarantined = stat.rows - stat.bad, stat.bad
        if outcome.path in previous:
            changed = previous[outcome.path] != outcome.sha256
            outcome.status = "reloaded" if changed else "landed"
            outcome.reason = "changed since last landed" if changed else "partition rebuilt"
        for rule, count in stat.by_rule.items():
            report.quarantined_by_rule[rule] = report.quarantined_by_rule.get(rule, 0) + count
        if stat.extra_columns:
            report.extra_columns[outcome.path] = stat.extra_columns
        if stat.missing_columns:
            report.missing_columns[outcome.path] = stat.missing_columns


def land_all(
    con,
    landing_root: str,
    *,
    sources=None,
    days=None,
    max_bad_share: float | None = None,
    force: bool = False,
) -> list[LandingReport]:
    """Land every (source, day) under a landing root, or the given ones; refusals are in the reports."""
    reports = []
    for source_name in sources or SOURCES:
        for day in days or list_export_days(landing_root, source_name):
            with local_export_files(landing_root, source_name, day) as files:
                report = land_partition(
                    con, source_name, day, files, max_bad_share=max_bad_share, force=force
                )
            reports.append(report)
    return reports


def refusal_lines(reports: list[LandingReport]) -> list[str]:
    """One line per refused file: which file and why, ready for an error message."""
    return [f"{f.path}: {f.reason}" for report in reports for f in report.refused]
