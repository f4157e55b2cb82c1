"""Alert delivery: new rows of `marts.alerts` go to the log and, when configured, to a webhook as JSON.

Each alert is delivered once: a delivery is recorded in `ops.alert_deliveries` only after the webhook
accepted it, so a failed delivery is retried (with backoff now, and again on the next run) and a delivered
one is never sent twice. The payload carries keys, types and counts only — no customer identifiers, no text.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

PAYLOAD_COLUMNS = (
    "alert_id",
    "alert_type",
    "severity",
    "client_id",
    "channel",
    "interaction_id",
    "agent_id",
    "occurred_at",
    "detail",
)
BATCH_SIZE = 200

# No primary key on alert_id: an alert is recorded only when absent from the table (the anti join of
# `_pending_rows`, under the writer lock), and the key's index made recording a day's deliveries cost more
# as they accumulate (measured on the 400k alerts of a 1M-interaction day, over 615k earlier deliveries:
# 0.85 s with the key, 0.19 s without).
DELIVERIES_DDL = """
create schema if not exists ops;
create table if not exists ops.alert_deliveries (
    alert_id varchar not null,
    delivered_at timestamp not null,
    target varchar not null
);
create table if not exists ops.alert_delivery_watermark (built_at timestamp not null);
"""


def _ensure_deliveries_table(con) -> None:
    """DELIVERIES_DDL, and a table created with the former primary key rebuilt without it (same rows)."""
    con.execute(DELIVERIES_DDL)
    (keyed,) = con.execute(
        "select count(*) from duckdb_constraints() where database_name = current_database() "
        "and schema_name = 'ops' and table_name = 'alert_deliveries' and constraint_type = 'PRIMARY KEY'"
    ).fetchone()
    if keyed:
        con.execute("begin")
        con.execute("alter table ops.alert_deliveries rename to alert_deliveries_keyed")
        con.execute(DELIVERIES_DDL)
        con.execute("insert into ops.alert_deliveries select * from ops.alert_deliveries_keyed")
        con.execute("drop table ops.alert_deliveries_keyed")
        con.execute("commit")


class DeliveryError(RuntimeError):
    pass


def _jsonable(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _pending_rows(con) -> tuple[list[str], list[tuple], datetime | None]:
    """Alerts in `marts.alerts` not yet delivered, oldest first, as rows of the payload columns the table
    has, and the newest `_built_at` read before them (None without that column): once every one of them is
    delivered, it becomes the watermark.

    Every alert built at or before the watermark was delivered by the run that set it, so only newer ones
    are compared with the deliveries: the comparison follows the day's alerts, not the history's.
    """
    _ensure_deliveries_table(con)
    available = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'alerts'"
        ).fetchall()
    }
    columns = [column for column in PAYLOAD_COLUMNS if column in available]
    newest, newer, parameters = None, "", []
    if "_built_at" in available:
        (newest,) = con.execute("select max(_built_at) from marts.alerts").fetchone()
        (watermark,) = con.execute("select max(built_at) from ops.alert_delivery_watermark").fetchone()
        if watermark is not None:
            newer, parameters = "where alerts._built_at > ?", [watermark]
    rows = con.execute(
        f"select {', '.join('alerts.' + column for column in columns)} from marts.alerts as alerts "
        "anti join ops.alert_deliveries as delivered on delivered.alert_id = alerts.alert_id "
        f"{newer} order by alerts.occurred_at, alerts.alert_id",
        parameters,
    ).fetchall()
    return columns, rows, newest


def _payload(columns: list[str], rows: list[tuple]) -> list[dict]:
    return [{column: _jsonable(value) for column, value in zip(columns, row, strict=True)} for row in rows]


def _advance_watermark(con, built_at) -> None:
    """Everything built up to `built_at` is delivered: later runs compare only newer alerts."""
    if built_at is not None:
        con.execute("delete from ops.alert_delivery_watermark")
        con.execute("insert into ops.alert_delivery_watermark values (?)", [built_at])


def post_json(
    url: str, payload: dict, *, attempts: int = 4, backoff_seconds: float = 0.5, timeout: float = 10
) -> None:
    """POST with exponential backoff on network errors and 5xx/429; other 4xx fail at once."""
    body = json.dumps(payload).encode()
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code != 429:
                raise DeliveryError(f"webhook refused the alerts: HTTP {error.code}") from error
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = str(error)
        if attempt == attempts:
            raise DeliveryError(f"webhook unreachable after {attempts} attempts: {reason}")
        time.sleep(backoff_seconds * 2 ** (attempt - 1))


ALERT_LOG = logging.getLogger("cx.alerts")


def deliver_alerts(
    con, webhook_url: str | None, *, post: Callable[[str, dict], None] = post_json
) -> dict[str, int]:
    """Log every pending alert to `cx.alerts`, post them in batches, record each batch once accepted."""
    log = ALERT_LOG
    columns, rows, newest = _pending_rows(con)
    column = {name: position for position, name in enumerate(columns)}
    ids, types = column["alert_id"], column["alert_type"]
    by_type = Counter(row[types] for row in rows)
    if log.isEnabledFor(logging.INFO):  # formatted only for a log that keeps them (≈ 3 × 10^5 at 1M a day)
        severity, client, detail = column["severity"], column["client_id"], column.get("detail")
        for row in rows:
            log.info(
                "alert %s [%s] client=%s: %s",
                row[types],
                row[severity],
                row[client],
                None if detail is None else row[detail],
            )
    target = webhook_url or "log"
    # each webhook batch is recorded once accepted; logged alone, they are recorded in one statement
    size = BATCH_SIZE if webhook_url else max(len(rows), 1)
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        if webhook_url:
            post(webhook_url, {"source": "cx-warehouse", "alerts": _payload(columns, batch)})
        # One statement per batch: DuckDB's executemany runs a statement per row (~0.5 ms each, minutes
        # for the ~10^5 alerts of a million-interaction day); unnest of a list parameter takes ~4 µs a row.
        con.execute(
            "insert into ops.alert_deliveries "
            "select alert_id, current_timestamp, ? from unnest(?::varchar[]) as delivered(alert_id)",
            [target, [row[ids] for row in batch]],
        )
    _advance_watermark(con, newest)  # only now: a failed batch above leaves its alerts pending
    return {"delivered": len(rows), **{f"type:{name}": count for name, count in sorted(by_type.items())}}
