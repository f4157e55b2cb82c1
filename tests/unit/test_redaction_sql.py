"""The staging models' `redacted(text, names)` macro (dbt_project/macros/redaction.sql) calls the Python
UDF cx_redact only for a text it could change: it must return exactly what cx_redact returns, for every
text and names list, and still skip the texts cx_redact cannot change."""

import itertools
import re
from pathlib import Path

import duckdb
import jinja2

from orchestration.dbt_plugin import register_functions
from orchestration.privacy import redact

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "redaction.sql"

TEXTS = [
    "Hi Ana, call me",
    "hello there, nothing to see",
    "ANA said ana is banana",
    "Hello, world. Bye",
    "Héllo, wörld. Bye!",
    "call 0438 034 041 today",
    "mail ana.reyes@example.com",
    "Kate here",
    "Harry Robinson called; HARRY again, and robinson.",
    "",
    "x y",
    "reyes! o'brien",
    "dela cruz, mark",
]
NAMES = [
    [],
    ["Ana"],
    ["Ana\u00a0Reyes"],  # a no-break space between the parts
    ["Ana\u2003Reyes"],  # an em space
    ["Reyes\x1fAna"],  # the unit separator: white space to Python
    [" "],
    [","],
    ["Ana, Reyes"],
    ["A B"],
    ["\u212aate"],  # KELVIN SIGN: lower-cases to an ASCII k
    ["harry robinson", "Harry Robinson", "Fatima Hill"],
    ["Bye"],
    ["Mark\tdela Cruz"],
    ["O'Brien"],
    ["x"],
]


def _macro():
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    return env.from_string(MACROS.read_text()).module.redacted


def _cases(con) -> list[tuple[str, list[str], str]]:
    sql = _macro()("text", "names")
    con.execute("create temp table cases (position int, text varchar, names varchar[])")
    cases = list(itertools.product(TEXTS, NAMES))
    con.executemany("insert into cases values (?, ?, ?)", [(i, t, n) for i, (t, n) in enumerate(cases)])
    return con.execute(f"select text, names, {sql} from cases order by position").fetchall()


def test_the_macro_returns_exactly_what_cx_redact_returns():
    con = duckdb.connect()
    register_functions(con)
    rows = _cases(con)
    assert len(rows) == len(TEXTS) * len(NAMES)
    mismatches = [(text, names, got) for text, names, got in rows if got != redact(text, names)]
    assert mismatches == []


def test_the_macro_skips_only_texts_cx_redact_cannot_change():
    con = duckdb.connect()
    con.create_function("cx_redact", lambda text, names: "<called>", ["VARCHAR", "VARCHAR[]"], "VARCHAR")
    rows = _cases(con)
    skipped = [(text, names) for text, names, got in rows if got != "<called>"]
    called = [(text, names) for text, names, got in rows if got == "<called>"]
    assert all(got == text for text, _, got in rows if got != "<called>")
    assert all(redact(text, names) == text for text, names in skipped)  # nothing skipped it would change
    assert ("hello there, nothing to see", ["Ana"]) in skipped and ("x y", []) in skipped
    assert ("Hi Ana, call me", ["Ana\u00a0Reyes"]) in called  # a part of a name split at a no-break space
    assert len(skipped) > len(rows) // 3


def test_the_macro_splits_names_where_python_does():
    """A name's parts are split at Python's `\\s` (in a str) and at the comma: the macro's separators."""
    listed = re.search(r"set separators = \[([^\]]*)\]", MACROS.read_text())[1]
    separators = {int(code) for code in listed.split(",")}
    assert separators == {code for code in range(0x110000) if re.fullmatch(r"[\s,]", chr(code))}
