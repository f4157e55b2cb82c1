"""marts.alerts, built incrementally, rewrites only the re-judged subjects whose alerts changed: it compares
the alerts it judged with those stored by their `_row_hash`, and still deletes an alert that no longer holds.
"""

from __future__ import annotations

import duckdb
from dbt_helpers import query, run_dbt
from test_identifiers_incremental import build, land_calls, land_crm

MODEL = "alerts"
CRM = [("A", None, "+1 555 0100", "2026-11-01 08:00:00")]
# Three calls of A on one issue, a minute apart: the third is A's third contact in the FCR window, which
# raises a repeat_contact alert (alert_repeat_contact_min 3).
CALLS = [("call-1", "+1 555 0100"), ("call-2", "+1 555 0100"), ("call-3", "+1 555 0100")]


def alerts(warehouse) -> dict[str, tuple]:
    """subject → (alert type, has a hash, rewritten by the newest build of fct_interactions)."""
    rows = query(
        warehouse,
        "select subject_id, alert_type, _row_hash is not null, "
        "_built_at = (select max(_built_at) from marts.fct_interactions) from marts.alerts",
    )
    return {subject: tuple(rest) for subject, *rest in rows}


def restamped_interactions(warehouse) -> int:
    [(count,)] = query(
        warehouse,
        "select count(*) from marts.fct_interactions "
        "where _built_at = (select max(_built_at) from marts.fct_interactions)",
    )
    return count


def first_day(warehouse, tmp_path, monkeypatch) -> None:
    run_dbt(["seed"], tmp_path)  # the clients' time zones, the SLA targets
    land_crm(warehouse, "2026-11-01", CRM)
    land_calls(warehouse, "2026-11-01", CALLS)
    build(tmp_path, monkeypatch, "2026-11-01", model=MODEL)


def test_a_rejudged_subject_keeps_its_unchanged_alert_and_loses_one_that_no_longer_holds(
    warehouse, tmp_path, monkeypatch
):
    first_day(warehouse, tmp_path, monkeypatch)
    assert alerts(warehouse) == {"voice:call-3": ("repeat_contact", True, True)}

    # The three calls exported again, escalated: every one is restaged and re-judged, no alert changes.
    land_calls(warehouse, "2026-11-02", CALLS, escalated=True, offered_on="2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    assert restamped_interactions(warehouse) == 3
    assert alerts(warehouse) == {"voice:call-3": ("repeat_contact", True, False)}  # not rewritten

    # The first call re-exported under another issue: call-3 is only the second billing contact now.
    land_calls(warehouse, "2026-11-03", CALLS[:1], offered_on="2026-11-01", issue="technical")
    build(tmp_path, monkeypatch, "2026-11-03", model=MODEL)
    assert alerts(warehouse) == {}

    # The same raw in one full build: the same (no) alerts.
    build(tmp_path, monkeypatch, None, model=MODEL)
    assert alerts(warehouse) == {}


def test_alerts_built_before_they_stored_row_hashes_are_upgraded(warehouse, tmp_path, monkeypatch):
    first_day(warehouse, tmp_path, monkeypatch)
    con = duckdb.connect(str(warehouse))
    con.execute("alter table marts.alerts drop column _row_hash")  # as an older version left it
    con.close()

    land_calls(warehouse, "2026-11-02", CALLS, escalated=True, offered_on="2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)  # every re-judged subject rewritten, hashed
    assert alerts(warehouse) == {"voice:call-3": ("repeat_contact", True, True)}
