{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='mention_id',
        on_schema_change='append_new_columns',
    )
}}

{#- The author's handle is PII: it is redacted from the text (with and without its @) and then dropped. -#}

with

newest_mentions as (
    {{ newest_raw_versions('social_mentions', ['mention_id'], file_order_desc()) }}
),

agent_names as (
    select * from {{ ref('base_workforce__agent_names') }}
),

customer_names as (
    {{ crm_names_of('newest_mentions', 'mention_id', crm_id='customer_id') }}
),

mentioned_names as (
    {{ known_names_in('newest_mentions', 'mention_id', ['text']) }}
),

redacted as (
    select
        newest_mentions.*,
        {{ names_list([
            'customer_names.customer_names',
            'agent_names.agent_names',
            'mentioned_names.mentioned_names',
            '[newest_mentions.author_handle, ltrim(newest_mentions.author_handle, \'@\')]',
        ]) }} as names_to_redact
    from newest_mentions
    left join customer_names on newest_mentions.mention_id = customer_names.mention_id
    left join mentioned_names on newest_mentions.mention_id = mentioned_names.mention_id
    left join agent_names on newest_mentions.responder_agent_id = agent_names.agent_id
),

anonymised as materialized (
    select
        mention_id,
        client_id,
        platform,
        visibility,
        {{ identity_key('client_id', 'crm', 'trim(customer_id)') }} as crm_customer_key,
        posted_at,
        first_response_at,
        responder_agent_id,
        {{ redacted('text', 'names_to_redact') }} as text_redacted,
        star_rating,
        is_resolved,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at
    from redacted
),

sentiments as (
    {{ sentiment_scores('anonymised', 'mention_id', ['text_redacted']) }}
),

final as (
    select
        anonymised.* exclude (_export_date, _source_file, _row_number, _loaded_at),
        sentiments.text_sentiment_score,
        anonymised._export_date,
        anonymised._source_file,
        anonymised._row_number,
        anonymised._loaded_at,
        {{ built_at() }} as _built_at
    from anonymised
    left join sentiments on anonymised.mention_id = sentiments.mention_id
)

select * from final
