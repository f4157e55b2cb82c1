"""Every export format of the contract lands typed: CSV quirks, gzip, JSONL nesting, Parquet, UTC offsets."""

import datetime as dt
import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.land import land_all
from orchestration.ingest.schemas import LINEAGE_COLUMNS, SOURCES

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "landing"
UTC = dt.datetime


@pytest.fixture(scope="module")
def landed():
    con = duckdb.connect()
    reports = land_all(con, str(LANDING))
    yield con, {(r.source, r.day): r for r in reports}
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_every_source_of_the_fixture_landing_lands_with_nothing_quarantined(landed):
    con, reports = landed
    assert {source for source, _ in reports} == set(SOURCES)
    assert all(r.status == "landed" and not r.refused for r in reports.values())
    assert sum(r.rows_quarantined for r in reports.values()) == 0
    counts = {s: rows(con, f"select count(*) from raw.{s}")[0][0] for s in SOURCES}
    assert counts == {
        "voice_calls": 6,
        "voice_surveys": 3,
        "chat_sessions": 3,
        "email_tickets": 4,
        "social_mentions": 2,
        "nps_responses": 2,
        "qa_evaluations": 2,
        "crm_customers": 3,
        "agents": 3,
    }


def test_raw_tables_have_the_types_of_the_contract(landed):
    con, _ = landed
    for source in SOURCES.values():
        actual = dict(
            rows(
                con,
                f"select column_name, data_type from information_schema.columns "
                f"where table_schema = 'raw' and table_name = '{source.name}'",
            )
        )
        expected = {**source.columns, **LINEAGE_COLUMNS}
        assert list(actual) == list(expected)
        assert actual["_row_number"] == "BIGINT" and actual["_export_date"] == "DATE"


def test_csv_with_bom_quoted_commas_quotes_newlines_and_yn_booleans_lands_typed(landed):
    con, _ = landed
    got = rows(
        con,
        "select call_id, issue_category, is_abandoned, is_escalated, is_resolved from raw.voice_calls "
        "where _source_file like '%part1.csv' order by _row_number",
    )
    assert got == [
        ("C001", "billing", False, False, True),  # Y/N
        ("C002", 'technical, "router" issue\nsecond line', False, True, False),  # quoted, 1/0
        ("C003", "billing", True, False, False),
        ("C004", "other", False, False, True),  # true/false
    ]


def test_timestamps_with_offsets_are_converted_to_utc(landed):
    con, _ = landed
    offered = dict(rows(con, "select call_id, offered_at from raw.voice_calls"))
    assert offered["C001"] == UTC(2026, 11, 2, 14, 0)  # -05:00
    assert offered["C002"] == UTC(2026, 11, 2, 14, 5)  # Z
    assert offered["C004"] == UTC(2026, 11, 2, 15, 0)  # +01:00
    assert offered["C005"] == UTC(2026, 11, 2, 18, 0)  # +02:00
    [(rated_at, first_line_at)] = rows(
        con, "select rating.rated_at, transcript[1].at from raw.chat_sessions where chat_id = 'CH01'"
    )
    assert (rated_at, first_line_at) == (
        UTC(2026, 11, 2, 15, 16),
        UTC(2026, 11, 2, 15, 0, 31),
    )  # nested, -05:00
    [(satisfaction_rated_at,)] = rows(
        con, "select satisfaction.rated_at from raw.email_tickets where _export_date = '2026-11-03'"
    )
    assert satisfaction_rated_at == UTC(2026, 11, 3, 15, 0)


def test_gzipped_csv_with_crlf_and_another_column_order_lands(landed):
    con, _ = landed
    got = rows(
        con,
        "select call_id, direction, transfer_count, is_escalated, issue_category from raw.voice_calls "
        "where _source_file like '%.csv.gz' order by _row_number",
    )
    assert got == [("C005", "inbound", 2, True, "account"), ("C006", "inbound", 0, False, None)]


def test_jsonl_nested_objects_and_arrays_are_typed(landed):
    con, _ = landed
    [(customer, rating, transcript)] = rows(
        con, "select customer, rating, transcript from raw.chat_sessions where chat_id = 'CH01'"
    )
    assert customer == {"id": "CU01", "email": "ann.lee@example.com", "name": "Ann Lee"}
    assert rating["scale"] == "stars" and rating["value"] == "4"
    assert [line["sender"] for line in transcript] == ["bot", "agent"]
    [(rating, transcript)] = rows(
        con, "select rating, transcript from raw.chat_sessions where chat_id = 'CH02'"
    )
    assert rating["value"] == "down" and transcript == []
    [(items, flags)] = rows(
        con, "select items, compliance_flags from raw.qa_evaluations where evaluation_id = 'E001'"
    )
    assert items[1] == {"item": "empathy", "score": 3.5, "max_score": 5.0} and flags == []


