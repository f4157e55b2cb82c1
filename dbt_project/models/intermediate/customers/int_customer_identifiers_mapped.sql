{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'identifier_key'],
        on_schema_change='append_new_columns',
    )
}}

{#-
    One row per client and hashed e-mail or phone found in the CRM: the CRM customer it identifies.
    When two CRM customers share an identifier, the most recently updated wins (then the smaller key),
    so the mapping is deterministic.

    Incrementally, only the identifiers a restaged CRM customer has now or had at the last build are
    re-decided (among every customer holding them), and only those whose customer moved are written:
    int_interactions_unioned re-identifies the interactions of exactly the identifiers written here
    since its own last build. An identifier no customer holds any more is kept, without a customer
    (customer_key null), so that the interactions it identified are re-identified too; a full build has
    no such rows. The table is sized by the CRM, so rewriting it whole every day cost seconds on the
    critical path (≈ 3 M identifiers at 1.5 M customers); and restamping every identifier of every
    restaged customer made a CRM export that touched a third of the customers (their updated_at, not
    their identifiers) re-identify every interaction of those customers: on 30 M interactions, the day
    ran out of disk.
-#}

with

crm_customers as not materialized (
    select * from {{ ref('stg_crm__customers') }}
),

identifiers as not materialized (
    select client_id, 'email' as identifier_kind, email_key as identifier_key, customer_key, updated_at
    from crm_customers
    where email_key is not null
    union all
    select client_id, 'phone' as identifier_kind, phone_key as identifier_key, customer_key, updated_at
    from crm_customers
    where phone_key is not null
),

{% if is_incremental() -%}
changed_customers as (
    select customer_key from crm_customers
    where _built_at > {{ high_water_mark() }}
),

affected as (
    select client_id, identifier_key from identifiers
    semi join changed_customers using (customer_key)
    union
    select client_id, identifier_key from {{ this }}
    semi join changed_customers using (customer_key)
),

in_scope as (
    select identifiers.* from identifiers
    semi join affected using (client_id, identifier_key)
),
{%- else -%}
in_scope as (
    select * from identifiers
),
{%- endif %}

winners as (
    select
        client_id,
        identifier_kind,
        identifier_key,
        customer_key
    from in_scope
    qualify row_number() over (
        partition by client_id, identifier_key
        order by updated_at desc, customer_key
    ) = 1
),

decided as (
    select * from winners
    {%- if is_incremental() %}
    union all
    {#- an identifier nobody holds any more: kept without a customer #}
    select existing.client_id, existing.identifier_kind, existing.identifier_key, null::varchar as customer_key
    from {{ this }} as existing
    semi join affected using (client_id, identifier_key)
    anti join winners using (client_id, identifier_key)
    {%- endif %}
),

stamped as (
    select
        decided.*,
        {{ built_at() }} as _built_at
    from decided
),

final as (
    {#- what did not move is not written #}
    {{ keep_changed_rows('stamped', ['client_id', 'identifier_key']) }}
)

select * from final
