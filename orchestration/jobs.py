"""Jobs: the daily build of the whole warehouse, for one day or a range of days (one run)."""

from dagster import AssetSelection, define_asset_job

from orchestration.partitions import daily_partitions

build_warehouse_job = define_asset_job(
    name="build_warehouse_job",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Ingest every export of the day(s), build the dbt project, publish the marts file.",
    tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
)
