"""The people of the sample world: CRM customers, contacts unknown to the CRM, and the agent roster.

Everything here is per person (thousands of rows), so plain Python per person is fine; nothing here
runs per interaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample_data import names
from orchestration.sample_data.catalog import CHANNELS, Client

NEVER = 10**6  # a day index after any window: "has not happened"
CUSTOMER_PREFIX = {"acme_telecom": "ACM", "bright_bank": "BRB", "lakbay_air": "LKB", "koala_energy": "KOA"}
SEGMENTS = ("consumer", "consumer", "consumer", "small_business", "vip")
AGENT_CHANNEL_MIX = (0.45, 0.30, 0.17, 0.08)  # voice, chat, email, social
BPO_DOMAIN = "cxpartners-bpo.com"


@dataclass
class People:
    """Everyone who may contact a client: CRM customers first, then people the CRM does not know."""

    client: np.ndarray
    customer_id: np.ndarray  # object; None for people unknown to the CRM
    first: np.ndarray
    full_name: np.ndarray
    email: np.ndarray
    phone: np.ndarray
    handle: np.ndarray
    signed_up_day: np.ndarray  # window day index (negative: before the window)
    churned_day: np.ndarray  # NEVER when not churned
    plan: np.ndarray
    segment: np.ndarray
    weight: np.ndarray  # propensity to contact

    @property
    def known(self) -> np.ndarray:
        return self.customer_id != None  # noqa: E711 (element-wise on an object array)

    def __len__(self) -> int:
        return len(self.client)


@dataclass
class Agents:
    agent_id: np.ndarray
    client: np.ndarray
    first: np.ndarray
    full_name: np.ndarray
    email: np.ndarray
    team: np.ndarray
    site: np.ndarray
    supervisor_id: np.ndarray
    hired_day: np.ndarray
    left_day: np.ndarray
    channel: np.ndarray  # index into CHANNELS: the skill the agent is rostered on
    quality: np.ndarray  # latent skill, standard normal-ish; drives AHT, resolution, CSAT and QA
    moved_day: np.ndarray  # day of a team change within the window, NEVER when none
    moved_team: np.ndarray
    moved_supervisor_id: np.ndarray

    def __len__(self) -> int:
        return len(self.agent_id)


def _names(rng: np.random.Generator, country: str, n: int) -> tuple[list[str], list[str]]:
    """First and last names in the mix of the country (mostly Filipino names in the Philippines)."""
    filipino = rng.random(n) < names.REGIONS[country][0]

    def pick(western: tuple[str, ...], local: tuple[str, ...]) -> list[str]:
        drawn_western = np.array(western, dtype=object)[rng.integers(0, len(western), n)]
        drawn_local = np.array(local, dtype=object)[rng.integers(0, len(local), n)]
        return list(np.where(filipino, drawn_local, drawn_western))

    return pick(names.WESTERN_FIRST, names.FILIPINO_FIRST), pick(names.WESTERN_LAST, names.FILIPINO_LAST)


def _slug(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def phones(rng: np.random.Generator, country: str, n: int) -> np.ndarray:
    """Distinct E.164 numbers of the country's mobile (or, in the US, geographic) plan."""
    prefix, width = names.PHONE_PLANS[country]
    low = 2 * 10 ** (width - 1) if country != "US" else 2_000_000
    high = 10**width if country != "US" else 10_000_000
    numbers = np.unique(rng.integers(low, high, int(n * 1.1) + 10))
    numbers = rng.permutation(numbers)[:n]
    if country == "US":
        areas = np.array(names.US_AREA_CODES)[rng.integers(0, len(names.US_AREA_CODES), n)]
        return np.array([f"+1{a}{x:07d}" for a, x in zip(areas, numbers, strict=True)], dtype=object)
    return np.array([f"{prefix}{x:0{width}d}" for x in numbers], dtype=object)


def _emails(rng: np.random.Generator, country: str, first: list[str], last: list[str], tags: np.ndarray):
    domains = names.REGIONS[country][1]
    styles = rng.integers(0, 4, len(first))
    domain = rng.integers(0, len(domains), len(first))
    out, seen = [], set()
    for f, s, style, d, tag in zip(first, last, styles, domain, tags, strict=True):
        f, s = _slug(f), _slug(s)
        local = (f"{f}.{s}", f"{f}{s}{tag % 100}", f"{f[0]}.{s}{tag % 1000}", f"{f}_{s[:3]}{tag}")[style]
        email = f"{local}@{domains[d]}"
        if email in seen:
            email = f"{local}{tag}@{domains[d]}"
        seen.add(email)
        out.append(email)
    return np.array(out, dtype=object)


