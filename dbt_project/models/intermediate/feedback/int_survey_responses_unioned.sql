{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['channel', 'interaction_id'],
        on_schema_change='append_new_columns',
    )
}}

{#-
    One row per CSAT/CES response: voice surveys, chat ratings (stars or thumbs) and ticket satisfaction.
    App-store stars are reviews, not CSAT, and are not here. Satisfied: stars >= csat_satisfied_min, or a
    thumbs up. The latest response of an interaction (by responded_at, then response id) is the one its
    CSAT counts; CSAT and CES are each taken from the latest response that carries them.
    Incrementally, all responses of an interaction whose survey, chat or ticket changed are replaced
    (strategy replace_keys); a tombstone removes a rating that a newer version of a chat or ticket dropped.
-#}

{%- set satisfied_min = var('csat_satisfied_min') %}

with

surveys as (
    {{ rows_changed_since_last_build(ref('stg_voice__surveys')) }}
),

chats as (
    {{ rows_changed_since_last_build(ref('stg_chat__sessions')) }}
),

tickets as (
    {{ rows_changed_since_last_build(ref('stg_email__tickets')) }}
),

{#- A call gains a survey: its earlier surveys are re-ranked, so all of them are rebuilt. -#}
surveyed_calls as (
    select * from {{ ref('stg_voice__surveys') }}
    {%- if is_incremental() %}
    where call_id in (select call_id from surveys)
    {%- endif %}
),

voice_responses as (
    select
        survey_id as response_id,
        'voice' as channel,
        call_id as interaction_id,
        client_id,
        responded_at,
        case when csat_score is not null then 'stars' end as csat_scale,
        csat_score,
        null::varchar as csat_thumbs,
        ces_score,
        comment_redacted,
        comment_sentiment_score
    from surveyed_calls
),

chat_responses as (
    select
        chat_id as response_id,
        'chat' as channel,
        chat_id as interaction_id,
        client_id,
        coalesce(rated_at, ended_at) as responded_at,
        rating_scale as csat_scale,
        rating_stars as csat_score,
        rating_thumbs as csat_thumbs,
        null::integer as ces_score,
        rating_comment_redacted as comment_redacted,
        rating_comment_sentiment_score as comment_sentiment_score
    from chats
    where rating_scale is not null
),

ticket_responses as (
    select
        ticket_id as response_id,
        'email' as channel,
        ticket_id as interaction_id,
        client_id,
        coalesce(satisfaction_rated_at, updated_at) as responded_at,
        'stars' as csat_scale,
        satisfaction_score as csat_score,
        null::varchar as csat_thumbs,
        null::integer as ces_score,
        satisfaction_comment_redacted as comment_redacted,
        satisfaction_comment_sentiment_score as comment_sentiment_score
    from tickets
    where satisfaction_score is not null
),

responses as (
    select * from voice_responses
    union all
    select * from chat_responses
    union all
    select * from ticket_responses
),

scored as (
    select
        *,
        csat_score is not null or csat_thumbs is not null as is_csat_response,
        case
            when csat_scale = 'stars' then csat_score >= {{ satisfied_min }}
            when csat_scale = 'thumbs' then csat_thumbs = 'up'
        end as is_satisfied,
        ces_score is not null as is_ces_response,
        ces_score <= 3 as is_low_effort
    from responses
),

ranked as (
    select
        *,
        is_csat_response and row_number() over (
            partition by channel, interaction_id, is_csat_response
            order by responded_at desc, response_id desc
        ) = 1 as is_latest_csat,
        is_ces_response and row_number() over (
            partition by channel, interaction_id, is_ces_response
            order by responded_at desc, response_id desc
        ) = 1 as is_latest_ces
    from scored
),

final as (
    select
        response_id,
        channel,
        interaction_id,
        client_id,
        responded_at,
        csat_scale,
        csat_score,
        csat_thumbs,
        is_csat_response,
        is_satisfied,
        is_latest_csat,
        ces_score,
        is_ces_response,
        is_low_effort,
        is_latest_ces,
        comment_redacted,
        comment_sentiment_score,
        {{ built_at() }} as _built_at
    from ranked
    {% if is_incremental() -%}
    {#- tombstones: every changed chat and ticket, so a dropped rating disappears #}
    union all by name
    select 'chat' as channel, chat_id as interaction_id, null::timestamp as _built_at from chats
    union all by name
    select 'email' as channel, ticket_id as interaction_id, null::timestamp as _built_at from tickets
    {%- endif %}
)

select * from final
