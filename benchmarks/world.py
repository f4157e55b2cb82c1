"""The benchmark's world: consecutive export days at a large BPO's volume, generated once and reused.

`orchestration.sample_data.generate` simulates a whole window in memory (~0.65 GB per million-interaction
day, plus the people), so a long window is generated in chunks of `chunk_days`. Chunks share one set of
people and agents (the same CRM customers call on every day) but draw their own traffic, and each chunk's
record ids are shifted past the previous chunk's so that no id repeats across days. Every chunk re-exports
the CRM and the roster in full on its first day (as a first export does), so the benchmarked days are
never a chunk's first day. Sizing: customers = 1.5 × interactions a day and agents = interactions / 50,
the ratios of the bundled sample data (6,000 customers and 80 agents for 4,000 interactions a day).

Warm-up (`warmup_days`): a simulation starts with no open tickets, so its first days' e-mail exports
carry no re-exports of older tickets (a ticket is exported again whenever its status changes) and few QA
evaluations (they lag the contacts). Measured at 100k interactions a day: the e-mail export of the
world's second day is 25.6 MB, of later Tuesdays 39.1–39.7 MB; it levels off from the eighth day. A warm
world simulates `warmup_days` more days before the first day the warehouse loads and lands none of
their exports, except the CRM's and the roster's first full exports, which are added to the first
loaded day (as the first export of a BPO's running accounts would be). A warm world is one chunk.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 3, 3)  # a Monday; after the Dagster partitions' start (2024-01-01)
MEMORY_PER_CHUNK_INTERACTIONS = 5_000_000  # ~3.5 GB of generator memory per chunk
# A warm world is one chunk: 11M interactions generated (7.9 GiB), 18M failed in the generator's text
# columns (more than 2 GB of text in one pyarrow string array)
MAX_WARM_WORLD_INTERACTIONS = 12_000_000


@dataclass(frozen=True)
class WorldSpec:
    interactions: int  # a day
    days: int
    seed: int = 42
    start: date = START
    warmup_days: int = 0  # simulated before day 0, never landed (see the module's docstring)

    def __post_init__(self) -> None:
        if self.warmup_days and self.generated_days * self.interactions > MAX_WARM_WORLD_INTERACTIONS:
            raise ValueError(
                f"a warm world is generated in one chunk: {self.generated_days} days × {self.interactions:,} "
                f"interactions is over {MAX_WARM_WORLD_INTERACTIONS:,}; use fewer --warmup-days or "
                "--history-days (at 1M a day: warm-up + history + 1 ≤ 12)"
            )

    @property
    def generated_days(self) -> int:
        return self.warmup_days + self.days

    @property
    def customers(self) -> int:
        return max(6000, round(self.interactions * 1.5))

    @property
    def agents(self) -> int:
        return max(80, self.interactions // 50)

    @property
    def chunk_days(self) -> int:
        if self.warmup_days:
            return self.generated_days  # a chunk starts cold: the warm-up must be in the same chunk
        per_chunk = max(2, MEMORY_PER_CHUNK_INTERACTIONS // self.interactions)  # day 2 of a chunk is regular
        if per_chunk >= self.days:
            return self.days
        return max(2, math.ceil(self.days / math.ceil(self.days / per_chunk)))  # chunks of even length

    def day(self, index: int) -> str:
        """The landed day `index` (0 = the first day the warehouse loads)."""
        return (self.start + timedelta(days=self.warmup_days + index)).isoformat()

    @property
    def name(self) -> str:
        warmup = f"-w{self.warmup_days}" if self.warmup_days else ""
        return f"n{self.interactions}-d{self.days}{warmup}-s{self.seed}-{self.start.isoformat()}"

    def params(self) -> dict:
        """The spec as JSON values, for a child process (`from_params`)."""
        return {**asdict(self), "start": self.start.isoformat()}

    @classmethod
    def from_params(cls, params: dict) -> WorldSpec:
        """The spec `params()` gave (other keys are ignored)."""
        values = {field.name: params[field.name] for field in fields(cls) if field.name in params}
        return cls(**{**values, "start": date.fromisoformat(values["start"])})

    def describe(self) -> dict:
        return {
            **self.params(),
            "customers": self.customers,
            "agents": self.agents,
            "chunk_days": self.chunk_days,
        }


@contextlib.contextmanager
def _chunk_of_one_world(offset: int, people_seed: int, people_days: int):
    """Shift record ids by `offset` and draw people and agents as the world's first chunk does."""
    from orchestration.sample_data import ids, qa, surveys
    from orchestration.sample_data.clock import rng

    gen = importlib.import_module("orchestration.sample_data.generate")  # the package exports the function
    saved = (dict(ids.INTERACTIONS), surveys.ids, qa.ids, gen.make_people, gen.make_agents)
    original_ids = ids.ids

    def shifted_ids(prefix, numbers, width):
        return original_ids(prefix, numbers + offset, width)

    for channel, (prefix, first, width) in saved[0].items():
        ids.INTERACTIONS[channel] = (prefix, first + offset, width)
    surveys.ids = qa.ids = shifted_ids
    gen.make_people = lambda _rng, clients, customers, _days: saved[3](
        rng(people_seed, "people"), clients, customers, people_days
    )
    gen.make_agents = lambda _rng, clients, agents, _days: saved[4](
        rng(people_seed, "agents"), clients, agents, people_days
    )
    try:
        yield
    finally:
        ids.INTERACTIONS.clear()
        ids.INTERACTIONS.update(saved[0])
        surveys.ids, qa.ids, gen.make_people, gen.make_agents = saved[1:]


