"""dbt-duckdb plugin: registers the privacy and text functions on every dbt connection.

Listed in `dbt_project/profiles.yml`. It reads `CX_HASH_KEY` itself, so the key never passes through
dbt's Jinja context, compiled SQL, `target/` artifacts or logs. Functions it adds:
- `cx_hash(text)`: hex HMAC-SHA256 (temp macro, pure SQL, vectorised);
- `cx_redact(text, names varchar[])`: redacted text (Python UDF);
- `cx_redaction_key(text)`: cx_hash of the redaction's version and `text` (temp macro), the key under
  which staging reuses a redaction it already made for the same texts and names;
- `cx_sentiment(text)`: VADER compound score (Python UDF).

The UDFs are DuckDB's native (row-at-a-time) Python functions: measured at 1M interactions, a vectorised
`type='arrow'` variant costs the same (DuckDB 2.0's per-call overhead is ~0.15 µs), so their cost is the
Python work itself (see `privacy/redact.py`). With `CX_UDF_PROFILE=<file>` each UDF's calls and seconds
are written to that file when the dbt process exits (`benchmarks/daily_run.py` uses it).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import threading
import time

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.privacy import register_hash_macro
from orchestration.privacy.redact import REDACTION_VERSION, redact
from orchestration.settings import hash_key
from orchestration.text.sentiment import sentiment_score

PROFILE_ENV = "CX_UDF_PROFILE"
_profile: dict[str, list] = {}  # name → [calls, seconds]
_profile_guard = threading.Lock()


def _redact_udf(text: str | None, names: list[str | None] | None) -> str | None:
    return redact(text, names or ())


def _write_profile(path: str) -> None:
    profile = {name: {"calls": n, "seconds": round(seconds, 3)} for name, (n, seconds) in _profile.items()}
    with open(path, "w") as handle:
        json.dump(profile, handle)


def _profiled(name: str, function):
    """`function` counting its calls and time into the profile, when PROFILE_ENV is set (else unchanged)."""
    path = os.environ.get(PROFILE_ENV)
    if not path:
        return function
    with _profile_guard:
        if not _profile:
            atexit.register(_write_profile, path)
        entry = _profile.setdefault(name, [0, 0.0])

    @functools.wraps(function)  # DuckDB reads the parameter count from the signature
    def wrapper(*args):
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    return wrapper


def register_macros(con) -> None:
    """The temp macros (cx_hash, cx_redaction_key): per connection and per cursor."""
    register_hash_macro(con, hash_key())
    con.execute(
        "create or replace temp macro cx_redaction_key(value) as "
        f"cx_hash('redaction {int(REDACTION_VERSION)}' || chr(31) || value)"
    )


def register_functions(con) -> None:
    """Add cx_hash, cx_redaction_key, cx_redact and cx_sentiment to a DuckDB connection (idempotent).

    The macros are TEMP, so they are created on every connection and cursor; Python UDFs live in the
    database instance's catalog, which cursors share, so they are created once (`Plugin.configure_cursor`
    adds only the macros).
    """
    register_macros(con)
    existing = {
        name
        for (name,) in con.execute(
            "select distinct function_name from duckdb_functions() "
            "where function_name in ('cx_redact', 'cx_sentiment')"
        ).fetchall()
    }
    for name, function, params, returns in (
        ("cx_redact", _redact_udf, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
        ("cx_sentiment", sentiment_score, ["VARCHAR"], "DOUBLE"),
    ):
        if name not in existing:
            con.create_function(
                name, _profiled(name, function), params, returns, null_handling="special", side_effects=False
            )


class Plugin(BasePlugin):
    """dbt-duckdb calls `configure_connection` once on the database's root connection, then
    `configure_cursor` on each node's cursor of it (measured at day 30 of 100k interactions a day: looking
    the UDFs up in `duckdb_functions()` on every cursor made the 249 data tests' SQL 6.1 s of thread time,
    2.2 s without it)."""

    def configure_connection(self, conn) -> None:
        register_functions(conn)

    def configure_cursor(self, cursor):
        register_macros(cursor)
        return cursor
