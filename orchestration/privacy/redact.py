"""Redaction of free text: card numbers (Luhn), emails, phone numbers and the record's own names."""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# 13–19 digits, single spaces or dashes allowed between them
CARD_CANDIDATE = re.compile(r"(?<![\d])\d(?:[ \-]?\d){12,18}(?![\d])")
# an optional +, then 8–15 digits with common separators, not part of a longer number or an ISO date;
# applied after cards, so a Luhn-valid card is never half-redacted as a phone
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[\s.\-])(?!\d{4}-\d{2}-\d{2}(?!\d))"
    r"\+?\(?\d(?:[\s.\-()]{0,2}\d){7,14}(?!\d|[\s.\-]\d)"
)
_NAME_TOKEN_MIN = 2


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)


def _name_tokens(names: Iterable[str | None]) -> list[str]:
    tokens: set[str] = set()
    for name in names:
        if not name:
            continue
        name = name.strip()
        tokens.add(name)
        tokens.update(part for part in re.split(r"[\s,]+", name) if len(part) >= _NAME_TOKEN_MIN)
    # longest first, so a full name is replaced whole before its parts
    return sorted(tokens, key=lambda token: (-len(token), token))


def redact(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """Replace cards, emails, phones and the given people's names by `[CARD]` `[EMAIL]` `[PHONE]` `[NAME]`."""
    if text is None:
        return None
    if any(char.isdigit() for char in text):
        text = CARD_CANDIDATE.sub(_card, text)
    if "@" in text:
        text = EMAIL.sub("[EMAIL]", text)
    if any(char.isdigit() for char in text):
        text = PHONE.sub("[PHONE]", text)
    tokens = _name_tokens(names)
    if tokens:
        lowered = text.lower()
        present = [token for token in tokens if token.lower() in lowered]
        if present:
            pattern = r"(?<!\w)(?:" + "|".join(re.escape(token) for token in present) + r")(?!\w)"
            text = re.sub(pattern, "[NAME]", text, flags=re.IGNORECASE)
    return text
