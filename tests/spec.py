"""Names fixed by shared/spec/marts.md, shared by the tests that check the project against it."""

SPEC_MARTS = (
    "fct_interactions",
    "fct_survey_responses",
    "fct_nps_responses",
    "fct_qa_evaluations",
    "dim_agents",
    "dim_customers",
    "dim_clients",
    "dim_dates",
    "csat_daily",
    "nps_monthly",
    "fcr_daily",
    "service_level_daily",
    "response_sla_daily",
    "retention_monthly",
    "contact_frequency_monthly",
    "interval_volume",
    "agent_scorecard_weekly",
    "alerts",
    "interaction_summaries",
)
