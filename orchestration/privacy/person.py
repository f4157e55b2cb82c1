"""Finding a person in raw and quarantine, and removing them: the first half of an erasure.

`resolve` expands one identifier to every identity of the person (orchestration/erasure.py says how far);
`purge` deletes their rows and records their identifiers in the suppression list, in the caller's
transaction. Identities are (client_id, kind, normalised value) triples; SQL runs over temp tables.
"""

from __future__ import annotations

import re

from orchestration.privacy.identities import (
    IDENTITY_FIELDS,
    INTERACTION_FIELDS,
    INTERACTION_SOURCES,
    sql_normalised,
    text_tokens,
)
from orchestration.privacy.keys import hmac_hex
from orchestration.privacy.suppression import DDL as SUPPRESSIONS_DDL
from orchestration.privacy.suppression import suppression_hash

IDS = "_erasure_identities"
INTERACTIONS = "_erasure_interactions"
Identity = tuple[str | None, str, str]


class AmbiguousIdentifier(ValueError):
    pass


def person_keys(key: bytes, identities: list[Identity]) -> set[str]:
    """Every customer_key, e-mail key and phone key of the person in the derived layers (`identity_key`)."""
    return {
        hmac_hex(key, f"{client_id}:{kind}:{value}")
        for client_id, kind, value in identities
        if client_id and kind in ("crm", "email", "phone")
    }


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _tables(con, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = ? "
        "order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def _matches_identity(source: str, kinds) -> str:
    return " or ".join(
        f"(landed.client_id, {sql_normalised(kind, 'landed.' + column)}) in "
        f"(select client_id, value from {IDS} where kind = '{kind}')"
        for kind, column in IDENTITY_FIELDS[source].items()
        if kind in kinds
    )


def _identities_sql(source: str) -> str:
    pairs = ", ".join(
        f"{{'kind': '{kind}', 'value': {sql_normalised(kind, 'landed.' + column)}}}"
        for kind, column in IDENTITY_FIELDS[source].items()
    )
    return f"landed.client_id, unnest([{pairs}]) as identity"


def resolve(con, kind: str, value: str, client_id: str | None) -> list[tuple[str, str, str]]:
    """The person's (client_id, kind, normalised value) identities, to a fixed point."""
    raw = set(_tables(con, "raw"))
    sources = [source for source in IDENTITY_FIELDS if source in raw]
    con.execute(f"create or replace temp table {IDS} (client_id VARCHAR, kind VARCHAR, value VARCHAR)")
    client_filter = "and landed.client_id = $client" if client_id else ""
    for source in sources:
        column = IDENTITY_FIELDS[source].get(kind)
        if column is None:
            continue
        con.execute(
            f"insert into {IDS} select distinct landed.client_id, $kind, $value from raw.{source} as landed "
            f"where {sql_normalised(kind, 'landed.' + column)} = $value {client_filter}",
            {"kind": kind, "value": value, **({"client": client_id} if client_id else {})},
        )
    clients = {row[0] for row in con.execute(f"select distinct client_id from {IDS}").fetchall()}
    if kind == "crm" and len(clients) > 1:
        raise AmbiguousIdentifier(
            f"That CRM id exists at {len(clients)} clients ({', '.join(sorted(clients))}): "
            "CRM ids are issued per client, so name the client with --client."
        )
    if not clients:
        con.execute(f"insert into {IDS} values (?, ?, ?)", [client_id, kind, value])
        return [(client_id, kind, value)]
    while True:
        before = con.execute(f"select count(*) from {IDS}").fetchone()[0]
        for source in sources:
            # A CRM row is the person's when any of its identifiers is; another record only through its CRM id
            # (a record naming another customer id, with the person's e-mail, belongs to that customer).
            kinds = IDENTITY_FIELDS[source] if source == "crm_customers" else ("crm",)
            if source != "crm_customers" and "crm" not in IDENTITY_FIELDS[source]:
                continue
            con.execute(
                f"""
                insert into {IDS}
                select distinct client_id, identity.kind, identity.value
                from (select {_identities_sql(source)} from raw.{source} as landed
                      where {_matches_identity(source, kinds)})
                where identity.value is not null
                except select client_id, kind, value from {IDS}
                """
            )
        if con.execute(f"select count(*) from {IDS}").fetchone()[0] == before:
            break
    return sorted(con.execute(f"select client_id, kind, value from {IDS}").fetchall())


def _text_pattern(identities) -> str | None:
    """A regex for the identifiers as words in a record's text (CRM ids, e-mails, handles; lower-case)."""
    values = sorted({value.lower() for _, kind, value in identities if kind in ("crm", "email", "handle")})
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in values)
    return f"(^|[^a-z0-9_.@+-])({alternatives})($|[^a-z0-9_@-])"


