"""Fixtures of the dbt tests."""

import pytest
from dbt_helpers import TEST_HASH_KEY, create_raw_tables


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """An empty warehouse (the raw tables as ingest creates them) that dbt builds into, in tmp_path."""
    monkeypatch.setenv("CX_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("CX_HASH_KEY", TEST_HASH_KEY)
    path = tmp_path / "warehouse.duckdb"
    create_raw_tables(path)
    return path
