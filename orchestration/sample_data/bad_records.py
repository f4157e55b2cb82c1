"""Deliberately bad rows, so the pipeline's quarantine and validation have something to catch.

Rates: each file of at least 50 rows gets `round(0.8 % × rows)` bad rows (stochastic rounding, so the
expected share is 0.8 %), never more than 2 % of the file, which stays far below the 5 % share at which
ingest refuses a whole file; files under 50 rows get none. Each bad row has exactly one fault, its kind
drawn uniformly from its source's kinds:

- voice_calls: missing_id (call_id null), out_of_order (answered_at before offered_at),
  negative_duration (talk_seconds < 0), invalid_enum (direction `inbnd`), duplicate
- voice_surveys: missing_id (survey_id), out_of_range (csat_score 0 or 6), out_of_range_ces (ces_score 9),
  duplicate
- chat_sessions: missing_id (chat_id), out_of_order (accepted_at before requested_at),
  negative_duration (acw_seconds < 0), duplicate
- email_tickets: missing_id (ticket_id), out_of_order (solved_at before created_at),
  invalid_enum (priority `critical`), duplicate
- social_mentions: missing_id (mention_id), out_of_order (first_response_at before posted_at),
  invalid_enum (platform `tiktok`), out_of_range (star_rating 0 or 6), duplicate
- nps_responses: missing_id (response_id), out_of_order (responded_at before sent_at),
  out_of_range (score 11), duplicate
- qa_evaluations: missing_id (evaluation_id), invalid_enum (channel `phone`), duplicate
- crm_customers: missing_id (customer_id), out_of_order (churned_on before signed_up_on), duplicate
- agents: missing_id (agent_id), out_of_order (left_on before hired_on), duplicate

`duplicate` appends an exact copy of a row right after it (the id then repeats within the batch).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.sample_data.parts import Col, Part

RATE = 0.008
MAX_SHARE = 0.02
MIN_ROWS = 50

# kind → (action, column, argument)
KINDS: dict[str, dict[str, tuple[str, str | None, object]]] = {
    "voice_calls": {
        "missing_id": ("null", "call_id", None),
        "out_of_order": ("before", "answered_at", "offered_at"),
        "negative_duration": ("negative", "talk_seconds", None),
        "invalid_enum": ("set", "direction", ("inbnd",)),
    },
    "voice_surveys": {
        "missing_id": ("null", "survey_id", None),
        "out_of_range": ("set", "csat_score", (0, 6)),
        "out_of_range_ces": ("set", "ces_score", (9,)),
    },
    "chat_sessions": {
        "missing_id": ("null", "chat_id", None),
        "out_of_order": ("before", "accepted_at", "requested_at"),
        "negative_duration": ("negative", "acw_seconds", None),
    },
    "email_tickets": {
        "missing_id": ("null", "ticket_id", None),
        "out_of_order": ("before", "solved_at", "created_at"),
        "invalid_enum": ("set", "priority", ("critical",)),
    },
    "social_mentions": {
        "missing_id": ("null", "mention_id", None),
        "out_of_order": ("before", "first_response_at", "posted_at"),
        "invalid_enum": ("set", "platform", ("tiktok",)),
        "out_of_range": ("set", "star_rating", (0, 6)),
    },
    "nps_responses": {
        "missing_id": ("null", "response_id", None),
        "out_of_order": ("before", "responded_at", "sent_at"),
        "out_of_range": ("set", "score", (11,)),
    },
    "qa_evaluations": {
        "missing_id": ("null", "evaluation_id", None),
        "invalid_enum": ("set", "channel", ("phone",)),
    },
    "crm_customers": {
        "missing_id": ("null", "customer_id", None),
        "out_of_order": ("before", "churned_on", "signed_up_on"),
    },
    "agents": {
        "missing_id": ("null", "agent_id", None),
        "out_of_order": ("before", "left_on", "hired_on"),
    },
}


def bad_row_count(rng: np.random.Generator, rows: int) -> int:
    if rows < MIN_ROWS:
        return 0
    expected = RATE * rows
    return min(int(expected) + int(rng.random() < expected % 1), int(MAX_SHARE * rows))


def inject(rng: np.random.Generator, part: Part) -> dict[str, int]:
    """Corrupt a few rows of `part` in place; returns the count per kind."""
    n = len(part.client)
    count = bad_row_count(rng, n)
    kinds = [*KINDS[part.source], "duplicate"]
    injected = {kind: 0 for kind in kinds}
    if count == 0:
        return injected
    rows = np.sort(rng.choice(n, count, replace=False))
    drawn = rng.integers(0, len(kinds), count)
    for kind_no, kind in enumerate(kinds):
        chosen = rows[drawn == kind_no]
        injected[kind] = len(chosen)
        if kind == "duplicate":
            if len(chosen):
                part.order = np.sort(np.concatenate([np.arange(n), chosen]), kind="stable")
        elif len(chosen):
            _corrupt(rng, part, chosen, *KINDS[part.source][kind])
    return injected


def _corrupt(
    rng: np.random.Generator, part: Part, rows: np.ndarray, action: str, column: str, argument
) -> None:
    col: Col = part.columns[column]
    if action == "null":
        col.valid = np.ones(len(col), dtype=bool) if col.valid is None else col.valid.copy()
        col.valid[rows] = False
        return
    if col.valid is not None:
        col.valid = col.valid.copy()
        col.valid[rows] = True
    if action == "before":
        anchor = part.columns[argument]
        step = 1.0 if anchor.kind == "date" else 60.0
        col.values = col.values.copy()
        col.values[rows] = anchor.values[rows] - step * rng.integers(1, 30, len(rows))
    elif action == "negative":
        col.values = col.values.copy()
        col.values[rows] = -rng.integers(1, 60, len(rows))
    elif col.kind == "str":  # one of the given invalid values
        values = col.values.to_numpy(zero_copy_only=False).copy()
        values[rows] = np.array(argument, dtype=object)[rng.integers(0, len(argument), len(rows))]
        col.values = pa.array(values, pa.string())
    else:
        col.values = col.values.copy()
        col.values[rows] = np.array(argument)[rng.integers(0, len(argument), len(rows))]
