"""Email tickets: a lifecycle per ticket (new → open ⇄ pending → solved → closed, sometimes reopened).

`simulate` draws each ticket's event times once; `snapshots` turns them into the incremental daily
export: a ticket appears on every local day it was created or updated, as its state at that day's
last update.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration.sample_data.arrivals import EMAIL
from orchestration.sample_data.clock import DAY, HOUR
from orchestration.sample_data.context import Context
from orchestration.sample_data.routing import assign_agents

PRIORITY_MIX = (0.22, 0.55, 0.17, 0.06)  # low, normal, high, urgent
FIRST_RESPONSE_HOURS = np.array([14.0, 6.0, 2.5, 0.6])  # median, by priority
RESOLUTION_HOURS = np.array([30.0, 20.0, 10.0, 4.0])
TARGET_HOURS = np.array([24.0, 8.0, 4.0, 1.0])  # the sla_targets first-response targets
CLOSE_AFTER = 4 * DAY  # solved tickets close automatically
EVENTS = (
    "start",
    "first_response",
    "reply",
    "escalated_at",
    "solved1",
    "reopened",
    "solved2",
    "rated_at",
    "closed",
)


def simulate(rng: np.random.Generator, ctx: Context, contacts: pd.DataFrame) -> pd.DataFrame:
    n = len(contacts)
    client = contacts["client"].to_numpy()
    start = contacts["start"].to_numpy()
    category = contacts["category"].to_numpy()
    priority = rng.choice(4, n, p=PRIORITY_MIX)
    priority = np.where((category == 4) & (priority < 2), priority + 1, priority)  # cancellations matter
    slow = np.array([c.voice_wait_seconds / 20 for c in ctx.clients])[client]
    responded = rng.random(n) < 0.97
    agent = assign_agents(rng, ctx, client, EMAIL, contacts["day"].to_numpy(), np.ones(n, dtype=bool))
    quality = ctx.agents.quality[agent]
    frt_hours = rng.lognormal(np.log(FIRST_RESPONSE_HOURS[priority] * slow), 0.9)
    first_response = np.where(responded, start + np.floor(np.maximum(frt_hours * HOUR, 60)), np.nan)
    pending = responded & (rng.random(n) < 0.45)
    reply = np.where(pending, first_response + np.floor(rng.lognormal(np.log(5 * HOUR), 0.8, n)), np.nan)
    escalated = responded & (rng.random(n) < 0.05 + 0.08 * (priority == 3))
    work_from = np.fmax(first_response, reply)
    repeat = contacts["repeat_of"].to_numpy() >= 0
    p_solved = np.clip(0.88 + 0.04 * quality - 0.2 * escalated - 0.1 * repeat, 0.05, 0.98)
    solved = responded & (rng.random(n) < p_solved)
    resolution = np.floor(rng.lognormal(np.log(RESOLUTION_HOURS[priority] * HOUR), 0.8))
    solved1 = np.where(solved, work_from + resolution + 60, np.nan)
    escalated_at = np.where(
        escalated,
        first_response + np.floor((np.fmin(solved1, work_from + DAY) - first_response) * 0.5),
        np.nan,
    )
    reopened = solved & (rng.random(n) < 0.07)
    reopened_at = np.where(reopened, solved1 + np.floor(rng.lognormal(np.log(20 * HOUR), 0.7, n)), np.nan)
    resolved_again = reopened & (rng.random(n) < 0.8)
    solved2 = np.where(
        resolved_again, reopened_at + np.floor(rng.lognormal(np.log(8 * HOUR), 0.7, n)), np.nan
    )
    final = np.where(reopened, solved2, solved1)
    rated = np.isfinite(final) & (rng.random(n) < 0.22)
    resolved = solved & ~reopened
    experience = (
        4.4
        - 0.5 * np.log2(1 + frt_hours / TARGET_HOURS[priority])
        - 1.6 * ~resolved
        - 0.8 * reopened
        - 0.3 * escalated
        + 0.3 * quality
        + rng.normal(0, 0.6, n)
    )
    return contacts.assign(
        handled=responded,
        resolved=resolved,
        escalated=escalated,
        agent=agent,
        experience=experience,
        via_web=rng.random(n) < 0.3,
        priority=priority,
        triaged=rng.random(n) < 0.4,  # assigned on arrival, before the first response
        first_response=first_response,
        pending=pending,
        reply=reply,
        escalated_at=escalated_at,
        solved1=solved1,
        reopened=reopened_at,
        solved2=solved2,
        rated_at=np.where(rated, final + np.floor(rng.lognormal(np.log(3 * HOUR), 0.9, n)), np.nan),
        closed=final + CLOSE_AFTER,
        score=np.clip(np.round(experience + rng.normal(0, 0.35, n)), 1, 5),
    )


def snapshots(ctx: Context, tickets: pd.DataFrame) -> pd.DataFrame:
    """One row per (ticket, local day with an update): the ticket's state after that day's last update."""
    client = tickets["client"].to_numpy()
    times = np.column_stack([tickets[event].to_numpy() for event in EVENTS])
    ticket = np.repeat(np.arange(len(tickets)), len(EVENTS))
    at = times.ravel()
    keep = np.isfinite(at) & (at < ctx.clock.window_end(client)[ticket])
    ticket, at = ticket[keep], at[keep]
    day = ctx.clock.local_day(at, client[ticket])
    order = np.lexsort((at, day, ticket))
    ticket, at, day = ticket[order], at[order], day[order]
    last = np.r_[(ticket[1:] != ticket[:-1]) | (day[1:] != day[:-1]), True]
    ticket, t, day = ticket[last], at[last], day[last]

    rows = tickets.iloc[ticket].reset_index(drop=True)

    def reached(event: str) -> np.ndarray:
        return rows[event].to_numpy() <= t  # NaN (never) compares False

    reopened = reached("reopened")
    solved_at = np.where(
        reopened,
        np.where(reached("solved2"), rows["solved2"], np.nan),
        np.where(reached("solved1"), rows["solved1"], np.nan),
    )
    responded = reached("first_response")
    waiting = rows["pending"].to_numpy() & responded & ~reached("reply") & ~reopened
    status = np.select(
        [reached("closed"), np.isfinite(solved_at), waiting, responded | reopened],
        ["closed", "solved", "pending", "open"],
        default="new",
    )
    escalated = reached("escalated_at")
    priority = rows["priority"].to_numpy()
    return rows.assign(
        export_day=day,
        updated_at=t,
        status=status.astype(object),
        first_response_at=np.where(responded, rows["first_response"], np.nan),
        solved_at=solved_at,
        reopen_count=reopened.astype(int),
        is_escalated=escalated,
        priority=np.where(escalated, np.maximum(priority, 2), priority),
        assigned=responded | rows["triaged"].to_numpy(),
        has_rating=reached("rated_at"),
    )