def _phone_suffixes(identities) -> list[str]:
    return sorted({value[-8:] for _, kind, value in identities if kind == "phone" and len(value) >= 8})


def _text_condition(identities) -> str:
    """The row's text (as JSON) holds an identifier: in a field or in free text, a phone in any format."""
    checks = []
    pattern = _text_pattern(identities)
    if pattern:
        checks.append(
            f"regexp_matches(lower(to_json(landed)::VARCHAR), '{pattern.replace(chr(39), chr(39) * 2)}')"
        )
    suffixes = _phone_suffixes(identities)
    if suffixes:
        digit_runs = r"regexp_extract_all(to_json(landed)::VARCHAR, '\+?\(?\d(?:[ ().-]{0,2}\d){7,18}')"
        checks.append(
            f"list_has_any(list_transform({digit_runs}, "
            f"lambda run: right(regexp_replace(run, '[^0-9]', '', 'g'), 8)), {suffixes!r})"
        )
    clients = sorted({client_id for client_id, _, _ in identities if client_id})
    scope = f"landed.client_id in ({', '.join(map(_sql_string, clients))})" if clients else "true"
    return f"({scope} and ({' or '.join(checks)}))" if checks else "false"


def _row_condition(source: str, identities) -> str:
    checks = []
    if source in IDENTITY_FIELDS:
        checks.append(_matches_identity(source, IDENTITY_FIELDS[source]))
    if source in INTERACTION_FIELDS:
        column = sql_normalised("interaction", "landed." + INTERACTION_FIELDS[source])
        checks.append(
            f"(landed.client_id, {column}) in (select client_id, interaction_id from {INTERACTIONS})"
        )
    checks.append(_text_condition(identities))
    return " or ".join(f"({check})" for check in checks)


def purge(con, identities, key: bytes, erasure_id: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Delete the person's rows from raw and quarantine (caller's transaction): counts and interactions."""
    raw = set(_tables(con, "raw"))
    con.execute(f"create or replace temp table {INTERACTIONS} (client_id VARCHAR, interaction_id VARCHAR)")
    for source in INTERACTION_SOURCES:
        if source not in raw:
            continue
        column = sql_normalised("interaction", "landed." + INTERACTION_FIELDS[source])
        condition = " or ".join(
            f"({check})"
            for check in (_matches_identity(source, IDENTITY_FIELDS[source]), _text_condition(identities))
        )
        con.execute(
            f"insert into {INTERACTIONS} select distinct landed.client_id, {column} "
            f"from raw.{source} as landed where {condition}"
        )
    interactions = con.execute(f"select client_id, interaction_id from {INTERACTIONS}").fetchall()
    removed: dict[str, int] = {}
    for source in sorted(raw - {"_landed_files"}):
        (removed[f"raw.{source}"],) = con.execute(
            f"delete from raw.{source} as landed where {_row_condition(source, identities)}"
        ).fetchone()
    values = {(kind, value) for _, kind, value in identities}
    values |= {("interaction", interaction_id) for _, interaction_id in interactions}
    suffixes = set(_phone_suffixes(identities))
    for source in _tables(con, "quarantine"):
        doomed = [
            rowid
            for rowid, record in con.execute(
                f"select rowid, record::VARCHAR from quarantine.{source} where record is not null"
            ).fetchall()
            if _record_matches(record, values, suffixes)
        ]
        if doomed:
            con.executemany(f"delete from quarantine.{source} where rowid = ?", [[rowid] for rowid in doomed])
        removed[f"quarantine.{source}"] = len(doomed)
    con.execute(SUPPRESSIONS_DDL)
    suppressions = {(client_id, kind, value) for client_id, kind, value in identities}
    suppressions |= {(client_id, "interaction", interaction_id) for client_id, interaction_id in interactions}
    con.executemany(
        "insert into ops.erasure_suppressions values (?, ?, ?, ?)",
        [
            [erasure_id, client_id, kind, suppression_hash(key, kind, value)]
            for client_id, kind, value in suppressions
        ],
    )
    return removed, interactions


def _record_matches(record: str, values: set[tuple[str, str]], phone_suffixes: set[str]) -> bool:
    for kind, value in text_tokens(record):
        if (kind, value) in values or (kind == "phone" and len(value) >= 8 and value[-8:] in phone_suffixes):
            return True
    return False
