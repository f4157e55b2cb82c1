"""CRM customers and the agent roster: a full snapshot on the first day, deltas (with updated_at) after.

Churn during the window is drawn day by day, and a customer's bad experiences on earlier days raise
their daily churn hazard: the link the retention marts are there to show.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from orchestration.sample_data import parts as p
from orchestration.sample_data.clock import HOUR
from orchestration.sample_data.context import Context
from orchestration.sample_data.people import NEVER

BASE_CHURN = 0.0004  # daily hazard of a customer without bad experiences
CHURN_PER_BAD = 2.5  # each earlier bad experience adds 2.5 × the base hazard
PLAN_CHANGE = 0.001  # daily share of customers who change plan


def churn_days(ctx: Context, bad: np.ndarray) -> np.ndarray:
    """Each person's churn day: historical churn, plus churn drawn in the window from their experiences."""
    rng = ctx.rng("churn")
    people = ctx.people
    churned = people.churned_day.copy()
    bad_before = np.cumsum(bad, axis=1) - bad  # bad experiences before each day
    for day in range(1, ctx.clock.days):
        active = people.known & (people.signed_up_day < day) & (churned == NEVER)
        hazard = np.minimum(BASE_CHURN * (1 + CHURN_PER_BAD * bad_before[:, day]), 0.25)
        churned[active & (rng.random(len(people)) < hazard)] = day
    return churned


def customer_parts(ctx: Context, churned: np.ndarray) -> Iterator[p.Part]:
    """Per client: `crm_customers_<client>_full.csv` on day 1, `…_delta.csv` after."""
    rng = ctx.rng("crm")
    people, clock = ctx.people, ctx.clock
    known = people.known
    plan = people.plan.copy()
    for day in range(clock.days):
        if day == 0:
            changed = known & (people.signed_up_day <= 0)
            # the last change before the window: sign-up, churn, or (30 %) a recent profile edit
            last_change = np.maximum(people.signed_up_day, np.where(churned <= 0, churned, -NEVER))
            edited = rng.random(len(people)) < 0.3
            last_change = np.where(
                edited, np.maximum(rng.integers(-60, 1, len(people)), last_change), last_change
            )
            change_day = np.clip(last_change, -3000, 0)
        else:
            active = known & (people.signed_up_day < day) & (churned >= day)
            moved = active & (rng.random(len(people)) < PLAN_CHANGE)
            for index, client in enumerate(ctx.clients):
                rows = np.flatnonzero(moved & (people.client == index))
                plan[rows] = np.array(client.plans, dtype=object)[
                    rng.integers(0, len(client.plans), len(rows))
                ]
            changed = known & ((people.signed_up_day == day) | (churned == day) | moved)
            change_day = np.full(len(people), day)
        for index, client in enumerate(ctx.clients):
            rows = np.flatnonzero(changed & (people.client == index))
            if len(rows) == 0:
                continue
            seconds = 8 * HOUR + rng.random(len(rows)) * 12 * HOUR
            updated = clock.from_local(people.client[rows], change_day[rows], np.floor(seconds))
            order = np.lexsort((rows, updated))
            rows, updated = rows[order], updated[order]
            gone = churned[rows] <= day
            columns = {
                "customer_id": p.text(people.customer_id[rows]),
                "client_id": p.text(np.full(len(rows), client.client_id, dtype=object)),
                "full_name": p.text(people.full_name[rows]),
                "email": p.text(people.email[rows]),
                "phone": p.text(people.phone[rows]),
                "signed_up_on": p.day(clock.start_epoch_day + people.signed_up_day[rows]),
                "churned_on": p.day(np.where(gone, clock.start_epoch_day + churned[rows], np.nan)),
                "plan": p.text(plan[rows]),
                "segment": p.text(people.segment[rows]),
                "updated_at": p.ts(updated),
            }
            kind = "full" if day == 0 else "delta"
            name = f"crm_customers_{client.client_id}_{kind}"
            yield p.Part("crm_customers", day, name, "csv", columns, people.client[rows], local_time=True)


def agent_parts(ctx: Context, parquet: bool = False) -> Iterator[p.Part]:
    """`agents.csv` (or .parquet): the whole roster on day 1, hires, leavers and team moves after."""
    rng = ctx.rng("roster")
    agents, clock = ctx.agents, ctx.clock
    for day in range(clock.days):
        if day == 0:
            rows = np.flatnonzero(agents.hired_day <= 0)
            last_change = np.maximum(
                agents.hired_day, np.where(agents.left_day <= 0, agents.left_day, -NEVER)
            )
            change_day = np.clip(last_change, -3000, 0)[rows]
        else:
            rows = np.flatnonzero(
                (agents.hired_day == day) | (agents.left_day == day) | (agents.moved_day == day)
            )
            change_day = np.full(len(rows), day)
        if len(rows) == 0:
            continue
        client = agents.client[rows]
        updated = clock.from_local(client, change_day, np.floor(7 * HOUR + rng.random(len(rows)) * 10 * HOUR))
        moved = agents.moved_day[rows] <= day
        left = agents.left_day[rows] <= day
        columns = {
            "agent_id": p.text(agents.agent_id[rows].astype(object)),
            "full_name": p.text(agents.full_name[rows].astype(object)),
            "email": p.text(agents.email[rows].astype(object)),
            "team": p.text(np.where(moved, agents.moved_team[rows], agents.team[rows]).astype(object)),
            "site": p.text(agents.site[rows].astype(object)),
            "supervisor_id": p.text(
                np.where(moved, agents.moved_supervisor_id[rows], agents.supervisor_id[rows]).astype(object)
            ),
            "client_id": p.text(np.array([c.client_id for c in ctx.clients], dtype=object)[client]),
            "hired_on": p.day(clock.start_epoch_day + agents.hired_day[rows]),
            "left_on": p.day(np.where(left, clock.start_epoch_day + agents.left_day[rows], np.nan)),
            "updated_at": p.ts(updated),
        }
        yield p.Part("agents", day, "agents", "parquet" if parquet else "csv", columns, client)
