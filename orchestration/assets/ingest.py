"""Ingest assets: one daily-partitioned asset per channel export, keyed `raw/<source>` like the dbt sources.

Each run lands every day of its partition range (a backfill is one run). A refused file fails the
asset, naming the file and the reason, but only after every other file and day has landed.
"""

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)
from pydantic import Field

from orchestration.checks.freshness import INGEST_FRESHNESS
from orchestration.checks.ingest_checks import ingest_asset_checks
from orchestration.ingest.land import (
    LandingReport,
    ensure_tables,
    land_partition,
    max_bad_row_share,
    refusal_lines,
)
from orchestration.ingest.schemas import LINEAGE_COLUMNS, SOURCES, Source
from orchestration.partitions import daily_partitions, single_run_backfill
from orchestration.resources import ExportSourceResource, WarehouseResource

__all__ = ["ingest_asset_checks", "ingest_assets"]


class IngestConfig(Config):
    max_bad_row_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Refuse a file above this share of bad rows (default CX_MAX_BAD_ROW_SHARE or 0.05).",
    )
    force_reload: bool = Field(
        default=False, description="Re-read and replace the partition even when no file changed."
    )


def column_schema(source: Source) -> TableSchema:
    columns = [TableColumn(name, dtype) for name, dtype in source.columns.items()]
    columns += [TableColumn(name, dtype, description="lineage") for name, dtype in LINEAGE_COLUMNS.items()]
    return TableSchema(columns=columns)


def _safe_error(error: Exception) -> str:
    """An unexpected error for the run's message: I/O errors name paths; others may quote a value (PII)."""
    if isinstance(error, OSError | duckdb.IOException):
        return f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return f"{type(error).__name__} (details withheld: they may quote a raw value)"


def _markdown_files(reports: list[LandingReport]) -> str:
    lines = ["| day | file | status | rows landed | rows quarantined | reason |", "|---|---|---|---|---|---|"]
    for report in reports:
        if not report.files:
            lines.append(f"| {report.day} | (no files) | – | 0 | 0 | nothing delivered |")
        for f in report.files:
            name, reason = f.path.rsplit("/", 1)[-1], (f.reason or "").replace("|", "/")
            lines.append(
                f"| {report.day} | {name} | {f.status} | {f.rows_landed} | {f.rows_quarantined} | {reason} |"
            )
    return "\n".join(lines)


def materialization_metadata(reports: list[LandingReport]) -> dict:
    """Counts, file names, rule and column names only: no value of any row (raw rows hold PII)."""
    by_rule: dict[str, int] = {}
    for report in reports:
        for rule, count in report.quarantined_by_rule.items():
            by_rule[rule] = by_rule.get(rule, 0) + count
    files = [f for report in reports for f in report.files]
    statuses = {
        status: sum(f.status == status for f in files)
        for status in ("landed", "reloaded", "duplicate", "refused")
    }
    return {
        "days": len(reports),
        "days_without_files": MetadataValue.json([r.day for r in reports if r.status == "no_files"]),
        "days_unchanged": MetadataValue.json([r.day for r in reports if r.status == "unchanged"]),
        "files": len(files),
        **{f"files_{status}": count for status, count in statuses.items()},
        "rows_landed": sum(r.rows_landed for r in reports),
        "rows_quarantined": sum(r.rows_quarantined for r in reports),
        "quarantined_by_rule": MetadataValue.json(dict(sorted(by_rule.items()))),
        "extra_columns": MetadataValue.json(
            {path: cols for r in reports for path, cols in r.extra_columns.items()}
        ),
        "missing_optional_columns": MetadataValue.json(
            {p: cols for r in reports for p, cols in r.missing_columns.items()}
        ),
        "removed_files": MetadataValue.json([path for r in reports for path in r.removed_files]),
        "bytes": sum(r.bytes for r in reports),
        "seconds": round(sum(r.seconds for r in reports), 3),
        "file_outcomes": MetadataValue.md(_markdown_files(reports)),
    }


def _ingest_asset(source: Source) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", source.name]),
        group_name="ingest",
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        description=(
            f"The `{source.name}` export as landed: typed, validated (bad rows in quarantine.{source.name}), "
            f"with source file, row number, export date and load time. Read from "
            f"`<landing root>/{source.name}/<day>/`; every delivery is recorded in raw._landed_files."
        ),
        owners=["team:data-engineering"],
        metadata={"dagster/column_schema": column_schema(source), "dagster/table_name": source.table},
        kinds={"duckdb"},
        pool="warehouse",
        freshness_policy=INGEST_FRESHNESS,
    )
    def _asset(
        context: AssetExecutionContext,
        config: IngestConfig,
        warehouse: WarehouseResource,
        exports: ExportSourceResource,
    ) -> MaterializeResult:
        limit = max_bad_row_share() if config.max_bad_row_share is None else config.max_bad_row_share
        reports, errors = [], []
        with warehouse.connect() as con:
            ensure_tables(con, source)
            for day in context.partition_keys:
                try:
                    with exports.local_files(source.name, day) as files:
                        report = land_partition(
                            con, source.name, day, files, max_bad_share=limit, force=config.force_reload
                        )
                except Exception as error:  # one broken day must not stop the others
                    errors.append(f"{source.name}/{day}: {_safe_error(error)}")
                    continue
                reports.append(report)
                context.log.info(
                    f"{source.name} {day}: {report.status}, {len(report.files)} file(s), "
                    f"{report.rows_landed} rows landed, {report.rows_quarantined} quarantined, "
                    f"{len(report.refused)} file(s) refused"
                )
            days = ", ".join(f"'{day}'" for day in context.partition_keys)
            in_raw = con.execute(
                f"select count(*) from {source.table} where _export_date in ({days})"
            ).fetchone()
        metadata = {**materialization_metadata(reports), "rows_in_raw": in_raw[0]}
        problems = refusal_lines(reports) + errors
        if problems:
            raise Failure(
                description=f"{source.name}: {len(problems)} file(s) or day(s) refused; the rest landed.\n"
                + "\n".join(problems),
                metadata=metadata,
            )
        return MaterializeResult(metadata=metadata)

    return _asset


ingest_assets: list[AssetsDefinition] = [_ingest_asset(source) for source in SOURCES.values()]
