"""The benchmark's publish stage: the mart keys it patches by come from the manifest of its own dbt run."""

import contextlib
import json

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
