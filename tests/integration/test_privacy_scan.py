"""The published marts file holds none of the personal data in the sample exports.

Built from generated sample exports (landed by the ingest module, transformed by dbt, published by the
publish step), every column of every table of the marts file is scanned for: any e-mail address, any
Luhn-valid card number, the exports' phone numbers (any formatting), and the exports' customer and agent
names, CRM ids and social handles.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_helpers import TEST_HASH_KEY, run_dbt  # noqa: E402

from orchestration.privacy.redact import luhn_valid  # noqa: E402

pytestmark = pytest.mark.slow

generate = pytest.importorskip("orchestration.sample_data.generate").generate
land_all = pytest.importorskip("orchestration.ingest.land").land_all
publish_marts = pytest.importorskip("orchestration.publish").publish_marts

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
DIGIT_RUN = re.compile(r"(?<![\w+])\+?\d(?:[ \-().]{0,2}\d){7,18}(?![\w])")
TOKEN = re.compile(r"[\w@.'\-]+")

# Every personal value the exports carry, by kind (values are compared lower-case).
PII_SQL = """
select 'crm id' as kind, customer_id as value from raw.crm_customers
union all select 'name', full_name from raw.crm_customers
union all select 'email', email from raw.crm_customers
union all select 'phone', phone from raw.crm_customers
union all select 'name', full_name from raw.agents
union all select 'email', email from raw.agents
union all select 'crm id', customer_id from raw.voice_calls
union all select 'phone', customer_phone from raw.voice_calls
union all select 'crm id', customer.id from raw.chat_sessions
union all select 'email', customer.email from raw.chat_sessions
union all select 'name', customer.name from raw.chat_sessions
union all select 'crm id', requester.id from raw.email_tickets
union all select 'email', requester.email from raw.email_tickets
union all select 'name', requester.name from raw.email_tickets
union all select 'crm id', customer_id from raw.social_mentions
union all select 'handle', author_handle from raw.social_mentions
union all select 'crm id', customer_id from raw.nps_responses
union all select 'email', email from raw.nps_responses
"""


class PiiScanner:
    """Finds personal data in a text: generic patterns plus the exports' own values."""

    def __init__(self, pii: list[tuple[str, str]]):
        self.tokens: dict[str, str] = {}
        self.names: set[str] = set()
        self.phone_suffixes: set[str] = set()
        for kind, value in pii:
            value = value.strip().lower()
            if kind == "name":
                self.names.add(" ".join(value.split()))
            elif kind == "phone":
                digits = re.sub(r"\D", "", value)
                if len(digits) >= 9:
                    self.phone_suffixes.add(digits[-9:])
            else:
                self.tokens[value] = kind
                if kind == "handle":
                    self.tokens[value.lstrip("@")] = kind

    def findings(self, text: str) -> list[str]:
        found = [f"email {match}" for match in EMAIL.findall(text)]
        for run in DIGIT_RUN.findall(text):
            digits = re.sub(r"\D", "", run)
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                found.append(f"card {run}")
            if len(digits) >= 9 and digits[-9:] in self.phone_suffixes:
                found.append(f"phone {run}")
        words = [word.strip(".'-") for word in TOKEN.findall(text.lower())]
        found += [f"{self.tokens[word]} {word}" for word in words if word in self.tokens]
        for size in (2, 3):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase in self.names:
                    found.append(f"name {phrase}")
        return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    landing, warehouse_dir = root / "landing", root / "warehouse"
    warehouse_dir.mkdir()
    generate(
        landing, seed=11, start=date(2026, 11, 1), days=3, agents=30, customers=1200, interactions_per_day=700
    )
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"))
    land_all(con, str(landing))
    con.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CX_WAREHOUSE_DIR", str(warehouse_dir))
        patch.setenv("CX_HASH_KEY", TEST_HASH_KEY)
        run_dbt(["build"], root / "dbt")
    marts_file = warehouse_dir / "marts.duckdb"
    publish_marts(warehouse_dir / "warehouse.duckdb", marts_file)
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    pii = [(kind, value) for kind, value in con.execute(PII_SQL).fetchall() if value and value.strip()]
    con.close()
    return warehouse_dir / "warehouse.duckdb", marts_file, PiiScanner(pii)


def column_values(database: Path, catalog_filter: str = "true"):
    """(table.column, distinct non-null value as text) for every column of every table, except fractional
    numbers, whose digits (402.1714285714286) are not personal data but can look like a card number."""
    con = duckdb.connect(str(database), read_only=True)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where {catalog_filter} and data_type not in ('DOUBLE', 'FLOAT') and data_type not like 'DECIMAL%'"
    ).fetchall()
    for schema, table, column in columns:
        rows = con.execute(
            f'select distinct "{column}"::varchar from "{schema}"."{table}" where "{column}" is not null'
        ).fetchall()
        for (value,) in rows:
            yield f"{table}.{column}", value
    con.close()


def test_the_scanner_finds_the_personal_data_of_the_raw_exports(built):
    warehouse, _, scanner = built
    kinds = {
        finding.split()[0]
        for _, value in column_values(warehouse, "table_schema = 'raw'")
        for finding in scanner.findings(value)
    }
    assert {"email", "card", "phone", "name", "crm", "handle"} <= kinds


def test_no_column_of_the_published_marts_file_holds_personal_data(built):
    _, marts_file, scanner = built
    scanned, leaks = 0, []
    for column, value in column_values(marts_file):
        scanned += 1
        leaks += [f"{column}: {finding}" for finding in scanner.findings(value)]
    assert scanned > 10_000
    assert leaks == []
