"""The benchmark's stages: the publish patches by the mart keys of its own dbt run's manifest; a failed dbt
build fails its task."""

import contextlib
import json
import subprocess

import pytest

from benchmarks import stages


def test_publish_without_mart_keys_is_an_error_not_a_silent_copy(tmp_path):
    # no dbt_target/manifest.json in the run folder (a checkout never parsed): the publish would copy
    # every table whole and time a different publish than the pipeline's
    with pytest.raises(RuntimeError, match="No mart unique keys"):
        stages.publish(None, None, tmp_path)


def test_publish_takes_the_keys_of_its_own_runs_manifest(tmp_path, monkeypatch):
    target = tmp_path / "dbt_target"
    target.mkdir()
    node = {
        "resource_type": "model",
        "name": "fct_interactions",
        "schema": "marts",
        "config": {"unique_key": ["channel", "interaction_id"]},
    }
    (target / "manifest.json").write_text(json.dumps({"nodes": {"model.cx.fct_interactions": node}}))
    seen = {}

    def fake_publish_marts(*args, keys, memory_limit, **kwargs):
        seen.update(keys, memory_limit=memory_limit)
        raise RuntimeError("stop here")

    monkeypatch.setattr("orchestration.publish.publish_marts", fake_publish_marts)

    class Recorder:
        def stage(self, name):
            return contextlib.nullcontext({})

    class Settings:
        warehouse_path = marts_path = warehouse_dir = tmp_path
        duckdb_memory_limit = "3GB"

    with pytest.raises(RuntimeError, match="stop here"):
        stages.publish(Settings(), Recorder(), tmp_path)
    assert seen == {"fct_interactions": ["channel", "interaction_id"], "memory_limit": "3GB"}


def fake_dbt(tmp_path, monkeypatch, exit_code: int, status: str) -> None:
    """`dbt` as the benchmark runs it, replaced by one that writes run_results.json and exits `exit_code`."""
    target = stages.dbt_target(tmp_path)

    def run(command, **kwargs):
        target.mkdir(parents=True, exist_ok=True)
        node = {
            "unique_id": "model.cx.int_interactions_unioned",
            "status": status,
            "execution_time": 98.0,
            "message": "IO Error: No space left on device" if status == "error" else None,
        }
        (target / "run_results.json").write_text(json.dumps({"elapsed_time": 99.0, "results": [node]}))
        return subprocess.CompletedProcess(command, exit_code)

    monkeypatch.setattr(stages.subprocess, "run", run)


def test_a_failed_dbt_build_fails_the_task_instead_of_giving_a_figure(tmp_path, monkeypatch):
    # session 15: a reload day whose build ran out of disk was printed as a 159 s daily run
    fake_dbt(tmp_path, monkeypatch, exit_code=1, status="error")
    entry = {}
    with pytest.raises(RuntimeError, match="No space left on device") as raised:
        stages.run_dbt(["build"], tmp_path, ("2025-04-02", "2025-04-02"), entry)
    assert "int_interactions_unioned" in str(raised.value)
    assert entry["statuses"] == {"error": 1}  # what failed is still recorded


def test_a_successful_dbt_build_gives_its_summary(tmp_path, monkeypatch):
    fake_dbt(tmp_path, monkeypatch, exit_code=0, status="success")
    entry = {}
    stages.run_dbt(["build"], tmp_path, None, entry)
    assert entry["exit_code"] == 0
    assert entry["statuses"] == {"success": 1}
    assert entry["failures"] == []
    assert (tmp_path / "last_run_results.json").exists()
