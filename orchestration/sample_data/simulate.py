"""The interaction simulation: fresh contacts, then waves of repeat contacts, on all four channels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration.sample_data import chat, social, tickets, voice
from orchestration.sample_data.arrivals import fresh_contacts, repeat_contacts
from orchestration.sample_data.context import Context

CHANNEL_MODULES = (voice, chat, tickets, social)
MAX_WAVES = 8
BAD_EXPERIENCE = 2.5  # latent experience (≈ CSAT scale) under which an interaction counts as bad
GOOD_EXPERIENCE = 4.0
SHARED = [
    "interaction",
    "client",
    "person",
    "channel",
    "outbound",
    "start",
    "category",
    "handled",
    "resolved",
]


def simulate(ctx: Context, interactions_per_day: int) -> dict[int, pd.DataFrame]:
    """Every interaction of the window per channel, ordered by start, with a per-channel `seq` number."""
    wave = fresh_contacts(ctx.rng("arrivals"), ctx.clock, ctx.clients, ctx.people, interactions_per_day)
    results: dict[int, list[pd.DataFrame]] = {channel: [] for channel in range(len(CHANNEL_MODULES))}
    next_id = 0
    for wave_no in range(MAX_WAVES):
        if wave.empty:
            break
        client, start = wave["client"].to_numpy(), wave["start"].to_numpy()
        wave = wave.assign(
            interaction=np.arange(next_id, next_id + len(wave)), day=ctx.clock.local_day(start, client)
        )
        next_id += len(wave)
        done = []
        for channel, module in enumerate(CHANNEL_MODULES):
            contacts = wave[wave["channel"].to_numpy() == channel].reset_index(drop=True)
            simulated = module.simulate(ctx.rng("simulate", channel, wave_no), ctx, contacts)
            results[channel].append(simulated)
            done.append(simulated[SHARED])
        wave = repeat_contacts(ctx.rng("repeats", wave_no), ctx.clock, pd.concat(done, ignore_index=True))
    frames = {}
    for channel, waves in results.items():
        frame = pd.concat(waves, ignore_index=True)
        frame = frame.sort_values(["start", "interaction"], kind="stable", ignore_index=True)
        frame["seq"] = np.arange(len(frame))
        frames[channel] = frame
    return frames


def experiences(ctx: Context, frames: dict[int, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Counts of bad and good interactions per person and local window day (rows: people)."""
    shape = (len(ctx.people), ctx.clock.days)
    bad, good = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    for frame in frames.values():
        inbound = ~frame["outbound"].to_numpy()
        experience = frame["experience"].to_numpy()
        person, day = frame["person"].to_numpy(), frame["day"].to_numpy()
        inside = inbound & (day >= 0) & (day < ctx.clock.days)
        for counts, kind in ((bad, experience < BAD_EXPERIENCE), (good, experience >= GOOD_EXPERIENCE)):
            rows = inside & kind
            np.add.at(counts, (person[rows], day[rows]), 1)
    return bad, good
