"""Export freshness: a client platform that stops sending a source shows up as a failed check.

For every source, each client's newest landed export day is compared with the newest export day landed
for any source and client (the warehouse's "as of"), so a silent platform stands out even when the whole
pipeline is behind the calendar (sample data, a backfill). Allowed lags differ by source: interaction
exports arrive daily, CRM and roster deltas only when something changed.
"""

import os
from datetime import date, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    FreshnessPolicy,
    MetadataValue,
    asset_check,
)

from orchestration.ingest.schemas import SOURCES, Source
from orchestration.resources import WarehouseResource

# Days a client may go without delivering the source before the check warns (then errors at twice that).
MAX_LAG_DAYS: dict[str, int] = {
    "voice_calls": 1,
    "chat_sessions": 1,
    "email_tickets": 1,
    "social_mentions": 2,
    "voice_surveys": 2,
    "nps_responses": 3,
    "qa_evaluations": 3,
    "crm_customers": 7,
    "agents": 14,
}
LAG_ENV = "CX_FRESHNESS_MAX_LAG_DAYS"  # one number overriding every source's lag

# The pipeline itself: a raw asset not materialised for 26 h warns, 48 h fails (shown in the UI).
INGEST_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)


def max_lag_days(source: str) -> int:
    override = os.environ.get(LAG_ENV)
    return int(override) if override else MAX_LAG_DAYS[source]


def client_lags(con, source: Source) -> tuple[date | None, dict[str, int]]:
    """The warehouse's newest export day, and per client the days since its newest export of the source."""
    landed = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name in (" + ", ".join(f"'{name}'" for name in SOURCES) + ")"
        ).fetchall()
    ]
    if source.name not in landed:
        return None, {}
    newest_sql = " union all ".join(f"select max(_export_date) as day from raw.{name}" for name in landed)
    (as_of,) = con.execute(f"select max(day) from ({newest_sql})").fetchone()
    rows = con.execute(
        f"select client_id, date_diff('day', max(_export_date), ?::date) from {source.table} "
        "where client_id is not null group by client_id order by client_id",
        [as_of],
    ).fetchall()
    return as_of, dict(rows)


def evaluate_freshness(con, source: Source) -> AssetCheckResult:
    """Pass when no client is more than the source's allowed lag behind; WARN past it, ERROR past twice it."""
    limit = max_lag_days(source.name)
    as_of, lags = client_lags(con, source)
    late = {client: lag for client, lag in lags.items() if lag > limit}
    metadata = {
        "as_of": MetadataValue.text(str(as_of)),
        "max_lag_days": limit,
        "lag_days_by_client": MetadataValue.json(lags),
    }
    if not lags:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            metadata=metadata,
            description=f"No {source.name} export has landed yet.",
        )
    if late:
        worst = max(late.values())
        severity = AssetCheckSeverity.ERROR if worst > 2 * limit else AssetCheckSeverity.WARN
        listed = ", ".join(f"{client} ({lag} d)" for client, lag in sorted(late.items()))
        return AssetCheckResult(
            passed=False,
            severity=severity,
            metadata=metadata,
            description=f"Stale {source.name} exports, days behind {as_of}: {listed}.",
        )
    return AssetCheckResult(
        passed=True,
        metadata=metadata,
        description=f"Every client's {source.name} export is current as of {as_of}.",
    )


def _freshness_check(source: Source) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["raw", source.name]),
        name="export_freshness",
        description=(
            f"Every client's newest `{source.name}` export is at most {MAX_LAG_DAYS[source.name]} day(s) behind "
            f"the newest export landed for any source (override with {LAG_ENV})."
        ),
        pool="warehouse",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.connect() as con:
            return evaluate_freshness(con, source)

    return _check


freshness_checks: list[AssetChecksDefinition] = [_freshness_check(source) for source in SOURCES.values()]
