"""Redaction of free text: card numbers (Luhn), emails, phone numbers and the record's own names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

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
# Part of the key under which staging reuses a redaction it already made (`cx_redaction_key`): change it
# whenever what `redact` returns for the same text and names changes, so texts restaged later are redacted
# anew rather than reused (texts already staged keep their redaction until a full refresh).
# 2: a name without a letter or digit (" ", "," …) is no longer a token; " " had put [NAME] between
# every two non-word characters of a non-ASCII text.
REDACTION_VERSION = 2
# Only a text with a digit can hold a card or a phone (both patterns need `\d`).
_DIGIT = re.compile(r"\d")


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


@lru_cache(maxsize=65_536)
def _tokens_of(name: str) -> tuple[tuple[str, str], ...]:
    """(token, token in lower case) for the whole name (stripped) and its parts of at least two
    characters, each with a letter or digit (a name of blanks or punctuation names no one): names
    recur, so cached."""
    name = name.strip()
    tokens = (name, *(part for part in re.split(r"[\s,]+", name) if len(part) >= _NAME_TOKEN_MIN))
    return tuple((token, token.lower()) for token in tokens if any(char.isalnum() for char in token))


def _present_tokens(names: Iterable[str | None], lowered: str) -> list[tuple[str, str]]:
    """The names' tokens found (ignoring case) in `lowered`, longest first, one per lower-case form (lists
    often hold a name both as written and in lower case)."""
    found = {pair for name in names if name for pair in _tokens_of(name) if pair[1] in lowered}
    present, seen = [], set()
    for token, lower in sorted(found, key=lambda pair: (-len(pair[0]), pair[0])):
        if lower not in seen:
            seen.add(lower)
            present.append((token, lower))
    return present


def _replace_ascii_names(text: str, lowered: str, needles: list[str]) -> str:
    """`(?<!\w)(?:tokens…)(?!\w)` → [NAME], case-insensitively, without compiling a pattern per text.

    `needles` are the tokens in lower case, longest first. Same result as the regular expression for ASCII
    text and tokens: scanning left to right, the match at the leftmost position wins, and there the first
    token (longest first) that matches.
    """
    starts: dict[int, int] = {}  # start → length of the longest token matching there as a whole word
    length = len(lowered)
    for needle in needles:
        size, at = len(needle), lowered.find(needle)
        while at != -1:
            end = at + size
            if (
                (at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] == "_"))  # `\w`, ASCII
                and (end == length or not (lowered[end].isalnum() or lowered[end] == "_"))
                and size > starts.get(at, 0)
            ):
                starts[at] = size
            at = lowered.find(needle, at + 1)
    if not starts:
        return text
    pieces, position = [], 0
    for start in sorted(starts):
        if start >= position:
            pieces.append(text[position:start])
            pieces.append("[NAME]")
            position = start + starts[start]
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """Replace cards, emails, phones and the given people's names by `[CARD]` `[EMAIL]` `[PHONE]` `[NAME]`."""
    if text is None:
        return None
    if _DIGIT.search(text):
        text = CARD_CANDIDATE.sub(_card, text)
        if "@" in text:
            text = EMAIL.sub("[EMAIL]", text)
        if _DIGIT.search(text):
            text = PHONE.sub("[PHONE]", text)
    elif "@" in text:
        text = EMAIL.sub("[EMAIL]", text)  # an e-mail without a digit leaves none behind: no phone to find
    if names:
        lowered = text.lower()
        present = _present_tokens(names, lowered)
        if present:
            if text.isascii() and all(token and token.isascii() for token, _ in present):
                return _replace_ascii_names(text, lowered, [lower for _, lower in present])
            pattern = r"(?<!\w)(?:" + "|".join(re.escape(token) for token, _ in present) + r")(?!\w)"
            text = re.sub(pattern, "[NAME]", text, flags=re.IGNORECASE)
    return text
