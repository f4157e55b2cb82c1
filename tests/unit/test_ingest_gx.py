"""The GX suites: one per source, from the contract; GX on pandas and the DuckDB compilation agree."""

from pathlib import Path

import duckdb
import pytest

from orchestration.checks.ingest_checks import quarantine_counts, unexpected_counts
from orchestration.ingest.gx_sql import validate_with_sql
from orchestration.ingest.gx_suites import build_suite, expectations, validate_with_gx
from orchestration.ingest.land import land_all
from orchestration.ingest.schemas import SOURCES

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "landing"
DAY = "2026-11-02"


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    land_all(con, str(LANDING))
    # Rows that break the contract, written past ingest on purpose (ingest itself would quarantine them).
    con.execute(
        """
        insert into raw.voice_calls (call_id, client_id, queue, direction, offered_at, answered_at, ended_at,
            talk_seconds, hold_seconds, acw_seconds, is_abandoned, transfer_count, is_escalated, is_resolved,
            _export_date)
        values ('C001', 'acme', 'billing', 'sideways', '2026-11-02 10:00', '2026-11-02 09:00',
                '2026-11-02 11:00', -3, 0, 0, false, 0, false, true, '2026-11-02'),
               (null, null, 'billing', 'inbound', '2026-11-02 10:00', null, '2026-11-02 11:00',
                1, 0, 0, false, 0, false, true, '2026-11-02')
        """
    )
    con.execute(
        "insert into raw.voice_surveys (survey_id, call_id, client_id, responded_at, csat_score, ces_score, "
        "_export_date) values ('S009', 'C1', 'acme', '2026-11-02 10:00', 6, 0, '2026-11-02')"
    )
    yield con
    con.close()


def test_one_suite_per_source_built_in_code_from_the_contract():
    suites = {name: build_suite(source) for name, source in SOURCES.items()}
    assert {suite.name for suite in suites.values()} == {f"raw.{name}" for name in SOURCES}
    calls = {e.meta["rule"]: type(e).__name__ for e in suites["voice_calls"].expectations}
    assert calls["unique:call_id"] == "ExpectColumnValuesToBeUnique"
    assert calls["enum:direction"] == "ExpectColumnValuesToBeInSet"
    assert calls["order:offered_at<=answered_at"] == "ExpectColumnPairValuesAToBeGreaterThanB"
    assert calls["non_negative:talk_seconds"] == "ExpectColumnValuesToBeBetween"
    assert (
        calls["type:offered_at"] == "ExpectColumnValuesToBeInTypeList"
        and calls["columns"] == "ExpectTableColumnsToMatchSet"
    )
    tickets = {e.meta["rule"]: type(e).__name__ for e in suites["email_tickets"].expectations}
    assert tickets["unique:ticket_id,updated_at"] == "ExpectCompoundColumnsToBeUnique"
    surveys = {e.rule: e.kwargs for e in expectations(SOURCES["voice_surveys"])}
    assert (surveys["range:csat_score"]["min_value"], surveys["range:csat_score"]["max_value"]) == (1, 5)
    assert (surveys["range:ces_score"]["min_value"], surveys["range:ces_score"]["max_value"]) == (1, 7)
    nps = {e.rule: e.kwargs for e in expectations(SOURCES["nps_responses"])}
    assert (nps["range:score"]["min_value"], nps["range:score"]["max_value"]) == (0, 10)


def test_the_compiled_suite_counts_what_gx_on_pandas_counts(con):
    for name, source in SOURCES.items():
        frame = con.execute(f"select * from raw.{name}").df()
        assert validate_with_sql(con, source) == validate_with_gx(source, frame), name


def test_the_suite_finds_rows_that_break_the_contract(con):
    counts = unexpected_counts(con, SOURCES["voice_calls"], [DAY])
    failed = {rule: n for rule, n in counts.items() if n}
    assert failed == {
        "required:call_id": 1,
        "required:client_id": 1,
        "unique:call_id": 2,
        "enum:direction": 1,
        "non_negative:talk_seconds": 1,
        "order:offered_at<=answered_at": 1,
    }
    surveys = {
        rule: n
        for rule, n in unexpected_counts(con, SOURCES["voice_surveys"], [DAY], "gx_pandas").items()
        if n
    }
    assert surveys == {"range:csat_score": 1, "range:ces_score": 1}


def test_landed_rows_pass_their_suite_and_another_day_is_not_counted(con):
    for name in (
        "chat_sessions",
        "email_tickets",
        "social_mentions",
        "qa_evaluations",
        "crm_customers",
        "agents",
    ):
        assert not any(unexpected_counts(con, SOURCES[name], [DAY]).values()), name
    assert not any(unexpected_counts(con, SOURCES["voice_calls"], ["2026-11-03"]).values())
    assert quarantine_counts(con, SOURCES["voice_calls"], [DAY]) == {}
