"""Assets by layer: ingest (raw), dbt (staging, intermediate, marts), publish."""
