"""The daily schedule and the export sensor, evaluated with Dagster's test contexts."""

from datetime import UTC, datetime

from dagster import build_schedule_context, build_sensor_context

from orchestration.resources import ExportSourceResource
from orchestration.schedules import build_warehouse_job_schedule
from orchestration.sensors import export_file_sensor


def test_the_schedule_builds_the_previous_day():
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    request = build_warehouse_job_schedule(context)
    assert request.partition_key == "2026-11-02"
    assert request.run_key == "scheduled:2026-11-02"


def evaluate(root, cursor=None):
    context = build_sensor_context(cursor=cursor, resources={"exports": ExportSourceResource(root=str(root))})
    result = export_file_sensor(context)
    return result.run_requests or [], result.cursor


def write(root, relative, content):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_sensor_requests_a_run_for_a_new_file_and_nothing_for_the_same_file_again(tmp_path):
    write(tmp_path, "voice_calls/2026-11-02/part-1.csv", b"call_id\nC1\n")
    requests, cursor = evaluate(tmp_path)
    assert [request.partition_key for request in requests] == ["2026-11-02"]

    again, cursor = evaluate(tmp_path, cursor)
    assert again == []

    # an identical file delivered again (rewritten, new mtime) starts nothing either
    write(tmp_path, "voice_calls/2026-11-02/part-1.csv", b"call_id\nC1\n")
    redelivered, cursor = evaluate(tmp_path, cursor)
    assert redelivered == []


def test_sensor_requests_a_new_run_for_a_changed_file_with_a_new_run_key(tmp_path):
    write(tmp_path, "voice_calls/2026-11-02/part-1.csv", b"call_id\nC1\n")
    (first,), cursor = evaluate(tmp_path)
    write(tmp_path, "voice_calls/2026-11-02/part-1.csv", b"call_id\nC1\nC2\n")
    (second,), cursor = evaluate(tmp_path, cursor)
    assert second.partition_key == "2026-11-02"
    assert second.run_key != first.run_key


def test_sensor_requests_only_the_days_that_changed(tmp_path):
    write(tmp_path, "voice_calls/2026-11-02/a.csv", b"x\n1\n")
    write(tmp_path, "chat_sessions/2026-11-03/a.jsonl", b"{}\n")
    requests, cursor = evaluate(tmp_path)
    assert sorted(request.partition_key for request in requests) == ["2026-11-02", "2026-11-03"]
    write(tmp_path, "nps_responses/2026-11-03/b.csv", b"y\n2\n")
    requests, cursor = evaluate(tmp_path, cursor)
    assert [request.partition_key for request in requests] == ["2026-11-03"]


def test_sensor_ignores_files_outside_the_landing_layout(tmp_path):
    write(tmp_path, "README.txt", b"not an export")
    write(tmp_path, "voice_calls/notes.txt", b"not a day folder")
    write(tmp_path, "voice_calls/2026-11-02/.part.csv.tmp", b"still being uploaded")
    requests, _ = evaluate(tmp_path)
    assert requests == []
