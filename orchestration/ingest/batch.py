"""One partition's batch before commit: reading each file into it, then the batch-wide rules.

The batch is a table of typed rows, good and bad (see `rules.batch_ddl`), in an in-memory database of the
landing's own. Files are read into it two at a time (`FILE_READERS`); a file-level failure removes that
file's rows and nothing else.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ingest import readers, rules
from orchestration.ingest.files import ExportFile
from orchestration.ingest.readers import FileRefused, Staged
from orchestration.ingest.schemas import Source
from orchestration.ingest.sql import ident, quote
from orchestration.side_by_side import on_cursors

BATCH = "_ingest_batch"
FILE_READERS = 2


@dataclass
class FileStats:
    rows: int = 0
    bad: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


def _apply_rejects(con, table: str, staged: Staged, index: int, fmt: str) -> None:
    """Rows the scanner rejected join the batch as failed; accepted rows get their row numbers in the file."""
    try:
        con.execute(
            f"create or replace temp table _ingest_rejected as "
            f"select line - {staged.header_lines} as row_number, list(distinct error_type) as errors, "
            f"any_value(csv_line) as line from {staged.rejects} group by all"
        )
    except duckdb.CatalogException:  # no rejects table: nothing was rejected
        return
    count, not_utf8 = con.execute(
        "select count(*), min(row_number) filter (where list_contains(errors, 'INVALID ENCODING')) "
        "from _ingest_rejected"
    ).fetchone()
    if not_utf8 is not None:
        raise FileRefused(f"not UTF-8 (first invalid byte in row {not_utf8})")
    if not count:
        return
    # The k-th accepted row sits at k plus the number of rejected rows before it: with the rejected
    # rows r_1 < r_2 < ..., that number is the largest j with r_j - j < k.
    con.execute(
        f"""
        create or replace temp table _ingest_shift as
        select accepted._row_number as ordinal, accepted._row_number + gaps.j as row_number
        from (select _row_number from {table} where _file_index = {index}) as accepted
        asof join (
            select row_number - j as gap, max(j) as j
            from (select row_number, row_number() over (order by row_number) as j from _ingest_rejected)
            group by all
        ) as gaps on accepted._row_number > gaps.gap
        """
    )
    con.execute(
        f"update {table} as b set _row_number = shift.row_number from _ingest_shift as shift "
        f"where b._file_index = {index} and b._row_number = shift.ordinal"
    )
    field_count = "list_has_any(errors, ['MISSING COLUMNS', 'TOO MANY COLUMNS'])"
    rule = "'malformed_json'" if fmt == "jsonl" else f"if({field_count}, 'csv_field_count', 'csv_malformed')"
    con.execute(
        f"insert into {table} (_file_index, _row_number, _failed_rules, _record) "
        f"select {index}, row_number, [{rule}], to_json(line) from _ingest_rejected"
    )


def _check_required_present(con, table: str, source: Source, index: int) -> None:
    """A required key absent (or null) in every line of a JSONL file is a missing column, not bad rows."""
    counts = ", ".join(
        f"count(*) filter (where list_contains(_failed_rules, 'required:{name}'))" for name in source.required
    )
    parsed, *missing = con.execute(
        "select count(*) filter (where not coalesce(list_contains(_failed_rules, 'malformed_json'), false)), "
        f"{counts} from {table} where _file_index = {index}"
    ).fetchone()
    absent = [
        name for name, count in zip(source.required, missing, strict=True) if parsed and count == parsed
    ]
    if absent:
        raise FileRefused(f"required column(s) absent or empty in every row: {', '.join(absent)}")


def read_file(con, table: str, source: Source, export: ExportFile, index: int, workdir: Path) -> FileStats:
    """Read one file into the batch; on a file-level failure its rows are removed and FileRefused raised."""
    key = str(index)
    staged = None
    try:
        fmt, _ = readers.file_format(export.name)
        staged = readers.stage(con, source, export, key, workdir)
        try:
            con.execute(rules.batch_insert(source, staged, table, index))
        except readers.SCAN_ERRORS as error:  # what the file causes; memory or interrupts propagate
            raise FileRefused(readers.scan_error_reason(error)) from error
        if staged.rejects:
            _apply_rejects(con, table, staged, index, fmt)
        if fmt == "jsonl":  # CSV and Parquet have a header, checked before the scan
            _check_required_present(con, table, source, index)
    except FileRefused:
        con.execute(f"delete from {table} where _file_index = {index}")
        raise
    finally:
        if staged and staged.rejects:
            con.execute(f"drop table if exists {staged.rejects}")
            con.execute(f"drop table if exists _rejscan_{key}")
    extra = staged.extra_columns
    if fmt == "jsonl":  # JSON keys vary by line: report every extra key seen in the file
        extra = [
            key
            for (key,) in con.execute(
                f"select distinct unnest(json_keys(_extra)) as key from {table} "
                f"where _file_index = {index} and _extra is not null order by key"
            ).fetchall()
        ]
    return FileStats(extra_columns=extra, missing_columns=staged.missing_columns)


def apply_unique(con, table: str, source: Source, accepted: list[int]) -> None:
    """Within the accepted files, a repeated key keeps its first occurrence (file order, then row)."""
    rule = rules.unique_rule(source)
    con.execute(
        f"update {table} set _failed_rules = null, _record = null where _failed_rules = [{quote(rule)}]"
    )
    if not accepted:
        return
    key = ", ".join(ident(name) for name in rules.unique_key(source))
    files = ", ".join(str(index) for index in accepted)
    con.execute(
        f"""
        update {table} as b set _failed_rules = [{quote(rule)}], _record = {rules.typed_record_expr(source)}
        from (
            with good as (
                select _file_index, _row_number, {key} from {table}
                where _failed_rules is null and _file_index in ({files})
            ),
            repeated_keys as (select {key} from good group by all having count(*) > 1),
            occurrences as (
                select _file_index, _row_number,
                       row_number() over (partition by {key} order by _file_index, _row_number) as occurrence
                from good semi join repeated_keys using ({key})
            )
            select _file_index, _row_number from occurrences where occurrence > 1
        ) as repeated
        where b._file_index = repeated._file_index and b._row_number = repeated._row_number
        """
    )


def file_stats(con, table: str, stats: dict[int, FileStats]) -> None:
    """Fill rows, bad rows and failures per rule of each file read into the batch."""
    for index, rows, bad in con.execute(
        f"select _file_index, count(*), count(_failed_rules) from {table} group by all"
    ).fetchall():
        if index in stats:
            stats[index].rows, stats[index].bad = rows, bad
    for stat in stats.values():
        stat.by_rule = {}
    for index, rule, count in con.execute(
        f"select _file_index, rule, count(*) from "
        f"(select _file_index, unnest(_failed_rules) as rule from {table} where _failed_rules is not null) "
        f"group by all"
    ).fetchall():
        if index in stats:
            stats[index].by_rule[rule] = count


def _share_reason(stats: FileStats, limit: float) -> str | None:
    if not stats.rows or stats.bad / stats.rows <= limit:
        return None
    # ties by name: the counts come from a GROUP BY, whose order varies from run to run
    ranked = sorted(stats.by_rule.items(), key=lambda item: (-item[1], item[0]))
    top = ", ".join(f"{rule} ×{n}" for rule, n in ranked[:3])
    share = f"{stats.bad} of {stats.rows} rows ({stats.bad / stats.rows:.1%})"
    # A value type failing on every row is a column whose type changed, not a batch of bad rows: say so.
    retyped = sorted(
        rule.removeprefix("type:")
        for rule, count in stats.by_rule.items()
        if rule.startswith("type:") and count == stats.rows
    )
    prefix = f"column(s) {', '.join(retyped)}: no value of the expected type (retyped?); " if retyped else ""
    return f"{prefix}{share} broke row rules, over the {limit:.0%} limit; most frequent: {top}"


def _read_all(con, table: str, source: Source, files: list[ExportFile], workdir: Path) -> list[object]:
    """Each file read into the batch: its FileStats, or its FileRefused. Several files are read
    FILE_READERS at a time, the largest first, each on a cursor of its own: a file's scan numbers its lines
    on one thread (`readers`), so one file at a time left a core idle. Measured on a 1M-interaction day,
    landing the source whole: the four gzipped call files 1.23–1.27 s → 0.83–0.95 s, the four chat files
    2.8–3.3 s → 2.7–2.8 s (their JSON parse already runs on both cores)."""

    def read(cursor, index: int) -> object:
        try:
            return read_file(cursor, table, source, files[index], index, workdir)
        except FileRefused as refusal:
            return refusal

    return on_cursors(
        con,
        range(len(files)),
        read,
        FILE_READERS,
        size=lambda index: files[index].bytes,
        session=["set TimeZone = 'UTC'"],  # the timestamps' conversion to UTC needs it (rules.py)
    )


def read_and_validate(con, table: str, source: Source, files: list[ExportFile], limit: float):
    """Read the files into a fresh batch `table` and apply the batch-wide rules and the bad-row limit.

    `table` must be visible to the connection's cursors (`land_partition` puts it in an in-memory database
    of its own). Returns (stats of accepted files, reason of each refused file), both by file index.
    """
    con.execute(rules.batch_ddl(source, table))
    stats: dict[int, FileStats] = {}
    refusals: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="cx-ingest-") as workdir:
        for index, outcome in enumerate(_read_all(con, table, source, files, Path(workdir))):
            if isinstance(outcome, FileRefused):
                refusals[index] = outcome.reason
            else:
                stats[index] = outcome
    # A file's own faults first, then ids repeated across the accepted files, until no file is over the
    # limit: the rows of a refused file must not make another file's rows repeats.
    file_stats(con, table, stats)
    ranked = False
    while True:
        over_limit = {
            index: reason for index, stat in stats.items() if (reason := _share_reason(stat, limit))
        }
        if ranked and not over_limit:
            return stats, refusals
        refusals.update(over_limit)
        stats = {index: stat for index, stat in stats.items() if index not in over_limit}
        apply_unique(con, table, source, list(stats))
        file_stats(con, table, stats)
        ranked = True
