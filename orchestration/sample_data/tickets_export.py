"""The email_tickets export: one JSONL file per day holding every ticket created or updated that day."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.sample_data import parts as p
from orchestration.sample_data import phrases as ph
from orchestration.sample_data import text as tx
from orchestration.sample_data.arrivals import EMAIL
from orchestration.sample_data.catalog import CATEGORIES, PRIORITIES
from orchestration.sample_data.chat import customer_values
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import interaction_ids
from orchestration.sample_data.tickets import snapshots

PII_MIX = (0.0, 0.05, 0.18, 0.03)  # name (signed anyway), email, phone, card: share of descriptions


def ticket_texts(ctx: Context, tickets: pd.DataFrame) -> dict[str, pa.Array]:
    """Subject, description and satisfaction comment of every ticket (the same in every export)."""
    rng = ctx.rng("ticket_text")
    n = len(tickets)
    person = tickets["person"].to_numpy()
    category = tickets["category"].to_numpy()
    agent = tickets["agent"].to_numpy()
    values = customer_values(rng, ctx, person, 0.0)
    values["brand"] = tx.as_array(
        np.array([c.name for c in ctx.clients], dtype=object)[tickets["client"].to_numpy()]
    )
    values["agent"] = tx.as_array(ctx.agents.first[agent])
    values["issue"] = tx.render(rng, ph.ISSUES, category, {})
    mood = np.where(tickets["priority"].to_numpy() >= 2, 0, rng.integers(1, 3, n))
    kind = rng.choice(5, n, p=[*PII_MIX, 1 - sum(PII_MIX)])
    description = tx.join(
        [
            tx.render(rng, [ph.EMAIL_GREETING], np.zeros(n, dtype=int), values),
            tx.render(rng, [ph.EMAIL_OPENING], np.zeros(n, dtype=int), values),
            tx.render(rng, ph.EMAIL_DETAIL, mood, values),
            tx.render(
                rng, ph.PII_SENTENCES, np.minimum(kind, 3), {**values, "card": tx.cards(rng)}, kind < 4
            ),
            tx.render(rng, [ph.EMAIL_SIGNOFF], np.zeros(n, dtype=int), values),
        ],
        pa.array(np.where(rng.random(n) < 0.7, "\n\n", " ")),
    )
    subject = tx.render(rng, ph.SUBJECTS, category, values)
    prefix = np.where(
        tickets["priority"].to_numpy() == 3,
        "URGENT: ",
        np.where(tickets["repeat_of"].to_numpy() >= 0, "Re: ", ""),
    )
    score_tone = tx.tone(tickets["score"].to_numpy(), 2.5, 3.5)
    commented = rng.random(n) < 0.45
    comment = tx.join(
        [
            tx.render(rng, ph.FEEDBACK, score_tone, values, commented),
            tx.render(rng, ph.AGENT_MENTION, score_tone, values, commented & (rng.random(n) < 0.15)),
        ]
    )
    return {
        "subject": tx.join([tx.as_array(prefix.astype(object)), subject], ""),
        "description": description,
        "comment": comment,
        "email": tx.email_variants(tx.as_array(ctx.people.email[person]), rng, 0.08),
    }


def parts(ctx: Context, tickets: pd.DataFrame) -> Iterator[p.Part]:
    texts = ticket_texts(ctx, tickets)
    versions = snapshots(ctx, tickets.assign(ticket=np.arange(len(tickets))))
    for day, group in versions.groupby("export_day", sort=True):
        if not 0 <= day < ctx.clock.days:
            continue
        group = group.sort_values(["updated_at", "ticket"], kind="stable")
        ticket = group["ticket"].to_numpy()
        take = pa.array(ticket)
        person = group["person"].to_numpy()
        agent = group["agent"].to_numpy()
        client = group["client"].to_numpy()
        known_web = group["via_web"].to_numpy() & ctx.people.known[person]
        rated = group["has_rating"].to_numpy()
        columns = {
            "ticket_id": p.text(interaction_ids(EMAIL, group["seq"].to_numpy())),
            "client_id": p.text(np.array([c.client_id for c in ctx.clients], dtype=object)[client]),
            "via": p.text(np.where(group["via_web"], "web_form", "email").astype(object)),
            "requester": p.struct(
                {
                    "id": p.text(np.where(known_web, ctx.people.customer_id[person], None)),
                    "email": p.text(texts["email"].take(take)),
                    "name": p.text(np.where(ticket % 7 != 0, ctx.people.full_name[person], None)),
                }
            ),
            "subject": p.text(texts["subject"].take(take)),
            "description": p.text(texts["description"].take(take)),
            "priority": p.text(np.array(PRIORITIES, dtype=object)[group["priority"].to_numpy()]),
            "issue_category": p.text(np.array(CATEGORIES, dtype=object)[group["category"].to_numpy()]),
            "status": p.text(group["status"].to_numpy()),
            "assignee_agent_id": p.text(np.where(group["assigned"], ctx.agents.agent_id[agent], None)),
            "created_at": p.ts(group["start"]),
            "updated_at": p.ts(group["updated_at"]),
            "first_response_at": p.ts(group["first_response_at"]),
            "solved_at": p.ts(group["solved_at"]),
            "is_escalated": p.boolean(group["is_escalated"]),
            "reopen_count": p.integer(group["reopen_count"]),
            "satisfaction": p.struct(
                {
                    "score": p.integer(group["score"]),
                    "comment": p.text(texts["comment"].take(take)),
                    "rated_at": p.ts(group["rated_at"]),
                },
                valid=rated,
            ),
        }
        yield p.Part(
            source="email_tickets",
            day=int(day),
            name="email_tickets",
            fmt="jsonl",
            columns=columns,
            client=client,
            local_time=True,
        )
