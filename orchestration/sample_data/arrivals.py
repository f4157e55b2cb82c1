"""When contacts arrive and who makes them: intraday and weekday curves, and repeat contacts.

A contact is (client, person, channel, start, issue category). Fresh contacts follow each channel's
intraday curve in the client's local time; repeat contacts follow unresolved (and some resolved)
interactions within days, often on another channel, with the same issue category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration.sample_data.catalog import Client
from orchestration.sample_data.clock import DAY, HOUR, Clock
from orchestration.sample_data.people import People

VOICE, CHAT, EMAIL, SOCIAL = 0, 1, 2, 3
CHANNEL_MIX = np.array([0.45, 0.30, 0.20, 0.05])  # voice (with outbound), chat, email, social
# Repeat contacts lean to voice, so fresh contacts lean away from it to land near CHANNEL_MIX.
FRESH_MIX = np.array([0.435, 0.30, 0.208, 0.057])
OUTBOUND_SHARE = 0.03  # of all interactions: outbound calls, part of the voice share
UNKNOWN_SHARE = 0.10  # contacts from people the CRM does not know
REPEAT_SHARE = 0.21  # share of a day's volume that repeat contacts make up, once established

# Local hour-of-day weights per channel (voice, chat, email, social).
_HOURLY = np.array(
    [
        [2, 1, 1, 1, 1, 2, 5, 18, 45, 80, 100, 98, 80, 85, 95, 92, 80, 65, 45, 32, 22, 14, 8, 4],
        [4, 2, 1, 1, 1, 2, 4, 12, 35, 60, 80, 85, 80, 82, 88, 90, 85, 80, 75, 70, 60, 45, 25, 10],
        [15, 10, 8, 6, 6, 8, 14, 30, 60, 80, 85, 80, 70, 75, 80, 78, 70, 60, 50, 45, 40, 35, 30, 20],
        [30, 20, 12, 8, 6, 6, 10, 20, 35, 45, 50, 55, 60, 60, 55, 55, 55, 60, 70, 80, 85, 80, 65, 45],
    ],
    dtype=float,
)
HOURLY = _HOURLY / _HOURLY.sum(axis=1, keepdims=True)
WEEKDAY = np.array([1.15, 1.08, 1.03, 1.0, 0.95, 0.62, 0.50])  # Monday … Sunday
WEEKDAY = WEEKDAY / WEEKDAY.mean()


def load_factor(channel: int, hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Arrival intensity relative to the channel's average hour: drives queue waits."""
    return HOURLY[channel][hour] * 24 * WEEKDAY[weekday]


def fresh_contacts(
    rng: np.random.Generator, clock: Clock, clients: list[Client], people: People, per_day: int
) -> pd.DataFrame:
    """The day-by-day new contacts of every client, ordered by start time."""
    shares = np.array([c.share for c in clients]) / sum(c.share for c in clients)
    weekdays = np.array([clock.day_date(d).weekday() for d in range(clock.days)])
    # `per_day` is the window's average: weekdays above it, weekends below
    factor = WEEKDAY[weekdays] / WEEKDAY[weekdays].mean()
    # repeat contacts build up over the first days of the window (earlier contacts are not simulated)
    repeats = REPEAT_SHARE * (1 - np.exp(-(np.arange(clock.days) + 0.2)))
    expected = per_day * shares[:, None] * (factor * (1 - repeats))[None, :]
    counts = rng.poisson(expected).ravel()
    client = np.repeat(np.repeat(np.arange(len(clients)), clock.days), counts)
    day = np.repeat(np.tile(np.arange(clock.days), len(clients)), counts)
    n = len(client)
    mix = np.concatenate([FRESH_MIX - np.array([OUTBOUND_SHARE, 0, 0, 0]), [OUTBOUND_SHARE]])
    channel = rng.choice(5, n, p=mix)
    outbound = channel == 4
    channel = np.where(outbound, VOICE, channel)
    seconds = np.empty(n)
    for ch in range(4):
        rows = np.flatnonzero(channel == ch)
        seconds[rows] = rng.choice(24, len(rows), p=HOURLY[ch]) * HOUR + rng.random(len(rows)) * HOUR
    start = clock.from_local(client, day, seconds)
    person = pick_people(rng, people, client, day, known_only=outbound)
    frame = pd.DataFrame(
        {
            "client": client,
            "person": person,
            "channel": channel,
            "outbound": outbound,
            "start": start,
            "category": pick_categories(rng, clients, client, person, start),
            "repeat_of": np.full(n, -1, dtype=np.int64),
        }
    )
    return frame.sort_values(["start", "client"], kind="stable", ignore_index=True)