def test_parquet_with_typed_columns_lands(landed):
    con, _ = landed
    got = rows(
        con,
        "select mention_id, posted_at, first_response_at, star_rating, is_resolved "
        "from raw.social_mentions order by 1",
    )
    assert got == [
        ("M001", UTC(2026, 11, 2, 15, 0), UTC(2026, 11, 2, 15, 30), None, True),
        ("M002", UTC(2026, 11, 2, 12, 0), None, 2, False),
    ]


def test_gzipped_parquet_lands_like_plain_parquet(tmp_path):
    folder = tmp_path / "social_mentions" / "2026-11-02"
    folder.mkdir(parents=True)
    source = LANDING / "social_mentions" / "2026-11-02" / "mentions.parquet"
    (folder / "mentions.parquet.gz").write_bytes(gzip.compress(source.read_bytes()))
    con = duckdb.connect()
    [report] = land_all(con, str(tmp_path))
    assert (report.rows_landed, report.rows_quarantined) == (2, 0)
    assert rows(con, "select star_rating from raw.social_mentions where mention_id = 'M002'") == [(2,)]


def test_several_files_per_day_keep_their_source_file_and_row_number(landed):
    con, _ = landed
    got = rows(
        con,
        "select _source_file, list(_row_number order by _row_number) "
        "from raw.chat_sessions group by 1 order by 1",
    )
    assert got == [
        ("chat_sessions/2026-11-02/chats.jsonl", [1, 2]),
        ("chat_sessions/2026-11-02/chats_late.jsonl.gz", [1]),
    ]
    assert rows(con, "select distinct _export_date from raw.chat_sessions") == [(dt.date(2026, 11, 2),)]


def test_extra_columns_are_kept_in_extra_and_reported(landed):
    con, reports = landed
    assert rows(con, "select _extra->>'ivr_path' from raw.voice_calls where call_id = 'C001'") == [
        ("menu 1, then 3",)
    ]
    assert rows(con, "select _extra->>'widget_version' from raw.chat_sessions where chat_id = 'CH01'") == [
        ("3.2",)
    ]
    assert rows(con, "select _extra from raw.chat_sessions where chat_id = 'CH02'") == [(None,)]
    assert rows(con, "select distinct _extra->>'lang' from raw.social_mentions") == [("en",)]
    assert reports[("voice_calls", "2026-11-02")].extra_columns == {
        "voice_calls/2026-11-02/calls_part1.csv": ["ivr_path"]
    }
    assert reports[("chat_sessions", "2026-11-02")].extra_columns == {
        "chat_sessions/2026-11-02/chats.jsonl": ["widget_version"]
    }


def test_missing_optional_columns_land_as_null_and_are_reported(tmp_path):
    folder = tmp_path / "voice_calls" / "2026-11-02"
    folder.mkdir(parents=True)
    shutil.copy(LANDING.parent / "bad" / "missing_optional_columns.csv", folder / "calls.csv")
    con = duckdb.connect()
    [report] = land_all(con, str(tmp_path))
    assert report.rows_landed == 1 and not report.refused
    assert report.missing_columns == {
        "voice_calls/2026-11-02/calls.csv": [
            "customer_id",
            "customer_phone",
            "agent_id",
            "answered_at",
            "issue_category",
        ]
    }
    assert rows(con, "select call_id, customer_phone, answered_at from raw.voice_calls") == [
        ("O01", None, None)
    ]


def test_records_updated_on_later_days_are_all_kept_in_raw(landed):
    con, _ = landed
    tickets = rows(
        con,
        "select _export_date::VARCHAR, status from raw.email_tickets "
        "where ticket_id = 'T001' order by updated_at",
    )
    assert tickets == [("2026-11-02", "new"), ("2026-11-02", "open"), ("2026-11-03", "solved")]
    churned = rows(
        con,
        "select _export_date::VARCHAR, churned_on from raw.crm_customers "
        "where customer_id = 'CU01' order by 1",
    )
    assert churned == [("2026-11-02", None), ("2026-11-03", dt.date(2026, 11, 3))]
