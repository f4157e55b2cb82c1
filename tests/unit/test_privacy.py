"""Keyed hashing and redaction: the only gate between raw PII and the analyst-facing layers."""

import duckdb
import pytest

from orchestration.dbt_plugin import register_functions
from orchestration.privacy import hmac_hex, redact, register_hash_macro
from orchestration.privacy.redact import luhn_valid


@pytest.mark.parametrize("key", [b"k", b"a-much-longer-secret-key" * 4, b"x" * 64])
def test_sql_hash_macro_equals_python_hmac_sha256(key):
    con = duckdb.connect()
    register_hash_macro(con, key)
    values = ["acme:crm:C-001", "jane.doe@example.com", "ünïcødé", ""]
    hashed = [row[0] for row in con.execute("select cx_hash(v) from unnest(?) as t(v)", [values]).fetchall()]
    assert hashed == [hmac_hex(key, value) for value in values]


def test_hash_macro_passes_null_through_and_depends_on_the_key():
    con = duckdb.connect()
    register_hash_macro(con, b"one")
    first, null = con.execute("select cx_hash('x'), cx_hash(null)").fetchone()
    register_hash_macro(con, b"two")
    (second,) = con.execute("select cx_hash('x')").fetchone()
    assert null is None
    assert first != second


def test_hash_macro_is_temporary_and_not_stored_in_the_database_file(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    register_hash_macro(con, b"secret-key-material")
    con.execute("create table t as select cx_hash('a') as h")
    con.close()
    reopened = duckdb.connect(str(path))
    with pytest.raises(duckdb.CatalogException):
        reopened.execute("select cx_hash('a')")
    assert b"secret-key-material" not in path.read_bytes()


@pytest.mark.parametrize(
    "digits, valid",
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("5555555555554444", True),
        ("79927398713", True),
    ],
)
def test_luhn_check(digits, valid):
    assert luhn_valid(digits) is valid


def test_redact_replaces_cards_emails_phones_and_the_records_names():
    text = (
        "Hi, I'm Maria Lopez, card 4111 1111 1111 1111 was charged twice; "
        "mail maria.lopez@example.com or call +1 (312) 555-0188. Thanks Kevin!"
    )
    assert redact(text, ["Maria Lopez", "Kevin Tran"]) == (
        "Hi, I'm [NAME], card [CARD] was charged twice; mail [EMAIL] or call [PHONE]. Thanks [NAME]!"
    )


def test_redact_keeps_numbers_that_are_not_cards_or_phones():
    text = "Order 12345 cost $49.99 on 2026-11-02; ref 4111-1111-1111-1112."
    redacted = redact(text, [])
    assert "12345" in redacted and "49.99" in redacted and "2026-11-02" in redacted
    assert "[CARD]" not in redacted


def test_redact_matches_names_case_insensitively_but_only_as_whole_words():
    assert redact("ANA said ana is banana", ["Ana"]) == "[NAME] said [NAME] is banana"


def test_redact_handles_null_text_and_null_names():
    assert redact(None, ["A B"]) is None
    assert redact("hello", [None]) == "hello"


def test_plugin_registers_redaction_and_sentiment_as_sql_functions():
    con = duckdb.connect()
    register_functions(con)
    redacted, positive, negative, empty = con.execute(
        "select cx_redact('call me at +44 20 7946 0958, Bob', ['Bob Smith']), "
        "cx_sentiment('Great service, thank you so much!'), "
        "cx_sentiment('Terrible, useless and rude.'), cx_sentiment(null)"
    ).fetchone()
    assert redacted == "call me at [PHONE], [NAME]"
    assert positive >= 0.05 and negative <= -0.05
    assert empty is None


def test_plugin_gives_each_dbt_cursor_the_hash_macro_and_the_connections_udfs(monkeypatch):
    """dbt-duckdb configures the root connection once, then every node's cursor: the cursor only adds the
    TEMP hash macro (per connection), and still sees the Python UDFs created on the root."""
    from orchestration.dbt_plugin import Plugin

    monkeypatch.setenv("CX_HASH_KEY", "cursor-test-key")
    plugin = Plugin("cx", {})
    root = duckdb.connect()
    plugin.configure_connection(root)
    cursor = plugin.configure_cursor(root.cursor())
    hashed, redacted = cursor.execute("select cx_hash('a'), cx_redact('mail bob@example.com', [])").fetchone()
    assert hashed == hmac_hex(b"cursor-test-key", "a")
    assert redacted == "mail [EMAIL]"


def test_redact_replaces_a_full_name_whole_when_the_list_repeats_it_in_lower_case():
    names = ["harry robinson", "Harry Robinson", None, "Fatima Hill"]
    assert redact("Harry Robinson called; HARRY again, and robinson.", names) == (
        "[NAME] called; [NAME] again, and [NAME]."
    )
    assert redact("Cheers, Harry Robinson", tuple(names)) == "Cheers, [NAME]"


def test_a_name_without_a_letter_or_digit_redacts_nothing():
    # a blank name once put [NAME] between every two non-word characters of a non-ASCII text
    assert redact("Héllo, wörld. Bye!", [" "]) == "Héllo, wörld. Bye!"
    assert redact("Hello, world. Bye", [" ", "", "\u00a0"]) == "Hello, world. Bye"
    assert redact("a , b ; c", [",", ";", "-"]) == "a , b ; c"
    assert redact("Héllo, wörld. Bye!", [" ", "Bye"]) == "Héllo, wörld. [NAME]!"
