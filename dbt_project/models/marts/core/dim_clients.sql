with

clients as (
    select * from {{ ref('clients') }}
),

final as (
    select
        client_id,
        name as client_name,
        timezone
    from clients
)

select * from final
