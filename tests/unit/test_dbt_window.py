"""The export-day window reaches the dbt process through its environment, and only for that step."""

import os

from orchestration.assets.dbt import environment
from orchestration.settings import DBT_WINDOW_ENV, dbt_window_env


def test_window_environment_is_set_for_the_step_and_restored_after(monkeypatch):
    monkeypatch.delenv(DBT_WINDOW_ENV[0], raising=False)
    monkeypatch.setenv(DBT_WINDOW_ENV[1], "left-over")
    window = dbt_window_env("2025-03-01", "2025-03-03")
    assert window == {DBT_WINDOW_ENV[0]: "2025-03-01", DBT_WINDOW_ENV[1]: "2025-03-03"}
    with environment(window):
        assert os.environ[DBT_WINDOW_ENV[0]] == "2025-03-01"
        assert os.environ[DBT_WINDOW_ENV[1]] == "2025-03-03"
    assert DBT_WINDOW_ENV[0] not in os.environ
    assert os.environ[DBT_WINDOW_ENV[1]] == "left-over"
