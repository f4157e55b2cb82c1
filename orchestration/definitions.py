"""The one Definitions object of the CX Warehouse code location."""

import os
import sys
from pathlib import Path

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.assets.alerts import WEBHOOK_URL_ENV, AlertWebhookResource, alerts_delivery
from orchestration.assets.dbt import cx_dbt_assets, dbt_project
from orchestration.assets.ingest import ingest_asset_checks, ingest_assets
from orchestration.assets.publish import dbt_docs, marts_file
from orchestration.checks.freshness import freshness_checks
from orchestration.jobs import build_docs_job, build_warehouse_job, compact_warehouse_job
from orchestration.resources import ExportSourceResource, WarehouseResource
from orchestration.schedules import build_warehouse_job_schedule, compact_warehouse_job_schedule
from orchestration.sensors import export_file_sensor
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[*ingest_assets, cx_dbt_assets, marts_file, alerts_delivery, dbt_docs],
        asset_checks=[*ingest_asset_checks, *freshness_checks],
        jobs=[build_warehouse_job, build_docs_job, compact_warehouse_job],
        schedules=[build_warehouse_job_schedule, compact_warehouse_job_schedule],
        sensors=[export_file_sensor],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "exports": ExportSourceResource(root=settings.landing_root),
            "dbt": DbtCliResource(
                project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")
            ),
            "alert_webhook": AlertWebhookResource(url=os.environ.get(WEBHOOK_URL_ENV) or None),
        },
        # One process: the multiprocess executor costs ~15 s of fixed overhead per run here, and
        # DuckDB allows a single writer anyway.
        executor=in_process_executor,
    )


defs = build_definitions()
