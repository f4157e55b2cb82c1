"""dbt-duckdb plugin: registers the privacy and text functions on every dbt connection.

Listed in `dbt_project/profiles.yml`. It reads `CX_HASH_KEY` itself, so the key never passes through
dbt's Jinja context, compiled SQL, `target/` artifacts or logs. Functions it adds:
- `cx_hash(text)`: hex HMAC-SHA256 (temp macro, pure SQL, vectorised);
- `cx_redact(text, names varchar[])`: redacted text (Python UDF);
- `cx_sentiment(text)`: VADER compound score (Python UDF).
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.privacy import register_hash_macro
from orchestration.privacy.redact import redact
from orchestration.settings import hash_key
from orchestration.text.sentiment import sentiment_score


def _redact_udf(text: str | None, names: list[str | None] | None) -> str | None:
    return redact(text, names or ())


def register_functions(con) -> None:
    """Add cx_hash, cx_redact and cx_sentiment to a DuckDB connection (idempotent).

    The hash macro is TEMP, so it is created on every connection and cursor; Python UDFs live in the
    database instance's catalog, which cursors share, so they are created once.
    """
    register_hash_macro(con, hash_key())
    existing = {
        name
        for (name,) in con.execute(
            "select distinct function_name from duckdb_functions() where function_name in ('cx_redact', 'cx_sentiment')"
        ).fetchall()
    }
    for name, function, params, returns in (
        ("cx_redact", _redact_udf, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
        ("cx_sentiment", sentiment_score, ["VARCHAR"], "DOUBLE"),
    ):
        if name not in existing:
            con.create_function(name, function, params, returns, null_handling="special", side_effects=False)


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        register_functions(conn)

    def configure_cursor(self, cursor):
        register_functions(cursor)
        return cursor