def pick_categories(
    rng: np.random.Generator, clients: list[Client], client: np.ndarray, person: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """An issue category per fresh contact, different for each of a person's successive fresh contacts.

    Each person gets a random order of the categories (weighted by the client's mix, Gumbel top-k);
    their k-th fresh contact takes the k-th. A new contact about the same issue is then (almost) only
    ever a simulated repeat contact, so FCR measures resolution, not chance, even at high volumes.
    """
    weights = np.array([c.category_weights for c in clients])
    owners, first_contact = np.unique(person, return_index=True)
    keys = np.log(weights[client[first_contact]]) + rng.gumbel(size=(len(owners), weights.shape[1]))
    preference = np.argsort(-keys, axis=1)
    owner = np.searchsorted(owners, person)
    order = np.lexsort((start, owner))
    rank = np.empty(len(person), dtype=np.int64)
    group_start = np.r_[0, np.flatnonzero(np.diff(owner[order])) + 1]
    rank[order] = np.arange(len(person)) - np.repeat(group_start, np.diff(np.r_[group_start, len(person)]))
    return preference[owner, rank % weights.shape[1]]


def pick_people(
    rng: np.random.Generator, people: People, client: np.ndarray, day: np.ndarray, known_only: np.ndarray
) -> np.ndarray:
    """A person per contact: CRM customers by their propensity, or (10 %) someone the CRM does not know."""
    out = np.empty(len(client), dtype=np.int64)
    known = people.known
    active = known & (people.churned_day >= 0)
    unknown_draw = (rng.random(len(client)) < UNKNOWN_SHARE) & ~known_only
    for index in np.unique(client):
        for want_known in (True, False):
            rows = np.flatnonzero((client == index) & (unknown_draw != want_known))
            pool = np.flatnonzero((people.client == index) & (active if want_known else ~known))
            if len(rows) == 0 or len(pool) == 0:
                continue
            cumulative = np.cumsum(people.weight[pool])
            chosen = pool[np.searchsorted(cumulative, rng.random(len(rows)) * cumulative[-1], side="right")]
            # someone who signs up later cannot call before: take an existing customer instead
            early = people.signed_up_day[chosen] > day[rows]
            existing = pool[people.signed_up_day[pool] <= 0]
            chosen[early] = existing[rng.integers(0, len(existing), early.sum())]
            out[rows] = chosen
    return out


def repeat_contacts(rng: np.random.Generator, clock: Clock, done: pd.DataFrame) -> pd.DataFrame:
    """Contacts that come back after `done` (simulated interactions): unresolved ones mostly."""
    inbound = ~done["outbound"].to_numpy()
    abandoned = inbound & ~done["handled"].to_numpy()
    unresolved = inbound & done["handled"].to_numpy() & ~done["resolved"].to_numpy()
    resolved = inbound & done["handled"].to_numpy() & done["resolved"].to_numpy()
    draw = rng.random(len(done))
    back = (abandoned & (draw < 0.6)) | (unresolved & (draw < 0.5)) | (resolved & (draw < 0.06))
    rows = np.flatnonzero(back)
    n = len(rows)
    channel = done["channel"].to_numpy()[rows]
    retry = abandoned[rows]
    # a caller who gave up retries within the hour on the same channel; otherwise days later
    delay = np.where(
        retry,
        60 + rng.lognormal(np.log(20 * 60), 0.8, n),
        2 * HOUR + rng.lognormal(np.log(1.2 * DAY), 0.7, n),
    )
    switch = ~retry & (rng.random(n) < 0.55)
    other = rng.choice(3, n, p=[0.55, 0.30, 0.15])  # voice, chat, email
    new_channel = np.where(switch, other, np.where(channel == SOCIAL, VOICE, channel))
    client = done["client"].to_numpy()[rows]
    start = np.floor(done["start"].to_numpy()[rows] + delay)
    keep = start < clock.window_end(client)
    frame = pd.DataFrame(
        {
            "client": client,
            "person": done["person"].to_numpy()[rows],
            "channel": new_channel,
            "outbound": np.zeros(n, dtype=bool),
            "start": start,
            "category": done["category"].to_numpy()[rows],
            "repeat_of": done["interaction"].to_numpy()[rows],
        }
    )
    return frame[keep].reset_index(drop=True)
