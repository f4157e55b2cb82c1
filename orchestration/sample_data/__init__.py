"""Sample channel exports for CX Warehouse: a simulated contact centre writing the export contract.

Four clients (brands) in four timezones, each with queues, a roster of agents and CRM customers,
generate voice calls, chats, email tickets and social mentions by hour and weekday; outcomes,
surveys, NPS, QA and churn follow from waits, transfers and resolution. Free text carries the
personal data the privacy layer must redact, and a small documented share of rows is deliberately
bad (see `bad_records`). Run `python -m orchestration.sample_data --help`.
"""

from orchestration.sample_data.generate import SOURCES, generate

__all__ = ["SOURCES", "generate"]
