{#-
    Retention and churn per client and month (marts.md): newest CRM version per customer, signed_up_on and
    churned_on read as the client's local dates. S = signed up before the month and not churned before it;
    N = signed up in it; C = churned in it (a customer who signs up and churns in the same month is in both
    N and C); E = S + N − C. Months run from the client's first signup to its newest month of data.
-#}

with

crm_customers as not materialized (
    select * from {{ ref('stg_crm__customers') }}
),

interactions as (
    select * from {{ ref('int_interactions_unioned') }}
),

events as (
    select client_id, date_trunc('month', signed_up_on)::date as month_start, 1 as signups, 0 as churns
    from crm_customers
    union all
    select client_id, date_trunc('month', churned_on)::date as month_start, 0 as signups, 1 as churns
    from crm_customers
    where churned_on is not null
),

monthly_events as (
    select client_id, month_start, sum(signups) as signups, sum(churns) as churns
    from events
    group by client_id, month_start
),

client_ranges as (
    select
        monthly_events.client_id,
        min(monthly_events.month_start) as first_month,
        greatest(
            max(monthly_events.month_start),
            max(date_trunc('month', newest.newest_date))::date
        ) as last_month
    from monthly_events
    left join (
        select client_id, max(interaction_date) as newest_date
        from interactions
        group by client_id
    ) as newest on monthly_events.client_id = newest.client_id
    group by monthly_events.client_id
),

months as (
    select
        client_id,
        unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start
    from client_ranges
),

filled as (
    select
        months.client_id,
        months.month_start,
        coalesce(monthly_events.signups, 0) as signed_up,
        coalesce(monthly_events.churns, 0) as churned
    from months
    left join monthly_events using (client_id, month_start)
),

running as (
    select
        *,
        coalesce(sum(signed_up - churned) over (
            partition by client_id
            order by month_start
            rows between unbounded preceding and 1 preceding
        ), 0) as starting_customers
    from filled
),

final as (
    select
        client_id,
        month_start as retention_month,
        starting_customers::bigint as starting_customers,
        signed_up::bigint as new_customers,
        churned::bigint as churned_customers,
        (starting_customers + signed_up - churned)::bigint as ending_customers,
        {{ pct('starting_customers + signed_up - churned - signed_up', 'starting_customers') }}
            as retention_rate_pct,
        {{ pct('churned', 'starting_customers') }} as churn_rate_pct
    from running
)

select * from final
