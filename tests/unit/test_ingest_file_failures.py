"""File-level failures: nothing of the file lands, the reason names the problem, everything else goes on."""

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.files import local_export_files
from orchestration.ingest.land import MAX_BAD_ROW_SHARE_ENV, land_all, land_partition, refusal_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
BAD, LANDING = FIXTURES / "bad", FIXTURES / "landing"
DAY = "2026-11-02"


def deliver(root: Path, source: str, *names: str, day: str = DAY, src: Path = BAD) -> Path:
    folder = root / source / day
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(src / name, folder / name)
    return folder


def land(con, root: Path, source: str, day: str = DAY, **options):
    with local_export_files(str(root), source, day) as files:
        return land_partition(con, source, day, files, **options)


def manifest(con) -> list[tuple]:
    return con.execute(
        "select path, status, reason, rows_landed from raw._landed_files order by path"
    ).fetchall()


REFUSALS = [
    ("voice_calls", "truncated.csv.gz", "unreadable or truncated gzip"),
    ("voice_calls", "not_gzip.csv.gz", "unreadable or truncated gzip"),
    ("voice_surveys", "latin1.csv", "not UTF-8"),
    ("voice_calls", "missing_column.csv", "missing required column(s): call_id"),
    ("voice_calls", "too_many_bad.csv", "2 of 21 rows (9.5%) broke row rules, over the 5% limit"),
    ("voice_calls", "field_count.csv", "most frequent: csv_field_count ×1"),
    ("voice_calls", "notes.txt", "unsupported file type"),
]


@pytest.mark.parametrize(("source", "name", "reason"), REFUSALS, ids=[name for _, name, _ in REFUSALS])
def test_a_bad_file_lands_nothing_says_why_and_its_siblings_still_land(tmp_path, source, name, reason):
    sibling = "calls_part1.csv" if source == "voice_calls" else "surveys.csv"
    deliver(tmp_path, source, name)
    deliver(tmp_path, source, sibling, src=LANDING / source / DAY)
    con = duckdb.connect()
    report = land(con, tmp_path, source)
    [refused] = report.refused
    assert refused.path == f"{source}/{DAY}/{name}" and reason in refused.reason
    assert refusal_lines([report]) == [f"{source}/{DAY}/{name}: {refused.reason}"]
    landed_files = con.execute(f"select distinct _source_file from raw.{source}").fetchall()
    assert landed_files == [(f"{source}/{DAY}/{sibling}",)]
    assert con.execute(f"select count(*) from quarantine.{source}").fetchone()[0] == 0
    assert (f"{source}/{DAY}/{name}", "refused", refused.reason, 0) in manifest(con)


def test_a_non_utf8_byte_deep_in_a_csv_refuses_the_whole_file(tmp_path):
    header, row = (LANDING / "voice_surveys" / DAY / "surveys.csv").read_text().splitlines()[:2]
    rows = [row.replace("S001", f"S{i:05d}") for i in range(3000)]  # well past any header sniffing
    folder = tmp_path / "voice_surveys" / DAY
    folder.mkdir(parents=True)
    (folder / "big.csv").write_bytes(
        ("\n".join([header, *rows]) + "\nS99999,C1,acme,2026-11-02T00:00:00Z,5,1,Jos\xe9\n").encode("latin-1")
    )
    con = duckdb.connect()
    [refused] = land(con, tmp_path, "voice_surveys").refused
    assert refused.reason == "not UTF-8 (first invalid byte in row 3001)"
    assert con.execute("select count(*) from raw.voice_surveys").fetchone()[0] == 0


