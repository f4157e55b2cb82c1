"""One asset check per raw source: its GX suite over the landed partition, plus what was quarantined.

The check reports counts per rule and expectation, never a value (raw rows hold PII). By default the
suite runs compiled to DuckDB SQL (`gx_sql.py`, well under a second per million rows); with the check's
config `engine: gx_pandas` GX 1.x itself runs on pandas (seconds per million rows, plus a 4 s import).
"""

import time
from typing import Literal

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    Config,
    MetadataValue,
    asset_check,
)

from orchestration.ingest import gx_sql, gx_suites
from orchestration.ingest.schemas import SOURCES, Source
from orchestration.ingest.sql import quote
from orchestration.resources import WarehouseResource

Engine = Literal["duckdb_sql", "gx_pandas"]


class IngestCheckConfig(Config):
    engine: Engine = "duckdb_sql"


def _days_filter(days: list[str]) -> str:
    if not days:
        return "false"
    return "_export_date in (" + ", ".join(f"{quote(day)}::DATE" for day in days) + ")"


def unexpected_counts(con, source: Source, days: list[str], engine: Engine = "duckdb_sql") -> dict[str, int]:
    """rule → unexpected count of the source's suite over the landed rows of `days`."""
    if engine == "gx_pandas":
        frame = con.execute(f"select * from {source.table} where {_days_filter(days)}").df()
        return gx_suites.validate_with_gx(source, frame)
    return gx_sql.validate_with_sql(con, source, _days_filter(days))


def quarantine_counts(con, source: Source, days: list[str]) -> dict[str, int]:
    """failed rule → quarantined rows of `days` (a row failing two rules counts under both)."""
    rows = con.execute(
        f"select rule, count(*) from (select unnest(failed_rules) as rule from quarantine.{source.name} "
        f"where {_days_filter(days)}) group by rule order by rule"
    ).fetchall()
    return dict(rows)


def time_validation_engines(con, source_name: str, day: str) -> dict[str, tuple[float, int]]:
    """Seconds (and unexpected values found) of each way to run the suite over one landed day (benchmark)."""
    source, timings, started = SOURCES[source_name], {}, time.perf_counter()
    counts = unexpected_counts(con, source, [day], "duckdb_sql")
    timings["DuckDB SQL (compiled suite)"] = (time.perf_counter() - started, sum(counts.values()))
    started = time.perf_counter()
    import great_expectations  # noqa: F401

    timings["GX import"] = (time.perf_counter() - started, 0)
    started = time.perf_counter()
    frame = con.execute(f"select * from {source.table} where {_days_filter([day])}").df()
    timings["fetch to pandas"] = (time.perf_counter() - started, 0)
    started = time.perf_counter()
    counts = gx_suites.validate_with_gx(source, frame)
    timings["GX 1.x on pandas"] = (time.perf_counter() - started, sum(counts.values()))
    return timings


def _newest_day(con, source: Source) -> list[str]:
    try:
        newest = con.execute(f"select max(_export_date)::VARCHAR from {source.table}").fetchone()[0]
    except duckdb.CatalogException:
        return []
    return [newest] if newest else []


def _check_result(con, source: Source, days: list[str], engine: Engine) -> AssetCheckResult:
    started = time.perf_counter()
    tables = {
        name
        for (name,) in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    }
    if source.table not in tables:
        return AssetCheckResult(
            passed=False, description=f"{source.table} does not exist yet: nothing landed."
        )
    rows = con.execute(f"select count(*) from {source.table} where {_days_filter(days)}").fetchone()[0]
    unexpected = unexpected_counts(con, source, days, engine)
    quarantined = quarantine_counts(con, source, days) if f"quarantine.{source.name}" in tables else {}
    quarantined_rows = (
        con.execute(f"select count(*) from quarantine.{source.name} where {_days_filter(days)}").fetchone()[0]
        if quarantined
        else 0
    )
    failed = {rule: n for rule, n in unexpected.items() if n}
    metadata = {
        "days": MetadataValue.text(
            ", ".join(days) if len(days) <= 7 else f"{days[0]} … {days[-1]} ({len(days)})"
        ),
        "engine": engine,
        "rows_checked": rows,
        "expectations": len(unexpected),
        "expectations_failed": len(failed),
        "unexpected_by_expectation": MetadataValue.json(failed),
        "rows_quarantined": quarantined_rows,
        "quarantined_by_rule": MetadataValue.json(quarantined),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if failed:
        description = (
            f"Landed rows break {len(failed)} expectation(s) of raw.{source.name}: {', '.join(failed)}."
        )
        return AssetCheckResult(
            passed=False, severity=AssetCheckSeverity.ERROR, metadata=metadata, description=description
        )
    if quarantined_rows:
        top = ", ".join(
            f"{rule} ×{n}" for rule, n in sorted(quarantined.items(), key=lambda item: -item[1])[:3]
        )
        description = (
            f"{quarantined_rows} row(s) quarantined in quarantine.{source.name} ({top}); landed rows pass."
        )
        return AssetCheckResult(
            passed=False, severity=AssetCheckSeverity.WARN, metadata=metadata, description=description
        )
    return AssetCheckResult(passed=True, metadata=metadata, description=f"{rows} landed rows pass the suite.")


def _ingest_check(source: Source) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["raw", source.name]),
        name="raw_contract",
        description=(
            f"The GX suite of raw.{source.name} (required, types, unique ids, ranges, enums, timestamp "
            "order, non-negative durations) over the landed partition; warns when rows were quarantined."
        ),
        pool="warehouse",
    )
    def _check(context: AssetCheckExecutionContext, config: IngestCheckConfig, warehouse: WarehouseResource):
        # Unpartitioned (partitioned checks are a preview feature): it checks the days of the run it is
        # part of, or, run on its own, the newest landed day.
        partitioned = context.has_partition_key or context.has_partition_key_range
        with warehouse.connect() as con:
            days = list(context.partition_keys) if partitioned else _newest_day(con, source)
            return _check_result(con, source, days, config.engine)

    return _check


ingest_asset_checks: list[AssetChecksDefinition] = [_ingest_check(source) for source in SOURCES.values()]
