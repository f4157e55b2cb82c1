"""Running a benchmark task in a child process and measuring it: wall time, stages, peak memory.

Peak memory is measured two ways, and the larger is reported: the summed RSS of the child's whole process
tree (it includes the `dbt` subprocess), sampled every 50 ms by the parent; and each process's exact
high-water mark (`ru_maxrss` of the child itself and of the subprocesses it waited for). Sampling can miss
a spike shorter than 50 ms; `ru_maxrss` cannot, but does not add concurrent processes together.
Stages are timed by the child on the system-wide monotonic clock, so the parent can attribute samples.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.05
GIB = 1024**3


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine makes every figure noisier."""
    return [round(value, 2) for value in os.getloadavg()]


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        processes = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def run_child(task: str, params: dict, env: dict[str, str], log_path: Path) -> dict:
    """Run `benchmarks.worker <task>` and return its report plus the parent's measurements.

    Raises RuntimeError (with the log's tail) when the task fails.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as folder:
        params_path, result_path = Path(folder) / "params.json", Path(folder) / "result.json"
        params_path.write_text(json.dumps(params))
        command = [sys.executable, "-m", "benchmarks.worker", task, str(params_path), str(result_path)]
        load_before, samples = load(), []
        started = time.monotonic()
        with log_path.open("a") as log:
            log.write(f"\n=== {task} {json.dumps(params)}\n")
            log.flush()
            child = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
            )
            watched = psutil.Process(child.pid)
            while child.poll() is None:
                samples.append((time.monotonic(), _tree_rss(watched)))
                time.sleep(SAMPLE_SECONDS)
        wall = time.monotonic() - started
        if child.returncode != 0 or not result_path.exists():
            tail = "".join(log_path.read_text().splitlines(keepends=True)[-25:])
            raise RuntimeError(f"benchmark task {task} failed (exit {child.returncode}); log tail:\n{tail}")
        report = json.loads(result_path.read_text())
    sampled_peak = max((rss for _, rss in samples), default=0)
    exact_peak = 1024 * max(report.get("ru_maxrss_self_kb", 0), report.get("ru_maxrss_children_kb", 0))
    for stage in report.get("stages", []):
        inside = [rss for at, rss in samples if stage["start"] <= at <= stage["end"]]
        stage["peak_rss_bytes"] = max(inside, default=0)
    report.update(
        wall_seconds=wall,
        peak_rss_bytes=max(sampled_peak, exact_peak),
        peak_rss_sampled_tree_bytes=sampled_peak,
        peak_rss_single_process_bytes=exact_peak,
        load_before=load_before,
        load_after=load(),
    )
    return report


def median(values: list[float]) -> float | None:
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def summarise(runs: list[dict], key: str = "seconds") -> dict:
    """Median, min and max of one figure over repeated runs, and the runs' values."""
    values = [run[key] for run in runs if run.get(key) is not None]
    if not values:
        return {"median": None, "runs": []}
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}
