"""The benchmark's full rebuild and reload stages on a tiny world: the reload loads the day after the
rebuilt days as a daily run (new files landed, the rebuild's published file patched); with several
repeats it puts the rebuilt warehouse back afterwards, with one it keeps the day and refuses to load it
twice (no timing assertions)."""

from pathlib import Path

import duckdb
import pytest
from bench_helpers import run_benchmark


def bench(tmp_path: Path, stages: str, repeats: int, exit_code: int = 0) -> dict:
    args = [
        "--stages",
        stages,
        "--full-rebuild-days",
        "2",
        "--interactions",
        "3000",
        "--repeats",
        str(repeats),
    ]
    out = tmp_path / f"results-{stages}-{repeats}.json"
    return run_benchmark(args, tmp_path / "work", out, exit_code)[0]


def days_landed(tmp_path: Path) -> int:
    con = duckdb.connect(
        str(tmp_path / "work" / "runs" / "full_rebuild" / "warehouse.duckdb"), read_only=True
    )
    try:
        return con.execute("select count(distinct export_date) from raw._landed_files").fetchone()[0]
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_reload_loads_the_day_after_the_rebuilt_days(tmp_path):
    results = bench(tmp_path, "full_rebuild,reload", repeats=2)
    assert not results["errors"], results["errors"]
    figures = results["figures"]
    rebuild = figures["full_rebuild.dbt_build"]
    assert rebuild["interactions"] == 2 * 3000  # the two rebuilt days, not the reload's third
    assert not rebuild["failures"]
    assert results["worlds"]["full_rebuild"]["spec"]["days"] == 3  # generated: the two, and the reload's
    assert len(figures["reload.day3.daily_run"]["runs"]) == 2

    for run in results["raw_runs"]["reload"]:
        stages = {stage["name"]: stage for stage in run["stages"]}
        # the third day's own files, landed for the first time in each repeat (not a forced reload)
        landed = [stage for name, stage in stages.items() if name.startswith("ingest.")]
        assert landed and all(stage["status"] == "landed" for stage in landed), landed
        assert sum(stage["rows_landed"] for stage in landed) > 0
        # the rebuild published, so the day patched that file as every day does
        assert stages["publish"]["patched"] > 0, stages["publish"]["how"]
        assert stages["publish"]["started_from"].startswith("the published file"), stages["publish"]

    # afterwards the run folder holds the rebuilt warehouse again, and the snapshot is gone
    assert days_landed(tmp_path) == 2
    assert not list((tmp_path / "work" / "snapshots").glob("full-rebuild*"))

    # one repeat: no snapshot, the day stays loaded, and loading it again is refused, not mismeasured
    once = bench(tmp_path, "reload", repeats=1)
    assert not once["errors"], once["errors"]
    assert once["figures"]["reload.day3.daily_run"]["median"] > 0
    assert days_landed(tmp_path) == 3
    again = bench(tmp_path, "reload", repeats=1, exit_code=1)  # a stage that did not complete fails the run
    assert "already loaded" in again["errors"]["reload"]
    assert "reload.day3.daily_run" not in again["figures"]
