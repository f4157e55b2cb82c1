{{ config(materialized='ephemeral') }}

{#-
    Every full name in the people directories of the exports — CRM customers (any version) and agents —
    in the form name_form gives. A known name mentioned in a free text is redacted even when it is not the
    record's own (a caller unknown to the CRM signing with a customer's name). Both directories grow with
    people, not with interactions. Ephemeral: read from raw only to feed cx_redact, never persisted.
-#}

with

names as (
    select full_name from {{ source('raw', 'crm_customers') }}
    union all
    select full_name from {{ source('raw', 'agents') }}
),

final as (
    select
        {{ name_form('full_name') }} as name_words,
        full_name
    from names
    where full_name like '% %'
)

select * from final
