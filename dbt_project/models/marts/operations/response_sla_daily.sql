{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'channel', 'interaction_date'],
        on_schema_change='fail',
    )
}}

{#-
    Response SLAs (marts.md): met, breached and pending by the local date of the interaction's start
    (a ticket's created_at). Chats and mentions have no priority (null) and use the `*` target.
    sla_met_pct = met / (met + breached); pending is left out.
-#}

with

response_slas as (
    {{ rows_of_changed_partitions(ref('int_response_slas_evaluated')) }}
),

aggregated as (
    select
        client_id,
        channel,
        priority,
        metric,
        interaction_date,
        any_value(target_seconds) as target_seconds,
        any_value(target_pct) as target_pct,
        {{ count_if("outcome = 'met'") }} as met,
        {{ count_if("outcome = 'breached'") }} as breached,
        {{ count_if("outcome = 'pending'") }} as pending
    from response_slas
    group by client_id, channel, priority, metric, interaction_date
),

final as (
    select
        client_id,
        channel,
        priority,
        metric,
        interaction_date,
        target_seconds,
        target_pct,
        met,
        breached,
        pending,
        met + breached as evaluated,
        {{ pct('met', 'met + breached') }} as sla_met_pct,
        {{ pct('met', 'met + breached') }} >= target_pct as is_target_met,
        {{ built_at() }} as _built_at
    from aggregated
    {{ changed_partition_tombstones(ref('int_response_slas_evaluated')) }}
)

select * from final
