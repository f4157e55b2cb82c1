{{ config(materialized='ephemeral') }}

{#-
    The names to redact for a record that points at a CRM customer, looked up by the record's customer id,
    normalised e-mail or phone (every CRM version, so a former name is redacted too). Ephemeral: it reads
    PII only to feed cx_redact inside a staging model and is never persisted.
-#}

with

crm_customers as not materialized (
    select * from {{ source('raw', 'crm_customers') }}
),

lookups as (
    select client_id, 'crm' as match_kind, trim(customer_id) as match_value, full_name
    from crm_customers
    union all
    select client_id, 'email' as match_kind, {{ normalised_email('email') }} as match_value, full_name
    from crm_customers
    union all
    select client_id, 'phone' as match_kind, {{ normalised_phone('phone') }} as match_value, full_name
    from crm_customers
),

{#- No distinct here: the lookup's join filters the scan, and names are de-duplicated per record. -#}
final as (
    select
        client_id,
        match_kind,
        match_value,
        full_name
    from lookups
    where match_value is not null and nullif(trim(full_name), '') is not null
)

select * from final
