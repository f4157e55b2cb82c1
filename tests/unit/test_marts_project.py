"""The dbt project keeps the warehouse contract of shared/spec/marts.md (read from its files; no dbt run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from orchestration.ingest.schemas import SOURCES
from orchestration.settings import DBT_PROJECT_DIR
from tests.spec import SPEC_MARTS

MODELS_DIR = DBT_PROJECT_DIR / "models"
# Column names that would carry personal data past raw.
PII_COLUMNS = {
    "email",
    "phone",
    "full_name",
    "name",
    "customer_id",
    "author_handle",
    "customer_phone",
    "requester",
    "customer",
    "comment",
    "reason",
    "text",
    "subject",
    "description",
    "transcript",
}


def yml_documents(folder: Path) -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(folder.rglob("*.yml"))]


def documented_models(folder: Path) -> dict[str, dict]:
    return {model["name"]: model for doc in yml_documents(folder) for model in doc.get("models", [])}


@pytest.fixture(scope="module")
def marts() -> dict[str, dict]:
    return documented_models(MODELS_DIR / "marts")


def test_every_mart_of_the_spec_is_a_model_with_an_enforced_contract(marts):
    assert set(SPEC_MARTS) <= set(marts)
    for name in SPEC_MARTS:
        assert (next((MODELS_DIR / "marts").rglob(f"{name}.sql"))).exists()
        assert marts[name]["config"]["contract"]["enforced"] is True, name
        assert all(column.get("data_type") for column in marts[name]["columns"]), name


def test_every_mart_description_states_its_grain_in_its_first_sentence(marts):
    for name, model in marts.items():
        assert model["description"].startswith("One row per "), name


def test_no_mart_column_is_named_like_personal_data(marts):
    for name, model in marts.items():
        leaked = {column["name"] for column in model["columns"]} & PII_COLUMNS
        assert not leaked, f"{name}: {leaked}"


def test_the_raw_source_declares_the_nine_exports_as_tables_of_source_raw():
    tables = {
        table["name"]
        for doc in yml_documents(MODELS_DIR / "staging")
        for source in doc.get("sources", [])
        if source["name"] == "raw"
        for table in source["tables"]
    }
    assert tables == set(SOURCES)


def test_no_model_or_macro_reads_an_environment_variable_but_the_export_window():
    """The hash key must never pass through Jinja (it would land in target/): only the plugin reads it.
    The one exception is the export-day window (two ISO dates, not secret), read at execution time."""
    import re

    from orchestration.settings import DBT_WINDOW_ENV

    for path in [*MODELS_DIR.rglob("*.sql"), *(DBT_PROJECT_DIR / "macros").rglob("*.sql")]:
        text = path.read_text()
        read = re.findall(r"env_var\(\s*'([^']*)'", text)
        assert text.count("env_var") == len(read), path  # every read names its variable literally
        assert set(read) <= set(DBT_WINDOW_ENV), (path, read)


def test_models_that_read_raw_personal_data_are_staging_or_lookups_that_stay_in_the_raw_layer():
    lookups = {}
    for path in MODELS_DIR.rglob("*.sql"):
        sql = path.read_text()
        if "source('raw'" in sql or "newest_raw_versions(" in sql:
            assert path.name.startswith(("stg_", "base_")), path
            if path.name.startswith("base_"):
                # a PII lookup is inlined into staging (ephemeral) or kept in schema raw, never persisted elsewhere
                ephemeral, in_raw = "materialized='ephemeral'" in sql, "schema='raw'" in sql
                assert ephemeral or in_raw, path
                lookups[path.stem] = "ephemeral" if ephemeral else "raw"
    assert lookups == {"base_crm__customer_names": "raw", "base_workforce__agent_names": "ephemeral"}


def test_metric_tunables_are_vars_with_the_spec_defaults():
    config = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    tunables = config["vars"]
    assert {
        key: tunables[key]
        for key in ("fcr_window_hours", "short_abandon_seconds", "csat_satisfied_min", "interval_minutes")
    } == {
        "fcr_window_hours": 168,
        "short_abandon_seconds": 5,
        "csat_satisfied_min": 4,
        "interval_minutes": 30,
    }
    assert {key for key in tunables if key.startswith("coaching_")} >= {
        "coaching_min_sample",
        "coaching_csat_pct_min",
        "coaching_fcr_pct_min",
        "coaching_qa_score_pct_min",
        "coaching_escalation_pct_max",
        "coaching_negative_sentiment_pct_max",
        "coaching_qa_auto_fails_max",
    }


def test_each_required_metric_definition_is_pinned_by_a_unit_test():
    names = " ".join(
        test["name"] for doc in yml_documents(MODELS_DIR) for test in doc.get("unit_tests", []) or []
    )
    for topic in (
        "short_abandons",
        "long_abandon",
        "pending_at_end_of_data",
        "repeat_on_another_channel",
        "latest_csat_response_wins",
        "thumbs_and_stars",
        "one_response_per_customer_month",
        "signs_up_and_churns_in_the_same_month",
        "pending_versus_breached",
        "local_date",
    ):
        assert re.search(topic, names), topic
