"""Publish the marts as their own DuckDB file: built aside, checkpointed, swapped in atomically.

A BI tool holding the previous file open keeps reading its snapshot (the old inode); the next reader
opens the new file. The working warehouse is never opened by readers, so they never block a run.

Incremental: a mart with a unique key (the dbt model's `unique_key`) and a `_built_at` column is not copied
whole each day. The previous published file is copied (a file copy, at disk speed; made while dbt builds
when the dbt step started it, `copy_ahead`) and patched: keys gone
from the warehouse are deleted, keys with rows stamped after the last publish (`_built_at` above the high
water mark kept in a state file beside the build folder) are replaced. Any doubt falls back to a full copy
of that table: no state, the published file not the one the state describes, columns changed, more than
half the table changed, no key; and the whole file is rebuilt when deletes left a third of it free, when
deleted rows are half of the rows it stores, or when asked (`full=True`: after an erasure, so no erased
bytes survive in free blocks; and weekly after the warehouse's compaction, `maintenance.republish_fresh`).

In the published file the marts are in its default schema, so with the file named `marts.duckdb` a BI
tool writes `marts.csat_daily` (catalog `marts`), exactly as in the warehouse (schema `marts`); a schema
also named `marts` would make every such reference ambiguous in DuckDB.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from orchestration.side_by_side import on_cursors

MARTS_SCHEMA = "marts"


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _sweep(directory: Path, pattern: str) -> None:
    """Remove what a publish killed mid-way left behind: writers are serialised, so nothing else owns it."""
    if directory.is_dir():
        _remove_quietly(*directory.glob(pattern))


def _build_dir(marts_path: Path, work_dir: Path | None) -> Path:
    """Where the new file is built: `work_dir` when on the marts file's filesystem (os.replace needs that)."""
    if work_dir is None:
        return marts_path.parent
    work_dir.mkdir(parents=True, exist_ok=True)
    return work_dir if work_dir.stat().st_dev == marts_path.parent.stat().st_dev else marts_path.parent


# Pipeline bookkeeping that BI tools should not see: `_built_at` changes on every run, so a rerun of the
# same day would publish different bytes for the same figures; `_row_hash` (alerts) only serves the
# incremental build's comparison.
INTERNAL_COLUMNS = ("_built_at", "_row_hash")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema, table],
        ).fetchall()
    ]


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in columns)


# A patched file is rebuilt whole once this share of its blocks is free (space left by deleted rows).
MAX_FREE_SHARE = 1 / 3
MIN_FREE_BYTES = 256 * 2**20
# The publish does not vacuum the rows a patch deletes (as the warehouse's connections do not:
# orchestration/maintenance.py). DuckDB's vacuum rewrites every row group holding one, and a day's patch
# replaces rows scattered over the weeks its FCR windows and SLAs reach: measured at day 30 of 100k
# interactions a day, the publish took 4.3 s with the vacuum and 2.2–2.3 s without (1.2–1.9 s of 7.3 s at
# 1M a day). Deleted rows are reclaimed by a fresh file instead: weekly, after the warehouse's
# compaction (`maintenance.republish_fresh`, ≈ 11 s for that day-30 file), or at the first publish that
# finds them at this share of the rows the file stores (a compaction missed). Until then a BI query
# scanning a patched fact table also reads its deleted rows (up to a week's replaced rows).
PUBLISH_VACUUM_TASKS = 0
MAX_DEAD_SHARE = 0.5
# Rows rebuilt since the last publish are those with `_built_at` (the dbt invocation's start) above the
# high water mark: dbt invocations are serialised and their start times increase.
# A table is copied whole rather than patched when more than this share of its rows changed.
MAX_PATCH_SHARE = 0.5
# Tables are published this many at a time, each worker on its own cursor, the largest first. One at a
# time left about a third of the two cores idle; measured at 1M interactions a day (19 marts, the two
# 1.33M-row patches the largest): 5.3–6.0 s one at a time, 4.7–5.0 s two at a time.
PUBLISH_WORKERS = 2


