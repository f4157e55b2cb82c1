"""The benchmark's targets table: a full rebuild that did not complete is a missed target, not "n/a"."""

from benchmarks.daily_run import evaluate_targets, parse_args

REBUILD = "full rebuild under a 4 GB DuckDB limit completes"


def rebuild_target(results: dict) -> dict:
    args = parse_args(["--stages", "full_rebuild", "--full-rebuild-days", "30"])
    return next(row for row in evaluate_targets(results, args) if row["target"] == REBUILD)


def test_a_rebuild_that_failed_is_missed_with_its_error():
    failed = rebuild_target(
        {"figures": {}, "errors": {"full_rebuild": "benchmark task build failed (exit 1)\n..."}}
    )
    assert failed["met"] is False
    assert failed["note"] == "benchmark task build failed (exit 1)"


def test_a_rebuild_that_passed_is_met_and_one_not_run_is_not_judged():
    figure = {"median": 974.2, "interactions": 30_000_000, "failures": []}
    passed = rebuild_target({"figures": {"full_rebuild.dbt_build": figure}, "errors": {}})
    assert passed["met"] is True
    assert passed["note"] == "30,000,000 interactions, 974 s"
    assert rebuild_target({"figures": {}, "errors": {}})["met"] is None
