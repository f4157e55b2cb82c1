"""stg_email__tickets, built incrementally, does not redact a ticket's texts again when it is exported again
with the very texts and names it last redacted (a status change): it reuses what it holds. Changed texts
are redacted anew.
"""

from __future__ import annotations

import duckdb
from dbt_helpers import run_dbt

from orchestration.settings import dbt_window_env

MODEL = "stg_email__tickets"
SENTINEL = "as staged before"  # what the test writes over the stored redaction, to see whether it is reused


def land_ticket(warehouse, day: str, status: str, description: str) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into raw.email_tickets (ticket_id, client_id, via, requester, subject, description, priority, "
        "issue_category, status, created_at, updated_at, is_escalated, reopen_count, _source_file, _row_number, "
        "_export_date, _loaded_at) values ('T-1', 'acme_telecom', 'web', "
        "{'id': 'C-1', 'email': 'ann@example.com', 'name': 'Ann Lee'}, 'Refund', ?, 'normal', 'billing', ?, "
        "timestamp '2026-11-01 08:00:00', ?::timestamp, false, 0, ?, 1, ?::date, ?::timestamp)",
        [description, status, f"{day} 09:00:00", f"tickets_{day}.jsonl", day, f"{day} 12:00:00"],
    )
    con.close()


def build(tmp_path, monkeypatch, day: str) -> None:
    for name, value in dbt_window_env(day, day).items():
        monkeypatch.setenv(name, value)
    run_dbt(["run", "--select", f"+{MODEL}"], tmp_path)


def staged(warehouse) -> tuple[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    row = con.execute(f"select status, description_redacted from staging.{MODEL}").fetchall()
    con.close()
    return row[0] if len(row) == 1 else row


def test_an_updated_ticket_keeps_its_redaction_and_a_changed_text_is_redacted_anew(
    warehouse, tmp_path, monkeypatch
):
    land_ticket(warehouse, "2026-11-01", "open", "Ann Lee here, call me on +1 555 0100")
    build(tmp_path, monkeypatch, "2026-11-01")
    assert staged(warehouse) == ("open", "[NAME] here, call me on [PHONE]")
    con = duckdb.connect(str(warehouse))
    con.execute(f"update staging.{MODEL} set description_redacted = ?", [SENTINEL])
    con.close()

    land_ticket(warehouse, "2026-11-02", "solved", "Ann Lee here, call me on +1 555 0100")  # same texts
    build(tmp_path, monkeypatch, "2026-11-02")
    assert staged(warehouse) == ("solved", SENTINEL)  # restaged, its redaction reused

    land_ticket(warehouse, "2026-11-03", "solved", "Ann Lee again: +1 555 0199")  # the text changed
    build(tmp_path, monkeypatch, "2026-11-03")
    assert staged(warehouse) == ("solved", "[NAME] again: [PHONE]")


def test_a_table_staged_before_it_stored_redaction_keys_redacts_as_before(warehouse, tmp_path, monkeypatch):
    land_ticket(warehouse, "2026-11-01", "open", "Ann Lee here, call me on +1 555 0100")
    build(tmp_path, monkeypatch, "2026-11-01")
    con = duckdb.connect(str(warehouse))
    con.execute(f"alter table staging.{MODEL} drop column _redaction_key")  # as an older version left it
    con.execute(f"update staging.{MODEL} set description_redacted = ?", [SENTINEL])
    con.close()

    land_ticket(warehouse, "2026-11-02", "solved", "Ann Lee here, call me on +1 555 0100")
    build(tmp_path, monkeypatch, "2026-11-02")  # no error; nothing to reuse, so redacted again
    assert staged(warehouse) == ("solved", "[NAME] here, call me on [PHONE]")
