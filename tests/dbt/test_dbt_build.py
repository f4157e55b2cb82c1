"""The dbt project builds, and its data and unit tests pass, on an empty warehouse.

`dbt build` runs the seeds, every model, the data tests and the dbt unit tests, which pin each metric
definition of shared/spec/marts.md on hand-computed inputs (see the `unit_tests:` in the model yml files).
"""

from __future__ import annotations

import duckdb
import pytest
from dbt_helpers import run_dbt

from orchestration.settings import DBT_WINDOW_ENV, dbt_window_env


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


COMPILED_CALLS = "target/compiled/cx_warehouse/models/staging/voice/stg_voice__calls.sql"


def test_an_incremental_run_over_a_partition_window_succeeds_after_a_full_build(
    warehouse, tmp_path, monkeypatch
):
    run_dbt(["build"], tmp_path)
    run_dbt(["run"], tmp_path, {"min_export_date": "2026-11-02", "max_export_date": "2026-11-02"})

    # the window as Dagster passes it: in the environment (partial parsing survives), lookback 3 days
    for name, value in dbt_window_env("2026-11-05", "2026-11-06").items():
        monkeypatch.setenv(name, value)
    run_dbt(["compile", "--select", "stg_voice__calls"], tmp_path)
    compiled = (tmp_path / COMPILED_CALLS).read_text()
    assert (
        "_export_date >= date '2026-11-05' - interval 3 day and _export_date <= date '2026-11-06'" in compiled
    )
    # vars, when given, win over the environment
    run_dbt(["compile", "--select", "stg_voice__calls"], tmp_path, {"min_export_date": "2026-11-01"})
    assert "_export_date >= date '2026-11-01' - interval 3 day)" in (tmp_path / COMPILED_CALLS).read_text()
    # anything but a date fails the build rather than reaching the SQL
    monkeypatch.setenv(DBT_WINDOW_ENV[0], "2026-11-05' or true --")
    with pytest.raises(AssertionError, match="Invalid isoformat"):
        run_dbt(["compile", "--select", "stg_voice__calls"], tmp_path)


def test_data_tests_in_a_build_read_the_rows_it_wrote_and_dbt_test_reads_everything(warehouse, tmp_path):
    run_dbt(["build", "--exclude-resource-type", "unit_test"], tmp_path)
    # a row an earlier build left behind, breaking not_null on alerts.alert_id
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into marts.alerts (subject_id, alert_type, _built_at) "
        "values ('voice:old', 'sla_breach', timestamp '2000-01-01')"
    )
    con.close()

    # a build tests what it wrote to an incremental model: the old row is not read again…
    run_dbt(["build", "--select", "alerts", "dim_clients", "--exclude-resource-type", "unit_test"], tmp_path)
    compiled = tmp_path / "target" / "compiled" / "cx_warehouse" / "models"
    alerts_test = next(compiled.rglob("not_null_alerts_alert_id.sql")).read_text()
    assert "_built_at = timestamp '" in alerts_test
    # …while a table model is tested whole
    assert "_built_at" not in next(compiled.rglob("not_null_dim_clients_client_id.sql")).read_text()

    # …and `dbt test` reads the whole table, so the old row fails it
    with pytest.raises(AssertionError, match="not_null_alerts_alert_id"):
        run_dbt(["test", "--select", "alerts"], tmp_path)
