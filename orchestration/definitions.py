"""The one Definitions object of the CX Warehouse code location."""

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import cx_dbt_assets, dbt_project
from orchestration.assets.ingest import ingest_asset_checks, ingest_assets
from orchestration.assets.publish import marts_file
from orchestration.jobs import build_warehouse_job
from orchestration.resources import ExportSourceResource, WarehouseResource
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[*ingest_assets, cx_dbt_assets, marts_file],
        asset_checks=[*ingest_asset_checks],
        jobs=[build_warehouse_job],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "exports": ExportSourceResource(root=settings.landing_root),
            "dbt": DbtCliResource(project_dir=dbt_project),
        },
        # One process: the multiprocess executor costs ~15 s of fixed overhead per run here, and
        # DuckDB allows a single writer anyway.
        executor=in_process_executor,
    )


defs = build_definitions()
