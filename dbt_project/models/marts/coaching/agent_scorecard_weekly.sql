{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='iso_week_start',
        on_schema_change='fail',
    )
}}

{#-
    Per agent and ISO week (Monday of the interaction's local date; QA by the evaluation's local date):
    volume, AHT, CSAT, FCR, QA, escalation and negative-sentiment share, each with its numerator and
    denominator, and the coaching flag. Rules (thresholds are dbt vars, see dbt_project.yml and README):
    a rate is judged only on at least coaching_min_sample observations; QA on at least one evaluation.
-#}

{%- set min_sample = var('coaching_min_sample') %}

with

fct_interactions as not materialized (
    select * from {{ ref('fct_interactions') }}
),

fct_qa_evaluations as not materialized (
    select * from {{ ref('fct_qa_evaluations') }}
),

{% if is_incremental() -%}
changed_weeks as (
    select distinct date_trunc('week', interaction_date)::date as iso_week_start
    from fct_interactions
    where _built_at > {{ high_water_mark() }}
    union
    select distinct date_trunc('week', evaluated_date)::date as iso_week_start
    from fct_qa_evaluations
    where _built_at > {{ high_water_mark() }}
),

{#- the days of those weeks: joined on the stored date, so the scans skip the row groups of other weeks -#}
changed_days as (
    select iso_week_start + day_offset::integer as changed_date
    from changed_weeks, range(7) as offsets(day_offset)
),
{%- endif %}

interactions as (
    select fct_interactions.*, date_trunc('week', interaction_date)::date as iso_week_start
    from fct_interactions
    {%- if is_incremental() %}
    semi join changed_days on fct_interactions.interaction_date = changed_days.changed_date
    {%- endif %}
    where
        agent_id is not null
        and direction = 'inbound'
        and is_handled
),

evaluations as (
    select fct_qa_evaluations.*, date_trunc('week', evaluated_date)::date as iso_week_start
    from fct_qa_evaluations
    {%- if is_incremental() %}
    semi join changed_days on fct_qa_evaluations.evaluated_date = changed_days.changed_date
    {%- endif %}
),

interaction_metrics as (
    select
        agent_id,
        iso_week_start,
        min(client_id) as client_id,
        count(*) as handled,
        {{ count_if('handle_seconds is not null') }} as aht_interactions,
        {{ exact_seconds_sum("handle_seconds") }} as handle_seconds_sum,
        {{ count_if('csat_scale is not null') }} as csat_responses,
        {{ count_if('is_csat_satisfied') }} as csat_satisfied,
        {{ count_if('is_fcr_eligible and not is_fcr_pending') }} as fcr_denominator,
        {{ count_if('is_fcr') }} as fcr,
        {{ count_if('is_escalated is not null') }} as escalation_base,
        {{ count_if('is_escalated') }} as escalated,
        {{ count_if('sentiment_score is not null') }} as sentiment_scored,
        {{ count_if("sentiment_label = 'negative'") }} as negative_sentiment
    from interactions
    group by agent_id, iso_week_start
),

qa_metrics as (
    select
        agent_id,
        iso_week_start,
        min(client_id) as client_id,
        count(*) as qa_evaluations,
        coalesce(list_sum(list(qa_score_pct order by evaluation_id)), 0)::double as qa_score_sum,
        {{ count_if('is_auto_fail') }} as qa_auto_fails
    from evaluations
    group by agent_id, iso_week_start
),

combined as (
    select
        agent_id,
        iso_week_start,
        coalesce(interaction_metrics.client_id, qa_metrics.client_id) as client_id,
        coalesce(interaction_metrics.handled, 0) as handled,
        coalesce(interaction_metrics.aht_interactions, 0) as aht_interactions,
        coalesce(interaction_metrics.handle_seconds_sum, 0) as handle_seconds_sum,
        coalesce(interaction_metrics.csat_responses, 0) as csat_responses,
        coalesce(interaction_metrics.csat_satisfied, 0) as csat_satisfied,
        coalesce(interaction_metrics.fcr_denominator, 0) as fcr_denominator,
        coalesce(interaction_metrics.fcr, 0) as fcr,
        coalesce(qa_metrics.qa_evaluations, 0) as qa_evaluations,
        coalesce(qa_metrics.qa_score_sum, 0) as qa_score_sum,
        coalesce(qa_metrics.qa_auto_fails, 0) as qa_auto_fails,
        coalesce(interaction_metrics.escalation_base, 0) as escalation_base,
        coalesce(interaction_metrics.escalated, 0) as escalated,
        coalesce(interaction_metrics.sentiment_scored, 0) as sentiment_scored,
        coalesce(interaction_metrics.negative_sentiment, 0) as negative_sentiment
    from interaction_metrics
    full outer join qa_metrics using (agent_id, iso_week_start)
),

rated as (
    select
        *,
        {{ mean('handle_seconds_sum', 'aht_interactions') }} as aht_seconds,
        {{ pct('csat_satisfied', 'csat_responses') }} as csat_pct,
        {{ pct('fcr', 'fcr_denominator') }} as fcr_pct,
        {{ mean('qa_score_sum', 'qa_evaluations') }} as qa_score_pct,
        {{ pct('escalated', 'escalation_base') }} as escalation_pct,
        {{ pct('negative_sentiment', 'sentiment_scored') }} as negative_sentiment_pct
    from combined
),

{#- Each fired rule as readable text; null when it does not fire. -#}
rules as (
    select
        *,
        case
            when csat_responses >= {{ min_sample }} and csat_pct < {{ var('coaching_csat_pct_min') }}
                then format('CSAT {:.1f}% < {}%', csat_pct, {{ var('coaching_csat_pct_min') }})
        end as csat_rule,
        case
            when fcr_denominator >= {{ min_sample }} and fcr_pct < {{ var('coaching_fcr_pct_min') }}
                then format('FCR {:.1f}% < {}%', fcr_pct, {{ var('coaching_fcr_pct_min') }})
        end as fcr_rule,
        case
            when qa_evaluations >= 1 and qa_score_pct < {{ var('coaching_qa_score_pct_min') }}
                then format('QA {:.1f}% < {}%', qa_score_pct, {{ var('coaching_qa_score_pct_min') }})
        end as qa_rule,
        case
            when qa_auto_fails > {{ var('coaching_qa_auto_fails_max') }}
                then format('{} QA auto-fail(s)', qa_auto_fails)
        end as auto_fail_rule,
        case
            when escalation_base >= {{ min_sample }}
                and escalation_pct > {{ var('coaching_escalation_pct_max') }}
                then format('escalations {:.1f}% > {}%', escalation_pct, {{ var('coaching_escalation_pct_max') }})
        end as escalation_rule,
        case
            when sentiment_scored >= {{ min_sample }}
                and negative_sentiment_pct > {{ var('coaching_negative_sentiment_pct_max') }}
                then format(
                    'negative sentiment {:.1f}% > {}%',
                    negative_sentiment_pct,
                    {{ var('coaching_negative_sentiment_pct_max') }}
                )
        end as sentiment_rule
    from rated
),

final as (
    select
        agent_id,
        iso_week_start,
        isoyear(iso_week_start) as iso_year,
        weekofyear(iso_week_start) as iso_week,
        client_id,
        handled,
        aht_interactions,
        handle_seconds_sum,
        aht_seconds,
        csat_responses,
        csat_satisfied,
        csat_pct,
        fcr_denominator,
        fcr,
        fcr_pct,
        qa_evaluations,
        qa_score_sum,
        qa_score_pct,
        qa_auto_fails,
        escalation_base,
        escalated,
        escalation_pct,
        sentiment_scored,
        negative_sentiment,
        negative_sentiment_pct,
        coalesce(
            csat_rule is not null
            or fcr_rule is not null
            or qa_rule is not null
            or auto_fail_rule is not null
            or escalation_rule is not null
            or sentiment_rule is not null,
            false
        ) as needs_coaching,
        nullif(
            concat_ws('; ', csat_rule, fcr_rule, qa_rule, auto_fail_rule, escalation_rule, sentiment_rule),
            ''
        ) as coaching_reason,
        {{ built_at() }} as _built_at
    from rules
)

select * from final
