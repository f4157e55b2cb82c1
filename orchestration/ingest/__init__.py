"""Ingest of the nine channel exports: read, validate, quarantine and land them in the raw layer."""
