{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['channel', 'interaction_id', 'metric'],
        on_schema_change='append_new_columns',
    )
}}

{#-
    One row per interaction and response-SLA metric: every chat session and mention (first_response) and
    every ticket (first_response and resolution), judged against its sla_targets row (marts.md "Response
    SLA"). Chats and mentions match the `*` priority row; a ticket's newest priority matches its exact row
    before `*`. Calendar time from the start; done at the first agent message (chat), first_response_at
    (ticket, mention) or solved_at while solved/closed (ticket resolution).
    - met: done within the target (elapsed <= target_seconds);
    - breached: done late, or not done and the due moment is before the as-of moment;
    - pending: not done and not yet due — left out of sla_met_pct.
    Incrementally: changed interactions, plus those pending at the last build that are now overdue (from
    their stored rows).
-#}

with

interactions as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

sla_targets as (
    select * from {{ ref('sla_targets') }}
    where metric in ('first_response', 'resolution')
),

as_of as (
    select max(started_at) as as_of_at from interactions
),

{% if is_incremental() -%}
in_scope as (
    select * from interactions
    where _built_at > {{ high_water_mark() }}
),

{#-
    Pending at the last build and due by now, the interaction unchanged since (else it is in scope above):
    not done, so now breached. Only the outcome moves; the rest is the stored row, so the interactions'
    history is not read again.
-#}
now_due as (
    select
        existing.channel,
        existing.interaction_id,
        existing.client_id,
        existing.priority,
        existing.metric,
        existing.target_priority,
        existing.target_seconds,
        existing.target_pct,
        existing.interaction_date,
        existing.started_at,
        existing.due_at,
        existing.done_at,
        existing.elapsed_seconds,
        'breached' as outcome,
        {{ built_at() }} as _built_at
    from {{ this }} as existing
    anti join in_scope using (channel, interaction_id)
    where existing.outcome = 'pending' and existing.due_at < (select as_of_at from as_of)
),
{%- else -%}
in_scope as (
    select * from interactions
),
{%- endif %}

population as (
    select
        channel,
        interaction_id,
        client_id,
        priority,
        'first_response' as metric,
        started_at,
        interaction_date,
        first_response_at as done_at
    from in_scope
    where channel in ('chat', 'email', 'social')
    union all
    select
        channel,
        interaction_id,
        client_id,
        priority,
        'resolution' as metric,
        started_at,
        interaction_date,
        solved_at as done_at
    from in_scope
    where channel = 'email'
),

{#- The most specific target: the exact priority row before `*`. -#}
targeted as (
    select
        population.*,
        sla_targets.target_seconds,
        sla_targets.target_pct,
        sla_targets.priority as target_priority
    from population
    inner join sla_targets
        on
            population.client_id = sla_targets.client_id
            and population.channel = sla_targets.channel
            and population.metric = sla_targets.metric
            and (sla_targets.priority = population.priority or sla_targets.priority = '*')
    qualify row_number() over (
        partition by population.channel, population.interaction_id, population.metric
        order by sla_targets.priority = '*'
    ) = 1
),

evaluated as (
    select
        *,
        started_at + to_seconds(target_seconds) as due_at,
        {{ seconds_between('started_at', 'done_at') }} as elapsed_seconds
    from targeted
),

final as (
    select
        channel,
        interaction_id,
        client_id,
        priority,
        metric,
        target_priority,
        target_seconds,
        target_pct,
        interaction_date,
        started_at,
        due_at,
        done_at,
        elapsed_seconds,
        case
            when done_at is not null and elapsed_seconds <= target_seconds then 'met'
            when done_at is not null then 'breached'
            when due_at < (select as_of_at from as_of) then 'breached'
            else 'pending'
        end as outcome,
        {{ built_at() }} as _built_at
    from evaluated
    {%- if is_incremental() %}
    union all by name
    select * from now_due
    {%- endif %}
)

select * from final
