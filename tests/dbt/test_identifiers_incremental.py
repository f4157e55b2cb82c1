"""int_customer_identifiers_mapped and int_interactions_unioned, built incrementally, follow CRM customers who
change e-mail or phone.

The generated sample never changes a customer's identifiers, so the incremental-equality test cannot see
this: an e-mail moving to another customer, an identifier nobody holds any more, a tie re-decided.
"""

from __future__ import annotations

import duckdb
from dbt_helpers import TEST_HASH_KEY, run_dbt

from orchestration.privacy import hmac_hex
from orchestration.privacy.identities import normalise
from orchestration.settings import dbt_window_env

MODEL = "int_customer_identifiers_mapped"
DAY_1 = [
    ("A", "a@x.com", "+1 555 0100", "2026-11-01 08:00:00"),
    ("B", "b@x.com", "+1 555 0200", "2026-11-01 09:00:00"),
    ("C", "c@x.com", None, "2026-11-01 10:00:00"),
]
# A takes B's e-mail (A is newer, so A wins it) and gives up its own; C drops its e-mail; B changes phone.
DAY_2 = [
    ("A", "b@x.com", "+1 555 0100", "2026-11-02 08:00:00"),
    ("B", "b@x.com", "+1 555 0299", "2026-11-02 07:00:00"),
    ("C", None, None, "2026-11-02 10:00:00"),
]


def land_crm(warehouse, day: str, rows) -> None:
    con = duckdb.connect(str(warehouse))
    con.executemany(
        "insert into raw.crm_customers (customer_id, client_id, full_name, email, phone, signed_up_on, "
        "updated_at, _source_file, _row_number, _export_date, _loaded_at) "
        "values (?, 'acme_telecom', 'Name ' || ?, ?, ?, date '2026-01-01', ?::timestamp, ?, ?, ?::date, "
        "?::timestamp)",
        [
            (cid, cid, email, phone, updated, f"crm_{day}.csv", n, day, f"{day} 12:00:00")
            for n, (cid, email, phone, updated) in enumerate(rows, start=1)
        ],
    )
    con.close()


def mapping(warehouse, hashed: dict) -> set[tuple[str, str | None]]:
    """(identifier, customer) pairs, with the keyed hashes turned back into the readable values (customer
    None: an identifier nobody holds any more, kept by incremental builds)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(f"select identifier_key, customer_key from intermediate.{MODEL}").fetchall()
    con.close()
    return {(hashed[identifier], hashed.get(customer)) for identifier, customer in rows}


def held(pairs: set[tuple[str, str | None]]) -> set[tuple[str, str]]:
    return {(identifier, customer) for identifier, customer in pairs if customer is not None}


def build(tmp_path, monkeypatch, day: str | None, model: str = MODEL) -> None:
    """`model` and its parents, incrementally for `day`'s window, or one full build (day None)."""
    for name, value in (dbt_window_env(day, day) if day else {}).items():
        monkeypatch.setenv(name, value)
    args = ["run", "--select", f"+{model}"]
    run_dbt(args if day else [*args, "--full-refresh"], tmp_path)


def keyed(kind: str, value: str) -> str:
    """The key cx_hash computes for a client's identifier (the HMAC of its normalised form)."""
    return hmac_hex(TEST_HASH_KEY.encode(), f"acme_telecom:{kind}:{normalise(kind, value)}")


def test_identifiers_follow_a_changed_crm_customer_as_a_full_build_would(warehouse, tmp_path, monkeypatch):
    land_crm(warehouse, "2026-11-01", DAY_1)
    build(tmp_path, monkeypatch, "2026-11-01")
    land_crm(warehouse, "2026-11-02", DAY_2)
    build(tmp_path, monkeypatch, "2026-11-02")

    readable = {}
    for cid, email, phone, _ in DAY_1 + DAY_2:
        for kind, value in (("crm", cid), ("email", email), ("phone", phone)):
            if value:
                readable[keyed(kind, value)] = value
    incremental = mapping(warehouse, readable)
    assert incremental == {
        ("b@x.com", "A"),  # moved to A, the newer holder
        ("+1 555 0100", "A"),
        ("+1 555 0299", "B"),  # B's new phone
        # held by nobody any more, kept without a customer: B's old phone, a@x.com (left by A) and
        # c@x.com (dropped by C)
        ("+1 555 0200", None),
        ("a@x.com", None),
        ("c@x.com", None),
    }

    build(tmp_path, monkeypatch, None)  # the same raw, one full build
    assert mapping(warehouse, readable) == held(incremental)


