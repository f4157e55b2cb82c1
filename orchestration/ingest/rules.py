"""Row-level rules of a source, derived from `schemas.py`, as one DuckDB SELECT over a staged file.

The SELECT types every column (timestamps with offsets to UTC, Y/N booleans, nested JSON to structs) and
lists the rules each row fails; `_record` (the raw values) is computed only for failing rows. The same
rules are declared as a Great Expectations suite in `gx_suites.py`.

Leniency, on purpose: JSON scalars are read as text, so `"3"` is an integer and `"false"` a boolean;
inside nested objects and arrays a value of the wrong type becomes null (only the column's own kind,
object or array, is a `type:` rule). Timestamps must carry an offset; they are converted to UTC, which
needs the session TimeZone set to UTC (`land_partition` does).
"""

from __future__ import annotations

from orchestration.ingest.readers import Staged
from orchestration.ingest.schemas import LINEAGE_COLUMNS, Source
from orchestration.ingest.sql import ident, is_nested, json_structure, quote, raw

# ISO-8601 date-time with an offset: a naive timestamp is ambiguous, so it is a type failure.
TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?\s*([Zz]|[+-]\d\d(:?\d\d)?)$"
TRUE_VALUES = ("true", "y", "1")
FALSE_VALUES = ("false", "n", "0")


def typed_expr(text: str, dtype: str) -> str:
    """SQL turning one raw value (VARCHAR text, or JSON for nested types) into the column's type."""
    if is_nested(dtype):
        kind = "ARRAY" if dtype.endswith("[]") else "OBJECT"
        return (
            f"case when json_type({text}) = '{kind}' "
            f"then cast(json_transform({text}, {quote(json_structure(dtype))}) as {dtype}) end"
        )
    if dtype == "TIMESTAMP":
        return (
            f"case when regexp_matches({text}, {quote(TIMESTAMP_PATTERN)}) "
            f"then try_cast(try_cast({text} as TIMESTAMPTZ) as TIMESTAMP) end"
        )
    if dtype == "BOOLEAN":
        values = [f"when {quote(v)} then true" for v in TRUE_VALUES]
        values += [f"when {quote(v)} then false" for v in FALSE_VALUES]
        return f"case lower({text}) {' '.join(values)} end"
    if dtype == "DATE":
        return f"case when length({text}) = 10 then try_cast({text} as DATE) end"
    if dtype == "VARCHAR":
        return text
    return f"try_cast({text} as {dtype})"


def row_rules(source: Source) -> list[tuple[str, str]]:
    """(rule name, SQL condition that is true when the row breaks it), in the order they are reported."""
    rules = []
    for name in source.required:
        blank = f" or {raw(name)} = ''" if source.columns[name] == "VARCHAR" else ""
        rules.append((f"required:{name}", f"({raw(name)} is null{blank})"))
    for name, dtype in source.columns.items():
        if dtype != "VARCHAR":
            rules.append((f"type:{name}", f"({raw(name)} is not null and {ident(name)} is null)"))
    for name, values in source.enums.items():
        listed = ", ".join(quote(v) for v in values)
        rules.append((f"enum:{name}", f"coalesce({ident(name)} not in ({listed}), false)"))
    for bound in source.ranges:
        column = ident(bound.column)
        condition = f"coalesce({column} < {bound.low} or {column} > {bound.high}, false)"
        rules.append((f"range:{bound.column}", condition))
    for name in source.non_negative:
        rules.append((f"non_negative:{name}", f"coalesce({ident(name)} < 0, false)"))
    for earlier, later in source.ordered:
        condition = f"coalesce({ident(later)} < {ident(earlier)}, false)"
        rules.append((f"order:{earlier}<={later}", condition))
    return rules


def batch_ddl(source: Source, table: str) -> str:
    """The table holding one partition's typed rows, good and bad, before anything is committed (in an
    in-memory database: `land.land_partition`)."""
    columns = ", ".join(f"{ident(name)} {dtype}" for name, dtype in source.columns.items())
    return (
        f"create or replace table {table} (_file_index INTEGER, _row_number BIGINT, {columns}, "
        f"_extra JSON, _failed_rules VARCHAR[], _record JSON)"
    )


def batch_insert(source: Source, staged: Staged, table: str, file_index: int) -> str:
    """INSERT of one staged file into the batch table: typed values, failed rules, raw record if failed."""
    rules = row_rules(source)
    typed = ", ".join(f"{typed_expr(raw(n), t)} as {ident(n)}" for n, t in source.columns.items())
    raws = ", ".join(raw(name) for name in source.columns)
    any_failed = " or ".join(condition for _, condition in rules)
    listed = ", ".join(f"case when {condition} then {quote(rule)} end" for rule, condition in rules)
    outputs = ", ".join(f"{ident(n)}::{t}" for n, t in source.columns.items())
    return f"""
        insert into {table}
        select {file_index}, _ordinal, {outputs}, _extra::JSON,
               case when _malformed is not null then [_malformed]
                    when _failed then list_filter([{listed}], lambda r: r is not null) end,
               case when _malformed is not null or _failed then {staged.record_expr} end
        from (
            select *, {any_failed} as _failed
            from (select _ordinal, _malformed, _extra, _rec, {raws}, {typed} from ({staged.select}))
        )"""


def unique_key(source: Source) -> list[str]:
    """Columns unique within one day's batch; a versioned record may repeat with a new version."""
    if source.version_column:
        return [source.id_column, source.version_column]
    return [source.id_column]


def unique_rule(source: Source) -> str:
    return "unique:" + ",".join(unique_key(source))


def typed_record_expr(source: Source) -> str:
    """The record of a row refused only for a repeated id: its typed values, as the raw ones are not kept."""
    pairs = ", ".join(f"{quote(name)}, {ident(name)}" for name in source.columns)
    return f"json_object({pairs})"


def raw_columns(source: Source) -> list[str]:
    return [*source.columns, *LINEAGE_COLUMNS]
