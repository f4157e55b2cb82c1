"""Vectorised free text: templates filled column-wise with pyarrow, and the personal data people type.

A text column is built per template (all rows that drew it at once), never per row, so a million
chat messages take about a second.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2

Values = Mapping[str, "pa.Array | Callable[[np.ndarray], pa.Array]"]


def tone(score: np.ndarray, low: float, high: float) -> np.ndarray:
    """NEGATIVE below `low`, POSITIVE at or above `high`, NEUTRAL between."""
    return np.where(score < low, NEGATIVE, np.where(score >= high, POSITIVE, NEUTRAL))


def choose(
    rng: np.random.Generator, bank: Sequence[Sequence[str]], key: np.ndarray
) -> tuple[list, np.ndarray]:
    """Draw a template per row from the group `bank[key]`; returns the flat templates and indices."""
    flat = [template for group in bank for template in group]
    lengths = np.array([len(group) for group in bank])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return flat, starts[key] + np.floor(rng.random(len(key)) * lengths[key]).astype(np.int64)


def fill(templates: Sequence[str], index: np.ndarray, values: Values) -> pa.Array:
    """Render `templates[index[i]]` for every row; rows with a negative index are null."""
    n = len(index)
    order = np.argsort(index, kind="stable")
    sorted_index = index[order]
    bounds = np.flatnonzero(np.diff(sorted_index)) + 1
    chunks: list[pa.Array] = []
    for rows in np.split(order, bounds):
        if len(rows) == 0:
            continue
        template_no = int(index[rows[0]])
        if template_no < 0:
            chunks.append(pa.nulls(len(rows), pa.string()))
            continue
        pieces: list = []
        for literal, field, _, _ in string.Formatter().parse(templates[template_no]):
            if literal:
                pieces.append(literal)
            if field is not None:
                value = values[field]
                pieces.append(value(rows) if callable(value) else value.take(pa.array(rows)))
        if not any(isinstance(piece, pa.Array) for piece in pieces):
            chunks.append(pa.array(["".join(pieces)] * len(rows), pa.string()))
        else:
            chunks.append(pc.binary_join_element_wise(*pieces, ""))
    if not chunks:
        return pa.nulls(n, pa.string())
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return pa.concat_arrays(chunks).take(pa.array(inverse))


def render(rng: np.random.Generator, bank, key: np.ndarray, values: Values, mask=None) -> pa.Array:
    """`choose` then `fill`; rows where `mask` is False get null."""
    flat, index = choose(rng, bank, key)
    if mask is not None:
        index = np.where(mask, index, -1)
    return fill(flat, index, values)


def join(parts: Sequence[pa.Array], separator: pa.Array | str = " ") -> pa.Array:
    """Concatenate text parts per row, skipping nulls; null when every part is null."""
    n = len(parts[0])
    separator = pa.array([separator] * n, pa.string()) if isinstance(separator, str) else separator
    empty = pa.scalar("", pa.string())
    out = pc.fill_null(parts[0], empty)
    for part in parts[1:]:
        gap = pc.if_else(pc.and_(pc.not_equal(out, ""), part.is_valid()), separator, empty)
        out = pc.binary_join_element_wise(out, gap, pc.fill_null(part, empty), "")
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def separators(rng: np.random.Generator, n: int, newline_share: float) -> pa.Array:
    """Mostly a space, occasionally a line break (so CSV quoting of newlines gets exercised)."""
    return pa.array(np.where(rng.random(n) < newline_share, "\n", " "))


def card_numbers(rng: np.random.Generator, n: int) -> pa.Array:
    """Luhn-valid 16-digit Visa/Mastercard numbers, plain or grouped by spaces or dashes."""
    digits = rng.integers(0, 10, (n, 16))
    visa = rng.random(n) < 0.6
    digits[:, 0] = np.where(visa, 4, 5)
    digits[:, 1] = np.where(visa, digits[:, 1], rng.integers(1, 6, n))
    doubled = digits[:, 0:15:2] * 2
    total = (doubled - 9 * (doubled > 9)).sum(axis=1) + digits[:, 1:15:2].sum(axis=1)
    digits[:, 15] = (10 - total % 10) % 10
    chars = (digits + ord("0")).astype(np.uint8)
    style = rng.integers(0, 3, n)  # 0 plain, 1 spaces, 2 dashes
    grouped = np.full((n, 19), ord(" "), dtype=np.uint8)
    grouped[:, [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18]] = chars
    grouped[np.ix_(style == 2, [4, 9, 14])] = ord("-")
    plain = np.zeros((n, 19), dtype=np.uint8)
    plain[:, :16] = chars
    out = np.where((style == 0)[:, None], plain, grouped)
    return pa.array(out.view("S19").ravel()).cast(pa.string())


def cards(rng: np.random.Generator) -> Callable[[np.ndarray], pa.Array]:
    """A `fill` value that draws fresh card numbers for just the rows that mention one."""
    return lambda rows: card_numbers(rng, len(rows))


def phone_text(phone: pa.Array, rng: np.random.Generator) -> pa.Array:
    """E.164 numbers as people type them: as is, or in national format with spaces or dashes."""
    n = len(phone)
    us = np.asarray(pc.starts_with(phone, "+1"))
    sl = lambda a, b: pc.utf8_slice_codeunits(phone, a, b)  # noqa: E731
    us_local = pc.binary_join_element_wise("(", sl(2, 5), ") ", sl(5, 8), "-", sl(8, 12), "")
    intl_local = pc.binary_join_element_wise("0", sl(3, 6), " ", sl(6, 9), " ", sl(9, 14), "")
    national = pc.if_else(pa.array(us), us_local, intl_local)
    return pc.if_else(pa.array(rng.random(n) < 0.4), phone, national)


def email_variants(email: pa.Array, rng: np.random.Generator, share: float) -> pa.Array:
    """The same address typed differently (case, stray whitespace) in `share` of rows."""
    n = len(email)
    kind = np.where(rng.random(n) < share, rng.integers(1, 4, n), 0)
    out = pc.if_else(pa.array(kind == 1), pc.utf8_capitalize(email), email)
    out = pc.if_else(pa.array(kind == 2), pc.utf8_upper(email), out)
    return pc.if_else(pa.array(kind == 3), pc.binary_join_element_wise(" ", email, " ", ""), out)


def as_array(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string())
