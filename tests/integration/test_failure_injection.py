"""The warehouse on its worst day: each test breaks it on purpose and checks that nothing is lost or doubled.

Tiny generated exports (3 days, ~150 interactions a day). Runs go through `python -m orchestration.cli` in
real processes, since DuckDB's locks are per process. The tests that build marts are marked slow; the
landing-level ones are fast. Numbering follows the issue's list.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from failure_helpers import (
    DAYS,
    FIRST,
    LAST,
    Site,
    cli,
    mart_rows,
    marts_hashes,
    query,
    reading,
    run_python,
    start_cli,
    start_python,
)

from orchestration.ingest.files import local_export_files
from orchestration.ingest.land import land_partition, refusal_lines

CALLS = "voice_calls"


def land(warehouse: Path, landing: Path, source: str, day: str, **options):
    con = duckdb.connect(str(warehouse))
    try:
        with local_export_files(str(landing), source, day) as files:
            return land_partition(con, source, day, files, **options)
    finally:
        con.close()


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def calls_of_day(landing: Path, day: str) -> tuple[list[str], list[list[str]]]:
    """Every call row of a day, all client files together."""
    header, rows = None, []
    for path in sorted((landing / CALLS / day).iterdir()):
        header, part = read_csv_rows(path)
        rows += part
    return header, rows


def new_calls_file(landing: Path, day: str, name: str, bad: int) -> tuple[Path, int]:
    """A further delivery of the day's calls under new ids, `bad` of them with an invalid direction."""
    header, rows = calls_of_day(landing, day)
    call_id, direction = header.index("call_id"), header.index("direction")
    for number, row in enumerate(rows):
        row[call_id] = f"FI-{number:05d}"
        if number < bad:
            row[direction] = "sideways"
    path = landing / CALLS / day / name
    write_csv_rows(path, header, rows)
    return path, len(rows)


def raw_snapshot(warehouse: Path, source: str = CALLS) -> list[tuple]:
    return query(
        warehouse, f"select * exclude (_loaded_at) from raw.{source} order by _source_file, _row_number"
    )


def manifest_rows(warehouse: Path, source: str, day: str) -> list[tuple]:
    return query(
        warehouse,
        "select path.split('/')[-1], status, is_current from raw._landed_files "
        "where source = ? and export_date = ? order by loaded_at, path",
        [source, day],
    )


# 1. The ingest process is killed mid-load -------------------------------------------------------------

KILLED_LOAD = """
import os, signal, sys
import duckdb
from orchestration.ingest import batch, manifest
from orchestration.ingest.files import local_export_files
from orchestration.ingest.land import land_partition

warehouse, landing, source, day, point = sys.argv[1:]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def after(function):
    def wrapper(*args, **kwargs):
        function(*args, **kwargs)
        die()
    return wrapper

if point == "reading":  # the first file read into the batch, nothing committed
    batch.read_file = after(batch.read_file)
elif point == "before_commit":  # every row and the manifest written, the transaction still open
    manifest.record = after(manifest.record)
con = duckdb.connect(warehouse)
with local_export_files(landing, source, day) as files:
    land_partition(con, source, day, files)
die()  # committed, never checkpointed or closed
"""


