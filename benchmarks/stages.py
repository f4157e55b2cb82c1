"""The benchmark's tasks, each run in a child process by `benchmarks.worker` (settings come from the env).

- `generate_day`: a one-day window of N interactions (timing only; written to a scratch folder, removed);
- `generate_world`: the world's days (`world.py`);
- `build`: land days and run one `dbt build` over them (history, the growth run's first day, full rebuild);
- `daily_run`: what `build_warehouse_job` does for one partition, through the raw functions: ingest and
  validate each source, `dbt build` with the day as its window (in the environment), publish, deliver alerts;
- `dagster_run`: the same partition through Dagster (`execute_in_process`), to show orchestration overhead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from orchestration.settings import DBT_DAILY_BUILD_ARGS, DBT_PROJECT_DIR, Settings, dbt_window_env

TOP_MODELS = 40
# Another copy of the dbt project to benchmark (a proposed change) with the raw-function path; the
# profile stays the project's own. Dagster always runs the project its definitions load.
PROJECT_ENV = "CX_BENCH_DBT_PROJECT_DIR"


def _dbt_summary(target: Path) -> dict:
    """Status counts, seconds by resource type and the slowest models, from dbt's run_results.json."""
    results = json.loads((target / "run_results.json").read_text())
    nodes = results["results"]
    statuses: dict[str, int] = {}
    seconds_by_type: dict[str, float] = {}
    for node in nodes:
        statuses[node["status"]] = statuses.get(node["status"], 0) + 1
        kind = node["unique_id"].split(".", 1)[0]
        seconds_by_type[kind] = seconds_by_type.get(kind, 0.0) + node["execution_time"]
    models = sorted(
        (node for node in nodes if node["unique_id"].startswith("model.")),
        key=lambda node: -node["execution_time"],
    )
    failures = [
        f"{node['unique_id']}: {(node.get('message') or '')[:200]}"
        for node in nodes
        if node["status"] in ("error", "fail")
    ]
    return {
        "dbt_elapsed_seconds": results.get("elapsed_time"),
        "statuses": statuses,
        "node_seconds_by_type": {kind: round(value, 2) for kind, value in seconds_by_type.items()},
        "top_models": [
            {"model": node["unique_id"].split(".")[-1], "seconds": round(node["execution_time"], 2)}
            for node in models[:TOP_MODELS]
        ],
        "failures": failures,
    }


def dbt_target(work: Path) -> Path:
    """The benchmark's own dbt target folder in a run folder: partial parsing stays warm there, and the
    publish reads the mart keys from the manifest the last dbt run wrote into it."""
    return work / "dbt_target"


def run_dbt(args: list[str], work: Path, window: tuple[str, str] | None, entry: dict) -> None:
    """`dbt <args>` as the Dagster asset runs it (the dbt CLI, a subprocess, the export-day window in its
    environment); adds its summary to `entry`."""
    target, profile = dbt_target(work), work / "udf_profile.json"
    project = os.environ.get(PROJECT_ENV) or str(DBT_PROJECT_DIR)
    profile.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--project-dir",
        project,
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),  # the benchmark's own: partial parsing stays warm, the project's target/ untouched
        "--log-path",
        str(work / "dbt_logs"),
    ]
    with (work / "dbt_stdout.log").open("a") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        code = subprocess.run(
            command,
            env={**os.environ, **(dbt_window_env(*window) if window else {}), "CX_UDF_PROFILE": str(profile)},
            stdout=log,
            stderr=log,
        )
    entry["exit_code"] = code.returncode
    if not (target / "run_results.json").exists():
        raise RuntimeError(f"dbt {args[0]} produced no run_results.json (exit {code.returncode})")
    entry.update(_dbt_summary(target))
    # the next invocation's must be its own; the last one stays beside it for a closer look
    (target / "run_results.json").replace(work / "last_run_results.json")
    if profile.exists():
        entry["udf_profile"] = json.loads(profile.read_text())
    if code.returncode != 0:  # a failed build is no figure: the task fails, the stage reports why
        raise RuntimeError(
            f"dbt {args[0]} failed (exit {code.returncode}), statuses {entry['statuses']}: "
            + "; ".join(entry["failures"][:5])
            + f" (log: {work / 'dbt_logs' / 'dbt.log'})"
        )


