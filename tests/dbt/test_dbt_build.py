"""The dbt project builds, and its data and unit tests pass, on an empty warehouse.

`dbt build` runs the seeds, every model, the data tests and the dbt unit tests, which pin each metric
definition of shared/spec/marts.md on hand-computed inputs (see the `unit_tests:` in the model yml files).
"""

from __future__ import annotations

import duckdb
import pytest
from dbt_helpers import TEST_HASH_KEY, create_raw_tables, run_dbt


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("CX_HASH_KEY", TEST_HASH_KEY)
    path = tmp_path / "warehouse.duckdb"
    create_raw_tables(path)
    return path


def test_dbt_build_with_unit_tests_passes_on_an_empty_warehouse(warehouse, tmp_path):
    run_dbt(["build"], tmp_path)

    con = duckdb.connect(str(warehouse), read_only=True)
    marts = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    con.close()
    assert {
        "fct_interactions",
        "csat_daily",
        "service_level_daily",
        "alerts",
        "interaction_summaries",
    } <= marts


def test_an_incremental_run_over_a_partition_window_succeeds_after_a_full_build(warehouse, tmp_path):
    run_dbt(["build"], tmp_path)
    run_dbt(["run"], tmp_path, {"min_export_date": "2026-11-02", "max_export_date": "2026-11-02"})
