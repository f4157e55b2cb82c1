"""Landing throughput per export format, on 1M-row exports shaped like voice_calls and chat_sessions.

    python benchmarks/ingest_throughput.py [--rows 1000000] [--dir data/bench/ingest] [--gx]
    python benchmarks/ingest_throughput.py --landing /path/to/landing/root   # time a whole landing root

Writes each export once (CSV, CSV.gz, JSONL, JSONL.gz, Parquet; 0.1 % bad rows), lands it with
`land_partition` into a fresh DuckDB file opened like the warehouse (2 GB memory limit), prints rows/s.
`--gx` also times the asset check's suite over the landed voice_calls day: compiled to DuckDB SQL, and
GX 1.x itself on pandas (import, fetch and validation timed apart).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from orchestration.ingest.files import ExportFile  # noqa: E402
from orchestration.ingest.land import land_all, land_partition  # noqa: E402
from orchestration.resources import connect_warehouse  # noqa: E402

DAY = "2026-11-02"


def _ts(seconds: str) -> str:
    """An ISO-8601 text timestamp with a -05:00 offset, `seconds` after the day's local midnight."""
    return f"strftime(timestamp '{DAY} 00:00:00' + to_seconds({seconds}), '%Y-%m-%dT%H:%M:%S-05:00')"


QUEUES = "['billing', 'tech_support', 'sales']"
CATEGORIES = "['billing', 'technical', 'account', 'delivery', 'other']"
VOICE_CALLS = f"""
select 'C' || i as call_id, 'client_' || (i % 7) as client_id, {QUEUES}[i % 3 + 1] as queue,
       case when i % 1000 = 7 then 'sideways' when i % 10 = 0 then 'outbound' else 'inbound' end as direction,
       case when i % 3 = 0 then 'CU' || (i % 50000) end as customer_id,
       '+1555' || lpad((i % 9999999)::VARCHAR, 7, '0') as customer_phone,
       case when i % 9 <> 0 then 'A' || (i % 800) end as agent_id, {_ts("i % 86400")} as offered_at,
       case when i % 9 <> 0 then {_ts("i % 86400 + 20")} end as answered_at,
       {_ts("i % 86400 + 400")} as ended_at,
       case when i % 9 <> 0 then i % 600 else 0 end as talk_seconds, i % 60 as hold_seconds,
       i % 90 as acw_seconds, case when i % 9 = 0 then 'Y' else 'N' end as is_abandoned,
       i % 3 as transfer_count, case when i % 17 = 0 then 'Y' else 'N' end as is_escalated,
       case when i % 4 = 0 then 'N' else 'Y' end as is_resolved,
       case when i % 50 = 0 then 'billing, "late" fee' else {CATEGORIES}[i % 5 + 1] end as issue_category
from range({{rows}}) as t(i)"""

CHAT_SESSIONS = f"""
select 'CH' || i as chat_id, 'client_' || (i % 7) as client_id, 'q' || (i % 5) as queue,
       {{'id': case when i % 3 = 0 then 'CU' || (i % 50000) end, 'email': 'user' || i || '@example.com',
         'name': 'Name ' || i}} as customer,
       case when i % 9 <> 0 then 'A' || (i % 800) end as agent_id, {_ts("i % 86400")} as requested_at,
       case when i % 9 <> 0 then {_ts("i % 86400 + 30")} end as accepted_at,
       case when i % 9 <> 0 then {_ts("i % 86400 + 60")} end as first_agent_message_at,
       {_ts("i % 86400 + 600")} as ended_at,
       case when i % 1000 = 7 then -1 else i % 120 end as acw_seconds,
       i % 3 <> 0 as is_resolved, i % 17 = 0 as is_escalated, 'billing' as issue_category,
       case when i % 4 = 0 then {{'scale': 'stars', 'value': (i % 5 + 1)::VARCHAR, 'comment': 'great help',
                                  'rated_at': {_ts("i % 86400 + 700")}}} end as rating,
       [{{'at': {_ts("i % 86400 + 60")}, 'sender': 'customer', 'text': 'hello, my bill is wrong'}},
        {{'at': {_ts("i % 86400 + 90")}, 'sender': 'agent', 'text': 'sure, let me check that for you'}}]
           as transcript
from range({{rows}}) as t(i)"""

