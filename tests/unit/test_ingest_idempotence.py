"""Idempotence: a rerun gives the same rows, a second delivery is a no-op, a changed file a clean reload."""

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import land as land_module
from orchestration.ingest.files import local_export_files
from orchestration.ingest.land import land_partition

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
CALLS = FIXTURES / "landing" / "voice_calls" / "2026-11-02"
DAY = "2026-11-02"
COLUMNS = "* exclude (_loaded_at)"


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "voice_calls" / DAY
    folder.mkdir(parents=True)
    for name in ("calls_part1.csv", "calls_part2.csv.gz"):
        shutil.copy(CALLS / name, folder / name)
    shutil.copy(FIXTURES / "bad" / "voice_calls_rules.csv", folder / "calls_part3.csv")
    return tmp_path


def land(con, root: Path, **options):
    with local_export_files(str(root), "voice_calls", DAY) as files:
        return land_partition(con, "voice_calls", DAY, files, max_bad_share=1.0, **options)


def snapshot(con) -> tuple[list, list]:
    raw = con.execute(f"select {COLUMNS} from raw.voice_calls order by _source_file, _row_number").fetchall()
    quarantine = con.execute(
        f"select {COLUMNS} from quarantine.voice_calls order by _source_file, _row_number"
    ).fetchall()
    return raw, quarantine


def statuses(con) -> list[tuple]:
    return con.execute(
        "select path.split('/')[-1], status, is_current from raw._landed_files order by loaded_at, path"
    ).fetchall()


def test_a_forced_rerun_of_a_day_gives_the_same_rows(root):
    con = duckdb.connect()
    land(con, root)
    first = snapshot(con)
    report = land(con, root, force=True)
    assert report.status == "landed" and snapshot(con) == first
    assert len(first[0]) == 8 and len(first[1]) == 9


def test_a_second_delivery_of_the_same_files_is_a_recorded_no_op(root):
    con = duckdb.connect()
    land(con, root)
    loaded = con.execute("select distinct _loaded_at from raw.voice_calls").fetchall()
    report = land(con, root)
    assert report.status == "unchanged" and {f.status for f in report.files} == {"duplicate"}
    assert con.execute("select distinct _loaded_at from raw.voice_calls").fetchall() == loaded
    assert statuses(con)[3:] == [
        ("calls_part1.csv", "duplicate", False),
        ("calls_part2.csv.gz", "duplicate", False),
        ("calls_part3.csv", "duplicate", False),
    ]


def test_the_same_content_under_another_name_is_a_duplicate(root):
    shutil.copy(
        root / "voice_calls" / DAY / "calls_part1.csv", root / "voice_calls" / DAY / "calls_part1_resent.csv"
    )
    con = duckdb.connect()
    report = land(con, root)
    copy = next(f for f in report.files if f.path.endswith("_resent.csv"))
    assert (
        copy.status == "duplicate" and copy.reason == "same content as voice_calls/2026-11-02/calls_part1.csv"
    )
    assert (
        con.execute("select count(*) from quarantine.voice_calls where rule like 'unique:%'").fetchone()[0]
        == 1
    )


def test_a_changed_file_is_a_clean_reload(root):
    con = duckdb.connect()
    land(con, root)
    part3 = root / "voice_calls" / DAY / "calls_part3.csv"
    part3.write_text(part3.read_text().replace("sideways", "inbound").replace("R11", "R12"))
    report = land(con, root)
    assert {f.path.split("/")[-1]: f.status for f in report.files} == {
        "calls_part1.csv": "landed",
        "calls_part2.csv.gz": "landed",
        "calls_part3.csv": "reloaded",
    }
    ids = {i for (i,) in con.execute("select call_id from raw.voice_calls").fetchall()}
    assert "R12" in ids and "R11" not in ids and "R03" in ids
    assert (
        con.execute("select count(*) from quarantine.voice_calls where rule = 'enum:direction'").fetchone()[0]
        == 0
    )
    assert con.execute("select count(*) from raw._landed_files where is_current").fetchone()[0] == 3


def test_rows_of_a_file_no_longer_delivered_leave_the_partition(root):
    con = duckdb.connect()
    land(con, root)
    (root / "voice_calls" / DAY / "calls_part3.csv").unlink()
    report = land(con, root)
    assert report.removed_files == ["voice_calls/2026-11-02/calls_part3.csv"]
    assert con.execute("select count(*) from raw.voice_calls").fetchone()[0] == 6
    assert con.execute("select count(*) from quarantine.voice_calls").fetchone()[0] == 0


def test_an_unchanged_refused_file_is_reported_again_without_rereading_the_day(root):
    shutil.copy(FIXTURES / "bad" / "truncated.csv.gz", root / "voice_calls" / DAY / "calls_part4.csv.gz")
    con = duckdb.connect()
    assert len(land(con, root).refused) == 1
    report = land(con, root)
    assert report.status == "unchanged"
    [refused] = report.refused
    assert refused.reason == "unreadable or truncated gzip (unchanged since refused)"


def test_a_day_without_files_lands_nothing_and_keeps_what_is_there(root, tmp_path_factory):
    con = duckdb.connect()
    land(con, root)
    before = snapshot(con)
    empty = tmp_path_factory.mktemp("empty")
    report = land(con, empty)
    assert report.status == "no_files" and report.files == [] and snapshot(con) == before


def test_a_failure_while_committing_leaves_the_previous_partition_intact(root, monkeypatch):
    con = duckdb.connect()
    land(con, root)
    before = snapshot(con)

    def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(land_module.manifest, "record", broken_record)
    with pytest.raises(RuntimeError, match="disk full"):
        land(con, root, force=True)
    assert snapshot(con) == before
