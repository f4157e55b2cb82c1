"""The daily-run benchmark in --quick mode: every stage runs and reports a timing (no timing assertions)."""

import pytest
from bench_helpers import run_benchmark

from orchestration.ingest.schemas import SOURCES


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_quick_benchmark_reports_every_stage(tmp_path):
    results, printed = run_benchmark(["--quick"], tmp_path / "work", tmp_path / "results.json")
    assert "Targets" in printed  # the table and the targets were printed
    figures = results["figures"]
    expected = [
        "generate",
        *(f"ingest_validate.{source}" for source in SOURCES),
        "ingest_validate",
        "dbt_build",
        "publish",
        "daily_run",
        "dagster_run",
        *(f"naive.ingest_validate.{source}" for source in SOURCES),
        "naive.ingest_validate",
        "growth.day2.daily_run",
        "growth.day3.daily_run",
    ]
    for stage in expected:
        assert figures[stage]["median"] > 0, stage
    for stage in ("daily_run", "naive.ingest_validate", "generate"):
        assert figures[stage]["peak_rss_gib"] > 0, stage
    assert figures["dagster_run"]["success"] is True
    assert figures["ingest_validate"]["rows"] > 0
    # the day's publish patched the file the history's publish left (a silent copy of every table, as
    # without the mart keys, would time a different publish)
    for run in results["raw_runs"]["daily"]:
        publish = next(stage for stage in run["stages"] if stage["name"] == "publish")
        assert publish["patched"] > 0, publish["how"]
        assert publish["started_from"].startswith("the published file"), publish["started_from"]
    assert not results["dbt_profile"]["failures"]
    assert {row["target"] for row in results["targets"]}
    assert results["meta"]["load_at_start"] and results["meta"]["load_at_end"]
    # the weekly compaction, measured once after the growth days (fewer than a week): the warehouse's
    # tables, then the marts file republished fresh (the daily publishes left deleted rows in it)
    compaction = results["growth"]["compaction"]
    assert results["growth"]["weekly_compactions"] == []
    assert compaction["seconds"] > compaction["republish_seconds"] > 0
    assert compaction["stored_rows"] >= compaction["live_rows"] > 0
    assert compaction["marts_stored_rows"] >= compaction["marts_live_rows"] > 0
