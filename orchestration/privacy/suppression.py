"""The suppression list: erased people stay erased when their exports are landed again.

An erasure (orchestration/erasure.py) records every identifier of the person, and every interaction it
removed, as a keyed hash in `ops.erasure_suppressions`; nothing in it can be read back as an identifier.
Landing a partition then drops the rows that carry one of them, in the same transaction, so a re-delivery,
a forced reload or a later export of the same person never brings them back.
"""

from __future__ import annotations

from orchestration.privacy.identities import (
    IDENTITY_FIELDS,
    INTERACTION_FIELDS,
    sql_normalised,
    suppression_message,
    text_tokens,
)
from orchestration.privacy.keys import hmac_hex, register_hash_macro
from orchestration.settings import hash_key

TABLE = "ops.erasure_suppressions"
DDL = f"""
create schema if not exists ops;
create table if not exists {TABLE} (
    erasure_id VARCHAR not null,
    client_id VARCHAR,
    identifier_kind VARCHAR not null,
    identifier_hash VARCHAR not null
)"""
_MACRO = "cx_suppression_hash"


def suppression_hash(key: bytes, kind: str, value: str) -> str:
    return hmac_hex(key, suppression_message(kind, value))


def has_suppressions(con) -> bool:
    exists = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'ops' and table_name = 'erasure_suppressions'"
    ).fetchone()[0]
    return bool(exists) and con.execute(f"select exists (select 1 from {TABLE})").fetchone()[0]


def _raw_condition(source_name: str) -> str | None:
    fields = dict(IDENTITY_FIELDS.get(source_name, {}))
    if source_name in INTERACTION_FIELDS:
        fields["interaction"] = INTERACTION_FIELDS[source_name]
    checks = [
        f"""exists (
            select 1 from {TABLE} as suppressed
            where suppressed.identifier_kind = '{kind}'
              and suppressed.identifier_hash
                  = {_MACRO}('suppress|{kind}|' || {sql_normalised(kind, "landed." + column)})
              and (suppressed.client_id is null or suppressed.client_id = landed.client_id)
        )"""
        for kind, column in fields.items()
    ]
    return " or ".join(checks) or None


def apply_suppressions(con, source_name: str, day: str) -> int:
    """Delete the erased people's rows from the partition just landed (raw and quarantine); returns a count.

    Called inside the landing transaction. Raw rows are matched on their structured identity fields and
    interaction ids; quarantined records, whose fields may not parse, on every token of their text.
    """
    if not has_suppressions(con):
        return 0
    key = hash_key()
    register_hash_macro(con, key, name=_MACRO)
    removed = 0
    condition = _raw_condition(source_name)
    if condition:
        (removed,) = con.execute(
            f"delete from raw.{source_name} as landed where landed._export_date = ? and ({condition})", [day]
        ).fetchone()
    hashes = {row[0] for row in con.execute(f"select identifier_hash from {TABLE}").fetchall()}
    quarantined = con.execute(
        f"select rowid, record::VARCHAR from quarantine.{source_name} "
        "where _export_date = ? and record is not null",
        [day],
    ).fetchall()
    verdicts: dict[tuple[str, str], bool] = {}  # field names and common words recur in every record

    def suppressed(token: tuple[str, str]) -> bool:
        if token not in verdicts:
            verdicts[token] = suppression_hash(key, *token) in hashes
        return verdicts[token]

    doomed = [rowid for rowid, record in quarantined if any(map(suppressed, text_tokens(record)))]
    if doomed:
        con.executemany(
            f"delete from quarantine.{source_name} where rowid = ?", [[rowid] for rowid in doomed]
        )
    return removed + len(doomed)
