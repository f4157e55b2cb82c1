"""Child-process entry of the benchmark: `python -m benchmarks.worker <task> <params.json> <result.json>`.

Each task runs in a fresh interpreter (so its peak memory is its own) and records its stages on the
monotonic clock; the parent (`benchmarks.measure.run_child`) adds wall time and memory.
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import time
from pathlib import Path


class Recorder:
    """Named stages with their monotonic start and end, plus any figures a stage adds."""

    def __init__(self) -> None:
        self.stages: list[dict] = []
        self.extra: dict = {}

    @contextlib.contextmanager
    def stage(self, name: str, **figures):
        entry = {"name": name, **figures}
        entry["start"] = time.monotonic()
        try:
            yield entry
        finally:
            entry["end"] = time.monotonic()
            entry["seconds"] = entry["end"] - entry["start"]
            self.stages.append(entry)


def main(argv: list[str]) -> int:
    task, params_path, result_path = argv
    params = json.loads(Path(params_path).read_text())
    from benchmarks import naive, stages

    tasks = {**stages.TASKS, "naive": naive.run}
    recorder = Recorder()
    tasks[task](params, recorder)
    report = {
        "task": task,
        "stages": recorder.stages,
        **recorder.extra,
        "ru_maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "ru_maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    Path(result_path).write_text(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
