{#- Tenure is measured at the as-of moment (the newest interaction start), so a rebuild is reproducible. -#}

with

agents as (
    select * from {{ ref('stg_workforce__agents') }}
),

as_of as (
    select max(interaction_date) as as_of_date from {{ ref('int_interactions_unioned') }}
),

final as (
    select
        agents.agent_id,
        agents.client_id,
        agents.team,
        agents.site,
        agents.supervisor_id,
        agents.hired_on,
        agents.left_on,
        agents.left_on is null as is_active,
        date_diff(
            'day',
            agents.hired_on,
            least(coalesce(agents.left_on, as_of.as_of_date), coalesce(as_of.as_of_date, agents.left_on))
        ) as tenure_days
    from agents
    cross join as_of
)

select * from final
