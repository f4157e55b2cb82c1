{#- NPS per client and local month of responded_at, one response per customer and month (the latest). -#}

with

nps_responses as (
    select * from {{ ref('fct_nps_responses') }}
    where is_counted
),

aggregated as (
    select
        client_id,
        response_month,
        count(*) as responses,
        {{ count_if("nps_category = 'promoter'") }} as promoters,
        {{ count_if("nps_category = 'passive'") }} as passives,
        {{ count_if("nps_category = 'detractor'") }} as detractors
    from nps_responses
    group by client_id, response_month
),

final as (
    select
        client_id,
        response_month,
        responses,
        promoters,
        passives,
        detractors,
        {{ pct('promoters - detractors', 'responses') }} as nps
    from aggregated
)

select * from final
