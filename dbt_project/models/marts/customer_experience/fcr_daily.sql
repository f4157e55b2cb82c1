{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'channel', 'interaction_date'],
        on_schema_change='fail',
    )
}}

{#-
    FCR by the repeat-contact method (marts.md "FCR"): eligible interactions (inbound, handled, with a
    customer_key), attributed to their local date. fcr_pct = fcr / (eligible − pending); the agent's own
    disposition, resolved_flag_pct = resolved / eligible, side by side.
-#}

with

interactions as (
    {{ rows_of_changed_partitions(ref('fct_interactions')) }}
),

aggregated as (
    select
        client_id,
        channel,
        queue,
        agent_id,
        interaction_date,
        count(*) as eligible,
        {{ count_if('is_fcr_pending') }} as pending,
        {{ count_if('not is_fcr_pending') }} as fcr_denominator,
        {{ count_if('is_fcr') }} as fcr,
        {{ count_if('is_repeated') }} as repeated,
        {{ count_if('is_resolved') }} as resolved
    from interactions
    where is_fcr_eligible
    group by all
),

final as (
    select
        client_id,
        channel,
        queue,
        agent_id,
        interaction_date,
        eligible,
        pending,
        fcr_denominator,
        fcr,
        {{ pct('fcr', 'fcr_denominator') }} as fcr_pct,
        repeated,
        resolved,
        {{ pct('resolved', 'eligible') }} as resolved_flag_pct,
        {{ built_at() }} as _built_at
    from aggregated
    {{ changed_partition_tombstones(ref('fct_interactions')) }}
)

select * from final