def _connect(settings: Settings):
    from orchestration.resources import connect_warehouse

    return connect_warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit)


def ingest_and_validate(settings: Settings, day: str, rec) -> None:
    """Each source's partition: `land_partition` (read, row rules, quarantine), then the check's suite."""
    with rec.stage("import_ingest"):  # what the naive path's pandas + GX import compares with
        from orchestration.checks.ingest_checks import quarantine_counts, unexpected_counts
        from orchestration.ingest.files import local_export_files
        from orchestration.ingest.land import land_partition
        from orchestration.ingest.schemas import SOURCES

    con = _connect(settings)
    try:
        for name, source in SOURCES.items():
            with rec.stage(f"ingest.{name}") as entry:
                with local_export_files(settings.landing_root, name, day) as files:
                    report = land_partition(con, name, day, files)
                entry.update(
                    status=report.status,
                    files=len(report.files),
                    bytes=report.bytes,
                    rows_landed=report.rows_landed,
                    rows_quarantined=report.rows_quarantined,
                    files_refused=len(report.refused),
                )
            with rec.stage(f"validate.{name}") as entry:
                unexpected = unexpected_counts(con, source, [day])
                quarantined = quarantine_counts(con, source, [day])
                entry.update(unexpected=sum(unexpected.values()), quarantined=sum(quarantined.values()))
    finally:
        con.close()


def publish(settings: Settings, rec, work: Path) -> None:
    """As the pipeline publishes, with the mart keys of the manifest the benchmark's own dbt run just wrote
    (the project's target/ may have none, or an older project's: the publish would then copy every table)."""
    from orchestration.publish import mart_unique_keys, publish_marts

    manifest = dbt_target(work) / "manifest.json"
    keys = mart_unique_keys(manifest)
    if not keys:
        raise RuntimeError(f"No mart unique keys in {manifest}: the publish would copy every table whole.")
    with rec.stage("publish") as entry:
        how: dict[str, str] = {}
        started_from: dict[str, str] = {}
        counts = publish_marts(
            settings.warehouse_path,
            settings.marts_path,
            work_dir=settings.warehouse_dir / "tmp",
            keys=keys,
            report=how,
            file_report=started_from,
            memory_limit=settings.duckdb_memory_limit,
        )
        entry.update(
            tables=len(counts),
            rows=sum(counts.values()),
            bytes=settings.marts_path.stat().st_size,
            patched=sum(mode.startswith("patched") for mode in how.values()),
            how=how,
            started_from=started_from.get("started_from"),
        )


def deliver(settings: Settings, rec) -> None:
    from orchestration.alerts import deliver_alerts

    with rec.stage("alerts") as entry:
        con = _connect(settings)
        try:
            entry.update(deliver_alerts(con, None))
        finally:
            con.close()


def daily_run(params: dict, rec) -> None:
    settings, day, work = Settings.from_env(), params["day"], Path(params["work"])
    ingest_and_validate(settings, day, rec)
    with rec.stage("dbt_build") as entry:
        from orchestration.publish import copy_ahead

        copy_ahead(settings.marts_path, settings.warehouse_dir / "tmp")  # as the Dagster dbt step does
        run_dbt(list(DBT_DAILY_BUILD_ARGS), work, (day, day), entry)
    publish(settings, rec, work)
    deliver(settings, rec)


def compact(params: dict, rec) -> None:
    """The weekly compaction (`compact_warehouse_job`'s work) on the warehouse as it stands: its tables,
    then the published marts file republished fresh."""
    from orchestration.maintenance import compact_tables, republish_fresh

    settings = Settings.from_env()
    with rec.stage("compact") as entry:
        con = _connect(settings)
        try:
            report = compact_tables(con)
        finally:
            con.close()
        rewritten = [item for item in report if item["rewritten"]]
        marts_stored, marts_live = _stored_and_live(settings.marts_path)
        republished = republish_fresh(
            settings.warehouse_path,
            settings.marts_path,
            settings.warehouse_dir / "tmp",
            None,
            memory_limit=settings.duckdb_memory_limit,
        )
        entry.update(
            stored_rows=sum(item["stored_rows"] for item in report),
            live_rows=sum(item["live_rows"] for item in report),
            tables_rewritten={item["table"]: item["seconds"] for item in rewritten},
            marts_stored_rows=marts_stored,
            marts_live_rows=marts_live,
            republish_seconds=republished["seconds"],
        )


