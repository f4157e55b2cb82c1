"""The dbt project as Dagster assets: one asset per seed and model, dbt tests as asset checks.

The manifest is prepared on purpose (`make install` runs `dbt parse`; tests prepare it in a fixture),
never at import. A run over a range of days is one `dbt build`, its window in the dbt process's environment
(CX_DBT_MIN/MAX_EXPORT_DATE, read by the export_window macro): unlike `--vars`, it keeps partial parsing.
"""

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, Output
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.locking import writer_lock
from orchestration.partitions import daily_partitions, single_run_backfill
from orchestration.publish import copy_ahead
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_DAILY_BUILD_ARGS, DBT_PROJECT_DIR, dbt_window_env

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

LAYERS = ("staging", "intermediate", "marts")


class CxDbtTranslator(DagsterDbtTranslator):
    """Groups from the model's folder (staging, intermediate, marts, seeds); sources keyed raw/<table>."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return next((folder for folder in folders if folder in LAYERS), "marts")

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey(dbt_resource_props["name"])

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        owners = dbt_resource_props.get("meta", {}).get("owners")
        return owners or ["team:data-engineering"]


translator = CxDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def partition_window(context: AssetExecutionContext) -> dict[str, str]:
    """The export-day window of this run, inclusive, as the dbt process's environment."""
    window = context.partition_time_window
    return dbt_window_env(
        window.start.date().isoformat(), (window.end - timedelta(days=1)).date().isoformat()
    )


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in os.environ while the dbt process starts (DbtCliResource copies os.environ into it)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    pool="warehouse",
)
def cx_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Seeds, staging, intermediate and marts in one `dbt build` over the run's days."""
    # dbt writes the warehouse from its own process: the step holds the writer lock for it.
    with writer_lock(Path(warehouse.path).parent, label="dagster dbt step"):
        if publishes(context):  # the publish step then patches a copy made while dbt builds
            copy_ahead(Path(warehouse.published_path), Path(warehouse.path).parent / "tmp")
        with environment(partition_window(context)):  # runs are serialised: one step sets it at a time
            invocation = dbt.cli(list(DBT_DAILY_BUILD_ARGS), context=context)
        try:
            yield from with_row_counts(context, invocation.stream(), warehouse)
        finally:
            stop_unless_finished(invocation.process)


MARTS_FILE_KEY = AssetKey(["publish", "marts_file"])


def publishes(context: AssetExecutionContext) -> bool:
    """Whether this run goes on to publish the marts file: its asset selection (empty when the whole job
    runs: then the job's assets) holds the publish step."""
    selection = context.run.asset_selection or context.job_def.asset_layer.executable_asset_keys
    return MARTS_FILE_KEY in selection


def stop_unless_finished(process, timeout: float = 60) -> None:
    """A step failing mid-stream leaves dbt running, writing the warehouse: stop it before the lock goes."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # dbt's own graceful stop
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@cache
def _relations() -> dict[str, tuple[str, str]]:
    """Model or seed name → (schema, alias) of the tables it builds; views are left out (counting runs them)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return {
        node["name"]: (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["config"].get("materialized") != "view"
    }


def with_row_counts(
    context: AssetExecutionContext, events: Iterable[Any], warehouse: WarehouseResource
) -> Iterator[Any]:
    """Attach `dagster/row_count` to each table built, read once dbt has released the warehouse.

    dagster-dbt's own `fetch_row_counts()` keeps an adapter connection open in this process, which then
    clashes with the publish step's connection; a short read-only connection after the build does not.
    """
    outputs = []
    for event in events:
        if isinstance(event, Output):
            outputs.append(event)
        else:
            yield event
    relations = _relations()
    con = duckdb.connect(warehouse.path, read_only=True) if outputs else None
    try:
        for output in outputs:
            relation = relations.get(context.asset_key_for_output(output.output_name).path[-1])
            if relation is None:
                yield output
                continue
            (rows,) = con.execute(f'select count(*) from "{relation[0]}"."{relation[1]}"').fetchone()
            yield output.with_metadata({**output.metadata, "dagster/row_count": rows})
    finally:
        if con is not None:
            con.close()


def marts_asset_keys() -> list[AssetKey]:
    """Every model under models/marts: what the publish step copies."""
    return [key for key in cx_dbt_assets.keys if cx_dbt_assets.get_asset_spec(key).group_name == "marts"]
