{#-
    Identity keys and normalisation (shared/spec/marts.md, "Privacy" and "Identity").

    `cx_hash` is the keyed HMAC-SHA256 registered by the dbt-duckdb plugin (orchestration/dbt_plugin.py):
    the key is read from CX_HASH_KEY by the plugin, never by dbt, so it appears in no compiled SQL,
    artifact or log. Each identity is hashed with its client and kind, so the same person gets the same
    key on every channel and the same e-mail at two clients gets two keys.
-#}

{% macro normalised_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{% macro normalised_phone(column) -%}
    nullif(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '')
{%- endmacro %}

{#- kind: 'crm' (a CRM customer id), 'email' or 'phone'; value must already be normalised. -#}
{% macro identity_key(client_id, kind, value) -%}
    case
        when {{ value }} is not null
            then cx_hash({{ client_id }} || ':{{ kind }}:' || {{ value }})
    end
{%- endmacro %}
