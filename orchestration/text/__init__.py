"""Text analytics over redacted free text."""
