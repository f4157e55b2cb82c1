"""The code location loads with the expected assets, groups, lineage, checks, jobs, schedules and sensors."""

import pytest
from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.ingest.schemas import SOURCES
from tests.spec import SPEC_MARTS

MARTS = SPEC_MARTS


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def group_of(graph, key):
    return graph.get(key).group_name


def test_one_ingest_asset_per_source_keyed_like_the_dbt_sources(graph):
    for source in SOURCES:
        assert group_of(graph, AssetKey(["raw", source])) == "ingest"


@pytest.mark.parametrize("mart", MARTS)
def test_every_mart_of_the_spec_is_an_asset_in_the_marts_group(graph, mart):
    assert group_of(graph, AssetKey(mart)) == "marts"


def test_lineage_runs_from_raw_through_staging_to_the_marts_and_the_published_file(graph):
    assert AssetKey(["raw", "voice_calls"]) in graph.get(AssetKey("stg_voice__calls")).parent_keys
    assert group_of(graph, AssetKey("stg_voice__calls")) == "staging"
    upstream = set()
    frontier = [AssetKey("csat_daily")]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                frontier.append(parent)
    assert {
        AssetKey(["raw", "voice_calls"]),
        AssetKey(["raw", "voice_surveys"]),
        AssetKey("stg_voice__calls"),
    } <= upstream
    assert any(group_of(graph, key) == "intermediate" for key in upstream)
    assert set(MARTS) <= {key.path[-1] for key in graph.get(AssetKey(["publish", "marts_file"])).parent_keys}


def test_groups_are_the_layers(graph):
    groups = {
        group_of(graph, key)
        for key in graph.get_all_asset_keys()
        if graph.has(key) and graph.get(key).is_materializable
    }
    assert groups == {"ingest", "seeds", "staging", "intermediate", "marts", "publish"}


def test_every_source_has_its_contract_and_freshness_checks_and_dbt_tests_are_checks(graph):
    check_keys = graph.asset_check_keys
    for source in SOURCES:
        names = {key.name for key in check_keys if key.asset_key == AssetKey(["raw", source])}
        assert {"raw_contract", "export_freshness"} <= names
    assert any(key.asset_key == AssetKey("csat_daily") for key in check_keys)


def test_jobs_schedules_and_sensors_are_registered():
    assert defs.resolve_job_def("build_warehouse_job").partitions_def is not None
    assert defs.resolve_job_def("build_docs_job")
    assert defs.resolve_schedule_def("build_warehouse_job_schedule").execution_timezone
    assert defs.resolve_sensor_def("export_file_sensor")
