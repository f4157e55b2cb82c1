"""The manifest of delivered files, `raw._landed_files`: every delivery recorded, landed or not.

A row is *current* while its rows are the ones in raw for that (source, day); a rebuild of the partition
retires the previous rows. The manifest makes a second delivery of the same file a no-op and a changed
file a clean reload.
"""

from __future__ import annotations

from dataclasses import dataclass

MANIFEST_TABLE = "raw._landed_files"
STATUSES = ("landed", "duplicate", "reloaded", "refused")

MANIFEST_DDL = f"""
create table if not exists {MANIFEST_TABLE} (
    source VARCHAR not null,
    export_date DATE not null,
    path VARCHAR not null,
    sha256 VARCHAR,
    bytes BIGINT,
    rows_landed BIGINT,
    rows_quarantined BIGINT,
    status VARCHAR not null,
    reason VARCHAR,
    loaded_at TIMESTAMP not null,
    load_id VARCHAR not null,
    is_current BOOLEAN not null
)"""


@dataclass
class FileOutcome:
    """What happened to one delivered file in one landing."""

    path: str
    sha256: str | None
    bytes: int
    status: str  # landed | duplicate | reloaded | refused
    reason: str | None = None
    rows_landed: int = 0
    rows_quarantined: int = 0

    @property
    def is_current(self) -> bool:
        return self.status in ("landed", "reloaded")


def current_files(con, source: str, day: str) -> dict[str, str]:
    """path → sha256 of the files whose rows are in raw now for this partition."""
    rows = con.execute(
        f"select path, sha256 from {MANIFEST_TABLE} where source = ? and export_date = ? and is_current",
        [source, day],
    ).fetchall()
    return dict(rows)


def last_refusals(con, source: str, day: str) -> dict[tuple[str, str], str]:
    """(path, sha256) → reason of files whose latest delivery was refused: unchanged, they are not reread."""
    rows = con.execute(
        f"""
        select path, sha256, status, reason from {MANIFEST_TABLE}
        where source = ? and export_date = ?
        qualify row_number() over (partition by path order by loaded_at desc) = 1
        """,
        [source, day],
    ).fetchall()
    return {(path, sha): reason for path, sha, status, reason in rows if status == "refused"}


def record(
    con, source: str, day: str, outcomes: list[FileOutcome], *, loaded_at, load_id: str, rebuilt: bool
):
    """Append this landing's outcomes; when the partition was rebuilt, retire the previous current rows."""
    if rebuilt:
        con.execute(
            f"update {MANIFEST_TABLE} set is_current = false "
            "where source = ? and export_date = ? and is_current",
            [source, day],
        )
    rows = [
        (
            source,
            day,
            o.path,
            o.sha256,
            o.bytes,
            o.rows_landed,
            o.rows_quarantined,
            o.status,
            o.reason,
            loaded_at,
            load_id,
            o.is_current and rebuilt,
        )
        for o in outcomes
    ]
    if rows:
        con.executemany(f"insert into {MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
