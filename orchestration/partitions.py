"""The daily partitions shared by ingest and the incremental dbt models: one per export day."""

from dagster import BackfillPolicy, DailyPartitionsDefinition

PARTITIONS_START = "2024-01-01"

# end_offset=1: today's export may land and be processed today.
daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1)

# A backfill over a date range is one run: ingest loops over its days, dbt gets the range as vars.
single_run_backfill = BackfillPolicy.single_run()
