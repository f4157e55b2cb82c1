{#- One row per calendar date from the first CRM signup or interaction to the newest local date loaded. -#}

with

interactions as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

crm_customers as not materialized (
    select * from {{ ref('stg_crm__customers') }}
),

nps_responses as not materialized (
    select * from {{ ref('fct_nps_responses') }}
),

bounds as (
    select
        least(
            (select min(interaction_date) from interactions),
            (select min(signed_up_on) from crm_customers),
            (select min(responded_date) from nps_responses)
        ) as first_date,
        greatest(
            (select max(interaction_date) from interactions),
            (select max(churned_on) from crm_customers),
            (select max(responded_date) from nps_responses)
        ) as last_date
),

spine as (
    select unnest(generate_series(first_date, last_date, interval 1 day))::date as date_day
    from bounds
    where first_date is not null
),

final as (
    select
        date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        date_trunc('month', date_day)::date as month_start,
        isoyear(date_day) as iso_year,
        weekofyear(date_day) as iso_week,
        date_trunc('week', date_day)::date as iso_week_start,
        isodow(date_day) as iso_day_of_week,
        dayname(date_day) as day_name,
        isodow(date_day) >= 6 as is_weekend
    from spine
)

select * from final
