{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='response_id',
        on_schema_change='fail',
    )
}}

{#-
    One row per NPS response (a small table, recomputed in full; incrementally only the rows that changed
    are rewritten, so alerts and the published file re-read only those). Identity as on the channels: the
    record's CRM id, else the CRM customer with its e-mail, else the e-mail itself. Per client and local
    month of responded_at only the customer's latest response counts (is_counted); a response without any
    identity counts on its own.
-#}

with

responses as (
    select * from {{ ref('stg_nps__responses') }}
),

identifiers as (
    select * from {{ ref('int_customer_identifiers_mapped') }}
),

clients as (
    select * from {{ ref('clients') }}
),

resolved as (
    select
        responses.*,
        coalesce(responses.crm_customer_key, by_email.customer_key, responses.email_key) as customer_key,
        case
            when responses.crm_customer_key is not null then 'crm_id'
            when by_email.customer_key is not null then 'crm_email'
            when responses.email_key is not null then 'email'
        end as identity_source,
        {{ to_local('responses.responded_at', 'clients.timezone') }}::date as responded_date
    from responses
    left join identifiers as by_email
        on
            responses.client_id = by_email.client_id
            and responses.email_key = by_email.identifier_key
    left join clients on responses.client_id = clients.client_id
),

ranked as (
    select
        *,
        date_trunc('month', responded_date)::date as response_month,
        case
            when customer_key is null then true
            else row_number() over (
                partition by client_id, customer_key, date_trunc('month', responded_date)
                order by responded_at desc, response_id desc
            ) = 1
        end as is_counted
    from resolved
),

final as (
    select
        response_id,
        client_id,
        customer_key,
        identity_source,
        sent_at,
        responded_at,
        responded_date,
        response_month,
        score,
        case
            when score >= 9 then 'promoter'
            when score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        is_counted,
        wants_follow_up,
        reason_redacted,
        reason_sentiment_score,
        {{ sentiment_label('reason_sentiment_score') }} as reason_sentiment_label,
        {{ built_at() }} as _built_at
    from ranked
),

changed as (
    {{ keep_changed_rows('final', ['response_id']) }}
)

select * from changed
