"""CLI: `python -m orchestration.sample_data --out data/landing --seed 42 --start 2026-11-01 --days 7`."""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from orchestration.sample_data.catalog import write_seeds
from orchestration.sample_data.generate import generate

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orchestration.sample_data", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("CX_LANDING_ROOT", "data/landing")),
        help="landing root (default: $CX_LANDING_ROOT or data/landing)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--start", type=date.fromisoformat, default=date(2026, 11, 1), help="first export day"
    )
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--clients", type=int, default=4, help="1 to 4")
    parser.add_argument("--agents", type=int, default=80)
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--interactions-per-day", type=int, default=4000)
    parser.add_argument(
        "--no-bad-records",
        dest="bad_records",
        action="store_false",
        help="write clean files only (no deliberately bad rows)",
    )
    parser.add_argument("--parquet", action="store_true", help="write the agents roster as Parquet")
    parser.add_argument(
        "--write-seeds", action="store_true", help=f"also rewrite the catalog seeds in {SEEDS_DIR}"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    began = time.perf_counter()
    summary = generate(
        args.out,
        seed=args.seed,
        start=args.start,
        days=args.days,
        clients=args.clients,
        agents=args.agents,
        customers=args.customers,
        interactions_per_day=args.interactions_per_day,
        bad_records=args.bad_records,
        parquet=args.parquet,
    )
    if args.write_seeds:
        write_seeds(SEEDS_DIR)
    elapsed = time.perf_counter() - began
    print(f"Wrote {sum(summary['files'].values())} files to {summary['out']} in {elapsed:.1f} s")
    print("interactions: " + ", ".join(f"{k} {v}" for k, v in summary["interactions"].items()))
    print(f"{'source':<16} {'files':>5} {'rows':>9}  bad records")
    for source, rows in summary["rows"].items():
        bad = ", ".join(f"{kind} {n}" for kind, n in summary["bad_records"][source].items() if n) or "-"
        print(f"{source:<16} {summary['files'][source]:>5} {rows:>9}  {bad}")
    return summary


if __name__ == "__main__":
    main()
