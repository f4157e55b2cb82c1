{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['client_id', 'contact_month'],
        on_schema_change='fail',
    )
}}

{#-
    Contact frequency per client, channel and local month (marts.md "Contacts"): contacts = every inbound
    interaction, handled or not, identified or not; customers = distinct customer_keys;
    contacts_per_customer = identified contacts / customers; repeat contacts = eligible interactions with
    an earlier eligible one of the same customer and category within the FCR window, as a share of the
    eligible ones; channel_share_pct = the channel's contacts / the client's contacts in the month.
-#}

with

fct_interactions as not materialized (
    select * from {{ ref('fct_interactions') }}
),

{% if is_incremental() -%}
changed_months as (
    select distinct client_id, date_trunc('month', interaction_date)::date as contact_month
    from fct_interactions
    where _built_at > {{ high_water_mark() }}
),

{#- the days of those months: joined on the stored date, so the scan skips the other months' row groups -#}
changed_days as (
    select client_id, contact_month + day_offset::integer as interaction_date
    from changed_months, range(31) as offsets(day_offset)
    where contact_month + day_offset::integer < contact_month + interval 1 month
),
{%- endif %}

contacts as (
    select
        fct_interactions.*,
        date_trunc('month', interaction_date)::date as contact_month
    from fct_interactions
    {%- if is_incremental() %}
    semi join changed_days using (client_id, interaction_date)
    {%- endif %}
    where direction = 'inbound'
),

aggregated as (
    select
        client_id,
        channel,
        contact_month,
        count(*) as contacts,
        count(customer_key) as identified_contacts,
        count(distinct customer_key) as customers,
        {{ count_if('is_fcr_eligible') }} as eligible_contacts,
        {{ count_if('is_repeat_contact') }} as repeat_contacts
    from contacts
    group by all
),

final as (
    select
        client_id,
        channel,
        contact_month,
        contacts,
        identified_contacts,
        customers,
        {{ mean('identified_contacts', 'customers') }} as contacts_per_customer,
        eligible_contacts,
        repeat_contacts,
        {{ pct('repeat_contacts', 'eligible_contacts') }} as repeat_contact_pct,
        (sum(contacts) over (partition by client_id, contact_month))::bigint as client_contacts,
        {{ pct('contacts', 'sum(contacts) over (partition by client_id, contact_month)') }}
            as channel_share_pct,
        {{ built_at() }} as _built_at
    from aggregated
)

select * from final
