"""Surveys: post-call CSAT/CES (IVR right away, or SMS that may arrive days later) and relationship NPS."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.sample_data import parts as p
from orchestration.sample_data import phrases as ph
from orchestration.sample_data import text as tx
from orchestration.sample_data.arrivals import HOURLY, VOICE
from orchestration.sample_data.chat import customer_values
from orchestration.sample_data.clock import HOUR
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import ids, interaction_ids

NPS_DAILY_RATE = 0.012  # of active customers answering the relationship survey each day
NPS_TWICE = 0.04  # responders who answer again later in the month


def feedback_text(rng, values: dict, tone: np.ndarray, commented: np.ndarray, pii_share: float) -> pa.Array:
    """A comment in the tone of the score, sometimes naming the agent or giving personal data."""
    n = len(tone)
    kind = rng.choice(4, n, p=[0.35, 0.25, 0.3, 0.1])
    return tx.join(
        [
            tx.render(rng, ph.FEEDBACK, tone, values, commented),
            tx.render(rng, ph.AGENT_MENTION, tone, values, commented & (rng.random(n) < 0.15)),
            tx.render(
                rng,
                ph.PII_SENTENCES,
                kind,
                {**values, "card": tx.cards(rng)},
                commented & (rng.random(n) < pii_share),
            ),
        ],
        tx.separators(rng, n, 0.05),
    )


def voice_survey_parts(ctx: Context, calls: pd.DataFrame) -> Iterator[p.Part]:
    """One CSV per local day of `responded_at`, all clients, with local offsets."""
    rng = ctx.rng("voice_surveys")
    eligible = calls[calls["handled"].to_numpy()]
    experience = eligible["experience"].to_numpy()
    responds = rng.random(len(eligible)) < 0.22 + 0.08 * (np.abs(experience - 3) > 1.3)
    calls = eligible[responds].reset_index(drop=True)
    n = len(calls)
    ivr = rng.random(n) < 0.6
    delay = np.where(ivr, rng.uniform(20, 150, n), rng.lognormal(np.log(40 * 60), 1.4, n))
    responded = calls["ended_at"].to_numpy() + np.floor(delay)
    client = calls["client"].to_numpy()
    keep = responded < ctx.clock.window_end(client)
    csat = np.clip(np.round(calls["experience"].to_numpy() + rng.normal(0, 0.35, n)), 1, 5)
    ces = np.clip(np.round(7.6 - 1.25 * csat + rng.normal(0, 0.7, n)), 1, 7)
    skip = rng.choice(3, n, p=[0.84, 0.04, 0.12])  # answered both, skipped CSAT, skipped CES
    values = customer_values(rng, ctx, calls["person"].to_numpy(), 0.0)
    agent = calls["agent"].to_numpy()
    values["agent"] = tx.as_array(ctx.agents.first[np.maximum(agent, 0)])
    comment = feedback_text(rng, values, tx.tone(csat, 2.5, 3.5), rng.random(n) < 0.4, 0.12)
    frame = calls.assign(
        responded_at=responded,
        export_day=ctx.clock.local_day(responded, client),
        csat=np.where(skip == 1, np.nan, csat),
        ces=np.where(skip == 2, np.nan, ces),
        row=np.arange(n),
    )[keep].sort_values(["responded_at", "row"], kind="stable")
    frame["survey_no"] = np.arange(len(frame))
    for day, group in frame.groupby("export_day", sort=True):
        client = group["client"].to_numpy()
        columns = {
            "survey_id": p.text(ids("VS-", group["survey_no"].to_numpy() + 1, 8)),
            "call_id": p.text(interaction_ids(VOICE, group["seq"].to_numpy())),
            "client_id": p.text(np.array([c.client_id for c in ctx.clients], dtype=object)[client]),
            "responded_at": p.ts(group["responded_at"]),
            "csat_score": p.integer(group["csat"]),
            "ces_score": p.integer(group["ces"]),
            "comment": p.text(comment.take(pa.array(group["row"].to_numpy()))),
        }
        yield p.Part("voice_surveys", int(day), "voice_surveys", "csv", columns, client, local_time=True)


def nps_parts(ctx: Context, bad: np.ndarray, good: np.ndarray) -> Iterator[p.Part]:
    """Relationship NPS, one CSV per local day of `responded_at` (all clients).

    Scores fall with the customer's bad experiences before responding.
    `bad`/`good`: per CRM person and window day, counts of bad and good interactions.
    """
    rng = ctx.rng("nps")
    people, clock = ctx.people, ctx.clock
    rows = []
    for day in range(clock.days):
        active = people.known & (people.signed_up_day <= day) & (people.churned_day > day)
        who = np.flatnonzero(active & (rng.random(len(people)) < NPS_DAILY_RATE))
        rows.append(pd.DataFrame({"person": who, "day": day}))
    frame = pd.concat(rows, ignore_index=True)
    again = frame[(rng.random(len(frame)) < NPS_TWICE) & (frame["day"] < clock.days - 1)]
    again = again.assign(day=np.minimum(again["day"] + rng.integers(1, 6, len(again)), clock.days - 1))
    frame = pd.concat([frame, again], ignore_index=True)
    person, day = frame["person"].to_numpy(), frame["day"].to_numpy()
    client = people.client[person]
    n = len(frame)
    seconds = rng.choice(24, n, p=HOURLY[1]) * HOUR + rng.random(n) * HOUR
    responded = clock.from_local(client, day, seconds)
    sent = responded - 600 - np.floor(rng.lognormal(np.log(20 * HOUR), 1.0, n))
    bad_before = np.cumsum(bad, axis=1)[person, day] - bad[person, day]
    good_before = np.cumsum(good, axis=1)[person, day] - good[person, day]
    base = np.array([c.nps_base for c in ctx.clients])[client]
    score = np.clip(np.round(base + rng.normal(0, 2.0, n) - 1.8 * bad_before + 0.3 * good_before), 0, 10)
    category = np.where(score >= 9, 2, np.where(score >= 7, 1, 0))
    values = customer_values(rng, ctx, person, 0.0)
    reason = tx.join(
        [
            tx.render(rng, ph.NPS_REASONS, category, values, rng.random(n) < 0.55),
            tx.render(
                rng,
                ph.PII_SENTENCES,
                rng.choice(4, n, p=[0.3, 0.3, 0.35, 0.05]),
                {**values, "card": tx.cards(rng)},
                rng.random(n) < 0.05,
            ),
        ],
        tx.separators(rng, n, 0.06),
    )
    follow_up = rng.random(n) < np.array([0.35, 0.1, 0.05])[category]
    frame = frame.assign(
        client=client, responded=responded, sent=sent, score=score, follow_up=follow_up, row=np.arange(n)
    ).sort_values(["responded", "row"], kind="stable")
    frame["response_no"] = np.arange(n)
    client_ids = np.array([c.client_id for c in ctx.clients], dtype=object)
    for day_no, group in frame.groupby("day", sort=True):
        person = group["person"].to_numpy()
        row = group["row"].to_numpy()
        client = group["client"].to_numpy()
        columns = {
            "response_id": p.text(ids("NPS-", group["response_no"].to_numpy() + 1, 7)),
            "client_id": p.text(client_ids[client]),
            "customer_id": p.text(np.where(row % 5 != 0, people.customer_id[person], None)),
            "email": p.text(values["email"].take(pa.array(row))),
            "sent_at": p.ts(group["sent"]),
            "responded_at": p.ts(group["responded"]),
            "score": p.integer(group["score"]),
            "reason": p.text(reason.take(pa.array(row))),
            "wants_follow_up": p.boolean(group["follow_up"]),
        }
        part = p.Part("nps_responses", int(day_no), "nps_responses", "csv", columns, client, local_time=True)
        part.yes_no = True
        yield part
