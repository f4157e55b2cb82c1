"""int_interactions_windowed, built incrementally, rewrites only the interactions whose outcome moved: it
compares what it recomputed with the `_row_hash` it stored, and a table from before it stored one is
upgraded in place.
"""

from __future__ import annotations

import duckdb
from dbt_helpers import run_dbt
from test_identifiers_incremental import build, land_calls, land_crm

MODEL = "int_interactions_windowed"
CRM = [("A", None, "+1 555 0100", "2026-11-01 08:00:00")]
# Two calls of A on the same issue, a minute apart: the first is repeated, the second a repeat contact.
CALLS = [("call-1", "+1 555 0100"), ("call-2", "+1 555 0100")]


def by_call(warehouse, expressions: str) -> dict[str, tuple]:
    """call id → the SQL `expressions` over the model's row."""
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(f"select interaction_id, {expressions} from intermediate.{MODEL}").fetchall()
    con.close()
    return {call_id: tuple(rest) for call_id, *rest in rows}


def windowed(warehouse) -> dict[str, tuple]:
    """call id → (is_repeated, is_repeat_contact, has a hash, rewritten by the newest build)."""
    return by_call(
        warehouse,
        "is_repeated, is_repeat_contact, _row_hash is not null, "
        "_built_at = (select max(_built_at) from intermediate.int_interactions_unioned)",
    )


def first_day(warehouse, tmp_path, monkeypatch) -> None:
    run_dbt(["seed"], tmp_path)  # the clients' time zones
    land_crm(warehouse, "2026-11-01", CRM)
    land_calls(warehouse, "2026-11-01", CALLS)
    build(tmp_path, monkeypatch, "2026-11-01", model=MODEL)


def test_a_recomputed_interaction_whose_outcome_did_not_move_is_not_rewritten(
    warehouse, tmp_path, monkeypatch
):
    first_day(warehouse, tmp_path, monkeypatch)
    assert windowed(warehouse) == {"call-1": (True, False, True, True), "call-2": (False, True, True, True)}

    # Both calls exported again the next day, escalated: restaged and re-windowed, outcomes unchanged.
    land_calls(warehouse, "2026-11-02", CALLS, escalated=True, offered_on="2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    assert windowed(warehouse) == {"call-1": (True, False, True, False), "call-2": (False, True, True, False)}


def test_a_table_built_before_it_stored_row_hashes_is_upgraded(warehouse, tmp_path, monkeypatch):
    first_day(warehouse, tmp_path, monkeypatch)
    con = duckdb.connect(str(warehouse))
    con.execute(f"alter table intermediate.{MODEL} drop column _row_hash")  # as an older version left it
    con.close()

    land_calls(warehouse, "2026-11-02", CALLS, escalated=True, offered_on="2026-11-01")
    # no error: every recomputed row is rewritten, with its hash
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    assert windowed(warehouse) == {"call-1": (True, False, True, True), "call-2": (False, True, True, True)}


def outcomes(warehouse) -> dict[str, tuple]:
    """call id → (is_repeated, is_repeat_contact, prior_contacts_in_window)."""
    return by_call(warehouse, "is_repeated, is_repeat_contact, prior_contacts_in_window")


def test_a_new_contact_recomputes_the_one_before_it_with_the_history_its_window_needs(
    warehouse, tmp_path, monkeypatch
):
    """Calls of A on one issue, six days apart (the FCR window is seven), one a day loaded: call-3 makes
    call-2 repeated, and call-2's recomputed window still counts call-1, twelve days before call-3 (a change
    at c reads its partition back to c - 2W)."""
    run_dbt(["seed"], tmp_path)
    land_crm(warehouse, "2026-11-01", CRM)
    for day, call_id in (("2026-11-01", "call-1"), ("2026-11-07", "call-2"), ("2026-11-13", "call-3")):
        land_calls(warehouse, day, [(call_id, "+1 555 0100")])
        build(tmp_path, monkeypatch, day, model=MODEL)
    expected = {"call-1": (True, False, 0), "call-2": (True, True, 1), "call-3": (False, True, 1)}
    assert outcomes(warehouse) == expected

    build(tmp_path, monkeypatch, None, model=MODEL)  # the same raw, one full build
    assert outcomes(warehouse) == expected


def test_an_interaction_that_moves_to_another_issue_leaves_its_old_partition_as_a_full_build_would(
    warehouse, tmp_path, monkeypatch
):
    """Calls of A a minute apart on billing: call-1 is repeated. The next day call-2 is exported again as
    a technical issue: call-1, left alone on billing, is no longer repeated (its partition is recomputed
    from call-2's stored row), and call-2 is no repeat contact; a call of A without an issue, on its own."""
    first_day(warehouse, tmp_path, monkeypatch)
    land_calls(
        warehouse,
        "2026-11-02",
        [("call-2", "+1 555 0100")],
        offered_on="2026-11-01",
        issue="technical",
        first_minute=2,
    )
    land_calls(warehouse, "2026-11-02", [("call-3", "+1 555 0100")], issue=None)
    build(tmp_path, monkeypatch, "2026-11-02", model=MODEL)
    expected = {"call-1": (False, False, 0), "call-2": (False, False, 0), "call-3": (False, False, 0)}
    assert outcomes(warehouse) == expected

    build(tmp_path, monkeypatch, None, model=MODEL)  # the same raw, one full build
    assert outcomes(warehouse) == expected
