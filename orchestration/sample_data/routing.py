"""Queues and routing: how long a contact waits, how long a customer will wait, which agent takes it."""

from __future__ import annotations

import numpy as np

from orchestration.sample_data.arrivals import load_factor
from orchestration.sample_data.context import Context

QUICK_HANG_UP_SHARE = 0.03  # callers who give up within seconds (short abandons)


def queue_wait(rng: np.random.Generator, ctx: Context, channel: int, client: np.ndarray, start: np.ndarray):
    """Seconds in queue: often an agent is free at once; at busy hours and on thin days, queues build."""
    hour = ctx.clock.local_hour(start, client)
    day = ctx.clock.local_day(start, client)
    weekday = (ctx.clock.start.weekday() + day) % 7
    base = np.array([c.voice_wait_seconds if channel == 0 else c.chat_wait_seconds for c in ctx.clients])[
        client
    ]
    # some days are better staffed than others; the same for every wave of contacts
    staffing = ctx.rng("staffing", channel).lognormal(0, 0.2, (len(ctx.clients), ctx.clock.days + 2))
    busy = load_factor(channel, hour, weekday) * staffing[client, np.clip(day, 0, ctx.clock.days + 1)]
    agent_free = rng.random(len(client)) < np.clip(1.2 - (0.15 + base / 200) * busy, 0.05, 0.97)
    return np.where(agent_free, rng.uniform(0, 8, len(client)), rng.exponential(base * busy**1.5))


def patience(rng: np.random.Generator, ctx: Context, client: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Seconds a customer will wait before leaving the queue."""
    mean = np.array([c.patience_seconds for c in ctx.clients])[client] * scale
    quick = rng.random(len(client)) < QUICK_HANG_UP_SHARE
    return np.where(quick, rng.uniform(0.5, 5, len(client)), 5 + rng.exponential(mean))


def assign_agents(
    rng: np.random.Generator,
    ctx: Context,
    client: np.ndarray,
    channel: int,
    day: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """An agent per row where `wanted` (else -1): rostered on the channel and employed that day."""
    agents = ctx.agents
    out = np.full(len(client), -1, dtype=np.int64)
    for index in np.unique(client[wanted]):
        rows = np.flatnonzero(wanted & (client == index))
        pool = np.flatnonzero((agents.client == index) & (agents.channel == channel))
        if len(pool) == 0:
            pool = np.flatnonzero(agents.client == index)
        chosen = pool[rng.integers(0, len(pool), len(rows))]
        for _ in range(6):  # redraw agents not employed that day
            idle = (agents.hired_day[chosen] > day[rows]) | (agents.left_day[chosen] <= day[rows])
            if not idle.any():
                break
            chosen[idle] = pool[rng.integers(0, len(pool), idle.sum())]
        idle = (agents.hired_day[chosen] > day[rows]) | (agents.left_day[chosen] <= day[rows])
        if idle.any():  # tiny rosters: fall back to anyone of the client employed that day
            anyone = np.flatnonzero((agents.client == index) & (agents.hired_day <= 0))
            chosen[idle] = anyone[rng.integers(0, len(anyone), idle.sum())]
        out[rows] = chosen
    return out
