{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='agent_id',
        on_schema_change='append_new_columns',
    )
}}

{#- Agents' names and e-mails stay in raw; agent_id (an employee code) is kept for coaching. -#}

with

newest_agents as (
    {{ newest_raw_versions('agents', ['agent_id'], 'updated_at desc, ' ~ file_order_desc()) }}
),

final as (
    select
        agent_id,
        client_id,
        team,
        site,
        supervisor_id,
        hired_on,
        left_on,
        updated_at,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at,
        {{ built_at() }} as _built_at
    from newest_agents
)

select * from final
