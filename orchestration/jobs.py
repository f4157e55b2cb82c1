"""Jobs: the daily build of the whole warehouse, for one day or a range of days (one run)."""

from dagster import AssetSelection, define_asset_job

from orchestration.partitions import daily_partitions

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
