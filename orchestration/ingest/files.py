"""Finding a partition's export files under a landing root, local or any fsspec URL, as local paths."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fsspec


@dataclass(frozen=True)
class ExportFile:
    """One delivered file: `name` is its path under the landing root, `path` a copy DuckDB can read."""

    name: str
    path: Path

    @property
    def bytes(self) -> int:
        return self.path.stat().st_size

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            while chunk := handle.read(4 << 20):
                digest.update(chunk)
        return digest.hexdigest()


def _filesystem(root: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, path = fsspec.core.url_to_fs(root)
    return fs, path.rstrip("/")


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def list_export_files(root: str, source: str, day: str) -> list[str]:
    """Names (`<source>/<day>/<file>`) of the files delivered for one partition, in name order.

    Hidden files (a leading dot, as partial uploads and OS litter use) are not deliveries.
    """
    fs, base = _filesystem(root)
    folder = f"{base}/{source}/{day}"
    if not fs.isdir(folder):
        return []
    names = []
    for entry in fs.ls(folder, detail=True):
        file_name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
        if entry["type"] == "file" and not file_name.startswith("."):
            names.append(f"{source}/{day}/{file_name}")
    return sorted(names)


def list_export_days(root: str, source: str) -> list[str]:
    """The export days (`YYYY-MM-DD` folder names) present for a source."""
    fs, base = _filesystem(root)
    folder = f"{base}/{source}"
    if not fs.isdir(folder):
        return []
    days = [entry.rstrip("/").rsplit("/", 1)[-1] for entry in fs.ls(folder, detail=False)]
    return sorted(day for day in days if len(day) == 10 and day[4] == "-" and day[7] == "-")


@contextlib.contextmanager
def local_export_files(root: str, source: str, day: str) -> Iterator[list[ExportFile]]:
    """The partition's files as local paths; remote files are downloaded to a temporary folder first."""
    fs, base = _filesystem(root)
    names = list_export_files(root, source, day)
    if _is_local(fs):
        yield [ExportFile(name, Path(f"{base}/{name}")) for name in names]
        return
    with tempfile.TemporaryDirectory(prefix=f"cx-{source}-{day}-") as folder:
        files = []
        for name in names:
            local = Path(folder) / name.rsplit("/", 1)[-1]
            fs.get(f"{base}/{name}", str(local))
            files.append(ExportFile(name, local))
        yield files
