"""Fixtures of the failure-injection tests: a tiny generated landing root, and that root built once."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from failure_helpers import FIRST, Site, cli

from orchestration.sample_data import generate


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Site:
    """Three days of every source, small; the first day's voice surveys are held back as a late export."""
    site = Site(tmp_path_factory.mktemp("fi") / "sample").prepare()
    generate(
        site.landing,
        seed=7,
        start=date.fromisoformat(FIRST),
        days=3,
        agents=12,
        customers=200,
        interactions_per_day=150,
    )
    late = site.root / "late" / "voice_surveys"
    late.mkdir(parents=True)
    shutil.move(site.landing / "voice_surveys" / FIRST, late / FIRST)
    return site


@pytest.fixture(scope="session")
def built_site(sample_site, tmp_path_factory) -> Site:
    """The sample built and published once by `cli run` (in its own process); tests work on copies."""
    site = sample_site.copy(tmp_path_factory.mktemp("fi-built") / "site")
    result = cli(site, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    return site


@pytest.fixture
def site(built_site, tmp_path) -> Site:
    """A private copy of the built site."""
    return built_site.copy(tmp_path / "site")
