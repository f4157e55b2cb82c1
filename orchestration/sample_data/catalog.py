"""The sample world's fixed configuration: clients, queues, issue categories, SLA targets and QA rubrics.

The dbt seeds `clients`, `sla_targets` and `qa_rubrics` are this catalog written out
(`write_seeds`); a unit test keeps the two in agreement.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("billing", "technical", "account", "delivery", "cancellation", "other")
CHANNELS = ("voice", "chat", "email", "social")
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Client:
    """One BPO client (brand) and the operating parameters that shape its data."""

    client_id: str
    name: str
    timezone: str
    country: str  # phone numbering plan and name pool: US, GB, PH, AU
    share: float  # of the day's interactions
    queues: tuple[str, ...]  # queue per issue category, aligned with CATEGORIES
    category_weights: tuple[float, ...]
    voice_wait_seconds: float  # mean wait of a queued call at average load
    chat_wait_seconds: float
    patience_seconds: float  # mean time a caller waits before hanging up
    chat_rating: str  # stars | thumbs | mixed
    handle: str  # the brand's social handle
    sites: tuple[str, ...]
    plans: tuple[str, ...]
    nps_base: float  # mean NPS score before experience effects


CLIENTS: tuple[Client, ...] = (
    Client(
        client_id="acme_telecom",
        name="Acme Telecom",
        timezone="America/Chicago",
        country="US",
        share=0.34,
        queues=("billing", "tech_support", "accounts", "orders", "retention", "general"),
        category_weights=(0.30, 0.28, 0.15, 0.08, 0.09, 0.10),
        voice_wait_seconds=20,
        chat_wait_seconds=28,
        patience_seconds=170,
        chat_rating="stars",
        handle="AcmeTelecom",
        sites=("Dallas", "Manila - Ortigas"),
        plans=("prepaid", "postpaid_basic", "postpaid_unlimited", "fiber_home"),
        nps_base=7.0,
    ),
    Client(
        client_id="bright_bank",
        name="Bright Bank",
        timezone="Europe/London",
        country="GB",
        share=0.26,
        queues=("payments", "app_support", "accounts", "card_services", "accounts", "general"),
        category_weights=(0.22, 0.20, 0.25, 0.12, 0.06, 0.15),
        voice_wait_seconds=12,
        chat_wait_seconds=18,
        patience_seconds=200,
        chat_rating="thumbs",
        handle="BrightBankUK",
        sites=("Glasgow", "Cape Town"),
        plans=("current", "premier", "business", "student"),
        nps_base=8.0,
    ),
    Client(
        client_id="lakbay_air",
        name="Lakbay Air",
        timezone="Asia/Manila",
        country="PH",
        share=0.22,
        queues=("refunds", "web_support", "loyalty", "baggage", "refunds", "bookings"),
        category_weights=(0.18, 0.10, 0.14, 0.20, 0.18, 0.20),
        voice_wait_seconds=28,
        chat_wait_seconds=35,
        patience_seconds=190,
        chat_rating="mixed",
        handle="LakbayAir",
        sites=("Manila - Makati", "Cebu - IT Park"),
        plans=("blue", "silver", "gold", "platinum"),
        nps_base=7.4,
    ),
    Client(
        client_id="koala_energy",
        name="Koala Energy",
        timezone="Australia/Sydney",
        country="AU",
        share=0.18,
        queues=("billing", "faults", "moves", "connections", "retention", "general"),
        category_weights=(0.38, 0.16, 0.18, 0.06, 0.10, 0.12),
        voice_wait_seconds=15,
        chat_wait_seconds=22,
        patience_seconds=180,
        chat_rating="stars",
        handle="KoalaEnergy",
        sites=("Sydney", "Manila - Ortigas"),
        plans=("basic", "flexi", "green_saver", "solar_plus"),
        nps_base=7.6,
    ),
)


@dataclass(frozen=True)
class RubricItem:
    item: str
    weight: float
    max_score: int
    is_critical: bool


# Spoken rubric for voice and chat; written rubric for email and social.
RUBRICS: dict[str, tuple[RubricItem, ...]] = {
    "spoken_v3": (
        RubricItem("greeting", 1, 5, False),
        RubricItem("verification", 2, 1, True),
        RubricItem("empathy", 2, 5, False),
        RubricItem("hold_etiquette", 1, 5, False),
        RubricItem("resolution", 3, 10, False),
        RubricItem("compliance", 2, 1, True),
        RubricItem("closing", 1, 5, False),
    ),
    "written_v2": (
        RubricItem("greeting", 1, 5, False),
        RubricItem("verification", 1, 1, True),
        RubricItem("tone", 2, 5, False),
        RubricItem("accuracy", 3, 10, False),
        RubricItem("resolution", 3, 10, False),
        RubricItem("compliance", 2, 1, True),
        RubricItem("grammar", 1, 5, False),
    ),
}
RUBRIC_BY_CHANNEL = {"voice": "spoken_v3", "chat": "spoken_v3", "email": "written_v2", "social": "written_v2"}


def sla_targets(client: Client) -> list[tuple[str, str, str, int, float]]:
    """(channel, priority, metric, target_seconds, target_pct) rows of one client."""
    answer_seconds = 30 if client.country == "PH" else 20
    return [
        ("voice", "*", "answer", answer_seconds, 80.0),
        ("chat", "*", "answer", 30, 80.0),
        ("chat", "*", "first_response", 60, 85.0),
        ("email", "*", "first_response", 86_400, 90.0),
        ("email", "normal", "first_response", 28_800, 90.0),
        ("email", "high", "first_response", 14_400, 90.0),
        ("email", "urgent", "first_response", 3_600, 95.0),
        ("email", "*", "resolution", 259_200, 85.0),
        ("email", "urgent", "resolution", 86_400, 90.0),
        ("social", "*", "first_response", 3_600, 80.0),
    ]


def seed_rows() -> dict[str, tuple[list[str], list[list[str]]]]:
    """The three seeds as (header, rows) of strings, exactly as written to `dbt_project/seeds`."""

    def number(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else str(value)

    clients = [[c.client_id, c.name, c.timezone] for c in CLIENTS]
    slas = [
        [c.client_id, channel, priority, metric, str(seconds), number(pct)]
        for c in CLIENTS
        for channel, priority, metric, seconds, pct in sla_targets(c)
    ]
    rubrics = [
        [version, i.item, number(i.weight), str(i.max_score), str(i.is_critical).lower()]
        for version, items in RUBRICS.items()
        for i in items
    ]
    return {
        "clients": (["client_id", "name", "timezone"], clients),
        "sla_targets": (
            ["client_id", "channel", "priority", "metric", "target_seconds", "target_pct"],
            slas,
        ),
        "qa_rubrics": (["rubric_version", "item", "weight", "max_score", "is_critical"], rubrics),
    }


def write_seeds(seeds_dir: Path) -> None:
    """Write the catalog's seeds (`python -m orchestration.sample_data --write-seeds`)."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in seed_rows().items():
        with open(seeds_dir / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