def generate_world(spec: WorldSpec, landing: Path) -> dict:
    """Write every day of the world under `landing`; returns seconds and rows per chunk."""
    from orchestration.sample_data import generate

    chunk = spec.chunk_days
    chunks = math.ceil(spec.generated_days / chunk)
    stride = 10 ** math.ceil(math.log10(max(10, 2 * chunk * spec.interactions)))
    summary = {"chunks": [], "rows": {}}
    for index in range(chunks):
        started = time.perf_counter()
        first = spec.start + timedelta(days=index * chunk)
        with _chunk_of_one_world(index * stride, spec.seed, chunk):
            result = generate(
                landing,
                seed=spec.seed + index,
                start=first,
                days=chunk,  # the last chunk is padded to full length (same people), extra days removed
                interactions_per_day=spec.interactions,
                customers=spec.customers,
                agents=spec.agents,
            )
        for source, rows in result["rows"].items():
            summary["rows"][source] = summary["rows"].get(source, 0) + rows
        summary["chunks"].append({"start": first.isoformat(), "seconds": time.perf_counter() - started})
    last = spec.day(spec.days - 1)
    for folder in landing.glob("*/*"):
        if folder.is_dir() and folder.name > last:
            shutil.rmtree(folder)
    if spec.warmup_days:
        summary["warmup"] = drop_warmup(spec, landing)
    return summary


FIRST_EXPORT_SOURCES = ("crm_customers", "agents")  # full snapshots on the simulation's first day


def drop_warmup(spec: WorldSpec, landing: Path) -> dict:
    """Move the CRM's and the roster's first (full) exports to the first landed day, under names of
    their own (`first_export__<name>`, beside that day's deltas), then delete every warm-up day's
    folder. Returns the bytes of the dropped exports per source."""
    first_simulated, first_landed = spec.start.isoformat(), spec.day(0)
    for source in FIRST_EXPORT_SOURCES:
        target = landing / source / first_landed
        target.mkdir(parents=True, exist_ok=True)
        for exported in sorted((landing / source / first_simulated).glob("*")):
            shutil.move(exported, target / f"first_export__{exported.name}")
    dropped: dict[str, int] = {}
    for folder in sorted(landing.glob("*/*")):
        if folder.is_dir() and folder.name < first_landed:
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            dropped[folder.parent.name] = dropped.get(folder.parent.name, 0) + size
            shutil.rmtree(folder)
    return {"days": spec.warmup_days, "dropped_bytes": dropped}


def ensure_world(spec: WorldSpec, root: Path, generate_in_child) -> tuple[Path, dict]:
    """The world's landing root under `root`, generated (by `generate_in_child`) unless already there."""
    folder = root / spec.name
    marker = folder / "world.json"
    if marker.exists():
        return folder / "landing", json.loads(marker.read_text())
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation
    folder.mkdir(parents=True)
    measured = generate_in_child(spec, folder / "landing")
    info = {"spec": spec.describe(), "generation": measured}
    marker.write_text(json.dumps(info, indent=2))
    return folder / "landing", info
