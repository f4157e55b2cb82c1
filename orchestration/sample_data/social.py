"""Social: public posts, private messages and app-store reviews mentioning the brand."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.sample_data import parts as p
from orchestration.sample_data import phrases as ph
from orchestration.sample_data import text as tx
from orchestration.sample_data.arrivals import SOCIAL
from orchestration.sample_data.chat import customer_values
from orchestration.sample_data.clock import HOUR
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import interaction_ids
from orchestration.sample_data.routing import assign_agents

PLATFORMS = np.array(["facebook", "x", "instagram", "app_store", "google_play"], dtype=object)
PLATFORM_MIX = (0.25, 0.22, 0.13, 0.17, 0.23)
MATCHED = 0.3  # share of CRM customers' mentions the social tool links to their customer_id


def simulate(rng: np.random.Generator, ctx: Context, contacts: pd.DataFrame) -> pd.DataFrame:
    n = len(contacts)
    client = contacts["client"].to_numpy()
    platform = rng.choice(len(PLATFORMS), n, p=PLATFORM_MIX)
    store = platform >= 3
    private = ~store & (rng.random(n) < 0.35)
    respond_p = np.where(store, 0.45, np.where(private, 0.92, 0.75))
    median = np.where(store, 20 * HOUR, np.where(private, 0.75 * HOUR, 2 * HOUR))
    first_response = contacts["start"].to_numpy() + np.floor(rng.lognormal(np.log(median), 1.0)) + 30
    # a reply after the last export is not known yet
    responded = (rng.random(n) < respond_p) & (first_response < ctx.clock.window_end(client))
    agent = assign_agents(rng, ctx, client, SOCIAL, contacts["day"].to_numpy(), responded)
    resolve_p = np.where(store, 0.15, np.where(private, 0.6, 0.35))
    resolved = responded & (rng.random(n) < resolve_p)
    experience = np.clip(rng.normal(2.7, 1.2, n), 1, 5)
    person = contacts["person"].to_numpy()
    return contacts.assign(
        handled=responded,
        resolved=resolved,
        escalated=np.zeros(n, dtype=bool),
        agent=agent,
        experience=experience,
        platform=platform,
        private=private,
        first_response=np.where(responded, first_response, np.nan),
        star_rating=np.where(store, np.clip(np.round(experience + rng.normal(0, 0.5, n)), 1, 5), np.nan),
        matched=ctx.people.known[person] & (rng.random(n) < MATCHED),
    )


def parts(ctx: Context, mentions: pd.DataFrame) -> Iterator[p.Part]:
    """One gzipped JSONL file per local day of `posted_at`, all clients together."""
    for day, group in mentions.groupby("day", sort=True):
        if not 0 <= day < ctx.clock.days:
            continue
        group = group.sort_values(["start", "client"], kind="stable")
        rng = ctx.rng("social_text", day)
        n = len(group)
        person = group["person"].to_numpy()
        agent = group["agent"].to_numpy()
        client = group["client"].to_numpy()
        store = group["platform"].to_numpy() >= 3
        private = group["private"].to_numpy()
        values = customer_values(rng, ctx, person, 0.0)
        values["agent"] = tx.as_array(
            np.where(agent >= 0, ctx.agents.first[np.maximum(agent, 0)], "the team")
        )
        values["handle"] = tx.as_array(np.array([c.handle for c in ctx.clients], dtype=object)[client])
        values["issue"] = tx.render(rng, ph.ISSUES, group["category"].to_numpy(), {})
        values["card"] = tx.cards(rng)
        stars = group["star_rating"].to_numpy()
        mood = np.where(
            store, tx.tone(np.nan_to_num(stars), 2.5, 3.5), tx.tone(group["experience"].to_numpy(), 2.5, 3.7)
        )
        pii = private & (rng.random(n) < 0.15)
        text = tx.join(
            [
                tx.render(rng, ph.SOCIAL, mood, values, ~store),
                tx.render(rng, ph.APP_REVIEW, mood, values, store),
                tx.fill(ph.PRIVATE_PII, np.where(pii, rng.choice(3, n, p=[0.5, 0.45, 0.05]), -1), values),
            ],
            pa.array(np.where(rng.random(n) < 0.05, "\n", " ")),
        )
        columns = {
            "mention_id": p.text(interaction_ids(SOCIAL, group["seq"].to_numpy())),
            "client_id": p.text(np.array([c.client_id for c in ctx.clients], dtype=object)[client]),
            "platform": p.text(PLATFORMS[group["platform"].to_numpy()]),
            "visibility": p.text(np.where(private, "private", "public").astype(object)),
            "author_handle": p.text(ctx.people.handle[person]),
            "customer_id": p.text(np.where(group["matched"], ctx.people.customer_id[person], None)),
            "posted_at": p.ts(group["start"]),
            "first_response_at": p.ts(group["first_response"]),
            "responder_agent_id": p.text(
                np.where(agent >= 0, ctx.agents.agent_id[np.maximum(agent, 0)], None)
            ),
            "text": p.text(text),
            "star_rating": p.integer(group["star_rating"]),
            "is_resolved": p.boolean(group["resolved"]),
        }
        yield p.Part(
            source="social_mentions",
            day=int(day),
            name="social_mentions",
            fmt="jsonl",
            columns=columns,
            client=client,
            compress=True,
        )
