"""The benchmark (`python -m benchmarks.daily_run`) in a real process, for the benchmark's tests."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(args: list[str], work: Path, out: Path, exit_code: int = 0) -> tuple[dict, str]:
    """Runs it with `args` in `work`, asserts its exit code; its JSON results and its printed output."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.daily_run", *args, "--workdir", str(work), "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == exit_code, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(out.read_text()), completed.stdout