def _file_identity(path: Path, stat: os.stat_result | None = None) -> dict[str, int]:
    stat = stat or path.stat()
    # size and modification time (a copy that keeps them, `cp -p`, is the same file for this purpose)
    return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_state(state_path: Path, marts_path: Path) -> dict | None:
    """The last publish's high water marks, if they describe the file now at `marts_path`."""
    try:
        state = json.loads(state_path.read_text())
        if state["file"] == _file_identity(marts_path):
            return state
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def mart_unique_keys(manifest_path: Path | None = None) -> dict[str, list[str]]:
    """Mart table → its dbt `unique_key` columns, from the dbt manifest (`make` prepares it); {} without one."""
    if manifest_path is None:
        from orchestration.settings import DBT_PROJECT_DIR

        manifest_path = DBT_PROJECT_DIR / "target" / "manifest.json"
    try:
        nodes = json.loads(manifest_path.read_text())["nodes"].values()
    except (OSError, ValueError, KeyError):
        return {}
    keys = {}
    for node in nodes:
        key = node.get("config", {}).get("unique_key")
        if node.get("resource_type") == "model" and node.get("schema") == MARTS_SCHEMA and key:
            keys[node.get("alias") or node["name"]] = [key] if isinstance(key, str) else list(key)
    return keys


class _Publisher:
    """Fills the file being built (`con`, the warehouse attached read-only), PUBLISH_WORKERS tables at a
    time."""

    def __init__(self, con: duckdb.DuckDBPyConnection, state: dict | None, keys: Mapping[str, Sequence[str]]):
        self.con, self.keys = con, keys
        (self.catalog,) = con.execute("select current_database()").fetchone()
        self.previous = (state or {}).get("tables", {})
        self.tables: dict[str, dict] = {}  # the new state
        self.modes: dict[str, str] = {}  # table → copied / patched (n rows)

    def publish_all(self, tables: Sequence[str]) -> dict[str, int]:
        """Every table, PUBLISH_WORKERS at a time, the largest first; row counts in `tables`' order."""
        sizes = dict(
            self.con.execute(
                "select table_name, estimated_size from duckdb_tables() "
                "where database_name = 'warehouse' and schema_name = ?",
                [MARTS_SCHEMA],
            ).fetchall()
        )
        counts = on_cursors(
            self.con, tables, self.publish, PUBLISH_WORKERS, size=lambda table: sizes.get(table) or 0
        )
        return dict(zip(tables, counts, strict=True))

    def publish(self, con: duckdb.DuckDBPyConnection, table: str) -> int:
        """Publish `table` through `con` (the file's connection or a cursor of it); its row count."""
        source = f'warehouse.{MARTS_SCHEMA}."{table}"'
        columns = _columns(con, "warehouse", MARTS_SCHEMA, table)
        published = [name for name in columns if name not in INTERNAL_COLUMNS]
        high_water = None
        if "_built_at" in columns:
            (high_water,) = con.execute(f"select max(_built_at)::varchar from {source}").fetchone()
        self.tables[table] = {"columns": published, "high_water": high_water}
        before = self.previous.get(table, {})
        keys = list(self.keys.get(table, ()))
        patchable = (
            keys
            and set(keys) <= set(published)
            and high_water is not None
            and before.get("high_water") is not None
            and before.get("columns") == published
            and _columns(con, self.catalog, "main", table) == published
        )
        mode = "copied"
        if patchable:
            (changed,) = con.execute(
                f"select count(*) from {source} where _built_at > ?::timestamp", [before["high_water"]]
            ).fetchone()
            (total,) = con.execute(f"select count(*) from {source}").fetchone()
            if changed <= MAX_PATCH_SHARE * total:
                if self._patch(con, table, source, keys, published, before["high_water"], total):
                    self.modes[table] = f"patched ({changed} rows)"
                    return total
                # Fewer rows than the warehouse: the key is coarser than what dbt replaced (a manifest
                # older than the models), so the patch dropped unchanged rows. Copied whole instead.
                mode = "copied (a patch by its key lost rows)"
        con.execute(f'drop table if exists main."{table}"')
        con.execute(f'create table main."{table}" as select {_quoted(published)} from {source}')
        self.modes[table] = mode
        (count,) = con.execute(f'select count(*) from main."{table}"').fetchone()
        return count

    def _patch(
        self, con, table: str, source: str, keys: list[str], columns: list[str], high_water: str, total: int
    ) -> bool:
        """Replace the keys rebuilt since `high_water` by their current rows; True when the file then holds
        exactly the warehouse's row count (False: rows were lost, the caller copies the table whole)."""
        match = " and ".join(f'target."{key}" is not distinct from other."{key}"' for key in keys)
        # keys rebuilt since the last publish: replaced by their current rows
        con.execute(
            f'delete from main."{table}" as target using '
            f"(select distinct {_quoted(keys)} from {source} where _built_at > ?::timestamp) as other "
            f"where {match}",
            [high_water],
        )
        con.execute(
            f'insert into main."{table}" ({_quoted(columns)}) select {_quoted(columns)} from {source} '
            f"where _built_at > ?::timestamp",
            [high_water],
        )
        # Keys the warehouse no longer has (a rebuilt key with no rows, an erased customer's rows). The
        # file now holds every warehouse row (unchanged rows were published last time, changed keys were
        # just replaced whole), so it holds extra rows exactly when it has more rows: only then is the
        # whole table compared key by key.
        (published,) = con.execute(f'select count(*) from main."{table}"').fetchone()
        if published > total:
            con.execute(
                f'delete from main."{table}" as target where not exists '
                f"(select 1 from {source} as other where {match})"
            )
            (published,) = con.execute(f'select count(*) from main."{table}"').fetchone()
        return published == total


