"""`generate`: simulate the window, build every export file, inject bad records, write the landing tree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.sample_data import chat, crm, qa, social, surveys, tickets_export, voice
from orchestration.sample_data.arrivals import CHAT, EMAIL, SOCIAL, VOICE
from orchestration.sample_data.bad_records import inject
from orchestration.sample_data.catalog import CLIENTS
from orchestration.sample_data.clock import Clock, rng
from orchestration.sample_data.context import Context
from orchestration.sample_data.parts import Part, to_arrow
from orchestration.sample_data.people import make_agents, make_people
from orchestration.sample_data.simulate import experiences, simulate
from orchestration.sample_data.writers import write_csv, write_jsonl, write_parquet

SOURCES = (
    "voice_calls",
    "voice_surveys",
    "chat_sessions",
    "email_tickets",
    "social_mentions",
    "nps_responses",
    "qa_evaluations",
    "crm_customers",
    "agents",
)


def generate(
    out: Path,
    *,
    seed: int = 42,
    start: date = date(2026, 11, 1),
    days: int = 7,
    clients: int = 4,
    agents: int = 80,
    customers: int = 6000,
    interactions_per_day: int = 4000,
    bad_records: bool = True,
    parquet: bool = False,
) -> dict:
    """Write `<out>/<source>/<YYYY-MM-DD>/<name>.<ext>` for the nine sources; returns a summary.

    The same arguments always give byte-identical files. Files of an earlier run left in a
    (source, day) folder this run writes are removed, so a folder holds exactly one run's export.
    """
    if not 1 <= clients <= len(CLIENTS):
        raise ValueError(f"clients must be between 1 and {len(CLIENTS)}")
    if days < 1 or agents < 1 or customers < 1 or interactions_per_day < 1:
        raise ValueError("days, agents, customers and interactions_per_day must be positive")
    chosen = list(CLIENTS[:clients])
    clock = Clock(start, days, [c.timezone for c in chosen])
    people = make_people(rng(seed, "people"), chosen, customers, days)
    roster = make_agents(rng(seed, "agents"), chosen, agents, days)
    ctx = Context(seed, clock, chosen, people, roster)

    frames = simulate(ctx, interactions_per_day)
    bad, good = experiences(ctx, frames)
    churned = crm.churn_days(ctx, bad)
    builders = (
        lambda: voice.parts(ctx, frames[VOICE]),
        lambda: surveys.voice_survey_parts(ctx, frames[VOICE]),
        lambda: chat.parts(ctx, frames[CHAT]),
        lambda: tickets_export.parts(ctx, frames[EMAIL]),
        lambda: social.parts(ctx, frames[SOCIAL]),
        lambda: surveys.nps_parts(ctx, bad, good),
        lambda: qa.parts(ctx, frames),
        lambda: crm.customer_parts(ctx, churned),
        lambda: crm.agent_parts(ctx, parquet),
    )
    summary: dict = {
        "out": str(out),
        "interactions": {
            name: len(frames[ch]) for ch, name in enumerate(("voice", "chat", "email", "social"))
        },
        "rows": dict.fromkeys(SOURCES, 0),
        "files": dict.fromkeys(SOURCES, 0),
        "bad_records": {source: {} for source in SOURCES},
    }
    written: dict[Path, set[str]] = {}
    con = duckdb.connect()
    try:
        for build in builders:
            for part in build():
                if bad_records:
                    injected = inject(ctx.rng("bad", part.source, part.day, part.name), part)
                    totals = summary["bad_records"][part.source]
                    for kind, count in injected.items():
                        totals[kind] = totals.get(kind, 0) + count
                path = _write(part, out, clock, con)
                written.setdefault(path.parent, set()).add(path.name)
                summary["rows"][part.source] += part.rows
                summary["files"][part.source] += 1
    finally:
        con.close()
    for folder, names in written.items():
        for stale in sorted(folder.iterdir()):
            if stale.is_file() and stale.name not in names:
                stale.unlink()
    return summary


def _write(part: Part, out: Path, clock: Clock, con: duckdb.DuckDBPyConnection) -> Path:
    folder = Path(out) / part.source / clock.day_date(part.day).isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / part.filename()
    table = to_arrow(part, clock)
    if part.fmt == "csv":
        write_csv(table, path, part.compress)
    elif part.fmt == "jsonl":
        write_jsonl(table, path, con, part.compress, part.casts)
    else:
        write_parquet(table, path)
    return path
