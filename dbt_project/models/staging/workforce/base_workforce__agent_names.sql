{{ config(materialized='ephemeral') }}

{#-
    Every name an agent has had on the roster, to redact from the texts of the interactions they handled.
    Ephemeral: it reads PII only to feed cx_redact inside a staging model and is never persisted.
-#}

with

agents as (
    select * from {{ source('raw', 'agents') }}
),

final as (
    select
        agent_id,
        list(distinct full_name) as agent_names
    from agents
    where nullif(trim(full_name), '') is not null
    group by agent_id
)

select * from final
