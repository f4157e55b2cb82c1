"""The publish step: the BI-facing marts file, swapped in atomically after every build."""

import shutil
import time
from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_project, marts_asset_keys
from orchestration.locking import writer_lock
from orchestration.publish import mart_unique_keys, publish_marts
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings


@asset(
    key=["publish", "marts_file"],
    group_name="publish",
    deps=marts_asset_keys(),
    owners=["team:data-engineering"],
    pool="warehouse",
    description=(
        "The published marts file (`marts.duckdb` in CX_WAREHOUSE_DIR): every table of schema `marts`, "
        "built aside (the previous file patched with the rows rebuilt since, or copied whole) and swapped in "
        "atomically, plus one Parquet file per mart when CX_PUBLISH_PARQUET=1. "
        "BI tools read these, never the working warehouse."
    ),
)
def marts_file(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    started = time.perf_counter()
    marts_path = Path(warehouse.published_path)
    parquet_dir = Path(warehouse.parquet_dir) if warehouse.parquet_dir else None
    warehouse_dir = Path(warehouse.path).parent
    with writer_lock(warehouse_dir, label="dagster publish step"):
        how: dict[str, str] = {}
        started_from: dict[str, str] = {}
        row_counts = publish_marts(
            Path(warehouse.path),
            marts_path,
            parquet_dir=parquet_dir,
            work_dir=warehouse_dir / "tmp",
            keys=mart_unique_keys(),
            report=how,
            file_report=started_from,
            memory_limit=warehouse.memory_limit,
        )
    context.log.info(f"Published {len(row_counts)} marts to {marts_path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(marts_path)),
            "parquet_dir": MetadataValue.text(
                str(parquet_dir) if parquet_dir else "off (CX_PUBLISH_PARQUET)"
            ),
            "tables": len(row_counts),
            "rows_by_table": MetadataValue.json(row_counts),
            "published_how": MetadataValue.json(how),  # copied whole, or patched with n changed rows
            "started_from": started_from.get("started_from", ""),  # the previous file copied ahead, or not
            "bytes": marts_path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 3),
        }
    )


@asset(
    key=["publish", "dbt_docs"],
    group_name="publish",
    deps=marts_asset_keys(),
    owners=["team:data-engineering"],
    pool="warehouse",
    description=(
        "The dbt docs site (models, columns, tests, lineage) as one static page, "
        "`docs/index.html` in CX_WAREHOUSE_DIR; built by `build_docs_job` or `make docs`."
    ),
)
def dbt_docs(context: AssetExecutionContext, dbt: DbtCliResource) -> MaterializeResult:
    settings = Settings.from_env()
    with writer_lock(settings.warehouse_dir, label="dagster docs step"):  # dbt reads the catalog from it
        page = generate_docs(dbt, settings.docs_dir)
    context.log.info(f"dbt docs written to {page}")
    return MaterializeResult(metadata={"path": MetadataValue.path(str(page)), "bytes": page.stat().st_size})


def generate_docs(dbt: DbtCliResource, docs_dir: Path) -> Path:
    invocation = dbt.cli(["docs", "generate", "--static"], manifest=dbt_project.manifest_path).wait()
    docs_dir.mkdir(parents=True, exist_ok=True)
    page = docs_dir / "index.html"
    shutil.copyfile(invocation.target_path / "static_index.html", page)
    return page