def test_a_table_built_before_rows_were_stamped_is_rebuilt_whole(warehouse, tmp_path, monkeypatch):
    land_crm(warehouse, "2026-11-01", DAY_1)
    build(tmp_path, monkeypatch, "2026-11-01")
    con = duckdb.connect(str(warehouse))
    con.execute(f"alter table intermediate.{MODEL} drop column _built_at")  # as an older version left it
    before = con.execute(f"select count(*) from intermediate.{MODEL}").fetchone()
    con.close()
    land_crm(warehouse, "2026-11-02", DAY_2)
    build(tmp_path, monkeypatch, "2026-11-02")  # an incremental run: no error, every identifier re-decided
    con = duckdb.connect(str(warehouse), read_only=True)
    after = con.execute(f"select count(*), count(_built_at) from intermediate.{MODEL}").fetchone()
    con.close()
    # A's two, B's new phone and the three held by nobody any more; all stamped by this build
    assert before == (5,) and after == (6, 6)


CALLS = [  # call id, caller's phone
    ("call-a", "+1 555 0100"),  # A's phone on both days
    ("call-b", "+1 555 0200"),  # B's phone on day 1 only
    ("call-p", "+1 555 0300"),  # nobody's on day 1, B's on day 2
]
# Day 2: A is exported again (a later update, identifiers unchanged); B moves to the phone of call-p.
CRM_DAY_1 = [
    ("A", None, "+1 555 0100", "2026-11-01 08:00:00"),
    ("B", None, "+1 555 0200", "2026-11-01 09:00:00"),
]
CRM_DAY_2 = [
    ("A", None, "+1 555 0100", "2026-11-02 08:00:00"),
    ("B", None, "+1 555 0300", "2026-11-02 09:00:00"),
]


def land_calls(
    warehouse,
    day: str,
    calls=CALLS,
    escalated: bool = False,
    offered_on: str | None = None,
    issue: str | None = "billing",
    first_minute: int = 1,
) -> None:
    """`day`'s export of `calls` (call id, caller's phone), offered at 10:01, 10:02… (from `first_minute`) of
    `offered_on` (default `day`), each handled and resolved, about `issue`."""
    offered_on = offered_on or day
    con = duckdb.connect(str(warehouse))
    con.executemany(
        "insert into raw.voice_calls (call_id, client_id, queue, direction, customer_phone, offered_at, "
        "answered_at, ended_at, talk_seconds, hold_seconds, acw_seconds, is_abandoned, transfer_count, "
        "is_escalated, is_resolved, issue_category, _source_file, _row_number, _export_date, _loaded_at) "
        "values (?, 'acme_telecom', 'billing', 'inbound', ?, ?::timestamp, ?::timestamp + interval 10 second, "
        "?::timestamp + interval 5 minute, 280, 0, 10, false, 0, ?, true, ?, ?, ?, ?::date, "
        "?::timestamp)",
        [
            (
                call_id,
                phone,
                f"{offered_on} 10:0{n}:00",
                f"{offered_on} 10:0{n}:00",
                f"{offered_on} 10:0{n}:00",
                escalated,
                issue,
                f"calls_{day}.csv",
                n,
                day,
                f"{day} 12:00:00",
            )
            for n, (call_id, phone) in enumerate(calls, start=first_minute)
        ],
    )
    con.close()


