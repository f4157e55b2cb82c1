{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='subject_id',
        on_schema_change='append_new_columns',
    )
}}

{#-
    One row per alert: something a supervisor should look at. subject_id names what the alert is about
    (an interaction `<channel>:<id>`, `nps:<response>`, `qa:<evaluation>`, or
    `service_level:<client>:<channel>:<queue>:<date>`). Incrementally every changed subject is re-judged
    (strategy replace_keys), so an alert that no longer holds disappears, as does the alert of a queue-day
    that service_level_daily no longer has. Rules:
    - negative_feedback: the interaction's latest CSAT is ≤ 2 stars or thumbs down (high when 1 star or
      the comment's sentiment ≤ −0.5); a mention with negative sentiment or ≤ 2 review stars (high when
      public and unanswered); an NPS score ≤ 3, or a detractor asking for follow-up (high when both);
    - sla_breach: a breached response SLA (high for urgent/high tickets);
    - repeat_contact: at least the alert_repeat_contact_min-th eligible contact of a customer on one issue
      within the FCR window (high from one more);
    - service_level_miss: a queue-day below its target with at least alert_service_level_min_offered
      offered net of short abandons (high when more than 20 points below);
    - qa_auto_fail: an auto-failed evaluation (high).
-#}

{%- set repeat_min = var('alert_repeat_contact_min') | int %}
{%- set window_hours = var('fcr_window_hours') | int %}
{%- set service_level_subject -%}
    'service_level:' || client_id || ':' || channel || ':' || coalesce(queue, '') || ':' || interaction_date
{%- endset %}

with

clients as not materialized (
    select * from {{ ref('clients') }}
),

interactions as (
    select
        *,
        channel || ':' || interaction_id as subject_id
    from ({{ rows_changed_since_last_build(ref('fct_interactions')) }})
),

latest_csat as (
    select survey_responses.*
    from {{ ref('fct_survey_responses') }} as survey_responses
    semi join interactions using (channel, interaction_id)
    where survey_responses.is_latest_csat
),

nps_responses as (
    select
        *,
        'nps:' || response_id as subject_id
    from ({{ rows_changed_since_last_build(ref('fct_nps_responses')) }})
),

qa_evaluations as (
    select
        *,
        'qa:' || evaluation_id as subject_id
    from ({{ rows_changed_since_last_build(ref('fct_qa_evaluations')) }})
),

service_levels as (
    select
        *,
        {{ service_level_subject }} as subject_id
    from ({{ rows_changed_since_last_build(ref('service_level_daily')) }})
),

