"""What every part of the simulation shares: the clock, the clients, the people and the roster."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample_data.catalog import Client
from orchestration.sample_data.clock import Clock, rng
from orchestration.sample_data.people import Agents, People


@dataclass
class Context:
    seed: int
    clock: Clock
    clients: list[Client]
    people: People
    agents: Agents

    def rng(self, *keys: str | int) -> np.random.Generator:
        return rng(self.seed, *keys)
