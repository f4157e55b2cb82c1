"""The benchmark's warm worlds: the loaded days carry a running BPO's re-exports, and nothing of the
warm-up is landed but the CRM's and the roster's first full exports."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from benchmarks.world import WorldSpec, generate_world


def _tickets_created_before(folder, day: str) -> tuple[int, int]:
    """(tickets, tickets created over a day before `day` began in UTC) in an e-mail export folder (a
    day's first local hours in UTC+11 fall on the UTC day before)."""
    cut = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=1)
    total = older = 0
    for path in folder.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            try:
                created = json.loads(line)["created_at"]
                created_at = datetime.fromisoformat(created)
            except (ValueError, KeyError, TypeError):
                continue  # the generator's injected bad records
            total += 1
            older += created_at < cut
    return total, older


def test_a_warm_world_lands_only_its_days_with_the_re_exports_of_tickets_opened_before_them(tmp_path):
    warm, cold = WorldSpec(2000, 2, warmup_days=3), WorldSpec(2000, 2)
    assert warm.day(0) == "2025-03-06" and cold.day(0) == "2025-03-03"
    assert warm.name != cold.name  # cached apart
    generate_world(warm, tmp_path / "warm")
    generate_world(cold, tmp_path / "cold")

    landed = {folder.name for folder in (tmp_path / "warm").glob("*/*")}
    assert landed == {"2025-03-06", "2025-03-07"}

    first = tmp_path / "warm" / "crm_customers" / "2025-03-06"
    names = sorted(path.name for path in first.iterdir())
    assert [n for n in names if n.startswith("first_export__")] == [
        f"first_export__crm_customers_{client}_full.csv"
        for client in ("acme_telecom", "bright_bank", "koala_energy", "lakbay_air")
    ]
    assert any(n.endswith("_delta.csv") and not n.startswith("first_export__") for n in names)
    roster = sorted(path.name for path in (tmp_path / "warm" / "agents" / "2025-03-06").iterdir())
    assert roster == ["agents.csv", "first_export__agents.csv"]

    # a cold world's first day has no ticket opened before it; a warm one's first day re-exports some
    total, older = _tickets_created_before(tmp_path / "cold" / "email_tickets" / "2025-03-03", "2025-03-03")
    assert total > 0 and older == 0
    total, older = _tickets_created_before(tmp_path / "warm" / "email_tickets" / "2025-03-06", "2025-03-06")
    assert total > 0 and older > total // 10


def test_a_warm_world_is_one_chunk_a_cold_one_is_chunked_by_memory():
    assert WorldSpec(1_000_000, 4, warmup_days=7).chunk_days == 11
    assert WorldSpec(1_000_000, 30).chunk_days == 5
    assert WorldSpec(1_000_000, 30, start=date(2025, 3, 3)).day(29) == "2025-04-01"


def test_a_spec_reaches_the_child_process_whole():
    spec = WorldSpec(5000, 3, seed=7, start=date(2025, 4, 7), warmup_days=2)
    assert WorldSpec.from_params({**spec.params(), "landing": "/elsewhere"}) == spec


def test_a_warm_world_too_large_for_one_chunk_is_refused_up_front():
    WorldSpec(1_000_000, 4, warmup_days=7)  # 11M interactions: generated in session 11
    with pytest.raises(ValueError, match="one chunk"):
        WorldSpec(1_000_000, 11, warmup_days=7)
    WorldSpec(1_000_000, 30)  # a cold world is chunked: any length
