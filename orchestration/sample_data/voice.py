"""Voice: call detail records from the ACD (inbound queue calls and a few outbound calls)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from orchestration.sample_data import parts as p
from orchestration.sample_data.arrivals import VOICE
from orchestration.sample_data.catalog import CATEGORIES
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import interaction_ids
from orchestration.sample_data.people import phones
from orchestration.sample_data.routing import assign_agents, patience, queue_wait

TALK_MEDIAN = np.array([260, 420, 210, 190, 360, 150])  # seconds, by issue category
COMPLEX = np.isin(np.array(CATEGORIES), ["technical", "cancellation"])
IVR_IDENTIFIED = 0.5  # share of known callers the IVR identifies (customer_id present)
OTHER_PHONE = 0.08  # calls from a number the CRM does not hold


def simulate(rng: np.random.Generator, ctx: Context, contacts: pd.DataFrame) -> pd.DataFrame:
    n = len(contacts)
    client = contacts["client"].to_numpy()
    start = contacts["start"].to_numpy()
    day = contacts["day"].to_numpy()
    category = contacts["category"].to_numpy()
    outbound = contacts["outbound"].to_numpy()
    inbound = ~outbound

    wait = queue_wait(rng, ctx, VOICE, client, start)
    gives_up = patience(rng, ctx, client)
    abandoned = inbound & (gives_up < wait)
    picked_up = outbound & (rng.random(n) < 0.65)
    ring = np.floor(4 + rng.gamma(2, 5, n))
    answered = (inbound & ~abandoned) | picked_up
    answered_at = np.where(inbound, start + np.floor(wait), start + ring)
    agent = assign_agents(rng, ctx, client, VOICE, day, answered | outbound)
    quality = np.where(agent >= 0, ctx.agents.quality[np.maximum(agent, 0)], 0.0)

    transfers = np.where(answered & inbound, rng.choice(3, n, p=[0.86, 0.11, 0.03]), 0)
    median = np.where(outbound, 150, TALK_MEDIAN[category]) * np.exp(-0.08 * quality)
    talk = np.where(answered, np.floor(rng.lognormal(np.log(median), 0.6) + 70 * transfers) + 1, 0)
    hold = np.where(answered & (rng.random(n) < 0.35), np.floor(rng.lognormal(np.log(60), 0.7, n)), 0)
    acw = np.where(answered, np.floor(rng.lognormal(np.log(35), 0.5, n)), np.where(outbound, 10, 0))
    ended = np.where(
        answered,
        answered_at + talk + hold,
        np.where(abandoned, start + np.floor(gives_up), start + ring + 20),
    )
    escalated = answered & inbound & (rng.random(n) < 0.03 + 0.06 * COMPLEX[category] + 0.03 * transfers)
    repeat = contacts["repeat_of"].to_numpy() >= 0
    p_resolved = np.clip(
        0.82 + 0.05 * quality - 0.12 * transfers - 0.25 * escalated - 0.1 * repeat, 0.05, 0.97
    )
    resolved = answered & (rng.random(n) < p_resolved)
    experience = np.where(
        answered,
        4.5
        - 0.8 * np.minimum(wait / 120, 2.5) * inbound
        - 0.45 * transfers
        - 1.6 * ~resolved
        - 0.3 * escalated
        + 0.3 * quality
        + rng.normal(0, 0.6, n),
        # a caller who hung up after a long wait is unhappy; one who hung up at once hardly noticed
        3.2 - 1.2 * np.minimum(gives_up / 90, 1.5) + rng.normal(0, 0.5, n),
    )
    experience = np.where(outbound & ~picked_up, np.nan, experience)

    person = contacts["person"].to_numpy()
    known = ctx.people.known[person]
    phone = ctx.people.phone[person].copy()
    other = inbound & (rng.random(n) < OTHER_PHONE)
    for index, c in enumerate(ctx.clients):
        rows = np.flatnonzero(other & (client == index))
        phone[rows] = phones(rng, c.country, len(rows))
    identified = known & (outbound | (rng.random(n) < IVR_IDENTIFIED))
    return contacts.assign(
        handled=answered & inbound,
        resolved=resolved,
        escalated=escalated,
        agent=agent,
        experience=experience,
        answered_at=np.where(answered, answered_at, np.nan),
        ended_at=ended,
        talk=talk,
        hold=hold,
        acw=acw,
        abandoned=abandoned,
        transfers=transfers,
        wait=np.where(answered & inbound, np.floor(wait), np.nan),
        identified=identified,
        phone=phone,
    )


def parts(ctx: Context, calls: pd.DataFrame) -> Iterator[p.Part]:
    """One gzipped CSV per client and local day of `offered_at`."""
    queues = np.array([list(c.queues) for c in ctx.clients], dtype=object)
    for (client, day), group in calls.groupby(["client", "day"], sort=True):
        if not 0 <= day < ctx.clock.days:
            continue
        person = group["person"].to_numpy()
        agent = group["agent"].to_numpy()
        c = ctx.clients[client]
        columns = {
            "call_id": p.text(interaction_ids(VOICE, group["seq"].to_numpy())),
            "client_id": p.text(np.full(len(group), c.client_id, dtype=object)),
            "queue": p.text(queues[client][group["category"].to_numpy()]),
            "direction": p.text(np.where(group["outbound"], "outbound", "inbound").astype(object)),
            "customer_id": p.text(np.where(group["identified"], ctx.people.customer_id[person], None)),
            "customer_phone": p.text(group["phone"].to_numpy()),
            "agent_id": p.text(np.where(agent >= 0, ctx.agents.agent_id[np.maximum(agent, 0)], None)),
            "offered_at": p.ts(group["start"]),
            "answered_at": p.ts(group["answered_at"]),
            "ended_at": p.ts(group["ended_at"]),
            "talk_seconds": p.integer(group["talk"]),
            "hold_seconds": p.integer(group["hold"]),
            "acw_seconds": p.integer(group["acw"]),
            "is_abandoned": p.boolean(group["abandoned"]),
            "transfer_count": p.integer(group["transfers"]),
            "is_escalated": p.boolean(group["escalated"]),
            "is_resolved": p.boolean(group["resolved"]),
            "issue_category": p.text(np.array(CATEGORIES, dtype=object)[group["category"].to_numpy()]),
        }
        yield p.Part(
            source="voice_calls",
            day=int(day),
            name=f"voice_calls_{c.client_id}",
            fmt="csv",
            columns=columns,
            client=np.full(len(group), client),
            local_time=client % 2 == 0,
            yes_no=c.country == "PH",
            compress=True,
        )
