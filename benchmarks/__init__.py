"""Benchmarks: `daily_run` (`make bench`) for the daily run at a large BPO's volume; `ingest_throughput`."""
