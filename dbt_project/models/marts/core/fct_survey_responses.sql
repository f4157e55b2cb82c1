{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['channel', 'interaction_id'],
        on_schema_change='fail',
    )
}}

with

survey_responses as not materialized (
    select * from {{ ref('int_survey_responses_unioned') }}
),

interactions as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

clients as (
    select * from {{ ref('clients') }}
),

{% if is_incremental() -%}
{#- An interaction whose responses changed, or whose own attributes (agent, queue) did. -#}
changed as (
    select channel, interaction_id from survey_responses where _built_at > {{ high_water_mark() }}
    union
    select channel, interaction_id from interactions where _built_at > {{ high_water_mark() }}
),

responses as (
    select survey_responses.*
    from survey_responses
    semi join changed using (channel, interaction_id)
),
{%- else -%}
responses as (
    select * from survey_responses
),
{%- endif %}

joined as (
    select
        responses.*,
        interactions.queue,
        interactions.agent_id,
        interactions.customer_key,
        interactions.interaction_date,
        {{ to_local('responses.responded_at', 'clients.timezone') }}::date as responded_date
    from responses
    left join interactions using (channel, interaction_id)
    left join clients on responses.client_id = clients.client_id
),

final as (
    select
        response_id,
        channel,
        interaction_id,
        client_id,
        queue,
        agent_id,
        customer_key,
        interaction_date,
        responded_at,
        responded_date,
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
        {{ sentiment_label('comment_sentiment_score') }} as comment_sentiment_label,
        {{ built_at() }} as _built_at
    from joined
    {% if is_incremental() -%}
    {#- tombstones: an interaction whose responses are all gone loses its rows #}
    union all by name
    select channel, interaction_id, null::timestamp as _built_at from changed
    {%- endif %}
)

select * from final
