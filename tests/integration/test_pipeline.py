"""End to end on a small generated sample: `cli run` (the `make run` path) and a three-day backfill."""

from datetime import date

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration import cli
from orchestration.definitions import build_definitions
from orchestration.sample_data import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CX_LANDING_ROOT", str(root / "landing"))
        env.setenv("CX_WAREHOUSE_DIR", str(root / "warehouse"))
        env.delenv("DAGSTER_HOME", raising=False)
        generate(
            root / "landing",
            days=3,
            start=date(2026, 11, 2),
            interactions_per_day=400,
            customers=500,
            agents=24,
        )
        yield root


def test_cli_run_builds_every_landed_day_publishes_and_prints_the_kpis(pipeline, capsys):
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    assert "Building the warehouse for 3 day(s): 2026-11-02 … 2026-11-04" in out
    assert "client" in out and "CSAT" in out and "service lvl" in out and "abandon" in out
    marts = pipeline / "warehouse" / "marts.duckdb"
    assert f"Published marts: {marts}" in out
    rows = cli.kpi_rows(marts)
    assert len(rows) == 4  # four clients
    for _client, interactions, csat, service_level, abandonment in rows:
        assert interactions > 0
        assert 0 <= csat <= 100 and 0 <= service_level <= 100 and 0 <= abandonment <= 100


def test_the_published_file_has_every_mart_and_raw_has_all_three_days(pipeline):
    con = duckdb.connect(str(pipeline / "warehouse" / "marts.duckdb"), read_only=True)
    tables = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
    con.close()
    assert {"csat_daily", "service_level_daily", "fct_interactions", "alerts"} <= tables
    warehouse = duckdb.connect(str(pipeline / "warehouse" / "warehouse.duckdb"), read_only=True)
    days = warehouse.execute("select count(distinct _export_date) from raw.voice_calls").fetchone()[0]
    warehouse.close()
    assert days == 3


def test_a_three_day_backfill_is_one_run_with_one_dbt_build(pipeline):
    instance = DagsterInstance.ephemeral()
    job = build_definitions().resolve_job_def("build_warehouse_job")
    result = job.execute_in_process(
        instance=instance,
        tags={ASSET_PARTITION_RANGE_START_TAG: "2026-11-02", ASSET_PARTITION_RANGE_END_TAG: "2026-11-04"},
    )
    assert result.success
    dbt_starts = [
        event
        for event in result.all_events
        if event.event_type == DagsterEventType.STEP_START and event.step_key == "cx_dbt_assets"
    ]
    assert len(dbt_starts) == 1
    materialized = instance.get_materialized_partitions(AssetKey("csat_daily"))
    assert {"2026-11-02", "2026-11-03", "2026-11-04"} <= set(materialized)
    voice = instance.get_materialized_partitions(AssetKey(["raw", "voice_calls"]))
    assert voice == {"2026-11-02", "2026-11-03", "2026-11-04"}
    # the dbt step copied the published file (cli run's) while it built; the publish step patched that copy
    published = instance.get_latest_materialization_event(AssetKey(["publish", "marts_file"]))
    started_from = published.asset_materialization.metadata["started_from"].value
    assert started_from == "the published file, copied ahead"
