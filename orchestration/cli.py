"""Command line: `python -m orchestration.cli run` builds the warehouse over every landed day.

`run` generates the sample exports when the landing root is empty, materialises every asset for every
day present under the landing root (one run, so the UI's run history shows it), publishes the marts and
prints a per-client KPI table read back from the published file. `erase` removes a customer from the
warehouse and the published files (orchestration/erasure.py); `compact` runs the weekly compaction now
(orchestration/maintenance.py).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import duckdb
import fsspec

from orchestration.locking import held_here, lock_path, writer_lock
from orchestration.resources import connect_warehouse
from orchestration.settings import Settings

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WRITER_LOCK_TAG = "cx/writer_lock"  # the lock a `cli run` holds: see fail_dead_runs


def landed_days(landing_root: str) -> list[str]:
    """Every `<source>/<YYYY-MM-DD>` folder under the landing root, as sorted distinct days."""
    fs, root = fsspec.core.url_to_fs(landing_root)
    if not fs.exists(root):
        return []
    days = {
        Path(path).name
        for source in fs.ls(root, detail=False)
        if fs.isdir(source)
        for path in fs.ls(source, detail=False)
        if DAY.match(Path(path).name)
    }
    return sorted(days)


def ensure_sample_data(settings: Settings) -> None:
    if landed_days(settings.landing_root):
        return
    if "://" in settings.landing_root:
        raise SystemExit(f"No exports under {settings.landing_root}; refusing to generate samples remotely.")
    from orchestration.sample_data import generate

    print(f"Landing root {settings.landing_root} is empty: generating the sample exports…")
    summary = generate(Path(settings.landing_root))
    print(f"  wrote {sum(summary['rows'].values()):,} records in {len(summary['rows'])} sources")


# Step-by-step DEBUG events stay in the run's event log (the UI); the terminal gets INFO and above.
CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def run_days(first: str, last: str):
    from dagster import DagsterInstance
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from orchestration.definitions import build_definitions

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    warehouse_dir = Settings.from_env().warehouse_dir
    lock = str(lock_path(warehouse_dir))
    if held_here(warehouse_dir):
        fail_dead_runs(instance, lock)
    # built now, not at import, so the settings are the environment's as of this call
    job = build_definitions().resolve_job_def("build_warehouse_job")
    return job.execute_in_process(
        instance=instance,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: first,
            ASSET_PARTITION_RANGE_END_TAG: last,
            WRITER_LOCK_TAG: lock,
        },
        run_config=CONSOLE_INFO,
        raise_on_error=False,
    )


def fail_dead_runs(instance, lock: str) -> None:
    """Mark failed the runs a killed `cli run` left started, and free their pool slots.

    Called under the writer lock, which a `cli run` holds for its whole run: a run of this warehouse still
    marked as started has lost its process. Its claim on the `warehouse` pool would otherwise block every
    later run's steps for good.
    """
    from dagster import DagsterRunStatus, RunsFilter

    stale = instance.get_runs(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED], tags={WRITER_LOCK_TAG: lock}
        )
    )
    for run in stale:
        instance.report_run_failed(run, message="Its process died; found by the next `cli run`.")
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        print(f"Run {run.run_id} had died mid-way: marked failed, its pool slots freed.", file=sys.stderr)


KPI_SQL = """
with service as (
    select client_id,
           sum(offered) as offered,
           sum(short_abandons) as short_abandons,
           sum(abandoned) as abandoned,
           sum(answered_within_target) as answered_within_target
    from marts.service_level_daily
    group by client_id
),
csat as (
    select client_id, sum(responses) as responses, sum(satisfied) as satisfied
    from marts.csat_daily
    group by client_id
),
interactions as ({interactions})
select
    coalesce(interactions.client_id, service.client_id) as client_id,
    interactions.interactions,
    100.0 * csat.satisfied / nullif(csat.responses, 0) as csat_pct,
    100.0 * service.answered_within_target / nullif(service.offered - service.short_abandons, 0)
        as service_level_pct,
    100.0 * (service.abandoned - service.short_abandons) / nullif(service.offered - service.short_abandons, 0)
        as abandonment_pct
from interactions
full join service on service.client_id = interactions.client_id
left join csat on csat.client_id = coalesce(interactions.client_id, service.client_id)
order by 1
"""


def kpi_rows(marts_path: Path) -> list[tuple]:
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        tables = {
            name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "fct_interactions" in tables:
            interactions = (
                "select client_id, count(*) as interactions from marts.fct_interactions "
                "where direction = 'inbound' group by client_id"
            )
        else:
            interactions = (
                "select client_id, sum(offered) as interactions from marts.service_level_daily group by 1"
            )
        return con.execute(KPI_SQL.format(interactions=interactions)).fetchall()
    finally:
        con.close()


def format_kpis(rows: list[tuple]) -> str:
    def pct(value):
        return "    n/a" if value is None else f"{value:6.1f}%"

    lines = [f"{'client':<14}{'interactions':>13}{'CSAT':>9}{'service lvl':>13}{'abandon':>10}"]
    for client_id, interactions, csat, service_level, abandonment in rows:
        lines.append(
            f"{client_id:<14}{interactions or 0:>13,}{pct(csat):>9}{pct(service_level):>13}{pct(abandonment):>10}"
        )
    return "\n".join(lines)


def failure_lines(result, limit: int = 20) -> list[str]:
    """Each failed step and why: a step's own failure description (a refusal names each file and its reason)
    in full, an exception's first line. Both are written free of raw values by the steps."""
    lines = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            message = data.user_failure_data.description.strip().splitlines()[:limit]
        else:
            error = data.error
            while error is not None and error.cause is not None and "DagsterExecutionStep" in error.cls_name:
                error = error.cause  # the step's own exception, not Dagster's wrapper
            message = (error.message if error else "failed").strip().splitlines()[:1]
        lines.append(f"  {event.step_key}: " + "\n    ".join(message))
    return lines


