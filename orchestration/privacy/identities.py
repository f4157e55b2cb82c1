"""Where a person's identifiers sit in the raw layer, how they are normalised, and how they are hashed.

Shared by erasure (`orchestration/erasure.py`) and the suppression list applied at landing
(`orchestration/privacy/suppression.py`). Normalisation follows the identity rules of shared/spec/marts.md:
CRM ids trimmed, e-mails trimmed and lower-cased, phones reduced to their digits.
"""

from __future__ import annotations

import re

KINDS = ("crm", "email", "phone", "handle")

# The structured identity fields of each raw table: kind -> column (a struct field for the JSON sources).
IDENTITY_FIELDS: dict[str, dict[str, str]] = {
    "crm_customers": {"crm": "customer_id", "email": "email", "phone": "phone"},
    "voice_calls": {"crm": "customer_id", "phone": "customer_phone"},
    "chat_sessions": {"crm": "customer.id", "email": "customer.email"},
    "email_tickets": {"crm": "requester.id", "email": "requester.email"},
    "social_mentions": {"crm": "customer_id", "handle": "author_handle"},
    "nps_responses": {"crm": "customer_id", "email": "email"},
}
# The interaction each row is (calls, chats, tickets, mentions) or belongs to (surveys, QA evaluations).
INTERACTION_FIELDS: dict[str, str] = {
    "voice_calls": "call_id",
    "chat_sessions": "chat_id",
    "email_tickets": "ticket_id",
    "social_mentions": "mention_id",
    "voice_surveys": "call_id",
    "qa_evaluations": "interaction_id",
}
INTERACTION_SOURCES = ("voice_calls", "chat_sessions", "email_tickets", "social_mentions")

_SQL_NORMALISE = {
    "crm": "nullif(trim({}), '')",
    "email": "nullif(lower(trim({})), '')",
    "phone": "nullif(regexp_replace({}, '[^0-9]', '', 'g'), '')",
    "handle": "nullif(lower(trim({})), '')",
    "interaction": "nullif(trim({}), '')",
}

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\s().\-]{0,2}\d){6,18}")
TOKEN = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9_.\-]*")


def sql_normalised(kind: str, column: str) -> str:
    return _SQL_NORMALISE[kind].format(column)


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind in ("email", "handle"):
        return value.lower()
    if kind == "phone":
        return re.sub(r"\D", "", value)
    return value


def guess_kind(identifier: str) -> str:
    """`email` when it has an @ inside, `phone` when it is digits and phone punctuation, else a CRM id."""
    value = identifier.strip()
    if "@" in value[1:]:
        return "email"
    if value.startswith("@"):
        return "handle"
    if re.fullmatch(r"\+?[\d\s().\-]+", value) and len(re.sub(r"\D", "", value)) >= 7:
        return "phone"
    return "crm"


def text_tokens(text: str) -> set[tuple[str, str]]:
    """Every (kind, normalised value) a free-form record could hold an identifier as."""
    tokens: set[tuple[str, str]] = {("email", match.lower()) for match in EMAIL.findall(text)}
    tokens |= {("phone", re.sub(r"\D", "", match)) for match in DIGIT_RUN.findall(text)}
    for token in TOKEN.findall(text):
        token = token.strip(".-")
        tokens |= {("crm", token), ("interaction", token), ("handle", token.lower())}
    return tokens


def suppression_message(kind: str, value: str) -> str:
    """What the suppression list hashes: a domain of its own, so it never equals a customer_key."""
    return f"suppress|{kind}|{value}"