def test_a_truncated_gzip_jsonl_is_refused(tmp_path):
    folder = tmp_path / "chat_sessions" / DAY
    folder.mkdir(parents=True)
    packed = gzip.compress((LANDING / "chat_sessions" / DAY / "chats.jsonl").read_bytes() * 300)
    (folder / "chats.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    con = duckdb.connect()
    [refused] = land(con, tmp_path, "chat_sessions").refused
    assert refused.reason == "unreadable or truncated gzip"


def test_a_corrupt_parquet_file_is_refused(tmp_path):
    folder = tmp_path / "social_mentions" / DAY
    folder.mkdir(parents=True)
    (folder / "mentions.parquet").write_bytes(b"PAR1 this is not really parquet PAR1")
    con = duckdb.connect()
    [refused] = land(con, tmp_path, "social_mentions").refused
    assert refused.reason == "unreadable Parquet file (InvalidInputException)"


def test_a_jsonl_file_without_a_required_key_in_any_line_is_a_missing_column(tmp_path):
    folder = tmp_path / "chat_sessions" / DAY
    folder.mkdir(parents=True)
    lines = (LANDING / "chat_sessions" / DAY / "chats.jsonl").read_text().replace('"queue":', '"team":')
    (folder / "chats.jsonl").write_text(lines)
    con = duckdb.connect()
    [refused] = land(con, tmp_path, "chat_sessions").refused
    assert refused.reason == "required column(s) absent or empty in every row: queue"


def test_the_bad_row_share_is_configurable_by_argument_and_by_environment(tmp_path, monkeypatch):
    deliver(tmp_path, "voice_calls", "too_many_bad.csv")
    con = duckdb.connect()
    assert land(con, tmp_path, "voice_calls").refused
    assert not land(con, tmp_path, "voice_calls", max_bad_share=0.10, force=True).refused
    assert con.execute("select count(*) from raw.voice_calls").fetchone()[0] == 19
    monkeypatch.setenv(MAX_BAD_ROW_SHARE_ENV, "0.01")
    assert land(con, tmp_path, "voice_calls", force=True).refused
    assert con.execute("select count(*) from raw.voice_calls").fetchone()[0] == 0


def test_a_refusal_reason_never_quotes_the_file_content(tmp_path):
    names = ["too_many_bad.csv", "field_count.csv", "missing_column.csv", "truncated.csv.gz"]
    deliver(tmp_path, "voice_calls", *names)
    deliver(tmp_path, "voice_surveys", "latin1.csv")
    con = duckdb.connect()
    reasons = " ".join(
        f.reason for s in ("voice_calls", "voice_surveys") for f in land(con, tmp_path, s).refused
    )
    assert reasons.count("voice_calls") == 0  # reasons carry no path either: the outcome has it
    for value in ("+1555", "G99", "outward", "surplus", "Jos", "acme", "2026-11-02T"):
        assert value not in reasons


def test_a_bad_file_on_one_day_does_not_stop_other_days_or_sources(tmp_path):
    deliver(tmp_path, "voice_calls", "truncated.csv.gz", day="2026-11-01")
    deliver(tmp_path, "voice_calls", "calls_part1.csv", src=LANDING / "voice_calls" / DAY)
    deliver(tmp_path, "nps_responses", "nps.csv", src=LANDING / "nps_responses" / DAY)
    con = duckdb.connect()
    reports = land_all(con, str(tmp_path))
    assert [(r.source, r.day, len(r.refused), r.rows_landed) for r in reports] == [
        ("voice_calls", "2026-11-01", 1, 0),
        ("voice_calls", "2026-11-02", 0, 4),
        ("nps_responses", "2026-11-02", 0, 2),
    ]


READ_TOGETHER = {
    "voice_calls": [
        ("calls_part1.csv", LANDING / "voice_calls" / DAY),
        ("calls_part2.csv.gz", LANDING / "voice_calls" / DAY),
        ("voice_calls_rules.csv", BAD),
        ("field_count.csv", BAD),
        ("truncated.csv.gz", BAD),
        ("too_many_bad.csv", BAD),
    ],
    "chat_sessions": [
        ("chats.jsonl", LANDING / "chat_sessions" / DAY),
        ("chats_late.jsonl.gz", LANDING / "chat_sessions" / DAY),
        ("chat_sessions_rules.jsonl", BAD),
        ("malformed_line.jsonl", BAD),
    ],
}


@pytest.mark.parametrize("source", sorted(READ_TOGETHER))
def test_files_read_two_at_a_time_land_what_one_at_a_time_lands(tmp_path, monkeypatch, source):
    """Rows, row numbers, UTC times, quarantine, refusals and the manifest do not depend on how many files
    are read at once. The instance's time zone is not UTC: each reading cursor must set its own."""
    import orchestration.ingest.batch as batch

    for name, folder in READ_TOGETHER[source]:
        deliver(tmp_path, source, name, src=folder)
    landed = {}
    for readers in (1, 2):
        monkeypatch.setattr(batch, "FILE_READERS", readers)
        con = duckdb.connect()
        con.execute("set global TimeZone = 'America/New_York'")
        report = land(con, tmp_path, source, max_bad_share=0.5)
        landed[readers] = (
            [(f.path, f.status, f.reason, f.rows_landed, f.rows_quarantined) for f in report.files],
            report.quarantined_by_rule,
            sorted(con.execute(f"select * exclude (_loaded_at) from raw.{source}").fetchall(), key=repr),
            sorted(
                con.execute(f"select * exclude (_loaded_at) from quarantine.{source}").fetchall(), key=repr
            ),
            manifest(con),
        )
        con.close()
    outcomes, by_rule, rows, quarantined, _ = landed[2]
    for a, b in zip(landed[1], landed[2], strict=True):
        assert a == b, (a, b)
    assert rows and quarantined and by_rule and "landed" in {status for _, status, *_ in outcomes}