def make_people(seed_rng: np.random.Generator, clients: list[Client], customers: int, days: int) -> People:
    """CRM customers (some churned before the window, some signing up during it) and unknown people."""
    parts = []
    shares = np.array([c.share for c in clients]) / sum(c.share for c in clients)
    for index, client in enumerate(clients):
        rng = seed_rng.spawn(1)[0]
        n_crm = max(20, int(round(customers * shares[index])))
        n_new = rng.binomial(n_crm, 0.0015 * max(days - 1, 0))  # sign-ups during the window
        n_unknown = max(5, n_crm // 4)
        n = n_crm + n_new + n_unknown
        first, last = _names(rng, client.country, n)
        tags = rng.permutation(n) + 11
        signed = -(np.floor(rng.exponential(700, n)).astype(np.int64) % 2500 + 1)  # up to ~7 years back
        signed[n_crm : n_crm + n_new] = rng.integers(1, max(days, 2), n_new)
        churned = np.full(n, NEVER, dtype=np.int64)
        gone = np.flatnonzero(rng.random(n_crm) < 0.12)
        churned[gone] = signed[gone] + np.floor(rng.random(len(gone)) * -signed[gone]).astype(np.int64)
        prefix = CUSTOMER_PREFIX.get(client.client_id, client.client_id[:3].upper())
        ids = [f"{prefix}-{100000 + i * 7 + tags[i] % 7:07d}" for i in range(n_crm + n_new)]
        handles = [f"@{_slug(f)}{_slug(s)[:5]}{t % 1000}" for f, s, t in zip(first, last, tags, strict=True)]
        plan = np.array(client.plans, dtype=object)[rng.choice(len(client.plans), n, p=[0.4, 0.3, 0.2, 0.1])]
        parts.append(
            People(
                client=np.full(n, index, dtype=np.int64),
                customer_id=np.array(ids + [None] * n_unknown, dtype=object),
                first=np.array(first, dtype=object),
                full_name=np.array([f"{f} {s}" for f, s in zip(first, last, strict=True)], dtype=object),
                email=_emails(rng, client.country, first, last, tags),
                phone=phones(rng, client.country, n),
                handle=np.array(handles, dtype=object),
                signed_up_day=np.where(np.arange(n) < n_crm + n_new, signed, -NEVER),
                churned_day=churned,
                plan=plan,
                segment=np.array(SEGMENTS, dtype=object)[rng.integers(0, len(SEGMENTS), n)],
                weight=rng.gamma(3.0, 1.0, n),  # varied but not extreme: heavy users would blur FCR
            )
        )
    return People(*(np.concatenate([getattr(p, f) for p in parts]) for f in People.__dataclass_fields__))


def make_agents(rng: np.random.Generator, clients: list[Client], agents: int, days: int) -> Agents:
    """A roster per client: teams per channel group with a supervisor, two sites, hires and leavers."""
    rows: list[dict] = []
    shares = np.array([c.share for c in clients]) / sum(c.share for c in clients)
    next_id = 10001
    for index, client in enumerate(clients):
        n_now = max(len(CHANNELS), int(round(agents * shares[index])))
        n_hires = rng.binomial(n_now, 0.004 * max(days - 1, 0))
        n_left = max(1, n_now // 30)  # left shortly before the window, still on the roster
        n = n_now + n_hires + n_left
        channel = np.concatenate(
            [np.arange(len(CHANNELS)), rng.choice(len(CHANNELS), n - 4, p=AGENT_CHANNEL_MIX)]
        )
        first, last = _names(rng, "PH" if "Manila" in client.sites[0] else client.country, n)
        site_ph = _names(rng, "PH", n)
        on_second_site = rng.random(n) < 0.4
        tenure = np.floor(rng.exponential(500, n)).astype(np.int64) + 14
        hired = -tenure
        hired[n_now : n_now + n_hires] = rng.integers(1, max(days, 2), n_hires)
        left = np.full(n, NEVER, dtype=np.int64)
        left[n_now + n_hires :] = -rng.integers(1, 30, n_left)
        hired[n_now + n_hires :] = np.minimum(hired[n_now + n_hires :], left[n_now + n_hires :] - 30)
        leaving = np.flatnonzero(rng.random(n_now) < 0.002 * days)
        left[leaving] = rng.integers(1, max(days, 2), len(leaving))
        moved = np.where(rng.random(n) < 0.015 * days, rng.integers(1, max(days, 2), n), NEVER)
        quality = rng.normal(0, 1, n) + np.minimum(tenure, 720) / 720 - 0.5
        for k in range(n):
            group = "Voice" if channel[k] == 0 else "Digital"
            site = client.sites[int(on_second_site[k])]
            f, s = (
                (site_ph[0][k], site_ph[1][k]) if "Manila" in site or "Cebu" in site else (first[k], last[k])
            )
            team_no, moved_no = 1 + k % 3, 1 + (k + 1) % 3
            prefix = CUSTOMER_PREFIX.get(client.client_id, "CLI")
            rows.append(
                {
                    "agent_id": f"AG{next_id}",
                    "client": index,
                    "first": f,
                    "full_name": f"{f} {s}",
                    "email": f"{_slug(f)}.{_slug(s)}{next_id % 100}@{BPO_DOMAIN}",
                    "team": f"{prefix} {group} {team_no}",
                    "site": site,
                    "supervisor_id": f"SUP{index + 1}{int(channel[k] != 0)}{team_no}",
                    "hired_day": int(hired[k]),
                    "left_day": int(left[k]),
                    "channel": int(channel[k]),
                    "quality": float(quality[k]),
                    "moved_day": int(moved[k]),
                    "moved_team": f"{prefix} {group} {moved_no}",
                    "moved_supervisor_id": f"SUP{index + 1}{int(channel[k] != 0)}{moved_no}",
                }
            )
            next_id += 1
    return Agents(**{f: np.array([r[f] for r in rows]) for f in Agents.__dataclass_fields__})
