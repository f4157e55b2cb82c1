{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'channel', 'interaction_date'],
        on_schema_change='fail',
    )
}}

{#-
    CSAT (marts.md): each inbound voice, chat and email interaction contributes its latest response,
    attributed to the interaction's local date, queue and agent. Social has no CSAT (app-store stars are
    reviews) and is not in this table.
-#}

with

interactions as (
    {{ rows_of_changed_partitions(ref('fct_interactions')) }}
),

in_scope as (
    select * from interactions
    where
        direction = 'inbound'
        and channel in ('voice', 'chat', 'email')
        and (is_handled or csat_scale is not null or ces_score is not null)
),

aggregated as (
    select
        client_id,
        channel,
        queue,
        agent_id,
        interaction_date,
        {{ count_if('is_handled') }} as handled,
        {{ count_if('csat_scale is not null') }} as responses,
        {{ count_if('is_csat_satisfied') }} as satisfied,
        {{ count_if("csat_scale = 'stars'") }} as star_responses,
        coalesce(sum(csat_score) filter (where csat_scale = 'stars'), 0)::bigint as star_score_sum,
        {{ count_if("csat_scale = 'thumbs'") }} as thumbs_responses,
        {{ count_if("csat_thumbs = 'up'") }} as thumbs_up,
        {{ count_if('ces_score is not null') }} as ces_responses,
        coalesce(sum(ces_score), 0)::bigint as ces_score_sum,
        {{ count_if('ces_score <= 3') }} as low_effort_responses
    from in_scope
    group by all
),

final as (
    select
        client_id,
        channel,
        queue,
        agent_id,
        interaction_date,
        handled,
        responses,
        satisfied,
        {{ pct('satisfied', 'responses') }} as csat_pct,
        star_responses,
        star_score_sum,
        {{ mean('star_score_sum', 'star_responses') }} as avg_csat_score,
        thumbs_responses,
        thumbs_up,
        {{ pct('responses', 'handled') }} as response_rate_pct,
        ces_responses,
        ces_score_sum,
        {{ mean('ces_score_sum', 'ces_responses') }} as avg_ces_score,
        low_effort_responses,
        {{ pct('low_effort_responses', 'ces_responses') }} as low_effort_pct,
        {{ built_at() }} as _built_at
    from aggregated
    {{ changed_partition_tombstones(ref('fct_interactions')) }}
)

select * from final