{% if is_incremental() -%}
{#- a queue-day service_level_daily no longer has (its day rebuilt without it): its alert goes too -#}
vanished_service_levels as (
    select existing.subject_id
    from {{ this }} as existing
    anti join (
        select {{ service_level_subject }} as subject_id from {{ ref('service_level_daily') }}
    ) as current_days using (subject_id)
    where existing.alert_type = 'service_level_miss'
),
{%- endif %}

csat_alerts as (
    select
        'negative_feedback' as alert_type,
        case
            when latest_csat.csat_score = 1 or latest_csat.comment_sentiment_score <= -0.5 then 'high'
            else 'medium'
        end as severity,
        interactions.subject_id,
        interactions.client_id,
        interactions.channel,
        interactions.queue,
        interactions.agent_id,
        interactions.customer_key,
        interactions.interaction_id,
        null::varchar as sla_metric,
        latest_csat.responded_at as occurred_at,
        case
            when latest_csat.csat_scale = 'thumbs' then 'CSAT thumbs down'
            else format('CSAT {}/5', latest_csat.csat_score)
        end
        || coalesce(format(', comment sentiment {:.2f}', latest_csat.comment_sentiment_score), '')
            as detail
    from latest_csat
    inner join interactions using (channel, interaction_id)
    where latest_csat.csat_score <= 2 or latest_csat.csat_thumbs = 'down'
),

mention_alerts as (
    select
        'negative_feedback' as alert_type,
        case
            when regexp_replace(channel_detail, '^.*:', '') = 'public' and not is_handled then 'high'
            else 'medium'
        end as severity,
        subject_id,
        client_id,
        channel,
        queue,
        agent_id,
        customer_key,
        interaction_id,
        null::varchar as sla_metric,
        started_at as occurred_at,
        format(
            'negative {} {} mention{}{}',
            regexp_replace(channel_detail, '^.*:', ''),
            regexp_replace(channel_detail, ':.*$', ''),
            coalesce(format(', sentiment {:.2f}', text_sentiment_score), ''),
            coalesce(format(', {} review stars', review_stars), '')
        ) || case when is_handled then '' else ', not answered' end as detail
    from interactions
    where channel = 'social' and (text_sentiment_score <= -0.05 or review_stars <= 2)
),

nps_alerts as (
    select
        'negative_feedback' as alert_type,
        case when score <= 3 and wants_follow_up then 'high' else 'medium' end as severity,
        subject_id,
        client_id,
        null::varchar as channel,
        null::varchar as queue,
        null::varchar as agent_id,
        customer_key,
        null::varchar as interaction_id,
        null::varchar as sla_metric,
        responded_at as occurred_at,
        format('NPS {} ({})', score, nps_category)
        || case when wants_follow_up then ', follow-up requested' else '' end as detail
    from nps_responses
    where score <= 3 or (nps_category = 'detractor' and wants_follow_up)
),

sla_breaches as (
    select interactions.*, 'first_response' as metric, first_response_due_at as due_at
    from interactions
    where first_response_sla_outcome = 'breached'
    union all
    select interactions.*, 'resolution' as metric, resolution_due_at as due_at
    from interactions
    where resolution_sla_outcome = 'breached'
),

sla_alerts as (
    select
        'sla_breach' as alert_type,
        case when priority in ('urgent', 'high') then 'high' else 'medium' end as severity,
        subject_id,
        client_id,
        channel,
        queue,
        agent_id,
        customer_key,
        interaction_id,
        metric as sla_metric,
        due_at as occurred_at,
        format('{} SLA breached', metric)
        || coalesce(format(' ({} priority)', priority), '') as detail
    from sla_breaches
),

repeat_alerts as (
    select
        'repeat_contact' as alert_type,
        case when prior_contacts_in_window + 1 > {{ repeat_min }} then 'high' else 'medium' end as severity,
        subject_id,
        client_id,
        channel,
        queue,
        agent_id,
        customer_key,
        interaction_id,
        null::varchar as sla_metric,
        started_at as occurred_at,
        format(
            'contact {} on {} within {} h',
            prior_contacts_in_window + 1,
            issue_category,
            {{ window_hours }}
        ) as detail
    from interactions
    where is_repeat_contact and prior_contacts_in_window + 1 >= {{ repeat_min }}
),

service_level_alerts as (
    select
        'service_level_miss' as alert_type,
        case when service_level_pct < target_pct - 20 then 'high' else 'medium' end as severity,
        service_levels.subject_id,
        service_levels.client_id,
        service_levels.channel,
        service_levels.queue,
        null::varchar as agent_id,
        null::varchar as customer_key,
        null::varchar as interaction_id,
        null::varchar as sla_metric,
        {{ to_utc('service_levels.interaction_date::timestamp', 'clients.timezone') }} as occurred_at,
        format(
            'service level {:.1f}% < {}% target (T = {} s, {} offered net of short abandons)',
            service_level_pct,
            target_pct,
            target_seconds,
            net_offered
        ) as detail
    from service_levels
    left join clients on service_levels.client_id = clients.client_id
    where not is_service_level_met and net_offered >= {{ var('alert_service_level_min_offered') }}
),

qa_alerts as (
    select
        'qa_auto_fail' as alert_type,
        'high' as severity,
        subject_id,
        client_id,
        channel,
        null::varchar as queue,
        agent_id,
        null::varchar as customer_key,
        interaction_id,
        null::varchar as sla_metric,
        evaluated_at as occurred_at,
        format('auto-fail ({} evaluation, rubric {})', evaluator_type, rubric_version)
        || case
            when has_compliance_flags then ', flags: ' || array_to_string(compliance_flags, ', ')
            else ''
        end as detail
    from qa_evaluations
    where is_auto_fail
),

all_alerts as (
    select * from csat_alerts
    union all
    select * from mention_alerts
    union all
    select * from nps_alerts
    union all
    select * from sla_alerts
    union all
    select * from repeat_alerts
    union all
    select * from service_level_alerts
    union all
    select * from qa_alerts
),

judged as (
    select
        md5(concat_ws('|', all_alerts.alert_type, all_alerts.subject_id, all_alerts.sla_metric)) as alert_id,
        all_alerts.alert_type,
        all_alerts.severity,
        all_alerts.client_id,
        all_alerts.channel,
        all_alerts.queue,
        all_alerts.agent_id,
        all_alerts.customer_key,
        all_alerts.interaction_id,
        all_alerts.subject_id,
        all_alerts.sla_metric,
        all_alerts.occurred_at,
        {{ to_local('all_alerts.occurred_at', 'clients.timezone') }}::date as alert_date,
        all_alerts.detail,
        {{ built_at() }} as _built_at
    from all_alerts
    left join clients on all_alerts.client_id = clients.client_id
),

hashed as (
    select judged.*, {{ row_hash_of('judged') }} as _row_hash
    from judged
),

{% if is_incremental() -%}
{#- every re-judged subject: its alerts are replaced (replace_keys), or deleted by a tombstone when none hold -#}
rejudged as (
    select subject_id from interactions
    union
    select subject_id from nps_responses
    union
    select subject_id from qa_evaluations
    union
    select subject_id from service_levels
    union
    select subject_id from vanished_service_levels
),

{#-
    A re-judged subject whose alerts come out exactly as stored (same count, same XOR of their row hashes)
    is left alone: most re-judged interactions are restamped for an FCR window elapsing, which no alert
    rule reads, and rewriting their alerts would restamp them for the publish and the delivery too.
-#}
unchanged_subjects as (
    {%- if stored_column_exists('_row_hash') %}
    select rejudged.subject_id
    from rejudged
    left join (
        select subject_id, count(*) as alerts, bit_xor(_row_hash) as fingerprint
        from hashed
        group by subject_id
    ) as now using (subject_id)
    left join (
        select subject_id, count(*) as alerts, bit_xor(_row_hash) as fingerprint
        from {{ this }}
        semi join rejudged using (subject_id)
        group by subject_id
    ) as stored using (subject_id)
    where now.alerts is not distinct from stored.alerts and now.fingerprint is not distinct from stored.fingerprint
    {%- else %}
    {#- a table built before it stored the hash: every re-judged subject is rewritten, once #}
    select subject_id from rejudged where false
    {%- endif %}
),
{%- endif %}

final as (
    select * from hashed
    {%- if is_incremental() %}
    anti join unchanged_subjects using (subject_id)
    {#- tombstones: every re-judged subject that changed #}
    union all by name
    select subject_id, null::timestamp as _built_at
    from rejudged
    anti join unchanged_subjects using (subject_id)
    {%- endif %}
)

select * from final
