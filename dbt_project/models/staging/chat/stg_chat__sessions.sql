{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='chat_id',
        on_schema_change='append_new_columns',
    )
}}

{#-
    The transcript is reduced to what the marts use, redacted once: the customer's own messages joined in
    order (for sentiment and the summary excerpt) and message counts. Agent and bot messages are not kept.
-#}

with

newest_sessions as (
    {{ newest_raw_versions('chat_sessions', ['chat_id'], file_order_desc()) }}
),

agent_names as (
    select * from {{ ref('base_workforce__agent_names') }}
),

sessions as (
    select
        *,
        customer.id as customer_id,
        customer.email as customer_email,
        customer.name as customer_name,
        nullif(
            array_to_string(
                list_transform(
                    list_filter(transcript, lambda message: message.sender = 'customer'),
                    lambda message: message.text
                ),
                chr(10)
            ),
            ''
        ) as customer_text
    from newest_sessions
),

texts as (
    select chat_id, client_id, customer_id, customer_email
    from sessions
    where customer_text is not null or rating.comment is not null
),

customer_names as (
    {{ crm_names_of('texts', 'chat_id', crm_id='customer_id', email='customer_email') }}
),

mentioned_names as (
    {{ known_names_in('sessions', 'chat_id', ['customer_text', 'rating.comment']) }}
),

redacted as (
    select
        sessions.*,
        {{ names_list([
            'customer_names.customer_names',
            'agent_names.agent_names',
            'mentioned_names.mentioned_names',
            '[sessions.customer_name]',
        ]) }} as names_to_redact
    from sessions
    left join customer_names on sessions.chat_id = customer_names.chat_id
    left join mentioned_names on sessions.chat_id = mentioned_names.chat_id
    left join agent_names on sessions.agent_id = agent_names.agent_id
),

redacted_texts as materialized (
    select
        *,
        {{ redacted_each(['customer_text', 'rating.comment'], 'names_to_redact') }} as texts_redacted
    from redacted
),

anonymised as (
    select
        chat_id,
        client_id,
        queue,
        {{ identity_key('client_id', 'crm', 'trim(customer_id)') }} as crm_customer_key,
        {{ identity_key('client_id', 'email', normalised_email('customer_email')) }} as email_key,
        agent_id,
        requested_at,
        accepted_at,
        first_agent_message_at,
        ended_at,
        acw_seconds,
        is_resolved,
        is_escalated,
        issue_category,
        rating.scale as rating_scale,
        case when rating.scale = 'stars' then try_cast(rating.value as integer) end as rating_stars,
        case when rating.scale = 'thumbs' then lower(rating.value) end as rating_thumbs,
        rating.rated_at as rated_at,
        texts_redacted[2] as rating_comment_redacted,
        len(coalesce(transcript, [])) as message_count,
        len(list_filter(coalesce(transcript, []), lambda message: message.sender = 'customer'))
            as customer_message_count,
        texts_redacted[1] as customer_text_redacted,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at
    from redacted_texts
),

sentiments as (
    {{ sentiment_scores('anonymised', 'chat_id', ['rating_comment_redacted', 'customer_text_redacted']) }}
),

final as (
    select
        anonymised.* exclude (_export_date, _source_file, _row_number, _loaded_at),
        sentiments.rating_comment_sentiment_score,
        sentiments.customer_text_sentiment_score,
        anonymised._export_date,
        anonymised._source_file,
        anonymised._row_number,
        anonymised._loaded_at,
        {{ built_at() }} as _built_at
    from anonymised
    left join sentiments on anonymised.chat_id = sentiments.chat_id
)

select * from final
