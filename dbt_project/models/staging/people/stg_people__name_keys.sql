{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='name_key',
        on_schema_change='append_new_columns',
    )
}}

{#-
    The directory of full names the exports know — CRM customers, agents, chat customers and ticket
    requesters — as keyed hashes only, with the first export day each was seen. Staging redacts a known
    name mentioned in a free text even when it is not the record's own (a requester unknown to the CRM who
    signs with their name), using the names known up to that text's export day: the same set whether the
    warehouse is built day by day or at once.
-#}

with

names as (
    select full_name as name, _export_date
    from {{ source('raw', 'crm_customers') }}
    where {{ export_window_predicate('_export_date') }}
    union all
    select full_name as name, _export_date
    from {{ source('raw', 'agents') }}
    where {{ export_window_predicate('_export_date') }}
    union all
    select customer.name as name, _export_date
    from {{ source('raw', 'chat_sessions') }}
    where {{ export_window_predicate('_export_date') }}
    union all
    select requester.name as name, _export_date
    from {{ source('raw', 'email_tickets') }}
    where {{ export_window_predicate('_export_date') }}
),

name_forms as (
    select
        {{ name_form('name') }} as name_words,
        min(_export_date) as first_export_date
    from names
    where {{ name_form('name') }} like '% %'
    group by 1
),

keyed as (
    select
        cx_hash('name:' || name_words) as name_key,
        first_export_date
    from name_forms
),

final as (
    select
        keyed.name_key,
        keyed.first_export_date,
        {{ built_at() }} as _built_at
    from keyed
    {%- if is_incremental() %}
    left join {{ this }} as known on keyed.name_key = known.name_key
    where known.name_key is null or keyed.first_export_date < known.first_export_date
    {%- endif %}
)

select * from final