@pytest.mark.parametrize("point", ["reading", "before_commit", "after_commit"])
def test_1_a_load_killed_mid_way_lands_exactly_the_files_rows_on_rerun(sample_site, tmp_path, point):
    reference = land(tmp_path / "reference.duckdb", sample_site.landing, CALLS, FIRST)
    assert reference.rows_landed > 50 and len(reference.files) == 4
    warehouse = tmp_path / "warehouse.duckdb"
    killed = run_python(
        sample_site, KILLED_LOAD, str(warehouse), str(sample_site.landing), CALLS, FIRST, point, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    rerun = land(warehouse, sample_site.landing, CALLS, FIRST)

    assert raw_snapshot(warehouse) == raw_snapshot(tmp_path / "reference.duckdb")
    manifest = manifest_rows(warehouse, CALLS, FIRST)
    current = Counter(name for name, status, is_current in manifest if is_current)
    assert current == Counter({outcome.path.split("/")[-1]: 1 for outcome in reference.files})
    if point == "after_commit":  # the rerun saw the committed load: a recorded no-op
        assert rerun.status == "unchanged" and len(manifest) == 8
    else:  # nothing of the killed load survived, not even its manifest entries
        assert rerun.status == "landed" and len(manifest) == 4
        assert {status for _, status, _ in manifest} == {"landed"}


# 2. The same file delivered twice; a corrected file for the same day ---------------------------------


def test_2_a_second_delivery_is_one_load_and_a_corrected_file_replaces_the_day(sample_site, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(sample_site.landing / CALLS / FIRST, landing / CALLS / FIRST)
    warehouse = tmp_path / "warehouse.duckdb"
    first = land(warehouse, landing, CALLS, FIRST)
    landed = raw_snapshot(warehouse)
    loaded_at = query(warehouse, "select distinct _loaded_at from raw.voice_calls")

    # the same files again, and one of them re-sent under another name
    folder = landing / CALLS / FIRST
    target = folder / "voice_calls_acme_telecom.csv.gz"
    shutil.copy(target, folder / "voice_calls_acme_telecom (1).csv.gz")
    again = land(warehouse, landing, CALLS, FIRST)
    assert again.status == "unchanged" and {f.status for f in again.files} == {"duplicate"}
    resent = next(f for f in again.files if "(1)" in f.path)
    assert resent.reason == "same content as voice_calls/2026-11-02/voice_calls_acme_telecom.csv.gz"
    assert raw_snapshot(warehouse) == landed
    assert query(warehouse, "select distinct _loaded_at from raw.voice_calls") == loaded_at

    # a corrected delivery of one file: a changed value and a withdrawn row
    (folder / "voice_calls_acme_telecom (1).csv.gz").unlink()
    header, rows = read_csv_rows(target)
    resolved = header.index("is_resolved")
    rows[0][resolved] = "false" if rows[0][resolved] == "true" else "true"
    withdrawn = rows.pop()[header.index("call_id")]
    write_csv_rows(target, header, rows)
    corrected = land(warehouse, landing, CALLS, FIRST)

    assert corrected.status == "landed"
    assert {f.path.split("/")[-1]: f.status for f in corrected.files}["voice_calls_acme_telecom.csv.gz"] == (
        "reloaded"
    )
    assert corrected.rows_landed == first.rows_landed - 1
    acme = query(
        warehouse,
        "select call_id, is_resolved::VARCHAR from raw.voice_calls where _source_file like '%acme%' "
        "order by _row_number",
    )
    assert [call for call, _ in acme] == [row[0] for row in rows] and withdrawn not in dict(acme)
    assert acme[0][1] == rows[0][resolved]
    others = [row for row in landed if "acme" not in row[-4]]
    assert [row for row in raw_snapshot(warehouse) if "acme" not in row[-4]] == others
    deliveries = [
        (status, current)
        for name, status, current in manifest_rows(warehouse, CALLS, FIRST)
        if name == "voice_calls_acme_telecom.csv.gz"
    ]
    assert deliveries == [("landed", False), ("duplicate", False), ("reloaded", True)]


# 3, 4, 9. A day rerun five times: with a reader holding the published file, and two runs at once -----

READER = """
import os, sys, time
import duckdb
path, stop = sys.argv[1:]
con = duckdb.connect(path, read_only=True)
print("inode", os.stat(path).st_ino, flush=True)
while not os.path.exists(stop):
    try:
        answer = con.execute("select count(*), sum(handle_seconds) from fct_interactions").fetchone()
        print("ok", answer, flush=True)
    except Exception as error:
        print("error", type(error).__name__, error, flush=True)
    time.sleep(0.2)
con.close()
"""


@pytest.fixture(scope="module")
def reruns(built_site, tmp_path_factory):
    """The last day rerun five times: runs 1-2 alone, run 3 with a BI reader, runs 4-5 started at once."""
    site = built_site.copy(tmp_path_factory.mktemp("fi-reruns") / "site")
    day = ["run", "--from", LAST, "--to", LAST]
    outcome = {"baseline": marts_hashes(site.marts), "runs": [], "hashes": []}
    for _ in range(2):
        outcome["runs"].append(cli(site, *day))
        outcome["hashes"].append(marts_hashes(site.marts))

    stop = site.root / "stop-reader"
    reader = start_python(
        site, READER, str(site.marts), str(stop), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout.readline().startswith("inode")
    time.sleep(0.5)
    outcome["inode_before"] = site.marts.stat().st_ino
    outcome["runs"].append(cli(site, *day))
    outcome["inode_after"] = site.marts.stat().st_ino
    time.sleep(0.5)
    stop.touch()
    reader_out, reader_err = reader.communicate(timeout=60)
    outcome["reader"] = (reader.returncode, reader_out.splitlines(), reader_err)
    outcome["hashes"].append(marts_hashes(site.marts))

    pair = [start_cli(site, *day), start_cli(site, *day)]
    while all(process.poll() is None for process in pair):
        time.sleep(0.1)
    outcome["hashes"].append(marts_hashes(site.marts))  # the second run is still ingesting or in dbt
    for process in pair:
        out, err = process.communicate(timeout=900)
        outcome["runs"].append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    outcome["hashes"].append(marts_hashes(site.marts))
    outcome["site"] = site
    return outcome


@pytest.mark.slow
def test_3_a_day_rerun_five_times_publishes_identical_marts(reruns):
    assert [run.returncode for run in reruns["runs"]] == [0] * 5, [r.stderr[-1500:] for r in reruns["runs"]]
    baseline = reruns["baseline"]
    assert len(baseline) >= 15 and baseline["fct_interactions"][1] > 300
    for number, hashes in enumerate(reruns["hashes"], start=1):
        changed = sorted(table for table in baseline if hashes.get(table) != baseline[table])
        assert changed == [] and hashes.keys() == baseline.keys(), f"rerun {number} changed {changed}"


@pytest.mark.slow
def test_4_a_reader_holding_the_published_file_does_not_stop_a_run_from_publishing(reruns):
    run = reruns["runs"][2]
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Published marts" in run.stdout
    assert reruns["inode_after"] != reruns["inode_before"]  # a new file was swapped in
    returncode, lines, err = reruns["reader"]
    assert returncode == 0, err
    answers = [line for line in lines if line.startswith(("ok", "error"))]
    assert len(answers) > 10 and all(line.startswith("ok") for line in answers)
    assert len(set(answers)) == 1  # one consistent snapshot throughout the run


@pytest.mark.slow
def test_9_two_runs_started_at_once_queue_on_the_writer_lock_without_errors_or_duplicates(reruns, built_site):
    first, second = reruns["runs"][3:]
    assert (first.returncode, second.returncode) == (0, 0), (first.stderr[-2000:], second.stderr[-2000:])
    waited = [run for run in (first, second) if "Waiting for the warehouse writer lock" in run.stderr]
    assert len(waited) == 1 and "held by cx run (pid" in waited[0].stderr
    for run in (first, second):
        assert "Could not set lock" not in run.stdout + run.stderr
        assert "held by another process" not in run.stdout + run.stderr
    site = reruns["site"]
    count_all = " union all ".join(
        f"select '{s}', count(*) from raw.{s}"
        for s in ("voice_calls", "chat_sessions", "email_tickets", "crm_customers")
    )
    assert query(site.warehouse, count_all) == query(built_site.warehouse, count_all)
    assert (
        query(
            site.warehouse,
            "select source, export_date, path from raw._landed_files where is_current "
            "group by all having count(*) > 1",
        )
        == []
    )
    assert (
        query(
            site.marts,
            "select channel, interaction_id from fct_interactions group by all having count(*) > 1",
        )
        == []
    )


# 5. Bad rows below and above the threshold -----------------------------------------------------------


def test_5a_bad_rows_below_the_threshold_are_quarantined_and_the_rest_lands(sample_site, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(sample_site.landing / CALLS / FIRST, landing / CALLS / FIRST)
    path, rows = new_calls_file(landing, FIRST, "late_part.csv", bad=1)
    assert 1 / rows < 0.05
    report = land(tmp_path / "warehouse.duckdb", landing, CALLS, FIRST)
    outcome = next(f for f in report.files if f.path.endswith("late_part.csv"))
    assert (outcome.status, outcome.rows_landed, outcome.rows_quarantined) == ("landed", rows - 1, 1)
    assert report.quarantined_by_rule == {"enum:direction": 1}
    assert query(
        tmp_path / "warehouse.duckdb",
        "select _row_number, rule from quarantine.voice_calls where _source_file like '%late_part.csv'",
    ) == [(1, "enum:direction")]  # data rows are numbered from 1


@pytest.mark.slow
def test_5b_a_file_over_the_threshold_is_refused_and_the_published_marts_stay_unchanged(site):
    before = marts_hashes(site.marts)
    _, rows = new_calls_file(site.landing, LAST, "late_part.csv", bad=10)
    assert 10 / rows > 0.05
    run = cli(site, "run", "--from", LAST, "--to", LAST)
    assert run.returncode == 1
    assert "voice_calls/2026-11-04/late_part.csv: 10 of" in run.stderr and "over the 5% limit" in run.stderr
    assert marts_hashes(site.marts) == before
    assert query(
        site.warehouse, "select count(*) from raw.voice_calls where _source_file like '%late_part%'"
    ) == [(0,)]
    assert query(site.warehouse, "select status from raw._landed_files where path like '%late_part.csv'") == [
        ("refused",)
    ]


# 6. Schema drift --------------------------------------------------------------------------------------


def _drift(header: list[str], rows: list[list[str]], kind: str) -> tuple[list[str], list[list[str]]]:
    if kind == "renamed":
        return ["call_ref" if name == "call_id" else name for name in header], rows
    if kind == "missing":
        index = header.index("offered_at")
        return header[:index] + header[index + 1 :], [row[:index] + row[index + 1 :] for row in rows]
    index = header.index("talk_seconds")  # retyped: a duration as text
    return header, [[*row[:index], f"{row[index]} sec", *row[index + 1 :]] for row in rows]


@pytest.mark.parametrize(
    ("kind", "column", "hint"),
    [
        ("renamed", "call_id", "unexpected column(s) call_ref: renamed?"),
        ("missing", "offered_at", "missing"),
        ("retyped", "talk_seconds", "retyped?"),
    ],
)
def test_6_schema_drift_is_refused_naming_the_file_and_the_column(sample_site, tmp_path, kind, column, hint):
    landing = tmp_path / "landing"
    shutil.copytree(sample_site.landing / CALLS / FIRST, landing / CALLS / FIRST)
    drifted = landing / CALLS / FIRST / "voice_calls_acme_telecom.csv.gz"
    write_csv_rows(drifted, *_drift(*read_csv_rows(drifted), kind))
    report = land(tmp_path / "warehouse.duckdb", landing, CALLS, FIRST)
    [line] = refusal_lines([report])
    assert line.startswith("voice_calls/2026-11-02/voice_calls_acme_telecom.csv.gz: ")
    assert re.search(rf"\b{column}\b", line) and hint in line, line
    landed_files = query(tmp_path / "warehouse.duckdb", "select distinct _source_file from raw.voice_calls")
    assert len(landed_files) == 3 and not any("acme" in name for (name,) in landed_files)


# 7. A late export for D-2 after D was published --------------------------------------------------------


@pytest.mark.slow
def test_7_a_late_export_for_d_minus_2_changes_only_the_figures_that_depend_on_it(site):
    late = site.root / "late" / "voice_surveys" / FIRST
    header, surveys = read_csv_rows(next(late.iterdir()))
    call_ids = {row[header.index("call_id")] for row in surveys}
    tables = sorted(marts_hashes(site.marts))
    before = {table: mart_rows(site.marts, table) for table in tables}
    calls = [row for row in before["fct_interactions"] if row["interaction_id"] in call_ids]
    assert len(calls) > 5
    days = {(row["client_id"], row["interaction_date"]) for row in calls}
    agents = {row["agent_id"] for row in calls}

    shutil.copytree(late, site.landing / "voice_surveys" / FIRST)
    run = cli(site, "run", "--from", FIRST, "--to", FIRST)
    assert run.returncode == 0, run.stderr[-3000:]
    after = {table: mart_rows(site.marts, table) for table in tables}

    def its_call(row):
        return row["interaction_id"] in call_ids

    allowed = {
        "fct_interactions": its_call,
        "interaction_summaries": its_call,
        "fct_survey_responses": its_call,
        "alerts": lambda row: row["interaction_id"] in call_ids,
        "csat_daily": lambda row: (
            row["channel"] == "voice" and (row["client_id"], row["interaction_date"]) in days
        ),
        "agent_scorecard_weekly": lambda row: row["agent_id"] in agents,
    }
    changed = {}
    for table in tables:
        old = Counter(repr(sorted(row.items())) for row in before[table])
        new = Counter(repr(sorted(row.items())) for row in after[table])
        rows = {key: row for row in before[table] + after[table] if (key := repr(sorted(row.items())))}
        diff = [rows[key] for key in (old - new) + (new - old)]
        changed[table] = len(diff)
        outside = [row for row in diff if not allowed.get(table, lambda _: False)(row)]
        assert outside == [], f"{table}: {len(outside)} changed rows do not depend on {FIRST}: {outside[:2]}"
    assert (
        changed["fct_survey_responses"] > 0 and changed["csat_daily"] > 0 and changed["fct_interactions"] > 0
    )
    responses = {row["interaction_id"] for row in after["fct_survey_responses"]}
    assert len(responses & call_ids) >= len(call_ids) * 0.8  # the late surveys are in (bad rows excepted)


# 8. A crash after the dbt build, before publishing -------------------------------------------------------

CRASHED_RUN = """
import os, signal, sys
import orchestration.publish as publish
from orchestration import cli

class KillAtTheSwap:  # the aside file is complete; the crash comes before it is swapped in
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        if str(target).endswith("marts.duckdb"):
            os.kill(os.getpid(), signal.SIGKILL)
        return os.replace(source, target)

publish.os = KillAtTheSwap()
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_8_a_crash_before_publishing_keeps_the_previous_marts_and_the_next_run_publishes(site):
    before, inode = marts_hashes(site.marts), site.marts.stat().st_ino
    crashed = run_python(site, CRASHED_RUN, "run", "--from", LAST, "--to", LAST)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]
    assert "cx_dbt_assets" in crashed.stderr + crashed.stdout  # it died after the dbt build

    assert site.marts.stat().st_ino == inode and marts_hashes(site.marts) == before
    beside = {path.name for path in site.warehouse_dir.iterdir()}
    assert beside <= {"warehouse.duckdb", "marts.duckdb", "parquet", "tmp", ".writer.lock"}, beside
    assert not [p for p in (site.parquet_dir).iterdir() if p.name.startswith(".")]
    assert [
        p.name for p in (site.warehouse_dir / "tmp").iterdir() if ".building" in p.name
    ]  # aside, not beside

    rerun = cli(site, "run", "--from", LAST, "--to", LAST, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert site.marts.stat().st_ino != inode and marts_hashes(site.marts) == before
    assert [
        p.name for p in site.warehouse_dir.rglob("*") if ".building" in p.name or p.suffix == ".wal"
    ] == []


# 10. The warehouse held by another writer ----------------------------------------------------------------

HOLDER = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(300)
"""


def test_10_a_warehouse_held_by_another_writer_fails_the_run_fast_saying_so(sample_site, tmp_path):
    site = Site(tmp_path / "site").prepare()
    site.warehouse_dir.mkdir(parents=True)
    shutil.copytree(sample_site.landing / CALLS / FIRST, site.landing / CALLS / FIRST)
    holder = start_python(site, HOLDER, str(site.warehouse), stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        run = cli(site, "run", timeout=120)
        elapsed = time.monotonic() - started

        assert run.returncode == 2 and elapsed < 60
        assert "is held by another process" in run.stderr and f"PID {holder.pid}" in run.stderr
        assert "Not started" in run.stderr

        # a run launched by Dagster itself (schedule, sensor, UI) fails at its first step, saying the same
        from dagster import materialize

        from orchestration.assets.ingest import ingest_assets
        from orchestration.resources import ExportSourceResource, WarehouseResource

        result = materialize(
            [asset for asset in ingest_assets if asset.key.path[-1] == CALLS],
            partition_key=FIRST,
            resources={
                "warehouse": WarehouseResource(path=str(site.warehouse), published_path=str(site.marts)),
                "exports": ExportSourceResource(root=str(site.landing)),
            },
            raise_on_error=False,
        )
        assert not result.success
        [failure] = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
        assert "is held by another process" in failure.step_failure_data.error.to_string()
    finally:
        holder.kill()
        holder.wait()


# Erasure -------------------------------------------------------------------------------------------------

PERSON_SQL = """
with contacts as (
    select client_id, customer_id from raw.voice_calls
    union all select client_id, customer.id from raw.chat_sessions
    union all select client_id, requester.id from raw.email_tickets
)
select client_id, customer_id, count(*) as contacts
from contacts
join (select distinct client_id, customer_id from raw.crm_customers) using (client_id, customer_id)
group by all order by contacts desc, customer_id limit 1
"""


def _needles(site: Site) -> tuple[str, dict[str, bytes]]:
    """The most contacted CRM customer: its e-mail, and every identifier and key it has, as bytes."""
    from failure_helpers import TEST_HASH_KEY

    from orchestration.privacy import hmac_hex

    with reading(site.warehouse) as con:
        client_id, customer_id, contacts = con.execute(PERSON_SQL).fetchone()
        assert contacts >= 3
        versions = con.execute(
            "select distinct email, phone from raw.crm_customers where client_id = ? and customer_id = ?",
            [client_id, customer_id],
        ).fetchall()
    key = TEST_HASH_KEY.encode()
    needles = {
        f"crm id {customer_id}": customer_id.encode(),
        "customer_key": hmac_hex(key, f"{client_id}:crm:{customer_id}").encode(),
    }
    for email, phone in versions:
        email = email.strip().lower()
        digits = re.sub(r"\D", "", phone)
        needles[f"email {email}"] = email.encode()
        needles[f"phone {phone}"] = phone.strip().encode()
        needles[f"phone digits {digits}"] = digits.encode()
        needles[f"email_key {email}"] = hmac_hex(key, f"{client_id}:email:{email}").encode()
        needles[f"phone_key {digits}"] = hmac_hex(key, f"{client_id}:phone:{digits}").encode()
    return versions[0][0].strip(), needles


def _found(paths: list[Path], needles: dict[str, bytes]) -> list[str]:
    found = []
    for path in paths:
        data = path.read_bytes().lower()
        found += [f"{path.name}: {label}" for label, needle in needles.items() if needle.lower() in data]
    return found


def _found_in_tables(path: Path, needles: dict[str, bytes]) -> list[str]:
    """Every row of every table as JSON text: what the file holds live, whatever its compression."""
    found = []
    with reading(path) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for schema, table in tables:
            text = (
                con.execute(
                    f'select lower(string_agg(to_json(t)::VARCHAR, chr(10))) from "{schema}"."{table}" as t'
                ).fetchone()[0]
                or ""
            )
            found += [
                f"{schema}.{table}: {label}"
                for label, needle in needles.items()
                if needle.decode().lower() in text
            ]
    return found


def _found_in_parquet(parquet_dir: Path, needles: dict[str, bytes]) -> list[str]:
    found = []
    con = duckdb.connect()
    for path in sorted(parquet_dir.glob("*.parquet")):
        text = con.execute(
            f"select lower(string_agg(to_json(t)::VARCHAR, chr(10))) from '{path}' as t"
        ).fetchone()[0]
        found += [
            f"{path.name}: {label}" for label, needle in needles.items() if needle.decode() in (text or "")
        ]
    con.close()
    return found


@pytest.mark.slow
def test_erasing_a_customer_leaves_no_byte_of_them_in_any_file_the_warehouse_writes(site):
    email, needles = _needles(site)
    interactions = query(site.marts, "select count(*) from fct_interactions")[0][0]
    keys = [needle.decode() for label, needle in needles.items() if label.split()[0].endswith("_key")]
    theirs = query(
        site.marts,
        f"select count(*) from fct_interactions where customer_key in ({', '.join('?' * len(keys))})",
        keys,
    )[0][0]
    # positive controls: the scans find the person before the erasure, where they should be
    assert any("email" in hit for hit in _found([site.warehouse], needles))
    assert any("customer_key" in hit for hit in _found([site.marts], needles))
    assert any("customer_key" in hit for hit in _found_in_parquet(site.parquet_dir, needles))
    assert theirs >= 3
    # the Dagster event log never held them: ingest metadata is counts, names of files and rules
    assert _found([p for p in site.dagster_home.rglob("*") if p.is_file()], needles) == []

    erased = cli(site, "erase", "-", stdin=email + "\n")

    assert erased.returncode == 0, erased.stderr[-3000:]
    assert [
        label
        for label, needle in needles.items()
        if needle.decode().lower() in (erased.stdout + erased.stderr).lower()
    ] == []
    files = [p for p in site.warehouse_dir.rglob("*") if p.is_file()] + [
        p for p in site.dagster_home.rglob("*") if p.is_file()
    ]
    assert (
        site.warehouse in files
        and site.marts in files
        and len(list(site.parquet_dir.glob("*.parquet"))) >= 15
    )
    assert _found(files, needles) == []
    assert _found_in_tables(site.warehouse, needles) == []
    assert _found_in_tables(site.marts, needles) == []
    assert _found_in_parquet(site.parquet_dir, needles) == []
    assert [
        p.name for p in site.warehouse_dir.rglob("*") if p.suffix == ".wal" or "compacting" in p.name
    ] == []
    # only the person's interactions went
    assert query(site.marts, "select count(*) from fct_interactions")[0][0] == interactions - theirs

    [(kind, status, subject, removed)] = query(
        site.warehouse, "select identifier_kind, status, subject_key, rows_removed_by_table from ops.erasures"
    )
    assert (kind, status) == ("email", "completed") and len(subject) == 64
    assert subject not in keys
    counts = json.loads(removed)
    assert counts["raw.crm_customers"] >= 1 and sum(counts.values()) >= theirs

    # a forced re-ingest of every day from the same exports does not bring them back
    exports = [p for p in site.landing.rglob("*") if p.is_file()]
    assert any(
        email.lower().encode()
        in (gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).lower()
        for p in exports
    )
    from orchestration.ingest.land import land_all

    con = duckdb.connect(str(site.warehouse))
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("CX_HASH_KEY", site.env()["CX_HASH_KEY"])
            reports = land_all(con, str(site.landing), days=list(DAYS), force=True)
    finally:
        con.close()
    assert sum(report.rows_landed for report in reports) > 500
    assert _found_in_tables(site.warehouse, needles) == []


def _holding(con, table: str, values: list[str]) -> int:
    condition = " or ".join("contains(lower(to_json(t)::VARCHAR), ?)" for _ in values)
    return con.execute(
        f"select count(*) from {table} as t where {condition}", [v.lower() for v in values]
    ).fetchone()[0]


def test_erasure_purges_raw_and_quarantine_and_a_forced_reload_does_not_bring_the_person_back(
    sample_site, tmp_path, monkeypatch
):
    from failure_helpers import TEST_HASH_KEY

    from orchestration.ingest.land import land_all
    from orchestration.privacy.person import purge, resolve

    monkeypatch.setenv("CX_HASH_KEY", TEST_HASH_KEY)
    landing = tmp_path / "landing"
    shutil.copytree(sample_site.landing, landing)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    land_all(con, str(landing), days=list(DAYS))
    client_id, customer_id, _ = con.execute(PERSON_SQL).fetchone()
    # one of their calls delivered again, broken: it lands in quarantine
    header, rows = calls_of_day(landing, FIRST)
    theirs = [row for row in rows if row[header.index("customer_id")] == customer_id]
    row = list((theirs or rows)[0])
    row[header.index("customer_id")], row[header.index("client_id")] = customer_id, client_id
    row[header.index("call_id")], row[header.index("direction")] = "FI-BROKEN", "sideways"
    write_csv_rows(landing / CALLS / FIRST / "resent.csv", header, [row])
    land_all(con, str(landing), sources=[CALLS], days=[FIRST], max_bad_share=1.0)
    emails, phones = zip(
        *con.execute(
            "select lower(trim(email)), phone from raw.crm_customers where client_id = ? and customer_id = ?",
            [client_id, customer_id],
        ).fetchall(),
        strict=True,
    )
    values = [customer_id, *emails, *phones]
    tables = [
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'quarantine') "
            "and table_name <> '_landed_files'"
        ).fetchall()
    ]
    before = {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in tables}
    assert (
        _holding(con, "quarantine.voice_calls", values) >= 1
        and _holding(con, "raw.crm_customers", values) >= 1
    )

    identities = resolve(con, "crm", customer_id, None)
    con.execute("begin transaction")
    removed, interactions = purge(con, identities, TEST_HASH_KEY.encode(), "test")
    con.execute("commit")

    assert {kind for _, kind, _ in identities} >= {"crm", "email", "phone"} and interactions
    assert removed["quarantine.voice_calls"] >= 1 and removed["raw.crm_customers"] >= 1
    for table in tables:  # the person is gone, and nobody else
        assert _holding(con, table, values) == 0, table
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == before[table] - removed[table]
    reports = land_all(con, str(landing), days=list(DAYS), force=True, max_bad_share=1.0)
    assert sum(report.rows_quarantined for report in reports) >= 1  # the broken call was read again
    assert [table for table in tables if _holding(con, table, values)] == []
    con.close()