def cmd_run(args) -> int:
    settings = Settings.from_env()
    # Runs wait for each other here (see locking.py); a process outside the pipeline holding the warehouse
    # fails the run at once, before anything starts.
    with writer_lock(settings.warehouse_dir, label="cx run"):
        try:
            connect_warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit).close()
        except RuntimeError as error:
            print(f"Not started: {error}", file=sys.stderr)
            return 2
        return _run(args, settings)


def _run(args, settings: Settings) -> int:
    ensure_sample_data(settings)
    days = [
        day
        for day in landed_days(settings.landing_root)
        if (args.first is None or day >= args.first) and (args.last is None or day <= args.last)
    ]
    if not days:
        print(f"No export days under {settings.landing_root} in the range asked.", file=sys.stderr)
        return 1
    print(f"Building the warehouse for {len(days)} day(s): {days[0]} … {days[-1]}")
    started = time.perf_counter()
    result = run_days(days[0], days[-1])
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
        print(
            f"The run failed at: {', '.join(failed) or 'unknown step'} (run id {result.run_id}).",
            file=sys.stderr,
        )
        print("\n".join(failure_lines(result)), file=sys.stderr)
        return 1
    print(f"Run {result.run_id} succeeded in {elapsed:.1f} s.\n")
    print(format_kpis(kpi_rows(settings.marts_path)))
    print(f"\nPublished marts: {settings.marts_path}")
    print("Inspect lineage, checks and run history with `make dev` (http://127.0.0.1:3000).")
    return 0


def _execute_job(name: str):
    """A job of the code location, in process (the UI's run history shows it when DAGSTER_HOME is set)."""
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    return (
        build_definitions()
        .resolve_job_def(name)
        .execute_in_process(instance=instance, run_config=CONSOLE_INFO, raise_on_error=False)
    )


def cmd_docs(_args) -> int:
    result = _execute_job("build_docs_job")
    if result.success:
        print(f"dbt docs: {Settings.from_env().docs_dir / 'index.html'}")
    return 0 if result.success else 1


def cmd_compact(_args) -> int:
    """The weekly compaction now (`compact_warehouse_job`)."""
    result = _execute_job("compact_warehouse_job")
    if not result.success:
        print("\n".join(failure_lines(result)), file=sys.stderr)
        return 1
    report = result.output_for_node("compact_warehouse")
    rewritten = [entry for entry in report if entry["rewritten"]]
    for entry in rewritten:
        print(
            f"  {entry['table']}: {entry['dead_share']:.0%} deleted rows, rewritten in {entry['seconds']} s"
        )
    print(f"Compacted {len(rewritten)} of {len(report)} tables.")
    republished = result.output_for_node("republish_marts")
    if republished["bytes"]:
        print(
            f"Republished the marts file fresh: {republished['rows']:,} rows, {republished['bytes']:,} bytes, "
            f"{republished['seconds']} s."
        )
    else:
        print("No marts file published yet: nothing to republish.")
    return 0


def cmd_erase(args) -> int:
    from orchestration.erasure import ErasureError, erase
    from orchestration.privacy.person import AmbiguousIdentifier

    identifier = sys.stdin.readline().strip() if args.identifier == "-" else args.identifier
    try:
        erase(identifier, kind=args.kind, client_id=args.client, dry_run=args.dry_run)
    except (ErasureError, AmbiguousIdentifier) as error:
        print(f"Erasure failed: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cx", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="build the warehouse over every landed day and print KPIs")
    run.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first export day (a backfill)")
    run.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last export day")
    run.set_defaults(handler=cmd_run)
    commands.add_parser("docs", help="generate the dbt docs site as one static page").set_defaults(
        handler=cmd_docs
    )
    commands.add_parser(
        "compact",
        help="rewrite the warehouse tables that deleted rows left sparse, republish the marts file fresh "
        "(the weekly job, now)",
    ).set_defaults(handler=cmd_compact)
    erase = commands.add_parser(
        "erase",
        help="erase a customer: raw, quarantine, every derived table, the published files; audited",
        description=(
            "Remove every record of the person an identifier names from raw, quarantine and every derived "
            "table, rebuild the warehouse file and republish the marts (see orchestration/erasure.py)."
        ),
    )
    erase.add_argument(
        "identifier", help="a CRM customer id, e-mail or phone; '-' reads it from stdin (kept out of ps)"
    )
    erase.add_argument("--kind", choices=["crm", "email", "phone", "handle"], help="default: guessed")
    erase.add_argument("--client", help="client_id: needed when a CRM id exists at several clients")
    erase.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")
    erase.set_defaults(handler=cmd_erase)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
