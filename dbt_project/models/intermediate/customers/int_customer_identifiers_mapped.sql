{#-
    One row per client and hashed e-mail or phone found in the CRM: the CRM customer it identifies.
    When two CRM customers share an identifier, the most recently updated wins (then the smaller key),
    so the mapping is deterministic.
-#}

with

crm_customers as not materialized (
    select * from {{ ref('stg_crm__customers') }}
),

identifiers as (
    select client_id, 'email' as identifier_kind, email_key as identifier_key, customer_key, updated_at
    from crm_customers
    where email_key is not null
    union all
    select client_id, 'phone' as identifier_kind, phone_key as identifier_key, customer_key, updated_at
    from crm_customers
    where phone_key is not null
),

final as (
    select
        client_id,
        identifier_kind,
        identifier_key,
        customer_key
    from identifiers
    qualify row_number() over (
        partition by client_id, identifier_key
        order by updated_at desc, customer_key
    ) = 1
)

select * from final
