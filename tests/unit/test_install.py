"""What `make install` leaves behind, beyond the packages themselves."""

import importlib.util
from pathlib import Path

import dbt.cli.main

import orchestration.dbt_plugin


def _has_bytecode(module) -> bool:
    return Path(importlib.util.cache_from_source(module.__file__)).exists()


def test_installed_packages_carry_their_bytecode():
    # Where PYTHONDONTWRITEBYTECODE is set, nothing else writes it: every dbt build would compile dbt anew.
    assert _has_bytecode(dbt.cli.main)


def test_the_projects_own_modules_carry_their_bytecode():
    # the dbt plugin is imported by every dbt build's process
    assert _has_bytecode(orchestration.dbt_plugin)