def unioned_identities(warehouse) -> dict[str, tuple[str, str, bool]]:
    """call id → (customer_key, identity_source, rewritten by the newest build)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "select interaction_id, customer_key, identity_source, _built_at = max(_built_at) over () "
        "from intermediate.int_interactions_unioned"
    ).fetchall()
    con.close()
    return {call_id: (key, source, newest) for call_id, key, source, newest in rows}


def test_a_crm_change_rewrites_the_interactions_whose_identity_moves_and_only_those(
    warehouse, tmp_path, monkeypatch
):
    def build_unioned(day: str | None) -> None:
        build(tmp_path, monkeypatch, day, model="int_interactions_unioned")

    run_dbt(["seed"], tmp_path)  # the clients' time zones
    land_crm(warehouse, "2026-11-01", CRM_DAY_1)
    land_calls(warehouse, "2026-11-01")
    build_unioned("2026-11-01")
    assert unioned_identities(warehouse)["call-p"][:2] == (keyed("phone", "+1 555 0300"), "phone")

    land_crm(warehouse, "2026-11-02", CRM_DAY_2)  # no calls that day
    build_unioned("2026-11-02")
    incremental = unioned_identities(warehouse)
    assert incremental == {
        "call-a": (keyed("crm", "A"), "crm_phone", False),  # A changed, the call's identity did not: kept
        "call-b": (keyed("phone", "+1 555 0200"), "phone", True),  # B left that phone
        "call-p": (keyed("crm", "B"), "crm_phone", True),  # B holds it now
    }

    build_unioned(None)  # the same raw, one full build
    assert {k: v[:2] for k, v in unioned_identities(warehouse).items()} == {
        k: v[:2] for k, v in incremental.items()
    }


def test_an_interaction_restaged_and_reidentified_the_same_day_is_built_once_from_its_new_row(
    warehouse, tmp_path, monkeypatch
):
    run_dbt(["seed"], tmp_path)
    land_crm(warehouse, "2026-11-01", CRM_DAY_1)
    land_calls(warehouse, "2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-01", model="int_interactions_unioned")

    land_crm(warehouse, "2026-11-02", CRM_DAY_2)  # B takes call-p's phone…
    land_calls(warehouse, "2026-11-02", CALLS[2:], escalated=True, offered_on="2026-11-01")  # …re-exported
    build(tmp_path, monkeypatch, "2026-11-02", model="int_interactions_unioned")

    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "select customer_key, identity_source, is_escalated from intermediate.int_interactions_unioned "
        "where interaction_id = 'call-p'"
    ).fetchall()
    con.close()
    assert rows == [(keyed("crm", "B"), "crm_phone", True)]  # one row: the re-export's, re-identified


def test_a_crm_snapshot_restages_only_the_customers_whose_row_changed(warehouse, tmp_path, monkeypatch):
    # exports.md allows a CRM snapshot: every customer is exported again. A's row is exactly as staged
    # (a new file and row number only); B has a new phone. Restaging A too made int_interactions_unioned
    # re-identify every interaction A ever had: on 30 days × 1M interactions, more than the disk held.
    run_dbt(["seed"], tmp_path)
    land_crm(warehouse, "2026-11-01", CRM_DAY_1)
    land_calls(warehouse, "2026-11-01")
    build(tmp_path, monkeypatch, "2026-11-01", model="int_interactions_unioned")
    land_crm(warehouse, "2026-11-02", [CRM_DAY_1[0], ("B", None, "+1 555 0300", "2026-11-02 09:00:00")])
    build(tmp_path, monkeypatch, "2026-11-02", model="int_interactions_unioned")

    con = duckdb.connect(str(warehouse), read_only=True)
    staged = dict(
        (key, (source_file, newest))
        for key, source_file, newest in con.execute(
            "select customer_key, _source_file, _built_at = max(_built_at) over () "
            "from staging.stg_crm__customers"
        ).fetchall()
    )
    con.close()
    assert staged == {
        keyed("crm", "A"): ("crm_2026-11-01.csv", False),  # unchanged: kept as staged on day 1
        keyed("crm", "B"): ("crm_2026-11-02.csv", True),
    }
    assert {call: newest for call, (_, _, newest) in unioned_identities(warehouse).items()} == {
        "call-a": False,  # A's call is not re-identified
        "call-b": True,  # B left that phone
        "call-p": True,  # B holds it now
    }


def mapping_stamps(warehouse) -> dict[str, tuple[str | None, bool]]:
    """identifier key → (customer_key, written by the newest build)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        f"select identifier_key, customer_key, _built_at = "
        f"(select max(_built_at) from intermediate.int_interactions_unioned) from intermediate.{MODEL}"
    ).fetchall()
    con.close()
    return {identifier: (customer, newest) for identifier, customer, newest in rows}


def test_a_crm_update_that_moves_no_identifier_writes_none_and_a_tie_it_flips_reidentifies(
    warehouse, tmp_path, monkeypatch
):
    # B and C share a phone: B, updated later, wins it. On day 2 A and C are exported again with a later
    # updated_at and the same identifiers: A's phone stays A's, so neither it nor A's call is rewritten
    # (a CRM export that updated a third of the customers so restamped every identifier they hold, and
    # int_interactions_unioned re-identified most of a 30M-interaction history); the shared phone now
    # goes to C, the newer, and the call on it follows.
    run_dbt(["seed"], tmp_path)
    land_crm(
        warehouse,
        "2026-11-01",
        [
            ("A", None, "+1 555 0100", "2026-11-01 08:00:00"),
            ("B", None, "+1 555 0200", "2026-11-01 09:00:00"),
            ("C", None, "+1 555 0200", "2026-11-01 08:30:00"),
        ],
    )
    land_calls(warehouse, "2026-11-01", CALLS[:2])
    build(tmp_path, monkeypatch, "2026-11-01", model="int_interactions_unioned")
    assert unioned_identities(warehouse)["call-b"][0] == keyed("crm", "B")

    land_crm(
        warehouse,
        "2026-11-02",
        [
            ("A", None, "+1 555 0100", "2026-11-02 08:00:00"),
            ("C", None, "+1 555 0200", "2026-11-02 09:30:00"),
        ],
    )
    build(tmp_path, monkeypatch, "2026-11-02", model="int_interactions_unioned")
    assert mapping_stamps(warehouse) == {
        keyed("phone", "+1 555 0100"): (keyed("crm", "A"), False),  # A restaged, its phone did not move
        keyed("phone", "+1 555 0200"): (keyed("crm", "C"), True),
    }
    assert unioned_identities(warehouse) == {
        "call-a": (keyed("crm", "A"), "crm_phone", False),
        "call-b": (keyed("crm", "C"), "crm_phone", True),
    }
