"""The nine channel exports of `shared/spec/exports.md` as typed raw-table contracts.

This module is the single source of truth for what ingest accepts and what the raw layer holds:
ingest reads files against it, validation derives its rules from it, and dbt's `sources` mirror it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# DuckDB types of the nested JSON objects, UTC timestamps stored as naive TIMESTAMP.
CONTACT = "STRUCT(id VARCHAR, email VARCHAR, name VARCHAR)"
CHAT_RATING = "STRUCT(scale VARCHAR, value VARCHAR, comment VARCHAR, rated_at TIMESTAMP)"
# `at` is a reserved word in DuckDB type syntax: quoted, or raw_table_ddl fails to parse.
TRANSCRIPT = 'STRUCT("at" TIMESTAMP, sender VARCHAR, text VARCHAR)[]'
SATISFACTION = "STRUCT(score INTEGER, comment VARCHAR, rated_at TIMESTAMP)"
QA_ITEMS = "STRUCT(item VARCHAR, score DOUBLE, max_score DOUBLE)[]"

# Metadata columns every raw table carries after the export's own fields.
LINEAGE_COLUMNS: dict[str, str] = {
    "_source_file": "VARCHAR",
    "_row_number": "BIGINT",
    "_export_date": "DATE",
    "_loaded_at": "TIMESTAMP",
    "_extra": "JSON",
}


@dataclass(frozen=True)
class Range:
    column: str
    low: float
    high: float


@dataclass(frozen=True)
class Source:
    """One export: its columns (name → DuckDB type) and the row-level rules on them."""

    name: str
    format: str  # csv | jsonl
    columns: dict[str, str]
    id_column: str
    required: tuple[str, ...]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: tuple[Range, ...] = ()
    non_negative: tuple[str, ...] = ()
    # (earlier, later): later must be >= earlier when both are present
    ordered: tuple[tuple[str, str], ...] = ()
    # newest version wins by this column; None = by export day then file order
    version_column: str | None = None

    @property
    def table(self) -> str:
        return f"raw.{self.name}"


VOICE_CALLS = Source(
    name="voice_calls",
    format="csv",
    columns={
        "call_id": "VARCHAR",
        "client_id": "VARCHAR",
        "queue": "VARCHAR",
        "direction": "VARCHAR",
        "customer_id": "VARCHAR",
        "customer_phone": "VARCHAR",
        "agent_id": "VARCHAR",
        "offered_at": "TIMESTAMP",
        "answered_at": "TIMESTAMP",
        "ended_at": "TIMESTAMP",
        "talk_seconds": "INTEGER",
        "hold_seconds": "INTEGER",
        "acw_seconds": "INTEGER",
        "is_abandoned": "BOOLEAN",
        "transfer_count": "INTEGER",
        "is_escalated": "BOOLEAN",
        "is_resolved": "BOOLEAN",
        "issue_category": "VARCHAR",
    },
    id_column="call_id",
    required=(
        "call_id",
        "client_id",
        "queue",
        "direction",
        "offered_at",
        "ended_at",
        "talk_seconds",
        "hold_seconds",
        "acw_seconds",
        "is_abandoned",
        "transfer_count",
        "is_escalated",
        "is_resolved",
    ),
    enums={"direction": ("inbound", "outbound")},
    non_negative=("talk_seconds", "hold_seconds", "acw_seconds", "transfer_count"),
    ordered=(("offered_at", "answered_at"), ("offered_at", "ended_at"), ("answered_at", "ended_at")),
)

VOICE_SURVEYS = Source(
    name="voice_surveys",
    format="csv",
    columns={
        "survey_id": "VARCHAR",
        "call_id": "VARCHAR",
        "client_id": "VARCHAR",
        "responded_at": "TIMESTAMP",
        "csat_score": "INTEGER",
        "ces_score": "INTEGER",
        "comment": "VARCHAR",
    },
    id_column="survey_id",
    required=("survey_id", "call_id", "client_id", "responded_at"),
    ranges=(Range("csat_score", 1, 5), Range("ces_score", 1, 7)),
)

CHAT_SESSIONS = Source(
    name="chat_sessions",
    format="jsonl",
    columns={
        "chat_id": "VARCHAR",
        "client_id": "VARCHAR",
        "queue": "VARCHAR",
        "customer": CONTACT,
        "agent_id": "VARCHAR",
        "requested_at": "TIMESTAMP",
        "accepted_at": "TIMESTAMP",
        "first_agent_message_at": "TIMESTAMP",
        "ended_at": "TIMESTAMP",
        "acw_seconds": "INTEGER",
        "is_resolved": "BOOLEAN",
        "is_escalated": "BOOLEAN",
        "issue_category": "VARCHAR",
        "rating": CHAT_RATING,
        "transcript": TRANSCRIPT,
    },
    id_column="chat_id",
    required=(
        "chat_id",
        "client_id",
        "queue",
        "requested_at",
        "ended_at",
        "acw_seconds",
        "is_resolved",
        "is_escalated",
    ),
    non_negative=("acw_seconds",),
    ordered=(
        ("requested_at", "accepted_at"),
        ("requested_at", "ended_at"),
        ("accepted_at", "ended_at"),
        ("accepted_at", "first_agent_message_at"),
    ),
)

EMAIL_TICKETS = Source(
    name="email_tickets",
    format="jsonl",
    columns={
        "ticket_id": "VARCHAR",
        "client_id": "VARCHAR",
        "via": "VARCHAR",
        "requester": CONTACT,
        "subject": "VARCHAR",
        "description": "VARCHAR",
        "priority": "VARCHAR",
        "issue_category": "VARCHAR",
        "status": "VARCHAR",
        "assignee_agent_id": "VARCHAR",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "first_response_at": "TIMESTAMP",
        "solved_at": "TIMESTAMP",
        "is_escalated": "BOOLEAN",
        "reopen_count": "INTEGER",
        "satisfaction": SATISFACTION,
    },
    id_column="ticket_id",
    required=(
        "ticket_id",
        "client_id",
        "via",
        "priority",
        "status",
        "created_at",
        "updated_at",
        "is_escalated",
        "reopen_count",
    ),
    enums={
        "via": ("email", "web_form"),
        "priority": ("low", "normal", "high", "urgent"),
        "status": ("new", "open", "pending", "solved", "closed"),
    },
    non_negative=("reopen_count",),
    ordered=(
        ("created_at", "updated_at"),
        ("created_at", "first_response_at"),
        ("created_at", "solved_at"),
    ),
    version_column="updated_at",
)

SOCIAL_MENTIONS = Source(
    name="social_mentions",
    format="jsonl",
    columns={
        "mention_id": "VARCHAR",
        "client_id": "VARCHAR",
        "platform": "VARCHAR",
        "visibility": "VARCHAR",
        "author_handle": "VARCHAR",
        "customer_id": "VARCHAR",
        "posted_at": "TIMESTAMP",
        "first_response_at": "TIMESTAMP",
        "responder_agent_id": "VARCHAR",
        "text": "VARCHAR",
        "star_rating": "INTEGER",
        "is_resolved": "BOOLEAN",
    },
    id_column="mention_id",
    required=("mention_id", "client_id", "platform", "visibility", "posted_at", "is_resolved"),
    enums={
        "platform": ("facebook", "x", "instagram", "app_store", "google_play"),
        "visibility": ("public", "private"),
    },
    ranges=(Range("star_rating", 1, 5),),
    ordered=(("posted_at", "first_response_at"),),
)

NPS_RESPONSES = Source(
    name="nps_responses",
    format="csv",
    columns={
        "response_id": "VARCHAR",
        "client_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "email": "VARCHAR",
        "sent_at": "TIMESTAMP",
        "responded_at": "TIMESTAMP",
        "score": "INTEGER",
        "reason": "VARCHAR",
        "wants_follow_up": "BOOLEAN",
    },
    id_column="response_id",
    required=("response_id", "client_id", "sent_at", "responded_at", "score", "wants_follow_up"),
    ranges=(Range("score", 0, 10),),
    ordered=(("sent_at", "responded_at"),),
)

QA_EVALUATIONS = Source(
    name="qa_evaluations",
    format="jsonl",
    columns={
        "evaluation_id": "VARCHAR",
        "client_id": "VARCHAR",
        "interaction_id": "VARCHAR",
        "channel": "VARCHAR",
        "agent_id": "VARCHAR",
        "evaluator_id": "VARCHAR",
        "evaluator_type": "VARCHAR",
        "evaluated_at": "TIMESTAMP",
        "rubric_version": "VARCHAR",
        "items": QA_ITEMS,
        "compliance_flags": "VARCHAR[]",
        "is_auto_fail": "BOOLEAN",
    },
    id_column="evaluation_id",
    required=(
        "evaluation_id",
        "client_id",
        "interaction_id",
        "channel",
        "agent_id",
        "evaluator_id",
        "evaluator_type",
        "evaluated_at",
        "rubric_version",
        "items",
        "is_auto_fail",
    ),
    enums={
        "channel": ("voice", "chat", "email", "social"),
        "evaluator_type": ("qa", "supervisor", "peer", "auto"),
    },
)

CRM_CUSTOMERS = Source(
    name="crm_customers",
    format="csv",
    columns={
        "customer_id": "VARCHAR",
        "client_id": "VARCHAR",
        "full_name": "VARCHAR",
        "email": "VARCHAR",
        "phone": "VARCHAR",
        "signed_up_on": "DATE",
        "churned_on": "DATE",
        "plan": "VARCHAR",
        "segment": "VARCHAR",
        "updated_at": "TIMESTAMP",
    },
    id_column="customer_id",
    required=("customer_id", "client_id", "signed_up_on", "updated_at"),
    ordered=(("signed_up_on", "churned_on"),),
    version_column="updated_at",
)

AGENTS = Source(
    name="agents",
    format="csv",
    columns={
        "agent_id": "VARCHAR",
        "full_name": "VARCHAR",
        "email": "VARCHAR",
        "team": "VARCHAR",
        "site": "VARCHAR",
        "supervisor_id": "VARCHAR",
        "client_id": "VARCHAR",
        "hired_on": "DATE",
        "left_on": "DATE",
        "updated_at": "TIMESTAMP",
    },
    id_column="agent_id",
    required=("agent_id", "client_id", "hired_on", "updated_at"),
    ordered=(("hired_on", "left_on"),),
    version_column="updated_at",
)

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        VOICE_CALLS,
        VOICE_SURVEYS,
        CHAT_SESSIONS,
        EMAIL_TICKETS,
        SOCIAL_MENTIONS,
        NPS_RESPONSES,
        QA_EVALUATIONS,
        CRM_CUSTOMERS,
        AGENTS,
    )
}


def raw_table_ddl(source: Source) -> str:
    """`create table if not exists` for a source's raw table: export columns, then lineage columns."""
    columns = {**source.columns, **LINEAGE_COLUMNS}
    body = ",\n    ".join(f'"{name}" {dtype}' for name, dtype in columns.items())
    return f"create table if not exists {source.table} (\n    {body}\n)"
