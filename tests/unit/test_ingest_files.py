"""Finding export files: local folders and any fsspec URL, as local paths DuckDB can read."""

import uuid
from pathlib import Path

import duckdb
import fsspec
import pytest

from orchestration.ingest.files import list_export_days, list_export_files, local_export_files
from orchestration.ingest.land import land_all
from orchestration.resources import ExportSourceResource

CALLS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "landing" / "voice_calls" / "2026-11-02"
)
DAY = "2026-11-02"


@pytest.fixture
def memory_root():
    """A remote-looking landing root (fsspec's in-memory filesystem) holding two voice_calls files."""
    root = f"memory://landing-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    for path in sorted(CALLS.iterdir()):
        fs.pipe(f"{root}/voice_calls/{DAY}/{path.name}", path.read_bytes())
    fs.pipe(f"{root}/voice_calls/{DAY}/.upload.tmp", b"partial")
    yield root
    fs.rm(root, recursive=True)


def test_local_files_are_listed_in_name_order_skipping_hidden_ones(tmp_path):
    folder = tmp_path / "voice_calls" / DAY
    folder.mkdir(parents=True)
    for name in ("b.csv", "a.csv.gz", ".partial.csv"):
        (folder / name).write_text("x")
    (folder / "nested").mkdir()
    assert list_export_files(str(tmp_path), "voice_calls", DAY) == [
        "voice_calls/2026-11-02/a.csv.gz",
        "voice_calls/2026-11-02/b.csv",
    ]
    assert list_export_files(str(tmp_path), "voice_calls", "2026-11-03") == []
    (tmp_path / "voice_calls" / "notes").mkdir()
    assert list_export_days(str(tmp_path), "voice_calls") == [DAY]
    with local_export_files(str(tmp_path), "voice_calls", DAY) as files:
        assert [f.path for f in files] == [folder / "a.csv.gz", folder / "b.csv"]


def test_remote_files_are_downloaded_to_local_paths_for_the_block(memory_root):
    resource = ExportSourceResource(root=memory_root)
    assert resource.list_files("voice_calls", DAY) == [
        "voice_calls/2026-11-02/calls_part1.csv",
        "voice_calls/2026-11-02/calls_part2.csv.gz",
    ]
    with resource.local_files("voice_calls", DAY) as files:
        paths = [f.path for f in files]
        assert all(p.exists() for p in paths)
        assert paths[0].read_bytes() == (CALLS / "calls_part1.csv").read_bytes()
    assert not any(p.exists() for p in paths)


def test_a_remote_landing_root_lands_like_a_local_one(memory_root):
    con = duckdb.connect()
    [report] = land_all(con, memory_root, sources=["voice_calls"])
    assert (report.status, report.rows_landed) == ("landed", 6)
    assert con.execute("select count(distinct _source_file) from raw.voice_calls").fetchone()[0] == 2
