"""Resources: the private DuckDB warehouse and the landing root of the channel exports."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.locking import writer_lock
from orchestration.maintenance import DAILY_VACUUM_TASKS
from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, Settings

# Session settings of every pipeline connection to the warehouse, after its memory limit; the dbt profile
# (dbt_project/profiles.yml) repeats them, a test checks they agree.
SESSION_SETTINGS = {
    "preserve_insertion_order": "false",
    # deleted rows are reclaimed by the weekly compaction, not at every checkpoint (maintenance.py)
    "max_vacuum_tasks": str(DAILY_VACUUM_TASKS),
    # half the memory limit kept mapped by DuckDB rather than returned to the OS after each task
    "block_allocator_memory": "50%",
}


def connect_warehouse(
    path: Path, *, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT, read_only: bool = False
):
    """Open the warehouse with a bounded memory limit and a spill directory beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_dir = path.parent / "tmp"
    temp_dir.mkdir(exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise RuntimeError(
                f"The warehouse {path} is held by another process (DuckDB allows one writer, and a reader "
                f"blocks writers too): {error}. Pipeline runs wait for each other's writer lock, so the "
                "holder is outside the pipeline (a shell, a BI tool): close it. BI tools read the marts file."
            ) from error
        raise
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set temp_directory = '{temp_dir}'")
    for name, value in SESSION_SETTINGS.items():
        con.execute(f"set {name} = '{value}'")
    return con


class WarehouseResource(ConfigurableResource):
    """The private working warehouse (one writer at a time). BI tools read the published file instead."""

    path: str
    published_path: str
    parquet_dir: str | None = None
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WarehouseResource:
        settings = settings or Settings.from_env()
        return cls(
            path=str(settings.warehouse_path),
            published_path=str(settings.marts_path),
            parquet_dir=str(settings.parquet_dir) if settings.publish_parquet else None,
            memory_limit=settings.duckdb_memory_limit,
        )

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection under the writer lock: even a read-only open would block another process's writes."""
        with writer_lock(Path(self.path).parent, label="dagster step"):
            con = connect_warehouse(Path(self.path), memory_limit=self.memory_limit, read_only=read_only)
            try:
                yield con
            finally:
                con.close()


class ExportSourceResource(ConfigurableResource):
    """The landing root of the channel exports: a local folder, or any fsspec URL (s3://, sftp://, file://).

    Files are listed as `<root>/<source>/<YYYY-MM-DD>/*`; remote ones are downloaded to a temporary
    folder for the duration of the `local_files` block, so DuckDB always reads local paths.
    """

    root: str

    def list_files(self, source: str, day: str) -> list[str]:
        """The partition's files, as paths relative to the root (`<source>/<day>/<file>`)."""
        from orchestration.ingest.files import list_export_files

        return list_export_files(self.root, source, day)

    @contextlib.contextmanager
    def local_files(self, source: str, day: str):
        """The partition's files as `ExportFile`s with local paths (downloaded when the root is remote)."""
        from orchestration.ingest.files import local_export_files

        with local_export_files(self.root, source, day) as files:
            yield files