def _mostly_free(con: duckdb.DuckDBPyConnection) -> bool:
    """Deletes left more than MAX_FREE_SHARE of the file's blocks free, and at least MIN_FREE_BYTES."""
    rows = con.execute(
        "select free_blocks, total_blocks, block_size from pragma_database_size() "
        "where database_name = current_database()"
    ).fetchall()
    if not rows or not rows[0][1]:
        return False
    free, total, block_size = rows[0]
    return free > MAX_FREE_SHARE * total and free * block_size >= MIN_FREE_BYTES


def _mostly_dead(con: duckdb.DuckDBPyConnection) -> bool:
    """Deleted rows are at least MAX_DEAD_SHARE of the rows the file's tables store."""
    from orchestration.maintenance import stored_and_live

    stored, live = stored_and_live(con)
    return stored > 0 and stored - live >= MAX_DEAD_SHARE * stored


class _CopyAhead:
    """The published file copied aside by a background thread (see `copy_ahead`)."""

    def __init__(self, marts_path: Path, build_dir: Path):
        self.source = marts_path
        self.path = build_dir / f".{marts_path.name}.{uuid.uuid4().hex}.ahead"
        self.identity: dict[str, int] | None = None  # of the file copied, when the copy is whole
        self.thread = threading.Thread(target=self._copy, name=f"copy ahead {marts_path.name}", daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        try:
            before = self.source.stat()
            shutil.copyfile(self.source, self.path)
            after = self.source.stat()
        except OSError:
            return
        # A published file is never written in place (a publish builds a new one and swaps it in): the
        # copy is whole exactly when the path named the same file all along.
        same = (before.st_ino, before.st_size, before.st_mtime_ns) == (
            after.st_ino,
            after.st_size,
            after.st_mtime_ns,
        )
        if same:
            self.identity = _file_identity(self.source, after)

    def take(self) -> tuple[Path, dict[str, int]] | None:
        """Waits for the copy; the copy's path and the identity of the file it copies (None: no copy)."""
        self.thread.join()
        if self.identity is None:
            _remove_quietly(self.path)
            return None
        return self.path, self.identity


# Per published file, the copy made ahead in this process for its next publish.
_AHEAD: dict[Path, _CopyAhead] = {}
_AHEAD_LOCK = threading.Lock()
AHEAD_PATTERN = ".{name}.*.ahead"


def copy_ahead(marts_path: Path, work_dir: Path | None = None) -> bool:
    """Start copying the published file aside, in a background thread, for this process's next
    `publish_marts` of it to patch instead of copying it then. True when a copy started.

    Called as the dbt build starts, the copy overlaps the build (mostly dbt's single-threaded start-up),
    not the publish: the copy is the one publish cost that grows with the history the file holds (at 100k
    interactions a day, 0.06 s on day 2 and ≈ 0.45 s on day 30 for its 650 MB). The publish uses the copy
    only if the published file is still the one copied (else it copies, as without this); a copy left
    unused (the build failed, the process ended) is removed by the next publish or copy ahead.
    """
    marts_path = Path(marts_path)
    if not marts_path.exists():
        return False
    build_dir = _build_dir(marts_path, work_dir)
    with _AHEAD_LOCK:
        previous = _AHEAD.pop(marts_path.resolve(), None)
        if previous is not None and (taken := previous.take()) is not None:
            _remove_quietly(taken[0])
        _sweep(build_dir, AHEAD_PATTERN.format(name=marts_path.name))
        _AHEAD[marts_path.resolve()] = _CopyAhead(marts_path, build_dir)
    return True


def _take_ahead(marts_path: Path) -> tuple[Path, dict[str, int]] | None:
    with _AHEAD_LOCK:
        ahead = _AHEAD.pop(marts_path.resolve(), None)
    return ahead.take() if ahead is not None else None


def publish_marts(
    warehouse_path: Path,
    marts_path: Path,
    *,
    parquet_dir: Path | None = None,
    work_dir: Path | None = None,
    keys: Mapping[str, Sequence[str]] | None = None,
    full: bool = False,
    report: dict | None = None,
    file_report: dict | None = None,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
) -> dict[str, int]:
    """Publish every table of schema `marts` into a new file and swap it in; returns row counts.

    The file is built in `work_dir` (the pipeline passes the warehouse's private temp folder), so a crash
    mid-publish leaves nothing beside the published file; the next publish sweeps such leftovers.
    `keys` (mart → unique key columns, `mart_unique_keys()`) lets unchanged history be reused rather than
    copied; without them, or with `full`, every table is copied. `report`, when given, receives how each
    table was published; `file_report` what the new file started from (`started_from`: the previous file
    copied ahead or now, or an empty file). `memory_limit`: DuckDB's for the publish (the pipeline passes
    CX_DUCKDB_MEMORY_LIMIT); beyond it DuckDB spills beside the file being built.
    """
    marts_path.parent.mkdir(parents=True, exist_ok=True)
    build_dir = _build_dir(marts_path, work_dir)
    ahead = _take_ahead(marts_path)
    leftovers = f".{marts_path.name}.*.building*"
    _sweep(marts_path.parent, leftovers)
    _sweep(build_dir, leftovers)
    state_path = build_dir / f".{marts_path.name}.publish-state.json"
    state = None if full or not keys or not marts_path.exists() else _read_state(state_path, marts_path)
    staging_path = build_dir / f".{marts_path.name}.{uuid.uuid4().hex}.building"
    wal_path = staging_path.with_name(staging_path.name + ".wal")
    row_counts: dict[str, int] = {}
    started_from = "an empty file"
    try:
        if (
            state is not None
            and ahead is not None
            and ahead[1] == state["file"]
            and ahead[0].parent == build_dir
        ):
            os.replace(ahead[0], staging_path)
            started_from = "the published file, copied ahead"
        elif state is not None:
            shutil.copyfile(marts_path, staging_path)
            started_from = "the published file, copied now"
        if ahead is not None:
            _remove_quietly(ahead[0])
        _sweep(build_dir, AHEAD_PATTERN.format(name=marts_path.name))  # what a killed process left
        con = duckdb.connect(str(staging_path))
        try:
            con.execute(f"set memory_limit = '{memory_limit}'")
            con.execute(f"set max_vacuum_tasks = {PUBLISH_VACUUM_TASKS}")
            publisher = _Publisher(con, state, keys or {})
            con.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
            tables = mart_tables(con, "warehouse")
            for (stale,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = ? "
                "and table_schema = 'main'",
                [publisher.catalog],
            ).fetchall():
                if stale not in tables:
                    con.execute(f'drop table main."{stale}"')
            row_counts.update(publisher.publish_all(tables))
            con.execute("detach warehouse")
            con.execute("checkpoint")
            rebuild = state is not None and (_mostly_free(con) or _mostly_dead(con))
            if not rebuild and parquet_dir is not None:
                export_parquet(con, row_counts, parquet_dir)
        finally:
            con.close()
        if not row_counts:
            raise RuntimeError(f"No tables in schema {MARTS_SCHEMA} of {warehouse_path}: nothing to publish.")
        if rebuild:  # too much free space left by deletes: a fresh, compact file instead
            _remove_quietly(staging_path, wal_path)
            return publish_marts(
                warehouse_path,
                marts_path,
                parquet_dir=parquet_dir,
                work_dir=work_dir,
                keys=keys,
                full=True,
                report=report,
                file_report=file_report,
                memory_limit=memory_limit,
            )
        os.replace(staging_path, marts_path)
        if keys:
            partial = state_path.with_name(f"{state_path.name}.{uuid.uuid4().hex}")
            partial.write_text(
                json.dumps({"file": _file_identity(marts_path), "tables": publisher.tables}, indent=1)
            )
            os.replace(partial, state_path)
        if report is not None:
            report.update(publisher.modes)
        if file_report is not None:
            file_report["started_from"] = started_from
    finally:
        _remove_quietly(staging_path, wal_path)
    return row_counts


def export_parquet(con: duckdb.DuckDBPyConnection, tables, parquet_dir: Path) -> None:
    """One Parquet file per mart, each written aside and renamed into place."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    _sweep(parquet_dir, ".*.parquet.*")
    for table in tables:
        target = parquet_dir / f"{table}.parquet"
        partial = parquet_dir / f".{table}.parquet.{uuid.uuid4().hex}"
        try:
            con.execute(f"copy main.\"{table}\" to '{partial}' (format parquet, compression zstd)")
            os.replace(partial, target)
        finally:
            _remove_quietly(partial)
