{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='call_id',
        on_schema_change='append_new_columns',
    )
}}

with

newest_calls as (
    {{ newest_raw_versions('voice_calls', ['call_id'], file_order_desc()) }}
),

final as (
    select
        call_id,
        client_id,
        queue,
        direction,
        {{ identity_key('client_id', 'crm', 'trim(customer_id)') }} as crm_customer_key,
        {{ identity_key('client_id', 'phone', normalised_phone('customer_phone')) }} as phone_key,
        agent_id,
        offered_at,
        answered_at,
        ended_at,
        talk_seconds,
        hold_seconds,
        acw_seconds,
        is_abandoned,
        transfer_count,
        is_escalated,
        is_resolved,
        issue_category,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at,
        {{ built_at() }} as _built_at
    from newest_calls
)

select * from final
