{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'channel', 'interaction_date'],
        on_schema_change='fail',
    )
}}

{#-
    Service level, abandonment, ASA and AHT of the queued channels (marts.md): offered = inbound calls and
    all chat sessions, by the local date of their start. A short abandon (wait strictly under
    short_abandon_seconds) leaves both the numerator and the denominator; a longer abandon is a miss.
    service_level_pct = answered within T / (offered − short abandons), T from the client's `answer` row.
-#}

with

interactions as (
    {{ rows_of_changed_partitions(ref('fct_interactions')) }}
),

answer_targets as (
    select * from {{ ref('sla_targets') }}
    where metric = 'answer' and priority = '*'
),

aggregated as (
    select
        client_id,
        channel,
        queue,
        interaction_date,
        count(*) as offered,
        {{ count_if('is_answered') }} as answered,
        {{ count_if('is_abandoned') }} as abandoned,
        {{ count_if('is_short_abandon') }} as short_abandons,
        {{ count_if('is_answered_within_target') }} as answered_within_target,
        {{ exact_seconds_sum("answer_seconds") }} as answer_seconds_sum,
        {{ count_if('handle_seconds is not null') }} as aht_interactions,
        {{ exact_seconds_sum("handle_seconds") }} as handle_seconds_sum
    from interactions
    where direction = 'inbound' and channel in ('voice', 'chat')
    group by all
),

final as (
    select
        aggregated.client_id,
        aggregated.channel,
        aggregated.queue,
        aggregated.interaction_date,
        aggregated.offered,
        aggregated.answered,
        aggregated.abandoned,
        aggregated.short_abandons,
        aggregated.offered - aggregated.short_abandons as net_offered,
        aggregated.abandoned - aggregated.short_abandons as net_abandoned,
        aggregated.answered_within_target,
        {{ pct('aggregated.answered_within_target', 'aggregated.offered - aggregated.short_abandons') }}
            as service_level_pct,
        answer_targets.target_seconds,
        answer_targets.target_pct,
        {{ pct('aggregated.answered_within_target', 'aggregated.offered - aggregated.short_abandons') }}
        >= answer_targets.target_pct as is_service_level_met,
        {{ pct('aggregated.abandoned - aggregated.short_abandons', 'aggregated.offered - aggregated.short_abandons') }}
            as abandonment_pct,
        aggregated.answer_seconds_sum,
        {{ mean('aggregated.answer_seconds_sum', 'aggregated.answered') }} as asa_seconds,
        aggregated.aht_interactions,
        aggregated.handle_seconds_sum,
        {{ mean('aggregated.handle_seconds_sum', 'aggregated.aht_interactions') }} as aht_seconds,
        {{ built_at() }} as _built_at
    from aggregated
    left join answer_targets
        on
            aggregated.client_id = answer_targets.client_id
            and aggregated.channel = answer_targets.channel
    {{ changed_partition_tombstones(ref('fct_interactions')) }}
)

select * from final
