"""Byte-reproducible writers: CSV (RFC 4180), JSON Lines, Parquet, optionally gzipped.

Gzip members carry no file name and mtime 0, so the same table always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GZIP_LEVEL = 6


def _write_bytes(path: Path, data: bytes, compress: bool) -> None:
    if compress:
        data = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    path.write_bytes(data)


def write_csv(table: pa.Table, path: Path, compress: bool = False) -> None:
    """Header row, strings quoted, null = empty field; embedded quotes doubled, newlines kept quoted."""
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    _write_bytes(path, buffer.getvalue(), compress)


def write_jsonl(
    table: pa.Table,
    path: Path,
    con: duckdb.DuckDBPyConnection,
    compress: bool = False,
    casts: dict[str, str] | None = None,
) -> None:
    """One JSON object per line, fields in column order, nulls as `null` (DuckDB's JSON writer)."""
    con.register("_export", table)
    columns = ", ".join(
        f'"{name}"::{casts[name]} as "{name}"' if casts and name in casts else f'"{name}"'
        for name in table.column_names
    )
    scratch = path.with_name(f".{path.name.removesuffix('.gz')}.tmp") if compress else path
    try:
        con.execute(
            f"copy (select {columns} from _export) to '{scratch}' (format json, compression uncompressed)"
        )
        if compress:
            _write_bytes(path, scratch.read_bytes(), compress)
    finally:
        con.unregister("_export")
        if compress and scratch.exists():
            os.remove(scratch)


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")
