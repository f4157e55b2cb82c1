"""Export freshness: a client platform that stops sending a source fails its check."""

import duckdb
from dagster import AssetCheckSeverity

from orchestration.checks.freshness import client_lags, evaluate_freshness
from orchestration.ingest.schemas import SOURCES, raw_table_ddl


def warehouse(deliveries):
    """deliveries: {source: [(client_id, 'YYYY-MM-DD'), ...]}"""
    con = duckdb.connect()
    con.execute("create schema raw")
    for name, rows in deliveries.items():
        con.execute(raw_table_ddl(SOURCES[name]))
        for client, day in rows:
            con.execute(
                f"insert into raw.{name} (client_id, _export_date) values (?, ?::date)", [client, day]
            )
    return con


def test_lags_are_measured_against_the_newest_export_of_any_source():
    con = warehouse(
        {
            "voice_calls": [("acme", "2026-11-07"), ("bank", "2026-11-04")],
            "chat_sessions": [("acme", "2026-11-08")],
        }
    )
    as_of, lags = client_lags(con, SOURCES["voice_calls"])
    assert str(as_of) == "2026-11-08"
    assert lags == {"acme": 1, "bank": 4}


def test_a_client_that_stopped_sending_fails_with_its_lag_and_no_other_client_is_blamed():
    con = warehouse({"voice_calls": [("acme", "2026-11-08"), ("bank", "2026-11-06"), ("cola", "2026-11-01")]})
    result = evaluate_freshness(con, SOURCES["voice_calls"])
    assert not result.passed
    assert result.severity == AssetCheckSeverity.ERROR  # cola is 7 days behind, over twice the 1-day lag
    assert "bank (2 d)" in result.description and "cola (7 d)" in result.description
    assert "acme" not in result.description


def test_current_exports_pass_and_slow_sources_get_a_longer_lag():
    con = warehouse(
        {
            "voice_calls": [("acme", "2026-11-08")],
            "agents": [("acme", "2026-11-01")],  # roster deltas: 14 days allowed
        }
    )
    assert evaluate_freshness(con, SOURCES["voice_calls"]).passed
    assert evaluate_freshness(con, SOURCES["agents"]).passed


def test_a_source_never_landed_warns():
    con = warehouse({"voice_calls": [("acme", "2026-11-08")]})
    result = evaluate_freshness(con, SOURCES["nps_responses"])
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
