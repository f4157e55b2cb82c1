{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='customer_key',
        on_schema_change='append_new_columns',
    )
}}

{#-
    The CRM id, name, e-mail and phone do not leave raw: the customer is its customer_key, and its e-mail
    and phone survive only as keyed hashes, for identity resolution (int_customer_identifiers_mapped).

    Incrementally, a customer is restaged only when its row differs from the staged one in anything but
    lineage: a CRM snapshot (exports.md allows one) re-exports every customer, and restaging the
    unchanged ones re-hashed them and re-decided every identifier they hold (and, until session 16, made
    int_interactions_unioned re-identify every interaction they ever had).
-#}

with

newest_customers as (
    {{ newest_raw_versions('crm_customers', ['client_id', 'customer_id'], 'updated_at desc, ' ~ file_order_desc()) }}
),

final as (
    select
        {{ identity_key('client_id', 'crm', 'trim(customer_id)') }} as customer_key,
        client_id,
        {{ identity_key('client_id', 'email', normalised_email('email')) }} as email_key,
        {{ identity_key('client_id', 'phone', normalised_phone('phone')) }} as phone_key,
        signed_up_on,
        churned_on,
        plan,
        segment,
        updated_at,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at,
        {{ built_at() }} as _built_at
    from newest_customers
)

{#- every column of `final` but the key, lineage and _built_at: a column added to `final` goes here too -#}
{%- set compared = ['client_id', 'email_key', 'phone_key', 'signed_up_on', 'churned_on', 'plan', 'segment',
    'updated_at'] %}

select final.* from final
{%- if is_incremental() %}
anti join {{ this }} as staged
    on
        final.customer_key = staged.customer_key
        {%- for column in compared %}
        and final.{{ column }} is not distinct from staged.{{ column }}
        {%- endfor %}
{%- endif %}
