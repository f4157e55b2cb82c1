"""Row-level rules: each bad row goes to quarantine with file, row number, rule and raw record."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.files import local_export_files
from orchestration.ingest.land import land_partition
from orchestration.ingest.rules import row_rules
from orchestration.ingest.schemas import SOURCES

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "bad"
DAY = "2026-11-02"


def deliver(root: Path, source: str, *names: str, day: str = DAY) -> None:
    folder = root / source / day
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(BAD / name, folder / name)


def land(con, root: Path, source: str, day: str = DAY, **options):
    with local_export_files(str(root), source, day) as files:
        return land_partition(con, source, day, files, **options)


def quarantined(con, source: str) -> dict[int, list[str]]:
    return dict(
        con.execute(f"select _row_number, failed_rules from quarantine.{source} order by 1").fetchall()
    )


RULE_FIXTURES = {
    "voice_calls_rules.csv": (
        "voice_calls",
        {
            2: ["required:call_id"],
            3: ["enum:direction"],
            4: ["order:offered_at<=answered_at"],
            5: ["non_negative:talk_seconds"],
            6: ["type:is_abandoned"],
            7: ["type:offered_at"],  # naive timestamp
            8: ["type:talk_seconds"],
            9: ["unique:call_id"],
            10: ["csv_field_count"],
        },
        [1, 11],
    ),
    "voice_surveys_rules.csv": (
        "voice_surveys",
        {1: ["range:csat_score"], 2: ["range:ces_score"], 4: ["required:call_id"]},
        [3],
    ),
    "nps_rules.csv": ("nps_responses", {1: ["range:score"], 2: ["order:sent_at<=responded_at"]}, [3]),
    "social_mentions_rules.jsonl": ("social_mentions", {1: ["enum:platform"], 2: ["range:star_rating"]}, [3]),
    "crm_customers_rules.csv": (
        "crm_customers",
        {1: ["order:signed_up_on<=churned_on"], 2: ["type:signed_up_on"]},
        [3],
    ),
    "chat_sessions_rules.jsonl": (
        "chat_sessions",
        {
            1: ["type:transcript"],
            2: ["order:accepted_at<=first_agent_message_at"],
            3: ["malformed_json"],
            4: ["required:queue"],
        },
        [6],
    ),  # line 5 is blank: skipped, not a row
    "email_tickets_rules.jsonl": (
        "email_tickets",
        {
            2: ["unique:ticket_id,updated_at"],
            4: ["enum:priority"],
            5: ["order:created_at<=solved_at"],
            6: ["malformed_json"],
            7: ["type:satisfaction"],
        },
        [1, 3],
    ),
}


@pytest.mark.parametrize("fixture", RULE_FIXTURES)
def test_each_bad_row_is_quarantined_under_its_rule_and_the_rest_lands(tmp_path, fixture):
    source, expected, landed_rows = RULE_FIXTURES[fixture]
    deliver(tmp_path, source, fixture)
    con = duckdb.connect()
    report = land(con, tmp_path, source, max_bad_share=1.0)
    assert quarantined(con, source) == expected
    assert [
        n for (n,) in con.execute(f"select _row_number from raw.{source} order by 1").fetchall()
    ] == landed_rows
    assert report.files[0].rows_quarantined == len(expected) and report.files[0].rows_landed == len(
        landed_rows
    )
    assert sum(report.quarantined_by_rule.values()) == len(expected)


def test_quarantine_keeps_source_file_row_number_and_the_raw_record(tmp_path):
    deliver(tmp_path, "voice_calls", "voice_calls_rules.csv")
    con = duckdb.connect()
    land(con, tmp_path, "voice_calls", max_bad_share=1.0)
    [(path, day, rule, record)] = con.execute(
        "select _source_file, _export_date::VARCHAR, rule, record from quarantine.voice_calls "
        "where _row_number = 3"
    ).fetchall()
    assert (path, day, rule) == ("voice_calls/2026-11-02/voice_calls_rules.csv", DAY, "enum:direction")
    assert json.loads(record)["direction"] == "sideways" and json.loads(record)["talk_seconds"] == "290"
    [(record,)] = con.execute(
        "select record from quarantine.voice_calls where rule = 'csv_field_count'"
    ).fetchall()
    assert (
        json.loads(record) == "R10,acme,billing,inbound,,+15550000110"
    )  # the raw line, as it could not be split
    [(record,)] = con.execute(
        "select record from quarantine.voice_calls where rule = 'type:offered_at'"
    ).fetchall()
    assert json.loads(record)["offered_at"] == "2026-11-02 09:00:00"


def test_a_malformed_jsonl_line_is_quarantined_as_its_raw_text(tmp_path):
    deliver(tmp_path, "chat_sessions", "malformed_line.jsonl")
    con = duckdb.connect()
    land(con, tmp_path, "chat_sessions", max_bad_share=1.0)
    [(row, record)] = con.execute("select _row_number, record from quarantine.chat_sessions").fetchall()
    assert row == 2 and json.loads(record) == '{"chat_id": "CH91", "client_id": "acme", oops}'
    assert con.execute("select chat_id from raw.chat_sessions").fetchall() == [("CH90",)]


def test_an_id_repeated_in_a_later_file_of_the_day_keeps_the_first_occurrence(tmp_path):
    deliver(tmp_path, "voice_calls", "voice_calls_rules.csv")
    shutil.copy(BAD / "field_count.csv", tmp_path / "voice_calls" / DAY / "a_first.csv")
    (tmp_path / "voice_calls" / DAY / "b_second.csv").write_text(
        (BAD / "field_count.csv").read_text().replace("F02", "F99").replace(",surplus", "")
    )
    con = duckdb.connect()
    land(con, tmp_path, "voice_calls", max_bad_share=1.0)
    got = con.execute(
        "select _source_file, _row_number from quarantine.voice_calls "
        "where rule = 'unique:call_id' order by 1, 2"
    ).fetchall()
    assert got == [
        ("voice_calls/2026-11-02/b_second.csv", 1),
        ("voice_calls/2026-11-02/b_second.csv", 3),
        ("voice_calls/2026-11-02/voice_calls_rules.csv", 9),
    ]
    assert con.execute("select _source_file from raw.voice_calls where call_id = 'F01'").fetchall() == [
        ("voice_calls/2026-11-02/a_first.csv",)
    ]


def test_rows_of_a_refused_file_do_not_make_later_rows_repeats(tmp_path):
    folder = tmp_path / "voice_calls" / DAY
    folder.mkdir(parents=True)
    shutil.copy(BAD / "too_many_bad.csv", folder / "a_refused.csv")  # G01..G19 good, 2 bad: over 5 %
    header, first = (BAD / "too_many_bad.csv").read_text().splitlines()[:2]
    (folder / "b_resent.csv").write_text(f"{header}\n{first}\n")
    con = duckdb.connect()
    report = land(con, tmp_path, "voice_calls")
    assert [f.status for f in report.files] == ["refused", "landed"]
    assert con.execute("select call_id, _source_file from raw.voice_calls").fetchall() == [
        ("G01", "voice_calls/2026-11-02/b_resent.csv")
    ]
    assert con.execute("select count(*) from quarantine.voice_calls").fetchone()[0] == 0


def test_a_versioned_record_may_reappear_with_a_new_version_but_not_as_an_exact_duplicate(tmp_path):
    deliver(tmp_path, "email_tickets", "email_tickets_rules.jsonl")
    con = duckdb.connect()
    land(con, tmp_path, "email_tickets", max_bad_share=1.0)
    versions = con.execute(
        "select status from raw.email_tickets where ticket_id = 'T101' order by updated_at"
    ).fetchall()
    assert versions == [("new",), ("open",)]
    assert quarantined(con, "email_tickets")[2] == ["unique:ticket_id,updated_at"]


def test_a_row_failing_several_rules_lists_them_all(tmp_path):
    folder = tmp_path / "voice_surveys" / DAY
    folder.mkdir(parents=True)
    (folder / "s.csv").write_text(
        "survey_id,call_id,client_id,responded_at,csat_score,ces_score,comment\nZ1,,acme,yesterday,9,0,\n"
    )
    con = duckdb.connect()
    land(con, tmp_path, "voice_surveys", max_bad_share=1.0)
    assert quarantined(con, "voice_surveys") == {
        1: ["required:call_id", "type:responded_at", "range:csat_score", "range:ces_score"]
    }
    assert con.execute("select rule from quarantine.voice_surveys").fetchall() == [("required:call_id",)]


def test_rules_of_every_source_come_from_its_contract():
    names = {source: [rule for rule, _ in row_rules(SOURCES[source])] for source in SOURCES}
    assert "range:csat_score" in names["voice_surveys"] and "range:ces_score" in names["voice_surveys"]
    assert "range:score" in names["nps_responses"] and "range:star_rating" in names["social_mentions"]
    assert "order:created_at<=solved_at" in names["email_tickets"] and "enum:status" in names["email_tickets"]
    assert (
        "non_negative:acw_seconds" in names["chat_sessions"]
        and "enum:evaluator_type" in names["qa_evaluations"]
    )
    assert all(names[source] for source in SOURCES)