def _stored_and_live(path: Path) -> tuple[int, int]:
    """Rows the file's tables store (deleted ones included) and their live rows; (0, 0) without a file."""
    import duckdb

    from orchestration.maintenance import stored_and_live

    if not path.exists():
        return 0, 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        return stored_and_live(con)
    finally:
        con.close()


def build(params: dict, rec) -> None:
    """Land `days` (may be empty), then one `dbt build` (window vars, or a full refresh without them)."""
    from orchestration.ingest.land import land_all

    settings, work, days = Settings.from_env(), Path(params["work"]), params["days"]
    if days:
        with rec.stage("ingest", days=len(days)) as entry:
            con = _connect(settings)
            try:
                reports = land_all(con, settings.landing_root, days=days)
            finally:
                con.close()
            entry["rows_landed"] = sum(report.rows_landed for report in reports)
    with rec.stage("dbt_build", memory_limit=settings.duckdb_memory_limit) as entry:
        if params.get("full_refresh"):
            run_dbt([*DBT_DAILY_BUILD_ARGS, "--full-refresh"], work, None, entry)
        else:
            run_dbt(list(DBT_DAILY_BUILD_ARGS), work, (days[0], days[-1]), entry)
    if params.get("publish"):  # as that day's run would have: the next run delivers only its own alerts
        publish(settings, rec, work)
        deliver(settings, rec)


def _manifest_stale() -> bool:
    """Dagster loads dbt_project/target/manifest.json: stale when a model, macro, seed or yml is newer."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for folder in ("models", "macros", "seeds", "tests"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.suffix in (".sql", ".yml", ".csv") and path.stat().st_mtime > built:
                return True
    return (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime > built


def dagster_run(params: dict, rec) -> None:
    """`build_warehouse_job` for one partition, in process, on an ephemeral instance."""
    if _manifest_stale():
        with rec.stage("dbt_parse_manifest"):  # what `make install` does; not part of the run
            subprocess.run(
                [str(Path(sys.executable).parent / "dbt"), "parse", "--profiles-dir", ".", "--quiet"],
                cwd=DBT_PROJECT_DIR,
                check=True,
            )
    with rec.stage("dagster.import_definitions"):
        from dagster import DagsterInstance

        from orchestration.definitions import defs

        job = defs.resolve_job_def("build_warehouse_job")
    instance = DagsterInstance.ephemeral()
    with rec.stage("dagster.execute_in_process") as entry:
        result = job.execute_in_process(partition_key=params["day"], instance=instance, raise_on_error=False)
        entry["success"] = result.success
    steps = {}
    for stat in instance.get_run_step_stats(result.run_id):
        if stat.start_time and stat.end_time:
            steps[stat.step_key] = {"seconds": stat.end_time - stat.start_time, "status": str(stat.status)}
    rec.extra["dagster_steps"] = steps


def generate_day(params: dict, rec) -> None:
    """A one-day window of N interactions with its surveys, QA, CRM and roster records (timing only)."""
    from benchmarks.world import WorldSpec
    from orchestration.sample_data import generate

    spec = WorldSpec(params["interactions"], 1, start=date.fromisoformat(params["start"]))
    folder = Path(tempfile.mkdtemp(prefix="cx-bench-day-", dir=params["scratch"]))
    try:
        with rec.stage("generate") as entry:
            summary = generate(
                folder,
                seed=spec.seed,
                start=spec.start,
                days=1,
                interactions_per_day=spec.interactions,
                customers=spec.customers,
                agents=spec.agents,
            )
            entry["rows"] = summary["rows"]
            entry["interactions"] = sum(summary["interactions"].values())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def generate_world(params: dict, rec) -> None:
    from benchmarks.world import WorldSpec, generate_world

    spec = WorldSpec.from_params(params)
    with rec.stage("generate_world") as entry:
        entry.update(generate_world(spec, Path(params["landing"])))


TASKS = {
    "generate_day": generate_day,
    "generate_world": generate_world,
    "build": build,
    "daily_run": daily_run,
    "dagster_run": dagster_run,
    "compact": compact,
}
