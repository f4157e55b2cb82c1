"""The export sensor: a run for a day when a new or changed export file lands under the landing root.

Run keys are built from the day's file *contents* (sha256), so re-delivering an identical file starts
nothing, while a corrected file starts a new run for its day. Hashes are cached in the cursor by
(path, size, mtime) so unchanged files are not read again.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

import fsspec
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from orchestration.cli import DAY
from orchestration.jobs import build_warehouse_job
from orchestration.resources import ExportSourceResource


def _sha256(fs, path: str) -> str:
    digest = hashlib.sha256()
    with fs.open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_exports(root: str, known: dict[str, list]) -> dict[str, list]:
    """Every export file under the root → [size, mtime, sha256], reusing known hashes of unchanged files."""
    fs, base = fsspec.core.url_to_fs(root)
    found: dict[str, list] = {}
    if not fs.exists(base):
        return found
    for info in fs.find(base, detail=True).values():
        parts = info["name"][len(base.rstrip("/")) + 1 :].split("/")
        if len(parts) != 3 or not DAY.match(parts[1]) or parts[2].startswith("."):
            continue
        relative = "/".join(parts)
        size, mtime = info.get("size"), str(info.get("mtime") or info.get("LastModified") or "")
        cached = known.get(relative)
        if cached and cached[0] == size and cached[1] == mtime:
            found[relative] = cached
        else:
            found[relative] = [size, mtime, _sha256(fs, info["name"])]
    return found


def day_fingerprints(files: dict[str, list]) -> dict[str, str]:
    """One content fingerprint per day: the hash of its files' distinct content hashes."""
    hashes: dict[str, set[str]] = defaultdict(set)
    for relative, (_size, _mtime, sha) in files.items():
        hashes[relative.split("/")[1]].add(relative.split("/")[0] + ":" + sha)
    return {
        day: hashlib.sha256("\n".join(sorted(shas)).encode()).hexdigest()[:16] for day, shas in hashes.items()
    }


@sensor(
    name="export_file_sensor",
    job=build_warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a run for an export day when a new or changed file lands under the landing root.",
)
def export_file_sensor(context: SensorEvaluationContext, exports: ExportSourceResource) -> SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {"files": {}, "days": {}}
    files = scan_exports(exports.root, cursor["files"])
    fingerprints = day_fingerprints(files)
    requests = [
        RunRequest(
            run_key=f"{day}:{fingerprint}", partition_key=day, tags={"cx/trigger": "export_file_sensor"}
        )
        for day, fingerprint in sorted(fingerprints.items())
        if cursor["days"].get(day) != fingerprint
    ]
    return SensorResult(run_requests=requests, cursor=json.dumps({"files": files, "days": fingerprints}))
