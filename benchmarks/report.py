"""The benchmark's figures: per-stage medians from the runs, the targets, the printed table, the JSON."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from benchmarks.measure import GIB
from orchestration.ingest.schemas import SOURCES

SOURCES_ORDER = tuple(SOURCES)  # the contract's order
DAILY_STAGES = ("dbt_build", "publish", "alerts")


def _stage(run: dict, name: str) -> dict | None:
    return next((stage for stage in run["stages"] if stage["name"] == name), None)


def _figure(values: list[float], peaks: list[int] | None = None, **extra) -> dict:
    figure = {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": [round(value, 3) for value in values],
        **extra,
    }
    if peaks:
        figure["peak_rss_gib"] = round(max(peaks) / GIB, 3)
    return figure


def daily_totals(run: dict) -> dict[str, float]:
    """A daily run's figures: each source's ingest + validate, the totals, and the whole run."""
    out = {}
    for source in SOURCES_ORDER:
        ingest, validate = _stage(run, f"ingest.{source}"), _stage(run, f"validate.{source}")
        if ingest and validate:
            out[f"ingest_validate.{source}"] = ingest["seconds"] + validate["seconds"]
    out["ingest_validate"] = sum(out.values())
    out["ingest"] = sum(s["seconds"] for s in run["stages"] if s["name"].startswith("ingest."))
    out["validate"] = sum(s["seconds"] for s in run["stages"] if s["name"].startswith("validate."))
    for name in DAILY_STAGES:
        if stage := _stage(run, name):
            out[name] = stage["seconds"]
    out["daily_run"] = out["ingest_validate"] + sum(out.get(name, 0.0) for name in DAILY_STAGES)
    if stage := _stage(run, "import_ingest"):
        out["import_ingest"] = stage["seconds"]
    return out


def summarise_daily(runs: list[dict], prefix: str = "") -> dict[str, dict]:
    """Median (min, max) of every daily-run figure over the repeats, with peak RSS where a stage has one."""
    totals = [daily_totals(run) for run in runs]
    figures = {}
    for key in totals[0]:
        peaks = None
        if key in DAILY_STAGES:
            peaks = [_stage(run, key)["peak_rss_bytes"] for run in runs]
        elif key.startswith("ingest_validate"):
            peaks = [
                max(
                    s["peak_rss_bytes"]
                    for s in run["stages"]
                    if s["name"].split(".")[0] in ("ingest", "validate")
                )
                for run in runs
            ]
        elif key == "daily_run":
            peaks = [run["peak_rss_bytes"] for run in runs]
        figures[prefix + key] = _figure([t[key] for t in totals], peaks)
    rows = {}
    for source in SOURCES_ORDER:
        if stage := _stage(runs[0], f"ingest.{source}"):
            rows[source] = stage.get("rows_landed", 0) + stage.get("rows_quarantined", 0)
    figures[prefix + "ingest_validate"]["rows"] = sum(rows.values())
    for source, count in rows.items():
        figures[prefix + f"ingest_validate.{source}"]["rows"] = count
    return figures


def dbt_profile(runs: list[dict]) -> dict:
    """Per-model and per-UDF medians over the daily runs' `dbt build`."""
    builds = [_stage(run, "dbt_build") for run in runs]
    models: dict[str, list[float]] = {}
    for build in builds:
        for row in build.get("top_models", []):
            models.setdefault(row["model"], []).append(row["seconds"])
    udfs: dict[str, dict[str, list]] = {}
    for build in builds:
        for name, figures in (build.get("udf_profile") or {}).items():
            for key, value in figures.items():
                udfs.setdefault(name, {}).setdefault(key, []).append(value)
    return {
        "top_models": sorted(
            ({"model": name, "median_seconds": statistics.median(v)} for name, v in models.items()),
            key=lambda row: -row["median_seconds"],
        ),
        "udfs": {name: {key: statistics.median(v) for key, v in f.items()} for name, f in udfs.items()},
        "node_seconds_by_type": builds[-1].get("node_seconds_by_type"),
        "statuses": builds[-1].get("statuses"),
        "failures": builds[-1].get("failures"),
    }


def target(name: str, measured, limit, unit: str, *, lower_is_better: bool = True, note: str = "") -> dict:
    if measured is None:
        return {"target": name, "measured": None, "limit": limit, "unit": unit, "met": None, "note": note}
    met = measured <= limit if lower_is_better else measured >= limit
    margin = (measured / limit - 1) if lower_is_better else (1 - measured / limit)
    return {
        "target": name,
        "measured": round(measured, 3),
        "limit": limit,
        "unit": unit,
        "met": met,
        "over_by_pct": None if met else round(100 * margin, 1),
        "note": note,
    }


def _fmt(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(figures: dict[str, dict]) -> str:
    lines = [f"{'stage':<44} {'median s':>9} {'min':>8} {'max':>8} {'peak GiB':>9} {'rows':>10}"]
    lines.append("-" * len(lines[0]))
    for name, figure in figures.items():
        rows = figure.get("rows")
        lines.append(
            f"{name:<44} {_fmt(figure.get('median')):>9} {_fmt(figure.get('min')):>8} "
            f"{_fmt(figure.get('max')):>8} {_fmt(figure.get('peak_rss_gib')):>9} "
            f"{'' if rows is None else f'{rows:,}':>10}"
        )
    return "\n".join(lines)


def targets_table(targets: list[dict]) -> str:
    lines = []
    for row in targets:
        verdict = "n/a " if row["met"] is None else ("MET " if row["met"] else "MISS")
        over = f" (over by {row['over_by_pct']} %)" if row.get("over_by_pct") else ""
        lines.append(
            f"[{verdict}] {row['target']}: {_fmt(row['measured'])} {row['unit']} vs {row['limit']}{over}"
            + (f" — {row['note']}" if row.get("note") else "")
        )
    return "\n".join(lines)


def write_json(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str))