FORMATS = {
    "csv": "(format csv, header true)",
    "csv.gz": "(format csv, header true, compression gzip)",
    "jsonl": "(format json)",
    "jsonl.gz": "(format json, compression gzip)",
    "parquet": "(format parquet)",
}
SHAPES = {
    "voice_calls": (VOICE_CALLS, list(FORMATS)),
    "chat_sessions": (CHAT_SESSIONS, ["jsonl", "jsonl.gz", "parquet"]),  # nested: no CSV
}


def write_exports(folder: Path, rows: int) -> dict[tuple[str, str], Path]:
    """Write each (source, format) export once; files already written for the same row count are reused."""
    con, paths = duckdb.connect(), {}
    for source, (query, formats) in SHAPES.items():
        for fmt in formats:
            path = folder / str(rows) / source / DAY / f"export.{fmt}"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                select = query.replace("{rows}", str(rows))
                if fmt == "parquet" and source == "voice_calls":  # a typed timestamp, as Parquet exports have
                    select = f"select * replace (offered_at::TIMESTAMPTZ as offered_at) from ({select})"
                con.execute(f"copy ({select}) to '{path}' {FORMATS[fmt]}")
            paths[(source, fmt)] = path
    return paths


def time_formats(args) -> None:
    paths = write_exports(args.dir, args.rows)
    print(f"{'source':<14} {'format':<9} {'MB':>6} {'landed':>9} {'quarantined':>11} {'s':>7} {'rows/s':>9}")
    for (source, fmt), path in paths.items():
        db = args.dir / f"bench_{source}_{fmt.replace('.', '_')}.duckdb"
        db.unlink(missing_ok=True)
        con = connect_warehouse(db, memory_limit=args.memory_limit)
        started = time.perf_counter()
        report = land_partition(con, source, DAY, [ExportFile(f"{source}/{DAY}/{path.name}", path)])
        seconds = time.perf_counter() - started
        rows = report.rows_landed + report.rows_quarantined
        print(
            f"{source:<14} {fmt:<9} {path.stat().st_size / 1e6:>6.0f} {report.rows_landed:>9} "
            f"{report.rows_quarantined:>11} {seconds:>7.2f} {rows / seconds:>9.0f}"
        )
        if args.gx and (source, fmt) == ("voice_calls", "csv"):
            from orchestration.checks.ingest_checks import time_validation_engines

            for step, (elapsed, found) in time_validation_engines(con, source, DAY).items():
                print(f"    suite over the landed day: {step:<28} {elapsed:6.2f} s  ({found} unexpected)")
        con.close()
        db.unlink(missing_ok=True)


def time_landing_root(args) -> None:
    db = args.dir / "bench_landing_root.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    con = connect_warehouse(db, memory_limit=args.memory_limit)
    started = time.perf_counter()
    reports = land_all(con, str(args.landing))
    seconds = time.perf_counter() - started
    for r in reports:
        print(
            f"{r.source:<16} {r.day} {r.rows_landed:>9} landed {r.rows_quarantined:>7} quarantined "
            f"{len(r.refused)} refused {r.seconds:6.2f} s"
        )
    rows = sum(r.rows_landed + r.rows_quarantined for r in reports)
    print(f"total: {rows} rows in {seconds:.2f} s ({rows / seconds:.0f} rows/s)")
    con.close()
    db.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("data/bench/ingest"))
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--gx", action="store_true", help="also time the suite: DuckDB SQL vs GX on pandas")
    parser.add_argument("--landing", type=Path, help="instead, land every source and day under this root")
    args = parser.parse_args()
    if args.landing:
        time_landing_root(args)
    else:
        time_formats(args)


if __name__ == "__main__":
    main()
