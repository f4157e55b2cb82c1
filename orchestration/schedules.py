"""The daily schedule (yesterday's export day, once the client platforms have delivered it) and the weekly
compaction of the warehouse."""

from __future__ import annotations

import os
from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from orchestration.jobs import build_warehouse_job, compact_warehouse_job

SCHEDULE_TIMEZONE_ENV = "CX_SCHEDULE_TIMEZONE"
SCHEDULE_CRON_ENV = "CX_SCHEDULE_CRON"
COMPACT_CRON_ENV = "CX_COMPACT_CRON"


@schedule(
    name="build_warehouse_job_schedule",
    job=build_warehouse_job,
    cron_schedule=os.environ.get(SCHEDULE_CRON_ENV, "0 2 * * *"),
    execution_timezone=os.environ.get(SCHEDULE_TIMEZONE_ENV, "UTC"),
    description="Every day (02:00 in CX_SCHEDULE_TIMEZONE by default), build the previous day's partition.",
)
def build_warehouse_job_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return RunRequest(run_key=f"scheduled:{day}", partition_key=day, tags={"cx/trigger": "schedule"})


@schedule(
    name="compact_warehouse_job_schedule",
    job=compact_warehouse_job,
    cron_schedule=os.environ.get(COMPACT_CRON_ENV, "0 5 * * 0"),
    execution_timezone=os.environ.get(SCHEDULE_TIMEZONE_ENV, "UTC"),
    description="Every Sunday (05:00 by default, CX_COMPACT_CRON), after the daily build: compact the warehouse.",
)
def compact_warehouse_job_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"compact:{context.scheduled_execution_time.date().isoformat()}")
