"""The ingest assets and checks in Dagster: one per source and day, failing alone, never leaking PII."""

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, materialize

from orchestration.assets.ingest import ingest_asset_checks, ingest_assets
from orchestration.ingest.schemas import SOURCES
from orchestration.partitions import daily_partitions
from orchestration.resources import ExportSourceResource, WarehouseResource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
DAY = "2026-11-02"
# Values from the fixtures that must never appear in Dagster events: emails, phones, names, free text, card.
PII = [
    "ann.lee@example.com",
    "pat@example.com",
    "jane@example.com",
    "kim@example.net",
    "+1555000",
    "+44 20",
    "Ann Lee",
    "Pat Doe",
    "O'Brien",
    "Jos",
    "4111 1111",
    "Call me at",
    "Still waiting",
    "@ann_lee",
    "sideways",
]


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "landing"
    shutil.copytree(FIXTURES / "landing", root)
    return root


def resources(landing: Path, tmp_path: Path) -> dict:
    warehouse = WarehouseResource(
        path=str(tmp_path / "wh" / "warehouse.duckdb"), published_path=str(tmp_path / "wh" / "marts.duckdb")
    )
    return {"warehouse": warehouse, "exports": ExportSourceResource(root=str(landing))}


def run(landing, tmp_path, *, config=None, **kwargs):
    ops = {asset.op.name: {"config": config} for asset in ingest_assets} if config else {}
    return materialize(
        [*ingest_assets, *ingest_asset_checks],
        resources=resources(landing, tmp_path),
        raise_on_error=False,
        run_config={"ops": ops},
        **kwargs,
    )


def query(tmp_path, sql):
    con = duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def materializations(result) -> dict[str, dict]:
    return {
        event.asset_key.path[1]: event.step_materialization_data.materialization.metadata
        for event in result.all_events
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION
    }


def checks(result) -> dict[str, object]:
    return {
        event.event_specific_data.asset_key.path[1]: event.event_specific_data
        for event in result.all_events
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    }


def test_one_daily_asset_per_source_keyed_like_the_dbt_sources_with_one_check_each():
    assert [a.key for a in ingest_assets] == [AssetKey(["raw", name]) for name in SOURCES]
    for asset in ingest_assets:
        spec = next(iter(asset.specs))
        assert spec.group_name == "ingest" and spec.partitions_def == daily_partitions and spec.owners
        assert asset.backfill_policy.max_partitions_per_run is None  # one run per backfill
        columns = [column.name for column in spec.metadata["dagster/column_schema"].columns]
        assert columns[: len(SOURCES[spec.key.path[1]].columns)] == list(SOURCES[spec.key.path[1]].columns)
        assert spec.description and asset.required_resource_keys >= {"warehouse", "exports"}
    assert sorted(key.asset_key for c in ingest_asset_checks for key in c.check_keys) == sorted(
        a.key for a in ingest_assets
    )


def test_a_day_of_every_source_lands_with_metadata_and_passing_checks(landing, tmp_path):
    result = run(landing, tmp_path, partition_key=DAY)
    assert result.success
    metadata = materializations(result)
    assert set(metadata) == set(SOURCES)
    calls = metadata["voice_calls"]
    assert (
        calls["files"].value,
        calls["files_landed"].value,
        calls["rows_landed"].value,
        calls["rows_quarantined"].value,
    ) == (2, 2, 6, 0)
    assert calls["bytes"].value > 0 and calls["seconds"].value >= 0
    assert calls["extra_columns"].value == {"voice_calls/2026-11-02/calls_part1.csv": ["ivr_path"]}
    assert {name: c.passed for name, c in checks(result).items()} == dict.fromkeys(SOURCES, True)
    assert query(tmp_path, "select count(*) from raw.email_tickets") == [(3,)]


def test_a_refused_file_fails_its_source_only_after_landing_the_rest(landing, tmp_path):
    shutil.copy(FIXTURES / "bad" / "truncated.csv.gz", landing / "voice_calls" / DAY / "calls_part3.csv.gz")
    result = run(landing, tmp_path, partition_key=DAY)
    assert not result.success
    assert set(materializations(result)) == set(SOURCES) - {"voice_calls"}
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert failure.step_key == "raw__voice_calls"
    description = failure.step_failure_data.user_failure_data.description
    assert "voice_calls/2026-11-02/calls_part3.csv.gz: unreadable or truncated gzip" in description
    assert failure.step_failure_data.user_failure_data.metadata["files_refused"].value == 1
    assert query(tmp_path, "select count(*), count(distinct _source_file) from raw.voice_calls") == [(6, 2)]


def test_a_range_run_lands_every_day_and_says_which_had_no_files(landing, tmp_path):
    tags = {
        "dagster/asset_partition_range_start": "2026-11-01",
        "dagster/asset_partition_range_end": "2026-11-03",
    }
    result = run(landing, tmp_path, tags=tags)
    assert result.success
    tickets = materializations(result)["email_tickets"]
    assert tickets["days"].value == 3 and tickets["days_without_files"].value == ["2026-11-01"]
    assert query(
        tmp_path, "select _export_date::VARCHAR, count(*) from raw.email_tickets group by 1 order by 1"
    ) == [
        ("2026-11-02", 3),
        ("2026-11-03", 1),
    ]
    again = run(landing, tmp_path, tags=tags)
    unchanged = materializations(again)["email_tickets"]
    assert unchanged["days_unchanged"].value == ["2026-11-02", "2026-11-03"]
    assert (unchanged["rows_landed"].value, unchanged["rows_in_raw"].value) == (0, 4)


def test_checks_count_quarantined_rows_per_rule_and_no_event_carries_a_raw_value(landing, tmp_path):
    shutil.copy(FIXTURES / "bad" / "voice_calls_rules.csv", landing / "voice_calls" / DAY / "calls_part3.csv")
    shutil.copy(
        FIXTURES / "bad" / "voice_surveys_rules.csv", landing / "voice_surveys" / DAY / "surveys_2.csv"
    )
    shutil.copy(FIXTURES / "bad" / "latin1.csv", landing / "voice_surveys" / DAY / "surveys_3.csv")
    result = run(landing, tmp_path, partition_key=DAY, config={"max_bad_row_share": 1.0})
    assert not result.success  # the latin-1 file of voice_surveys
    calls = checks(result)["voice_calls"]
    assert not calls.passed and calls.severity.value == "WARN"
    assert calls.metadata["quarantined_by_rule"].value["enum:direction"] == 1
    assert calls.metadata["rows_quarantined"].value == 9 and calls.metadata["expectations_failed"].value == 0
    assert query(tmp_path, "select count(*) from quarantine.voice_calls where record like '%sideways%'") == [
        (1,)
    ]
    text = " ".join(str(event.event_specific_data) + str(event.message) for event in result.all_events)
    assert "enum:direction" in text and "not UTF-8" in text
    leaked = [value for value in PII if value in text]
    assert leaked == []
