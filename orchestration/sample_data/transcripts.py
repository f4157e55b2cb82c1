"""Chat transcripts: 2–8 messages per session from the bot, the customer and the agent, built column-wise.

An accepted chat runs: [bot greeting] customer opening, agent greeting, then alternating customer
details (where people type their email, phone or card) and agent actions, [agent closing] and the
customer's closing line, whose tone follows the experience. A missed chat is the bot and a customer
left waiting.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.sample_data import phrases as ph
from orchestration.sample_data import text as tx

BOT, OPEN, GREET, DETAIL, ACTION, CLOSE, BYE, WAITING = range(8)
SENDER = np.array(
    ["bot", "customer", "agent", "customer", "agent", "agent", "customer", "customer"], dtype=object
)
DETAIL_WEIGHTS = np.array([0.12, 0.10, 0.04, 0.08, 0.22, 0.22, 0.22])  # aligned with CUSTOMER_DETAIL


def build(rng: np.random.Generator, chats: dict[str, np.ndarray], values: dict[str, pa.Array], at_format):
    """A list<struct<at, sender, text>> per chat.

    `chats`: per-chat numpy columns start, accepted, first_agent_message_at, ended_at, experience,
    resolved, escalated; `values`: per-chat text for the placeholders (brand, issue, name, first,
    agent, email, phone); `at_format(at, chat_index)` renders message timestamps.
    """
    n = len(chats["start"])
    accepted = chats["accepted"]
    has_bot = (rng.random(n) < 0.6).astype(np.int64)
    extra = rng.integers(0, 5, n)
    count = np.where(accepted, np.minimum(has_bot + 3 + extra, 8), 2 + (rng.random(n) < 0.3) * (1 - has_bot))
    chat = np.repeat(np.arange(n), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    pos = np.arange(len(chat)) - first[chat]
    m, bot, acc = count[chat], has_bot[chat], accepted[chat]
    q = pos - bot
    kind = np.select(
        [(pos == 0) & (bot == 1), q == 0, ~acc, q == 1, pos == m - 1, (pos == m - 2) & (q >= 3), q % 2 == 1],
        [BOT, OPEN, WAITING, GREET, BYE, CLOSE, ACTION],
        default=DETAIL,
    )

    start, fam, ended = chats["start"][chat], chats["first_agent_message_at"][chat], chats["ended_at"][chat]
    later = np.maximum(m - bot - 2, 1)
    step = (q - 1 - rng.random(len(chat)) * 0.5) / later
    at = np.where(kind == BOT, start + 1, start + 2 + np.floor(rng.random(len(chat)) * 8))
    at = np.where(acc & (kind == OPEN), np.minimum(at, fam - 1), at)  # typed while queueing
    at = np.where(kind == GREET, fam, at)
    at = np.where(acc & (q >= 2), fam + np.floor((ended - fam) * step), at)
    at = np.where(kind == WAITING, start + np.floor((ended - start) * q / np.maximum(m - bot - 1, 1)), at)
    at = np.minimum(at, ended)

    msg_values = {name: column.take(pa.array(chat)) for name, column in values.items()}
    pieces: list[tuple[np.ndarray, pa.Array]] = []
    for kind_no, bank, key in _banks(chats, chat, pos, m):
        rows = np.flatnonzero(kind == kind_no)
        if len(rows) == 0:
            continue
        sub = {name: column.take(pa.array(rows)) for name, column in msg_values.items()}
        sub["card"] = tx.cards(rng)
        if kind_no == DETAIL:
            pieces.append((rows, tx.fill(bank, rng.choice(len(bank), len(rows), p=DETAIL_WEIGHTS), sub)))
        else:
            pieces.append((rows, tx.render(rng, bank, key[rows], sub)))
    order = np.concatenate([rows for rows, _ in pieces])
    inverse = np.empty(len(chat), dtype=np.int64)
    inverse[order] = np.arange(len(chat))
    text = pa.concat_arrays([array for _, array in pieces]).take(pa.array(inverse))
    messages = pa.StructArray.from_arrays(
        [at_format(at, chat), pa.array(SENDER[kind], pa.string()), text], ["at", "sender", "text"]
    )
    offsets = pa.array(np.concatenate([[0], np.cumsum(count)]).astype(np.int32))
    return pa.ListArray.from_arrays(offsets, messages)


def _banks(chats: dict[str, np.ndarray], chat: np.ndarray, pos: np.ndarray, count: np.ndarray):
    """(kind, bank, per-message bank key) for every message kind."""
    zero = np.zeros(len(chat), dtype=np.int64)
    closing_tone = tx.tone(chats["experience"][chat], 2.6, 3.9)
    outcome = np.where(chats["resolved"][chat], 2, np.where(chats["escalated"][chat], 0, 1))
    action_tone = np.where(pos >= count - 3, outcome, 1)  # the last action tells the outcome
    return [
        (BOT, [ph.BOT_GREETING], zero),
        (OPEN, [ph.CUSTOMER_OPENING], zero),
        (WAITING, [ph.CUSTOMER_WAITING], zero),
        (GREET, [ph.AGENT_GREETING], zero),
        (DETAIL, ph.CUSTOMER_DETAIL, zero),
        (ACTION, ph.AGENT_ACTION, action_tone),
        (CLOSE, [ph.AGENT_CLOSING], zero),
        (BYE, ph.CUSTOMER_CLOSING, closing_tone),
    ]
