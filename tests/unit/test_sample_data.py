"""The sample exports generator writes the export contract, reproducibly, with a documented share of bad rows.

Everything is checked from the written files (DuckDB readers), not from the generator's own bookkeeping.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.sample_data import SOURCES, generate
from orchestration.sample_data.__main__ import main
from orchestration.sample_data.bad_records import MAX_SHARE, MIN_ROWS
from orchestration.sample_data.catalog import CLIENTS, seed_rows

SMALL = dict(seed=7, start=date(2026, 11, 1), days=3, agents=40, customers=1500, interactions_per_day=1500)
TINY = dict(seed=3, start=date(2026, 11, 1), days=2, agents=20, customers=300, interactions_per_day=300)
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

SPEC_FIELDS = {
    "voice_calls": "call_id client_id queue direction customer_id customer_phone agent_id offered_at "
    "answered_at ended_at talk_seconds hold_seconds acw_seconds is_abandoned transfer_count is_escalated "
    "is_resolved issue_category",
    "voice_surveys": "survey_id call_id client_id responded_at csat_score ces_score comment",
    "chat_sessions": "chat_id client_id queue customer agent_id requested_at accepted_at "
    "first_agent_message_at ended_at acw_seconds is_resolved is_escalated issue_category rating transcript",
    "email_tickets": "ticket_id client_id via requester subject description priority issue_category status "
    "assignee_agent_id created_at updated_at first_response_at solved_at is_escalated reopen_count "
    "satisfaction",
    "social_mentions": "mention_id client_id platform visibility author_handle customer_id posted_at "
    "first_response_at responder_agent_id text star_rating is_resolved",
    "nps_responses": "response_id client_id customer_id email sent_at responded_at score reason "
    "wants_follow_up",
    "qa_evaluations": "evaluation_id client_id interaction_id channel agent_id evaluator_id evaluator_type "
    "evaluated_at rubric_version items compliance_flags is_auto_fail",
    "crm_customers": "customer_id client_id full_name email phone signed_up_on churned_on plan segment "
    "updated_at",
    "agents": "agent_id full_name email team site supervisor_id client_id hired_on left_on updated_at",
}
NESTED_FIELDS = {
    "customer": {"id", "email", "name"},
    "requester": {"id", "email", "name"},
    "rating": {"scale", "value", "comment", "rated_at"},
    "transcript": {"at", "sender", "text"},
    "satisfaction": {"score", "comment", "rated_at"},
    "items": {"item", "score", "max_score"},
}


def ts(column: str) -> str:
    return f"try_cast({column} as timestamptz)"


def js(field: str) -> str:
    return f"(json->>'$.{field}')"


# Rows that break the contract, written independently of the generator: (is JSONL, predicate).
VIOLATIONS = {
    "voice_calls": (
        False,
        "call_id is null or direction not in ('inbound', 'outbound')"
        f" or {ts('answered_at')} < {ts('offered_at')} or {ts('ended_at')} < {ts('offered_at')}"
        f" or {ts('ended_at')} < {ts('answered_at')}"
        " or talk_seconds::int < 0 or hold_seconds::int < 0 or acw_seconds::int < 0",
    ),
    "voice_surveys": (
        False,
        "survey_id is null or csat_score::int not between 1 and 5 or ces_score::int not between 1 and 7",
    ),
    "chat_sessions": (
        True,
        f"{js('chat_id')} is null or {ts(js('accepted_at'))} < {ts(js('requested_at'))}"
        f" or {ts(js('first_agent_message_at'))} < {ts(js('accepted_at'))}"
        f" or {ts(js('ended_at'))} < {ts(js('accepted_at'))} or {js('acw_seconds')}::int < 0",
    ),
    "email_tickets": (
        True,
        f"{js('ticket_id')} is null or {js('priority')} not in ('low', 'normal', 'high', 'urgent')"
        f" or {js('status')} not in ('new', 'open', 'pending', 'solved', 'closed')"
        f" or {ts(js('solved_at'))} < {ts(js('created_at'))}"
        f" or {ts(js('updated_at'))} < {ts(js('created_at'))}"
        f" or {ts(js('first_response_at'))} < {ts(js('created_at'))}",
    ),
    "social_mentions": (
        True,
        f"{js('mention_id')} is null or {js('platform')} not in ('facebook', 'x', 'instagram', 'app_store',"
        f" 'google_play') or {js('star_rating')}::int not between 1 and 5"
        f" or {ts(js('first_response_at'))} < {ts(js('posted_at'))}",
    ),
    "nps_responses": (
        False,
        f"response_id is null or score::int not between 0 and 10 or {ts('responded_at')} < {ts('sent_at')}",
    ),
    "qa_evaluations": (
        True,
        f"{js('evaluation_id')} is null or {js('channel')} not in ('voice', 'chat', 'email', 'social')",
    ),
    "crm_customers": (False, "customer_id is null or churned_on::date < signed_up_on::date"),
    "agents": (False, "agent_id is null or left_on::date < hired_on::date"),
}


def relation(out: Path, source: str) -> str:
    if VIOLATIONS[source][0]:
        return f"read_ndjson_objects('{out}/{source}/*/*.jsonl*', filename = true)"
    return f"read_csv('{out}/{source}/*/*.csv*', all_varchar = true, header = true, filename = true)"


def bad_rows_per_file(out: Path, source: str) -> dict[str, tuple[int, int]]:
    """file → (rows, rows breaking a rule + exact duplicate rows)."""
    rel, predicate = relation(out, source), VIOLATIONS[source][1]
    query = f"""
        with rows_ as (select * from {rel}),
        counts as (
            select filename, count(*) as n, count(*) filter (where {predicate}) as bad from rows_ group by 1
        ),
        uniques as (select filename, count(*) as d from (select distinct * from rows_) group by 1)
        select filename, n, bad + n - d from counts join uniques using (filename)"""
    with duckdb.connect() as con:
        return {name: (n, bad) for name, n, bad in con.execute(query).fetchall()}


def json_lines(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def csv_rows(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def records(out: Path, source: str) -> list[tuple[str, dict]]:
    """(export day, record) for every row of a source."""
    reader = json_lines if VIOLATIONS[source][0] else csv_rows
    return [(path.parent.name, row) for path in sorted((out / source).glob("*/*")) for row in reader(path)]


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate(out, **SMALL)


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, **SMALL, bad_records=False)
    return out


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_the_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    generate(tmp_path / "a", **TINY)
    generate(tmp_path / "b", **TINY)
    generate(tmp_path / "c", **{**TINY, "seed": TINY["seed"] + 1})
    first, again, other = snapshot(tmp_path / "a"), snapshot(tmp_path / "b"), snapshot(tmp_path / "c")
    assert first == again
    assert len(first) > 20
    calls = [name for name in first if "voice_calls" in name]
    assert calls and all(first[name] != other[name] for name in calls)


def test_every_source_is_written_in_the_landing_layout(landing):
    out, _ = landing
    pattern = re.compile(r"^(\w+)/(\d{4}-\d{2}-\d{2})/[\w.-]+\.(csv|csv\.gz|jsonl|jsonl\.gz|parquet)$")
    paths = [str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()]
    assert all(pattern.match(path) for path in paths), [p for p in paths if not pattern.match(p)]
    assert {pattern.match(path).group(1) for path in paths} == set(SOURCES)
    window = {date.fromordinal(SMALL["start"].toordinal() + d).isoformat() for d in range(SMALL["days"])}
    assert {pattern.match(path).group(2) for path in paths} == window
    assert any(path.endswith(".csv.gz") for path in paths) and any(
        path.endswith(".jsonl.gz") for path in paths
    )
    assert len(list((out / "voice_calls").glob(f"{SMALL['start']}/*.csv.gz"))) == len(CLIENTS)


def test_every_file_carries_the_fields_of_the_spec(landing):
    out, _ = landing
    for source in SOURCES:
        for path in sorted((out / source).glob("*/*")):
            rows = json_lines(path) if VIOLATIONS[source][0] else csv_rows(path)
            assert rows, path
            assert set(SPEC_FIELDS[source].split()) <= set(rows[0]), path
    for source, field_ in [("chat_sessions", "customer"), ("email_tickets", "requester")]:
        assert all(set(row[field_]) == NESTED_FIELDS[field_] for _, row in records(out, source))
    chats = [row for _, row in records(out, "chat_sessions")]
    assert all(2 <= len(row["transcript"]) <= 8 for row in chats)
    assert all(set(message) == NESTED_FIELDS["transcript"] for row in chats for message in row["transcript"])
    assert {row["rating"]["scale"] for row in chats if row["rating"]} == {"thumbs", "stars"}
    evaluations = [row for _, row in records(out, "qa_evaluations")]
    assert all(item["score"] <= item["max_score"] for row in evaluations for item in row["items"])


def test_bad_records_stay_within_the_documented_share_and_are_the_injected_ones(landing):
    out, summary = landing
    for source in SOURCES:
        per_file = bad_rows_per_file(out, source)
        for name, (rows, bad) in per_file.items():
            assert bad <= MAX_SHARE * rows, name
            assert rows >= MIN_ROWS or bad == 0, name
        rows = sum(n for n, _ in per_file.values())
        bad = sum(b for _, b in per_file.values())
        assert bad == sum(summary["bad_records"][source].values()), source
        if rows >= 2000:
            assert 0.003 <= bad / rows <= 0.015, (source, bad, rows)


def test_no_bad_records_means_every_row_keeps_the_contract(clean_landing):
    for source in SOURCES:
        assert all(bad == 0 for _, bad in bad_rows_per_file(clean_landing, source).values()), source


def test_the_seeds_are_the_catalog_and_cover_what_the_exports_use(landing):
    out, _ = landing
    for name, (header, rows) in seed_rows().items():
        with open(SEEDS_DIR / f"{name}.csv", newline="", encoding="utf-8") as handle:
            assert list(csv.reader(handle)) == [header, *rows], name
    client_ids = {row[0] for row in seed_rows()["clients"][1]}
    rubric_items = {(row[0], row[1]) for row in seed_rows()["qa_rubrics"][1]}
    for source in SOURCES:
        assert {row["client_id"] for _, row in records(out, source)} <= client_ids, source
    evaluations = [row for _, row in records(out, "qa_evaluations")]
    used = {(row["rubric_version"], item["item"]) for row in evaluations for item in row["items"]}
    assert used and used <= rubric_items


def test_free_text_holds_luhn_valid_cards_emails_and_csv_quoting_cases(landing):
    out, _ = landing
    texts = [m["text"] for _, row in records(out, "chat_sessions") for m in row["transcript"]]
    texts += [row["description"] for _, row in records(out, "email_tickets")]
    texts += [row["comment"] for _, row in records(out, "voice_surveys") if row["comment"]]
    texts += [row["reason"] for _, row in records(out, "nps_responses") if row["reason"]]
    cards = [
        m for text in texts for m in re.findall(r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)", text)
    ]
    assert cards and all(luhn_valid(re.sub(r"\D", "", card)) for card in cards)
    assert any(" " in card for card in cards) and any("-" in card for card in cards)
    assert sum(bool(re.search(r"[\w.]+@[\w-]+\.[\w.]+", text)) for text in texts) > 20
    assert (
        sum(bool(re.search(r"\+\d{10,12}|\(\d{3}\) \d{3}-\d{4}|0\d{3} \d{3} \d{3,4}", t)) for t in texts) > 20
    )
    comments = [row["comment"] for _, row in records(out, "voice_surveys") if row["comment"]]
    assert (
        any("," in c for c in comments)
        and any('"' in c for c in comments)
        and any("\n" in c for c in comments)
    )


def test_tickets_reappear_on_later_days_with_progressed_status(landing):
    out, _ = landing
    history: dict[str, list[tuple[str, str, str]]] = {}
    for day, row in records(out, "email_tickets"):
        if row["ticket_id"]:
            history.setdefault(row["ticket_id"], []).append((day, row["status"], row["updated_at"]))
    progressed = 0
    for versions in history.values():
        versions.sort()
        first, last = versions[0], versions[-1]
        stamps = [datetime.fromisoformat(updated) for _, _, updated in versions]
        assert stamps == sorted(stamps)
        progressed += (
            len(versions) > 1 and first[1] in ("new", "open", "pending") and last[1] in ("solved", "closed")
        )
    assert progressed > 50
    assert any(row["reopen_count"] == 1 for _, row in records(out, "email_tickets"))


def test_qa_evaluations_refer_to_real_handled_interactions(landing):
    out, _ = landing
    ids = {
        "voice": {row["call_id"] for _, row in records(out, "voice_calls")},
        "chat": {row["chat_id"] for _, row in records(out, "chat_sessions")},
        "email": {row["ticket_id"] for _, row in records(out, "email_tickets")},
        "social": {row["mention_id"] for _, row in records(out, "social_mentions")},
    }
    evaluations = [row for _, row in records(out, "qa_evaluations") if row["channel"] in ids]
    found = [row["interaction_id"] in ids[row["channel"]] for row in evaluations]
    assert {"voice", "chat", "email"} <= {row["channel"] for row in evaluations}
    assert sum(found) >= 0.98 * len(found)  # a few refer to rows whose id was blanked as a bad record
    assert any(row["is_auto_fail"] for row in evaluations) and any(
        row["compliance_flags"] for row in evaluations
    )


def test_timestamps_are_iso_8601_with_offsets_in_the_clients_timezone(landing):
    out, _ = landing
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
    zones = {c.client_id: ZoneInfo(c.timezone) for c in CLIENTS}
    suffixes = set()
    for source in SOURCES:
        for _, row in records(out, source):
            for name, value in row.items():
                if name.endswith("_at") and value:
                    assert iso.match(value), (source, name, value)
                    moment = datetime.fromisoformat(value)
                    if not value.endswith("Z"):
                        assert moment.utcoffset() == moment.astimezone(zones[row["client_id"]]).utcoffset()
                    suffixes.add("Z" if value.endswith("Z") else value[-6:])
    assert {"Z", "-05:00", "-06:00", "+08:00", "+11:00"} <= suffixes  # Chicago leaves DST on 2026-11-01


def test_voice_calls_land_on_the_local_day_they_were_offered(landing):
    out, _ = landing
    zones = {c.client_id: ZoneInfo(c.timezone) for c in CLIENTS}
    for day, row in records(out, "voice_calls"):
        offered = datetime.fromisoformat(row["offered_at"]).astimezone(zones[row["client_id"]])
        assert offered.date().isoformat() == day


def test_csat_is_lower_after_unresolved_calls(landing):
    out, _ = landing
    resolved = {row["call_id"]: row["is_resolved"] in ("true", "Y") for _, row in records(out, "voice_calls")}
    scores = {True: [], False: []}
    for _, row in records(out, "voice_surveys"):
        if row["call_id"] in resolved and row["csat_score"] and row["survey_id"]:
            scores[resolved[row["call_id"]]].append(int(row["csat_score"]))
    assert sum(scores[True]) / len(scores[True]) > sum(scores[False]) / len(scores[False]) + 1


def test_unresolved_contacts_come_back_more_often_with_the_same_issue(landing):
    out, _ = landing
    by_phone = {row["phone"]: row["customer_id"] for _, row in records(out, "crm_customers")}
    by_email = {row["email"].strip().lower(): row["customer_id"] for _, row in records(out, "crm_customers")}
    contacts = []  # (customer, category, start, resolved)
    for _, row in records(out, "voice_calls"):
        if row["direction"] == "inbound" and row["answered_at"] and row["customer_phone"] in by_phone:
            start = datetime.fromisoformat(row["offered_at"])
            contacts.append(
                (by_phone[row["customer_phone"]], row["issue_category"], start, row["is_resolved"])
            )
    for _, row in records(out, "chat_sessions"):
        customer = by_email.get(row["customer"]["email"].strip().lower())
        if row["accepted_at"] and customer:
            start = datetime.fromisoformat(row["requested_at"])
            contacts.append((customer, row["issue_category"], start, str(row["is_resolved"]).lower()))
    starts: dict[tuple[str, str], list[datetime]] = {}
    for customer, category, start, _ in contacts:
        starts.setdefault((customer, category), []).append(start)
    came_back = {"resolved": [], "unresolved": []}
    for customer, category, start, resolved in contacts:
        later = [s for s in starts[(customer, category)] if 0 < (s - start).total_seconds() <= 7 * 86400]
        came_back["resolved" if resolved in ("true", "Y") else "unresolved"].append(bool(later))
    rate = {key: sum(values) / len(values) for key, values in came_back.items()}
    assert rate["unresolved"] > 1.6 * rate["resolved"], rate


def test_the_cli_prints_the_summary_and_writes_parquet_on_request(tmp_path, capsys):
    summary = main(["--out", str(tmp_path), "--days", "1", "--customers", "200", "--agents", "12",
                    "--interactions-per-day", "200", "--parquet"])  # fmt: skip
    printed = capsys.readouterr().out
    assert all(source in printed for source in SOURCES)
    assert summary["rows"]["voice_calls"] > 0
    roster = pq.read_table(next((tmp_path / "agents").glob("*/agents.parquet")))
    assert set(SPEC_FIELDS["agents"].split()) <= set(roster.column_names)
