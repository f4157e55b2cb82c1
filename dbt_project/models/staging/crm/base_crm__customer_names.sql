{{
    config(
        materialized='incremental',
        schema='raw',
        on_schema_change='fail',
    )
}}

{#-
    The names to redact for a record that points at a CRM customer, looked up by the record's customer id,
    normalised e-mail or phone (every CRM version, so a former name is redacted too): one row per distinct
    client, lookup kind, value and name. It holds PII, so it lives in the raw layer (schema `raw`, never
    published, read by staging only to feed cx_redact) and is rebuilt from raw by an erasure's full refresh
    (its rows holding the person's identifiers are purged with raw's before that).

    Persisted rather than computed inside each staging model: five models look CRM names up, and each
    normalised every CRM row again (measured at 1M interactions a day over 1.5M CRM rows: ≈ 1 s of CPU
    per model, 0.3 s reading this table). A build adds the lookups of the CRM rows landed since the
    newest `_loaded_at` it holds (not the export window: a day whose build failed is still picked up by
    the next one), minus those it holds already.
-#}

with

crm_customers as not materialized (
    select * from {{ source('raw', 'crm_customers') }}
    {%- if is_incremental() %}
    where _loaded_at > {{ high_water_mark('_loaded_at') }}
    {%- endif %}
),

lookups as (
    select client_id, 'crm' as match_kind, trim(customer_id) as match_value, full_name, _loaded_at
    from crm_customers
    union all
    select client_id, 'email' as match_kind, {{ normalised_email('email') }} as match_value, full_name, _loaded_at
    from crm_customers
    union all
    select client_id, 'phone' as match_kind, {{ normalised_phone('phone') }} as match_value, full_name, _loaded_at
    from crm_customers
),

candidates as (
    select
        client_id,
        match_kind,
        match_value,
        full_name,
        max(_loaded_at) as _loaded_at
    from lookups
    where match_value is not null and nullif(trim(full_name), '') is not null
    group by client_id, match_kind, match_value, full_name
),

final as (
    select candidates.* from candidates
    {%- if is_incremental() %}
    anti join {{ this }} as known using (client_id, match_kind, match_value, full_name)
    {%- endif %}
)

select * from final
