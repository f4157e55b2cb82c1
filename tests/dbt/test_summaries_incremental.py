"""marts.interaction_summaries, built incrementally, rewrites only the summaries whose text moved: it compares
what it recomputed with the `_row_hash` it stored, and a table from before it stored one is upgraded in place.
"""

from __future__ import annotations

import duckdb
from dbt_helpers import query, run_dbt
from test_identifiers_incremental import build, land_calls, land_crm

MODEL = "interaction_summaries"
CRM = [("A", None, "+1 555 0100", "2026-11-01 08:00:00")]
CALLS = [("call-1", "+1 555 0100")]


def summaries(warehouse) -> dict[str, tuple]:
    """call id → (escalated in the text, has a hash, rewritten by the newest build of fct_interactions)."""
    rows = query(
        warehouse,
        "select interaction_id, summary like '%escalated%', _row_hash is not null, "
        "_built_at = (select max(_built_at) from marts.fct_interactions) from marts.interaction_summaries",
    )
    return {call_id: tuple(rest) for call_id, *rest in rows}


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


def test_a_restamped_interaction_keeps_its_summary_unless_the_text_moved(warehouse, tmp_path, monkeypatch):
    first_day(warehouse, tmp_path, monkeypatch)
    assert summaries(warehouse) == {"call-1": (False, True, True)}

    # The call exported again, unchanged: restaged and rebuilt as a fact, its summary reads the same.
    land_calls(warehouse, "2026-11-02", CALLS, offered_on="2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    assert restamped_interactions(warehouse) == 1
    assert summaries(warehouse) == {"call-1": (False, True, False)}  # not rewritten

    # Exported again, escalated: the summary says so, rewritten.
    land_calls(warehouse, "2026-11-03", CALLS, escalated=True, offered_on="2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-03", model=MODEL)
    assert summaries(warehouse) == {"call-1": (True, True, True)}


def test_a_table_built_before_it_stored_row_hashes_is_upgraded(warehouse, tmp_path, monkeypatch):
    first_day(warehouse, tmp_path, monkeypatch)
    con = duckdb.connect(str(warehouse))
    con.execute(f"alter table marts.{MODEL} drop column _row_hash")  # as an older version left it
    con.close()

    land_calls(warehouse, "2026-11-02", CALLS, offered_on="2026-11-01")
    # no error: every recomputed summary is rewritten, with its hash
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    assert summaries(warehouse) == {"call-1": (False, True, True)}
