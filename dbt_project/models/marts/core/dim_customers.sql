{#-
    Every identity of a client (marts.md): CRM customers, plus the identities resolved from interactions
    and NPS responses that the CRM does not know (a CRM id missing from the CRM export, an e-mail or a
    phone). Only keyed hashes: no id, name, e-mail or phone.
-#}

with

crm_customers as not materialized (
    select * from {{ ref('stg_crm__customers') }}
),

interactions as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

nps_responses as (
    select * from {{ ref('fct_nps_responses') }}
),

{#- identities the CRM does not know, observed anywhere: the CRM's keys are dropped before the distinct,
    which then sorts only the rest (12 % of the interactions in the benchmark's world), not all of them -#}
observed_identities as (
    select distinct client_id, customer_key, identity_source
    from interactions
    anti join crm_customers using (customer_key)
    where customer_key is not null
    union
    select distinct client_id, customer_key, identity_source
    from nps_responses
    anti join crm_customers using (customer_key)
    where customer_key is not null
),

non_crm_identities as (
    select
        client_id,
        customer_key,
        coalesce(
            max(case when identity_source = 'crm_id' then 'unmatched_crm_id' end),
            max(case when identity_source = 'email' then 'email' end),
            max(case when identity_source = 'phone' then 'phone' end)
        ) as identity_kind
    from observed_identities
    group by client_id, customer_key
),

final as (
    select
        customer_key,
        client_id,
        'crm' as identity_kind,
        true as is_crm_customer,
        signed_up_on,
        churned_on,
        churned_on is not null as is_churned,
        plan,
        segment
    from crm_customers
    union all
    select
        customer_key,
        client_id,
        identity_kind,
        false as is_crm_customer,
        null::date as signed_up_on,
        null::date as churned_on,
        null::boolean as is_churned,
        null::varchar as plan,
        null::varchar as segment
    from non_crm_identities
)

select * from final
