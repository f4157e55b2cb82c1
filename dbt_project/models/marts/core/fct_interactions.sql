{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['channel', 'interaction_id'],
        on_schema_change='fail',
    )
}}

with

unioned as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

{#- Incrementally, every parent is read for the changed interactions only (not the whole history). -#}
{%- set in_scope = 'semi join changed using (channel, interaction_id)' if is_incremental() else '' %}

{% if is_incremental() -%}
changed as (
    select channel, interaction_id from unioned where _built_at > {{ high_water_mark() }}
    union
    select channel, interaction_id from {{ ref('int_interactions_windowed') }}
    where _built_at > {{ high_water_mark() }}
    union
    select channel, interaction_id from {{ ref('int_response_slas_evaluated') }}
    where _built_at > {{ high_water_mark() }}
    union
    select channel, interaction_id from {{ ref('int_survey_responses_unioned') }}
    where _built_at > {{ high_water_mark() }}
),
{%- endif %}

interactions as (
    select unioned.* from unioned {{ in_scope }}
),

windowed as (
    select windowed.* from {{ ref('int_interactions_windowed') }} as windowed {{ in_scope }}
),

response_slas as (
    select response_slas.* from {{ ref('int_response_slas_evaluated') }} as response_slas {{ in_scope }}
),

survey_responses as (
    select survey_responses.* from {{ ref('int_survey_responses_unioned') }} as survey_responses {{ in_scope }}
),

answer_targets as (
    select * from {{ ref('sla_targets') }}
    where metric = 'answer'
),

latest_csat as (
    select channel, interaction_id, csat_scale, csat_score, csat_thumbs, is_satisfied
    from survey_responses
    where is_latest_csat
),

latest_ces as (
    select channel, interaction_id, ces_score
    from survey_responses
    where is_latest_ces
),

latest_comment as (
    select channel, interaction_id, comment_sentiment_score
    from survey_responses
    where comment_sentiment_score is not null
    qualify row_number() over (
        partition by channel, interaction_id
        order by responded_at desc, response_id desc
    ) = 1
),

sla_outcomes as (
    select
        channel,
        interaction_id,
        any_value(outcome) filter (where metric = 'first_response') as first_response_sla_outcome,
        any_value(due_at) filter (where metric = 'first_response') as first_response_due_at,
        any_value(outcome) filter (where metric = 'resolution') as resolution_sla_outcome,
        any_value(due_at) filter (where metric = 'resolution') as resolution_due_at
    from response_slas
    group by channel, interaction_id
),

joined as (
    select
        interactions.*,
        windowed.is_fcr_eligible,
        windowed.is_repeated,
        windowed.is_repeat_contact,
        windowed.prior_contacts_in_window,
        windowed.is_fcr_pending,
        windowed.is_fcr,
        answer_targets.target_seconds as answer_target_seconds,
        latest_csat.csat_scale,
        latest_csat.csat_score,
        latest_csat.csat_thumbs,
        latest_csat.is_satisfied as is_csat_satisfied,
        latest_ces.ces_score,
        sla_outcomes.first_response_sla_outcome,
        sla_outcomes.first_response_due_at,
        sla_outcomes.resolution_sla_outcome,
        sla_outcomes.resolution_due_at,
        latest_comment.comment_sentiment_score as feedback_sentiment_score
    from interactions
    left join windowed using (channel, interaction_id)
    left join latest_csat using (channel, interaction_id)
    left join latest_ces using (channel, interaction_id)
    left join latest_comment using (channel, interaction_id)
    left join sla_outcomes using (channel, interaction_id)
    left join answer_targets
        on
            interactions.client_id = answer_targets.client_id
            and interactions.channel = answer_targets.channel
            and answer_targets.priority = '*'
),

final as (
    select
        interaction_id,
        channel,
        client_id,
        queue,
        agent_id,
        customer_key,
        identity_source,
        direction,
        channel_detail,
        issue_category,
        priority,
        status,
        interaction_date,
        started_at,
        started_local_at,
        answered_at,
        first_response_at,
        ended_at,
        solved_at,
        wait_seconds,
        answer_seconds,
        handle_seconds,
        talk_seconds,
        hold_seconds,
        acw_seconds,
        transfer_count,
        reopen_count,
        is_handled,
        is_answered,
        is_abandoned,
        is_short_abandon,
        answer_target_seconds,
        case
            when channel in ('voice', 'chat') and direction = 'inbound'
                then coalesce(is_answered and answer_seconds <= answer_target_seconds, false)
        end as is_answered_within_target,
        is_resolved,
        is_escalated,
        coalesce(is_fcr_eligible, false) as is_fcr_eligible,
        coalesce(is_repeated, false) as is_repeated,
        coalesce(is_repeat_contact, false) as is_repeat_contact,
        coalesce(prior_contacts_in_window, 0) as prior_contacts_in_window,
        coalesce(is_fcr_pending, false) as is_fcr_pending,
        is_fcr,
        csat_scale,
        csat_score,
        csat_thumbs,
        is_csat_satisfied,
        ces_score,
        first_response_sla_outcome,
        first_response_due_at,
        resolution_sla_outcome,
        resolution_due_at,
        review_stars,
        customer_text_sentiment_score as text_sentiment_score,
        feedback_sentiment_score,
        coalesce(feedback_sentiment_score, customer_text_sentiment_score) as sentiment_score,
        {{ sentiment_label('coalesce(feedback_sentiment_score, customer_text_sentiment_score)') }}
            as sentiment_label,
        {{ built_at() }} as _built_at
    from joined
)

select * from final
