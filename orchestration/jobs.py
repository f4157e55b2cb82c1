"""Jobs: the daily build of the whole warehouse (one day or a range of days, one run), the docs, and the
weekly compaction of the warehouse's tables and the published marts file."""

from pathlib import Path

from dagster import (
    AssetSelection,
    In,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Output,
    define_asset_job,
    job,
    op,
)

from orchestration.locking import writer_lock
from orchestration.maintenance import MIN_DEAD_SHARE, compact_tables, republish_fresh
from orchestration.partitions import daily_partitions
from orchestration.resources import WarehouseResource

DOCS = AssetSelection.assets(["publish", "dbt_docs"])

build_warehouse_job = define_asset_job(
    name="build_warehouse_job",
    selection=AssetSelection.all() - DOCS,
    partitions_def=daily_partitions,
    description="Ingest every export of the day(s), build the dbt project, publish the marts file.",
    tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
)

build_docs_job = define_asset_job(
    name="build_docs_job",
    selection=DOCS,
    description="Generate the dbt docs site as one static page beside the published marts.",
)


@op(
    pool="warehouse",  # one writer at a time, as every step that writes the warehouse
    description=(
        "Rewrite each warehouse table whose deleted rows (left by incremental models replacing rows) reach "
        f"{MIN_DEAD_SHARE:.0%} of its stored rows. Waits for the writer lock, so never overlaps a build."
    ),
)
def compact_warehouse(context: OpExecutionContext, warehouse: WarehouseResource) -> Output[list]:
    with warehouse.connect() as con:
        report = compact_tables(con)
    rewritten = [entry for entry in report if entry["rewritten"]]
    for entry in rewritten:
        context.log.info(
            f"{entry['table']}: {entry['dead_share']:.0%} of {entry['stored_rows']:,} stored rows deleted, "
            f"rewritten in {entry['seconds']} s"
        )
    return Output(
        report,
        metadata={
            "tables_rewritten": len(rewritten),
            "rows_reclaimed": sum(entry["stored_rows"] - entry["live_rows"] for entry in rewritten),
            "seconds": round(sum(entry.get("seconds", 0) for entry in rewritten), 3),
            "tables": MetadataValue.json(report),
        },
    )


@op(
    pool="warehouse",
    ins={"compacted": In(Nothing)},
    description=(
        "Rebuild the published marts file as a fresh file (the daily publish patches it without reclaiming "
        "the rows it replaces) and swap it in."
    ),
)
def republish_marts(context: OpExecutionContext, warehouse: WarehouseResource) -> Output[dict]:
    warehouse_dir = Path(warehouse.path).parent
    with writer_lock(warehouse_dir, label="dagster republish step"):
        figures = republish_fresh(
            Path(warehouse.path),
            Path(warehouse.published_path),
            warehouse_dir / "tmp",
            Path(warehouse.parquet_dir) if warehouse.parquet_dir else None,
            memory_limit=warehouse.memory_limit,
        )
    context.log.info(
        f"Republished {figures['rows']:,} rows ({figures['bytes']:,} bytes) in {figures['seconds']} s"
    )
    return Output(figures, metadata=figures)


@job(
    description=(
        "Weekly: reclaim the deleted rows of the warehouse's tables and of the published marts file "
        "(orchestration/maintenance.py)."
    )
)
def compact_warehouse_job():
    republish_marts(compact_warehouse())
