"""The publish step: the BI-facing marts file, swapped in atomically after every build."""


import time
from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.assets.dbt import marts_asset_keys
from orchestration.publish import publish_marts
from orchestration.resources import WarehouseResource


@asset(
    key=["publish", "marts_file"],
    group_name="publish",
    deps=marts_asset_keys(),
    owners=["team:data-engineering"],
    pool="warehouse",
    description=(
        "The published marts file (`marts.duckdb` in CX_WAREHOUSE_DIR): every table of schema `marts`, "
        "built aside and swapped in atomically. BI tools read this file, never the working warehouse."
    ),
)
def marts_file(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    started = time.perf_counter()
    marts_path = Path(warehouse.published_path)
    row_counts = publish_marts(Path(warehouse.path), marts_path)
    context.log.info(f"Published {len(row_counts)} marts to {marts_path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(marts_path)),
            "tables": len(row_counts),
            "rows_by_table": MetadataValue.json(row_counts),
            "bytes": marts_path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
