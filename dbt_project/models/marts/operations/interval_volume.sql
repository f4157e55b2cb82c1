{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'channel', 'interval_date'],
        on_schema_change='fail',
    )
}}

{#-
    Offered and handled inbound volume per local interval of interval_minutes (default 30), by the local
    time of the interaction's start; handled counts the offered interactions that were handled.
-#}

{%- set interval_minutes = var('interval_minutes') | int %}

with

interactions as (
    {{ rows_of_changed_partitions(ref('fct_interactions')) }}
),

aggregated as (
    select
        client_id,
        channel,
        interaction_date as interval_date,
        time_bucket(interval {{ interval_minutes }} minute, started_local_at) as interval_start_local,
        count(*) as offered,
        {{ count_if('is_handled') }} as handled
    from interactions
    where direction = 'inbound'
    group by all
),

final as (
    select
        client_id,
        channel,
        interval_date,
        interval_start_local,
        interval_start_local + interval {{ interval_minutes }} minute as interval_end_local,
        {{ interval_minutes }} as interval_minutes,
        offered,
        handled,
        {{ built_at() }} as _built_at
    from aggregated
    {{ changed_partition_tombstones(ref('fct_interactions'), key_date_column='interval_date') }}
)

select * from final
