"""Chat: live-chat sessions with the customer's contact details, a rating and the transcript."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.sample_data import parts as p
from orchestration.sample_data import phrases as ph
from orchestration.sample_data import text as tx
from orchestration.sample_data import transcripts
from orchestration.sample_data.arrivals import CHAT
from orchestration.sample_data.catalog import CATEGORIES
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import interaction_ids
from orchestration.sample_data.routing import assign_agents, patience, queue_wait

DURATION_MEDIAN = np.array([540, 780, 420, 360, 600, 300])  # seconds, by issue category
RATING_CAST = "STRUCT(scale VARCHAR, value JSON, comment VARCHAR, rated_at VARCHAR)"


def simulate(rng: np.random.Generator, ctx: Context, contacts: pd.DataFrame) -> pd.DataFrame:
    n = len(contacts)
    client = contacts["client"].to_numpy()
    start = contacts["start"].to_numpy()
    category = contacts["category"].to_numpy()
    wait = queue_wait(rng, ctx, CHAT, client, start)
    gives_up = patience(rng, ctx, client, scale=1.6)
    accepted = gives_up >= wait
    accepted_at = start + np.floor(wait)
    agent = assign_agents(rng, ctx, client, CHAT, contacts["day"].to_numpy(), accepted)
    quality = np.where(agent >= 0, ctx.agents.quality[np.maximum(agent, 0)], 0.0)
    first_message = accepted_at + np.floor(rng.uniform(3, 40, n))
    duration = np.floor(rng.lognormal(np.log(DURATION_MEDIAN[category]) - 0.08 * quality, 0.55))
    ended = np.where(accepted, first_message + duration + 1, start + np.floor(gives_up))
    escalated = accepted & (rng.random(n) < 0.04 + 0.05 * (category == 1))
    repeat = contacts["repeat_of"].to_numpy() >= 0
    p_resolved = np.clip(0.76 + 0.06 * quality - 0.25 * escalated - 0.1 * repeat, 0.05, 0.95)
    resolved = accepted & (rng.random(n) < p_resolved)
    experience = np.where(
        accepted,
        4.4
        - 0.7 * np.minimum(wait / 90, 2.5)
        - 1.6 * ~resolved
        - 0.3 * escalated
        + 0.3 * quality
        + rng.normal(0, 0.6, n),
        3.2 - 1.2 * np.minimum(gives_up / 120, 1.5) + rng.normal(0, 0.5, n),
    )
    rates = accepted & (rng.random(n) < 0.24 + 0.12 * (np.abs(experience - 3) > 1.3))
    scale = np.array([c.chat_rating for c in ctx.clients], dtype=object)[client]
    thumbs = (scale == "thumbs") | ((scale == "mixed") & (rng.random(n) < 0.5))
    stars = np.clip(np.round(experience + rng.normal(0, 0.35, n)), 1, 5)
    up = experience + rng.normal(0, 0.4, n) >= 3.3
    person = contacts["person"].to_numpy()
    return contacts.assign(
        handled=accepted,
        resolved=resolved,
        escalated=escalated,
        agent=agent,
        experience=experience,
        accepted_at=np.where(accepted, accepted_at, np.nan),
        first_agent_message_at=np.where(accepted, first_message, np.nan),
        ended_at=ended,
        acw=np.where(accepted, np.floor(rng.lognormal(np.log(40), 0.5, n)), 0),
        wait=np.where(accepted, np.floor(wait), np.nan),
        rated=rates,
        thumbs=thumbs,
        rating_value=np.where(thumbs, np.where(up, 5, 1), stars),
        rated_at=np.where(rates, ended + np.floor(rng.uniform(5, 240, n)), np.nan),
        logged_in=ctx.people.known[person] & (rng.random(n) < 0.35),
    )


def customer_values(rng: np.random.Generator, ctx: Context, person: np.ndarray, email_variants: float):
    """Per-contact text values for templates: name, first, email (as typed), phone (as typed)."""
    people = ctx.people
    return {
        "name": tx.as_array(people.full_name[person]),
        "first": tx.as_array(people.first[person]),
        "email": tx.email_variants(tx.as_array(people.email[person]), rng, email_variants),
        "phone": tx.phone_text(tx.as_array(people.phone[person]), rng),
    }


def _format_for(clock, clients: np.ndarray, local: bool, at: np.ndarray, rows: np.ndarray) -> pa.Array:
    return clock.format(at, clients[rows], local)


def parts(ctx: Context, chats: pd.DataFrame) -> Iterator[p.Part]:
    """One JSONL file per client and local day of `requested_at`."""
    queues = np.array([list(c.queues) for c in ctx.clients], dtype=object)
    for (client, day), group in chats.groupby(["client", "day"], sort=True):
        if not 0 <= day < ctx.clock.days:
            continue
        rng = ctx.rng("chat_text", client, day)
        c = ctx.clients[client]
        n = len(group)
        person = group["person"].to_numpy()
        agent = group["agent"].to_numpy()
        category = group["category"].to_numpy()
        local = client % 2 == 1
        clients = np.full(n, client)
        values = customer_values(rng, ctx, person, 0.1)
        values["agent"] = tx.as_array(np.where(agent >= 0, ctx.agents.first[np.maximum(agent, 0)], "there"))
        values["brand"] = pa.array([c.name] * n)
        values["issue"] = tx.render(rng, ph.ISSUES, category, {})
        cols = {name: group[name].to_numpy() for name in group.columns}
        cols["accepted"] = cols["handled"]
        at_format = partial(_format_for, ctx.clock, clients, local)
        transcript = transcripts.build(rng, cols, values, at_format)
        rated, thumbs = cols["rated"], cols["thumbs"]
        value = np.where(
            thumbs,
            np.where(cols["rating_value"] >= 3, '"up"', '"down"'),
            cols["rating_value"].astype(int).astype(str),
        )
        rating_tone = tx.tone(
            np.where(thumbs, np.where(cols["rating_value"] >= 3, 5, 1), cols["rating_value"]), 2.5, 3.5
        )
        comment = tx.join(
            [
                tx.render(rng, ph.FEEDBACK, rating_tone, values, rated & (rng.random(n) < 0.4)),
                tx.render(rng, ph.AGENT_MENTION, rating_tone, values, rated & (rng.random(n) < 0.08)),
            ]
        )
        name_shown = rng.random(n) < 0.9
        columns = {
            "chat_id": p.text(interaction_ids(CHAT, cols["seq"])),
            "client_id": p.text(np.full(n, c.client_id, dtype=object)),
            "queue": p.text(queues[client][category]),
            "customer": p.struct(
                {
                    "id": p.text(np.where(cols["logged_in"], ctx.people.customer_id[person], None)),
                    "email": p.text(values["email"]),
                    "name": p.text(np.where(name_shown, ctx.people.full_name[person], None)),
                }
            ),
            "agent_id": p.text(np.where(agent >= 0, ctx.agents.agent_id[np.maximum(agent, 0)], None)),
            "requested_at": p.ts(cols["start"]),
            "accepted_at": p.ts(cols["accepted_at"]),
            "first_agent_message_at": p.ts(cols["first_agent_message_at"]),
            "ended_at": p.ts(cols["ended_at"]),
            "acw_seconds": p.integer(cols["acw"]),
            "is_resolved": p.boolean(cols["resolved"]),
            "is_escalated": p.boolean(cols["escalated"]),
            "issue_category": p.text(np.array(CATEGORIES, dtype=object)[category]),
            "rating": p.struct(
                {
                    "scale": p.text(np.where(thumbs, "thumbs", "stars").astype(object)),
                    "value": p.text(value.astype(object)),
                    "comment": p.text(comment),
                    "rated_at": p.ts(cols["rated_at"]),
                },
                valid=rated,
            ),
            "transcript": p.Col("arrow", transcript),
        }
        yield p.Part(
            source="chat_sessions",
            day=int(day),
            name=f"chat_sessions_{c.client_id}",
            fmt="jsonl",
            columns=columns,
            client=clients,
            local_time=local,
            casts={"rating": RATING_CAST},
        )
