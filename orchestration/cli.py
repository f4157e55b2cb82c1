"""Command line: `python -m orchestration.cli run` builds the warehouse over every landed day.

`run` generates the sample exports when the landing root is empty, materialises every asset for every
day present under the landing root (one run, so the UI's run history shows it), publishes the marts and
prints a per-client KPI table read back from the published file.
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

from orchestration.settings import Settings

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def run_days(first: str, last: str):
    from dagster import DagsterInstance
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from orchestration.definitions import build_definitions

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    # built now, not at import, so the settings are the environment's as of this call
    job = build_definitions().resolve_job_def("build_warehouse_job")
    return job.execute_in_process(
        instance=instance,
        tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last},
        raise_on_error=False,
    )


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
        tables = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
        if "fct_interactions" in tables:
            interactions = (
                "select client_id, count(*) as interactions from marts.fct_interactions "
                "where direction = 'inbound' group by client_id"
            )
        else:
            interactions = "select client_id, sum(offered) as interactions from marts.service_level_daily group by 1"
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


def cmd_run(args) -> int:
    settings = Settings.from_env()
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
        print(f"The run failed at: {', '.join(failed) or 'unknown step'} (run id {result.run_id}).", file=sys.stderr)
        return 1
    print(f"Run {result.run_id} succeeded in {elapsed:.1f} s.\n")
    print(format_kpis(kpi_rows(settings.marts_path)))
    print(f"\nPublished marts: {settings.marts_path}")
    print("Inspect lineage, checks and run history with `make dev` (http://127.0.0.1:3000).")
    return 0


def cmd_docs(_args) -> int:
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    result = build_definitions().resolve_job_def("build_docs_job").execute_in_process(instance=instance, raise_on_error=False)
    if result.success:
        print(f"dbt docs: {Settings.from_env().docs_dir / 'index.html'}")
    return 0 if result.success else 1


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
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
